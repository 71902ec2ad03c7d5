"""A WordPress export (WXR 1.0 to 1.2, from wordpress.org or wordpress.com) read into plain values.

The one module that imports lxml. The export is read with entity expansion, DTD loading and the
network off; one that declares a document type or entities (a "billion laughs" or an external
entity that would read a file) is refused at that line before anything is parsed. Exports that
are not well-formed (a raw `&` in a URL, an HTML entity such as `&nbsp;` outside CDATA, a control
character pasted from a word processor) are read anyway, with a warning at the first place each
kind of fault is (control characters: on each line); one cut short (an interrupted download) is
read to its last whole item, with a warning where it ends. Imports errors.
"""

from __future__ import annotations

import html
import html.entities
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from lxml import etree

from sitegen.errors import SourceError

_WP = "http://wordpress.org/export/"
_SPACES = {"http://purl.org/rss/1.0/modules/content/": "content", "http://purl.org/dc/elements/1.1/": "dc"}
# What must never be in an export: a document type, and with it entities that expand or read files
_DECLARATION = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_OPAQUE = re.compile(rb"<!\[CDATA\[.*?\]\]>|<!--.*?-->", re.DOTALL)  # where '&' and '<!' are text
_OPAQUE_TO_END = re.compile(rb"<!\[CDATA\[.*?(?:\]\]>|\Z)|<!--.*?(?:-->|\Z)", re.DOTALL)  # a cut file's too
_ITEM_TAG = re.compile(rb"<(/?)item(?=[\s>])")
_ROOT = re.compile(rb"<rss[\s>]")
_CLOSED = re.compile(rb"</rss\s*>|<rss\b[^>]*/>")
# What XML 1.0's Char production leaves out: C0 controls but tab, LF and CR (word processors
# paste vertical tabs and form feeds, which are whitespace to a reader: they become spaces)
_ILLEGAL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_ILLEGAL_UTF8 = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]")  # and U+FFFE, U+FFFF
_ENCODING = re.compile(rb"""<\?xml[^>]*\bencoding\s*=\s*["']([\w.-]+)""")
_SPACE_LIKE = (b"\x0b", b"\x0c")
_SHOWN_LINES = 20  # control characters: a warning for each of the first lines, then one for the rest
_AMPERSAND = re.compile(rb"&(?:(?P<reference>#[0-9]+;|#x[0-9A-Fa-f]+;)|(?P<name>[A-Za-z_][\w.-]*);)?")
_XML_ENTITIES = {b"amp", b"lt", b"gt", b"quot", b"apos"}
_META_KEPT = ("_thumbnail_id", "_wp_attached_file", "_wp_attachment_image_alt")


@dataclass(frozen=True, slots=True)
class Term:
    """A category or tag the export declares, or one a post names."""

    taxonomy: str  # "category" or "post_tag"
    slug: str  # percent-decoded
    name: str
    description: str = ""
    parent: str = ""  # the parent category's slug
    line: int | None = None


@dataclass(frozen=True, slots=True)
class Item:
    """One <item>: a post, a page, an attachment, a menu entry, a revision..."""

    line: int
    title: str
    link: str
    guid: str
    post_id: str
    post_type: str
    status: str
    name: str  # post_name, percent-decoded
    date: str  # post_date: the site's local time
    date_gmt: str
    modified: str
    modified_gmt: str
    pub_date: str
    creator: str
    content: str
    excerpt: str
    password: str
    terms: tuple[tuple[str, str, str], ...]  # (taxonomy, slug, name) as the item names them
    attachment_url: str
    parent_id: str
    menu_order: int
    comments: int
    meta: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Export:
    path: str  # as messages name it
    version: str
    title: str
    link: str
    description: str
    language: str
    pub_date: str
    authors: Mapping[str, str]  # login -> display name
    terms: tuple[Term, ...]
    items: tuple[Item, ...]
    warnings: tuple[SourceError, ...]
    cut_short: int | None = None  # the last line of an export that ends early


