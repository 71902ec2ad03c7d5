"""Authors: a third taxonomy made by the tags' machinery, with pages only when posts have two
authors or more. Front matter (`author:`, `authors:`, else the site's author), authors.yaml, the
pages, their feeds and index, the names linked from each post."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sitegen.builder import build
from sitegen.errors import BuildError
from tests import feed_support
from tests.conftest import WriteSite, config_for, post
from tests.test_parser import parse

BASE = "https://example.org/blog/"


@pytest.mark.parametrize(("keys", "names", "places"), [
    ({"author": "Ann  Example"}, ("Ann Example",), ((4, 9),)),
    ({"authors": "[Ann, Bob]"}, ("Ann", "Bob"), ((4, 11), (4, 16))),
    ({"author": "{name: Ann}"}, ("Ann",), ((4, 9),)),
    ({}, (), ()),
])
def test_author_names_are_kept_each_with_its_place(keys: dict[str, str], names: tuple[str, ...],
                                                   places: tuple[tuple[int, int], ...]) -> None:
    result, problems = parse(post(**keys))
    assert problems.errors == [] and result is not None
    assert (result.author_names, result.author_places) == (names, places)
    assert result.author == ", ".join(names)


def test_a_post_without_an_author_is_the_site_authors() -> None:
    result, _ = parse(post("A"), author="Zoë")
    assert result is not None and result.author_names == ("Zoë",) and result.author == "Zoë"


SITE = {
    "sitegen.yaml": f"title: Team\nbase_url: {BASE}\nauthor: Ann Example\nposts_per_page: 2\n",
    "authors.yaml": "Bob Writer:\n  slug: bob\n  bio: Writes *about* [trips](/posts/b1/).\n"
                    "  links: [https://social.example.net/@bob, 'mailto:bob@example.net']\n",
    "content/posts/a1.md": post("Ann one", "2025-01-01"),
    "content/posts/a2.md": post("Ann two", "2025-01-02", author="Ann Example"),
    "content/posts/a3.md": post("Ann three", "2025-01-03"),
    "content/posts/b1.md": post("Bob one", "2025-01-04", author="bob writer"),
    "content/posts/both.md": post("Both", "2025-01-05", authors="[Bob Writer, Ann Example]"),
    "content/pages/about.md": "---\ntitle: About\n---\nUs.\n",
}


def test_each_author_has_a_paginated_page_feeds_and_the_index_lists_them(write_site: WriteSite,
                                                                         tmp_path: Path) -> None:
    root = write_site(SITE)
    out = tmp_path / "out"
    build(config_for(root, output_dir=out))
    ann = (out / "authors/ann-example/index.html").read_text("utf-8")
    assert "<h1 class=\"page-title\">Posts by Ann Example</h1>" in ann
    assert re.findall(r'<h2><a href="[^"]+">([^<]+)</a></h2>', ann) == ["Both", "Ann three"]
    second = (out / "authors/ann-example/page/2/index.html").read_text("utf-8")
    assert re.findall(r'<h2><a href="[^"]+">([^<]+)</a></h2>', second) == ["Ann two", "Ann one"]
    bob = (out / "authors/bob/index.html").read_text("utf-8")
    assert 'Writes <em>about</em> <a href="/blog/posts/b1/">trips</a>' in bob
    assert '<a href="https://social.example.net/@bob" rel="me">' in bob
    assert 'href="mailto:bob@example.net"' in bob
    index = (out / "authors/index.html").read_text("utf-8")
    listed = re.findall(r'authors/([^"]+)">([^<]+)</a> <span class="count">(\d+) posts?', index)
    assert listed == [("ann-example/", "Ann Example", "4"), ("bob/", "Bob Writer", "2")]
    for folder, titles in (("authors/ann-example/", ["Both", "Ann three", "Ann two", "Ann one"]),
                           ("authors/bob/", ["Both", "Bob one"])):
        found = feed_support.entries(out / folder, BASE)
        for name, items in found.items():
            assert [title for _, title, _, _ in items] == titles, (folder, name)
    both = (out / "posts/both/index.html").read_text("utf-8")
    assert 'by <a href="/blog/authors/bob/" rel="author">Bob Writer</a>, ' \
           '<a href="/blog/authors/ann-example/" rel="author">Ann Example</a> · ' in both
    assert not (out / "about/index.html").read_text("utf-8").count('rel="author"')


def test_a_site_of_one_author_has_no_author_pages(write_site: WriteSite, tmp_path: Path) -> None:
    root = write_site({"sitegen.yaml": f"base_url: {BASE}\nauthor: '???'\n",  # no page, so no slug needed
                       "content/posts/a.md": post("A"), "content/posts/b.md": post("B", author='"???"')})
    out = tmp_path / "out"
    report = build(config_for(root, output_dir=out))
    assert not (out / "authors").exists()
    assert not any("author" in page for page in report.kinds)
    assert 'rel="author"' not in (out / "posts/a/index.html").read_text("utf-8")
    assert not [w for w in report.warnings if "author" in w.message]


def test_an_author_name_without_letters_is_an_error_once_authors_have_pages(write_site: WriteSite) -> None:
    root = write_site({"sitegen.yaml": "author: Ann\n", "content/posts/a.md": post("A"),
                       "content/posts/b.md": post("B", author='"???"')})
    with pytest.raises(BuildError) as raised:
        build(config_for(root, output_dir=root / "public"))
    (error,) = raised.value.errors
    assert str(error).startswith("content/posts/b.md:4:9: error: author '???' has no letters or digits")
    assert "authors.yaml" in str(error)


@pytest.mark.parametrize(("text", "message"), [
    ("Ann:\n  bios: x\n", "authors.yaml:2:3: error: unknown key 'bios' for author 'Ann'"),
    ("Ann:\n  links: [social.example]\n",
     "authors.yaml:2:3: error: links of 'Ann' must be a list of addresses"),
    ("Ann:\n  bio: [x]\n", "authors.yaml:2:3: error: bio of 'Ann' must be text"),
])
def test_authors_yaml_problems_are_located(write_site: WriteSite, text: str, message: str) -> None:
    root = write_site({"authors.yaml": text})
    with pytest.raises(BuildError) as raised:
        config_for(root)
    (error,) = raised.value.errors
    assert str(error).startswith(message), str(error)
