"""Properties over open-ended input: error locations, tag identity, escaping."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path, PurePosixPath

from hypothesis import given
from hypothesis import strategies as st

from sitegen.errors import Problems
from sitegen.markup import render
from sitegen.models import Config
from sitegen.pages import plan_pages
from sitegen.parser import parse_post, read_posts
from sitegen.renderer import make_environment, render_page
from sitegen.site import collect_site
from sitegen.urls import is_safe_slug
from tests.conftest import NOW
from tests.test_parser import config
from tests.test_site import make

BREAKERS = ["title: a: b", "\ttags: [x]", 'summary: "unterminated', "date: 2024-02-30",
            "tags: [a, [b]]", "slug: ../x", "draft: maybe", "tags: 5"]


@given(pad=st.integers(0, 20), breaker=st.sampled_from(BREAKERS), bom=st.booleans(),
       crlf=st.booleans())
def test_error_points_at_the_breaking_line(tmp_path_factory, pad, breaker, bom, crlf):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("site")
    lines = ["---", "title: ok", "date: 2024-01-01"] + ["# pad"] * pad + [breaker, "---", "body"]
    data = (b"\xef\xbb\xbf" if bom else b"") + ("\r\n" if crlf else "\n").join(lines).encode()
    (root / "content/posts").mkdir(parents=True)
    (root / "content/posts/p.md").write_bytes(data)
    cfg = Config(root=root, output_dir=root / "public", now=NOW)
    posts, problems = read_posts(cfg)
    assert posts == [] and len(problems.errors) == 1
    error = problems.errors[0]
    assert error.path == "content/posts/p.md"
    assert error.line == 4 + pad
    assert error.col is not None and error.col >= 1


@given(st.text(min_size=1, max_size=60))
def test_any_title_is_escaped_or_rejected(title: str) -> None:
    problems = Problems()
    text = f"---\ntitle: {title!r}\ndate: 2025-01-01\n---\nbody\n".replace("\\", "\\\\")
    result = parse_post(PurePosixPath("content/posts/x.md"), text, config(), section="posts",
                        problems=problems)
    if result is None:
        assert problems.errors and all(e.line for e in problems.errors)
        return
    site, _, _ = collect_site(config(), [result])
    page = next(p for p in plan_pages(site) if p.template == "post.html")
    cfg = replace(config(), root=Path("/nonexistent"))
    html = render_page(make_environment(cfg), page, site).decode()
    head = html.split("<title>")[1].split("</title>")[0]
    assert "<" not in head


@given(st.lists(st.sampled_from(["AI", "ai", " Ai", "AI ", "aI"]), min_size=1, max_size=8),
       st.randoms(use_true_random=False))
def test_tag_display_name_does_not_depend_on_read_order(spellings: list[str], rng: random.Random) -> None:
    posts = [make(f"p{i}", tags=f"['{name}']", date=f"2025-01-{i + 1:02d}")
             for i, name in enumerate(spellings)]
    first, _, _ = collect_site(config(), posts)
    shuffled = posts[:]
    rng.shuffle(shuffled)
    second, _, _ = collect_site(config(), shuffled)
    assert [t.name for t in first.tags] == [t.name for t in second.tags]
    assert len(first.tags) == 1 and first.tags[0].slug == "ai"


@given(st.text(max_size=30))
def test_tag_urls_stay_inside_tags(name: str) -> None:
    problems = Problems()
    text = "---\ntitle: t\ndate: 2025-01-01\ntags: [" + repr(name).replace("\\", "\\\\") + "]\n---\n"
    result = parse_post(PurePosixPath("content/posts/x.md"), text, config(), section="posts",
                        problems=problems)
    for tag in result.tags if result else ():
        assert tag.url == f"/tags/{tag.slug}/" and is_safe_slug(tag.slug)


@given(st.text(max_size=200))
def test_markdown_never_crashes(text: str) -> None:
    rendered = render(text, url="/posts/x/", base_path="/")
    assert rendered.words >= 0
