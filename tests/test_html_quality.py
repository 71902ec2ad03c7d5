"""What a reader's browser and a feed reader get: valid HTML, sound feeds and sitemap, a light theme.

Two sites are checked: the demo (the repository root) and a generated 200-post site with the
Markdown a real blog has (headings, code, tables, footnotes, excerpts cut with <!--more-->, tags
with capitals, symbols and non-ASCII letters), served under a subpath. Every HTML page must parse
without a single error under html5lib's strict HTML5 parser and have unique ids; the feeds of the
generated site must satisfy feedparser (the demo's are covered in test_feeds.py); the sitemaps
follow the sitemaps.org protocol. The theme must use no JavaScript and no web fonts, and a post
page with its CSS must stay under 30 KB before compression.
"""

from __future__ import annotations

import functools
import random
import re
import struct
import warnings
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from textwrap import dedent
from typing import Any
from urllib.parse import unquote, urlsplit

import feedparser
import html5lib
import pytest

from sitegen.builder import build
from sitegen.config import load_config
from tests.conftest import NOW, REPO
from tests.feed_support import json_feed_problems

BIG_BASE = "https://example.org/blog/"
HTML_NS = "{http://www.w3.org/1999/xhtml}"
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
POST_BUDGET = 30_000  # bytes: a post page plus the CSS it links, before compression
DOCS = REPO / "docs"
SCREENSHOT_BUDGET = 300 * 1024


# --- the sites ------------------------------------------------------------------------------

TAGS = [
    "Python", "C++", "C#", ".NET", "Café culture", "naïve Bayes", "日本語", "R&D",
    "Q&A <basics>", "AI/ML", "Zürich", "Rock 'n' Roll", "50% off", "Node.js", "paradigm shift in AI",
    "Ελληνικά", "x86-64", "DevOps", "open source", "Straße",
]
AUTHORS = ["Ann O'Neil & <Co>", "Bob", "Zoë Example"]
# With hierarchy: a parent, its children, and names in other scripts
CATEGORIES = ["Essays", "Notes/Short", "Notes/Long & <winding>", "Ελληνικά/Σημειώσεις", "日本語", "R&D"]


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _big_post(number: int, rng: random.Random) -> str:
    """One post; which features it has depends on its number, so every kind appears many times."""
    tags = rng.sample(TAGS, rng.randint(1, 4))
    date = datetime(2020, 1, 1, 9, 30, tzinfo=UTC) + timedelta(hours=7 * number * 31)
    title = [f"Post {number}: notes & <findings>", f"Über „Qualität“ — part {number}",
             f'The "{number}" problem', f"日本語のポスト {number}", f"C++ vs C# #{number}"][number % 5]
    lead = (f"Post {number} opens with a paragraph that has *emphasis*, `inline <code>` and an "
            f"ampersand & a less-than sign < in plain text.")
    if number % 4 == 0:
        lead += " It also cites a source.[^src]"
    parts = [lead]
    if number % 3 == 0:
        parts.append("<!--more-->")
    parts.append(dedent(f"""
        ## Background

        Some context, with a [link to an earlier post](/posts/post-{max(number - 1, 0):03d}/) and
        a word in Ελληνικά and 日本語.

        ### Details

        ```python
        def post_{number}(value: int) -> str:
            \"\"\"Return <html> & friends.\"\"\"
            return f"{{value!r}} & <b>{{value}}</b>"  # {"a comment that is long " * 3}
        ```

        ## Notes

        | Name | Value | Comment |
        |------|------:|---------|
        | alpha | {number} | `a|b` is not a pipe here |
        | beta | {number * 2} | café & co |

        ## Notes

        The same heading text twice in one post must still give two different ids.[^note]

            indented code block with <angle brackets>

        Term
        :   A definition list entry.

        !!! note "Watch out"
            An admonition with **bold** text.
        """).strip())
    if number % 4 == 0:
        parts.append("[^src]: The source, with a [link](https://example.com/?a=1&b=2).")
    parts.append(f"[^note]: A footnote of post {number}.")
    front = ["---", f"title: {_quoted(title)}", f"date: {date.isoformat()}",
             "tags: [" + ", ".join(_quoted(t) for t in tags) + "]"]
    if number % 4:
        front.append(f"category: {_quoted(CATEGORIES[number % len(CATEGORIES)])}")
    if number % 50 == 7:
        front.append("draft: true")
    if number % 10 == 3:
        front.append(f"summary: {_quoted(f'Summary of post {number} with <symbols> & quotes.')}")
    if number % 7 == 1:  # the others are the site's author's
        front.append(f"author: {_quoted(AUTHORS[0])}")
    elif number % 11 == 2:
        front.append("authors: [" + ", ".join(_quoted(a) for a in AUTHORS[1:]) + "]")
    return "\n".join([*front, "---", "", "\n\n".join(parts), ""])


