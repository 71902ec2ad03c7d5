"""WordPress post HTML as readable Markdown: block-editor comments dropped, wpautop applied to
classic-editor text, shortcodes made HTML, links to the old site made site paths, then
markdownify (the one module that imports it) writes Markdown for what has a Markdown form and
keeps the rest as HTML, which a build cleans; what the import drops and what the build will
clean (as the sanitizer's allow-list says) is listed, so that nothing goes unsaid.

Why markdownify rather than html2text: on the shared exports it kept every list, heading, link,
image, code block and table the posts hold, and its converter is a class with one method per
element, so figures, players and tables that Markdown cannot write stay HTML instead of
becoming flattened text. Pure. Imports models and sanitize (the allow-list) and the module
beside it (wpshortcodes).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from markdownify import ATX, MarkdownConverter

from sitegen.importers.wpshortcodes import Attachment, Done, auto_embeds, code_blocks, media
from sitegen.models import IFRAME_HOSTS
from sitegen.sanitize import Removal, removals

# A link's new address: (site path, "") for an old address the import knows, (as it was, why)
# for another on the old site, None for a link elsewhere
Relink = Callable[[str], "tuple[str, str] | None"]

MORE = "<!--more-->"
_UPLOADS = "wp-content/uploads"
_MORE_TOKEN = "sitegenmoretoken5c1e"
_BLOCK_COMMENT = re.compile(r"<!--\s*/?wp:.*?-->\n?", re.DOTALL)
_MORE = re.compile(r"<!--more(?:\s[^>]*)?-->", re.IGNORECASE)
_NEXT_PAGE = re.compile(r"<!--nextpage-->", re.IGNORECASE)
_BLOCKS = ("table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form|map|area|"
           "blockquote|address|math|style|p|h[1-6]|hr|fieldset|legend|section|article|aside|hgroup|header|"
           "footer|nav|figure|figcaption|details|menu|summary")
_KEPT = re.compile(r"<(pre|script|style|svg)\b.*?</\1\s*>|<!--.*?-->", re.DOTALL | re.IGNORECASE)
_STAND_IN = re.compile(r'<(?:pre|style) data-wpautop="(\d+)"></(?:pre|style)>|<!--wpautop-kept-(\d+)-->')
_TAG_NEWLINES = re.compile(r"<[^<>]*\n[^<>]*>")
_BLOCK_OPEN = re.compile(rf"(<(?:{_BLOCKS})[\s/>])", re.IGNORECASE)
_BLOCK_CLOSE = re.compile(rf"(</(?:{_BLOCKS})>)", re.IGNORECASE)
_BLOCK_TAG = rf"</?(?:{_BLOCKS})[^>]*>"
_WRAPPED_FIGURE = re.compile(r"<p>\s*(<figure\b.*?</figure>)\s*</p>", re.DOTALL)
_MEDIA = re.compile(r"""https?://[^\s"'<>()\]]+?/(?:wp-content/uploads|files)/[^\s"'<>()\]]+""")
_CODE_CLASS = re.compile(r"(?:^|\s)(?:language|lang)-([\w+#.-]+)|brush:\s*([\w+#.-]+)")
_ENTITY_LIKE = re.compile(r"<(?=[A-Za-z/!?])")
# What Markdown reads as markup in text, escaped where it would: a backslash before punctuation,
# every '*' and '`', a '_' at the edge of a word (inside one, as in snake_case, neither
# Python-Markdown nor CommonMark reads it as emphasis), a '(' or '[' after a ']' (a link's
# target: `[text]\(url)` is text, and no link checker reads a link there), a '[' that would start
# a link definition, and an '&' that would start an entity
_BACKSLASH = re.compile(r"\\(?=[!-/:-@\[-`{-~])")
_ALWAYS = re.compile(r"[*`]")
_EDGE_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")
_LINK_TARGET = re.compile(r"(?<=\])[(\[]")
_DEFINITION = re.compile(r"(?:^|(?<=\n))([ \t]*)\[(?=[^\]\n]*\]:)")
_ENTITY = re.compile(r"&(?=#?\w+;)")
# What would start a heading, a list item or a quote at the start of a line of text
_LINE_MARK = re.compile(r"(?:^|(?<=\n))([ \t]*)(?:(#{1,6}|[-+*>])(?=[ \t]|$)|(\d{1,9})([.)])(?=[ \t]|$))")
_COMPLEX_CELL = ("table", "ul", "ol", "pre", "blockquote", "p", "div", "br", *(f"h{n}" for n in range(1, 7)))
_HEADING = re.compile(r"h[1-6]")
_NOT_IN_NAMES = re.compile(r"[\[\]:-]")
_KEPT_WHOLE = ("iframe", "video", "audio", "object", "embed", "details")
_DROPPED_WITH_TEXT = ("script", "style", "noscript", "template")
# Elements whose tag Markdown does not need: wrappers and table parts, or a span (its style is
# reported as a style attribute)
_PLAIN = frozenset({"[document]", "html", "head", "body", "span", "thead", "tbody", "tfoot", "colgroup",
                    "col", "header", "footer", "main", "nav", "aside", "hgroup", "time", "wbr", "nobr"})


