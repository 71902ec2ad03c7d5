"""Permalink patterns (`permalinks:` in sitegen.yaml, a post's own `permalink:`) and slugs as
authors wrote them: every URL of the site follows the pattern, and old URLs keep working."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from sitegen.builder import build, check
from sitegen.cli import cli
from sitegen.errors import BuildError
from tests.conftest import WriteSite, config_for, post

JEKYLL = "permalinks:\n  post: /:year/:month/:day/:title/\n  tag: /tag/:slug/\n"


def files(out: Path) -> set[str]:
    return {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}


def test_a_jekyll_pattern_moves_every_post_and_tag_url(write_site: WriteSite) -> None:
    root = write_site({
        "sitegen.yaml": "base_url: https://user.github.io/\nposts_per_page: 1\n" + JEKYLL,
        "content/posts/2024-03-05-Hello-World.md": post(
            "Hello", date="2024-03-05 23:30:00-05:00", tags="[news]", aliases="[/old/hello/]",
            body="See [the other](2024-02-01-other.md#part)."),
        "content/posts/2024-02-01-other.md": post("Other", date="2024-02-01", tags="[news]",
                                                  slug="Other-Slug", body="## Part\n"),
        "content/pages/about.md": "---\ntitle: About\n---\nAbout.\n",
        "tags.yaml": "news:\n  old_slugs: [announcements]\n",
    })
    build(config_for(root))
    out = root / "public"
    built = files(out)
    # the date in the site's time zone (UTC here): 23:30 at -05:00 is the next day
    assert "2024/03/06/Hello-World/index.html" in built
    assert "2024/02/01/Other-Slug/index.html" in built  # slug: overrides the name, case kept
    assert "about/index.html" in built  # pages keep their URLs
    assert not any(name.startswith(("posts/", "tags/news")) for name in built)
    assert {"tag/news/index.html", "tag/news/page/2/index.html", "tag/news/feed.xml",
            "tag/announcements/index.html", "tag/announcements/feed.xml", "tags/index.html",
            "old/hello/index.html"} <= built
    hello = (out / "2024/03/06/Hello-World/index.html").read_text()
    assert 'href="/2024/02/01/Other-Slug/#part"' in hello  # a .md link follows the pattern
    assert 'href="/tag/news/"' in hello
    sitemap = (out / "sitemap.xml").read_text()
    assert "https://user.github.io/2024/03/06/Hello-World/" in sitemap
    assert "https://user.github.io/tag/news/page/2/" in sitemap and "/posts/" not in sitemap
    feed = (out / "tag/news/feed.xml").read_text()
    assert "https://user.github.io/2024/02/01/Other-Slug/" in feed
    assert 'href="https://user.github.io/tag/news/feed.xml"' in feed
    page_two = (out / "tag/news/index.html").read_text()
    assert 'href="/tag/news/page/2/"' in page_two
    redirects = (out / "_redirects").read_text().splitlines()
    assert "/old/hello/ /2024/03/06/Hello-World/ 301" in redirects
    assert "/tag/announcements/ /tag/news/ 301" in redirects
    assert "url=/2024/03/06/Hello-World/" in (out / "old/hello/index.html").read_text()
    errors, _ = check(config_for(root))
    assert errors == []


def test_a_pattern_ending_in_html_writes_that_file_and_links_resolve(write_site: WriteSite) -> None:
    root = write_site({
        "sitegen.yaml": "permalinks:\n  post: /blog/:short_year/:i_month/:i_day/:slug.html\n",
        "content/posts/a.md": post("A", date="2024-03-05", body="[b](b.md), [up](../../../../about/)"),
        "content/posts/b.md": post("B", date="2024-12-25", body="[a](./../../3/5/a.html)"),
        "content/pages/about.md": "---\ntitle: About\n---\nAbout.\n",
    })
    build(config_for(root))
    assert {"blog/24/3/5/a.html", "blog/24/12/25/b.html"} <= files(root / "public")
    assert check(config_for(root))[0] == []  # relative links start from the file's folder


def test_a_post_s_own_permalink_is_its_url(write_site: WriteSite) -> None:
    root = write_site({
        "content/posts/a.md": post("A", permalink="/2015/05/21/tockingtime/"),
        "content/posts/b.md": post("B", permalink="/:year/:title.html"),
        "content/pages/c.md": "---\ntitle: C\npermalink: /company/about\n---\nC.\n",
        "content/posts/d.md": post("D", permalink="'/{{ page.fileSlug }}/'"),
        "content/posts/e.md": post("E", permalink="/../../escape/"),
    })
    report = build(config_for(root))
    built = files(root / "public")
    assert {"2015/05/21/tockingtime/index.html", "2025/b.html", "company/about/index.html",
            "posts/d/index.html", "posts/e/index.html"} <= built
    warned = sorted((w.path, w.line, w.message.split(":")[0]) for w in report.warnings
                    if w.path.startswith("content/"))
    assert warned == [("content/posts/d.md", 4, "permalink '/{{ page.fileSlug }}/' is not used"),
                      ("content/posts/e.md", 4, "permalink '/../../escape/' is not used")]


@pytest.mark.parametrize(("yaml", "line", "col", "message"), [
    ("permalinks:\n  post: /:year/:name/\n", 2, 3, "unknown placeholder :name"),
    ("permalinks:\n  post: :year/:title/\n", 2, 3, "must start with a single /"),
    ("permalinks:\n  post: /:year/:month/\n", 2, 3, "holds neither :slug nor :title"),
    ("permalinks:\n  post: /:year/:title\n", 2, 3, "must end with / or .html"),
    ("permalinks:\n  post: /../:title/\n", 2, 3, "may hold only"),
    ("permalinks:\n  post: /:categories/:title/\n", 2, 3, "a post's URL cannot hold its categories"),
    ("permalinks:\n  post: pretty\n", 2, 3, "named style"),
    ("permalinks:\n  tag: /tag/:slug\n", 2, 3, "must end with /"),
    ("permalinks:\n  tag: /tag/:title/\n", 2, 3, "unknown placeholder :title"),
    ("title: x\npermalinks:\n  categroy: /c/:slug/\n", 3, 3, "unknown key 'categroy' under permalinks:"),
    ("permalinks:\n  category: /category/:slug\n", 2, 3, "must end with /"),
    ("permalinks:\n  categories: /c/:year/:slug/\n", 2, 3, "unknown placeholder :year"),
    ("permalinks:\n  category: /c/:slug/\n  categories: /d/:slug/\n", 3, 3, "a second time"),
    ("permalinks:\n  post: 5\n", 2, 3, "must be a URL pattern"),
    ("permalinks: /:title/\n", 1, 13, "permalinks must be a mapping"),
])
def test_a_bad_pattern_is_a_located_error(runner: CliRunner, write_site: WriteSite, yaml: str,
                                          line: int, col: int, message: str) -> None:
    root = write_site({"content/posts/a.md": post(), "sitegen.yaml": yaml})
    result = runner.invoke(cli, ["build", str(root)])
    assert result.exit_code == 1
    assert f"sitegen.yaml:{line}:{col}: error: " in result.stderr and message in result.stderr, \
        result.stderr


def test_hugo_s_names_for_the_blocks_are_read(write_site: WriteSite) -> None:
    root = write_site({"sitegen.yaml": "permalinks:\n  posts: /blog/:year/:month/:day/:slug/\n"
                                       "  tags: /topics/:slug/\n",
                       "content/posts/a.md": post("A", date="2024-01-02", tags="[x]")})
    build(config_for(root))
    assert {"blog/2024/01/02/a/index.html", "topics/x/index.html"} <= files(root / "public")


@pytest.mark.parametrize(("pattern", "slug", "path", "warning"), [
    (None, "ESA-2013", "posts/esa-2013/index.html", "slug 'ESA-2013' is lowercased in the URL: esa-2013"),
    ("/:year/:title/", "ESA-2013", "2025/ESA-2013/index.html", None),
    (None, "rWBclimate-maps", "posts/rwbclimate-maps/index.html", "lowercased"),
    (None, "x" * 90, f"posts/{'x' * 90}/index.html", None),
    (None, "'a slug, with: spaces'", "posts/a-slug-with-spaces/index.html", "cannot be a URL as written"),
    ("/:year/:title/", "'Über uns!'", "2025/Über-uns!/index.html", "the URL has 'Über-uns!'"),
    (None, "é" * 101, f"posts/{'é' * 100}/index.html", "202 bytes long; the URL keeps the first 200"),
    (None, 2013, "posts/2013/index.html", None),
])
def test_a_slug_is_honoured_as_written(write_site: WriteSite, pattern: str | None, slug: str,
                                       path: str, warning: str | None) -> None:
    yaml = f"permalinks: {{post: '{pattern}'}}\n" if pattern else ""
    root = write_site({"sitegen.yaml": yaml, "content/posts/a.md": post("A", slug=str(slug))})
    report = build(config_for(root))
    assert path in files(root / "public")
    found = [(w.line, w.col, w.message) for w in report.warnings if w.path == "content/posts/a.md"]
    assert found == ([] if warning is None else [(4, 7, found[0][2])])
    assert warning is None or warning in found[0][2]


@pytest.mark.parametrize(("pattern", "names"), [
    ("/:year/:title/", ("slug: ESA-2013", "slug: esa-2013")),
    ("/:year/:title/", ("permalink: /2025/ESA-2013/", "slug: esa-2013")),
    ("/:year/:title/", ("slug: Caf\u00e9", "slug: Cafe\u0301")),  # NFC and NFD spellings
    ("/:year/:title/", ("permalink: /2025/Cafe\u0301/", "slug: caf\u00e9")),
])
def test_urls_that_differ_only_by_case_or_normalisation_collide(write_site: WriteSite, pattern: str,
                                                               names: tuple[str, str]) -> None:
    root = write_site({"sitegen.yaml": f"permalinks: {{post: '{pattern}'}}\n",
                       "content/posts/a.md": post("A", date="2025-01-01") .replace(
                           "date: 2025-01-01", "date: 2025-01-01\n" + names[0]),
                       "content/posts/b.md": post("B", date="2025-01-02").replace(
                           "date: 2025-01-02", "date: 2025-01-02\n" + names[1])})
    with pytest.raises(BuildError) as raised:
        build(config_for(root))
    [error] = raised.value.errors
    assert "content/posts/b.md and content/posts/a.md would both be written to" in error.message
    assert not (root / "public").exists()


def test_an_alias_that_differs_from_a_post_url_by_case_only_collides(write_site: WriteSite) -> None:
    root = write_site({"content/posts/a.md": post("A", slug="news"),
                       "content/posts/b.md": post("B", aliases="[/posts/News/]")})
    with pytest.raises(BuildError) as raised:
        build(config_for(root))
    assert "posts/News/index.html and posts/news/index.html" in raised.value.errors[0].message


def test_an_alias_on_the_post_s_own_address_but_for_case_is_left_out(write_site: WriteSite) -> None:
    # a blog that lowered a post's URL and kept the old one as a redirect, as 18F's did
    root = write_site({"content/posts/2015-05-21-TockingTime.md": post(
        "Tocking time", date="2015-05-21", permalink="/2015/05/21/tockingtime/",
        redirect_from="\n  - /2015/05/21/TockingTime/")})
    report = build(config_for(root))
    assert "2015/05/21/tockingtime/index.html" in files(root / "public")
    assert "Tocking time</h1>" in (root / "public/2015/05/21/tockingtime/index.html").read_text()
    [warning] = [w for w in report.warnings if w.path.startswith("content/")]
    assert (warning.line, warning.col) == (6, 5)
    assert "alias /2015/05/21/TockingTime/ is the post's own address but for case" in warning.message
