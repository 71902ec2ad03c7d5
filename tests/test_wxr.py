"""Reading exports: every WXR version, exports that are not well-formed read with a located
warning, and exports that declare entities refused before anything is expanded or fetched."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sitegen.errors import SourceError
from sitegen.importers.wxr import parse_export, read_export
from tests.wxr_support import export, item, shared_export


def test_every_wxr_version_reads_alike() -> None:
    for version in ("1.0", "1.1", "1.2"):
        read = parse_export(export(item(content="Body", excerpt="Short"), version=version).encode(), "e.xml")
        (found,) = read.items
        assert (found.title, found.name, found.content, found.excerpt, found.post_type) == \
            ("A post", "a-post", "Body", "Short", "post")
        assert read.authors == {"ann": "Ann Author"}


def test_post_names_are_percent_decoded() -> None:
    read = parse_export(export(item(name="%ce%b1%ce%b2")).encode(), "e.xml")
    assert read.items[0].name == "αβ"


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY a "lol">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
]>
<rss><channel><title>&d;</title></channel></rss>
"""


def test_a_billion_laughs_is_refused_at_its_declaration() -> None:
    with pytest.raises(SourceError) as refused:
        parse_export(BILLION_LAUGHS.encode(), "bomb.xml")
    assert (refused.value.line, refused.value.col) == (2, 1)
    assert refused.value.format().startswith("bomb.xml:2:1: error: the export declares a document type")


def test_an_external_entity_is_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("CANARY-7f3a")
    data = (f'<?xml version="1.0"?>\n<!-- a comment first -->\n<!DOCTYPE rss [<!ENTITY x SYSTEM "file://{secret}">]>\n'
            '<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>&x;</title></channel></rss>\n')
    source = tmp_path / "xxe.xml"
    source.write_text(data)
    with pytest.raises(SourceError) as refused:
        read_export(source, "xxe.xml")
    assert (refused.value.line, refused.value.col) == (3, 1)
    assert "CANARY" not in str(refused.value)


def test_an_entity_declared_later_is_refused_too() -> None:
    data = export(item()).replace("<channel>", "<channel><!ENTITY x 'y'>").encode()
    with pytest.raises(SourceError, match="declares a document type or entities"):
        parse_export(data, "e.xml")


def test_a_doctype_inside_cdata_is_text() -> None:
    read = parse_export(export(item(content="<!DOCTYPE html> is how pages start")).encode(), "e.xml")
    assert read.items[0].content == "<!DOCTYPE html> is how pages start"


def test_raw_ampersands_and_html_entities_are_read_with_one_warning_each() -> None:
    data = export(item(title="Tom & Jerry", link="http://blog.test/?a=1")).replace("?a=1<", "?a=1&b=2<")
    data = data.replace("<description>Notes</description>",
                        "<description>Caf&eacute;&nbsp;x &unknown; y &c</description>")
    read = parse_export(data.encode(), "e.xml")
    assert read.items[0].link == "http://blog.test/?a=1&b=2"
    assert read.items[0].title == "Tom & Jerry"
    assert read.description == "Café\xa0x &unknown; y &c"
    messages = [w.format("warning") for w in read.warnings]
    assert len(messages) == 2, messages
    assert any(m.startswith("e.xml:") and "raw '&'" in m and "(2 such places" in m for m in messages)
    assert any("HTML entity" in m and "(3 such places" in m for m in messages)


def test_the_malformed_shared_export_reads_every_item() -> None:
    read = read_export(shared_export("ghost-migrate-sample-malformed.xml"), "sample.xml")
    assert [w.line for w in read.warnings] == [109]
    attachment = next(i for i in read.items if i.post_type == "attachment")
    assert "&ixid=eyJhcHBfaWQiOjEyMDd9&auto=format" in attachment.attachment_url


def test_broken_beyond_repair_is_read_as_far_as_it_goes() -> None:
    data = export(item("First", post_id="1"), item("Second", post_id="2")).replace("<title>Second</title>",
                                                                                   "<title>Second</titel>")
    read = parse_export(data.encode(), "e.xml")
    (warning,) = read.warnings
    assert warning.message.startswith("not well-formed XML") and warning.line is not None
    assert read.items[0].title == "First"


def test_a_feed_that_is_not_an_export_is_refused() -> None:
    with pytest.raises(SourceError, match="not a WordPress export"):
        parse_export(b"<rss><channel><title>x</title></channel></rss>", "feed.xml")
    with pytest.raises(SourceError, match="not a WordPress export"):
        parse_export(b"<html><body/></html>", "page.xml")


def test_titles_and_term_names_are_shown_as_wordpress_shows_them() -> None:
    data = export(item(title="R&amp;D &#8211; notes", terms=("tag:r-d:R&amp;D",))).replace(
        "<title>R&amp;amp;D &amp;#8211; notes</title>", "<title><![CDATA[R&amp;D &#8211; notes]]></title>")
    read = parse_export(data.encode(), "e.xml")
    assert read.items[0].title == "R&D \u2013 notes"
    assert read.items[0].terms == (("post_tag", "r-d", "R&D"),)


def test_control_characters_are_taken_out_with_a_warning_on_each_line_and_the_text_kept() -> None:
    """A word processor's vertical tab and form feed in CDATA: libxml2's recovery would keep
    only 'Very]>' of the post."""
    data = export(item("First", post_id="1", content="Crispy.\x0b <em>Very</em>\x0c crispy."),
                  item("Second\x01", post_id="2", content="Fine\x02."))
    read = parse_export(data.encode(), "e.xml")
    assert [i.content for i in read.items] == ["Crispy.  <em>Very</em>  crispy.", "Fine."]
    assert read.items[1].title == "Second"
    lines = data.split("\n")  # not splitlines(): it breaks at vertical tabs too
    first = [(n, found.start() + 1) for n, line in enumerate(lines, 1)
             if (found := re.search(r"[\x01\x02\x0b\x0c]", line))]
    assert len(first) == 3 and [(w.line, w.col) for w in read.warnings] == first  # one warning a line
    assert "2 control characters XML does not allow (U+000B, U+000C) made spaces" in read.warnings[0].message


def test_an_export_cut_short_is_read_to_its_last_whole_item_with_a_warning_where_it_ends() -> None:
    """Recovery made an item of the part of one, with a status of "![CDATA"."""
    data = export(item("First", post_id="1"), item("Second", post_id="2"))
    cut = data[:data.index("<wp:status>", data.index("Second"))] + "<wp:status><![C"
    read = parse_export(cut.encode(), "e.xml")
    assert [i.title for i in read.items] == ["First"] and read.cut_short == cut.count("\n") + 1
    (warning,) = read.warnings
    lines = cut.split("\n")
    second = lines.index("<title>Second</title>")  # the <item> is the line before
    first_end = next(n for n, line in enumerate(lines, 1) if line.startswith("</item>"))
    end = f"{len(lines)}:{len(lines[-1]) + 1}"
    assert warning.format("warning") == (
        f"e.xml:{end}: warning: the export ends at line {len(lines)} inside an <item> (begun at line "
        f"{second}): it was cut short; export it again\n    hint: export the site again (Tools > Export > "
        f"All content) and import that one: this import ends with the item that ends at line {first_end}")
    whole = parse_export(data[:data.index("</channel>")].encode(), "e.xml")
    assert [i.title for i in whole.items] == ["First", "Second"]
    assert "after its last <item>, before its closing </rss>" in whole.warnings[0].message