@dataclass(frozen=True, slots=True)
class Converted:
    markdown: str
    converted: tuple[str, ...]  # the shortcodes made HTML, by name
    left: tuple[tuple[str, str], ...]  # the shortcodes left as text, as written, and why
    kept_html: tuple[str, ...]  # the elements left as HTML, by name: figure, iframe, table...
    links: tuple[tuple[str, str, str], ...] = ()  # links to the old site: (as written, now, why not)
    dropped: tuple[str, ...] = ()  # what of the HTML the import writes no Markdown for: <script>...
    cleaned: tuple[str, ...] = ()  # what of the HTML kept the build's sanitizer will remove


def to_markdown(content: str, *, attachments: Mapping[str, Attachment], post_id: str,
                relink: Relink | None = None) -> Converted:
    """A post's content:encoded as Markdown, with what was converted and what stays HTML; each
    link `relink` knows is written as it says."""
    done = Done()
    blocks = "<!-- wp:" in content
    text = _BLOCK_COMMENT.sub("", content)
    text = _MORE.sub(f"\n\n{_MORE_TOKEN}\n\n", text, count=1)
    text = _MORE.sub("", _NEXT_PAGE.sub("", text))
    text = code_blocks(text, done)
    text = auto_embeds(text, done)
    if not blocks:  # WordPress runs wpautop on classic-editor text only
        text = wpautop(text)
    text = media(text, attachments, post_id, done)
    text = _WRAPPED_FIGURE.sub(r"\1", text)
    converter = _Converter(relink, heading_style=ATX, bullets="-", code_language_callback=_language,
                           escape_asterisks=False, escape_underscores=False, escape_misc=False)
    markdown = converter.convert(text)
    markdown = markdown.replace(_MORE_TOKEN, MORE)
    markdown = re.sub(r"[ \t]+$", lambda m: "  " if m[0] == "  " else "", markdown, flags=re.MULTILINE)
    markdown = re.sub(r"\n{3,}", "\n\n", markdown).strip("\n") + "\n"
    return Converted(markdown, tuple(done.converted), tuple(done.left), tuple(converter.kept),
                     tuple(converter.links), tuple(converter.dropped), tuple(converter.cleaned))