def read_export(path: Path, shown: str) -> Export:
    """The export at `path`; `shown` is how messages name it. SourceError when it cannot be read."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(shown, f"cannot read the file: {exc.strerror or exc}") from None
    return parse_export(data, shown)


def parse_export(data: bytes, shown: str) -> Export:
    """An export's bytes as plain values, with a warning for each kind of fault read past."""
    data, warnings = _without_illegal(data, shown)
    _refuse_declarations(data, shown)
    cut = _cut_short(data, shown)
    if cut is not None:
        data = cut[0]
        warnings.append(cut[1])
    root = _parse(data, shown, warnings)
    channel = root.find("channel")
    if root.tag != "rss" or channel is None:
        raise SourceError(shown, "is not a WordPress export: it has no <rss><channel>", line=root.sourceline,
                          hint="export the site with Tools > Export > All content in WordPress")
    if not any(ns.startswith(_WP) for ns in (root.nsmap or {}).values() if ns):
        raise SourceError(shown, "is an RSS feed, not a WordPress export (no wp: elements)", line=1,
                          hint="export the site with Tools > Export > All content in WordPress")
    fields = _fields(channel)
    authors = {_text(a, "wp:author_login"): _text(a, "wp:author_display_name") or _text(a, "wp:author_login")
               for a in fields.get("wp:author", [])}
    terms = [_declared(element, kind) for kind in ("category", "tag", "term")
             for element in fields.get(f"wp:{kind}", [])]
    return Export(
        path=shown, version=_text(channel, "wp:wxr_version"), title=_text(channel, "title"),
        link=_text(channel, "link"), description=_text(channel, "description"),
        language=_text(channel, "language"), pub_date=_text(channel, "pubDate"), authors=authors,
        terms=tuple(t for t in terms if t is not None),
        items=tuple(_item(element) for element in fields.get("item", [])),
        warnings=tuple(warnings), cut_short=cut[1].line if cut is not None else None)


def _without_illegal(data: bytes, shown: str) -> tuple[bytes, list[SourceError]]:
    """The bytes without the characters XML does not allow (libxml2 would drop the text around
    them), vertical tabs and form feeds made spaces; a warning for each line that held one."""
    declared = _ENCODING.match(data)
    utf8 = declared is None or declared[1].lower().replace(b"_", b"-") in (b"utf-8", b"utf8")
    illegal = _ILLEGAL_UTF8 if utf8 else _ILLEGAL
    if illegal.search(data) is None:
        return data, []
    lines: dict[int, tuple[int, list[bytes]]] = {}  # line -> (first column, the characters)
    for match in illegal.finditer(data):
        line, col = _place(data, match.start())
        lines.setdefault(line, (col, []))[1].append(match[0])
    warnings = []
    for line, (col, found) in list(lines.items())[:_SHOWN_LINES]:
        codes = [f"U+{ord(c.decode('utf-8')) if utf8 else c[0]:04X}" for c in dict.fromkeys(found)]
        one = len(found) == 1
        spaces = sum(c in _SPACE_LIKE for c in found)
        if spaces == len(found):
            done = "made a space" if one else "made spaces"
        else:
            done = "removed" if not spaces else "removed, vertical tabs and form feeds made spaces"
        warnings.append(SourceError(
            shown, f"{'a control character' if one else f'{len(found)} control characters'} XML does not "
            f"allow ({', '.join(codes)}) {done}; the text around {'it' if one else 'them'} is kept",
            line=line, col=col,
            hint="nothing to do: word processors paste these into posts"))
    if len(lines) > _SHOWN_LINES:
        rest = list(lines)[_SHOWN_LINES:]
        warnings.append(SourceError(
            shown, f"control characters XML does not allow on {len(rest)} more lines, the first at line "
            f"{rest[0]}; removed (vertical tabs and form feeds made spaces)", line=rest[0],
            hint="nothing to do: word processors paste these into posts"))
    return illegal.sub(lambda m: b" " if m[0] in _SPACE_LIKE else b"", data), warnings