def write_big_site(root: Path, posts: int = 200) -> Path:
    rng = random.Random(7)
    (root / "content" / "posts").mkdir(parents=True)
    (root / "content" / "pages").mkdir(parents=True)
    (root / "sitegen.yaml").write_text(
        f"title: Big & <bold> blog\ndescription: 200 posts, tags in many scripts\n"
        f"author: Zoë Example\nbase_url: {BIG_BASE}\nlanguage: en\ncategories: {{hierarchy: true}}\n",
        encoding="utf-8")
    (root / "authors.yaml").write_text(
        "Bob:\n  bio: Writes *short* notes & <b>long</b> ones; [his first](/posts/post-002/).\n"
        "  links: ['https://social.example/@bob?a=1&b=2', 'mailto:bob@example.org']\n", encoding="utf-8")
    (root / "content" / "pages" / "about.md").write_text(
        "---\ntitle: About “us”\n---\n\nA page, with a [post](/posts/post-001/).\n", encoding="utf-8")
    for number in range(posts):
        (root / "content" / "posts" / f"post-{number:03d}.md").write_text(
            _big_post(number, rng), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("quality-demo") / "public"
    build(load_config(REPO, now=NOW, output_dir=output))
    return output


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_big_site(tmp_path_factory.mktemp("quality-big") / "site")
    output = root.parent / "public"
    build(load_config(root, now=datetime(2026, 1, 1, tzinfo=UTC), output_dir=output))
    return output


def html_pages(output: Path) -> list[Path]:
    return sorted(output.rglob("*.html"))


@functools.cache
def parse_strict(path: Path) -> Any:
    """The page's element tree, or a failed assertion with every parse error and its line."""
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=True)
    try:
        return parser.parse(path.read_bytes())
    except html5lib.html5parser.ParseError:
        errors = [f"line {line}:{col}: {code} {data}" for (line, col), code, data in parser.errors]
        raise AssertionError(f"{path}: not valid HTML5:\n" + "\n".join(errors)) from None


def _tag(element: Any) -> str:
    return str(element.tag).removeprefix(HTML_NS)


def page_problems(path: Path) -> list[str]:
    """Parse errors, duplicate ids and in-page links to missing ids of one page."""
    try:
        tree = parse_strict(path)
    except AssertionError as error:
        return [str(error)]
    ids = Counter(e.get("id") for e in tree.iter() if isinstance(e.tag, str) and e.get("id"))
    problems = [f"{path}: id {name!r} appears {n} times" for name, n in ids.items() if n > 1]
    for element in tree.iter(f"{HTML_NS}a"):
        href = element.get("href", "")
        if href.startswith("#") and len(href) > 1 and unquote(href[1:]) not in ids:
            problems.append(f"{path}: link to #{href[1:]} but no element has that id")
    return problems


# --- 1. validity ----------------------------------------------------------------------------

def test_the_strict_parser_rejects_what_it_should(tmp_path: Path) -> None:
    """The checks below are only worth something if they catch a broken page."""
    broken = tmp_path / "broken.html"
    broken.write_text("<!doctype html><title>x</title><p id=a>one</div><p id=a>two", "utf-8")
    problems = page_problems(broken)
    assert problems and "not valid HTML5" in problems[0]
    duplicate = tmp_path / "duplicate.html"
    duplicate.write_text("<!doctype html><title>x</title><p id=a>1<p id=a>2<a href=#b>b</a>", "utf-8")
    assert page_problems(duplicate) == [f"{duplicate}: id 'a' appears 2 times",
                                        f"{duplicate}: link to #b but no element has that id"]