def wpautop(text: str) -> str:
    """WordPress's auto-paragraphs: text separated by a blank line becomes a <p>, a single line
    break inside one a <br />; block elements are left standing; <pre>, scripts, styles and
    comments are left exactly as they are."""
    if not text.strip():
        return ""
    kept: list[str] = []

    def keep(match: re.Match[str]) -> str:
        """A stand-in of the same kind: a <pre> stays a block, a script or comment stays inline."""
        kept.append(match[0])
        name = (match[1] or "").lower()
        return f'<{name} data-wpautop="{len(kept) - 1}"></{name}>' if name in ("pre", "style") else \
            f"<!--wpautop-kept-{len(kept) - 1}-->"

    text = _KEPT.sub(keep, text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _TAG_NEWLINES.sub(lambda m: m[0].replace("\n", " "), text)  # a break inside a tag is a space
    text = re.sub(r"<br\s*/?>\s*<br\s*/?>", "\n\n", text, flags=re.IGNORECASE)
    text = _BLOCK_OPEN.sub(r"\n\n\1", text)
    text = _BLOCK_CLOSE.sub(r"\1\n\n", text)
    text = re.sub(r"<hr\s*/?>", "<hr />\n\n", text, flags=re.IGNORECASE)
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    text = "".join(f"<p>{p}</p>\n" for p in paragraphs)
    text = re.sub(r"<p>\s*</p>", "", text)
    text = re.sub(r"<p>([^<]+)</(div|address|form)>", r"<p>\1</p></\2>", text)
    text = re.sub(rf"<p>\s*({_BLOCK_TAG})\s*</p>", r"\1", text, flags=re.IGNORECASE)
    text = re.sub(r"<p>(<li.+?)</p>", r"\1", text)
    text = re.sub(r"<p><blockquote([^>]*)>", r"<blockquote\1><p>", text, flags=re.IGNORECASE)
    text = text.replace("</blockquote></p>", "</p></blockquote>")
    text = re.sub(rf"<p>\s*({_BLOCK_TAG})", r"\1", text, flags=re.IGNORECASE)
    text = re.sub(rf"({_BLOCK_TAG})\s*</p>", r"\1", text, flags=re.IGNORECASE)
    text = re.sub(r"(?<!<br />)[ \t]*\n(?!$)", "<br />\n", text)  # the line breaks left are <br>s
    text = re.sub(rf"({_BLOCK_TAG})\s*<br />", r"\1", text, flags=re.IGNORECASE)
    text = re.sub(r"<br />(\s*</?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)[^>]*>)", r"\1", text,
                  flags=re.IGNORECASE)
    text = re.sub(r"\n</p>$", "</p>", text)
    return _STAND_IN.sub(lambda m: kept[int(m[1] or m[2])], text)


def page_count(content: str) -> int:
    """How many pages WordPress split a post into: one, and one more for each <!--nextpage-->."""
    return len(_NEXT_PAGE.findall(content)) + 1


def media_urls(text: str) -> list[str]:
    """Addresses of uploaded files (wp-content/uploads, wordpress.com's files), once each, in order."""
    found = (m[0].rstrip(".,;") for m in _MEDIA.finditer(text))
    return list(dict.fromkeys(u for u in found if f"/{_UPLOADS}/" in u or ".files.wordpress.com/" in u))


def plain_text(fragment: str) -> str:
    """An excerpt's text without its markup, on one line."""
    text = re.sub(r"<[^>]*>", " ", _BLOCK_COMMENT.sub("", fragment))
    return " ".join(html.unescape(text).split())


def _language(element: Any) -> str | None:
    """The language of a code block, as WordPress plugins mark it: class="language-x", "lang-x",
    SyntaxHighlighter's "brush: x", or a lang attribute."""
    for node in (element, element.find("code")):
        if node is None:
            continue
        classes = " ".join(node.get("class") or [])
        match = _CODE_CLASS.search(classes)
        if match:
            return str(match[1] or match[2]).lower()
        for attribute in ("lang", "data-lang"):
            if re.fullmatch(r"[\w+#.-]+", node.get(attribute) or ""):
                return str(node.get(attribute)).lower()
    return None


class _Converter(MarkdownConverter):
    """markdownify's converter, with HTML kept where Markdown has no form for the element, list
    items indented as Python-Markdown reads them, and text that would be read as markup escaped."""

    def __init__(self, relink: Relink | None, **options: Any) -> None:
        super().__init__(**options)
        self.relink = relink
        self.kept: list[str] = []
        self.links: list[tuple[str, str, str]] = []
        self.dropped: list[str] = []
        self.cleaned: list[str] = []

    def convert_soup(self, soup: Any) -> str:
        """The document as Markdown, its links to the old site rewritten first (in the HTML kept
        as well), and what the import drops or the build will clean noted."""
        for link in soup.find_all("a", href=True):
            found = self.relink(str(link["href"])) if self.relink is not None else None
            if found is not None and (found[1] or found[0] != link["href"]):
                self.links.append((str(link["href"]), *found))
                link["href"] = found[0]
        for el in soup.find_all(True):
            whole = [node for node in (el, *el.parents) if _kept_whole(node)]
            if whole:
                if whole == [el]:
                    self.cleaned += map(_cleaned, removals(str(el), IFRAME_HOSTS))
                continue
            if el.name in _DROPPED_WITH_TEXT or (el.name not in _PLAIN and not self._converts(el.name)):
                self.dropped.append(f"<{el.name}>")
            if el.get("style"):
                self.dropped.append("style attributes")
            for attribute in ("href", "src"):  # kept by the Markdown link or image
                if el.get(attribute):
                    tag = f'<a {attribute}="{html.escape(el[attribute])}">'
                    self.cleaned += map(_cleaned, removals(tag, ()))
        return str(super().convert_soup(soup))

    def _converts(self, name: str) -> bool:
        """Whether markdownify writes the element as Markdown (a heading, a link...) or HTML, not
        only its text: whether it has a convert_ method for it, as markdownify looks one up."""
        method = "convert_" + _NOT_IN_NAMES.sub("_", name)
        return _HEADING.fullmatch(name) is not None or hasattr(self, method)

    def _raw(self, el: Any, text: str, parent_tags: set[str]) -> str:
        self.kept.append(el.name)
        return f"\n\n{el}\n\n"

    convert_iframe = convert_video = convert_audio = convert_object = convert_embed = convert_details = _raw

    def convert_figure(self, el: Any, text: str, parent_tags: set[str]) -> str:
        """A figure that is only an image (the block editor's) is a Markdown image; one with a
        caption or a player stays HTML."""
        if _kept_whole(el):
            return self._raw(el, text, parent_tags)
        return f"\n\n{text.strip()}\n\n"

    def _inline(self, el: Any, text: str, parent_tags: set[str]) -> str:
        return f"<{el.name}>{text}</{el.name}>" if text.strip() else text

    convert_sup = convert_sub = convert_u = convert_del = convert_s = convert_ins = convert_mark = _inline
    convert_cite = _inline  # a quote's source: Markdown has no form for it

    def convert_table(self, el: Any, text: str, parent_tags: set[str]) -> str:
        if _kept_whole(el):
            return self._raw(el, text, parent_tags)
        return str(super().convert_table(el, text, parent_tags))  # type: ignore[misc]  # stubs: convert() only

    def convert_li(self, el: Any, text: str, parent_tags: set[str]) -> str:
        text = (text or "").strip()
        if not text:
            return "\n"
        parent = el.parent
        if parent is not None and parent.name == "ol":
            start = str(parent.get("start") or "1")
            first = int(start) if start.isdigit() else 1
            bullet = f"{first + len(el.find_previous_siblings('li'))}."
        else:
            bullet = "-"
        lines = text.split("\n")
        rest = "\n".join(f"    {line}" if line else "" for line in lines[1:])
        return f"{bullet} {lines[0]}" + (f"\n{rest}" if rest else "") + "\n"

    def escape(self, text: str, parent_tags: set[str]) -> str:
        """Text as Markdown that shows it as it is; markdownify's own escaping is off: it escapes
        every '_' (snake\\_case) or, with escape_misc, every '&', '+', '=' and '|' as well."""
        if not text:
            return ""
        text = _BACKSLASH.sub(r"\\\\", text)
        text = _ALWAYS.sub(r"\\\g<0>", text)
        text = _EDGE_UNDERSCORE.sub(r"\\_", text)
        text = _LINK_TARGET.sub(r"\\\g<0>", text)
        text = _DEFINITION.sub(r"\1\\[", text)
        text = _ENTITY.sub("&amp;", text)
        return _ENTITY_LIKE.sub("&lt;", text)  # text that reads like a tag stays text

    def process_text(self, el: Any, parent_tags: set[str] | None = None) -> str:
        text = str(super().process_text(el, parent_tags=parent_tags))  # type: ignore[misc]
        if "_noformat" in (parent_tags or set()):
            return text
        starts_line = el.previous_sibling is None or getattr(el.previous_sibling, "name", None) in (
            "br", "p", "div", "ul", "ol", "table", "pre", "blockquote", "figure", "hr")
        return _LINE_MARK.sub(lambda m: _escaped_mark(m) if starts_line or m.start() > 0 else m[0], text)


def _kept_whole(el: Any) -> bool:
    """Whether the converter keeps an element as HTML: a player, a figure that is more than an
    image (a caption, a player), a table Markdown cannot write (merged cells, blocks in cells)."""
    if el.name in _KEPT_WHOLE:
        return True
    if el.name == "figure":
        return len(el.find_all("img")) != 1 or el.find(["figcaption", "iframe", "video", "audio", "table"]) \
            is not None or el.get_text(strip=True) != ""
    if el.name == "table":
        return not el.find("tr") or any(cell.find(_COMPLEX_CELL) or cell.get("colspan") or cell.get("rowspan")
                                        for cell in el.find_all(["td", "th"]))
    return False


def _cleaned(removal: Removal) -> str:
    """What the sanitizer removes, as the import report lists it."""
    return {"handler": f"{removal.detail}= attributes", "javascript": "javascript: links",
            "style": f"style {removal.detail}", "iframe": f"iframes from {removal.detail}"}.get(
                removal.kind, removal.detail)


def _escaped_mark(match: re.Match[str]) -> str:
    """A heading, list or quote mark in text, backslash-escaped: `\\#`, `\\-`, `1\\.`."""
    if match[2]:
        return f"{match[1]}\\{match[2]}"
    return f"{match[1]}{match[3]}\\{match[4]}"