def _cut_short(data: bytes, shown: str) -> tuple[bytes, SourceError] | None:
    """For an export that ends before its </rss> (an interrupted download or copy): the bytes
    up to its last whole <item>, closed, and the warning that says where it ends."""
    if _ROOT.search(data) is None or _CLOSED.search(data[-4096:]) is not None:
        return None  # not an export at all (that is said later), or one that ends
    spans, start = [], 0
    for match in _OPAQUE_TO_END.finditer(data):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(data)))
    closed_at, opened_at = -1, -1
    for begin, end in spans:
        for tag in _ITEM_TAG.finditer(data, begin, end):
            if tag[1]:
                closed_at, opened_at = data.index(b">", tag.end()) + 1, -1
            elif opened_at < 0:
                opened_at = tag.start()
    line, col = _place(data, len(data))
    if opened_at >= 0:
        where = f"inside an <item> (begun at line {_place(data, opened_at)[0]})"
    elif closed_at >= 0:
        where = "after its last <item>, before its closing </rss>"
    else:
        where = "before its first <item>"
    cut = closed_at if closed_at >= 0 else opened_at
    kept = data[:cut] + b"\n</channel>\n</rss>\n" if cut >= 0 else data
    return kept, SourceError(
        shown, f"the export ends at line {line} {where}: it was cut short; export it again",
        line=line, col=col,
        hint="export the site again (Tools > Export > All content) and import that one: this import "
             + (f"ends with the item that ends at line {_place(data, closed_at)[0]}" if closed_at >= 0
                else "has no items"))


def _refuse_declarations(data: bytes, shown: str) -> None:
    for start, end in _outside_opaque(data):
        match = _DECLARATION.search(data, start, end)
        if match is not None:
            line, col = _place(data, match.start())
            raise SourceError(shown, "the export declares a document type or entities; WordPress exports "
                              "never do, and entities can expand without end or read local files",
                              line=line, col=col, hint="export the site again from WordPress, or delete the "
                              "<!DOCTYPE ...> part if you trust the file")


def _outside_opaque(data: bytes) -> list[tuple[int, int]]:
    """The stretches of the file outside CDATA sections and comments."""
    spans, start = [], 0
    for match in _OPAQUE.finditer(data):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(data)))
    return spans


def _parser(*, recover: bool) -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                           recover=recover, remove_blank_text=False, strip_cdata=True)


def _parse(data: bytes, shown: str, warnings: list[SourceError]) -> etree._Element:
    """The document's root: as it is; else with raw '&' and HTML entities made XML; else what
    libxml2's recovery makes of it, each step with its warnings."""
    try:
        return etree.fromstring(data, _parser(recover=False))
    except etree.XMLSyntaxError:
        pass
    repaired, found = _repaired(data, shown)
    warnings += found
    try:
        return etree.fromstring(repaired, _parser(recover=False))
    except etree.XMLSyntaxError as exc:
        line, col = exc.position
        first = SourceError(shown, f"not well-formed XML ({exc.msg}); the rest is read as libxml2 recovers "
                            "it, which may lose text there", line=line, col=col or None,
                            hint="check the post at this line after the import")
    parser = _parser(recover=True)
    root = etree.fromstring(repaired, parser)
    if root is None:
        raise first
    warnings.append(first)
    return root


def _repaired(data: bytes, shown: str) -> tuple[bytes, list[SourceError]]:
    """The bytes with each raw '&' written &amp; and each HTML entity (&nbsp;) as a character
    reference, outside CDATA and comments; one warning for each kind, at its first place."""
    out: list[bytes] = []
    firsts: dict[str, tuple[int, int]] = {}  # kind -> (first offset, how many)
    for start, end in _outside_opaque(data):
        at = start
        for match in _AMPERSAND.finditer(data, start, end):
            replacement = _replacement(match)
            if replacement is None:
                continue
            kind = "ampersand" if match["name"] is None else "entity"
            first, times = firsts.get(kind, (match.start(), 0))
            firsts[kind] = (first, times + 1)
            out += [data[at:match.start()], replacement]
            at = match.end()
        out.append(data[at:end])
        if end < len(data):
            out.append(data[end:_opaque_end(data, end)])
    messages = {"ampersand": "a raw '&' that starts no entity (not well-formed XML); read as the character &",
                "entity": "an HTML entity XML does not define (such as &nbsp;); read as that character"}
    warnings = []
    for kind, (offset, times) in sorted(firsts.items(), key=lambda item: item[1][0]):
        line, col = _place(data, offset)
        more = f" ({times} such places in the file)" if times > 1 else ""
        warnings.append(SourceError(shown, messages[kind] + more, line=line, col=col,
                                    hint="nothing to do: WordPress writes some exports this way"))
    return b"".join(out), warnings


def _opaque_end(data: bytes, start: int) -> int:
    match = _OPAQUE.match(data, start)
    return match.end() if match else len(data)


