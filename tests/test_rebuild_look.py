"""The no-change check's look at every file read and written, which the build after it trusts:
an edit is rebuilt without looking at the whole output (or the unchanged posts) a second time,
and what was changed by hand in the output is still put right."""

from __future__ import annotations

import os
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from sitegen import incremental, workers
from sitegen.builder import build
from sitegen.cache import FOLDER, BuildCache
from sitegen.errors import BuildError
from tests.conftest import WriteSite, config_for, post
from tests.test_cache import SITE, clean_build, contents, settle


def test_in_two_runs_the_second_half_in_a_copy_and_joins_the_halves_in_order() -> None:
    parent = os.getpid()
    halves = workers.in_two(lambda part: [part, os.getpid()])
    assert halves[0::2] == [0, 1]
    assert halves[1] == parent and halves[3] != parent
    assert workers.in_two(lambda part: [part, os.getpid()], forked=False) == [0, parent, 1, parent]


def test_in_two_does_the_half_of_a_failed_copy_itself() -> None:
    parent = os.getpid()

    def work(part: int) -> list[int]:
        if os.getpid() != parent:
            raise RuntimeError("the copy fails")
        return [part]

    assert workers.in_two(work) == [0, 1]


def looked_at(monkeypatch: pytest.MonkeyPatch, out: Path) -> list[str]:
    """Every path under `out` that os.stat is asked about from now on (relative ones included)."""
    seen: list[str] = []
    real = os.stat

    def stat(path: object, *args: object, **kwargs: object) -> os.stat_result:
        name = os.fsdecode(path)  # type: ignore[arg-type]
        if name.startswith(str(out)) or ("dir_fd" in kwargs and not os.path.isabs(name)):
            seen.append(name)
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "stat", stat)
    return seen


@pytest.mark.parametrize("forked", [False, True])
def test_an_edit_looks_at_each_output_file_once_and_repairs_hand_changes(
        write_site: WriteSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forked: bool) -> None:
    """An edited post, an output file changed by hand, one deleted and one put there: the build
    after the look rewrites the first two, removes the third and renders only what the edit
    reaches; each output file it kept was looked at once."""
    if forked:
        monkeypatch.setattr(incremental, "SPLIT_LOOK_FROM", 0)
    root = write_site(SITE)
    settle(root)
    build(replace(config_for(root), jobs=2))
    out = root / "public"
    files = [p for p in out.rglob("*") if p.is_file() and p.name != ".sitegen"]
    before = {p: p.stat().st_mtime_ns for p in files}
    (root / "content/posts/b.md").write_text(post("Beta", date="2025-01-02", tags="[blue]", body="Edited."))
    (out / "tags/red/index.html").write_text("changed by hand")
    (out / "archive/index.html").unlink()
    (out / "posts/a/notes.txt").write_text("mine")
    seen = looked_at(monkeypatch, out)
    report = build(replace(config_for(root), jobs=2))
    monkeypatch.undo()
    assert contents(out) == clean_build(root, tmp_path)
    assert report.rendered < len(files) - 5  # the edit's pages and the two put right, not all
    kept = [str(p) for p in files if p.exists() and p.stat().st_mtime_ns == before[p]]
    looks = Counter(name if os.path.isabs(name) else str(out / name) for name in seen)
    again = {Path(name).relative_to(out).as_posix() for name in kept if looks[name] > 1}
    assert len(kept) > 15 and min(looks[name] for name in kept) == (0 if forked else 1)  # forked: half
    # the edited post's neighbours only: rendered again, to the bytes they had
    assert again == {"posts/a/index.html", "posts/c/index.html"}, "the output was looked at twice"


def test_an_unchanged_post_is_not_looked_at_again(write_site: WriteSite, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_site(SITE)
    settle(root)
    build(config_for(root))
    (root / "content/posts/c.md").write_text(post("Gamma", date="2025-01-03", tags="[green]", body="New."))
    seen: list[str] = []
    real = os.stat

    def stat(path: object, *args: object, **kwargs: object) -> os.stat_result:
        seen.append(os.fsdecode(path))  # type: ignore[arg-type]
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "stat", stat)
    build(config_for(root))
    monkeypatch.undo()
    a = [name for name in seen if name.endswith("posts/a.md")]
    assert len(a) == 1, a  # by the look; the build then reuses the post without a second stat
    assert "New." in (root / "public/posts/c/index.html").read_text()
    assert contents(root / "public") == clean_build(root, tmp_path)