def test_every_demo_page_is_valid_html5_with_unique_ids(demo: Path) -> None:
    pages = html_pages(demo)
    assert len(pages) > 30
    problems = [problem for page in pages for problem in page_problems(page)]
    assert not problems, "\n".join(problems)


def test_the_generated_site_has_what_the_checks_are_meant_for(big: Path) -> None:
    post = (big / "posts" / "post-012" / "index.html").read_text("utf-8")
    for needle in ('class="footnote"', "<table tabindex=\"0\">", 'class="highlight"', 'class="toc"',
                   'id="notes"', 'id="notes_1"', 'class="admonition note"', "<dl>"):
        assert needle in post, needle
    assert len(list(big.glob("posts/*/index.html"))) == 196  # 4 of the 200 are drafts
    assert (big / "page" / "2" / "index.html").is_file()
    tag_slugs = {p.parent.name for p in big.glob("tags/*/index.html")}
    assert {"cpp", "csharp", "dotnet", "cafe-culture", "zurich"} <= tag_slugs
    assert any(big.glob("tags/*/page/2/index.html")), "a paginated tag page"
    category_slugs = {p.relative_to(big / "categories").parent.as_posix()
                      for p in big.glob("categories/**/index.html")}
    assert {".", "essays", "notes", "notes/long-and-winding", "ellenika/semeioseis"} <= category_slugs
    assert (big / "categories/notes/page/2/index.html").is_file(), "a paginated category page"
    assert (big / "2020/page/2/index.html").is_file(), "a paginated year archive"
    assert (big / "2021/03/index.html").is_file(), "a month archive"
    author_slugs = {p.parent.name for p in big.glob("authors/*/index.html")}
    assert author_slugs == {"ann-o-neil-and-co", "bob", "zoe-example"}
    assert (big / "authors/zoe-example/page/2/index.html").is_file(), "a paginated author page"
    assert "rel=\"me\"" in (big / "authors/bob/index.html").read_text("utf-8")


def test_every_page_of_a_200_post_site_is_valid_html5_with_unique_ids(big: Path) -> None:
    pages = html_pages(big)
    assert len(pages) > 250
    problems = [problem for page in pages for problem in page_problems(page)]
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:50])


def _parse_feed(data: bytes) -> Any:
    with warnings.catch_warnings():  # a deprecation inside feedparser is not ours to fail on
        warnings.simplefilter("ignore")
        return feedparser.parse(data)


def test_every_feed_of_a_200_post_site_parses_without_bozo(big: Path) -> None:
    """In each format: Atom and RSS read by feedparser, JSON Feed checked against its spec."""
    categories = sorted(big.glob("categories/**/feed.xml"))
    authors = sorted(big.glob("authors/*/feed.xml"))
    feeds = [big / "feed.xml", *sorted(big.glob("tags/*/feed.xml")), *categories, *authors]
    assert len(feeds) == 1 + len(list(big.glob("tags/*/index.html"))) + len(categories) + len(authors)
    pages = [p for p in big.glob("categories/*/**/index.html") if "page" not in p.parts]
    assert len(categories) == len(pages) == 8 and len(authors) == 3
    problems: dict[str, object] = {}
    for atom in feeds:
        for path, version in ((atom, "atom10"), (atom.with_name("rss.xml"), "rss20")):
            parsed = _parse_feed(path.read_bytes())
            titles = [entry.title for entry in parsed.entries]
            if parsed.bozo or parsed.version != version or not titles or not all(titles):
                problems[path.relative_to(big).as_posix()] = (
                    parsed.version, len(titles), repr(parsed.get("bozo_exception")))
        json_feed = atom.with_name("feed.json")
        if found := json_feed_problems(json_feed.read_bytes(), BIG_BASE):
            problems[json_feed.relative_to(big).as_posix()] = found[:5]
    assert not problems
    site = _parse_feed((big / "feed.xml").read_bytes())
    assert any("<findings>" in entry.title for entry in site.entries), "titles keep their symbols"


