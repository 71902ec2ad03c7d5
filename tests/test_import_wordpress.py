"""`sitegen import wordpress` on three real exports (shared/wxr, read in place), then the real
`sitegen build`: every published post and page is there with its title, date, tags and
categories, every old link and tag archive answers, no shortcode or block comment shows, and
the feed keeps WordPress's ids. Then the command's own contract: refusing a folder that holds
files, --merge, --dry-run, --uploads.
"""

from __future__ import annotations

import re
import subprocess
import sys
import warnings
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

import feedparser
import pytest
import yaml
from click.testing import CliRunner, Result

from sitegen.cli import cli
from tests.conftest import REPO
from tests.wxr_support import EXPORTS, category, export, item, shared_export, tag

WP = "{http://wordpress.org/export/1.2/}"


def run_import(export_file: Path, site: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["import", "wordpress", str(export_file), str(site), *args],
                              catch_exceptions=False)


def build(site: Path) -> subprocess.CompletedProcess[str]:
    """The real command, in its own process, as a user runs it after the import."""
    return subprocess.run([sys.executable, "-m", "sitegen", "build", str(site), "--no-cache"],
                          capture_output=True, text=True, check=False, timeout=300, cwd=REPO,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO),
                               "SOURCE_DATE_EPOCH": "1767225600"})


Imported = tuple[Path, Path, Result]  # the export, the site folder, the import's result


@dataclass(frozen=True)
class Expected:
    """A published post or page as the export has it, read here with the standard library."""

    kind: str
    title: str
    slug: str
    link: str
    guid: str
    date_gmt: str
    tags: dict[str, str]  # slug -> name
    categories: dict[str, str]


def expected(path: Path) -> tuple[str, list[Expected]]:
    """The channel's link and every published post and page; a raw '&' (one export has one) is
    made XML first, since the standard library's parser stops at it."""
    data = re.sub(rb"&(?!#?\w+;)", b"&amp;", path.read_bytes())
    channel = ET.fromstring(data).find("channel")
    assert channel is not None
    found = []
    for element in channel.iter("item"):
        def text(name: str, element: ET.Element = element) -> str:
            return (element.findtext(name) or "").strip()

        if text(f"{WP}post_type") not in ("post", "page") or text(f"{WP}status") != "publish":
            continue
        terms: dict[str, dict[str, str]] = {"post_tag": {}, "category": {}}
        for term in element.iter("category"):
            terms[term.get("domain", "category")][term.get("nicename", "")] = (term.text or "").strip()
        found.append(Expected(text(f"{WP}post_type"), text("title"), unquote(text(f"{WP}post_name")),
                              text("link"), text("guid"), text(f"{WP}post_date_gmt"), terms["post_tag"],
                              terms["category"]))
    return channel.findtext("link") or "", found


def front_matter(path: Path) -> dict[str, object]:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n"), path
    data = yaml.safe_load(text.split("---\n")[1])
    assert isinstance(data, dict)
    return data


def written(site: Path) -> dict[str, tuple[Path, dict[str, object]]]:
    """Every imported post and page by its slug."""
    files = sorted((site / "content").rglob("*.md"))
    return {str(front_matter(p)["slug"]): (p, front_matter(p)) for p in files}


def served(public: Path, path: str) -> Path | None:
    """The file a static host serves for a site path: the page, or the folder's index.html."""
    relative = path.lstrip("/")
    for candidate in (public / relative, public / relative / "index.html"):
        if candidate.is_file():
            return candidate
    return None


