"""Raw HTML in posts: read as CommonMark reads it, and kept only as far as it cannot run script,
post a form or hide text.

Support module below markup: imports nothing from sitegen. The one place that imports nh3, the
binding of the Ammonia sanitizer: it parses the HTML as a browser does and keeps only what an
allow-list names, so what it does not know is removed rather than let through.

The allow-list is GitHub's for rendered Markdown, plus what sitegen's own Markdown writes (`id`
and `class` everywhere: heading ids, highlighting, footnotes, admonitions) and what old blogs
use harmlessly: figures, details, video and audio, task-list checkboxes, `irc:` and `ftp:`
links, layout-only styles, and iframes from the hosts the site lists.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape
from typing import Any
from urllib.parse import urlsplit

_HEADINGS = {f"h{n}" for n in range(1, 7)}
TAGS = frozenset({
    *_HEADINGS, "p", "div", "span", "br", "hr", "a", "img", "picture", "source", "figure",
    "figcaption", "b", "i", "u", "s", "strike", "strong", "em", "small", "big", "mark", "del", "ins",
    "sub", "sup", "abbr", "cite", "dfn", "kbd", "q", "samp", "var", "tt", "code", "pre", "time",
    "wbr", "bdi", "bdo", "ruby", "rp", "rt", "blockquote", "center", "ul", "ol", "li", "dl", "dt",
    "dd", "table", "caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "th", "td",
    "details", "summary", "section", "article", "aside", "header", "footer", "nav", "main",
    "address", "video", "audio", "track", "iframe", "input",
})
_EVERYWHERE = {"id", "class", "title", "lang", "dir", "role", "style", "tabindex", "align", "hidden",
               "aria-label", "aria-labelledby", "aria-describedby", "aria-hidden", "itemprop"}
ATTRIBUTES: dict[str, set[str]] = {
    "*": _EVERYWHERE,
    "a": {"href", "name", "rel", "target", "hreflang", "download"},
    "img": {"src", "srcset", "sizes", "alt", "width", "height", "loading", "decoding"},
    "source": {"src", "srcset", "sizes", "type", "media"},
    "video": {"src", "poster", "width", "height", "controls", "loop", "muted", "playsinline",
              "preload", "autoplay"},
    "audio": {"src", "controls", "loop", "muted", "preload"},
    "track": {"src", "kind", "srclang", "label", "default"},
    "iframe": {"src", "width", "height", "allow", "allowfullscreen", "frameborder", "loading",
               "referrerpolicy"},
    "input": {"checked"},  # a task list's box; its type is checked below, and it is made read-only
    "ol": {"start", "reversed", "type"}, "li": {"value"},
    "td": {"colspan", "rowspan", "headers", "valign", "width"},
    "th": {"colspan", "rowspan", "headers", "scope", "valign", "width"}, "col": {"span", "width"},
    "colgroup": {"span"}, "table": {"summary", "width", "border", "cellpadding", "cellspacing"},
    "blockquote": {"cite"}, "q": {"cite"}, "del": {"cite", "datetime"}, "ins": {"cite", "datetime"},
    "time": {"datetime"}, "abbr": {"title"}, "details": {"open"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto", "irc", "ircs", "ftp", "tel", "data"})
# Style properties that lay out or emphasise text but cannot take it out of view; any other
# (display, visibility, position, opacity, font-size, color, margin, overflow...) can hide it.
STYLE_PROPERTIES = frozenset({
    "text-align", "vertical-align", "float", "clear", "width", "height", "max-width", "max-height",
    "min-width", "min-height", "font-weight", "font-style", "text-decoration", "white-space",
    "list-style-type", "border", "border-collapse", "border-spacing", "border-width",
    "border-style", "border-color", "padding", "padding-top", "padding-right", "padding-bottom",
    "padding-left", "aspect-ratio", "word-wrap", "overflow-wrap", "word-break", "line-height",
    "text-transform", "font-variant", "list-style", "list-style-position", "table-layout",
})
# Removed with what they hold: text nobody meant to show. Other unknown tags lose only the tag.
_CONTENT_REMOVED = frozenset({"script", "style", "title", "noscript", "template", "textarea",
                              "select", "button", "object", "embed", "applet", "frameset", "head"})

# Raw HTML as a post's Markdown may hold it: a start tag beginning with a letter (an autolink's
# scheme is not a tag), an end tag, a comment or a declaration
_RAW_TAG = re.compile(r"<(?:[A-Za-z][\w-]*(?=[\s/>]|$)|/[A-Za-z]|!)", re.MULTILINE)
# Where `removals` can find something: most HTML has none of these
_SUSPECT = re.compile(r"<(?:script|style|object|embed|applet|frame|form|input|button|select|textarea"
                      r"|iframe)\b|\son|style=|script:|data:", re.IGNORECASE)
_TAG = re.compile(r"<(?P<name>[A-Za-z][\w:-]*)(?P<attributes>(?:[^<>\"']|\"[^\"]*\"|'[^']*')*)>")
_ATTRIBUTE = re.compile(r"""(?P<name>[^\s=/>"']+)"""
                        r"""(?:\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s>]+)))?""")
_SERIALIZED = {  # elements as nh3 writes them: every value double-quoted, '"' written &quot;
    name: re.compile(rf"(?P<tag><{name}(?P<attributes>(?:\s[^\s=>]+(?:=\"[^\"]*\")?)*)\s*/?>)"
                     + (rf".*?</{name}>" if name == "iframe" else ""), re.DOTALL)
    for name in ("iframe", "input")}
_INVISIBLE = re.compile(r"[\x00-\x20]+")
_DECLARATION = re.compile(r"([\w-]+)\s*:")
_FORM = frozenset({"form", "input", "button", "select", "textarea"})
_EMBED = frozenset({"object", "embed", "applet", "frame", "frameset"})
_URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "poster", "cite", "background", "data"})

