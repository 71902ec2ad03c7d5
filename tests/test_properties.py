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
from sitegen.urls import is_safe_slug, slugify, tag_key, tag_name
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
    site, _, _ = collect_site(config(), [result] if result else [])
    for tag in (*site.tags, *(t for p in site.posts for t in p.tags)):
        assert tag.url == f"/tags/{tag.slug}/" and is_safe_slug(tag.slug)


@given(st.text(max_size=200))
def test_markdown_never_crashes(text: str) -> None:
    rendered = render(text, url="/posts/x/", base_path="/")
    assert rendered.words >= 0


# Unicode's Default_Ignorable_Code_Point property, from DerivedCoreProperties.txt
DEFAULT_IGNORABLE = st.sampled_from([
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
    (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164),
    (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF),
]).flatmap(lambda r: st.integers(*r)).map(chr)
NAMES = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=20)


def inserted(name: str, where: list[tuple[int, str]]) -> str:
    for at, char in where:
        name = name[:at % (len(name) + 1)] + char + name[at % (len(name) + 1):]
    return name


@given(NAMES, st.lists(st.tuples(st.integers(0, 40), DEFAULT_IGNORABLE), min_size=1, max_size=4))
def test_invisible_characters_never_change_a_tag(name: str, where: list[tuple[int, str]]) -> None:
    """Characters shown as nothing, anywhere in a tag: the same tag, at the same URL."""
    written = inserted(name, where)
    assert tag_key(written) == tag_key(name) and slugify(written) == slugify(name)
    tags = []
    for spelling in (name, written):
        quoted = "".join(f"\\U{ord(c):08X}" for c in spelling)  # any character, as YAML reads it
        problems = Problems()
        result = parse_post(PurePosixPath("content/posts/x.md"),
                            f'---\ntitle: t\ndate: 2025-01-01\ntags: ["{quoted}"]\n---\n', config(),
                            section="posts", problems=problems)
        site, _, _ = collect_site(config(), [result] if result else [])
        tags.append([(t.key, t.slug) for t in site.posts[0].tags] if site.posts else None)
    assert tags[0] == tags[1]


@given(st.text(st.characters(whitelist_categories=("L", "N", "Zs")), min_size=1, max_size=20),
       st.lists(st.tuples(st.integers(0, 40), DEFAULT_IGNORABLE), min_size=1, max_size=4))
def test_a_tag_is_shown_without_its_invisible_characters(name: str, where: list[tuple[int, str]]) -> None:
    assert tag_name(inserted(name, where)) == tag_name(name) == " ".join(name.split())