@pytest.fixture(scope="module", params=EXPORTS)
def imported(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Imported:
    source = shared_export(request.param)
    site = tmp_path_factory.mktemp("imported") / "site"
    result = run_import(source, site)
    assert result.exit_code == 0, result.output
    built = build(site)
    assert built.returncode == 0, built.stderr
    assert ": error: " not in built.stderr, built.stderr
    return source, site, result


def test_every_published_post_and_page_is_there_with_its_front_matter(imported: Imported) -> None:
    source, site, _ = imported
    _, items = expected(source)
    posts = written(site)
    assert items
    for entry in items:
        slug = entry.slug.removesuffix(".html")
        assert slug in posts, f"{entry.title} ({slug}) not imported; have {sorted(posts)}"
        path, data = posts[slug]
        assert data["title"] == entry.title
        assert path.parent.name == ("posts" if entry.kind == "post" else "pages")
        if entry.kind == "post":
            date = data["date"]
            assert isinstance(date, datetime)
            assert date.astimezone(UTC) == datetime.fromisoformat(entry.date_gmt).replace(tzinfo=UTC)
            assert set(data.get("tags", [])) == set(entry.tags.values())  # type: ignore[arg-type]
            assert set(data.get("categories", [])) == set(entry.categories.values())  # type: ignore[arg-type]
            assert data.get("id", "") == entry.guid  # an export may have none


def test_every_old_link_answers_in_the_built_site(imported: Imported) -> None:
    source, site, _ = imported
    home, items = expected(source)
    base = urlsplit(home).path.rstrip("/")
    for entry in items:
        path = urlsplit(entry.link).path.removeprefix(base) or "/"
        page = served(site / "public", unquote(path))
        assert page is not None, f"{entry.link} ({entry.title}) does not answer"
        text = page.read_text(encoding="utf-8")
        assert entry.title.replace("&", "&amp;") in text or "http-equiv=\"refresh\"" in text


def test_every_tag_archive_keeps_its_wordpress_address(imported: Imported) -> None:
    source, site, _ = imported
    _, items = expected(source)
    tags = {slug: name for entry in items if entry.kind == "post" for slug, name in entry.tags.items()}
    for slug, name in tags.items():
        page = served(site / "public", f"/tag/{slug}/")
        assert page is not None, f"tag {name} is not at /tag/{slug}/"
        assert name.replace("&", "&amp;") in page.read_text(encoding="utf-8")


def test_no_shortcode_or_block_comment_shows(imported: Imported) -> None:
    _, site, _ = imported
    for page in (site / "public").rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        for leftover in ("[caption", "[gallery", "[sourcecode", "<!-- wp:", "&lt;!-- wp:"):
            assert leftover not in text, f"{leftover} in {page.relative_to(site)}"


def test_the_feed_keeps_the_wordpress_ids(imported: Imported) -> None:
    source, site, _ = imported
    _, items = expected(source)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        feed = feedparser.parse((site / "public" / "feed.xml").read_bytes())
    assert not feed.bozo
    posts = [e for e in items if e.kind == "post"]
    assert len(feed.entries) == len(posts)
    ids = {e.id for e in feed.entries}
    assert {e.guid for e in posts if e.guid} <= ids
    assert all(id.startswith(("http://", "https://")) for id in ids)  # without a guid: the post's URL


def test_wordpress_feed_addresses_still_answer_with_the_feed(imported: Imported) -> None:
    """WordPress's readers subscribed to /feed/ (RSS), and to /tag/<slug>/feed/: sitegen.yaml says
    so (feed_aliases), and the build writes a copy of the RSS feed there."""
    source, site, _ = imported
    assert yaml.safe_load((site / "sitegen.yaml").read_text())["feed_aliases"] == {"feed/": "rss"}
    public = site / "public"
    copy = served(public, "/feed/")
    assert copy is not None and copy.read_bytes() == (public / "rss.xml").read_bytes()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        feed = feedparser.parse(copy.read_bytes())
    assert not feed.bozo and feed.version == "rss20"
    _, items = expected(source)
    assert {e.id for e in feed.entries} >= {e.guid for e in items if e.kind == "post" and e.guid}
    tags = {slug for entry in items if entry.kind == "post" for slug in entry.tags}
    for slug in tags:
        tag_feed = served(public, f"/tag/{slug}/feed/")
        assert tag_feed is not None
        assert tag_feed.read_bytes() == (tag_feed.parent.parent / "rss.xml").read_bytes()


def test_category_archives_keep_their_urls(imported: Imported) -> None:
    source, site, _ = imported
    _, items = expected(source)
    categories = {slug: name for entry in items if entry.kind == "post"
                  for slug, name in entry.categories.items()}
    for slug, name in categories.items():
        page = served(site / "public", f"/category/{slug}/")
        assert page is not None, f"category {name} is not at /category/{slug}/"


def test_nested_categories_keep_their_urls(tmp_path: Path) -> None:
    """WordPress serves a child category at /category/parent/child/."""
    source = tmp_path / "export.xml"
    source.write_text(export(item(terms=("category:sub:Sub",)),
                             terms=category("top", "Top") + category("sub", "Sub", "top")))
    assert run_import(source, tmp_path / "site").exit_code == 0
    assert build(tmp_path / "site").returncode == 0
    assert served(tmp_path / "site" / "public", "/category/top/sub/") is not None
    assert served(tmp_path / "site" / "public", "/category/top/") is not None


def test_a_child_category_keeps_its_short_address(tmp_path: Path) -> None:
    """WordPress answers /category/child/ too (with a redirect to the nested address)."""
    source = tmp_path / "export.xml"
    source.write_text(export(item(terms=("category:greece:Greece",)),
                             terms=category("travel", "Travel") + category("europe", "Europe", "travel")
                             + category("greece", "Greece", "europe")))
    assert run_import(source, tmp_path / "site").exit_code == 0
    registry = yaml.safe_load((tmp_path / "site" / "categories.yaml").read_text())
    assert registry["Travel/Europe/Greece"]["old_slugs"] == ["greece"]
    assert registry["Travel/Europe"]["old_slugs"] == ["europe"] and "old_slugs" not in registry["Travel"]
    built = build(tmp_path / "site")
    assert built.returncode == 0, built.stderr
    public = tmp_path / "site" / "public"
    short = served(public, "/category/greece/")
    assert short is not None and "/category/travel/europe/greece/" in short.read_text()
    assert "/category/greece/ /category/travel/europe/greece/" in (public / "_redirects").read_text()


def test_the_malformed_export_is_read_with_a_located_warning(tmp_path: Path) -> None:
    source = shared_export("ghost-migrate-sample-malformed.xml")
    result = run_import(source, tmp_path / "site")
    assert result.exit_code == 0, result.output
    assert re.search(rf"{re.escape(str(source))}:109:\d+: warning: a raw '&'", result.stderr), result.stderr


def test_category_parts_are_written_as_the_categories_contract_says(tmp_path: Path) -> None:
    source = tmp_path / "export.xml"
    source.write_text(export(item(terms=("category:sub:Sub", "tag:flac:Free Lossless Audio Codec")),
                             terms=category("top", "Top", description="Above") + category("sub", "Sub", "top")
                             + tag("flac", "Free Lossless Audio Codec", "Lossless")))
    assert run_import(source, tmp_path / "site").exit_code == 0
    site = tmp_path / "site"
    config = yaml.safe_load((site / "sitegen.yaml").read_text())
    assert config["permalinks"] == {"post": "/:year/:month/:day/:slug/", "tag": "/tag/:slug/",
                                    "category": "/category/:slug/"}
    assert config["categories"] == {"hierarchy": True}
    assert config["markdown"] == {"flavor": "commonmark"}  # what the HTML-to-Markdown converter writes
    assert yaml.safe_load((site / "categories.yaml").read_text()) == {
        "Top": {"slug": "top", "description": "Above"}, "Top/Sub": {"slug": "sub", "old_slugs": ["sub"]}}
    assert yaml.safe_load((site / "tags.yaml").read_text()) == {
        "Free Lossless Audio Codec": {"slug": "flac", "description": "Lossless"}}
    (_, post), = written(site).values()
    assert post["categories"] == ["Top/Sub"] and post["tags"] == ["Free Lossless Audio Codec"]


def test_flat_categories_need_no_hierarchy(tmp_path: Path) -> None:
    source = tmp_path / "export.xml"
    source.write_text(export(item(terms=("category:news:News",)), terms=category("news", "News")))
    assert run_import(source, tmp_path / "site").exit_code == 0
    assert "categories" not in yaml.safe_load((tmp_path / "site" / "sitegen.yaml").read_text())


def test_greek_slugs_are_written_decoded(tmp_path: Path) -> None:
    source = tmp_path / "export.xml"
    greek = "%ce%b5%ce%bb%ce%bb%ce%ac%ce%b4%ce%b1"  # ελλάδα, as WordPress stores it
    source.write_text(export(item("Ταξίδι", greek, terms=(f"tag:{greek}:Ελλάδα",),
                                  link=f"http://blog.test/2020/01/02/{greek}/"), terms=tag(greek, "Ελλάδα")),
                      encoding="utf-8")
    assert run_import(source, tmp_path / "site").exit_code == 0
    assert yaml.safe_load((tmp_path / "site" / "tags.yaml").read_text(encoding="utf-8")) == {
        "Ελλάδα": {"slug": "ελλάδα"}}
    assert "ελλάδα" in written(tmp_path / "site")
    assert (tmp_path / "site" / "content" / "posts" / "2020-01-02-ελλάδα.md").is_file()


def test_a_greek_tag_keeps_its_address(tmp_path: Path) -> None:
    greek = "%ce%b5%ce%bb%ce%bb%ce%ac%ce%b4%ce%b1"
    source = tmp_path / "export.xml"
    source.write_text(export(item("Ταξίδι", greek, terms=(f"tag:{greek}:Ελλάδα",),
                                  link=f"http://blog.test/2020/01/02/{greek}/"), terms=tag(greek, "Ελλάδα")),
                      encoding="utf-8")
    assert run_import(source, tmp_path / "site").exit_code == 0
    built = build(tmp_path / "site")
    assert built.returncode == 0, built.stderr
    assert served(tmp_path / "site" / "public", "/tag/ελλάδα/") is not None
    assert served(tmp_path / "site" / "public", "/2020/01/02/ελλάδα/") is not None