# The protocol, https://www.sitemaps.org/protocol.html: W3C datetime (https://www.w3.org/TR/NOTE-datetime).
_W3C_DATETIME = re.compile(
    r"\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?)?)?")
_URL_CHILDREN = {"loc", "lastmod", "changefreq", "priority"}
_CHANGEFREQ = {"always", "hourly", "daily", "weekly", "monthly", "yearly", "never"}


def sitemap_problems(path: Path, base_url: str) -> list[str]:
    data = path.read_bytes()
    problems = []
    if len(data) > 50 * 1024 * 1024:
        problems.append(f"{len(data)} bytes: over the 50 MB (52,428,800 bytes) limit")
    if not re.match(rb'<\?xml version="1\.0" encoding="(?i:utf-8)"\?>', data):
        problems.append("does not start with an XML declaration naming UTF-8")
    root = ET.fromstring(data)
    if root.tag != f"{SITEMAP_NS}urlset":
        return [*problems, f"root element is {root.tag}, not urlset in the sitemaps.org namespace"]
    urls = list(root)
    if not 0 < len(urls) <= 50_000:
        problems.append(f"{len(urls)} <url> entries; the protocol allows 1 to 50,000")
    seen: set[str] = set()
    for number, url in enumerate(urls, 1):
        where = f"<url> #{number}"
        if url.tag != f"{SITEMAP_NS}url":
            problems.append(f"{where}: {url.tag} where only <url> may stand")
            continue
        names = [child.tag.removeprefix(SITEMAP_NS) for child in url
                 if child.tag.startswith(SITEMAP_NS)]
        for name, count in Counter(names).items():
            if name not in _URL_CHILDREN:
                problems.append(f"{where}: unknown child <{name}>")
            elif count > 1:
                problems.append(f"{where}: {count} <{name}> elements, at most one allowed")
        loc = url.findtext(f"{SITEMAP_NS}loc")
        if names.count("loc") != 1 or loc is None:
            problems.append(f"{where}: needs exactly one <loc>")
            continue
        parts = urlsplit(loc)
        if loc != loc.strip() or not (parts.scheme in ("http", "https") and parts.netloc):
            problems.append(f"{where}: <loc> {loc!r} is not an absolute http(s) URL")
        if not loc.startswith(base_url):
            problems.append(f"{where}: <loc> {loc} is outside {base_url}")
        if len(loc) >= 2048 or re.search(r"[\s<>\"{}|\\^`]", loc):
            problems.append(f"{where}: <loc> {loc!r} is too long or not URL-escaped")
        if loc in seen:
            problems.append(f"{where}: <loc> {loc} listed twice")
        seen.add(loc)
        lastmod = url.findtext(f"{SITEMAP_NS}lastmod")
        if lastmod is not None and not _W3C_DATETIME.fullmatch(lastmod):
            problems.append(f"{where}: <lastmod> {lastmod!r} is not a W3C datetime")
        changefreq = url.findtext(f"{SITEMAP_NS}changefreq")
        if changefreq is not None and changefreq not in _CHANGEFREQ:
            problems.append(f"{where}: <changefreq> {changefreq!r}")
        priority = url.findtext(f"{SITEMAP_NS}priority")
        if priority is not None and not (re.fullmatch(r"[01](\.\d+)?", priority)
                                         and 0 <= float(priority) <= 1):
            problems.append(f"{where}: <priority> {priority!r} is not within 0.0 to 1.0")
    return problems


def test_the_sitemap_check_catches_a_broken_sitemap(tmp_path: Path) -> None:
    bad = tmp_path / "sitemap.xml"
    bad.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<urlset xmlns="{SITEMAP_NS[1:-1]}"><url><loc>/posts/x/</loc><lastmod>2025-01-28 10:00'
        "</lastmod></url><url><loc>https://example.org/blog/a/</loc>"
        "<loc>https://example.org/blog/b/</loc></url><url><lastmod>2025</lastmod></url></urlset>",
        "utf-8")
    problems = sitemap_problems(bad, BIG_BASE)
    assert any("not an absolute" in p for p in problems)
    assert any("not a W3C datetime" in p for p in problems)
    assert any("2 <loc> elements" in p for p in problems)
    assert any("#3: needs exactly one <loc>" in p for p in problems)


