"""Atom feeds and the sitemap of the demo site, read back by an XML parser and by feedparser.

The demo is built with base URL https://example.org/blog/, so every absolute URL in the feeds
and the sitemap must carry the /blog/ path.
"""

from __future__ import annotations

import json
import re
import warnings
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag

import feedparser
import pytest
import yaml

from sitegen.builder import build
from sitegen.config import load_config
from sitegen.errors import BuildError
from tests import feed_support
from tests.conftest import NOW, REPO, WriteSite, config_for, post

BASE = "https://example.org/blog/"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
LATER = datetime(2031, 6, 15, 12, 30, tzinfo=UTC)  # a second clock, after every demo post
_DATED = re.compile(r"^\d{4}-\d{2}-\d{2}-")


def build_demo(output: Path, *, now: datetime = NOW, drafts: bool = False) -> Path:
    build(load_config(REPO, now=now, output_dir=output, base_url=BASE, drafts=drafts))
    return output


def feeds_of(output: Path) -> list[Path]:
    return [output / "feed.xml", *sorted(output.glob("tags/*/feed.xml"))]


def relative(paths: list[Path], output: Path) -> list[str]:
    return [p.relative_to(output).as_posix() for p in paths]


def parse_feed(data: bytes) -> Any:
    # feedparser is quiet on this Python; the guard keeps a future deprecation inside
    # feedparser from failing these tests under filterwarnings = error.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return feedparser.parse(data)


def when(text: str | None) -> datetime:
    assert text, "missing date"
    return datetime.fromisoformat(text)


@dataclass(frozen=True)
class Source:
    """A post file of the demo, read independently of sitegen's parser."""

    path: Path
    slug: str
    title: str
    draft: bool

    @property
    def url(self) -> str:
        return f"{BASE}posts/{self.slug}/"


