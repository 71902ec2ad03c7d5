"""Categories: a second taxonomy beside tags, made by the same machinery. Front matter
(`categories:` or `category:`), sitegen.yaml's `categories:` and `permalinks: category:`,
categories.yaml, the grouping, the pages planned, and a site built, read and checked."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any
from urllib.parse import quote

import feedparser
import pytest
from click.testing import CliRunner

from sitegen.builder import build, check
from sitegen.cli import cli
from sitegen.errors import BuildError
from sitegen.models import Permalinks, TermSettings
from sitegen.pages import find_collisions, plan_pages
from sitegen.registry import CATEGORIES_FILE, tag_registry
from sitegen.site import collect_site
from tests.conftest import WriteSite, config_for, post
from tests.test_parser import config, parse
from tests.test_site import make

# --- front matter ------------------------------------------------------------------------------


@pytest.mark.parametrize(("line", "names", "places"), [
    ("categories: [Travel, Food/Baking]", ("Travel", "Food/Baking"), ((4, 14), (4, 22))),
    ("categories: Travel, Food", ("Travel", "Food"), ((4, 13), (4, 13))),  # as tags: are read
    ("category: Travel, Europe", ("Travel, Europe",), ((4, 11),)),  # one name, comma and all
    ("category: [Travel, Food]", ("Travel", "Food"), ((4, 12), (4, 20))),
    ("categories: []", (), ()),
])
def test_category_names_are_kept_as_written_each_with_its_place(
        line: str, names: tuple[str, ...], places: tuple[tuple[int, int], ...]) -> None:
    key, _, value = line.partition(": ")
    result, problems = parse(post(**{key: value}))
    assert problems.errors == [] and problems.warnings == [] and result is not None
    assert (result.category_names, result.category_places) == (names, places)
    assert result.categories == () and result.tag_names == ()  # not tags; meant by the site stage
    assert key not in result.extra


@pytest.mark.parametrize(("keys", "line", "col", "message"), [
    ({"categories": "[A]", "category": "B"}, 5, 11, "categories: and category: are both given"),
    ({"category": "B", "categories": "[A]"}, 5, 13, "categories: and category: are both given"),
    ({"categories": "5"}, 4, 13, "categories must be a list of strings, got a number (5)"),
    ({"categories": "[A, 5]"}, 4, 17, "categories must be a list of strings, got a number (5) in it"),
    ({"categories": "{a: 1}"}, 4, 13, "categories must be a list of strings, got a mapping"),
    ({"category": "5"}, 4, 11, "category must be a name, got a number (5)"),
    ({"category": "2025-01-01"}, 4, 11, "category must be a name, got a date"),
    ({"category": '"\\u200b"'}, 4, 11, "category '\\u200b' is only characters that show nothing"),
])
def test_a_wrong_category_value_is_a_located_error(keys: dict[str, str], line: int, col: int,
                                                   message: str) -> None:
    result, problems = parse(post(**keys))
    assert result is None
    assert [(e.line, e.col, e.message) for e in problems.errors] == [(line, col, message)]


def test_category_is_neither_unknown_nor_a_typo_and_is_not_extra() -> None:
    result, problems = parse(post(category="News", categorie="x"))
    assert result is not None and result.category_names == ("News",)
    assert [(w.line, w.hint) for w in problems.warnings] == [(5, "did you mean 'categories'?")]
    assert set(result.extra) == {"categorie"}


# --- the site stage ------------------------------------------------------------------------------

def registry(text: str) -> dict[str, Any]:
    specs, aliases, errors = tag_registry(text, CATEGORIES_FILE)
    assert errors == []
    return {"category_specs": specs, "category_aliases": aliases}


def test_a_tag_and_a_category_of_one_name_are_two_terms_at_two_urls() -> None:
    site, errors, warnings = collect_site(config(), [
        make("a", date="2025-01-01", tags="[Travel]", categories="[Travel]"),
        make("b", date="2025-02-01", category="Travel"),
    ])
    assert errors == [] and warnings == []
    [tag], [category] = site.tags, site.categories
    assert (tag.url, category.url, category.feed_url) == (
        "/tags/travel/", "/categories/travel/", "/categories/travel/feed.xml")
    assert [p.slug for p in site.posts_by_category["travel"]] == ["b", "a"]
    assert [p.slug for p in site.posts_by_tag["travel"]] == ["a"]
    assert site.posts[0].categories == (category,) and site.posts[0].tags == ()
    assert site.has_categories and site.category_spellings == {"travel": ("Travel",)}


def test_a_site_without_categories_has_none() -> None:
    site, errors, _ = collect_site(config(), [make("a", tags="[x]")])
    assert errors == [] and site.categories == () and not site.has_categories
    assert dict(site.posts_by_category) == {}


def test_hierarchical_categories_take_their_parents_posts_and_urls() -> None:
    cfg = config(categories=TermSettings(hierarchy=True))
    site, errors, _ = collect_site(cfg, [make("a", date="2025-01-01", categories="[Travel/Europe]", cfg=cfg),
                                         make("b", date="2025-02-01", category="travel", cfg=cfg)])
    assert errors == []
    by_key = {c.key: c for c in site.categories}
    assert (by_key["travel/europe"].url, by_key["travel/europe"].parent) == ("/categories/travel/europe/",
                                                                             "travel")
    assert by_key["travel"].name == "Travel"  # the most written spelling, ties to the earliest post
    assert [p.slug for p in site.posts_by_category["travel"]] == ["b", "a"]
    flat, _, _ = collect_site(config(), [make("a", categories="[Travel/Europe]")])
    assert [c.url for c in flat.categories] == ["/categories/travel-europe/"]


def test_categories_yaml_names_describes_and_aliases_categories() -> None:
    cfg = config(**registry("Travel:\n  description: Going *places*.\n  aliases: [Trips]\n"
                            "  old_slugs: [journeys]\n"))
    site, errors, warnings = collect_site(cfg, [make("a", date="2025-01-01", categories="[Trips]"),
                                                make("b", date="2025-02-01", categories="[travel]")])
    assert errors == [] and warnings == []
    [travel] = site.categories
    assert (travel.name, travel.url) == ("Travel", "/categories/travel/")
    assert travel.old_slugs == ("journeys", "trips")
    assert "<em>places</em>" in travel.description_html
    assert len(site.posts_by_category["travel"]) == 2


def test_category_spellings_with_one_slug_are_one_category_with_a_warning() -> None:
    site, errors, warnings = collect_site(config(), [
        make("a", date="2025-01-01", categories="[End of Life]"),
        make("b", date="2025-02-01", categories="[End-of-Life]"),
        make("c", date="2025-03-01", categories="[End of Life]"),
    ])
    assert errors == [] and [c.name for c in site.categories] == ["End of Life"]
    [warning] = warnings
    assert (warning.path, warning.line) == ("content/posts/b.md", 4)
    assert warning.message == ("category 'End of Life' is also written 'End-of-Life' (content/posts/b.md:4): "
                               "one category, at /categories/end-of-life/")
    assert "add this line to categories.yaml: End of Life: {aliases: [End-of-Life]}" in (warning.hint or "")


def test_two_categories_yaml_entries_with_one_slug_are_an_error_there() -> None:
    cfg = config(**registry("Go:\n  slug: golang\nGolang:\n  description: the language\n"))
    _, errors, _ = collect_site(cfg, [make("a", categories="[Go, Golang]")])
    [error] = errors
    assert (error.path, error.line) == ("categories.yaml", 3)
    assert error.message.startswith("categories 'Go' and 'Golang' would share the URL /categories/golang/")


def test_a_category_with_no_letters_is_an_error_and_an_unused_entry_a_warning() -> None:
    cfg = config(**registry("Unused:\n  description: nobody\n"))
    site, errors, warnings = collect_site(cfg, [make("a", categories="['???']"), make("b")])
    assert [(e.path, e.line, e.message) for e in errors] == [
        ("content/posts/a.md", 4, "category '???' has no letters or digits to make a URL from")]
    assert "categories.yaml: '???': {slug: my-category}" in (errors[0].hint or "")
    assert [p.slug for p in site.posts] == ["b"]  # as if it did not parse
    assert [(w.path, w.message, w.hint) for w in warnings] == [
        ("categories.yaml", "category 'Unused' is described but no post uses it",
         "remove the entry, or give a post this category")]


# --- the pages planned ---------------------------------------------------------------------------

def planned(*posts: Any, **settings: Any) -> dict[str, Any]:
    site, errors, _ = collect_site(config(**settings), list(posts))
    assert errors == []
    return {str(p.path): p for p in plan_pages(site)}


def test_a_category_has_pages_a_feed_and_an_index() -> None:
    posts = [make(f"p{i}", date=f"2025-01-{i + 1:02d}", categories="[Travel]") for i in range(5)]
    pages = planned(*posts, make("other", date="2024-01-01", categories="[Food]"), posts_per_page=2)
    assert {"categories/travel/index.html", "categories/travel/page/2/index.html",
            "categories/travel/page/3/index.html", "categories/travel/feed.xml",
            "categories/food/index.html", "categories/index.html"} <= set(pages)
    second = pages["categories/travel/page/2/index.html"]
    assert (second.template, second.origin) == ("category.html", "category 'Travel'")
    assert [p.slug for p in second.context["pagination"].items] == ["p2", "p1"]
    assert second.context["category"].name == "Travel" and "tag" not in second.context
    feed = pages["categories/travel/feed.xml"].context
    assert feed["feed_title"] == "My blog: posts in category Travel" and len(feed["feed_posts"]) == 5
    index = pages["categories/index.html"]
    assert index.template == "categories.html"
    assert [(c.name, n) for c, n in index.context["categories"]] == [("Food", 1), ("Travel", 5)]
    sitemap = [url for url, _ in pages["sitemap.xml"].context["entries"]]
    assert "/categories/" in sitemap and "/categories/travel/page/2/" in sitemap


def test_a_site_without_categories_plans_nothing_for_them() -> None:
    pages = planned(make("a", tags="[x]"))
    assert not [path for path in pages if "categor" in path]


def test_category_urls_follow_permalinks_and_the_index_stays() -> None:
    pages = planned(make("a", categories="[Travel]"), make("b", categories="[Travel]", tags="[Travel]"),
                    permalinks=Permalinks(tag="/tag/:slug/", category="/category/:slug/"))
    assert {"category/travel/index.html", "category/travel/feed.xml", "categories/index.html",
            "tag/travel/index.html", "tags/index.html"} <= set(pages)
    assert not [path for path in pages if path.startswith("categories/travel")]


def test_thin_and_noindex_categories() -> None:
    pages = planned(make("a", categories="[Travel, Rare]"), make("b", categories="[Travel]"),
                    categories=TermSettings(min_posts=2, noindex=True))
    assert "categories/travel/index.html" in pages and "categories/rare/index.html" not in pages
    sitemap = [url for url, _ in pages["sitemap.xml"].context["entries"]]
    assert "/categories/travel/" not in sitemap and "/categories/" in sitemap


def test_old_category_urls_redirect() -> None:
    cfg = registry("Travel:\n  aliases: [Trips]\n  old_slugs: [journeys]\n")
    posts = [make(f"p{i}", date=f"2025-01-{i + 1:02d}", categories="[Travel]") for i in range(3)]
    pages = planned(*posts, posts_per_page=2, **cfg)
    for old in ("journeys", "trips"):
        redirect = pages[f"categories/{old}/index.html"]
        assert (redirect.template, redirect.context["target"]) == ("redirect.html", "/categories/travel/")
        assert redirect.origin_line == 1 and "in categories.yaml" in redirect.origin
        assert pages[f"categories/{old}/page/2/index.html"].context["target"] == "/categories/travel/page/2/"
        assert pages[f"categories/{old}/feed.xml"].context["feed_url"] == "/categories/travel/feed.xml"
    moves = pages["_redirects"].context["moves"]
    assert ("/categories/trips/", "/categories/travel/") in moves
    assert ("/categories/journeys/page/*", "/categories/travel/page/:splat") in moves


def test_a_tag_and_a_category_on_one_url_collide_naming_both() -> None:
    cfg = config(permalinks=Permalinks(tag="/topics/:slug/", category="/topics/:slug/"))
    site, errors, _ = collect_site(cfg, [make("a", tags="[Travel]", categories="[Travel]")])
    assert errors == []
    [error] = find_collisions(plan_pages(site))
    assert "tag 'Travel' and category 'Travel' would both be written to topics/travel/index.html" \
        in error.message
    assert "categories.yaml" in (error.hint or "") and "permalinks:" in (error.hint or "")


def test_an_old_category_url_on_a_tag_page_collides() -> None:
    cfg = config(permalinks=Permalinks(category="/tags/:slug/"),
                 **registry("Travel:\n  old_slugs: [food]\n"))
    site, errors, _ = collect_site(cfg, [make("a", tags="[Food]", categories="[Travel]")])
    assert errors == []
    error = find_collisions(plan_pages(site))[0]
    assert (error.path, error.line) == ("categories.yaml", 1)
    assert "the tag 'Food' has that URL now: remove 'food' from the old_slugs of 'Travel' in " \
           "categories.yaml, or give 'Food' another slug in tags.yaml" == error.hint


# --- sitegen.yaml and categories.yaml ------------------------------------------------------------

def test_settings_and_registry_problems_are_located(write_site: WriteSite) -> None:
    root = write_site({
        "content/posts/a.md": post(categories="[A]"),
        "sitegen.yaml": "categories:\n  hierachy: true\n  related: 2\n  min_posts: 0\n",
        "categories.yaml": "A:\n  slug: Not A Slug\n  aliasses: [B]\n",
    })
    with pytest.raises(BuildError) as caught:
        config_for(root)
    found = {(e.path, e.line, e.col, e.message, e.hint) for e in caught.value.errors}
    assert found == {
        ("sitegen.yaml", 2, 3, "unknown key 'hierachy' under categories:", "did you mean 'hierarchy'?"),
        ("sitegen.yaml", 3, 3, "unknown key 'related' under categories:",
         "related posts are found by their tags: tags: {related: 3}"),
        ("sitegen.yaml", 4, 3,
         "categories: min_posts must be a whole number from 1, e.g. min_posts: 2, got 0", None),
        ("categories.yaml", 2, 3,
         "slug of 'A' must be lowercase letters, digits and dashes, got 'Not A Slug'", "slug: not-a-slug"),
        ("categories.yaml", 3, 3, "unknown key 'aliasses' for category 'A'", "did you mean 'aliases'?"),
    }


def test_settings_are_read(write_site: WriteSite) -> None:
    root = write_site({"sitegen.yaml": "categories: {hierarchy: true, min_posts: 2, noindex: true}\n"
                                       "permalinks: {categories: /category/:slug/}\n"})
    cfg = config_for(root)
    assert cfg.categories == TermSettings(hierarchy=True, min_posts=2, noindex=True)
    assert cfg.permalinks.category == "/category/:slug/" and cfg.tags.hierarchy is False


@pytest.mark.parametrize("registry_file", ["tags.yaml", "categories.yaml"])
def test_a_registry_slug_may_be_lowercase_letters_of_any_script(registry_file: str) -> None:
    specs, _, errors = tag_registry("Ελληνικά:\n  slug: ελληνικά\n  old_slugs: [παλιά/σελίδα]\n"
                                    "Ρ:\n  slug: Ρ\n", registry_file)
    assert specs["ελληνικά"].slug == "ελληνικά" and specs["ελληνικά"].old_slugs == ("παλιά/σελίδα",)
    assert [(e.line, e.message) for e in errors] == [
        (5, "slug of 'Ρ' must be lowercase letters, digits and dashes, got 'Ρ'")]


# --- a site built, read and checked --------------------------------------------------------------

SITE = {
    "sitegen.yaml": "title: Trips & tastes\nbase_url: https://tastes.github.io/blog/\nposts_per_page: 1\n"
                    "categories: {hierarchy: true}\npermalinks: {category: /category/:slug/}\n",
    "categories.yaml": "Travel:\n  description: Going *places*.\n  old_slugs: [trips]\n"
                       "Ελληνικά:\n  slug: ελληνικά\n",
    "content/posts/a.md": post("Athens", date="2025-01-01", categories="[Travel/Greece, Ελληνικά]",
                               tags="[Travel]", body="See [all travel](/category/travel/) and "
                               "[its feed](/category/travel/feed.xml), [the index](/categories/)."),
    "content/posts/b.md": post("Bread", date="2025-02-01", category="Food, baking",
                               body="[Athens](a.md), [Greek](/category/ελληνικά/)."),
}


GREEK = quote("ελληνικά")  # as links write it


def parse_feed(data: bytes) -> Any:
    with warnings.catch_warnings():  # a deprecation inside feedparser is not ours to fail on
        warnings.simplefilter("ignore")
        return feedparser.parse(data)


def test_a_site_with_categories_builds_reads_and_checks(write_site: WriteSite, runner: CliRunner) -> None:
    root = write_site(SITE)
    result = runner.invoke(cli, ["build", str(root)])
    assert result.exit_code == 0, result.output
    out = root / "public"
    for name in ("category/travel/index.html", "category/travel/greece/index.html",
                 "category/travel/feed.xml", "category/food-baking/index.html",
                 "category/ελληνικά/index.html", "categories/index.html", "category/trips/index.html",
                 "category/trips/feed.xml"):
        assert (out / name).is_file(), name
    assert not (out / "categories/travel").exists() and (out / "tags/travel/index.html").is_file()
    travel = (out / "category/travel/index.html").read_text()
    assert "<h1 class=\"page-title\">Posts in category Travel</h1>" in travel and "<em>places</em>" in travel
    assert "<title>Posts in category Travel – Trips &amp; tastes</title>" in travel
    assert 'href="/blog/category/travel/page/2/"' not in travel  # one post, Athens, through Greece
    child = (out / "category/travel/greece/index.html").read_text()
    assert '<li><a href="/blog/categories/">Categories</a></li>' in child  # the breadcrumbs
    post_page = (out / "posts/a/index.html").read_text()
    assert '<ul class="tags category-list" aria-label="Categories">' in post_page
    assert 'href="/blog/category/travel/greece/" rel="tag">Travel/Greece</a>' in post_page
    assert '<meta property="article:section" content="Travel/Greece">' in post_page
    assert '<a href="/blog/categories/">Categories</a>' in post_page  # in the menu
    index = (out / "categories/index.html").read_text()
    assert f'href="/blog/category/{GREEK}/"' in index and "1 post<" in index
    assert "/blog/category/trips/ /blog/category/travel/ 301" in (out / "_redirects").read_text()
    assert "https://tastes.github.io/blog/category/travel/" in (out / "sitemap.xml").read_text()

    feed = parse_feed((out / "category/travel/feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.title == "Trips & tastes: posts in category Travel"
    assert [e.title for e in feed.entries] == ["Athens"]
    terms = {(t.term, t.scheme) for t in feed.entries[0].tags}
    assert ("travel/greece", "https://tastes.github.io/blog/categories/") in terms
    assert ("travel", "https://tastes.github.io/blog/tags/") in terms
    assert not parse_feed((out / "category/trips/feed.xml").read_bytes()).bozo

    errors, _ = check(config_for(root))
    assert errors == []
    result = runner.invoke(cli, ["check", str(root)])
    assert result.exit_code == 0, result.output


def test_sitegen_tags_lists_the_categories_after_the_tags(write_site: WriteSite, runner: CliRunner) -> None:
    root = write_site(SITE)
    result = runner.invoke(cli, ["tags", str(root)], terminal_width=200)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    at = lines.index("4 categories.")
    after_tags = lines.index("1 tag, 0 likely duplicates.") + 1
    rows = [line.split()[:2] for line in lines[after_tags:at] if line.strip()]
    assert rows[0] == ["category", "slug"] and ["Travel/Greece", "travel/greece"] in rows


def test_a_site_without_categories_writes_nothing_for_them(write_site: WriteSite) -> None:
    root = write_site({"content/posts/a.md": post(tags="[x]")})
    build(config_for(root))
    out = root / "public"
    assert not [p for p in out.rglob("*") if "categor" in str(p.relative_to(out))]
    assert "Categories" not in (out / "posts/a/index.html").read_text()


def test_a_category_link_to_a_missing_category_is_broken(write_site: WriteSite) -> None:
    root = write_site({"content/posts/a.md": post(categories="[Travel]", body="[x](/categories/food/)")})
    errors, _ = check(config_for(root))
    assert [e.message.split(" (")[0] for e in errors] == ["broken link: /categories/food/"]


def test_the_categories_of_a_cached_post_come_back(write_site: WriteSite, tmp_path: Path) -> None:
    root = write_site(SITE)
    build(config_for(root))
    (root / "content/posts/b.md").write_text(SITE["content/posts/b.md"] + "\nMore.\n")
    build(config_for(root))  # a.md from the cache, with its names and their places
    page = (root / "public/posts/a/index.html").read_text()
    assert f'href="/blog/category/{GREEK}/" rel="tag"' in page
