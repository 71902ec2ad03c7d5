from __future__ import annotations

from datetime import date
from pathlib import PurePosixPath

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sitegen.permalinks import permalink_problem
from sitegen.urls import (
    absolute_url,
    base_path,
    folder_url,
    is_safe_slug,
    output_path,
    paginated_url,
    post_url,
    site_url,
    slug_segment,
    slugify,
    tag_key,
    tag_url,
    title_segment,
    url_key,
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


@pytest.mark.parametrize("slug", ["..", "a/b", "A", "a b", "", "-a", "a..b", "a\\b", "%2e",
                                  "Ελληνικά", "ελ ληνικά", "ελ/λ", "ελ..λ", "-ελ", "e\u0301λ", "con.ελ",
                                  "\u0301ελ", "ελ\u200b", "λ" * 81])
def test_unsafe_slugs_are_rejected(slug: str) -> None:
    assert not is_safe_slug(slug)


@pytest.mark.parametrize("slug", ["ελληνικά", "σημειώσεις-2024", "日本語", "हिंदी", "straße", "привет_мир"])
def test_slugs_in_other_scripts_are_safe_when_lowercase(slug: str) -> None:
    """WordPress keeps a Greek or Cyrillic slug as written: a registry may give one."""
    assert is_safe_slug(slug)


@pytest.mark.parametrize(("pattern", "url"), [
    ("/posts/:slug/", "/posts/my-slug/"),
    ("/:year/:month/:day/:title/", "/2024/03/05/My-Title/"),
    ("/:short_year/:i_month/:i_day/:title/", "/24/3/5/My-Title/"),
    ("/news/:year/:title:output_ext", "/news/2024/My-Title.html"),
    ("/:year/:title.html", "/2024/My-Title.html"),
    ("/blog/:slug/:title/", "/blog/my-slug/My-Title/"),
])
def test_post_url_fills_each_placeholder(pattern: str, url: str) -> None:
    assert post_url(pattern, slug="my-slug", title="My-Title", day=date(2024, 3, 5)) == url


def test_tag_url_follows_its_pattern() -> None:
    assert tag_url("ai") == "/tags/ai/"
    assert tag_url("ai/llm", "/tag/:slug/") == "/tag/ai/llm/"


@pytest.mark.parametrize(("pattern", "kind", "problem"), [
    ("/:year/:month/:day/:title/", "post", None),
    ("/my_blog/:year/:title.html", "post", None),
    ("/tag/:slug/", "tag", None),
    ("/2015/05/21/tockingtime/", "own", None),
    ("/2015/05/21/tockingtime/", "post", "holds neither :slug nor :title"),
    ("/:year/:nope/", "post", "unknown placeholder :nope"),
    (":year/:title/", "post", "must start with a single /"),
    ("//evil.example/:title/", "post", "must start with a single /"),
    ("/:year/:title", "post", "must end with / or .html"),
    ("/tag/:slug", "tag", "must end with /"),
    ("/a/../:title/", "post", "may hold only"),
    ("/a b/:title/", "post", "may hold only"),
    ("/con/:title/", "post", "may hold only"),
    ("/a\\b/:title/", "own", "may hold only"),
    ("/" + "x" * 201 + "/", "own", "longer than 200 bytes"),
    ("/:categories/:year/:title/", "post", None),
    ("/:categories/:title/", "own", None),
    ("/tag/:categories/:slug/", "tag", "unknown placeholder :categories"),
    ("pretty", "post", None),  # Jekyll's style names, for posts only
    ("pretty", "own", "must start with a single /"),
    ("date", "category", "one of Jekyll's styles of post URLs"),
    ("weekdate", "post", "one of Jekyll's styles that sitegen does not have"),
])
def test_permalink_patterns_are_checked(pattern: str, kind: str, problem: str | None) -> None:
    found = permalink_problem(pattern, kind)
    assert (found and found[0]) == problem or (problem is not None and found and problem in found[0])


@pytest.mark.parametrize(("written", "title", "slug"), [
    ("ESA-2013", "ESA-2013", "esa-2013"),
    ("jekyll_1.0.0 released!", "jekyll_1.0.0-released!", "jekyll_1.0.0-released"),
    ("café au lait", "café-au-lait", "café-au-lait"),
    ("cafe\u0301", "café", "café"),  # one spelling of each letter: NFC
    ("../../etc/passwd", "etc-passwd", "etc-passwd"),
    ("..", "", ""),
    ("nul", "nul-1", "nul-1"),
    ("a\u200bb", "ab", "ab"),
])
def test_slugs_as_written_become_one_safe_folder_name(written: str, title: str, slug: str) -> None:
    assert (title_segment(written), slug_segment(written)) == (title, slug)


def test_a_long_slug_is_cut_at_200_bytes_on_a_character() -> None:
    assert slug_segment("é" * 150) == "é" * 100
    assert len(title_segment("ab-" * 100).encode()) <= 200


def test_folder_url_and_url_key() -> None:
    assert folder_url("/a/b/") == "/a/b/" and folder_url("/a/b.html") == "/a/"
    assert url_key("2024/ESA/index.html") == url_key("2024/esa/index.html")
    assert url_key("caf\u00e9/index.html") == url_key("cafe\u0301/index.html")


def test_a_dot_is_spelled_out_only_before_a_letter_or_digit() -> None:
    assert [slugify(name) for name in (".NET", ".5", "._", "._x")] == ["dotnet", "dot5", "", "x"]
