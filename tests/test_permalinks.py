"""Permalink patterns (`permalinks:` in sitegen.yaml, a post's own `permalink:`) and slugs as
authors wrote them: every URL of the site follows the pattern, and old URLs keep working."""

from __future__ import annotations

import json
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
    # Hugo's key reads Hugo's placeholders; Jekyll's are read under sitegen's own key post:
    ("permalinks:\n  posts: /:year/:i_month/:slug/\n", 2, 3, "unknown placeholder :i_month"),
    ("permalinks:\n  posts: /:2006/:slug/\n", 2, 3, "unknown placeholder :2006"),  # a Go date layout
    ("permalinks:\n  posts: pretty\n", 2, 3, "one of Jekyll's styles, which Hugo's key posts: does not"),
    ("permalinks:\n  posts: /:year/:monthname/\n", 2, 3, "holds neither :slug nor :title"),
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


# --- Hugo's key names: what its placeholders meant in Hugo ----------------------------------------
# Expected values worked out by hand from Hugo's rules (resources/page/permalinks.go: :title is
# urlize(title), :slug urlize(slug) or else that; helpers/url.go and common/paths/path.go: urlize
# keeps letters, digits, marks and . _ ~ @ + # -, makes a run of spaces one hyphen, leaves every
# other character out and lowercases; hugolib/page__paths.go: the expanded path is unescaped as a
# query, where '+' is a space, and sanitized again), and checked against what Hugo 0.168 wrote.


def quoted(value: object) -> str:
    """A value as YAML (a JSON value is one), written as it is."""
    return json.dumps(value, ensure_ascii=False)


def parsed_hugo(root: Path, line: str, front_matter: str,
                source: str = "content/posts/2024-03-05-Hello-World.md") -> Post:
    (root / "sitegen.yaml").write_text(line)
    problems = Problems()
    found = parse_post(PurePosixPath(source), f"---\n{front_matter}\ndate: 2024-03-05\n---\nText.\n",
                       config_for(root), section="posts", problems=problems)
    assert found is not None, problems.errors
    return found


HUGO_TITLES = [
    ("Hello, World!", "hello-world"),  # punctuation left out; a space is one hyphen
    ("Don't Panic", "dont-panic"),  # an apostrophe is left out, not made a hyphen
    ("Don\u2019t Panic (curly)", "dont-panic-curly"),
    ("What's new in v2.0?", "whats-new-in-v2.0"),  # dots kept
    ("Multiple   spaces -- and dashes", "multiple-spaces--and-dashes"),  # hyphens as written
    ("C++ Tips", "c-tips"),  # urlize keeps '+', and the path reads it as a space
    ("Why C++?", "why-c"),
    ("x + y", "x--y"),
    ("Caf\u00e9 au lait", "caf\u00e9-au-lait"),  # accents kept
    ("\u00dcn\u00efc\u00f6d\u00e9 Stra\u00dfe", "\u00fcn\u00efc\u00f6d\u00e9-stra\u00dfe"),
    ("\u0130stanbul", "istanbul"),  # Go lowercases letter by letter
    ("\u03a3\u038a\u03a3\u03a5\u03a6\u039f\u03a3",  # no final sigma
     "\u03c3\u03af\u03c3\u03c5\u03c6\u03bf\u03c3"),
    ("\u65e5\u672c\u8a9e\u306e\u30bf\u30a4\u30c8\u30eb", "\u65e5\u672c\u8a9e\u306e\u30bf\u30a4\u30c8\u30eb"),
    ("Emoji \U0001f389 party", "emoji-party"),
    ("\uff21\uff42\uff43 fullwidth", "\uff41\uff42\uff43-fullwidth"),  # no compatibility folding
    ("under_score and ~tilde@at", "under_score-and-~tilde@at"),
    ("100% done", "100-done"),
    ("Node.js & npm", "node.js-npm"),
]


@pytest.mark.parametrize(("title", "urlized"), HUGO_TITLES)
@pytest.mark.parametrize("pattern", ["/:year/:month/:title/", "/:year/:month/:slug/"])
def test_hugo_s_title_and_slug_are_the_urlized_title(tmp_path: Path, pattern: str, title: str,
                                                      urlized: str) -> None:
    found = parsed_hugo(tmp_path, f"permalinks: {{posts: '{pattern}'}}\n",
                        f"title: {quoted(title)}", "content/posts/2024-03-05-a-file.md")
    assert (found.url, found.moved_from) == (f"/2024/03/{urlized}/", ())


