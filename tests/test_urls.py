from __future__ import annotations

from pathlib import PurePosixPath

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sitegen.urls import (
    absolute_url,
    base_path,
    is_safe_slug,
    output_path,
    paginated_url,
    site_url,
    slugify,
    tag_key,
)


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("paradigm shift in AI", "paradigm-shift-in-ai"),
        ("C++", "cpp"),
        ("C#", "csharp"),
        ("C", "c"),
        (".NET", "dotnet"),
        ("Café culture", "cafe-culture"),
        ("R&D", "r-and-d"),
        ("TCP/IP", "tcp-ip"),
        ("!!!", ""),
    ],
)
def test_slugify_spells_symbols_readably(name: str, slug: str) -> None:
    assert slugify(name) == slug


def test_tag_key_folds_case_width_and_spaces() -> None:
    assert tag_key("AI") == tag_key("ai") == tag_key("  Ａi ")
    assert tag_key("paradigm  shift\tin AI") == "paradigm shift in ai"
    assert tag_key("C++") != tag_key("C")


@pytest.mark.parametrize(
    ("url", "path"),
    [("/", "index.html"), ("/posts/x/", "posts/x/index.html"), ("/feed.xml", "feed.xml"),
     ("/tags/a/page/2/", "tags/a/page/2/index.html")],
)
def test_output_path_uses_pretty_urls(url: str, path: str) -> None:
    assert output_path(url) == PurePosixPath(path)


def test_pagination_urls() -> None:
    assert paginated_url("/tags/x/", 1) == "/tags/x/"
    assert paginated_url("/tags/x/", 3) == "/tags/x/page/3/"


def test_base_url_path_prefixes_every_site_url() -> None:
    assert base_path("https://example.org/blog") == "/blog/"
    assert base_path("https://example.org") == "/"
    assert site_url("https://example.org/blog/", "/posts/x/") == "/blog/posts/x/"
    assert site_url("https://example.org/", "/posts/x/") == "/posts/x/"
    assert site_url("https://example.org/blog/", "https://other.org/") == "https://other.org/"
    assert absolute_url("https://example.org/blog/", "/feed.xml") == "https://example.org/blog/feed.xml"


@given(st.text(max_size=40))
def test_slugs_are_always_one_safe_path_segment(text: str) -> None:
    slug = slugify(text)
    assert slug == "" or is_safe_slug(slug)
    assert "/" not in slug and ".." not in slug and "\\" not in slug


@given(st.text(max_size=30))
def test_tag_key_is_idempotent(text: str) -> None:
    assert tag_key(tag_key(text)) == tag_key(text)


@pytest.mark.parametrize("slug", ["..", "a/b", "A", "a b", "", "-a", "a..b", "a\\b", "%2e"])
def test_unsafe_slugs_are_rejected(slug: str) -> None:
    assert not is_safe_slug(slug)