def test_the_demo_sitemap_follows_the_sitemaps_org_protocol(demo: Path) -> None:
    assert not sitemap_problems(demo / "sitemap.xml", "https://example.org/")


def test_the_200_post_sitemap_follows_the_protocol_and_lists_every_page(big: Path) -> None:
    assert not sitemap_problems(big / "sitemap.xml", BIG_BASE)
    locs = {loc.text for loc in ET.parse(big / "sitemap.xml").getroot().iter(f"{SITEMAP_NS}loc")}
    missing = []
    for page in html_pages(big):  # every page a search engine should see, paginated ones too
        relative = page.relative_to(big).as_posix()
        if relative != "404.html" and 'name="robots" content="noindex' not in page.read_text("utf-8"):
            if BIG_BASE + relative.removesuffix("index.html") not in locs:
                missing.append(relative)
    assert not missing, f"{len(missing)} pages missing from the sitemap: {missing[:20]}"


# --- 4. weight ------------------------------------------------------------------------------

_FONT_FILE = re.compile(r"\.(woff2?|ttf|otf|eot)\b", re.IGNORECASE)


@pytest.mark.parametrize("site", ["demo", "big"])
def test_pages_carry_no_javascript_and_no_web_fonts(site: str, request: pytest.FixtureRequest
                                                    ) -> None:
    output: Path = request.getfixturevalue(site)
    problems = []
    for page in html_pages(output):
        tree = parse_strict(page)
        name = page.relative_to(output).as_posix()
        for element in tree.iter():
            if not isinstance(element.tag, str):
                continue
            tag = _tag(element)
            # JSON-LD is data a browser never runs: inline, of its own type
            if tag == "script" and (element.get("type") != "application/ld+json" or element.get("src")):
                problems.append(f"{name}: <script>")
            for attribute, value in element.attrib.items():
                if attribute.lower().startswith("on"):
                    problems.append(f"{name}: <{tag} {attribute}=...> event handler")
                if value.strip().lower().startswith("javascript:"):
                    problems.append(f"{name}: <{tag} {attribute}={value!r}>")
            if tag == "link":
                href = element.get("href", "")
                if _FONT_FILE.search(href) or "font" in element.get("as", "") or \
                        (element.get("rel") == "stylesheet" and urlsplit(href).netloc):
                    problems.append(f"{name}: <link href={href!r}> loads a font or remote CSS")
            if tag == "style" and re.search(r"@font-face|@import|url\(", element.text or "", re.I):
                problems.append(f"{name}: <style> loads a font or another file")
    for css in sorted(output.rglob("*.css")):
        text = css.read_text("utf-8")
        for pattern in (r"@font-face", r"@import", r"url\("):
            if re.search(pattern, text, re.IGNORECASE):
                problems.append(f"{css.relative_to(output)}: {pattern.replace(chr(92), '')}")
    assert not problems, "\n".join(problems[:50])


def test_the_theme_stylesheet_names_only_installed_font_families() -> None:
    css = (REPO / "sitegen" / "theme" / "static" / "css" / "style.css").read_text("utf-8")
    assert not re.search(r"@font-face|@import|url\(", css, re.IGNORECASE)
    families = re.findall(r"font(?:-family)?\s*:[^;}]*", css)
    assert families, "the theme sets its fonts"
    for declaration in families:
        assert re.search(r"\b(sans-serif|serif|monospace|system-ui)\b", declaration), \
            f"{declaration!r} ends without a generic family: a missing font would fall back oddly"