@pytest.mark.parametrize(("title", "url", "hugo"), [
    # '#' would start a fragment: the folder has '-', Hugo's URL (escaped as Hugo linked it) redirects
    ("C# in Depth", "/2024/03/c--in-depth/", ("/2024/03/c%23-in-depth/",)),
    ("C#", "/2024/03/c/", ()),  # a final '#' is an empty fragment to Hugo: left out
    # Hugo since 0.166 makes a title's '/' a hyphen; before, a folder: both URLs are kept
    ("A/B testing", "/2024/03/a-b-testing/", ("/2024/03/a/b-testing/",)),
    ("e\u0301cole", "/2024/03/\u00e9cole/", ("/2024/03/e\u0301cole/",)),  # one form (NFC) on disk
])
def test_hugo_s_url_redirects_where_a_folder_cannot_hold_it(tmp_path: Path, title: str, url: str,
                                                            hugo: tuple[str, ...]) -> None:
    found = parsed_hugo(tmp_path, "permalinks: {posts: '/:year/:month/:slug/'}\n",
                        f"title: {quoted(title)}")
    assert (found.url, found.moved_from) == (url, hugo)


@pytest.mark.parametrize(("slug", "url"), [
    ("'Q&A: \u00dcber uns!'", "/2024/03/qa-\u00fcber-uns/"),  # a slug is urlized too
    ("Don't Stop", "/2024/03/dont-stop/"),
    ("x + y", "/2024/03/x--y/"),
    ("Mixed/Case Slug", "/2024/03/mixed/case-slug/"),  # and its '/' makes a folder
])
def test_hugo_s_slug_is_the_urlized_slug(tmp_path: Path, slug: str, url: str) -> None:
    found = parsed_hugo(tmp_path, "permalinks: {posts: '/:year/:month/:slug/'}\n",
                        f"title: Not This\nslug: {slug}")
    assert found.url == url


EVERY_TOKEN = ("/:section/:sections/:year/:month/:monthname/:day/:weekday/:weekdayname/:yearday/:filename/"
               ":slugorfilename/:contentbasename/:slugorcontentbasename/:title/")


@pytest.mark.parametrize(("source", "slug", "url"), [
    # 2024-03-05 is a Tuesday (2, from Sunday's 0), the 65th day of a leap year; Hugo keeps the
    # file name's date in :filename
    ("content/posts/2024-03-05-Hello-World.md", "",
     "/posts/posts/2024/03/march/05/2/tuesday/65/2024-03-05-hello-world/2024-03-05-hello-world/"
     "2024-03-05-hello-world/2024-03-05-hello-world/hello-world/"),
    ("content/posts/2024-03-05-Hello-World.md", "slug: My Slug",
     "/posts/posts/2024/03/march/05/2/tuesday/65/2024-03-05-hello-world/my-slug/"
     "2024-03-05-hello-world/my-slug/hello-world/"),
    # a page bundle's name is its folder's
    ("content/posts/2021-06-07-Dated Bundle/index.md", "",
     "/posts/posts/2024/03/march/05/2/tuesday/65/2021-06-07-dated-bundle/2021-06-07-dated-bundle/"
     "2021-06-07-dated-bundle/2021-06-07-dated-bundle/hello-world/"),
])
def test_each_of_hugo_s_placeholders(tmp_path: Path, source: str, slug: str, url: str) -> None:
    found = parsed_hugo(tmp_path, f"permalinks: {{posts: '{EVERY_TOKEN}'}}\n",
                        f"title: 'Hello, World!'\n{slug}", source)
    assert found.url == url


@pytest.mark.parametrize(("line", "url"), [
    # sitegen's own key keeps Jekyll's meanings: :slug and :title come from the file name
    ("permalinks: {post: '/:year/:month/:slug/'}\n", "/2024/03/hello-world/"),
    ("permalinks: {post: '/:year/:month/:title/'}\n", "/2024/03/Hello-World/"),
    ("permalinks: {posts: '/:year/:month/:slug/'}\n", "/2024/03/other-title/"),
    ("permalinks: {posts: '/:year/:month/:title/'}\n", "/2024/03/other-title/"),
    # Hugo's own placeholders mean the same under it; :filename keeps the name as written, as
    # Eleventy's URL does (/blog/2024-03-05-Hello-World/)
    ("permalinks: {post: '/blog/:filename/'}\n", "/blog/2024-03-05-Hello-World/"),
    ("permalinks: {post: '/:year/:monthname/:slugorfilename/'}\n", "/2024/march/2024-03-05-hello-world/"),
    ("permalinks: {post: '/:weekdayname/:title/'}\n", "/tuesday/Hello-World/"),
    ("permalinks: {posts: '/blog/:filename/'}\n", "/blog/2024-03-05-hello-world/"),
    # Hugo lowercases the whole path, and makes every URL a folder from the root
    ("permalinks: {posts: '/Blog/:year/:slug/'}\n", "/blog/2024/other-title/"),
    ("permalinks: {posts: '/:year/:slug'}\n", "/2024/other-title/"),
    ("permalinks: {posts: ':year/:slug.html'}\n", "/2024/other-title.html/"),
])
def test_the_key_says_whose_meanings_apply(tmp_path: Path, line: str, url: str) -> None:
    assert parsed_hugo(tmp_path, line, "title: Other Title").url == url


