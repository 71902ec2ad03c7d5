"""The import command's contract: what it refuses, what --merge, --dry-run and --uploads do,
and how each kind of item and each odd value of an export ends up, with its warning."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from tests.test_import_wordpress import build, front_matter, run_import, served, written
from tests.wxr_support import category, export, item


def write_export(tmp_path: Path, *items: str, **options: str) -> Path:
    source = tmp_path / "export.xml"
    source.write_text(export(*items, **options), encoding="utf-8")
    return source


def test_a_folder_that_holds_files_is_refused(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "notes.txt").write_text("mine")
    result = run_import(write_export(tmp_path, item()), site)
    assert result.exit_code == 2
    assert "is not empty (it holds notes.txt)" in result.stderr and "--merge" in result.stderr
    assert sorted(p.name for p in site.iterdir()) == ["notes.txt"]


def test_an_empty_folder_or_a_fresh_git_checkout_is_fine(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / ".git").mkdir(parents=True)
    assert run_import(write_export(tmp_path, item()), site).exit_code == 0
    assert (site / "sitegen.yaml").is_file()


def test_merge_adds_files_and_never_replaces_one(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "content" / "posts").mkdir(parents=True)
    (site / "sitegen.yaml").write_text("title: Mine\n")
    mine = site / "content" / "posts" / "2020-01-02-a-post.md"
    mine.write_text("---\ntitle: Mine\ndate: 2020-01-02\n---\n\nMy words.\n")
    source = write_export(tmp_path, item(), item("Other", "other", post_id="2"))
    result = run_import(source, site, "--merge")
    assert result.exit_code == 0, result.output
    assert (site / "sitegen.yaml").read_text() == "title: Mine\n"
    assert mine.read_text().endswith("My words.\n")
    assert (site / "content" / "posts" / "2020-01-02-other.md").is_file()
    assert "sitegen.yaml: warning: is already in the site folder" in result.stderr
    assert "content/posts/2020-01-02-a-post.md: warning: is already in the site folder" in result.stderr


def test_dry_run_writes_nothing_and_says_what_it_would_do(tmp_path: Path) -> None:
    site = tmp_path / "site"
    result = run_import(write_export(tmp_path, item(), item("Page", "page", kind="page", post_id="2")), site,
                        "--dry-run")
    assert result.exit_code == 0
    assert not site.exists()
    assert result.stdout.startswith("Would import 1 post, 1 page, 0 drafts")
    assert "nothing was written" in result.stdout


def test_uploads_are_copied_and_linked_on_the_site(tmp_path: Path) -> None:
    uploads = tmp_path / "old" / "wp-content" / "uploads"
    (uploads / "2020" / "01").mkdir(parents=True)
    (uploads / "2020" / "01" / "cat photo.jpg").write_bytes(b"JPEG")
    content = ('<img src="http://blog.test/wp-content/uploads/2020/01/cat%20photo.jpg" alt="cat" />\n\n'
               '<a href="http://blog.test/wp-content/uploads/2020/01/gone.pdf">gone</a>\n\n'
               '<img src="https://other.test/wp-content/uploads/2020/01/theirs.png" alt="x" />')
    site = tmp_path / "site"
    source = write_export(tmp_path, item(content=content))
    result = run_import(source, site, "--uploads", str(tmp_path / "old"))
    assert result.exit_code == 0, result.output
    assert (site / "static/wp-content/uploads/2020/01/cat photo.jpg").read_bytes() == b"JPEG"
    (path, _), = written(site).values()
    text = path.read_text()
    assert "](/wp-content/uploads/2020/01/cat%20photo.jpg)" in text
    assert "http://blog.test/wp-content/uploads/2020/01/gone.pdf" in text
    assert "https://other.test/wp-content/uploads/2020/01/theirs.png" in text
    report = (site / "import-report.md").read_text()
    assert "cat%20photo.jpg: copied to static/wp-content/uploads/2020/01/cat photo.jpg" in report
    assert "gone.pdf: linked as it was: 2020/01/gone.pdf is not in the uploads folder" in report
    assert "theirs.png: another site's file" in report
    assert "1 media URL" not in result.stdout and "3 media URLs (1 copied)" in result.stdout
    built = build(site)
    assert built.returncode == 0, built.stderr
    assert served(site / "public", "/wp-content/uploads/2020/01/cat photo.jpg") is not None


def test_without_uploads_every_media_url_is_listed(tmp_path: Path) -> None:
    site = tmp_path / "site"
    source = write_export(tmp_path, item(content='<img src="http://blog.test/wp-content/uploads/a.png" />'))
    run_import(source, site)
    assert "- media: http://blog.test/wp-content/uploads/a.png: linked as it was (--uploads copies it" in \
        (site / "import-report.md").read_text()


def test_each_status_and_type_lands_where_it_belongs(tmp_path: Path) -> None:
    items = [item("Live", "live", post_id="1"),
             item("Later", "later", status="future", post_id="2", date="2099-01-01 10:00:00",
                  gmt="2099-01-01 09:00:00"),
             item("Draft", "", status="draft", post_id="3", gmt=None),
             item("Pending", "pending", status="pending", post_id="4"),
             item("Private", "private", status="private", post_id="5"),
             item("Gone", "gone", status="trash", post_id="6"),
             item("Rev", "1-revision-v1", kind="revision", status="inherit", post_id="7"),
             item("Menu", "menu", kind="nav_menu_item", post_id="8"),
             item("Product", "product", kind="product", post_id="9")]
    site = tmp_path / "site"
    result = run_import(write_export(tmp_path, *items), site)
    assert result.exit_code == 0, result.output
    posts = written(site)
    assert sorted(posts) == ["draft", "later", "live", "pending", "private"]
    drafts = [k for k, (_, data) in sorted(posts.items()) if data.get("draft")]
    assert drafts == ["draft", "pending", "private"]
    assert str(posts["later"][1]["date"]).startswith("2099-01-01")
    assert "Imported 2 posts (1 scheduled), 0 pages, 3 drafts" in result.stdout
    assert "not imported: 1 nav_menu_item, 1 post (trash), 1 product, 1 revision" in result.stdout


def test_odd_items_are_imported_with_a_warning_each_never_a_traceback(tmp_path: Path) -> None:
    items = [item("", "untitled", post_id="1"), item("Twin", "twin", post_id="2", date="2020-01-02 10:00:00"),
             item("Twin too", "twin", post_id="3", date="2020-01-02 11:00:00", gmt="2020-01-02 10:00:00"),
             item("Undated", "undated", post_id="4", date="0000-00-00 00:00:00", gmt="0000-00-00 00:00:00")]
    site = tmp_path / "site"
    result = run_import(write_export(tmp_path, *items), site)
    assert result.exit_code == 0 and "Traceback" not in result.output
    warnings = [line for line in result.stderr.splitlines() if ": warning: " in line]
    assert any(re.match(r".*export\.xml:\d+: warning: post 1: has no title", w) for w in warnings), warnings
    for expected in ("post 3: slug 'twin' gives another page's address; this one gets 'twin-2'",
                     "post 4: has no date (0000-00-00 00:00:00); it is dated 1970-01-01"):
        assert any(expected in w for w in warnings), warnings
    posts = written(site)
    assert posts["untitled"][1]["title"] == "(no title)"
    assert "aliases" not in posts["twin-2"][1]  # its old address is the first twin's
    report = (site / "import-report.md").read_text()
    assert "not kept: /2020/01/02/twin/ is another page's address now" in report
    built = build(site)
    assert built.returncode == 0, built.stderr


def test_password_protected_posts_stay_drafts(tmp_path: Path) -> None:
    source = write_export(tmp_path, item(more="<wp:post_password>secret</wp:post_password>"))
    result = run_import(source, tmp_path / "site")
    (_, data), = written(tmp_path / "site").values()
    assert data["draft"] is True
    assert "is password-protected" in result.stderr


def test_front_matter_holds_the_export_values(tmp_path: Path) -> None:
    source = write_export(tmp_path, item("Quotes: \"a\" & b", "q", excerpt="<p>The <em>short</em> one.</p>",
                                         modified_gmt="2021-05-01 08:00:00", post_id="12",
                                         guid="http://blog.test/?p=12"))
    run_import(source, tmp_path / "site")
    (path, data), = written(tmp_path / "site").values()
    assert path.name == "2020-01-02-q.md"
    assert data["title"] == 'Quotes: "a" & b' and data["author"] == "Ann Author"
    assert data["summary"] == "The short one." and data["id"] == "http://blog.test/?p=12"
    # one offset in the export (+01:00): a fixed zone, in which the update is shown too
    assert yaml.safe_load((tmp_path / "site" / "sitegen.yaml").read_text())["timezone"] == "Etc/GMT-1"
    assert str(data["date"]) == "2020-01-02 10:00:00+01:00"
    assert str(data["updated"]) == "2021-05-01 09:00:00+01:00"


def test_an_unknown_shortcode_is_named_at_its_line_in_the_post(tmp_path: Path) -> None:
    source = write_export(tmp_path, item("Contact", "contact", content='Write:\n\n[contact-form-7 id="3"]'))
    result = run_import(source, tmp_path / "site")
    (path, _), = written(tmp_path / "site").values()
    line = path.read_text().splitlines().index('[contact-form-7 id="3"]') + 1
    assert f"content/posts/2020-01-02-contact.md:{line}: warning: shortcode [contact-form-7 id=\"3\"] in " \
           "'Contact' is left as text" in result.stderr


def test_old_addresses_that_cannot_be_kept_are_reported(tmp_path: Path) -> None:
    source = write_export(tmp_path, item("A", "a", link="http://blog.test/?p=1", post_id="1"),
                          item("B", "b", post_id="2"), item("C", "c", post_id="3"))
    result = run_import(source, tmp_path / "site")
    assert "old addresses: 0 redirected, 1 not kept" in result.stdout
    report = (tmp_path / "site" / "import-report.md").read_text()
    assert "not kept: http://blog.test/?p=1 is a query" in report


def test_a_nested_page_keeps_its_address(tmp_path: Path) -> None:
    source = write_export(tmp_path, item("Team", "team", kind="page", link="http://blog.test/about/team/"))
    run_import(source, tmp_path / "site")
    (_, data), = written(tmp_path / "site").values()
    assert data["permalink"] == "/about/team/"
    assert build(tmp_path / "site").returncode == 0
    assert served(tmp_path / "site" / "public", "/about/team/") is not None


def test_the_site_keeps_its_subpath(tmp_path: Path) -> None:
    source = write_export(tmp_path, item(link="http://blog.test/words/2020/01/02/a-post/"), link="http://blog.test/words")
    run_import(source, tmp_path / "site")
    config = yaml.safe_load((tmp_path / "site" / "sitegen.yaml").read_text())
    assert config["base_url"] == "http://blog.test/words/"
    assert config["permalinks"]["post"] == "/:year/:month/:day/:slug/"
    assert front_matter(next((tmp_path / "site" / "content" / "posts").glob("*.md"))).get("aliases") is None


def test_a_refused_export_names_its_place_and_writes_nothing(tmp_path: Path) -> None:
    source = tmp_path / "bomb.xml"
    source.write_text('<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY a "a">]>\n<rss/>\n')
    result = run_import(source, tmp_path / "site")
    assert result.exit_code == 1
    assert f"{source}:2:1: error: the export declares a document type" in result.stderr
    assert not (tmp_path / "site").exists()


def test_a_post_never_takes_an_address_the_site_has_itself(tmp_path: Path) -> None:
    source = write_export(tmp_path, item("Archive", "archive", link="http://blog.test/archive/", post_id="1"),
                          item("B", "b", link="http://blog.test/b/", post_id="2"))
    result = run_import(source, tmp_path / "site")
    assert "slug 'archive' gives another page's address; this one gets 'archive-2'" in result.stderr
    assert yaml.safe_load((tmp_path / "site" / "sitegen.yaml").read_text())["permalinks"]["post"] == "/:slug/"
    built = build(tmp_path / "site")
    assert built.returncode == 0, built.stderr
    assert served(tmp_path / "site" / "public", "/archive-2/") is not None


def test_uploads_never_copy_a_file_from_outside_the_uploads_folder(tmp_path: Path) -> None:
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("CANARY")
    (uploads / "link.txt").symlink_to(secret)
    content = " ".join(f'<a href="http://blog.test/wp-content/uploads/{path}">x</a>'
                       for path in ("../secret.txt", "%2E%2E/secret.txt", f"/{secret}", "link.txt"))
    site = tmp_path / "site"
    result = run_import(write_export(tmp_path, item(content=content)), site, "--uploads", str(uploads))
    assert result.exit_code == 0, result.output
    assert "(0 copied)" in result.stdout
    assert not (site / "static").exists()


def test_links_between_posts_lead_to_the_new_site(tmp_path: Path) -> None:
    """Moved to another host and a subpath, a post's links to old addresses still lead to the
    posts, pages and archives; one the import cannot place is kept as it was and reported."""
    links = ('<a href="http://blog.test/2015/02/03/hello/">http</a> <a href="https://www.blog.test/about/team/">'
             'www</a> <a href="//blog.test/?p=3">id</a> <a href="/tag/python/">tag</a> '
             '<a href="http://blog.test/category/greece/">short category</a> '
             '<a href="http://blog.test/2019/03/">a date archive</a>')
    source = write_export(
        tmp_path, item("Hello", "hello", date="2015-02-03 10:00:00", gmt="2015-02-03 09:00:00", post_id="1",
                       terms=("tag:python:Python", "category:greece:Greece")),
        item("Team", "team", kind="page", link="http://blog.test/about/team/", post_id="3", parent="2"),
        item("Links", "links", post_id="4", content=links),
        terms=category("travel", "Travel") + category("greece", "Greece", "travel"))
    site = tmp_path / "site"
    result = run_import(source, site)
    # /tag/python/ is the same address: not counted
    assert "links to the old site: 4 made site paths, 1 left as they were" in result.stdout
    body = written(site)["links"][0].read_text()
    for new in ("[http](/2015/02/03/hello/)", "[www](/about/team/)", "[id](/about/team/)",
                "[tag](/tag/python/)", "[short category](/category/travel/greece/)",
                "[a date archive](http://blog.test/2019/03/)"):
        assert new in body, body
    report = (site / "import-report.md").read_text()
    assert "- links to the old site made site paths: 4" in report
    assert "- link left to the old site: http://blog.test/2019/03/ (not an address the import knows)" \
        in report
    config = site / "sitegen.yaml"
    config.write_text(config.read_text().replace("base_url: http://blog.test/", "base_url: https://new.test/words/"))
    built = build(site)
    assert built.returncode == 0, built.stderr
    page = served(site / "public", "/2020/01/02/links/")
    assert page is not None
    html = page.read_text()
    for href in ("/words/2015/02/03/hello/", "/words/about/team/", "/words/tag/python/",
                 "/words/category/travel/greece/"):
        assert f'href="{href}"' in html, href


def test_a_post_split_into_pages_is_one_page_and_its_old_pages_redirect(tmp_path: Path) -> None:
    source = write_export(tmp_path, item("Story", "story", content="One.\n\n<!--nextpage-->\n\nTwo.\n\n"
                                                                   "<!--nextpage-->\n\nThree."))
    site = tmp_path / "site"
    result = run_import(source, site)
    assert "old addresses: 2 redirected" in result.stdout
    (path, data), = written(site).values()
    assert data["aliases"] == ["/2020/01/02/story/2/", "/2020/01/02/story/3/"]
    assert path.read_text().endswith("One.\n\nTwo.\n\nThree.\n")
    assert "/2020/01/02/story/2/, /2020/01/02/story/3/ (its further pages: <!--nextpage-->) redirect to " \
           "it" in (site / "import-report.md").read_text()


def test_the_summary_counts_what_the_registries_and_report_hold(tmp_path: Path) -> None:
    """Categories as categories.yaml has them (a parent with a page of its own counts); a nested
    page at the address it is built at; a password-protected post's old address not kept."""
    source = write_export(
        tmp_path, item("A", "a", post_id="1", terms=("category:greece:Greece",)),
        item("Team", "team", kind="page", link="http://blog.test/about/team/", post_id="3"),
        item("Secret", "secret", post_id="5", more="<wp:post_password>pw</wp:post_password>"),
        terms=category("travel", "Travel") + category("greece", "Greece", "travel"))
    site = tmp_path / "site"
    result = run_import(source, site)
    assert len(yaml.safe_load((site / "categories.yaml").read_text())) == 2
    assert "0 tags and 2 categories" in result.stdout
    assert "old addresses: 0 redirected, 1 not kept" in result.stdout
    report = (site / "import-report.md").read_text()
    assert "- address: /about/team/ (old: http://blog.test/about/team/; kept: permalink: /about/team/)" \
        in report
    assert "- address: /2020/01/02/secret/ (old: http://blog.test/2020/01/02/secret/; not kept: it is " \
           "password-protected, so it is a draft; once you publish it, kept: the new URL is the old one)" \
        in report


