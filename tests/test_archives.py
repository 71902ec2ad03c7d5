"""The archives of a year and of a month: planned beside the posts' URLs, paginated, linked to the
periods around them, in the sitemap, turned off in sitegen.yaml, and never written over a post."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import html5lib
import pytest

from sitegen.builder import build
from sitegen.errors import BuildError
from sitegen.models import Archives, Page, Permalinks
from sitegen.pages import find_collisions, plan_pages
from sitegen.site import collect_site
from tests.conftest import WriteSite, config_for, post
from tests.test_parser import config
from tests.test_site import make

DATES = {"a": "2025-03-10", "b": "2025-03-02", "c": "2025-01-15", "d": "2024-11-30", "e": "2024-11-01",
         "f": "2022-06-06"}


def planned(*posts: Any, **settings: Any) -> dict[str, Page]:
    cfg = config(**{"archives": Archives(year=True, month=True), **settings})
    site, errors, _ = collect_site(cfg, list(posts) or [make(n, date=d, cfg=cfg) for n, d in DATES.items()])
    assert errors == []
    return {page.url: page for page in plan_pages(site)}


def slugs(page: Page) -> list[str]:
    return [p.slug for p in page.context["pagination"].items]  # type: ignore[attr-defined]


def test_each_year_and_month_with_posts_has_a_page_of_them_newest_first() -> None:
    pages = planned()
    assert {url for url, page in pages.items() if page.template == "year.html"} == \
        {"/2025/", "/2024/", "/2022/"}
    assert {url for url, page in pages.items() if page.template == "month.html"} == \
        {"/2025/03/", "/2025/01/", "/2024/11/", "/2022/06/"}
    assert slugs(pages["/2025/"]) == ["a", "b", "c"] and slugs(pages["/2024/11/"]) == ["d", "e"]
    year = pages["/2025/"].context
    assert [(m.url, count) for m, count in year["months"]] == [("/2025/03/", 2), ("/2025/01/", 1)]  # type: ignore[attr-defined]
    assert year["parent"] is None and pages["/2025/03/"].context["months"] == ()
    assert pages["/2025/03/"].context["parent"] == year["period"]
    assert pages["/archive/"].context["year_pages"][2024].url == "/2024/"  # type: ignore[index]


def test_a_period_links_to_the_next_one_that_has_posts() -> None:
    pages = planned()
    around = {url: (page.context["newer"] and page.context["newer"].url,  # type: ignore[attr-defined]
                    page.context["older"] and page.context["older"].url)  # type: ignore[attr-defined]
              for url, page in pages.items() if page.template in ("year.html", "month.html")}
    assert around == {
        "/2025/": (None, "/2024/"), "/2024/": ("/2025/", "/2022/"), "/2022/": ("/2024/", None),
        "/2025/03/": (None, "/2025/01/"), "/2025/01/": ("/2025/03/", "/2024/11/"),
        "/2024/11/": ("/2025/01/", "/2022/06/"), "/2022/06/": ("/2024/11/", None)}


def test_archives_are_paginated_like_tag_pages_and_in_the_sitemap() -> None:
    pages = planned(posts_per_page=2)
    assert slugs(pages["/2025/page/2/"]) == ["c"] and "/2025/page/3/" not in pages
    assert pages["/2025/page/2/"].context["pagination"].prev_url == "/2025/"  # type: ignore[attr-defined]
    assert slugs(pages["/2024/11/"]) == ["d", "e"] and "/2024/11/page/2/" not in pages
    listed = [url for url, _ in pages["/sitemap.xml"].context["entries"]]  # type: ignore[attr-defined]
    assert {"/2025/", "/2025/page/2/", "/2025/03/", "/2022/06/"} <= set(listed)


def test_a_post_is_filed_under_its_day_in_the_sites_time_zone() -> None:
    cfg = config(timezone="America/New_York", permalinks=Permalinks(post="/:year/:month/:slug/"))
    late = make("late", date="2025-01-01T03:00:00+00:00", cfg=cfg)  # 31 December 2024 in New York
    pages = planned(late, timezone="America/New_York", permalinks=Permalinks(post="/:year/:month/:slug/"))
    assert "/2024/12/late/" in pages and slugs(pages["/2024/12/"]) == ["late"]
    assert "/2025/" not in pages and pages["/archive/"].context["years"][0][0] == 2024  # type: ignore[index]


@pytest.mark.parametrize(("pattern", "year", "month"), [
    ("/posts/:slug/", "/2025/", "/2025/03/"),
    ("/blog/:year/:month/:day/:slug/", "/blog/2025/", "/blog/2025/03/"),
    ("/:year/:slug/", "/2025/", "/2025/03/"),
    ("/:year/:month/:day/:title.html", "/2025/", "/2025/03/"),
    ("/journal/:short_year/:i_month/:slug.html", "/journal/25/", "/journal/25/3/"),
    ("/:slug/:year/", "/2025/", "/2025/03/"),
])
def test_archives_live_where_the_posts_pattern_puts_years_and_months(pattern: str, year: str,
                                                                     month: str) -> None:
    cfg = config(permalinks=Permalinks(post=pattern))
    pages = planned(make("a", date="2025-03-10", cfg=cfg), permalinks=Permalinks(post=pattern))
    assert pages[year].template == "year.html" and pages[month].template == "month.html"


@pytest.mark.parametrize(("archives", "years", "months"), [
    (Archives(year=False, month=True), False, True), (Archives(year=True, month=False), True, False),
    (Archives(year=False, month=False), False, False)])
def test_either_kind_can_be_turned_off(archives: Archives, years: bool, months: bool) -> None:
    templates = {page.template for page in planned(archives=archives).values()}
    assert ("year.html" in templates, "month.html" in templates) == (years, months)
    assert "archive.html" in templates


@pytest.mark.parametrize(("settings", "expected"), [
    ("archives: {year: false}\n", Archives(year=False, month=True)),
    ("archives:\n  by_month: false\n", Archives(year=True, month=False)),
    ("archives: true\n", Archives(year=True, month=True)),
    ("archives: false\n", Archives(year=False, month=False)),
    ("", Archives(year=True, month=True)),  # on unless turned off
])
def test_the_setting_is_read(write_site: WriteSite, settings: str, expected: Archives) -> None:
    assert config_for(write_site({"sitegen.yaml": settings})).archives == expected


@pytest.mark.parametrize(("settings", "line", "col", "message", "hint"), [
    ("archives:\n  yeer: false\n", 2, 3, "unknown key 'yeer' under archives:", "did you mean 'year'?"),
    ("archives:\n  month: no way\n", 2, 3, "archives: month must be true or false, got 'no way'", None),
    ("archives:\n  month: false\n  by_month: true\n", 3, 3,
     "archives: by_month turns the month archives on or off a second time", "keep one of the two lines"),
    ("archives: monthly\n", 1, 11, "archives must be true, false or a mapping, e.g. archives: "
     "{year: true, month: false}, got 'monthly'", None),
])
def test_a_wrong_setting_is_located(write_site: WriteSite, settings: str, line: int, col: int,
                                    message: str, hint: str | None) -> None:
    with pytest.raises(BuildError) as caught:
        config_for(write_site({"sitegen.yaml": settings}))
    assert [(e.path, e.line, e.col, e.message, e.hint) for e in caught.value.errors] == \
        [("sitegen.yaml", line, col, message, hint)]


def test_a_post_on_a_months_url_is_an_error_not_overwritten(write_site: WriteSite) -> None:
    root = write_site({"sitegen.yaml": "permalinks: {post: '/:year/:slug/'}\narchives: true\n",
                       "content/posts/a.md": post("A", date="2025-02-10", slug='"02"'),
                       "content/pages/2025.md": "---\ntitle: A year\n---\nText.\n"})
    with pytest.raises(BuildError) as caught:
        build(config_for(root))
    errors = sorted((e.path, e.line, e.message, e.hint) for e in caught.value.errors)
    assert errors == [
        ("content/pages/2025.md", 1, "content/pages/2025.md and the archive of 2025 would both be "
         "written to 2025/index.html", "give the post or page another slug, or turn the year archives "
         "off: archives: {year: false} in sitegen.yaml"),
        ("content/posts/a.md", 4, "content/posts/a.md and the archive of 2025-02 would both be written to "
         "2025/02/index.html", "give the post or page another slug, or turn the month archives off: "
         "archives: {month: false} in sitegen.yaml")]
    assert not (root / "public").exists()


def test_collisions_are_found_in_the_plan() -> None:
    cfg = config(permalinks=Permalinks(post="/:year/:slug/"), archives=Archives(year=True, month=True))
    site, _, _ = collect_site(cfg, [make("02", title="Two", date="2025-02-10", cfg=cfg)])
    [error] = find_collisions(plan_pages(site))
    assert "2025/02/index.html" in error.message


def _tree(path: Path) -> Any:
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(path.read_bytes())


def test_a_built_archive_links_its_periods_in_the_sites_language(write_site: WriteSite) -> None:
    root = write_site({"sitegen.yaml": "base_url: https://blog.test.dev/sub/\nlanguage: fr\narchives: true\n"
                                       "posts_per_page: 1\n",
                       **{f"content/posts/{n}.md": post(n.upper(), date=d) for n, d in DATES.items()}})
    build(config_for(root))
    out = root / "public"
    month = _tree(out / "2025/01/index.html")
    assert month.find(".//h1").text == "Articles de janvier 2025"
    assert month.find(".//title").text == "Articles de janvier 2025 – My blog"
    links = {a.get("href"): "".join(a.itertext()) for a in month.iter("a")}
    assert links["/sub/2025/"] == "2025" and links["/sub/archive/"] == "Archives"
    assert links["/sub/2025/03/"] == "Plus récentmars 2025"
    assert links["/sub/2024/11/"] == "Plus anciennovembre 2024"
    year = _tree(out / "2025/index.html")
    assert {a.get("href"): a.text for a in year.iter("a")}["/sub/2025/03/"] == "mars"
    assert (out / "2025/page/3/index.html").is_file()
    index = {a.get("href") for a in _tree(out / "archive/index.html").iter("a")}
    assert {"/sub/2025/", "/sub/2024/", "/sub/2025/01/", "/sub/2022/06/"} <= index
    sitemap = (out / "sitemap.xml").read_text()
    assert "<loc>https://blog.test.dev/sub/2025/page/2/</loc>" in sitemap
    assert "<loc>https://blog.test.dev/sub/2024/11/</loc>" in sitemap