def test_an_edit_that_keeps_the_sites_shape_hashes_only_the_pages_showing_the_post(
        write_site: WriteSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A text edit leaves every post's place, terms and URL as they were: only the pages whose
    context holds the edited post are hashed, and the output is the clean build's."""
    many = {f"content/posts/p{n}.md": post(f"Post {n}", date=f"2025-02-{n + 1:02d}", tags=f"[t{n % 4}]",
                                            body=f"Body {n}.") for n in range(12)}
    root = write_site({**SITE, **many})
    build(config_for(root))
    hashed = hashed_pages(monkeypatch)
    (root / "content/posts/a.md").write_text(post("Alpha", date="2025-01-01", tags="[red, blue]",
                                                  body="Alpha body, edited."))
    report = build(config_for(root))
    assert report.rendered > 0
    assert "posts/a/index.html" in hashed and "tags/t1/index.html" not in hashed
    assert len(set(hashed)) < report.pages // 2, "every page was hashed"
    assert contents(root / "public") == clean_build(root, tmp_path)
    hashed.clear()
    (root / "content/posts/a.md").write_text(post("Alpha", date="2025-01-09", tags="[red, blue]",
                                                  body="Alpha body, edited."))
    report = build(config_for(root))  # a new date: another shape, every page hashed
    assert len(set(hashed)) == report.pages
    assert contents(root / "public") == clean_build(root, tmp_path)


def hashed_pages(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The pages whose inputs the builds from now on hash, by path."""
    from sitegen.cache import Fingerprints

    hashed: list[str] = []
    real = Fingerprints.of_page
    monkeypatch.setattr(Fingerprints, "of_page", lambda self, page, names, **again:
                        hashed.append(str(page.path)) or real(self, page, names, **again))
    return hashed


def test_a_tag_added_to_a_post_hashes_only_the_pages_it_can_change(
        write_site: WriteSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A post given a tag that other posts have: the tag's pages and feeds, the pages showing the
    post, the lists of terms and the sitemap are hashed, not the pages of the other tags. A tag
    no post had before changes the list of tags: every page is hashed."""
    many = {f"content/posts/p{n}.md": post(f"Post {n}", date=f"2025-02-{n + 1:02d}", tags=f"[t{n % 4}]",
                                            body=f"Body {n}.") for n in range(12)}
    root = write_site({**SITE, **many})
    build(config_for(root))
    hashed = hashed_pages(monkeypatch)
    (root / "content/posts/p0.md").write_text(post("Post 0", date="2025-02-01", tags="[t0, t1]",
                                                   body="Body 0."))
    report = build(config_for(root))
    assert {"posts/p0/index.html", "tags/t1/index.html", "tags/t1/feed.xml", "tags/index.html",
            "sitemap.xml"} <= set(hashed)
    assert "tags/t2/index.html" not in hashed and "posts/p6/index.html" not in hashed
    assert len(set(hashed)) < report.pages // 2, "every page was hashed"
    assert contents(root / "public") == clean_build(root, tmp_path)
    hashed.clear()
    (root / "content/posts/p0.md").write_text(post("Post 0", date="2025-02-01", tags="[t0, t1, new]",
                                                   body="Body 0."))
    report = build(config_for(root))
    assert len(set(hashed)) == report.pages
    assert "/tags/new/" in (root / "public/tags/index.html").read_text()
    assert contents(root / "public") == clean_build(root, tmp_path)


def test_a_tag_added_to_a_post_changes_what_its_feed_and_the_related_posts_of_others_show(
        write_site: WriteSite, tmp_path: Path) -> None:
    """The post joins the newest of its new tag's feed (whose other posts did not change), and
    becomes a related post of a post that is not beside it, whose own file did not change."""
    posts = {"content/posts/a.md": post("Alpha", date="2025-01-01", tags="[x]"),
             "content/posts/b.md": post("Beta", date="2025-01-02", tags="[y]"),
             "content/posts/d.md": post("Delta", date="2025-01-03", tags="[x]"),
             "content/posts/e.md": post("Epsilon", date="2025-01-04", tags="[x]"),
             "content/posts/c.md": post("Gamma", date="2025-01-05", tags="[z]"),
             "sitegen.yaml": SITE["sitegen.yaml"] + "feed_limit: 2\n"}
    root = write_site(posts)
    build(config_for(root))
    assert "Gamma" not in (root / "public/posts/b/index.html").read_text()
    (root / "content/posts/c.md").write_text(post("Gamma", date="2025-01-05", tags="[z, y, x]"))
    build(config_for(root))
    assert "Gamma" in (root / "public/tags/x/feed.xml").read_text()
    assert "Gamma" in (root / "public/posts/b/index.html").read_text()
    assert contents(root / "public") == clean_build(root, tmp_path)


def test_a_tag_that_reaches_its_least_number_of_posts_gets_its_page_and_links(
        write_site: WriteSite, tmp_path: Path) -> None:
    """With min_posts: 2, a tag's second post gives it a page: the sitemap lists it, and the
    first post, whose file did not change, links to it."""
    posts = {"content/posts/a.md": post("Alpha", date="2025-01-01", tags="[rare, x]"),
             "content/posts/b.md": post("Beta", date="2025-01-02", tags="[x]"),
             "content/posts/c.md": post("Gamma", date="2025-01-03", tags="[x]"),
             "sitegen.yaml": SITE["sitegen.yaml"] + "tags: {min_posts: 2}\n"}
    root = write_site(posts)
    build(config_for(root))
    assert not (root / "public/tags/rare").exists()
    (root / "content/posts/c.md").write_text(post("Gamma", date="2025-01-03", tags="[x, rare]"))
    build(config_for(root))
    assert "/tags/rare/" in (root / "public/sitemap.xml").read_text()
    assert 'href="/tags/rare/"' in (root / "public/posts/a/index.html").read_text()
    assert contents(root / "public") == clean_build(root, tmp_path)


@pytest.mark.parametrize("key", ["tags", "categories"])
def test_a_term_only_pages_have_is_renamed_on_the_pages_whose_files_did_not_change(
        write_site: WriteSite, tmp_path: Path, key: str) -> None:
    """A tag (or a category) that no post has is named after the most written of the pages'
    spellings: a third page written another way renames it on the two pages that did not change.
    The site's template for pages shows their terms and reads nothing of `site`."""
    def page(title: str, term: str) -> str:
        return f"---\ntitle: {title}\n{key}: [{term}]\n---\n{title}.\n"

    root = write_site({"content/posts/p.md": post("Post", date="2025-01-01", tags="[other]"),
                       "content/pages/a.md": page("A", "meta"), "content/pages/b.md": page("B", "META"),
                       "content/pages/c.md": page("C", "META"),
                       "templates/page.html": "{{ post.title }}:{% for term in post.tags + post.categories %}"
                                              " {{ term.name }}{% endfor %}\n",
                       "sitegen.yaml": SITE["sitegen.yaml"]})
    build(config_for(root))
    assert (root / "public/a/index.html").read_text().strip() == "A: META"
    (root / "content/pages/c.md").write_text(page("C", "meta"))  # two "meta", one "META"
    build(config_for(root))
    assert (root / "public/a/index.html").read_text().strip() == "A: meta"
    assert contents(root / "public") == clean_build(root, tmp_path)


def test_a_tag_respelled_in_two_posts_is_renamed_on_the_pages_of_the_others(
        write_site: WriteSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A tag is shown under its most written spelling: two of its three posts written "T0"
    rename it on the page of the third, whose file did not change, and on the list of tags;
    the pages of the other tags are not hashed."""
    many = {f"content/posts/p{n}.md": post(f"Post {n}", date=f"2025-02-{n + 1:02d}", tags=f"[t{n % 4}]",
                                            body=f"Body {n}.") for n in range(12)}
    root = write_site({**SITE, **many})
    build(config_for(root))
    hashed = hashed_pages(monkeypatch)
    for n in (4, 8):
        (root / f"content/posts/p{n}.md").write_text(post(f"Post {n}", date=f"2025-02-{n + 1:02d}",
                                                          tags="[T0]", body=f"Body {n}."))
    report = build(config_for(root))
    assert 'rel="tag">T0</a>' in (root / "public/posts/p0/index.html").read_text()
    assert ">T0</a>" in (root / "public/tags/index.html").read_text()
    assert "tags/t2/index.html" not in hashed and len(set(hashed)) < report.pages
    assert contents(root / "public") == clean_build(root, tmp_path)


def test_a_category_taken_below_its_least_number_of_posts_loses_its_page_and_links(
        write_site: WriteSite, tmp_path: Path) -> None:
    """With min_posts: 2, a category left with one post loses its page and its feed: the other
    post, whose file did not change, shows it as plain text, and the sitemap leaves it out."""
    posts = {"content/posts/a.md": post("Alpha", date="2025-01-01", categories="[News]"),
             "content/posts/b.md": post("Beta", date="2025-01-02", categories="[News]"),
             "content/posts/c.md": post("Gamma", date="2025-01-03", categories="[Other]"),
             "content/posts/d.md": post("Delta", date="2025-01-04", categories="[Other]"),
             "sitegen.yaml": SITE["sitegen.yaml"] + "categories: {min_posts: 2}\n"}
    root = write_site(posts)
    build(config_for(root))
    assert 'href="/categories/news/"' in (root / "public/posts/a/index.html").read_text()
    (root / "content/posts/b.md").write_text(post("Beta", date="2025-01-02", categories="[Other]"))
    build(config_for(root))
    assert not (root / "public/categories/news").exists()
    assert "/categories/news/" not in (root / "public/sitemap.xml").read_text()
    assert "<span>News</span>" in (root / "public/posts/a/index.html").read_text()
    assert contents(root / "public") == clean_build(root, tmp_path)


def test_a_child_tag_given_to_a_post_changes_its_parents_page(
        write_site: WriteSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With tags: {hierarchy: true}, a post given "ai/ml" (which two posts have) joins the page
    of "ai" and raises the number its page and the list of tags show beside "ml"; the pages of
    the tags it did not get are not hashed."""
    many = {f"content/posts/p{n}.md": post(f"Post {n}", date=f"2025-02-{n + 1:02d}",
                                            tags=f"[t{n % 4}, ai/{'ml' if n % 3 else 'llm'}]" if n > 5 else
                                            f"[t{n % 4}]", body=f"Body {n}.") for n in range(12)}
    root = write_site({**many, "sitegen.yaml": SITE["sitegen.yaml"] + "tags: {hierarchy: true}\n"})
    build(config_for(root))
    assert 'title="ai/ml">ml</a> (4)' in (root / "public/tags/ai/index.html").read_text()
    hashed = hashed_pages(monkeypatch)
    (root / "content/posts/p0.md").write_text(post("Post 0", date="2025-02-01", tags="[t0, ai/ml]",
                                                   body="Body 0."))
    report = build(config_for(root))
    assert 'title="ai/ml">ml</a> (5)' in (root / "public/tags/ai/index.html").read_text()
    assert "5 posts" in (root / "public/tags/index.html").read_text()
    assert "tags/t2/index.html" not in hashed and len(set(hashed)) < report.pages
    assert contents(root / "public") == clean_build(root, tmp_path)


@pytest.mark.parametrize("in_memory", [False, True])
def test_a_post_given_one_tag_and_losing_another_moves_the_related_posts_of_both(
        write_site: WriteSite, tmp_path: Path, in_memory: bool) -> None:
    """One edit takes "y" from a post and gives it "x": it leaves the related posts of the post
    that shares "y" and joins those of one that has "x", neither of whose files changed; with the
    cache on disk, and kept in memory (sitegen serve) across a build that failed on the way."""
    posts = {"content/posts/a.md": post("Alpha", date="2025-01-01", tags="[x, w]"),
             "content/posts/b.md": post("Beta", date="2025-01-02", tags="[y, w]"),
             "content/posts/c.md": post("Gamma", date="2025-01-03", tags="[y, v]"),
             "content/posts/d.md": post("Delta", date="2025-01-04", tags="[v]"),
             "content/posts/e.md": post("Epsilon", date="2025-01-05", tags="[x]"),
             "sitegen.yaml": SITE["sitegen.yaml"] + "tags: {related: 1}\n"}
    root = write_site(posts)
    store: BuildCache | None = None

    def rebuild() -> None:
        nonlocal store
        config = config_for(root)
        store = BuildCache.follow(store, config) if in_memory else None
        build(config, store=store)

    rebuild()

    def related(name: str) -> str:
        return (root / f"public/posts/{name}/index.html").read_text().split('class="related"')[1] \
            .split("</section>")[0]

    assert "Gamma" in related("b") and "Alpha" in related("e")
    (root / "content/posts/c.md").write_text(post("Gamma", date="2025-01-03", tags="[x, v]"))
    if in_memory:  # the build fails after finding the related posts: the next compares with the first
        (root / "content/posts/broken.md").write_text("---\ntitle: [unclosed\n---\n")
        with pytest.raises(BuildError):
            rebuild()
        (root / "content/posts/broken.md").unlink()
    rebuild()
    assert "Gamma" not in related("b") and "Gamma" in related("e")
    assert contents(root / "public") == clean_build(root, tmp_path)


def test_a_tag_with_an_old_slug_that_gets_a_second_page_gets_its_redirect_too(
        write_site: WriteSite, tmp_path: Path) -> None:
    """Each page of a tag with an old slug (tags.yaml) has a redirect page at the old URL: a
    post given the tag adds a page, and its redirect; taken away again, both go."""
    posts = {"content/posts/a.md": post("Alpha", date="2025-01-01", tags="[foo]"),
             "content/posts/b.md": post("Beta", date="2025-01-02", tags="[foo]"),
             "content/posts/c.md": post("Gamma", date="2025-01-03", tags="[bar]"),
             "tags.yaml": "foo: {old_slugs: [old-foo]}\n",
             "sitegen.yaml": SITE["sitegen.yaml"]}  # two posts a page
    root = write_site(posts)
    build(config_for(root))
    assert not (root / "public/tags/old-foo/page/2").exists()
    (root / "content/posts/c.md").write_text(post("Gamma", date="2025-01-03", tags="[bar, foo]"))
    build(config_for(root))
    assert "/tags/foo/page/2/" in (root / "public/tags/old-foo/page/2/index.html").read_text()
    assert contents(root / "public") == clean_build(root, tmp_path)
    (root / "content/posts/c.md").write_text(post("Gamma", date="2025-01-03", tags="[bar]"))
    build(config_for(root))
    assert not (root / "public/tags/old-foo/page/2").exists()
    assert contents(root / "public") == clean_build(root, tmp_path)


def test_a_rebuild_writes_only_the_records_it_changed_beside_the_others(
        write_site: WriteSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The records (posts, page keys) are written whole once; a rebuild that changes a few of
    them writes those alone (.delta), until they outweigh DELTA_SHARE of the records."""
    from sitegen.cache import FOLDER, index

    many = {f"content/posts/p{n}.md": post(f"Post {n}", date=f"2025-02-{n + 1:02d}", tags=f"[t{n % 4}]",
                                            body=f"Body {n}.") for n in range(12)}
    monkeypatch.setattr(index, "DELTA_SHARE", 0.6)  # a small site: an edit changes a third of it
    root = write_site({**SITE, **many})
    build(config_for(root))
    records = next((root / FOLDER).glob("*.records"))
    whole = records.read_bytes()
    for number in range(3):
        (root / "content/posts/p3.md").write_text(post("Post 3", date="2025-02-04", tags="[t3]",
                                                       body=f"Edited {number}."))
        build(config_for(root))
        assert records.read_bytes() == whole and records.with_suffix(".delta").is_file()
        assert contents(root / "public") == clean_build(root, tmp_path)
    (root / "content/posts/p5.md").unlink()  # a record gone
    build(config_for(root))
    assert contents(root / "public") == clean_build(root, tmp_path)
    monkeypatch.setattr(index, "DELTA_SHARE", 0.0)  # any change now outweighs it: written whole
    (root / "content/posts/p3.md").write_text(post("Post 3", date="2025-02-04", tags="[t3]", body="Last."))
    build(config_for(root))
    assert records.read_bytes() != whole and not records.with_suffix(".delta").exists()
    assert contents(root / "public") == clean_build(root, tmp_path)


def test_damaged_changes_beside_the_records_start_the_build_over(
        write_site: WriteSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sitegen.cache import FOLDER, index

    monkeypatch.setattr(index, "DELTA_SHARE", 1.0)  # a small site: any change written alone
    root = write_site(SITE)
    build(config_for(root))
    (root / "content/posts/a.md").write_text(post("Alpha", date="2025-01-01", body="Changed."))
    build(config_for(root))
    delta = next((root / FOLDER).glob("*.delta"))
    delta.write_bytes(delta.read_bytes()[:-20])
    (root / "content/posts/c.md").write_text(post("Gamma", date="2025-01-03", body="Edited."))
    report = build(config_for(root))
    assert any("ignoring the build cache" in w.message for w in report.warnings)
    assert contents(root / "public") == clean_build(root, tmp_path)
    assert build(config_for(root)).warnings == ()


def test_a_page_whose_key_stands_keeps_the_posts_it_shows_without_looking_again(
        write_site: WriteSite, monkeypatch: pytest.MonkeyPatch) -> None:
    """A tag added to a post: the posts and terms a page shows are looked for again only in the
    pages rendered; those hashed and found unchanged keep the ones of their record."""
    from sitegen.cache import Fingerprints

    root = write_site(SITE)
    build(config_for(root))
    looked: list[str] = []
    real = Fingerprints.shown
    monkeypatch.setattr(Fingerprints, "shown", lambda self, page: looked.append(str(page.path))
                        or real(self, page))
    (root / "content/posts/c.md").write_text(post("Gamma", date="2025-01-03", tags="[green, red]",
                                                  body="Gamma body."))
    report = build(config_for(root))
    assert 0 < report.rendered < report.pages
    assert len(looked) == report.rendered


def test_a_signal_held_during_the_fork_ends_the_copy_not_the_callers_code(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Ctrl-C that arrives while the fork is made is delivered in the copy once it unblocks
    signals: the copy must end there, never return into the code that called in_two."""
    import signal

    parent, escaped = os.getpid(), tmp_path / "escaped"
    real_fork = os.fork

    def fork() -> int:
        pid = real_fork()
        if pid == 0:
            os.kill(os.getpid(), signal.SIGINT)  # held by in_two until the copy lets it through
        return pid

    monkeypatch.setattr(os, "fork", fork)
    try:
        halves = workers.in_two(lambda part: [part])
    except KeyboardInterrupt:
        if os.getpid() != parent:
            escaped.write_text("the copy ran the caller's except")
            os._exit(0)
        raise
    if os.getpid() != parent:
        escaped.write_text("the copy returned into the caller")
        os._exit(0)
    assert halves == [0, 1] and not escaped.exists()


def test_an_offset_only_date_change_reaches_the_sitemap_and_feeds(write_site: WriteSite,
                                                                   tmp_path: Path) -> None:
    """The same instant with another offset: the site keeps its shape only if the shape holds
    the dates as written, since the sitemap and the feeds show each page's last change."""
    root = write_site({**SITE, "content/posts/b.md": post("Beta", date="2025-01-02T10:00:00+02:00",
                                                          tags="[blue]", body="Beta body.")})
    build(config_for(root))
    (root / "content/posts/b.md").write_text(post("Beta", date="2025-01-02T08:00:00+00:00", tags="[blue]",
                                                  body="Beta body."))
    build(config_for(root))
    assert contents(root / "public") == clean_build(root, tmp_path)


def test_the_records_read_back_with_their_changes_are_the_ones_written(
        write_site: WriteSite, monkeypatch: pytest.MonkeyPatch) -> None:
    """Related posts computed again and a post deleted, both written as changes: the cache read
    back holds them, so the next build starts from this one."""
    from sitegen.cache import BuildCache, index

    monkeypatch.setattr(index, "DELTA_SHARE", 10.0)  # every change written alone
    root = write_site(SITE)
    build(config_for(root))
    (root / "content/posts/c.md").write_text(post("Gamma", date="2025-01-03", tags="[green, red]",
                                                  body="Gamma body."))
    build(config_for(root))
    (root / "content/posts/b.md").unlink()
    build(config_for(root))
    assert next((root / FOLDER).glob("*.delta")).is_file()
    store = BuildCache.load(config_for(root))
    assert store.related["tags"] == [["green", "red"], ["blue", "red"]]  # Gamma, Alpha: newest first
    assert len(store.related["posts"]) == 2 and "content/posts/b.md" not in store.files
    assert "posts/b/index.html" not in store.pages


def test_a_template_change_looks_at_the_output_once_too(write_site: WriteSite, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Templates changed: not a rebuild with nothing changed, but what the look saw of the
    output still holds for the build after it."""
    root = write_site(SITE)
    settle(root)
    build(config_for(root))
    out = root / "public"
    files = [p for p in out.rglob("*") if p.is_file() and p.name != ".sitegen"]
    before = {p: p.stat().st_mtime_ns for p in files}
    (root / "templates").mkdir()
    (root / "templates/page.html").write_text(
        '{% extends "theme/page.html" %}{% block footer %}x{% endblock %}')
    seen = looked_at(monkeypatch, out)
    build(config_for(root))
    monkeypatch.undo()
    assert contents(out) == clean_build(root, tmp_path)
    kept = [str(p) for p in files if p.stat().st_mtime_ns == before[p]]
    looks = Counter(name if os.path.isabs(name) else str(out / name) for name in seen)
    assert len(kept) > 15 and {looks[name] for name in kept} == {1}


def test_a_file_saved_without_a_change_reads_no_other_post_and_renders_nothing(
        write_site: WriteSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A new time, the same bytes (a save, a checkout): the no-change check reads that file,
    finds the bytes the last build read, records its new time and stops there; the next build
    does not read it again. A change of the same size is still seen."""
    from sitegen.incremental import Incremental

    root = write_site(SITE)
    settle(root)
    first = build(config_for(root))
    path = root / "content/posts/b.md"
    os.utime(path, ns=(1_700_000_100_000_000_000, 1_700_000_100_000_000_000))

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the posts were read")

    with monkeypatch.context() as patch:
        patch.setattr(Incremental, "read_posts", refuse)
        report = build(config_for(root))
        assert (report.rendered, report.changed, report.pages) == (0, 0, first.pages)
        opened: list[str] = []
        real_open = open
        patch.setattr("builtins.open",
                      lambda name, *a, **k: opened.append(str(name)) or real_open(name, *a, **k))
        build(config_for(root))
        assert not [name for name in opened if name.endswith("b.md")], "the file was read again"
    path.write_text(path.read_text().replace("Beta body.", "Beta bodY."))  # the same size
    os.utime(path, ns=(1_700_000_200_000_000_000, 1_700_000_200_000_000_000))
    build(config_for(root))
    assert "Beta bodY." in (root / "public/posts/b/index.html").read_text()
    assert contents(root / "public") == clean_build(root, tmp_path)


def age_folders(root: Path, ns: int = 1_700_000_000_000_000_000) -> None:
    for path in [root / "content", *(root / "content").rglob("*")]:
        if path.is_dir():
            os.utime(path, ns=(ns, ns))


def test_content_is_listed_again_only_when_one_of_its_folders_changed(
        write_site: WriteSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing changed, or a post edited: the last build's listing of content/ holds (no folder
    has a new time) and content/ is not walked. A post added gives its folder a new time: the
    listing is made again and the post is built."""
    root = write_site(SITE)
    settle(root)
    age_folders(root)
    build(config_for(root))
    walks: list[object] = []
    real = incremental.list_content
    monkeypatch.setattr(incremental, "list_content", lambda *a: walks.append(a) or real(*a))
    build(config_for(root))
    path = root / "content/posts/b.md"
    path.write_text(path.read_text().replace("Beta body.", "Beta edited."))
    build(config_for(root))
    assert "Beta edited." in (root / "public/posts/b/index.html").read_text()
    assert walks == []
    (root / "content/posts/new.md").write_text(post("Delta", date="2025-01-05"))
    build(config_for(root))
    assert len(walks) == 1 and (root / "public/posts/new/index.html").is_file()
    monkeypatch.undo()
    assert contents(root / "public") == clean_build(root, tmp_path)


def test_a_folder_whose_time_is_too_recent_to_trust_is_listed_again(
        write_site: WriteSite, monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder changed as the last build listed it may show the time it had then: one whose
    time is not well before that build began is listed again, and the listing kept anew."""
    root = write_site(SITE)
    settle(root)
    age_folders(root)
    os.utime(root / "content/posts", ns=(time.time_ns() + 10**12,) * 2)  # never before a build
    build(config_for(root))
    walks: list[object] = []
    real = incremental.list_content
    monkeypatch.setattr(incremental, "list_content", lambda *a: walks.append(a) or real(*a))
    report = build(config_for(root))
    assert len(walks) == 1 and (report.rendered, report.changed) == (0, 0)


def test_a_listing_that_folder_times_cannot_vouch_for_is_made_each_time(
        write_site: WriteSite, tmp_path: Path) -> None:
    """content/ missing at the last build, then made; a linked post whose target goes away or
    moves outside the site; a folder whose name is not UTF-8: each is found as a clean build
    finds it, though no folder the last build listed has a new time."""
    old = 1_700_000_000_000_000_000
    root = write_site({k: v for k, v in SITE.items() if not k.startswith("content/")})
    build(config_for(root))
    (root / "content/posts").mkdir(parents=True)
    (root / "content/posts/a.md").write_text(post("Alpha"))
    settle(root)
    age_folders(root)
    build(config_for(root))
    assert (root / "public/posts/a/index.html").is_file()

    (root / "real").mkdir()
    (root / "real/x.md").write_text(post("Inside", date="2025-01-09"))
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside/x.md").write_text(post("Outside", date="2025-01-09"))
    (root / "shared").symlink_to("real")
    (root / "content/posts/x.md").symlink_to("../../shared/x.md")
    settle(root)
    age_folders(root, old + 10**9)  # a time other than the one the last build saw
    build(config_for(root))
    assert "Inside" in (root / "public/posts/x/index.html").read_text()
    (root / "shared").unlink()
    (root / "shared").symlink_to(tmp_path / "outside")
    with pytest.raises(BuildError, match="outside the site folder"):
        build(config_for(root))
    (root / "shared").unlink()
    report = build(config_for(root))
    assert [w.message for w in report.warnings if "broken link" in w.message]

    (root / "content/posts/x.md").unlink()
    odd = os.path.join(os.fsencode(root / "content/posts"), b"\xff")
    os.mkdir(odd)
    with open(os.path.join(odd, b"notes.txt"), "wb") as file:
        file.write(b"not a post")
    build(config_for(root))
    build(config_for(root))
    assert contents(root / "public") == clean_build(root, tmp_path / "clean")


@pytest.mark.parametrize("damage", [{"folders": [["content", 1, 2]]}, {"folders": 7}, {"bundles": None},
                                    {"translations": [3]}])
def test_a_kept_listing_of_another_shape_is_made_again(
        write_site: WriteSite, tmp_path: Path, damage: dict[str, object]) -> None:
    """A listing in the index that is not of the shape sitegen writes (a damaged or edited
    index) is ignored: content/ is listed again, as the clean build lists it."""
    import json

    root = write_site(SITE)
    settle(root)
    age_folders(root)
    build(config_for(root))
    (index,) = (root / FOLDER).glob("*.json")
    head = json.loads(index.read_text())
    head["inputs"]["listing"].update(damage)
    index.write_text(json.dumps(head))
    build(config_for(root))
    assert contents(root / "public") == clean_build(root, tmp_path)


def test_a_rebuild_looks_for_pages_claiming_one_path_only_when_the_paths_moved(
        write_site: WriteSite, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages at the paths of the last build, which had none claimed twice, are not looked over
    again; a post that takes another's path is still refused, the output left as it was."""
    from sitegen import pages

    root = write_site(SITE)
    settle(root)
    build(config_for(root))
    looks: list[int] = []
    real = pages.find_collisions
    monkeypatch.setattr(pages, "find_collisions", lambda planned: looks.append(len(planned)) or real(planned))
    (root / "content/posts/b.md").write_text(post("Beta", date="2025-01-02", tags="[blue]", body="Edited."))
    build(config_for(root))
    assert looks == []
    before = contents(root / "public")
    (root / "content/posts/2024").mkdir()
    (root / "content/posts/2024/b.md").write_text(post("Other Beta", date="2025-01-04"))
    with pytest.raises(BuildError) as caught:
        build(config_for(root))
    assert len(looks) == 1
    assert "content/posts/2024/b.md" in caught.value.errors[0].message
    assert contents(root / "public") == before


def test_a_new_pages_folder_is_watched_for_files_put_there_by_hand(write_site: WriteSite,
                                                                  tmp_path: Path) -> None:
    """The folders a rebuild notes are those of its own pages: a post added gets its folder
    noted, and a file put in it afterwards is taken away by the next build."""
    root = write_site(SITE)
    settle(root)
    build(config_for(root))
    (root / "content/posts/d.md").write_text(post("Delta", date="2025-01-04", tags="[red]", body="New."))
    build(config_for(root))
    (root / "content/posts/b.md").write_text(post("Beta", date="2025-01-02", tags="[blue]", body="Edited."))
    build(config_for(root))  # the same pages: the folders noted before are noted again
    (root / "public/posts/d/notes.txt").write_text("mine")
    build(config_for(root))
    assert not (root / "public/posts/d/notes.txt").exists()
    assert contents(root / "public") == clean_build(root, tmp_path)