# A double-quoted attribute value holding template syntax, which may quote with '"' itself
_TEMPLATE_VALUE = re.compile(r'=\s*"(?:\{\{[^}\n]*\}\}|\{%[^}\n]*%\}|[^"{\n]|\{(?![{%]))*"')
_TEMPLATE_PART = re.compile(r"\{\{[^}\n]*\}\}|\{%[^}\n]*%\}")
_CONTAINERS = frozenset({"div", "section", "article", "aside", "header", "footer", "nav", "main",
                         "figure", "details", "center", "blockquote", "table", "td", "th", "li", "dd"})
_TEMPLATE_OPEN = re.compile(r"\{(?=[{%])")

KINDS: dict[str, tuple[str, str]] = {  # kind -> (the warning, with what was removed; a hint)
    "script": ("{} removed: a post does not run script",
               "an embed keeps its fallback content; link to the original instead"),
    "handler": ("event handler attribute {}= removed: a post does not run script",
                "drop the on...= attribute"),
    "javascript": ("link that would run code removed ({}= javascript:, data: page)",
                   "link to an http(s) address instead"),
    "form": ("form element {} removed: a post has no forms (a task-list checkbox stays)",
             "link to the form instead"),
    "style": ("style that could hide text removed ({})", "only layout styles stay (text-align, width, "
              "float, padding...); style with classes in your theme instead"),
    "embed": ("embedded object {} removed: only images, video, audio and listed iframes stay",
              "link to the content instead"),
    "iframe": ("iframe from {} removed: its host is not in markdown: iframe_hosts",
               "add the host to markdown: {iframe_hosts: [...]} in sitegen.yaml if you trust it"),
}


@dataclass(frozen=True, slots=True)
class Removal:
    """Something the allow-list takes out of raw HTML, where a text holds it."""

    kind: str  # a key of KINDS
    detail: str  # the tag, attribute, property or host, for the warning
    offset: int


def has_raw_html(text: str) -> bool:
    """True where a text may hold raw HTML (a cheap test, never false when it does)."""
    return "<" in text and _RAW_TAG.search(text) is not None


def removals(html: str, iframe_hosts: tuple[str, ...]) -> Iterator[Removal]:
    """Each tag or attribute in `html` that `clean` would take out with a warning, in order."""
    if not _SUSPECT.search(html):
        return
    for tag in _TAG.finditer(html):
        name = tag["name"].lower()
        attributes = {m["name"].lower(): unescape(m["dq"] or m["sq"] or m["bare"] or "")
                      for m in _ATTRIBUTE.finditer(tag["attributes"])}
        at = tag.start()
        if name == "script":
            yield Removal("script", "<script>", at)
        elif name == "style":
            yield Removal("style", "<style>", at)
        elif name in _EMBED:
            yield Removal("embed", f"<{name}>", at)
        elif name in _FORM and not (name == "input" and attributes.get("type", "").lower() == "checkbox"):
            yield Removal("form", f"<{name}>", at)
        elif name == "iframe" and not _listed(attributes.get("src", ""), iframe_hosts):
            yield Removal("iframe", _host(attributes.get("src", "")) or attributes.get("src", "")[:40], at)
        for attribute, value in attributes.items():
            if attribute.startswith("on"):
                yield Removal("handler", attribute, at)
            elif attribute in _URL_ATTRIBUTES and _runs_code(value):
                yield Removal("javascript", attribute, at)
            elif attribute == "style" and name in TAGS:
                hiding = [p.lower() for p in _DECLARATION.findall(value) if p.lower() not in STYLE_PROPERTIES]
                if hiding:
                    yield Removal("style", hiding[0], at)