def _replacement(match: re.Match[bytes]) -> bytes | None:
    """What an '&' becomes for XML to read it as meant; None when it already is XML."""
    if match["reference"] is not None:
        return None
    name = match["name"]
    if name is None:
        return b"&amp;"
    if name in _XML_ENTITIES:
        return None
    character = html.entities.html5.get(name.decode() + ";")
    if character is None:
        return b"&amp;" + name + b";"
    return b"".join(b"&#%d;" % ord(c) for c in character)


def _place(data: bytes, offset: int) -> tuple[int, int]:
    """Line and column (in characters) of a byte offset, both from 1."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, len(data[line_start:offset].decode("utf-8", "replace")) + 1


def _key(element: etree._Element) -> str:
    """`wp:post_name`, `content:encoded`, `excerpt:encoded`, `title`: whatever the WXR version."""
    if not isinstance(element.tag, str):
        return ""
    name = etree.QName(element)
    space = name.namespace or ""
    if space.startswith(_WP):
        return f"{'excerpt' if space.rstrip('/').endswith('excerpt') else 'wp'}:{name.localname}"
    prefix = _SPACES.get(space)
    return f"{prefix}:{name.localname}" if prefix else name.localname


def _fields(element: etree._Element) -> dict[str, list[etree._Element]]:
    found: dict[str, list[etree._Element]] = {}
    for child in element:
        found.setdefault(_key(child), []).append(child)
    return found


def _text(element: etree._Element, key: str, fields: dict[str, list[etree._Element]] | None = None) -> str:
    children = (fields if fields is not None else _fields(element)).get(key)
    return "".join(children[0].itertext()).strip() if children else ""


def _declared(element: etree._Element, kind: str) -> Term | None:
    fields = _fields(element)
    if kind == "category":
        taxonomy, slug, name = "category", "wp:category_nicename", "wp:cat_name"
        description, parent = "wp:category_description", "wp:category_parent"
    elif kind == "tag":
        taxonomy, slug, name, parent = "post_tag", "wp:tag_slug", "wp:tag_name", ""
        description = "wp:tag_description"
    else:
        taxonomy = _text(element, "wp:term_taxonomy", fields)
        slug, name, parent = "wp:term_slug", "wp:term_name", "wp:term_parent"
        description = "wp:term_description"
    if taxonomy not in ("category", "post_tag"):
        return None
    return Term(taxonomy=taxonomy, slug=unquote(_text(element, slug, fields)),
                name=_shown(_text(element, name, fields)),
                description=_text(element, description, fields),
                parent=unquote(_text(element, parent, fields)) if parent else "", line=element.sourceline)


def _shown(text: str) -> str:
    """A title or term name as WordPress shows it: it keeps them HTML-escaped (R&amp;D), and
    some exports put them in CDATA as they are."""
    return html.unescape(text).strip()


def _item(element: etree._Element) -> Item:
    fields = _fields(element)

    def text(key: str) -> str:
        return _text(element, key, fields)

    terms = tuple((c.get("domain", "category"), unquote(c.get("nicename", "")), _shown("".join(c.itertext())))
                  for c in fields.get("category", []))
    meta = {}
    for entry in fields.get("wp:postmeta", []):
        entry_fields = _fields(entry)
        key = _text(entry, "wp:meta_key", entry_fields)
        if key in _META_KEPT:
            meta[key] = _text(entry, "wp:meta_value", entry_fields)
    order = text("wp:menu_order")
    return Item(
        line=element.sourceline or 1, title=_shown(text("title")), link=text("link"), guid=text("guid"),
        post_id=text("wp:post_id"), post_type=text("wp:post_type") or "post", status=text("wp:status"),
        name=unquote(text("wp:post_name")), date=text("wp:post_date"), date_gmt=text("wp:post_date_gmt"),
        modified=text("wp:post_modified"), modified_gmt=text("wp:post_modified_gmt"),
        pub_date=text("pubDate"), creator=text("dc:creator"),
        content="".join(fields["content:encoded"][0].itertext()) if "content:encoded" in fields else "",
        excerpt="".join(fields["excerpt:encoded"][0].itertext()) if "excerpt:encoded" in fields else "",
        password=text("wp:post_password"), terms=terms, attachment_url=text("wp:attachment_url"),
        parent_id=text("wp:post_parent"), menu_order=int(order) if order.lstrip("-").isdigit() else 0,
        comments=len(fields.get("wp:comment", [])), meta=meta)
