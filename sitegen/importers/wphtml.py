"""WordPress post HTML as readable Markdown: block-editor comments dropped, wpautop applied to
classic-editor text, shortcodes made HTML, then markdownify (the one module that imports it)
writes Markdown for what has a Markdown form and keeps the rest as HTML, which a build cleans.

Why markdownify rather than html2text: on the shared exports it kept every list, heading, link,
image, code block and table the posts hold, and its converter is a class with one method per
element, so figures, players and tables that Markdown cannot write stay HTML instead of
becoming flattened text. Pure. Imports the module beside it (wpshortcodes).
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from markdownify import ATX, MarkdownConverter

from sitegen.importers.wpshortcodes import Attachment, Done, auto_embeds, code_blocks, media

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
# What would start a heading, a list item or a quote at the start of a line of text
_LINE_MARK = re.compile(r"(?:^|(?<=\n))([ \t]*)(?:(#{1,6}|[-+*>])(?=[ \t]|$)|(\d{1,9})([.)])(?=[ \t]|$))")
_COMPLEX_CELL = ("table", "ul", "ol", "pre", "blockquote", "p", "div", "br", *(f"h{n}" for n in range(1, 7)))


@dataclass(frozen=True, slots=True)
class Converted:
    markdown: str
    converted: tuple[str, ...]  # the shortcodes made HTML, by name
    left: tuple[tuple[str, str], ...]  # the shortcodes left as text, as written, and why
    kept_html: tuple[str, ...]  # the elements left as HTML, by name: figure, iframe, table...


def to_markdown(content: str, *, attachments: Mapping[str, Attachment], post_id: str) -> Converted:
    """A post's content:encoded as Markdown, with what was converted and what stays HTML."""
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
    converter = _Converter(heading_style=ATX, bullets="-", code_language_callback=_language,
                           escape_underscores=False, escape_misc=False)
    markdown = converter.convert(text)
    markdown = markdown.replace(_MORE_TOKEN, MORE)
    markdown = re.sub(r"[ \t]+$", lambda m: "  " if m[0] == "  " else "", markdown, flags=re.MULTILINE)
    markdown = re.sub(r"\n{3,}", "\n\n", markdown).strip("\n") + "\n"
    return Converted(markdown, tuple(done.converted), tuple(done.left), tuple(converter.kept))


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

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.kept: list[str] = []

    def _raw(self, el: Any, text: str, parent_tags: set[str]) -> str:
        self.kept.append(el.name)
        return f"\n\n{el}\n\n"

    convert_iframe = convert_video = convert_audio = convert_object = convert_embed = _raw

    def convert_figure(self, el: Any, text: str, parent_tags: set[str]) -> str:
        """A figure that is only an image (the block editor's) is a Markdown image; one with a
        caption or a player stays HTML."""
        images = el.find_all("img")
        if len(images) == 1 and el.find(["figcaption", "iframe", "video", "audio", "table"]) is None \
                and el.get_text(strip=True) == "":
            return f"\n\n{text.strip()}\n\n"
        return self._raw(el, text, parent_tags)

    def _inline(self, el: Any, text: str, parent_tags: set[str]) -> str:
        return f"<{el.name}>{text}</{el.name}>" if text.strip() else text

    convert_sup = convert_sub = convert_u = convert_del = convert_s = convert_ins = convert_mark = _inline

    def convert_table(self, el: Any, text: str, parent_tags: set[str]) -> str:
        complex_cells = any(cell.find(_COMPLEX_CELL) or cell.get("colspan") or cell.get("rowspan")
                            for cell in el.find_all(["td", "th"]))
        if complex_cells or not el.find("tr"):
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
        text = str(super().escape(text, parent_tags))  # type: ignore[misc]
        return _ENTITY_LIKE.sub("&lt;", text)  # text that reads like a tag stays text

    def process_text(self, el: Any, parent_tags: set[str] | None = None) -> str:
        text = str(super().process_text(el, parent_tags=parent_tags))  # type: ignore[misc]
        if "_noformat" in (parent_tags or set()):
            return text
        starts_line = el.previous_sibling is None or getattr(el.previous_sibling, "name", None) in (
            "br", "p", "div", "ul", "ol", "table", "pre", "blockquote", "figure", "hr")
        return _LINE_MARK.sub(lambda m: _escaped_mark(m) if starts_line or m.start() > 0 else m[0], text)


def _escaped_mark(match: re.Match[str]) -> str:
    """A heading, list or quote mark in text, backslash-escaped: `\\#`, `\\-`, `1\\.`."""
    if match[2]:
        return f"{match[1]}\\{match[2]}"
    return f"{match[1]}{match[3]}\\{match[4]}"