def quote_template_values(lines: list[str], prose: set[int]) -> None:
    """`src="{{ "/a.png" | url }}"` -> `src="{{ '/a.png' | url }}"`: the inner quotes would end
    the value early and make the tag text. The other generator ran its template before its
    Markdown; here the expression stays as written, in a tag that is a tag."""
    def requote(value: re.Match[str]) -> str:
        return _TEMPLATE_PART.sub(lambda part: part.group().replace('"', "'"), value.group())

    for i in prose:
        if '"' in lines[i] and _TEMPLATE_OPEN.search(lines[i]):
            lines[i] = _TEMPLATE_VALUE.sub(requote, lines[i])


def markdown_after_blank_lines(lines: list[str], prose: set[int]) -> None:
    """Mark each HTML block that a blank line interrupts before its element ends, so that its
    content is rendered as Markdown (md_in_html's markdown="1"), as CommonMark renders what
    follows a blank line in an HTML block: `<details>`, a `<div>` around paragraphs."""
    for i, line in enumerate(lines):
        if not line.startswith("<") or (i and lines[i - 1].strip()) or i not in prose:
            continue
        start = _TAG.match(line)
        if start is None or start["name"].lower() not in _CONTAINERS or "markdown" in start["attributes"]:
            continue
        end = i
        while end + 1 < len(lines) and lines[end + 1].strip():
            end += 1
        closing = f"</{start['name'].lower()}"
        if end + 1 < len(lines) and not any(closing in lines[j].lower() for j in range(i, end + 1)):
            at = start.end("name")
            lines[i] = f'{line[:at]} markdown="1"{line[at:]}'


def clean(html: str, iframe_hosts: tuple[str, ...]) -> str:
    """`html` with only what the allow-list names; iframes only from `iframe_hosts` (a host
    listed covers its subdomains), inputs only as read-only checkboxes."""
    html = _cleaner().clean(html)
    if "<iframe" in html:
        html = _SERIALIZED["iframe"].sub(
            # what an iframe holds is never shown, and is text that only looks like tags
            lambda m: f"{m['tag']}</iframe>" if _listed(_value(m["attributes"], "src"), iframe_hosts)
            else "", html)
    if "<input" in html:
        html = _SERIALIZED["input"].sub(
            lambda m: m.group() if _value(m["attributes"], "type") == "checkbox" else "", html)
    return html


@functools.cache
def _cleaner() -> Any:
    import nh3  # here: a post without raw HTML never needs it

    return nh3.Cleaner(
        tags=set(TAGS), clean_content_tags=set(_CONTENT_REMOVED),
        attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
        tag_attribute_values={"input": {"type": {"checkbox"}}},
        set_tag_attribute_values={"input": {"disabled": ""}},
        url_schemes=set(URL_SCHEMES), link_rel=None, filter_style_properties=set(STYLE_PROPERTIES),
        strip_comments=True)


def _runs_code(url: str) -> bool:
    cleaned = _INVISIBLE.sub("", url).lower()
    return cleaned.startswith(("javascript:", "vbscript:")) or (
        cleaned.startswith("data:") and not cleaned.startswith("data:image/"))


def _value(attributes: str, name: str) -> str:
    match = re.search(rf'\s{name}="([^"]*)"', attributes)
    return unescape(match.group(1)) if match else ""


def _host(src: str) -> str:
    try:
        return (urlsplit(_INVISIBLE.sub("", src)).hostname or "").rstrip(".")
    except ValueError:
        return ""


def _listed(src: str, hosts: tuple[str, ...]) -> bool:
    """True for an https (or scheme-relative) address on a listed host or its subdomain."""
    host = _host(src)
    scheme = _INVISIBLE.sub("", src).lower().partition("//")[0]
    return scheme in ("https:", "") and bool(host) and any(
        host == listed or host.endswith("." + listed) for listed in hosts)
