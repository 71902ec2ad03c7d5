"""Markdown text -> HTML fragments (body, excerpt, table of contents) and plain text.

Support module: imports flavors, htmllinks, linktext, models, prose and sanitize. The one place that imports
markdown, pygments and pymdownx (pymdown-extensions, for the flavors), through their public APIs.
One Markdown converter per flavor and process, reset before each document (reset clears the state
that footnotes, abbreviations and the table of contents keep).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from html import unescape
from typing import TYPE_CHECKING, Any, cast

from sitegen import flavors
from sitegen.htmllinks import defuse_urls, in_tags, with_base
from sitegen.linktext import LinkText
from sitegen.models import IFRAME_HOSTS
from sitegen.prose import prose_lines
from sitegen.sanitize import clean, has_raw_html, markdown_after_blank_lines, quote_template_values, removals

if TYPE_CHECKING:
    from markdown import Extension, Markdown
    from markdown.extensions.toc import TocTreeprocessor

MORE = "<!--more-->"
_MORE_TOKEN = "sitegen-more-d41d8cd9"
_TOC_MARKER = "[TOC]"
WORDS_PER_MINUTE = 220
_EXTENSIONS = ["extra", "toc", "codehilite", "sane_lists", "admonition"]
_CONFIG: dict[str, dict[str, object]] = {
    "toc": {"permalink": "#", "permalink_title": "Link to this section", "toc_depth": "2-4"},
    "codehilite": {"css_class": "highlight", "guess_lang": False},
}
_TEMPLATE_OPEN = re.compile(r"\{(?=[{%])")
_TEMPLATE_HELD = "\x02sitegen-brace\x03"  # Python-Markdown removes \x02 and \x03 from the text it reads
_FRAGMENT_LINK = re.compile(r'\shref="#')
_ID_ATTRIBUTE = re.compile(r'\sid="[^"]*"')
_HIDDEN = re.compile(r"<(script|style|sup)\b[^>]*>.*?</\1\s*>|<a [^>]*class=\"headerlink\"[^>]*>.*?</a>",
                     re.DOTALL | re.IGNORECASE)
_BLOCK_TAG = re.compile(r"</?(?:p|li|br|h[1-6]|td|th|pre|div|blockquote|tr)\b[^>]*>", re.IGNORECASE)
_ANY_TAG = re.compile(r"<[^>]*>")
_LOOSE_TAG = (r"</?(?:a|abbr|audio|b|br|center|cite|code|del|div|em|figcaption|figure|font|i|iframe|img|"
              r"ins|kbd|mark|picture|q|s|small|source|span|strong|sub|sup|time|u|video)\b[^<>]*>")
_FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)
_WORD = re.compile(r"[^\W_]\S*")  # from a token's first letter or digit to the token's end


@dataclass(frozen=True, slots=True)
class Rendered:
    body_html: str
    excerpt_html: str  # the part above <!--more-->, or the whole body; safe to repeat on a list
    toc_html: str
    cut: bool
    summary: str  # plain text of the excerpt's first part, for lists, feeds and meta tags
    words: int
    removed: tuple[str, ...] = ()  # the kinds of raw HTML the allow-list took out (sanitize.KINDS)

    @property
    def reading_minutes(self) -> int:
        return max(1, round(self.words / WORDS_PER_MINUTE))


def render(text: str, *, url: str, base_path: str, unsafe_html: bool = False,
           iframe_hosts: tuple[str, ...] = IFRAME_HOSTS, more: str = MORE,
           flavor: str = flavors.DEFAULT) -> Rendered:
    """Convert one document; `url` is its site URL, `base_path` the site's path prefix.

    Raw HTML in the text keeps only what sanitize's allow-list names (iframes from
    `iframe_hosts`) unless `unsafe_html`: content is not trusted to run script on the site.
    Links with executable schemes (javascript:, vbscript:, data: pages) lose their target
    either way. `flavor` names the engine whose reading of Markdown to follow (flavors.FLAVORS).
    """
    md = _converter(flavor).reset()
    text = flavors.prepare(text, flavor) if flavor != flavors.DEFAULT else text
    lines = text.split("\n")
    marker = next((i for i, line in enumerate(lines) if line.strip() == more), None)
    prose = _prose_with_raw_html(text, marker) if has_raw_html(text) else None
    raw = prose is not None
    if prose:
        if flavors.RAW_HTML_BLOCKS not in flavors.FLAVORS[flavor].features:
            markdown_after_blank_lines(lines, prose)
        quote_template_values(lines, prose)
    if marker is not None:  # a plain-text token survives the sanitizer; the comment would not
        lines[marker] = f"\n{_MORE_TOKEN}\n"
    text = "\n".join(lines)
    # The table of contents' marker is looked for in every element of the document: only where
    # the text holds it
    toc = cast("TocTreeprocessor", md.treeprocessors["toc"])
    toc.marker = _TOC_MARKER if _TOC_MARKER in _without_controls(text) else ""
    held = "{" in text and _TEMPLATE_OPEN.search(text) is not None
    for name in ("hold_template", "show_template"):
        md.treeprocessors[name].active = held  # type: ignore[attr-defined]
    body = md.convert(text)
    body = flavors.finish(body, flavor) if flavor != flavors.DEFAULT else body
    toc_html = str(getattr(md, "toc", "")) if len(getattr(md, "toc_tokens", [])) > 1 else ""
    removed: tuple[str, ...] = ()
    if raw and not unsafe_html:  # a post without raw HTML holds only what Markdown writes
        removed = tuple(sorted({removal.kind for removal in removals(body, iframe_hosts)}))
        body, toc_html = clean(body, iframe_hosts), clean(toc_html, iframe_hosts)
    body = defuse_urls(body)
    # Wide code and tables scroll sideways; a tab stop lets keyboard users scroll them too.
    body = body.replace("<pre>", '<pre tabindex="0">').replace("<table>", '<table tabindex="0">')
    head, found, tail = body.partition(f"<p>{_MORE_TOKEN}</p>")
    cut = bool(found)
    body = f"{head.rstrip()}\n{tail.lstrip()}" if cut else body
    excerpt = head.rstrip() if cut else body
    # On a list page several posts share one document: ids would clash and "#x" would point at
    # the list, so ids go and fragment links point at the post itself.
    excerpt = in_tags(_ID_ATTRIBUTE, lambda attribute: "", excerpt)
    excerpt = in_tags(_FRAGMENT_LINK, lambda attribute: f'{attribute[:-1]}{url}#', excerpt)
    plain_head = plain_text(head if cut else _first_paragraph(body))
    return Rendered(
        body_html=with_base(body, base_path),
        excerpt_html=with_base(excerpt, base_path),
        toc_html=with_base(toc_html, base_path),
        cut=cut,
        summary=" ".join(plain_head.split()),
        words=count_words(plain_text(body)),
        removed=removed,
    )


@functools.cache
def _converter(flavor: str = flavors.DEFAULT) -> Markdown:
    """The converter of a flavor: made once per process, reset before each document."""
    return new_converter(flavor=flavor)


def new_converter(*, fast: bool = True, flavor: str = flavors.DEFAULT) -> Markdown:
    """A Markdown converter with sitegen's extensions and the flavor's; `fast`: with the fast
    paths below (fast=False: Python-Markdown's and Pygments' own, to compare)."""
    import markdown  # here: a rebuild from the cache never needs it

    fast = fast and markdown.__version_info__[0] == 3  # the major version the paths were checked on
    highlight = _formatter_factory() if fast else "html"
    config = {**_CONFIG, "codehilite": {**_CONFIG["codehilite"], "pygments_formatter": highlight}}
    template_guard, fast_paths = _extensions()
    extensions: list[str | markdown.Extension] = [*_EXTENSIONS, *_flavor_extensions(flavor, highlight),
                                                   template_guard()]
    if fast:
        extensions.append(fast_paths())  # last: it sees every processor the others registered
    return markdown.Markdown(extensions=extensions, extension_configs=config, output_format="html")


def _flavor_extensions(flavor: str, formatter: Any) -> list[Extension]:
    """The extensions of a flavor's features, from pymdown-extensions. Fenced code, wherever it
    stands, is highlighted as the default flavor highlights it: by codehilite, with `formatter`."""
    if not flavors.FLAVORS[flavor].features:
        return []  # nor is pymdown-extensions imported: a build of the default flavor never needs it
    from markdown.extensions.codehilite import CodeHilite, parse_hl_lines
    from pymdownx import magiclink, superfences, tasklist, tilde

    def highlight(source: str, language: str, class_name: str, options: dict[str, str], md: Markdown,
                  **kwargs: Any) -> str:
        return str(CodeHilite(source, lang=language or None, guess_lang=False, css_class="highlight",
                              pygments_formatter=formatter,
                              hl_lines=parse_hl_lines(options.get("hl_lines", ""))).hilite(shebang=False))

    def options(language: str, inputs: dict[str, str], found: dict[str, str], *args: Any) -> bool:
        found.update(inputs)
        return True

    everywhere = {"name": "*", "class": "highlight", "format": highlight, "validator": options}
    made: dict[str, Callable[[], Extension]] = {
        flavors.FENCES: lambda: superfences.makeExtension(custom_fences=[everywhere]),
        flavors.STRIKE: lambda: tilde.makeExtension(subscript=False),
        flavors.LINKIFY: lambda: magiclink.makeExtension(),
        flavors.TASKS: lambda: tasklist.makeExtension(),
    }
    return [made[feature]() for feature in sorted(flavors.FLAVORS[flavor].features & set(made))]

# Fast paths. Python-Markdown offers each block to every block processor in turn, and tries every
# inline pattern on every text, although most blocks and texts lack what most of them look for.
# These tables say what each needs (any one of the strings); a processor or pattern not listed is
# always tried. tests/test_markup.py checks each entry against the installed library and compares
# the output with the stock path's. Only for the major version they were checked on.
#
# CPU seconds converting 3,334 posts of the 10,000-post benchmark corpus, the variants interleaved
# 50 posts at a time (a cold 10,000-post build: about 63 s of CPU, some 37 of them here):
#   stock 15.99 | all fast paths 12.26 | without the block parser's 13.50 | without the inline
#   processor's 13.99 (13.47 skipping by document only) | without the formatter's 12.79
INLINE_NEEDS: dict[str, tuple[str, ...]] = {
    "backtick": ("`",), "escape": ("\\",), "footnote": ("[^",),
    "reference": ("[",), "link": ("[",), "short_reference": ("[",),
    "image_link": ("![",), "image_reference": ("![",), "short_image_ref": ("![",),
    "autolink": ("<",), "automail": ("<",), "html": ("<",), "loose_html": ("<",), "linebreak": ("  \n",),
    "entity": ("&",), "em_strong": ("*", "_"),
}
BLOCK_NEEDS: dict[str, tuple[str, ...]] = {
    "table": ("|",), "hashheader": ("#",), "setextheader": ("\n=", "\n-"), "hr": ("-", "_", "*"),
    "deflist": (":",), "quote": (">",), "footnote": ("[^",), "abbr": ("*[",), "reference": ("]:",),
}


def _formatter_factory() -> Callable[..., Any]:
    """Pygments' HTML formatter for codehilite, one instance per set of options: making one works
    out the style's CSS classes, most of the cost of highlighting a short block. A formatter keeps
    no state between the code it formats."""
    from pygments.formatters import HtmlFormatter

    @functools.lru_cache(maxsize=256)
    def cached(options: tuple[tuple[str, Any], ...]) -> HtmlFormatter[str]:
        return HtmlFormatter(**dict(options))

    def formatter(**options: Any) -> HtmlFormatter[str]:
        return cached(tuple(sorted((key, tuple(value) if isinstance(value, list) else value)
                                   for key, value in options.items())))

    return formatter


def _needs_in_order(registry: Any, needs: dict[str, tuple[str, ...]]) -> list[tuple[str, ...]]:
    """What each item of a registry needs, in its order; ("",): an item not listed, always tried."""
    where = {registry.get_index_for_name(name): text for name, text in needs.items() if name in registry}
    return [where.get(i, ("",)) for i in range(len(registry))]


@functools.cache
def _extensions() -> tuple[type[Extension], type[Extension]]:
    """The classes behind the fast paths, made on first use: importing markdown is not free."""
    from xml.etree.ElementTree import Element

    from markdown import Extension
    from markdown.blockparser import BlockParser
    from markdown.inlinepatterns import InlineProcessor as InlinePattern
    from markdown.inlinepatterns import LinkInlineProcessor
    from markdown.treeprocessors import InlineProcessor, Treeprocessor
    from markdown.util import AtomicString, Registry

    class HoldTemplateSyntax(Treeprocessor):
        """`{{` and `{%` in text hidden from attribute lists, which would read `{% endfor %}` as
        attributes and drop it, then shown again. In the tree, code and raw HTML are already
        set aside: only the text Markdown renders is touched, and nothing is left to see."""
        def __init__(self, md: Markdown, hold: bool) -> None:
            super().__init__(md)
            self.hold = hold
            self.active = True  # render sets it: most documents hold no template syntax

        def run(self, root: Element) -> None:
            if not self.active:
                return
            old, new = ("{", _TEMPLATE_HELD) if self.hold else (_TEMPLATE_HELD, "{")
            for element in root.iter():
                for part in ("text", "tail"):
                    value = getattr(element, part)
                    if value and old in value and not isinstance(value, AtomicString):
                        setattr(element, part, _TEMPLATE_OPEN.sub(_TEMPLATE_HELD, value) if self.hold
                                else value.replace(old, new))

    class LooseHtml(InlinePattern):
        """A tag of a known element whose attributes break the quoting rules Python-Markdown
        follows (`alt="a "quoted" word"`): browsers, kramdown and the old posts' pages read it as a
        tag, so it is raw HTML here too, for the sanitizer to clean, not text that shows."""
        def handleMatch(self, m: re.Match[str], data: str) -> tuple[str, int, int]:  # type: ignore[override]  # noqa: N802
            return self.md.htmlStash.store(m.group(0)), m.start(0), m.end(0)

    class TemplateGuard(Extension):
        def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802
            md.inlinePatterns.register(LooseHtml(_LOOSE_TAG, md), "loose_html", 89)  # after "html"
            # around attr_list (priority 8): after inline markup, before abbreviations and the
            # table of contents, which read the text as shown
            md.treeprocessors.register(HoldTemplateSyntax(md, True), "hold_template", 9)
            md.treeprocessors.register(HoldTemplateSyntax(md, False), "show_template", 7.5)

    class GatedBlockParser(BlockParser):
        """Offers a block only to the processors whose BLOCK_NEEDS it holds: the others would
        not take it. The loop is the public `parseBlocks` of BlockParser."""
        needs: list[tuple[Any, tuple[str, ...]]]

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

    class GatedInlineProcessor(InlineProcessor):
        """Tries on a document only the inline patterns whose INLINE_NEEDS its text holds.

        Python-Markdown has no public hook to skip patterns text by text (its loop over the
        patterns is private), so a document's texts are tried against every pattern it can match.
        """
        def __init__(self, md: Markdown) -> None:
            super().__init__(md)
            self.every_pattern: Registry[Any] = self.inlinePatterns
            self.narrowed: dict[frozenset[str], Registry[Any]] = {}

        def run(self, tree: Any, ancestors: list[str] | None = None) -> Any:
            text = "".join(part for element in tree.iter() for part in (element.text, element.tail)
                           if part)
            lacking = frozenset(name for name, needs in INLINE_NEEDS.items()
                                if name in self.every_pattern and not any(n in text for n in needs))
            if lacking not in self.narrowed:
                patterns = self.every_pattern[:]  # a copy, priorities kept
                for name in lacking:
                    patterns.deregister(name)
                self.narrowed[lacking] = patterns
            self.inlinePatterns = self.narrowed[lacking]
            try:
                return super().run(tree, ancestors)
            finally:
                self.inlinePatterns = self.every_pattern

    class FastPaths(Extension):
        def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802
            for pattern in md.inlinePatterns:  # links, images, references: each its own LinkText
                if isinstance(pattern, LinkInlineProcessor) and \
                        type(pattern).getText is LinkInlineProcessor.getText:
                    pattern.getText = LinkText()  # type: ignore[method-assign]
            stock = md.parser
            parser = GatedBlockParser(md)
            parser.blockprocessors = stock.blockprocessors
            for processor in parser.blockprocessors:
                processor.parser = parser
            parser.needs = list(zip(stock.blockprocessors, _needs_in_order(stock.blockprocessors,
                                                                           BLOCK_NEEDS), strict=True))
            md.parser = parser
            md.treeprocessors.register(GatedInlineProcessor(md), "inline", 20)

    return TemplateGuard, FastPaths


def _prose_with_raw_html(text: str, marker: int | None) -> set[int] | None:
    """The indices of the lines outside fenced code, where raw HTML stands outside code (code
    about HTML is not raw HTML) and beside the excerpt's marker; None where it does not."""
    prose, raw = set(), False
    for i, parts in prose_lines(text):
        prose.add(i)
        raw = raw or (i != marker and any(has_raw_html(part) for part in parts[::2]))
    return prose if raw else None


def _without_controls(text: str) -> str:
    """The text as Python-Markdown reads it: it drops the two characters it uses as markers."""
    return text.replace("\x02", "").replace("\x03", "") if "\x02" in text or "\x03" in text else text


def _first_paragraph(html: str) -> str:
    match = _FIRST_PARAGRAPH.search(html)
    return match.group(1) if match else html


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
