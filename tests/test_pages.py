from __future__ import annotations

from pathlib import PurePosixPath

from sitegen.models import Page
from sitegen.pages import find_collisions, plan_pages
from sitegen.site import collect_site
from tests.test_parser import config
from tests.test_site import make


def planned(*posts, **settings):  # type: ignore[no-untyped-def]
    cfg = config(**settings)
    site, errors, _ = collect_site(cfg, list(posts))
    assert errors == []
    return {str(p.path): p for p in plan_pages(site)}


def test_every_kind_of_output_is_planned() -> None:
    pages = planned(make("a", tags="[paradigm shift in AI]"), make("about", section="pages"))
    assert set(pages) == {
        "index.html", "posts/a/index.html", "about/index.html", "tags/index.html",
        "tags/paradigm-shift-in-ai/index.html", "tags/paradigm-shift-in-ai/feed.xml",
        "tags/paradigm-shift-in-ai/rss.xml", "tags/paradigm-shift-in-ai/feed.json",
        "archive/index.html", "2025/index.html", "2025/01/index.html",  # the year's and the month's
        "feed.xml", "rss.xml", "feed.json", "404.html", "sitemap.xml", "robots.txt",
    }
    assert pages["tags/paradigm-shift-in-ai/index.html"].template == "tag.html"


def test_home_and_tag_pages_are_paginated() -> None:
    posts = [make(f"p{i}", date=f"2025-01-{i + 1:02d}", tags="[t]") for i in range(5)]
    pages = planned(*posts, posts_per_page=2)
    for prefix in ("", "tags/t/"):
        expected = {f"{prefix}index.html", f"{prefix}page/2/index.html", f"{prefix}page/3/index.html"}
        assert expected <= set(pages) and f"{prefix}page/4/index.html" not in pages
        second = pages[f"{prefix}page/2/index.html"].context["pagination"]
        assert (second.number, second.count) == (2, 3)  # type: ignore[attr-defined]
        assert [p.slug for p in second.items] == ["p2", "p1"]  # type: ignore[attr-defined]
        assert second.prev_url == f"/{prefix}" and second.next_url == f"/{prefix}page/3/"  # type: ignore[attr-defined]


def test_posts_link_to_their_neighbours() -> None:
    pages = planned(make("old", date="2025-01-01"), make("mid", date="2025-01-02"),
                    make("new", date="2025-01-03"))
    context = pages["posts/mid/index.html"].context
    assert context["older"].slug == "old" and context["newer"].slug == "new"  # type: ignore[attr-defined]
    assert pages["posts/new/index.html"].context["newer"] is None


def test_archive_groups_by_year_newest_first() -> None:
    pages = planned(make("a", date="2024-05-01"), make("b", date="2025-01-01"), make("c", date="2024-09-01"))
    years = pages["archive/index.html"].context["years"]
    assert [(y, [p.slug for p in ps]) for y, ps in years] == [(2025, ["b"]), (2024, ["c", "a"])]  # type: ignore[attr-defined]


def test_sitemap_lists_html_pages_but_not_404_or_redirects() -> None:
    pages = planned(make("a", aliases="[/old/]"))
    urls = [url for url, _ in pages["sitemap.xml"].context["entries"]]  # type: ignore[attr-defined]
    assert "/posts/a/" in urls and "/" in urls and "/tags/" in urls
    assert "/404.html" not in urls and "/old/" not in urls
    assert pages["old/index.html"].template == "redirect.html"


def test_feeds_hold_at_most_feed_limit_posts() -> None:
    pages = planned(*[make(f"p{i}", date=f"2025-01-{i + 1:02d}") for i in range(4)], feed_limit=3)
    assert len(pages["feed.xml"].context["feed_posts"]) == 3  # type: ignore[arg-type]


def test_collisions_name_every_claimant() -> None:
    collision = find_collisions([
        Page(path=PurePosixPath("posts/x/index.html"), url="/posts/x/", template="post.html",
             context={}, origin="content/posts/x.md"),
        Page(path=PurePosixPath("posts/x/index.html"), url="/posts/x/", template="post.html",
             context={}, origin="content/posts/2024/x.md", origin_line=4),
    ])
    assert len(collision) == 1
    assert collision[0].path == "content/posts/2024/x.md" and collision[0].line == 4
    assert "content/posts/x.md and content/posts/2024/x.md" in collision[0].message


def test_a_page_named_like_a_generated_page_collides() -> None:
    cfg = config()
    site, _, _ = collect_site(cfg, [make("archive", section="pages")])
    errors = find_collisions(plan_pages(site))
    assert len(errors) == 1 and "archive/index.html" in errors[0].message
    assert "the archive" in errors[0].message
