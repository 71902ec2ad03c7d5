"""Incremental builds: the cache in .sitegen-cache/, pages rendered only when their inputs change,
unchanged output files left alone, and an incremental build always equal to a clean one."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import sitegen
from sitegen.builder import build
from sitegen.cache import FOLDER, BuildCache
from sitegen.errors import BuildError
from sitegen.models import Page
from tests.conftest import WriteSite, config_for, post

SITE = {
    "content/posts/a.md": post("Alpha", date="2025-01-01", tags="[red, blue]", body="Alpha body."),
    "content/posts/b.md": post("Beta", date="2025-01-02", tags="[blue]", body="Beta body."),
    "content/posts/c.md": post("Gamma", date="2025-01-03", tags="[green]", body="Gamma body."),
    "content/pages/about.md": "---\ntitle: About\n---\nAbout us.\n",
    "static/logo.svg": "<svg/>",
    "sitegen.yaml": "base_url: https://user.github.io/\nposts_per_page: 2\narchives: true\n",
}


def times(out: Path) -> dict[str, int]:
    return {p.relative_to(out).as_posix(): p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}


def contents(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def clean_build(root: Path, tmp: Path) -> dict[str, bytes]:
    out = tmp / "clean"
    shutil.rmtree(out, ignore_errors=True)
    build(config_for(root, output_dir=out), use_cache=False)
    return contents(out)


def test_a_rebuild_with_nothing_changed_renders_and_writes_nothing(write_site: WriteSite) -> None:
    root = write_site(SITE)
    first = build(config_for(root))
    assert first.rendered == first.pages and (root / FOLDER).is_dir()
    before = times(root / "public")
    again = build(config_for(root))
    assert (again.rendered, again.changed) == (0, 0)
    assert times(root / "public") == before


def test_editing_one_body_renders_only_the_pages_that_show_it(write_site: WriteSite,
                                                             tmp_path: Path) -> None:
    root = write_site(SITE)
    build(config_for(root))
    before = times(root / "public")
    (root / "content/posts/c.md").write_text(post("Gamma", date="2025-01-03", tags="[green]",
                                                  body="Gamma body, edited."))
    report = build(config_for(root))
    after = times(root / "public")
    touched = {name for name in after if after[name] != before.get(name)}
    # c's page, the home page, its tag page and its year's and month's archives that list it, and
    # the feeds that carry its body
    assert touched == {"posts/c/index.html", "index.html", "tags/green/index.html", "2025/index.html",
                       "2025/01/index.html",
                       *(f"{folder}{feed}" for folder in ("", "tags/green/")
                         for feed in ("feed.xml", "rss.xml", "feed.json"))}
    assert report.changed == len(touched)
    assert report.rendered < report.pages / 2
    assert contents(root / "public") == clean_build(root, tmp_path)


def test_a_template_change_renders_the_pages_that_use_it(write_site: WriteSite,
                                                         tmp_path: Path) -> None:
    root = write_site(SITE)
    build(config_for(root))
    (root / "templates").mkdir()
    (root / "templates/tag.html").write_text(
        '{% extends "theme/tag.html" %}{% block footer %}tag footer{% endblock %}')
    report = build(config_for(root))
    assert report.rendered == 3  # red, blue and green; nothing else uses tag.html
    assert "tag footer" in (root / "public/tags/red/index.html").read_text()
    assert contents(root / "public") == clean_build(root, tmp_path)


def test_a_template_reading_site_posts_follows_every_post(write_site: WriteSite,
                                                          tmp_path: Path) -> None:
    footer = '{% extends "theme/base.html" %}{% block footer %}{{ site.posts | length }} posts{% endblock %}'
    root = write_site({**SITE, "templates/base.html": footer})
    build(config_for(root))
    (root / "content/posts/d.md").write_text(post("Delta", date="2025-01-04"))
    build(config_for(root))
    assert "4 posts" in (root / "public/about/index.html").read_text()
    assert contents(root / "public") == clean_build(root, tmp_path)


def test_a_template_cannot_read_the_site_around_what_the_cache_notes(write_site: WriteSite) -> None:
    """`site` notes each part a page reads; a private name would reach the whole site unnoted,
    and the page would keep showing what it showed when it was rendered."""
    footer = '{% extends "theme/base.html" %}{% block footer %}{{ site._site.posts | length }}{% endblock %}'
    root = write_site({**SITE, "templates/base.html": footer})
    with pytest.raises(BuildError) as caught:
        build(config_for(root))
    assert "_site" in str(caught.value) and "templates/base.html" in str(caught.value)


def test_a_config_change_renders_everything(write_site: WriteSite) -> None:
    root = write_site(SITE)
    build(config_for(root))
    (root / "sitegen.yaml").write_text(SITE["sitegen.yaml"] + "title: Renamed\n")
    report = build(config_for(root))
    assert report.rendered == report.pages


def test_a_corrupt_cache_is_ignored_with_a_warning(write_site: WriteSite, tmp_path: Path) -> None:
    root = write_site(SITE)
    build(config_for(root))
    for cache in (root / FOLDER).glob("*.json"):
        cache.write_text('{"format": 1, "sitegen": "0.1.0", "settings": "x", "files": [')
    report = build(config_for(root))
    assert any("ignoring the build cache" in w.message for w in report.warnings)
    assert report.rendered == report.pages
    assert contents(root / "public") == clean_build(root, tmp_path)
    for cache in (root / FOLDER).glob("*.json"):
        cache.write_text('{"format": 99}')
    assert any("another version" in w.message for w in build(config_for(root)).warnings)


def test_other_code_of_the_same_version_does_not_reuse_the_cache(write_site: WriteSite,
                                                                 tmp_path: Path) -> None:
    """A developer's or a git checkout's change to sitegen keeps its version number: a warm cache
    must not serve what the old code made. Built by a copy of the package, then by the copy with
    one constant changed."""
    code = tmp_path / "code"
    shutil.copytree(Path(sitegen.__file__).parent, code / "sitegen",
                    ignore=shutil.ignore_patterns("__pycache__"))
    root = write_site({**SITE, "content/posts/long.md": post("Long", body="word " * 660)})
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "TMPDIR")}

    def run() -> str:
        result = subprocess.run([sys.executable, "-m", "sitegen", "build", str(root), "-v"], cwd=tmp_path,
                                env={**env, "PYTHONPATH": str(code), "SOURCE_DATE_EPOCH": "1767225600"},
                                capture_output=True, text=True, check=False, timeout=120)
        assert result.returncode == 0, result.stderr
        return (root / "public/posts/long/index.html").read_text()

    assert "3 min read" in run()  # 660 words at 220 a minute
    markup = code / "sitegen/markup.py"
    assert "WORDS_PER_MINUTE = 220\n" in markup.read_text(), "the test changes this constant"
    markup.write_text(markup.read_text().replace("WORDS_PER_MINUTE = 220\n", "WORDS_PER_MINUTE = 110\n"))
    assert "6 min read" in run()


def test_touching_a_file_without_changing_it_reuses_it(write_site: WriteSite) -> None:
    root = write_site(SITE)
    build(config_for(root))
    path = root / "content/posts/a.md"
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10_000_000_000))
    assert build(config_for(root)).rendered == 0


def test_a_build_that_changed_nothing_but_its_inputs_times_keeps_the_cache_whole(
        write_site: WriteSite, monkeypatch: pytest.MonkeyPatch) -> None:
    """A template saved without a change (or the theme found at another path): the build reads
    the records, renders nothing and writes only its new inputs; the next edit still starts
    from the cache, parsing the one post edited."""
    from sitegen import incremental

    root = write_site({**SITE, "templates/post.html": "{{ post.title }}"})
    settle(root)
    build(config_for(root))
    template = root / "templates/post.html"
    os.utime(template, ns=(template.stat().st_atime_ns, template.stat().st_mtime_ns + 10_000_000_000))
    report = build(config_for(root))
    assert (report.rendered, report.changed) == (0, 0)
    parsed: list[object] = []
    real = incremental._read_and_parse
    monkeypatch.setattr(incremental, "_read_and_parse", lambda *a: parsed.append(a[0]) or real(*a))
    (root / "content/posts/a.md").write_text(post("Alpha", date="2025-01-01", tags="[red, blue]",
                                                  body="Alpha body, edited."))
    report = build(config_for(root))
    assert report.warnings == () and len(parsed) == 1


def test_a_post_replaced_while_it_is_parsed_is_read_again(write_site: WriteSite,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A file replaced while the build parses it, its old time put back (cp -p, rsync -t): the
    cache records the time and size it had before it was read, so the next build sees the
    change rather than keeping the text read before."""
    from sitegen import parser

    root = write_site(SITE)
    settle(root)
    path = root / "content/posts/a.md"
    real = parser.parse_file

    def parse_then_replace(source: object, data: bytes, config: object) -> object:
        result = real(source, data, config)  # type: ignore[arg-type]
        if str(source).endswith("a.md") and b"Alpha body." in data:
            before = path.stat().st_mtime_ns
            path.write_text(post("Alpha", date="2025-01-01", tags="[red, blue]", body="Replaced, longer."))
            os.utime(path, ns=(before, before))
        return result

    monkeypatch.setattr(parser, "parse_file", parse_then_replace)
    build(config_for(root))
    monkeypatch.setattr(parser, "parse_file", real)
    build(config_for(root))
    assert "Replaced, longer." in (root / "public/posts/a/index.html").read_text()


