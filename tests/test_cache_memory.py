"""What the build cache holds in memory while a build runs, and what it writes from it: each
thing once, and the records on disk as the posts were parsed."""

from __future__ import annotations

import glob
from pathlib import Path, PurePosixPath

import orjson

from sitegen.builder import build
from sitegen.cache import FOLDER, BuildCache
from sitegen.cache.codec import dumped, dumps, encode_post
from sitegen.cache.keys import digest
from sitegen.incremental import Incremental
from sitegen.parser import parse_file
from tests.conftest import WriteSite, config_for, post

SITE = {
    "content/posts/a.md": post("Alpha", date="2025-01-01", tags="[red, blue]", body="Alpha [b](b.md)."),
    "content/posts/b.md": post("Beta", date="2025-01-02", tags="[blue]", body="Beta body."),
    "content/pages/about.md": "---\ntitle: About\nextra_field: {when: 2025-01-01}\n---\nAbout us.\n",
    "sitegen.yaml": "base_url: https://user.github.io/\n",
}


def test_a_new_record_holds_the_post_the_build_reads_not_a_copy(write_site: WriteSite) -> None:
    root = write_site(SITE)
    config = config_for(root)
    store = BuildCache.load(config)
    posts, _ = Incremental(config, store).read_posts()
    alpha = next(p for p in posts if p.title == "Alpha")
    assert store.sources()["content/posts/a.md"]
    assert store._new_files["content/posts/a.md"]["post"] is alpha


def test_the_records_written_hold_each_post_as_the_parser_made_it(write_site: WriteSite) -> None:
    root = write_site(SITE)
    config = config_for(root)
    build(config)
    records = orjson.loads(Path(glob.glob(str(root / FOLDER / "*.records"))[0]).read_bytes())
    for name in ("content/posts/a.md", "content/posts/b.md", "content/pages/about.md"):
        parsed, _ = parse_file(PurePosixPath(name), (root / name).read_bytes(), config)
        assert parsed is not None
        assert records["files"][name]["post"] == orjson.loads(orjson.dumps(encode_post(parsed)))


def test_the_records_are_written_in_pieces_that_make_the_same_json() -> None:
    records = {"token": "t", "files": {f"f{i}": {"n": i, "post": None} for i in range(7)},
               "pages": {}, "related": {"order": "x", "posts": [[1, 2]]}, "shape": {"a": [1]}}
    whole = dumps(records)
    for per in (1, 2, 3, 7, 8):
        pieces = list(dumped(records, per))
        assert b"".join(pieces) == whole
        assert max(map(len, pieces)) < len(dumps(records["files"])) or per >= 7


def test_a_written_cache_reads_back_as_it_was_kept(write_site: WriteSite) -> None:
    root = write_site(SITE)
    config = config_for(root)
    build(config)
    store = BuildCache.load(config)
    kept = {name: dict(record) for name, record in store.files.items()}
    assert {name: record["digest"] for name, record in kept.items()} == \
        {name: digest((root / name).read_bytes()) for name in kept}
    assert len(store.pages) > 3 and all("out" in record for record in store.pages.values())


def test_posts_whose_front_matter_keys_are_on_the_same_lines_share_their_mapping(
        write_site: WriteSite) -> None:
    """Parsed now or read back from the records, two posts with the same front-matter layout
    hold one mapping of its keys to their lines, not a copy each."""
    root = write_site({**SITE, "content/posts/c.md": post("Gamma", date="2025-01-03", tags="[red]")})
    config = config_for(root)
    for _ in ("parsed", "read back"):
        posts, _ = Incremental(config, BuildCache.load(config)).read_posts()
        by_title = {p.title: p for p in posts}
        assert by_title["Beta"].key_lines == {"title": 2, "date": 3, "tags": 4}
        assert by_title["Beta"].key_lines is by_title["Gamma"].key_lines
        assert by_title["About"].key_lines is not by_title["Beta"].key_lines
        build(config)


def test_a_post_whose_front_matter_json_cannot_hold_stays_out_of_the_records(write_site: WriteSite) -> None:
    """Its value (a YAML set) is found as the post is parsed: the records are written without it,
    and the next build parses it again."""
    odd = "---\ntitle: Gamma\ndate: 2025-01-03\nodd: !!set {a, b}\n---\nC.\n"
    root = write_site({**SITE, "content/posts/c.md": odd})
    config = config_for(root)
    build(config)
    (records,) = glob.glob(str(root / FOLDER / "*.records"))
    files = orjson.loads(Path(records).read_bytes())["files"]
    assert "content/posts/c.md" not in files and "content/posts/b.md" in files
    (root / "content/posts/b.md").write_text(post("Beta", date="2025-01-02", tags="[blue]", body="Edited."))
    build(config)
    assert "Gamma" in (root / "public/index.html").read_text()


LINKED = {
    "content/posts/a.md": post("Alpha", date="2025-01-01", tags="[red]",
                               body="See [b](b.md#part), [away](https://example.org/x),\n"
                                    "[gone](/posts/nowhere/) and ![pic](/img/p.png)."),
    "content/posts/b.md": post("Beta", date="2025-01-02", tags="[red]", body="Beta body."),
    "sitegen.yaml": "base_url: https://user.github.io/\n",
}


def test_a_kept_post_holds_only_the_links_a_build_reads(write_site: WriteSite) -> None:
    """Links to other posts' files are all a build reads of a post's links (they become URLs):
    the others are neither held through the build nor written to the records."""
    root = write_site(LINKED)
    config = config_for(root)
    parsed, _ = parse_file(PurePosixPath("content/posts/a.md"), (root / "content/posts/a.md").read_bytes(),
                           config)
    assert parsed is not None and len(parsed.links) == 4  # as the parser finds them: every one
    for _ in ("parsed", "read back"):
        store = BuildCache.load(config)
        posts, _ = Incremental(config, store).read_posts()
        alpha = next(p for p in posts if p.title == "Alpha")
        assert alpha.links == (("b.md#part", parsed.links[0][1]),)
        build(config)
    records = orjson.loads(Path(glob.glob(str(root / FOLDER / "*.records"))[0]).read_bytes())
    assert records["files"]["content/posts/a.md"]["post"]["links"] == [["b.md#part", parsed.links[0][1]]]
    assert (root / "public/posts/a/index.html").read_text().count('href="/posts/b/#part"') == 1


def test_check_finds_broken_links_after_a_build_kept_none_of_them(write_site: WriteSite) -> None:
    from sitegen.builder import check

    root = write_site(LINKED)
    config = config_for(root)
    build(config)
    errors, _ = check(config)
    assert [(e.path, e.line) for e in errors if "/posts/nowhere/" in e.message] == [("content/posts/a.md", 8)]