def _dark_blocks(css: str) -> tuple[str, str]:
    """The stylesheet split into (outside, inside) its prefers-color-scheme: dark blocks."""
    outside, inside, rest = [], [], css
    while (start := rest.find("@media (prefers-color-scheme: dark)")) >= 0:
        outside.append(rest[:start])
        opening = rest.index("{", start)
        depth, end = 0, opening
        for end in range(opening, len(rest)):
            depth += {"{": 1, "}": -1}.get(rest[end], 0)
            if depth == 0:
                break
        inside.append(rest[opening + 1:end])
        rest = rest[end + 1:]
    return "".join(outside) + rest, "".join(inside)


def _relative_luminance(hex_color: str) -> float:
    digits = hex_color.lstrip("#")
    digits = "".join(c * 2 for c in digits) if len(digits) == 3 else digits
    channels = [int(digits[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_relative_luminance(a), _relative_luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


_TOKEN_RULE = re.compile(r"\.highlight \.(\w+) \{([^}]*)\}")


def test_every_code_token_color_is_readable_in_both_schemes() -> None:
    """axe only sees the tokens the demo happens to use; this checks every Pygments class."""
    css = (REPO / "sitegen" / "theme" / "static" / "css" / "style.css").read_text("utf-8")
    problems = []
    for scheme, block in zip(("light", "dark"), _dark_blocks(css), strict=True):
        code_bg = re.search(r"--code-bg:\s*(#[0-9a-fA-F]{3,6})", block)
        assert code_bg, f"{scheme}: no --code-bg"
        rules = {name: body for name, body in _TOKEN_RULE.findall(block)}
        assert len(rules) > 40, f"{scheme}: the Pygments rules are missing"
        highlighted = re.search(r"background-color:\s*(#\w+)", rules.get("hll", ""))
        for name, body in rules.items():
            color = re.search(r"(?<![-\w])color:\s*(#[0-9a-fA-F]{3,6})", body)
            if not color:
                continue
            own = re.search(r"background-color:\s*(#[0-9a-fA-F]{3,6})", body)
            grounds = [own.group(1)] if own else [code_bg.group(1)] + (
                [highlighted.group(1)] if highlighted else [])
            for ground in grounds:
                ratio = _contrast(color.group(1), ground)
                if ratio < 4.5:
                    problems.append(f"{scheme}: .{name} {color.group(1)} on {ground}: {ratio:.2f}")
    assert not problems, "under 4.5:1 (WCAG AA):\n" + "\n".join(problems)


def _stylesheets(page: Path, output: Path) -> list[Path]:
    tree = parse_strict(page)
    files = []
    for link in tree.iter(f"{HTML_NS}link"):
        if "stylesheet" in link.get("rel", "").split():
            path = urlsplit(link.get("href", "")).path
            files.append(output / unquote(path).lstrip("/"))
    return files


def test_every_demo_post_with_its_css_is_under_30_kb(demo: Path) -> None:
    posts = sorted(demo.glob("posts/*/index.html"), key=lambda p: p.stat().st_size)
    assert posts
    sizes = {}
    for page in posts:
        sheets = _stylesheets(page, demo)
        assert sheets and all(s.is_file() for s in sheets), f"{page}: {sheets}"
        sizes[page.parent.name] = page.stat().st_size + sum(s.stat().st_size for s in sheets)
    longest = posts[-1].parent.name  # the biggest page: the longest post, TOC and code included
    over = {name: size for name, size in sizes.items() if size >= POST_BUDGET}
    assert not over, f"over {POST_BUDGET} bytes with CSS (longest: {longest}, {sizes[longest]}): {over}"


def test_readme_screenshots_are_committed_and_small() -> None:
    """docs/screenshot-*.png: regenerate with SITEGEN_SCREENSHOTS=docs (see tests/test_layout.py)."""
    for name, width in (("desktop", 1280), ("phone", 375)):
        path = DOCS / f"screenshot-{name}.png"
        assert path.is_file(), f"{path} is missing"
        data = path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
        png_width, _ = struct.unpack(">II", data[16:24])
        assert png_width in (width, 2 * width), f"{path}: {png_width} px wide"
        assert len(data) < SCREENSHOT_BUDGET, f"{path}: {len(data)} bytes"