def test_the_report_says_what_html_the_import_drops_and_the_build_cleans(tmp_path: Path) -> None:
    content = ('<script src="https://platform.twitter.com/widgets.js"></script><span style="color: red">Red'
               '</span> <a href="javascript:alert(1)">bad</a>\n\n<figure><object data="x.swf"></object>'
               '<figcaption>Flash</figcaption></figure>')
    site = tmp_path / "site"
    run_import(write_export(tmp_path, item(content=content)), site)
    report = (site / "import-report.md").read_text()
    assert "- HTML the import writes no Markdown for (dropped): <script>, style attributes\n" in report
    assert "- raw HTML the build will clean: javascript: links, <object>\n" in report


def test_an_export_cut_short_is_imported_to_its_last_whole_item_and_said_loudly(tmp_path: Path) -> None:
    data = export(item("First", "first", post_id="1"), item("Second", "second", post_id="2"))
    source = tmp_path / "export.xml"
    source.write_text(data[:data.index("<wp:status>", data.index("Second"))] + "<wp:status><![C")
    site = tmp_path / "site"
    result = run_import(source, site)
    assert result.exit_code == 0, result.output
    assert re.search(r"export\.xml:\d+:\d+: warning: the export ends at line \d+ inside an <item> .*: it was "
                     r"cut short; export it again", result.stderr), result.stderr
    assert result.stdout.startswith("Imported 1 post, 0 pages, 0 drafts")
    assert "not imported" not in result.stdout  # nothing made of the part of an item
    assert "THE EXPORT WAS CUT SHORT at line" in result.stdout
    assert sorted(written(site)) == ["first"]