def test_a_title_hugo_makes_nothing_of_is_a_located_error(tmp_path: Path) -> None:
    (tmp_path / "sitegen.yaml").write_text("permalinks: {posts: '/:year/:slug/'}\n")
    problems = Problems()
    text = "---\ntitle: '\U0001f389 ++'\ndate: 2024-03-05\n---\n"
    found = parse_post(PurePosixPath("content/posts/a.md"), text, config_for(tmp_path), section="posts",
                       problems=problems)
    assert found is None
    [error] = problems.errors
    assert (error.line, error.message) == (
        2, "cannot make a URL from the title '\U0001f389 ++' (:slug in permalinks:)")


HUGO_TAGS = ["C++", "Node.js", "R&D", "Machine Learning", "caf\u00e9", "\u65e5\u672c\u8a9e", ".NET", "AI/ML",
             "Don't Panic", "x86_64"]


@pytest.mark.parametrize(("line", "folders"), [
    # Hugo's term URLs: its urlized name, as the pattern under its key tags: gave it (lowercased)
    ("permalinks: {tags: /Topics/:slug/, categories: /c/:slug/}\n",
     ["c", "node.js", "rd", "machine-learning", "caf\u00e9", "\u65e5\u672c\u8a9e", "net", "ai/ml",
      "dont-panic", "x86_64"]),  # ".net" would be a hidden folder
    # sitegen's own key: sitegen's slugs
    ("permalinks: {tag: /topics/:slug/, category: /c/:slug/}\n",
     ["cpp", "node-js", "r-and-d", "machine-learning", "cafe", "ri-ben-yu", "dotnet", "ai-ml", "don-t-panic",
      "x86-64"]),
])
def test_hugo_s_tags_key_keeps_hugo_s_term_urls(write_site: WriteSite, line: str, folders: list[str]) -> None:
    root = write_site({"sitegen.yaml": line, "content/posts/a.md": post("A", tags=quoted(HUGO_TAGS)),
                       "content/posts/b.md": post("B", categories="[Sci-Fi & Fantasy]")})
    build(config_for(root))
    built = files(root / "public")
    assert {f"topics/{folder}/index.html" for folder in folders} <= built
    assert ("c/sci-fi-fantasy/index.html" if "tags:" in line else "c/sci-fi-and-fantasy/index.html") in built


def test_two_tags_hugo_gives_one_url_are_an_error(write_site: WriteSite) -> None:
    root = write_site({"sitegen.yaml": "permalinks: {tags: /tags/:slug/, categories: /c/:slug/}\n",
                       "content/posts/a.md": post("A", tags="['C++', 'C#']")})
    with pytest.raises(BuildError) as raised:
        build(config_for(root))
    [error] = raised.value.errors
    assert "tags 'C++' and 'C#' would share the URL /tags/c/" in error.message


HUGO_SITE = {
    "sitegen.yaml": "base_url: https://example.github.io/\ntimezone: Europe/Paris\n"
                    'permalinks: {posts: "/:year/:month/:slug/", tags: "/tags/:slug/"}\n',
    "content/posts/first-post.md": """\
        +++
        title = "Hello, World! C++ & Go"
        date = 2023-05-01T00:30:00+02:00
        tags = ["Go", "C++"]
        +++
        See [the trip]({{< ref "posts/trip-photos/index.md" >}}).
        """,
    "content/posts/trip-photos/index.md": """\
        +++
        title = "Trip: photos"
        date = 2023-06-10
        slug = "Summer Trip"
        tags = ["Go"]
        +++
        ![Cover](cover.svg) and [back]({{< relref "/posts/first-post.md" >}}).
        """,
    "content/posts/trip-photos/cover.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
    "content/posts/2023-07-01-C# Notes.md": """\
        +++
        title = "C# Notes"
        date = 2023-07-01
        +++
        [first]({{< ref "first-post" >}})
        """,
}


def test_a_hugo_site_keeps_its_urls(write_site: WriteSite, runner: CliRunner) -> None:
    root = write_site(HUGO_SITE)
    result = runner.invoke(cli, ["build", str(root)])
    assert result.exit_code == 0, result.output
    out = root / "public"
    built = files(out)
    # 00:30 in Paris is 2023-04-30 in UTC, but Hugo dates in the site's time zone: May
    assert {"2023/05/hello-world-c-go/index.html", "2023/06/summer-trip/index.html",
            "2023/06/summer-trip/cover.svg", "2023/07/c--notes/index.html", "tags/go/index.html",
            "tags/c/index.html"} <= built
    assert not any(name.startswith("posts/") for name in built)
    first = (out / "2023/05/hello-world-c-go/index.html").read_text()
    assert 'href="/2023/06/summer-trip/"' in first and 'href="/tags/c/"' in first
    assert 'href="/2023/05/hello-world-c-go/"' in (out / "2023/07/c--notes/index.html").read_text()
    # Hugo's folder c#-notes, linked as c%23-notes, is no folder sitegen writes: it redirects
    assert "/2023/07/c%23-notes/ /2023/07/c--notes/ 301" in (out / "_redirects").read_text().splitlines()
    assert "https://example.github.io/2023/06/summer-trip/" in (out / "sitemap.xml").read_text()
    result = runner.invoke(cli, ["check", str(root)])
    assert result.exit_code == 0, result.output
