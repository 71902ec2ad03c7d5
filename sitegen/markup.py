"""Markdown text -> HTML fragments (body, excerpt, table of contents) and plain text.

Support module: imports nothing from sitegen. The one place that imports markdown and pygments.
One Markdown instance per process, reset before each document (reset clears the state that
footnotes, abbreviations and the table of contents keep).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from html import unescape
from typing import Any

MORE = "<!--more-->"
_MORE_TOKEN = "sitegen-more-d41d8cd9"
_TOC_MARKER = "[TOC]"
WORDS_PER_MINUTE = 220
_EXTENSIONS = ["extra", "toc", "codehilite", "sane_lists", "admonition"]
_CONFIG: dict[str, dict[str, object]] = {
    "toc": {"permalink": "#", "permalink_title": "Link to this section", "toc_depth": "2-4"},
    "codehilite": {"css_class": "highlight", "guess_lang": False},
}
_FENCE_LINE = re.compile(r"^\s{0,3}(```|~~~)")
_CODE_SPAN = re.compile(r"(`+[^`]*`+)")
_TEMPLATE_OPEN = re.compile(r"(?<!\\)(\{)(?=[{%])")
_URL_ATTRIBUTE = re.compile(r'(\s(?:href|src|action|formaction)=)"([^"]*)"', re.IGNORECASE)
_ROOT_LINK = re.compile(r'\s(?:href|src)="/(?!/)')
_FRAGMENT_LINK = re.compile(r'\shref="#')
_ID_ATTRIBUTE = re.compile(r'\sid="[^"]*"')
_HIDDEN = re.compile(r"<(script|style|sup)\b[^>]*>.*?</\1\s*>|<a [^>]*class=\"headerlink\"[^>]*>.*?</a>",
                     re.DOTALL | re.IGNORECASE)
_BLOCK_TAG = re.compile(r"</?(?:p|li|br|h[1-6]|td|th|pre|div|blockquote|tr)\b[^>]*>", re.IGNORECASE)
_ANY_TAG = re.compile(r"<[^>]*>")
_FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)
_QUOTED = re.compile(r""""[^"]*"|'[^']*'""")
_INVISIBLE = re.compile(r"[\x00-\x20]+")  # what browsers skip in a URL's scheme
_WORD = re.compile(r"[^\W_]\S*")  # from a token's first letter or digit to the token's end


@dataclass(frozen=True, slots=True)
class Rendered:
    body_html: str
    excerpt_html: str  # the part above <!--more-->, or the whole body; safe to repeat on a list
    toc_html: str
    cut: bool
    summary: str  # plain text of the excerpt's first part, for lists, feeds and meta tags
    words: int

    @property
    def reading_minutes(self) -> int:
        return max(1, round(self.words / WORDS_PER_MINUTE))


def render(text: str, *, url: str, base_path: str, unsafe_html: bool = False,
           more: str = MORE) -> Rendered:
    """Convert one document; `url` is its site URL, `base_path` the site's path prefix.

    Raw HTML in the text is shown as text unless `unsafe_html`: content is not trusted to run
    script on the site. Links with executable schemes (javascript:, vbscript:, data: pages) lose
    their target either way.
    """
    md = _converter(unsafe_html)
    lines = _protect_template_syntax(text.split("\n"))
    marker = next((i for i, line in enumerate(lines) if line.strip() == more), None)
    if marker is not None:  # a plain-text token survives either mode; the comment would not
        lines[marker] = f"\n{_MORE_TOKEN}\n"
    text = "\n".join(lines)
    # The table of contents' marker is looked for in every element of the document: only where
    # the text holds it
    md.treeprocessors["toc"].marker = _TOC_MARKER if _TOC_MARKER in _without_controls(text) else ""
    body = _defuse_urls(md.convert(text))
    # Wide code and tables scroll sideways; a tab stop lets keyboard users scroll them too.
    body = body.replace("<pre>", '<pre tabindex="0">').replace("<table>", '<table tabindex="0">')
    toc_html = str(md.toc) if len(getattr(md, "toc_tokens", [])) > 1 else ""
    head, found, tail = body.partition(f"<p>{_MORE_TOKEN}</p>")
    cut = bool(found)
    body = f"{head.rstrip()}\n{tail.lstrip()}" if cut else body
    excerpt = head.rstrip() if cut else body
    # On a list page several posts share one document: ids would clash and "#x" would point at
    # the list, so ids go and fragment links point at the post itself.
    excerpt = _in_tags(_ID_ATTRIBUTE, lambda attribute: "", excerpt)
    excerpt = _in_tags(_FRAGMENT_LINK, lambda attribute: f'{attribute[:-1]}{url}#', excerpt)
    plain_head = plain_text(head if cut else _first_paragraph(body))
    return Rendered(
        body_html=_with_base(body, base_path),
        excerpt_html=_with_base(excerpt, base_path),
        toc_html=_with_base(toc_html, base_path),
        cut=cut,
        summary=" ".join(plain_head.split()),
        words=count_words(plain_text(body)),
    )