def demo_posts() -> list[Source]:
    sources = []
    for path in sorted((REPO / "content" / "posts").rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        front = yaml.safe_load(text.split("\n---", 1)[0].removeprefix("---\n"))
        slug = front.get("slug") or _DATED.sub("", path.stem)
        sources.append(Source(path, slug, front["title"], front.get("draft") is True))
    return sources


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo(tmp_path_factory.mktemp("feeds") / "public")


def test_feeds_and_sitemap_are_well_formed_xml(demo: Path) -> None:
    tag_pages = sorted(demo.glob("tags/*/index.html"))
    feeds = feeds_of(demo)
    assert len(feeds) == 1 + len(tag_pages), "every tag page has a feed"
    for path in [*feeds, demo / "sitemap.xml"]:
        root = ET.parse(path).getroot()
        expected = f"{SITEMAP}urlset" if path.name == "sitemap.xml" else f"{ATOM}feed"
        assert root.tag == expected, path


def test_feedparser_reads_every_feed_without_bozo(demo: Path) -> None:
    problems = {}
    for path in feeds_of(demo):
        parsed = parse_feed(path.read_bytes())
        if parsed.bozo or parsed.version != "atom10" or not parsed.entries:
            problems[path.relative_to(demo).as_posix()] = (
                parsed.version, len(parsed.entries), repr(parsed.get("bozo_exception")))
    assert not problems


def test_every_entry_has_an_absolute_link_and_an_id(demo: Path) -> None:
    for path in feeds_of(demo):
        feed = ET.parse(path).getroot()
        self_link = feed.find(f"{ATOM}link[@rel='self']")
        assert self_link is not None
        own = BASE + path.relative_to(demo).as_posix()
        page = path.parent / "index.html"
        if 'http-equiv="refresh"' in page.read_text("utf-8"):  # an old tag URL: the feed is the new one's
            canonical = self_link.get("href", "")
            assert canonical != own and (demo / canonical.removeprefix(BASE)).is_file()
        else:
            assert self_link.get("href") == own
        ids = []
        for entry in feed.iter(f"{ATOM}entry"):
            link = entry.find(f"{ATOM}link[@rel='alternate']")
            entry_id = entry.findtext(f"{ATOM}id")
            assert link is not None, path
            href = link.get("href", "")
            assert href.startswith(BASE + "posts/") and href.endswith("/"), (path, href)
            assert (demo / href.removeprefix(BASE) / "index.html").is_file(), f"{path}: {href} 404s"
            assert entry_id and entry_id.strip() == entry_id, (path, entry_id)
            ids.append(entry_id)
        assert ids and len(ids) == len(set(ids)), f"{path}: entry ids must be unique"


def test_feedparser_sees_the_same_links_and_ids(demo: Path) -> None:
    parsed = parse_feed((demo / "feed.xml").read_bytes())
    assert parsed.entries
    for entry in parsed.entries:
        assert entry.link.startswith(BASE + "posts/"), entry.link
        assert entry.id == entry.link  # a post's id is its permanent URL


class _Links(HTMLParser):
    """The href/src values and the element ids of an HTML text."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)
            elif name in ("href", "src") and value:
                self.links.append(value)


def test_links_in_entry_content_resolve_to_the_right_page(demo: Path) -> None:
    broken = set()
    checked = 0
    for path in feeds_of(demo):
        for entry in parse_feed(path.read_bytes()).entries:
            for href in _Links(entry.content[0].value).links:  # resolved by feedparser
                if not href.startswith(BASE):
                    continue
                checked += 1
                target, fragment = urldefrag(href)
                page = demo / target.removeprefix(BASE)
                page = page / "index.html" if target.endswith("/") else page
                if not page.is_file():
                    broken.add(f"{entry.link}: {href} (no such page)")
                elif fragment and unquote(fragment) not in _Links(page.read_text("utf-8")).ids:
                    broken.add(f"{entry.link}: {href} (no such id on that page)")
    assert checked, "no link to the site in any entry: nothing was checked"
    assert not broken, (f"{len(broken)} links in feed content lead nowhere:\n"
                        + "\n".join(sorted(broken)))


def test_two_builds_give_identical_feeds(demo: Path, tmp_path: Path) -> None:
    again = build_demo(tmp_path / "elsewhere" / "site")
    names = relative(feeds_of(demo), demo)
    assert relative(feeds_of(again), again) == names
    for name in names:
        first, second = ET.parse(demo / name).getroot(), ET.parse(again / name).getroot()
        assert [e.findtext(f"{ATOM}id") for e in first.iter(f"{ATOM}entry")] == \
               [e.findtext(f"{ATOM}id") for e in second.iter(f"{ATOM}entry")], name
        assert (demo / name).read_bytes() == (again / name).read_bytes(), name
    assert (demo / "sitemap.xml").read_bytes() == (again / "sitemap.xml").read_bytes()


def test_feed_updated_is_the_newest_entry_not_the_clock(demo: Path, tmp_path: Path) -> None:
    later = build_demo(tmp_path / "later", now=LATER)
    for path in feeds_of(demo):
        name = path.relative_to(demo).as_posix()
        feed = ET.parse(path).getroot()
        updated = when(feed.findtext(f"{ATOM}updated"))
        entries = [when(e.findtext(f"{ATOM}updated")) for e in feed.iter(f"{ATOM}entry")]
        assert updated == max(entries), name
        assert updated < NOW, name
        assert ET.parse(later / name).getroot().findtext(f"{ATOM}updated") == \
               feed.findtext(f"{ATOM}updated"), f"{name}: <updated> follows the clock"
        assert (later / name).read_bytes() == path.read_bytes(), f"{name} depends on the clock"


def test_sitemap_lists_every_public_page_once(demo: Path) -> None:
    sitemap = ET.parse(demo / "sitemap.xml").getroot()
    locs = [loc.text or "" for loc in sitemap.iter(f"{SITEMAP}loc")]
    assert len(locs) == len(set(locs)), "duplicate <loc>"
    outside = [loc for loc in locs if not loc.startswith(BASE)]
    assert not outside, f"not absolute under {BASE}: {outside}"
    posts = [s for s in demo_posts() if not s.draft]
    expected = {BASE, BASE + "tags/", BASE + "archive/", BASE + "about/"}
    expected |= {s.url for s in posts}
    expected |= {BASE + p.parent.relative_to(demo).as_posix() + "/"
                 for p in demo.glob("tags/*/**/index.html") if p.parent != demo / "tags"
                 and 'http-equiv="refresh"' not in p.read_text("utf-8")}  # redirects stay out
    assert len(expected) > 2 + len(posts), "the demo has tag pages"
    missing = sorted(expected - set(locs))
    assert not missing, f"missing from the sitemap: {missing}"
    assert not [loc for loc in locs if loc.endswith((".xml", "404.html", ".txt"))]


def test_the_draft_is_in_no_feed_and_not_in_the_sitemap(demo: Path) -> None:
    drafts = [s for s in demo_posts() if s.draft]
    assert len(drafts) == 1, "the demo has one draft"
    draft = drafts[0]
    needle = draft.url.encode()
    title = draft.title.encode()
    for path in [*feeds_of(demo), demo / "sitemap.xml"]:
        data = path.read_bytes()
        assert needle not in data and title not in data, f"{draft.path.name} leaks into {path}"
    assert not (demo / "posts" / draft.slug).exists()


def test_the_draft_check_would_see_a_draft(tmp_path: Path) -> None:
    """With --drafts the same draft is in the feed: the test above looks in the right place."""
    output = build_demo(tmp_path / "with-drafts", drafts=True)
    (draft,) = [s for s in demo_posts() if s.draft]
    feed = ET.parse(output / "feed.xml").getroot()
    ids = [e.findtext(f"{ATOM}id") for e in feed.iter(f"{ATOM}entry")]
    assert draft.url in ids


def test_a_title_with_markup_characters(write_site: WriteSite, tmp_path: Path) -> None:
    """(A control character such as \\v in a title is an error: test_reliability, p4.)"""
    title = 'Tom & Jerry <b>bold</b> "quoted" end'
    root = write_site({
        "sitegen.yaml": "title: Scratch & <co>\nbase_url: https://example.org/blog/\n",
        "content/posts/odd-title.md": post(title=r'"Tom & Jerry <b>bold</b> \"quoted\" end"', tags="[odd]"),
    })
    build(config_for(root, output_dir=tmp_path / "out"))
    for name in ("feed.xml", "tags/odd/feed.xml"):
        data = (tmp_path / "out" / name).read_bytes()
        ET.fromstring(data)
        parsed = parse_feed(data)
        assert not parsed.bozo, (name, parsed.get("bozo_exception"))
        (entry,) = parsed.entries
        assert entry.title == title
        assert entry.link == "https://example.org/blog/posts/odd-title/"
    assert parse_feed((tmp_path / "out" / "feed.xml").read_bytes()).feed.title == "Scratch & <co>"


def test_a_post_id_is_its_feed_entry_id(write_site: WriteSite, tmp_path: Path) -> None:
    """`id:` keeps the id an old feed gave the post (an imported WordPress guid), so readers do
    not see it again as new; a post without one keeps its URL; a number (as Jekyll's importers
    write) is a value for templates, not an id."""
    root = write_site({
        "content/posts/old.md": post("Old", "2020-01-01", id='"http://old.example.net/?p=17"'),
        "content/posts/new.md": post("New", "2020-01-02"),
        "content/posts/numbered.md": post("Numbered", "2020-01-03", id="42"),
    })
    out = tmp_path / "out"
    report = build(config_for(root, output_dir=out, base_url=BASE))
    entries = {e.title: e for e in parse_feed((out / "feed.xml").read_bytes()).entries}
    assert entries["Old"].id == "http://old.example.net/?p=17"
    assert entries["New"].id == BASE + "posts/new/"
    assert entries["Numbered"].id == BASE + "posts/numbered/"
    assert not [w for w in report.warnings if "numbered" in w.path]


# --- every reader's format: Atom, RSS 2.0 and JSON Feed 1.1 ------------------------------------

FORMAT_SITE = {
    "sitegen.yaml": f"title: Notes & <co>\nbase_url: {BASE}\nauthor: Ann\nposts_per_page: 2\n",
    "content/posts/trip/index.md": post(
        '"Trip & \\"quotes\\" <b>"', "2025-01-03", tags="[travel]", categories="[Journal]", author="Bob",
        body="![Cat](cat.svg) See [the other](/posts/second/) and [below](#notes).\n\n"
             "## Notes\n\nA form feed \f is no XML."),
    "content/posts/trip/cat.svg": "<svg/>",
    "content/posts/second.md": post("Second", "2025-01-02", tags="[travel, food]",
                                    body="Back to [the trip](trip/index.md)."),
    "content/posts/first.md": post("First", "2025-01-01", tags="[food]", categories="[Journal]"),
}
FEED_FOLDERS = ("", "tags/travel/", "categories/journal/", "authors/bob/", "authors/ann/")


def test_every_feed_is_valid_in_every_format_with_the_same_entries(write_site: WriteSite,
                                                                     tmp_path: Path) -> None:
    """Under a subpath: RSS and JSON Feed have Atom's entries, ids and content, every link in the
    content absolute (Atom's made so by xml:base, which feedparser follows)."""
    root = write_site(FORMAT_SITE)
    out = tmp_path / "out"
    build(config_for(root, output_dir=out))
    for folder in FEED_FOLDERS:
        found = feed_support.entries(out / folder, BASE)
        atom = found["feed.xml"]
        assert atom, folder
        for name in ("rss.xml", "feed.json"):
            assert [e[:3] for e in found[name]] == [e[:3] for e in atom], (folder, name)
            assert [e[3] for e in found[name]] == [e[3] for e in atom], (folder, name)
    rss = feed_support.parse_feed((out / "rss.xml").read_bytes())
    trip = rss.entries[0]
    assert trip.title == 'Trip & "quotes" <b>' and trip.author == "Bob"
    assert set(feed_support.links(trip.content[0].value)) == {  # the heading's own link is #notes too
        BASE + "posts/trip/cat.svg", BASE + "posts/second/", BASE + "posts/trip/#notes"}
    assert "\f" not in (out / "rss.xml").read_text("utf-8")  # XML 1.0 has no form feed
    assert [t.term for t in trip.tags] == ["Journal", "travel"]
    feed = json.loads((out / "feed.json").read_bytes())
    assert feed["items"][0]["authors"] == [{"name": "Bob", "url": BASE + "authors/bob/"}]
    assert feed["title"] == "Notes & <co>" and feed["feed_url"] == BASE + "feed.json"
    tag = json.loads((out / "tags/travel/feed.json").read_bytes())
    assert tag["feed_url"] == BASE + "tags/travel/feed.json" and tag["home_page_url"] == BASE + "tags/travel/"


def test_entry_ids_stay_when_the_permalinks_change(write_site: WriteSite, tmp_path: Path) -> None:
    """A post's id is the URL it has under the default pattern, which permalinks: does not move;
    posts that share a slug (on two days) still get two ids."""
    root = write_site({
        "content/posts/2024-05-01-notes.md": post("Notes 2024", "2024-05-01"),
        "content/posts/2025-05-01-notes.md": post("Notes 2025", "2025-05-01"),
        "content/posts/2025-06-01-other.md": post("Other", "2025-06-01", id='"urn:x:kept"'),
        "content/posts/2025-07-01-plain.md": post("Plain", "2025-07-01"),
    })
    seen: list[dict[str, dict[str, str]]] = []
    for number, pattern in enumerate(("/:year/:slug/", "/:year/:month/:day/:title.html")):
        (root / "sitegen.yaml").write_text(f"base_url: {BASE}\npermalinks: {{post: '{pattern}'}}\n")
        out = tmp_path / f"out{number}"
        build(config_for(root, output_dir=out), use_cache=False)
        found = feed_support.entries(out, BASE)
        ids = {name: {title: entry_id for entry_id, title, _, _ in items} for name, items in found.items()}
        assert ids["feed.xml"] == ids["rss.xml"] == ids["feed.json"]
        seen.append(ids["feed.xml"])
        rss = ET.parse(out / "rss.xml").getroot()
        permalinks = {item.findtext("title"): item.find("guid").get("isPermaLink")  # type: ignore[union-attr]
                      for item in rss.iter("item")}
        assert set(permalinks.values()) == {"false"}, "no id is the post's URL under this pattern"
    assert seen[0] == seen[1]
    assert seen[0] == {"Notes 2024": BASE + "posts/notes/", "Notes 2025": BASE + "posts/notes/#2025-05-01",
                       "Other": "urn:x:kept", "Plain": BASE + "posts/plain/"}


def test_feeds_chooses_the_formats(write_site: WriteSite, tmp_path: Path) -> None:
    root = write_site({"sitegen.yaml": f"base_url: {BASE}\nfeeds: [rss]\n",
                       "content/posts/a.md": post("A", tags="[x]")})
    out = tmp_path / "out"
    build(config_for(root, output_dir=out))
    feeds = sorted(p.relative_to(out).as_posix() for p in out.rglob("*")
                   if p.name.startswith(("feed", "rss")))
    assert feeds == ["rss.xml", "tags/x/rss.xml"]
    page = (out / "tags/x/index.html").read_text("utf-8")
    assert re.findall(r'<link rel="alternate" type="([^"]+)" title="[^"]*" href="([^"]+)"', page) == [
        ("application/rss+xml", "/blog/rss.xml"), ("application/rss+xml", "/blog/tags/x/rss.xml")]
    assert '<a href="/blog/rss.xml">Feed</a>' in page and 'href="/blog/tags/x/rss.xml">Feed for' in page


@pytest.mark.parametrize(("setting", "message", "hint"), [
    ("feeds: [atom, rsss]", "3:15: error: feeds: unknown feed format 'rsss'", "did you mean 'rss'?"),
    ("feeds: []", "3:8: error: feeds must be a list of feed formats", None),
    ("feed_aliases: {/feed/: rdf}", "3:16: error: feed_aliases: /feed/: unknown feed format 'rdf'",
     "the formats are atom, rss, json"),
    ("feed_aliases: {'/a b/': rss}", "3:16: error: feed_aliases: '/a b/' is not a path", None),
])
def test_a_wrong_feed_setting_is_a_located_error(write_site: WriteSite, setting: str, message: str,
                                                 hint: str | None) -> None:
    root = write_site({"sitegen.yaml": f"title: T\nbase_url: {BASE}\n{setting}\n"})
    with pytest.raises(BuildError) as raised:
        config_for(root)
    (error,) = raised.value.errors
    assert str(error).startswith(f"sitegen.yaml:{message}"), str(error)
    assert hint is None or hint in str(error)


def test_feed_aliases_write_copies_at_the_old_addresses(write_site: WriteSite, tmp_path: Path) -> None:
    """A folder address is written as its index.html, the file static hosts serve there; a path
    without a leading / is under every feed's folder (WordPress's /tag/<slug>/feed/)."""
    root = write_site({
        "sitegen.yaml": f"base_url: {BASE}\n"
                        "feed_aliases: {/feed/: rss, /index.xml: rss, /atom.xml: atom, feed/atom: atom}\n",
        "content/posts/a.md": post("A", tags="[x]")})
    out = tmp_path / "out"
    build(config_for(root, output_dir=out))
    copies = {"feed/index.html": "rss.xml", "index.xml": "rss.xml", "atom.xml": "feed.xml",
              "feed/atom/index.html": "feed.xml", "tags/x/feed/atom/index.html": "tags/x/feed.xml"}
    for copy, feed in copies.items():
        assert (out / copy).read_bytes() == (out / feed).read_bytes(), copy  # its self link is the feed's
    assert not (out / "tags/x/feed/index.html").exists(), "/feed/ is the site's alone"
    sitemap = (out / "sitemap.xml").read_text("utf-8")
    assert "feed/" not in sitemap and "index.xml" not in sitemap


def test_a_feed_alias_in_a_format_not_written_is_its_own_feed(write_site: WriteSite, tmp_path: Path) -> None:
    root = write_site({"sitegen.yaml": f"base_url: {BASE}\nfeeds: [atom]\nfeed_aliases: {{/feed/: rss}}\n",
                       "content/posts/a.md": post("A")})
    out = tmp_path / "out"
    build(config_for(root, output_dir=out))
    parsed = feed_support.parse_feed((out / "feed/index.html").read_bytes())
    assert not parsed.bozo and parsed.version == "rss20" and len(parsed.entries) == 1
    rss = ET.parse(out / "feed/index.html").getroot()
    assert rss.find("channel/{http://www.w3.org/2005/Atom}link").get("href") == BASE + "feed/"  # type: ignore[union-attr]


@pytest.mark.parametrize(("aliases", "other", "path"), [
    ("{/feed/: rss}", "content/pages/feed.md", "feed/index.html"),
    ("{/feed.xml: rss}", "the site feed", "feed.xml"),
])
def test_a_feed_alias_never_overwrites_a_page(write_site: WriteSite, aliases: str, other: str,
                                              path: str) -> None:
    root = write_site({"sitegen.yaml": f"title: T\nbase_url: {BASE}\nfeed_aliases: {aliases}\n",
                       "content/posts/a.md": post("A"),
                       "content/pages/feed.md": "---\ntitle: Feed\n---\nOur feeds.\n"})
    with pytest.raises(BuildError) as raised:
        build(config_for(root, output_dir=root / "public"))
    (error,) = raised.value.errors
    alias = aliases.strip("{}").split(":")[0]
    assert str(error).startswith(f"sitegen.yaml:3: error: {other} and the feed alias {alias} would both "
                                 f"be written to {path}"), str(error)
    assert f"hint: remove {alias} from feed_aliases in sitegen.yaml" in str(error)
    assert not (root / "public").exists()


def test_every_page_links_every_feed_it_has(write_site: WriteSite, tmp_path: Path) -> None:
    root = write_site(FORMAT_SITE)
    out = tmp_path / "out"
    build(config_for(root, output_dir=out))
    terms: set[str] = set()
    checked = 0
    for page in sorted(out.rglob("*.html")):
        name = page.relative_to(out).as_posix()
        text = page.read_text("utf-8")
        if 'http-equiv="refresh"' in text:
            continue
        found = re.findall(r'<link rel="alternate" type="([^"]+)" title="([^"]*)" href="([^"]+)"', text)
        expected = [(kind, "/blog/" + file) for kind, file in
                    (("application/atom+xml", "feed.xml"), ("application/rss+xml", "rss.xml"),
                     ("application/feed+json", "feed.json"))]
        term = re.fullmatch(r"((?:tags|categories|authors)/[^/]+/)(?:page/\d+/)?index\.html", name)
        if term:  # a term's pages, the first and the further ones, link the term's feeds
            expected += [(kind, href.replace("/blog/", f"/blog/{term[1]}")) for kind, href in expected]
            terms.add(term[1])
        assert [(kind, href) for kind, _, href in found] == expected, name
        for _, title, href in found:
            assert title and (out / href.removeprefix("/blog/")).is_file(), (name, href)
        checked += 1
    assert checked > 10 and {f for f in FEED_FOLDERS if f} <= terms