def test_a_post_replaced_while_the_cache_compares_it_is_read_again(
        write_site: WriteSite, monkeypatch: pytest.MonkeyPatch) -> None:
    """A post saved without a change (a new time, the same bytes), then replaced while the cache
    compares its bytes with the last build's, its time put back: the next build sees the change."""
    root = write_site(SITE)
    settle(root)
    build(config_for(root))
    path = root / "content/posts/a.md"
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    real = BuildCache.same_bytes

    def compare_then_replace(store: BuildCache, source: str, data: bytes) -> bool:
        same = real(store, source, data)
        if source.endswith("a.md") and b"Alpha body." in data:
            before = path.stat().st_mtime_ns
            path.write_text(post("Alpha", date="2025-01-01", tags="[red, blue]", body="Replaced, longer."))
            os.utime(path, ns=(before, before))
        return same

    monkeypatch.setattr(BuildCache, "same_bytes", compare_then_replace)
    build(config_for(root), strict=True)  # past the no-change check: the build compares the file
    monkeypatch.setattr(BuildCache, "same_bytes", real)
    build(config_for(root))
    assert "Replaced, longer." in (root / "public/posts/a/index.html").read_text()


def test_a_failed_incremental_build_leaves_the_last_one(write_site: WriteSite) -> None:
    root = write_site(SITE)
    build(config_for(root))
    before = contents(root / "public")
    (root / "content/posts/b.md").write_text(post("Beta", tags="5"))
    with pytest.raises(BuildError):
        build(config_for(root))
    assert contents(root / "public") == before
    (root / "content/posts/b.md").write_text(SITE["content/posts/b.md"])
    assert build(config_for(root)).changed == 0