_CONVERTERS: dict[bool, Any] = {}


def _converter(unsafe_html: bool) -> Any:
    """A Markdown converter, made once per process and reset between documents."""
    md = _CONVERTERS.get(unsafe_html)
    if md is None:
        md = _CONVERTERS[unsafe_html] = new_converter(unsafe_html)
    return md.reset()


def new_converter(unsafe_html: bool, *, fast: bool = True) -> Any:
    """A Markdown converter with sitegen's extensions; `fast`: with the block parser and inline
    processor that skip what cannot match (fast=False: Python-Markdown's own, to compare)."""
    import markdown  # type: ignore[import-untyped]  # here: a rebuild from the cache never needs it

    config = {**_CONFIG, "codehilite": {**_CONFIG["codehilite"], "pygments_formatter": _formatter()}}
    md = markdown.Markdown(extensions=_EXTENSIONS, extension_configs=config, output_format="html")
    if not unsafe_html:
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
    if fast:
        _skip_blocks(md)
        _skip_inline_patterns(md)
    return md


def _formatter() -> type:
    """Pygments' HTML formatter, but working out a style's CSS classes once, not once per code
    block (most of the cost of highlighting a short block)."""
    from pygments.formatters.html import HtmlFormatter  # type: ignore[import-untyped]

    sheets: dict[tuple[object, str], tuple[dict[Any, str], dict[str, Any]]] = {}

    class Formatter(HtmlFormatter):  # type: ignore[misc]
        def _create_stylesheet(self) -> None:
            key = (self.style, self.classprefix)
            if key not in sheets:
                super()._create_stylesheet()
                sheets[key] = self.ttype2class, self.class2style  # type: ignore[has-type]
            self.ttype2class, self.class2style = sheets[key]  # only ever read after this

    return Formatter


# What a text must hold for each of Python-Markdown's inline patterns to match in it (any one of
# the strings). Each text is otherwise tried against every pattern in turn, one regex search and
# several Python calls each, although most texts hold only one or two of these characters.
INLINE_NEEDS: dict[str, tuple[str, ...]] = {
    "backtick": ("`",), "escape": ("\\",), "footnote": ("[^",),
    "reference": ("[",), "link": ("[",), "short_reference": ("[",),
    "image_link": ("![",), "image_reference": ("![",), "short_image_ref": ("![",),
    "autolink": ("<",), "automail": ("<",), "html": ("<",), "linebreak": ("  \n",),
    "entity": ("&",), "em_strong": ("*", "_"),
}
# The same for the block processors that search a whole block (or take every block, then look)
BLOCK_NEEDS: dict[str, tuple[str, ...]] = {
    "table": ("|",), "hashheader": ("#",), "setextheader": ("\n=", "\n-"), "hr": ("-", "_", "*"),
    "deflist": (":",), "quote": (">",), "footnote": ("[^",), "abbr": ("*[",), "reference": ("]:",),
}


def _with_needs(registry: Any, needs: dict[str, tuple[str, ...]]) -> list[tuple[Any, tuple[str, ...]]]:
    """A registry's items in order, each with what it needs; ("",): an item not listed is always
    tried."""
    where = {registry.get_index_for_name(name): text for name, text in needs.items() if name in registry}
    return [(item, where.get(i, ("",))) for i, item in enumerate(registry)]


def _skip_inline_patterns(md: Any) -> None:
    """Python-Markdown's inline processor, but skipping the patterns whose INLINE_NEEDS a text lacks.

    The output is the same: a skipped pattern could not have matched. The loop is the one in
    Python-Markdown's private `__handleInline`; where that is missing (another major version),
    the stock processor is kept.
    """
    from markdown import treeprocessors, util

    stock = treeprocessors.InlineProcessor
    if not all(hasattr(stock, f"_InlineProcessor__{name}") for name in ("handleInline", "applyPattern")):
        return

    class InlineProcessor(stock):  # type: ignore[misc,valid-type]
        def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:  # noqa: N802,N803
            apply = self._InlineProcessor__applyPattern
            start = 0
            while patternIndex < len(self.needs) and not isinstance(data, util.AtomicString):
                pattern, needs = self.needs[patternIndex]
                for need in needs:
                    if need in data:
                        data, matched, start = apply(pattern, data, patternIndex, start)
                        break
                else:
                    matched = False
                if not matched:
                    patternIndex += 1
                    start = 0
            return data

    processor = InlineProcessor(md)
    processor.needs = _with_needs(md.inlinePatterns, INLINE_NEEDS)
    md.treeprocessors.register(processor, "inline", 20)


