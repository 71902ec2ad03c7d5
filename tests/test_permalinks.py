"""Permalink patterns (`permalinks:` in sitegen.yaml, a post's own `permalink:`) and slugs as
authors wrote them: every URL of the site follows the pattern, and old URLs keep working."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest
from click.testing import CliRunner

from sitegen.builder import build, check
from sitegen.cli import cli
from sitegen.errors import BuildError, Problems
from sitegen.models import Config, Permalinks, Post
from sitegen.parser import parse_post
from sitegen.urls import output_path
from tests.conftest import NOW, WriteSite, config_for, post

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
    ("permalinks:\n  category: /c/:categories/:slug/\n", 2, 3, "unknown placeholder :categories"),
    ("permalinks:\n  post: ordinal\n", 2, 3, "one of Jekyll's styles that sitegen does not have"),
    ("permalinks:\n  tag: pretty\n", 2, 3, "one of Jekyll's styles of post URLs"),
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


# --- Jekyll's :categories: a post's categories as folders of its URL -----------------------------

JEKYLL_DATE = "/:categories/:year/:month/:day/:title:output_ext"  # Jekyll's default, style "date"
WELCOME = "2016/03/24/welcome-to-jekyll.html"


def parsed(front_matter: str, pattern: str = JEKYLL_DATE, own: str = "") -> Post:
    problems = Problems()
    text = f"---\ntitle: Welcome\n{front_matter}\n{own}---\nHello.\n"
    result = parse_post(PurePosixPath("content/posts/2016-03-24-welcome-to-jekyll.md"), text,
                        Config(root=Path("/site"), output_dir=Path("/site/public"), now=NOW,
                               permalinks=Permalinks(post=pattern)),
                        section="posts", problems=problems)
    assert result is not None, problems.errors
    return result


@pytest.mark.parametrize(("front_matter", "url", "jekyll"), [
    ("categories: jekyll update", f"/jekyll/update/{WELCOME}", None),  # a text is split at spaces
    ("categories: ' jekyll \t Update\n'", f"/jekyll/update/{WELCOME}", None),
    ("categories: 'a, b'", f"/a,/b/{WELCOME}", None),  # not at commas, as the taxonomy splits it
    ("category: Sci-Fi Movies", f"/sci-fi movies/{WELCOME}", None),  # category: is one name
    ("categories: [Sci-Fi Movies, Vintage]", f"/sci-fi movies/vintage/{WELCOME}", None),
    ("category: [Sci-Fi, Vintage]", f"/sci-fi/vintage/{WELCOME}", None),
    ("categories: [News, Tips, news, NEWS]", f"/news/tips/{WELCOME}", None),  # lowercased, each once
    ("categories: [Travel/Greece]", f"/travel/greece/{WELCOME}", None),
    ("categories: [\u0395\u039b\u039b\u0391\u03a3]", f"/\u03b5\u03bb\u03bb\u03b1\u03c3/{WELCOME}", None),
    ("", f"/{WELCOME}", None),  # no categories: no empty folder
    ("categories: []", f"/{WELCOME}", None),
    ("category:", f"/{WELCOME}", None),
    # what a folder cannot be or hold is changed; Jekyll's URL is kept by a _redirects line
    ("categories: [C#, 'Q&A?', '100%']", f"/c-/q&a-/100-/{WELCOME}", f"/c%23/q&a%3F/100%25/{WELCOME}"),
    ("categories: [.NET]", f"/net/{WELCOME}", f"/.net/{WELCOME}"),
    ("categories: ['a:b', con, \"x\\ty\", 'x\\y']", f"/a-b/con-1/x-y/x-y/{WELCOME}",
     f"/a:b/con/x\ty/x\\y/{WELCOME}"),
    ("categories: [etc.]", f"/etc/{WELCOME}", "/etc2016/03/24/welcome-to-jekyll.html"),
    ("categories: ['..', '../..', 'a..b']", f"/a/b/{WELCOME}", None),  # as Jekyll: ".." made "/"
    ("categories: ['Cafe\u0301']", f"/caf\u00e9/{WELCOME}", f"/cafe\u0301/{WELCOME}"),  # one form: NFC
    ("categories: ['A\u200bI']", f"/ai/{WELCOME}", f"/a\u200bi/{WELCOME}"),
])
def test_categories_in_a_url_are_jekyll_s(front_matter: str, url: str, jekyll: str | None) -> None:
    """As Jekyll 4 makes :categories (Document#populate_categories, UrlDrop#categories, URL)."""
    found = parsed(front_matter)
    assert (found.url, found.moved_from) == (url, (jekyll,) if jekyll else ())


@pytest.mark.parametrize(("pattern", "url"), [
    ("date", f"/jekyll/update/{WELCOME}"),
    ("pretty", "/jekyll/update/2016/03/24/welcome-to-jekyll/"),
    ("none", "/jekyll/update/welcome-to-jekyll.html"),
])
def test_jekyll_s_style_names_are_its_patterns(write_site: WriteSite, pattern: str, url: str) -> None:
    root = write_site({"sitegen.yaml": f"permalinks: {{post: {pattern}}}\n",
                       "content/posts/2016-03-24-welcome-to-jekyll.md": post(
                           "Welcome", date="2016-03-24", categories="jekyll update")})
    build(config_for(root))
    assert str(output_path(url)) in files(root / "public")


def test_a_post_s_own_permalink_may_hold_its_categories() -> None:
    found = parsed("categories: [Notes]", own="permalink: /:categories/:title/\n")
    assert found.url == "/notes/welcome-to-jekyll/"


def test_a_jekyll_site_keeps_its_urls(write_site: WriteSite, runner: CliRunner) -> None:
    root = write_site({
        "sitegen.yaml": f"base_url: https://user.github.io/\npermalinks:\n  post: {JEKYLL_DATE}\n",
        "content/posts/2016-03-24-welcome-to-jekyll.md": post(
            "Welcome", date="2016-03-24", categories="jekyll update",
            body="See [the film](2020-04-03-star-wars.md) and [sharp](2022-02-02-sharp.md#top)."),
        "content/posts/2020-04-03-star-wars.md": post(
            "Star Wars", date="2020-04-03", category="Sci-Fi Movies",
            body="[Back](../../../../../jekyll/update/2016/03/24/welcome-to-jekyll.html)."),
        "content/posts/2021-01-01-plain.md": post("Plain", date="2021-01-01"),
        "content/posts/2022-02-02-sharp.md": post("Sharp", date="2022-02-02", categories="[C#]",
                                                  body="## Top\n"),
    })
    result = runner.invoke(cli, ["build", str(root)])
    assert result.exit_code == 0, result.output
    out = root / "public"
    assert {f"jekyll/update/{WELCOME}", "sci-fi movies/2020/04/03/star-wars.html",
            "2021/01/01/plain.html", "c-/2022/02/02/sharp.html"} <= files(out)
    home = (out / "index.html").read_text()
    assert f'href="/jekyll/update/{WELCOME}"' in home
    assert 'href="/sci-fi%20movies/2020/04/03/star-wars.html"' in home  # escaped, as Jekyll links it
    assert 'href="/2021/01/01/plain.html"' in home and 'href="/c-/2022/02/02/sharp.html"' in home
    welcome = (out / "jekyll/update" / WELCOME).read_text()
    assert 'href="/sci-fi%20movies/2020/04/03/star-wars.html"' in welcome
    sitemap = (out / "sitemap.xml").read_text()
    assert "https://user.github.io/sci-fi%20movies/2020/04/03/star-wars.html" in sitemap
    redirects = (out / "_redirects").read_text().splitlines()
    assert redirects[-1] == "/c%23/2022/02/02/sharp.html /c-/2022/02/02/sharp.html 301"
    result = runner.invoke(cli, ["check", str(root)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("names", [("News", "news"), ("Caf\u00e9", "Cafe\u0301"), ("A\u200bI", "AI")])
def test_categories_that_make_one_folder_collide(write_site: WriteSite, names: tuple[str, str]) -> None:
    root = write_site({"sitegen.yaml": f"permalinks: {{post: '{JEKYLL_DATE}'}}\n",
                       **{f"content/posts/{n}/2016-03-24-hello.md": post(
                           f"Hello {n}", date="2016-03-24", categories=f"['{name}']")
                          for n, name in enumerate(names)}})
    with pytest.raises(BuildError) as raised:
        build(config_for(root))
    [error] = raised.value.errors
    assert "would both be written to" in error.message and "2016/03/24/hello.html" in error.message