def test_parallel_reading_gives_the_same_site(write_site: WriteSite, tmp_path: Path) -> None:
    files = {f"content/posts/p{i:03d}.md": post(f"Post {i}", date=f"2025-01-{1 + i % 28:02d}",
                                              tags=f"[t{i % 7}, shared]", body=f"Body {i} <x>")
             for i in range(80)}
    root = write_site(files)
    one = replace(config_for(root, output_dir=tmp_path / "one"), jobs=1)
    two = replace(config_for(root, output_dir=tmp_path / "two"), jobs=2)
    first, second = build(one, use_cache=False), build(two, use_cache=False)
    assert contents(tmp_path / "one") == contents(tmp_path / "two")
    assert [str(w) for w in first.warnings] == [str(w) for w in second.warnings]


def test_parallel_rendering_gives_the_same_site_and_cache(write_site: WriteSite, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages rendered by forked workers: same bytes, same cache records, same files left alone,
    the same pages rendered again."""
    from sitegen import builder, renderer

    files = {f"content/posts/p{i:02d}.md": post(f"Post {i}", date=f"2025-01-{1 + i % 28:02d}",
                                              tags=f"[t{i % 5}, shared]", body=f"Body {i} <x>")
             for i in range(30)} | {"sitegen.yaml": SITE["sitegen.yaml"], "templates/post.html":
                                     '{% extends "theme/post.html" %}'}
    root = write_site(files)
    monkeypatch.setattr(builder, "PARALLEL_RENDER_FROM", 1)
    pids = tmp_path / "pids"
    pids.mkdir()
    render_page = renderer.render_page

    def noted(*args: object, **kwargs: object) -> bytes:
        (pids / str(os.getpid())).touch()
        return render_page(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(renderer, "render_page", noted)
    outputs, records, reports = [], [], []
    for jobs in (1, 2):
        config = replace(config_for(root, output_dir=tmp_path / f"out{jobs}"), jobs=jobs)
        shutil.rmtree(root / FOLDER, ignore_errors=True)
        first = build(config)
        (root / "templates/post.html").write_text('{% extends "theme/post.html" %}{# changed #}')
        before = times(config.output_dir)
        again = build(config)  # every post page rendered again, none of them changed
        assert times(config.output_dir) == before
        (root / "templates/post.html").write_text('{% extends "theme/post.html" %}')
        outputs.append(contents(config.output_dir))
        records.append({name: {k: v for k, v in record.items() if k != "out"}  # out: file times
                        for name, record in BuildCache.load(config).pages.items()})
        reports.append((first.rendered, first.changed, again.rendered, again.changed))
    assert outputs[0] == outputs[1] and records[0] == records[1] and reports[0] == reports[1]
    assert reports[0][2] == 30 and reports[0][3] == 0
    rendered_by = {int(p.name) for p in pids.iterdir()}  # this process, and a worker of each build
    assert os.getpid() in rendered_by and len(rendered_by) >= 2


def test_a_template_error_in_render_workers_is_reported_once(write_site: WriteSite, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from sitegen import builder

    files = {f"content/posts/p{i:02d}.md": post(f"Post {i}", date="2025-01-01", body="x")
             for i in range(20)} | {"sitegen.yaml": SITE["sitegen.yaml"]}
    root = write_site(files)
    monkeypatch.setattr(builder, "PARALLEL_RENDER_FROM", 1)
    config = replace(config_for(root), jobs=2)
    build(config)
    before = contents(root / "public")
    (root / "templates").mkdir()
    (root / "templates/post.html").write_text('{% extends "theme/post.html" %}\n'
                                              '{% block content %}{{ post.title.nope() }}{% endblock %}')
    with pytest.raises(BuildError) as raised:
        build(config)
    assert [(e.path, e.line) for e in raised.value.errors] == [("templates/post.html", 2)]
    assert contents(root / "public") == before
    assert not list(root.glob(".public.staging-*"))


@pytest.mark.parametrize("failing", ["this process", "a worker"])
def test_a_failure_in_one_process_stops_the_others_soon(
        write_site: WriteSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str) -> None:
    """The pages left are taken off the shared cursor, so the other processes do not render the
    rest of the site before the error is reported."""
    import time

    from sitegen import builder, renderer

    files = {f"content/posts/p{i:02d}.md": post(f"Post {i}", date="2025-01-01", body="x")
             for i in range(40)} | {"sitegen.yaml": SITE["sitegen.yaml"]}
    root = write_site(files)
    monkeypatch.setattr(builder, "PARALLEL_RENDER_FROM", 1)
    done = tmp_path / "done"
    done.mkdir()
    render_page, parent = renderer.render_page, os.getpid()

    def slow(env: object, page: Page, *args: object, **kwargs: object) -> bytes:
        if (os.getpid() == parent) == (failing == "this process"):
            raise RuntimeError("broken here")
        time.sleep(0.02)
        (done / str(page.path).replace("/", "_")).touch()
        return render_page(env, page, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(renderer, "render_page", slow)
    with pytest.raises(RuntimeError, match="broken here"):
        build(replace(config_for(root), jobs=2))
    assert len(list(done.iterdir())) < 10  # of some 70 pages
    assert not list(root.glob(".public.staging-*")) and not (root / "public").exists()


def test_front_matter_json_would_change_is_never_served_from_the_cache(write_site: WriteSite,
                                                                        tmp_path: Path) -> None:
    """NaN, infinities and mappings keyed by numbers come back from JSON changed (null, "1"): such
    a post is parsed again on every build, so a rebuild shows what a clean build shows."""
    files = {"content/posts/a.md": post("Alpha", rating=".nan", limit="-.inf", scores="{1: one}"),
             "sitegen.yaml": SITE["sitegen.yaml"],
             "templates/post.html": '{% extends "theme/post.html" %}{% block content %}'
                                    "R={{ post.extra.rating }} L={{ post.extra.limit }} "
                                    "S={{ post.extra.scores[1] }}{{ super() }}{% endblock %}"}
    root = write_site(files)
    build(config_for(root))
    (root / "templates/post.html").write_text(files["templates/post.html"] + "{# changed #}")
    build(config_for(root))
    page = (root / "public/posts/a/index.html").read_text()
    assert "R=nan L=-inf S=one" in page
    assert contents(root / "public") == clean_build(root, tmp_path)


EDITS = st.sampled_from(["edit body", "add tag", "remove tag", "rename file", "delete post",
                         "add draft", "change template", "change config", "add post",
                         "change bundle file", "add bundle file", "remove bundle file", "add translation",
                         "change permalinks", "add category", "remove category", "rename category",
                         "alias category", "change date", "change author", "remove author",
                         "describe author", "touch post", "add known tag", "respell tag", "tag page",
                         "page template"])
BUNDLE = {  # a page bundle: its post, and files copied beside it
    "content/posts/trip/index.md": post("Trip", date="2025-01-04", tags="[blue]", body="![Cat](cat.svg)"),
    "content/posts/trip/cat.svg": "<svg/>",
    "content/posts/trip/notes.md": "Not a post.\n",
}
PERMALINKS = ("", "permalinks: {post: '/:year/:month/:day/:title/', tag: '/tag/:slug/'}\n",
              "permalinks:\n  post: /blog/:short_year/:i_month/:slug.html\n  category: /category/:slug/\n",
              "permalinks: {post: '/:categories/:year/:month/:day/:title:output_ext'}\n",
              # Hugo's key names: the urlized title, Hugo's term URLs
              "permalinks: {posts: '/:year/:monthname/:slug/', tags: /topics/:slug/,"
              " categories: /c/:slug/}\n")
# A category shown as a link from its second post on: a post's page changes with the others'
CATEGORIES = "categories: {min_posts: 2, hierarchy: true}\n"


@settings(max_examples=30, deadline=None)
@given(st.lists(EDITS, min_size=1, max_size=5), st.booleans())
# the categories pattern (step 2), then C# added (step 3): Jekyll's URL in _redirects, then taken out
@example(["add category", "add category", "change permalinks", "add category", "remove category"], False)
# Hugo's key names (step 3): URLs from titles and Hugo's term slugs, then a post and a tag more
@example(["add category", "add tag", "edit body", "change permalinks", "add post", "rename file"], True)
# A tag that only pages have, spelled "META" and "meta" by two pages, then "META" by a third
# (step 3): the two whose files did not change show it under its new name
@example(["page template", "tag page", "tag page", "tag page"], False)
def test_incremental_output_always_equals_a_clean_build(tmp_path_factory: pytest.TempPathFactory,
                                                         steps: list[str], in_memory: bool) -> None:
    """With the cache on disk (sitegen build) and kept in memory between builds (sitegen serve)."""
    root = tmp_path_factory.mktemp("site")
    settings_text = SITE["sitegen.yaml"] + CATEGORIES
    for name, text in {**SITE, **BUNDLE, "sitegen.yaml": settings_text}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    store: BuildCache | None = None
    trip = root / "content/posts/trip"

    def rebuild() -> None:
        nonlocal store
        config = config_for(root)
        if in_memory:
            store = BuildCache.follow(store, config)
        build(config, store=store)

    rebuild()
    for number, step in enumerate(steps):
        posts = sorted((root / "content/posts").glob("*.md"))
        target = posts[number % len(posts)] if posts else None
        if step == "touch post" and target:  # a save without a change: a new time, the same bytes
            os.utime(target, ns=(1_700_000_300_000_000_000 + number, 1_700_000_300_000_000_000 + number))
        elif step == "edit body" and target:
            target.write_text(target.read_text() + f"\nMore text {number}.\n")
        elif step == "add tag" and target:
            text = target.read_text()
            tag = f"extra{number % 2}"
            target.write_text(text.replace("title:", f"tags: [{tag}]\ntitle:", 1) if "tags:" not in text
                              else text.replace("tags: [", f"tags: [{tag}, ", 1))
        elif step == "remove tag" and target:
            target.write_text("\n".join(line for line in target.read_text().split("\n")
                                        if not line.startswith("tags:")))
        elif step == "rename file" and target:
            target.rename(target.with_name(f"renamed-{number}.md"))
        elif step == "delete post" and target and len(posts) > 1:
            target.unlink()
        elif step == "add draft":
            (root / f"content/posts/draft-{number}.md").write_text(post("Draft", draft="true"))
        elif step == "change template":
            (root / "templates").mkdir(exist_ok=True)
            (root / "templates/post.html").write_text(
                f'{{% extends "theme/post.html" %}}{{% block footer %}}v{number}{{% endblock %}}')
        elif step == "change config":
            (root / "sitegen.yaml").write_text(settings_text.replace("2", str(1 + number % 3)))
        elif step == "change permalinks":
            (root / "sitegen.yaml").write_text(settings_text + PERMALINKS[1 + number % 4])
        elif step == "add category" and target:
            text = target.read_text()
            name = ["News", "news/Local", "Reviews", "C#"][number % 4]  # C#: Jekyll's URL redirects
            target.write_text(text.replace("title:", f"categories: [{name}]\ntitle:", 1) if "categories:"
                              not in text else text.replace("categories: [", f"categories: [{name}, ", 1))
        elif step == "remove category" and target:
            target.write_text("\n".join(line for line in target.read_text().split("\n")
                                        if not line.startswith("categories:")))
        elif step == "rename category" and target:
            text = target.read_text()
            target.write_text(text.replace("categories: [", f"categories: [Renamed{number % 2}", 1))
        elif step == "alias category":
            (root / "categories.yaml").write_text(f"News: {{aliases: [Reviews], old_slugs: [old{number}]}}\n")
        elif step == "change date" and target:  # to another year and month: archives move
            target.write_text(re.sub(r"^date: .*$", f"date: {2023 + number % 3}-{1 + number % 12:02d}-15",
                                     target.read_text(), count=1, flags=re.MULTILINE))
        elif step == "change author" and target:  # a second author gives every author a page
            text = "\n".join(line for line in target.read_text().split("\n")
                              if not line.startswith("author:"))
            target.write_text(text.replace("title:", f"author: Writer {number % 2}\ntitle:", 1))
        elif step == "remove author" and target:
            target.write_text("\n".join(line for line in target.read_text().split("\n")
                                        if not line.startswith("author:")))
        elif step == "describe author":
            (root / "authors.yaml").write_text(f"Writer 0: {{bio: Bio {number}, slug: w{number % 3}}}\n")
        elif step == "add known tag" and target:  # a tag other posts have: the site keeps its terms
            text = target.read_text()
            target.write_text(text.replace("title:", "tags: [blue]\ntitle:", 1) if "tags:" not in text
                              else text.replace("tags: [", "tags: [blue, ", 1))
        elif step == "respell tag" and target:  # the name shown is the most written spelling
            target.write_text(re.sub(r"(?i)\bblue\b", ["Blue", "BLUE"][number % 2], target.read_text()))
        elif step == "tag page":  # a term only pages have is named after their spellings
            name = ["about", "more", "extra"][number % 3]
            term = ["meta", "META"][number % 2] if number % 5 else "blue"
            (root / f"content/pages/{name}.md").write_text(f"---\ntitle: {name}\ntags: [{term}]\n---\nA.\n")
        elif step == "page template":  # shows the pages' terms, reads nothing of `site`
            (root / "templates").mkdir(exist_ok=True)
            (root / "templates/page.html").write_text("{{ post.title }}:{% for term in post.tags"
                                                      " + post.categories %} {{ term.name }}{% endfor %}\n")
        elif step == "add post":
            (root / f"content/posts/new-{number}.md").write_text(post(f"New {number}", tags="[blue]"))
        elif step == "change bundle file":
            (trip / "cat.svg").write_text(f"<svg>{number}</svg>")
        elif step == "add bundle file":
            (trip / f"photos/{number}.svg").parent.mkdir(exist_ok=True)
            (trip / f"photos/{number}.svg").write_text("<svg/>")
        elif step == "remove bundle file":
            for path in sorted(trip.rglob("*.*"))[:1]:
                if path.name != "index.md":
                    path.unlink()
        elif step == "add translation":
            (trip / f"index.x{number}.md").write_text(post("Voyage"))
        rebuild()
        assert contents(root / "public") == clean_build(root, tmp_path_factory.mktemp("clean"))


# --- sitegen serve: one cache kept in memory across failed builds ---------------------------------


def in_memory(root: Path) -> Callable[[], None]:
    """Builds of `root` sharing one memory-only cache, as sitegen serve runs them."""
    store: BuildCache | None = None

    def rebuild() -> None:
        nonlocal store
        config = config_for(root)
        store = BuildCache.follow(store, config)
        build(config, store=store)

    return rebuild


def test_an_undone_edit_after_a_failed_build_builds(write_site: WriteSite, tmp_path: Path) -> None:
    """An editor's undo puts back the very bytes the last good build read."""
    root = write_site(SITE)
    rebuild = in_memory(root)
    rebuild()
    alpha = root / "content/posts/a.md"
    good = alpha.read_bytes()
    alpha.write_bytes(good.replace(b"tags: [red, blue]", b"tags: [red, blue"))
    with pytest.raises(BuildError, match="a.md"):
        rebuild()
    alpha.write_bytes(good)
    rebuild()
    assert contents(root / "public") == clean_build(root, tmp_path)


def test_a_file_put_back_during_failed_builds_is_built_as_it_is(write_site: WriteSite,
                                                                tmp_path: Path) -> None:
    """A file parsed by a failed build, then put back as the last good build read it: the
    rebuild uses its bytes, not the text it had in between."""
    root = write_site(SITE)
    rebuild = in_memory(root)
    rebuild()
    alpha, beta = root / "content/posts/a.md", root / "content/posts/b.md"
    good = alpha.read_bytes()
    beta.write_text(post("Beta", date="2025-01-02", tags="[blue", body="Beta body."))
    alpha.write_text(post("Alpha", date="2025-01-01", tags="[red, blue]", body="Rewritten."))
    with pytest.raises(BuildError, match="b.md"):
        rebuild()
    alpha.write_bytes(good)
    with pytest.raises(BuildError, match="b.md"):
        rebuild()
    beta.write_text(post("Beta", date="2025-01-02", tags="[blue, green]", body="Beta body."))
    rebuild()
    assert "Alpha body." in (root / "public/posts/a/index.html").read_text()
    assert contents(root / "public") == clean_build(root, tmp_path)


def test_a_memory_only_record_decodes_without_the_memo(write_site: WriteSite) -> None:
    """Without a pack, a record holds its post's HTML itself; the posts decoded in this process
    are only a memo of the records."""
    root = write_site(SITE)
    config = config_for(root)
    store = BuildCache.load(config, persist=False)
    build(config, store=store)
    store._decoded.clear()
    path = root / "content/posts/a.md"
    found = store.recall_bytes("content/posts/a.md", path.read_bytes(),
                               [path.stat().st_mtime_ns, path.stat().st_size])
    assert found is not None and found[0] is not None
    assert "Alpha body." in found[0].html.parts[0]


# --- a rebuild with nothing changed decides by file times alone -----------------------------------


def settle(root: Path) -> None:
    """Age every file of the site past the racy window, as if written well before the build."""
    old = 1_700_000_000_000_000_000
    for path in root.rglob("*"):
        if path.is_file() and "public" not in path.parts:
            os.utime(path, ns=(old, old))


def unchanged_build(root: Path, monkeypatch: pytest.MonkeyPatch, **overrides: object) -> object:
    """A build that must not read any post; returns its report."""
    from sitegen.incremental import Incremental

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a no-change build read the posts")

    with monkeypatch.context() as patch:
        patch.setattr(Incremental, "read_posts", refuse)
        return build(config_for(root, **overrides))


def test_nothing_changed_reads_no_post_and_repeats_the_report(write_site: WriteSite,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_site({**SITE, "sitegen.yaml": "posts_per_page: 2\n"})  # base_url unset: a warning
    settle(root)
    first = build(config_for(root))
    again = unchanged_build(root, monkeypatch)
    def said(report: object) -> list[tuple[object, ...]]:
        return [(w.path, w.line, w.col, w.message, w.hint) for w in report.warnings]  # type: ignore[attr-defined]

    assert replace(again, seconds=0, rendered=0, changed=0, warnings=()) == \
        replace(first, seconds=0, rendered=0, changed=0, warnings=())
    assert said(again) == said(first) and any("base_url is not set" in w[3] for w in said(again))


def test_nothing_changed_after_an_edit_takes_the_short_path(write_site: WriteSite,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The posts parsed again are kept after those reused: the index still lists every file in
    the listing's order, which the no-change check walks in step with it."""
    root = write_site(SITE)
    settle(root)
    build(config_for(root))
    (root / "content/posts/a.md").write_text(post("Alpha", date="2025-01-01", tags="[red]", body="New."))
    settle(root)  # a.md's size tells the edit; the others are reused
    build(config_for(root))
    again = unchanged_build(root, monkeypatch)
    assert (again.rendered, again.changed) == (0, 0)  # type: ignore[attr-defined]


@pytest.mark.parametrize("change", ["post added", "template", "static file", "config", "output edited",
                                    "file put into the output", "output file deleted", "future post due",
                                    "bundle file changed", "bundle file added", "bundle file removed",
                                    "translation added"])
def test_any_change_takes_the_full_path(write_site: WriteSite, tmp_path: Path, change: str) -> None:
    later = post("Later", date="2026-06-01", body="Soon.")
    root = write_site({**SITE, **BUNDLE, "content/posts/later.md": later})
    settle(root)
    build(config_for(root))
    out = root / "public"
    overrides: dict[str, object] = {}
    if change == "post added":
        (root / "content/posts/d.md").write_text(post("Delta", date="2025-01-04"))
    elif change == "template":
        (root / "templates").mkdir()
        (root / "templates/post.html").write_text("{{ post.title }} by hand\n")
    elif change == "static file":
        (root / "static/logo.svg").write_text("<svg></svg>")
    elif change == "config":
        (root / "sitegen.yaml").write_text(SITE["sitegen.yaml"] + "title: Renamed\n")
    elif change == "output edited":
        (out / "index.html").write_text("changed by hand")
    elif change == "file put into the output":
        (out / "posts/extra.html").write_text("mine")
    elif change == "output file deleted":
        (out / "tags/index.html").unlink()
    elif change == "future post due":
        from tests.conftest import NOW
        overrides["now"] = NOW.replace(year=2027)
    elif change == "bundle file changed":
        (root / "content/posts/trip/cat.svg").write_text("<svg>new</svg>")
    elif change == "bundle file added":
        (root / "content/posts/trip/dog.svg").write_text("<svg/>")
    elif change == "bundle file removed":
        (root / "content/posts/trip/notes.md").unlink()
    elif change == "translation added":
        (root / "content/posts/trip/index.es.md").write_text(post("Viaje"))
    config = config_for(root)
    report = build(replace(config, **overrides))  # type: ignore[arg-type]
    if change == "translation added":  # nothing to write, but a warning to give
        assert report.changed == 0
        assert [w.path for w in report.warnings] == ["content/posts/trip/index.es.md"]
        return
    assert report.changed > 0
    assert contents(out) == clean_build(root, tmp_path) if not overrides else "Later" in (
        out / "index.html").read_text()


def test_an_edit_that_keeps_size_and_time_is_still_seen(write_site: WriteSite) -> None:
    """File systems count modification times in ticks: an edit right after a build can keep
    both. Files written that close to the build are read again, not judged by their time."""
    root = write_site(SITE)
    path = root / "content/posts/c.md"
    build(config_for(root))
    info = path.stat()
    text = path.read_text().replace("Gamma body.", "Gimme body.")
    path.write_text(text)
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert path.stat().st_size == info.st_size
    build(config_for(root))
    assert "Gimme body." in (root / "public/posts/c/index.html").read_text()


def test_a_damaged_html_pack_is_noticed_and_the_build_starts_over(write_site: WriteSite,
                                                                 tmp_path: Path) -> None:
    root = write_site(SITE)
    build(config_for(root))
    pack = next((root / FOLDER).glob("*.pack"))
    data = bytearray(pack.read_bytes())
    data[len(data) // 2] ^= 0x20  # one flipped bit, as a bad disk would
    pack.write_bytes(bytes(data))
    (root / "templates").mkdir()
    (root / "templates/post.html").write_text("<main>{{ post.body_html }}</main>\n")  # reads every body
    report = build(config_for(root))
    assert any("ignoring the build cache" in w.message for w in report.warnings)
    assert contents(root / "public") == clean_build(root, tmp_path)
    assert build(config_for(root)).warnings == ()  # and a sound cache was written


@pytest.mark.parametrize("build_before", [False, True])
def test_a_cache_removed_in_the_middle_of_a_build_starts_it_over(
        write_site: WriteSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, build_before: bool) -> None:
    """The cache's folder removed (rm -rf .sitegen-cache) after the posts were parsed, their HTML
    kept in a file that is gone: a first build, which reads it back by name, starts over and says
    so; a rebuild reads what it needs from the file it still holds. Neither writes a cache that
    points into the removed file."""
    from sitegen import site as site_stage

    root = write_site(SITE)
    if build_before:
        build(config_for(root))
        (root / "content/posts/a.md").write_text(post("Alpha", date="2025-01-01", body="Changed."))
    collect, removed = site_stage.collect_site, []

    def remove_then_collect(*args: Any, **kwargs: Any) -> Any:
        if not removed:
            removed.extend(p.name for p in (root / FOLDER).glob("*.pack"))
            shutil.rmtree(root / FOLDER)
        return collect(*args, **kwargs)

    monkeypatch.setattr(site_stage, "collect_site", remove_then_collect)
    report = build(config_for(root))
    assert removed and any("ignoring the build cache" in w.message for w in report.warnings) != build_before
    assert contents(root / "public") == clean_build(root, tmp_path)
    monkeypatch.undo()
    assert build(config_for(root)).warnings == ()  # no cache pointing into nothing
    assert contents(root / "public") == clean_build(root, tmp_path)


@pytest.mark.parametrize("damage", ["garbage", "another index's"])
def test_the_records_are_read_only_when_something_changed(write_site: WriteSite, tmp_path: Path,
                                                          damage: str) -> None:
    """A rebuild with nothing changed reads the index's sizes and times, never the records of the
    posts and pages beside it; records that are damaged, or left by another build, start it over."""
    root = write_site(SITE)
    settle(root)
    build(config_for(root))
    records = next((root / FOLDER).glob("*.records"))
    earlier = records.read_bytes()
    if damage == "garbage":
        records.write_bytes(b'{"token": ')
    else:  # the records of the next build, under this build's index
        index = next((root / FOLDER).glob("*.json")).read_bytes()
        (root / "content/posts/a.md").write_text(post("Alpha", date="2025-01-01", body="Changed."))
        build(config_for(root))
        next((root / FOLDER).glob("*.json")).write_bytes(index)
        (root / "content/posts/a.md").write_text(SITE["content/posts/a.md"])
        assert records.read_bytes() != earlier
    settle(root)
    if damage == "garbage":
        report = build(config_for(root))
        assert (report.rendered, report.changed, report.warnings) == (0, 0, ())
    (root / "content/posts/c.md").write_text(post("Gamma", date="2025-01-03", tags="[green]", body="Edited."))
    report = build(config_for(root))
    assert any("ignoring the build cache" in w.message for w in report.warnings)
    assert contents(root / "public") == clean_build(root, tmp_path)
    assert build(config_for(root)).warnings == ()


def test_related_posts_are_computed_again_only_when_tags_move(write_site: WriteSite,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from sitegen import incremental

    calls = []
    real = incremental.related_posts
    monkeypatch.setattr(incremental, "related_posts", lambda *a, **k: calls.append(1) or real(*a, **k))
    root = write_site(SITE)
    build(config_for(root))
    (root / "content/posts/a.md").write_text(post("Alpha", date="2025-01-01", tags="[red, blue]",
                                                  body="Alpha body, edited."))
    build(config_for(root))
    assert len(calls) == 1, "a text edit recomputed related posts"
    (root / "content/posts/a.md").write_text(post("Alpha", date="2025-01-01", tags="[red, green]"))
    build(config_for(root))
    assert len(calls) == 2


@pytest.mark.parametrize("related", [0, 2])
def test_related_posts_come_back_from_the_cache_as_a_clean_build_finds_them(
        write_site: WriteSite, tmp_path: Path, related: int) -> None:
    """The last build's related posts, kept by place, are reused for the posts whose tags did not
    move; with `related: 0` there are none to keep."""
    template = "{{ post.title }}:{% for p in related %} {{ p.title }}{% endfor %}"
    root = write_site({**SITE, "sitegen.yaml": f"tags:\n  related: {related}\n",
                       "templates/post.html": template})
    build(config_for(root))
    (root / "content/posts/a.md").write_text(post("Alpha", date="2025-01-01", tags="[red, blue]",
                                                  body="Alpha body, edited."))
    build(config_for(root))
    assert contents(root / "public") == clean_build(root, tmp_path / "edit")
    (root / "content/posts/b.md").write_text(post("Bravo", date="2025-01-02", tags="[blue]"))
    build(config_for(root))
    assert contents(root / "public") == clean_build(root, tmp_path / "tags")


def test_a_folder_touched_by_hand_is_looked_at_once(write_site: WriteSite,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A file made and deleted in the output changes its folder's time: the next build looks,
    finds nothing to remove, and records the new time, so the build after is quick again."""
    root = write_site(SITE)
    settle(root)
    build(config_for(root))
    scratch = root / "public/posts/scratch.txt"
    scratch.write_text("x")
    scratch.unlink()
    assert build(config_for(root)).changed == 0
    unchanged_build(root, monkeypatch)


def test_the_html_pack_is_rewritten_without_unused_records(write_site: WriteSite, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from sitegen.cache import pack

    monkeypatch.setattr(pack, "PACK_SLACK", 0)
    root = write_site(SITE)
    build(config_for(root))
    pack = next((root / FOLDER).glob("*.pack"))
    first = pack.stat().st_size
    for number in range(6):  # each edit leaves the post's earlier HTML unused in the pack
        (root / "content/posts/a.md").write_text(post("Alpha", date="2025-01-01", tags="[red, blue]",
                                                      body=f"Alpha body, edit {number}. " * 40))
        build(config_for(root))
        assert pack.stat().st_size < 3 * first + 4000
    (root / "templates").mkdir()
    (root / "templates/post.html").write_text("<main>{{ post.body_html }}</main>\n")  # reads every body
    assert build(config_for(root)).warnings == ()
    assert contents(root / "public") == clean_build(root, tmp_path)


def test_a_pages_context_is_hashed_once_and_its_hash_let_go_after_the_second_key(
        write_site: WriteSite, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keyed before rendering (again=True) and after, a page's context is hashed once; its hash is
    not held past the second key, nor at all by a page keyed once (a first build: every page)."""
    from sitegen.builder import plan
    from sitegen.cache import Fingerprints

    site, planned, _ = plan(config_for(write_site(SITE)))
    archive = next(page for page in planned if page.template == "archive.html")
    prints = Fingerprints(site, {}, {})
    looked: list[object] = []
    real = Fingerprints.of_value
    monkeypatch.setattr(Fingerprints, "of_value",
                        lambda self, value: looked.append(value) or real(self, value))
    first = prints.of_page(archive, [], again=True)
    once = len(looked)
    assert once > 0 and prints.of_page(archive, []) == first and len(looked) == once
    assert prints.of_page(archive, []) == first and len(looked) > once  # hashed again: not kept
    for page in planned:
        prints.of_page(page, [])
    assert not prints._contexts