def _skip_blocks(md: Any) -> None:
    """Python-Markdown's block parser, but offering a block only to the processors whose
    `BLOCK_NEEDS` it holds: the others would not take it. Its public `parseBlocks`, same loop."""
    stock = md.parser

    class BlockParser(type(stock)):  # type: ignore[misc]
        def parseBlocks(self, parent: Any, blocks: list[str]) -> None:  # noqa: N802
            while blocks:
                for processor, needs in self.needs:
                    for need in needs:
                        if need in blocks[0]:
                            break
                    else:
                        continue
                    if processor.test(parent, blocks[0]) and processor.run(parent, blocks) is not False:
                        break

    stock.__class__ = BlockParser
    stock.needs = _with_needs(stock.blockprocessors, BLOCK_NEEDS)


def _protect_template_syntax(lines: list[str]) -> list[str]:
    """Escape `{{` and `{%` outside code so other generators' syntax stays text.

    Python-Markdown's attribute lists would otherwise read `{% endfor %}` as attributes and
    drop it from the page.
    """
    fence: str | None = None
    protected = []
    for line in lines:
        opening = _FENCE_LINE.match(line)
        if opening:
            fence = None if fence == opening.group(1) else fence or opening.group(1)
        elif not fence and "{" in line:
            parts = _CODE_SPAN.split(line)  # odd items are code spans: left as they are
            line = "".join(part if i % 2 else _TEMPLATE_OPEN.sub(r"\\\1", part)
                           for i, part in enumerate(parts))
        protected.append(line)
    return protected


def is_dangerous_url(url: str) -> bool:
    """True for URLs that run code when followed: javascript:, vbscript:, and data: pages."""
    cleaned = _INVISIBLE.sub("", unescape(url)).lower()
    return cleaned.startswith(("javascript:", "vbscript:")) or (
        cleaned.startswith("data:") and not cleaned.startswith("data:image/"))


def _defuse_urls(html: str) -> str:
    def dangerous(url: str) -> bool:
        # Only a value with a colon, plain or as a character reference, can name a scheme
        return (":" in url or "&" in url) and is_dangerous_url(url)

    if not any(dangerous(match.group(2)) for match in _URL_ATTRIBUTE.finditer(html)):
        return html  # nearly always: no new string
    return _URL_ATTRIBUTE.sub(lambda m: f'{m.group(1)}"#"' if dangerous(m.group(2)) else m.group(0), html)


def _in_tags(attribute: re.Pattern[str], replace: Callable[[str], str], html: str) -> str:
    """Each match of `attribute` inside a tag replaced, not the same characters shown as text
    (in code about HTML, say)."""
    def inside(match: re.Match[str]) -> str:
        start = html.rfind("<", 0, match.start())
        since = html[start:match.start()]
        # a '>' since the last '<' ends the tag, unless it is in a quoted value (raw HTML)
        in_tag = start >= 0 and (">" not in since or ">" not in _QUOTED.sub("", since))
        return replace(match.group()) if in_tag else match.group()

    return attribute.sub(inside, html)


def _without_controls(text: str) -> str:
    """The text as Python-Markdown reads it: it drops the two characters it uses as markers."""
    return text.replace("\x02", "").replace("\x03", "") if "\x02" in text or "\x03" in text else text


def _first_paragraph(html: str) -> str:
    match = _FIRST_PARAGRAPH.search(html)
    return match.group(1) if match else html


def _with_base(html: str, base_path: str) -> str:
    """Root-relative links in content are relative to the site root, wherever it is served."""
    if base_path == "/":
        return html
    return _in_tags(_ROOT_LINK, lambda attribute: attribute[:-1] + base_path, html)


def count_words(text: str) -> int:
    """Whitespace-separated tokens holding a letter or a digit (a dash or a bullet is not a word)."""
    return len(_WORD.findall(text))


def plain_text(html: str) -> str:
    """Visible text of an HTML fragment (no tags, scripts, styles, footnote marks or permalinks).

    Regular expressions rather than an HTML parser: the input is Python-Markdown's own output,
    and this runs twice per post.
    """
    text = _HIDDEN.sub("", html)
    text = _BLOCK_TAG.sub(" ", text)
    return unescape(_ANY_TAG.sub("", text))
