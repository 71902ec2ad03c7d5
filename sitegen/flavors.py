"""Markdown as another generator's engine read it: the flavors, and where code stands in a text.

Support module below markup: imports prose, and no library. Python-Markdown stays
the engine; a flavor is a set of features, some of them extensions (markup owns the libraries
that provide them), the others rewrites of the text done here, before Python-Markdown reads it,
where it reads the same characters otherwise than kramdown (Jekyll), goldmark (Hugo),
markdown-it (Eleventy) or a CommonMark engine. The rewrites work line by line and never touch
fenced code, a code span or an HTML block; what they change is what the other engine would
have shown (docs/markdown-flavors.md has the list, and how close each flavor comes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sitegen.prose import CODE_SPAN

# Features: extensions (markup gives each its library) and rewrites (below)
FENCES = "fences"  # fenced code anywhere: in list items, indented, in quotes (superfences)
STRIKE = "strike"  # ~~deleted~~ (tilde)
LINKIFY = "linkify"  # bare URLs and www. addresses linked (magiclink)
TASKS = "tasks"  # - [ ] and - [x] items as checkboxes (tasklist)
LISTS = "lists"  # a list may follow a paragraph line; nesting follows the content column
PAREN_LISTS = "paren_lists"  # 1) as well as 1. starts an ordered list
ATX_SPACE = "atx_space"  # "#tag" at the start of a line is text: a heading needs "# "
LONE_HASHES = "lone_hashes"  # a line of only "##" is text, not an empty heading
QUOTES_APART = "quotes_apart"  # two block quotes with a blank line between stay two
SCHEME_AUTOLINKS = "scheme_autolinks"  # <doi:10.1/x>: a link, as any <scheme:...> in CommonMark
SCHEME_TEXT = "scheme_text"  # <doi:10.1/x>: text, not a tag (kramdown links only web and mail)
LOOSE_TABLES = "loose_tables"  # rows of pipes without a separator line still make a table
IALS = "ials"  # kramdown's {: .class} lines: on a heading, {:toc}, or gone, never shown as text
RAW_HTML_BLOCKS = "raw_html_blocks"  # an HTML block stays raw across blank lines (no Markdown)

_COMMON = frozenset({FENCES, LISTS, PAREN_LISTS, ATX_SPACE, QUOTES_APART, SCHEME_AUTOLINKS})


@dataclass(frozen=True, slots=True)
class Flavor:
    name: str
    means: str  # for the documentation and the error that lists the flavors
    features: frozenset[str]


FLAVORS: dict[str, Flavor] = {flavor.name: flavor for flavor in (
    Flavor("sitegen", "Python-Markdown as sitegen always read it (the default)", frozenset()),
    Flavor("kramdown", "Jekyll's kramdown with its default GFM input",
           frozenset({FENCES, STRIKE, TASKS, LISTS, ATX_SPACE, LONE_HASHES, QUOTES_APART,
                      SCHEME_TEXT, LOOSE_TABLES, IALS, RAW_HTML_BLOCKS})),
    Flavor("goldmark", "Hugo's goldmark: CommonMark with GitHub's tables, strikethrough, "
           "task lists and bare links", _COMMON | {STRIKE, TASKS, LINKIFY}),
    Flavor("markdown-it", "Eleventy's markdown-it: CommonMark with tables and strikethrough",
           _COMMON | {STRIKE}),
    Flavor("commonmark", "a CommonMark engine (cmark, commonmark.js)", _COMMON),
)}
DEFAULT = "sitegen"
BREAK = "sitegen-break-7c3e91"  # a paragraph render removes: keeps two blocks apart

_BLOCKQUOTE = re.compile(r" {0,3}>")
_QUOTE_PREFIX_ONE = re.compile(r"^ {0,3}> ?")
_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}(?=[^`]*$)|~{3,})")
_MARKER = re.compile(r"^(?P<indent>[ \t]*)(?P<marker>[*+-]|\d{1,9}[.)])(?P<space>[ \t]+|$)")
_ANY_MARKER = re.compile(r"^[ \t]*(?:[*+-]|\d{1,9}[.)])(?:[ \t]|$)", re.MULTILINE)
_MARKER_STARTS = frozenset("*+-0123456789")
_BLOCK_STARTS = frozenset("#{|")
_NOT_LAZY = frozenset("*+-#<|`~=>")
_ANY_QUOTE = re.compile(r"^ {0,3}>", re.MULTILINE)
_RULE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_HASHES = re.compile(r"^(?P<indent> *)(?P<hashes>#{1,6})(?P<rest>[^#\s]|[ \t]*$)")
_IAL = re.compile(r"^[ \t]*\{:(?P<body>[^}]*)\}[ \t]*$")
_TABLE_ROW = re.compile(r"^ {0,3}\|")
_TABLE_RULE = re.compile(r"^ {0,3}\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
_HTML_START = re.compile(r"^ {0,3}<(?P<name>[A-Za-z][\w-]*)(?=[\s/>]|$)|^ {0,3}<!--")
# <scheme:...> as CommonMark reads an autolink; Python-Markdown links only web and mail ones
_ANGLE_URI = re.compile(r"<(?P<uri>(?P<scheme>[A-Za-z][A-Za-z0-9+.-]{1,31}):[^\s<>]*)>")
_OWN_AUTOLINK = re.compile(r"(?:https?|ftps?)://|mailto:", re.IGNORECASE)
_BACKTICKS = re.compile(r"`+")
_EMPTY_HEADER = re.compile(r"<thead>\n<tr>\n(?:<th></th>\n)+</tr>\n</thead>\n")
_LINK_TEXT_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!.-])")


def prepare(text: str, name: str) -> str:
    """`text` rewritten so that Python-Markdown, with the flavor's extensions, reads it as the
    flavor's engine would: the same text for the default flavor."""
    features = FLAVORS[name].features
    if not features - {FENCES, STRIKE, LINKIFY, TASKS}:
        return text
    return "\n".join(_prepared(text.split("\n"), features))


def _prepared(lines: list[str], features: frozenset[str]) -> list[str]:
    # Each pass only where the text holds what it looks for: most posts lack most of it
    text = "\n".join(lines)
    code, fences = _code_lines(lines, fenced="```" in text or "~~~" in text, spans="`" in text)
    if "<" in text:
        code |= _html_lines(lines, code, raw_across_blank_lines=RAW_HTML_BLOCKS in features)
    kept = code
    if LISTS in features and (fences or _ANY_MARKER.search(text)):
        lines, kept = _lists(lines, kept, fences, parens=PAREN_LISTS in features,
                             any_start=PAREN_LISTS not in features)
    if ">" in text and _ANY_QUOTE.search(text):
        lines, kept = _quotes(lines, kept, features)
    if "#" in text or (IALS in features and "{:" in text) or (LOOSE_TABLES in features and "|" in text):
        lines, kept = _blocks(lines, kept, features)
    if features & {SCHEME_AUTOLINKS, SCHEME_TEXT} and any(
            not _OWN_AUTOLINK.match(found["uri"]) for found in _ANGLE_URI.finditer(text)):
        lines = _inline(lines, kept, as_links=SCHEME_AUTOLINKS in features)
    return lines


def _quotes(lines: list[str], kept: set[int], features: frozenset[str]) -> tuple[list[str], set[int]]:
    """Each block quote's content prepared as a document of its own; two quotes with blank lines
    between kept apart (QUOTES_APART), where Python-Markdown would make them one."""
    out: list[str] = []
    new_kept: set[int] = set()
    i, ended = 0, -1  # where the last quote ended, in `out`
    while i < len(lines):
        if i in kept or not _BLOCKQUOTE.match(lines[i]):
            if i in kept:
                new_kept.add(len(out))
            out.append(lines[i])
            i += 1
            continue
        end = i  # to the last line marked, or a paragraph's lazy line after it
        while end + 1 < len(lines) and end + 1 not in kept and (
                _BLOCKQUOTE.match(lines[end + 1]) or _lazy(lines[end], lines[end + 1])):
            end += 1
        if QUOTES_APART in features and ended >= 0 and all(not line.strip() for line in out[ended:]):
            out.extend([BREAK, ""])
        inner = _prepared([_QUOTE_PREFIX_ONE.sub("", line) for line in lines[i:end + 1]], features)
        new_kept.update(range(len(out), len(out) + len(inner)))
        out.extend(f"> {line}" if line else ">" for line in inner)
        ended, i = len(out), end + 1
    return out, new_kept


def finish(html: str, name: str) -> str:
    """The HTML Python-Markdown wrote from a prepared text, without what `prepare` added."""
    if BREAK in html:
        html = html.replace(f"<p>{BREAK}</p>\n", "")
    if LOOSE_TABLES in FLAVORS[name].features and "<th></th>" in html:
        html = _EMPTY_HEADER.sub("", html)
    return html


def _width(indent: str) -> int:
    return len(indent.expandtabs(4))


def _code_lines(lines: list[str], *, fenced: bool, spans: bool) -> tuple[set[int], dict[int, int]]:
    """The lines of fenced code, fences included, wherever a fence stands (indented, in a list
    item; in a block quote, its content is a document of its own), and the lines a code span
    goes on to from an earlier line; and each fence's first line -> its last line."""
    code: set[int] = set()
    fences: dict[int, int] = {}
    i = 0 if fenced else len(lines)
    while i < len(lines):
        opening = _FENCE.match(lines[i])
        if opening is None or _width(opening["indent"]) > 12:
            i += 1
            continue
        fence = opening["fence"]
        closing = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
        end = next((j for j in range(i + 1, len(lines)) if closing.match(lines[j])),
                   len(lines) - 1)  # never closed: code to the end, as CommonMark reads it
        code.update(range(i, end + 1))
        fences[i], i = end, end + 1
    start = 0 if spans else len(lines)
    while start < len(lines):  # paragraphs outside fenced code
        if start in code or not lines[start].strip():
            start += 1
            continue
        stop = start + 1
        while stop < len(lines) and stop not in code and lines[stop].strip():
            stop += 1
        if any("`" in line for line in lines[start:stop]):
            paragraph, at = "\n".join(lines[start:stop]), 0
            for piece, is_code in _code_split(paragraph):
                if is_code and "\n" in piece:
                    first = start + paragraph.count("\n", 0, at)
                    code.update(range(first + 1, first + piece.count("\n") + 1))
                at += len(piece)
        start = stop
    return code, fences


def _html_lines(lines: list[str], code: set[int], *, raw_across_blank_lines: bool) -> set[int]:
    """The lines of HTML blocks: from a line starting with a tag or a comment to a blank line,
    or (`raw_across_blank_lines`) on to the line that closes the element."""
    html: set[int] = set()
    i = 0
    while i < len(lines):
        start = None if i in code or (i and lines[i - 1].strip()) else _HTML_START.match(lines[i])
        if start is None:
            i += 1
            continue
        end = i
        while end + 1 < len(lines) and lines[end + 1].strip():
            end += 1
        name = start["name"]
        if raw_across_blank_lines and name:
            closing = f"</{name.lower()}"
            if not any(closing in lines[j].lower() for j in range(i, end + 1)):
                end = next((j for j in range(end + 1, len(lines)) if closing in lines[j].lower()), end)
        html.update(range(i, end + 1))
        i = end + 1
    return html


@dataclass(slots=True)
class _Item:
    column: int  # where the item's content starts, as written
    new: int  # where it starts once rewritten: four spaces past its marker, as Python-Markdown wants


def _lists(lines: list[str], kept: set[int], fences: dict[int, int], *, parens: bool,
           any_start: bool) -> tuple[list[str], set[int]]:
    """Lists as CommonMark reads them: an item's content, nested lists included, is what stands
    at or past its content column (Python-Markdown wants four spaces a level); a list may start
    right after a paragraph line (with 1, for an ordered one, unless `any_start`: kramdown).
    Fenced code moves with the item it is in, and stands between blank lines, as superfences
    wants it (CommonMark does not)."""
    out: list[str] = []
    new_kept: set[int] = set()
    items: list[_Item] = []
    blank = paragraph = True  # the line before: blank; text a list may follow
    loose = False  # a blank line stood in the list under way
    shift, closing = 0, -1  # of the fenced code under way: its lines move with the fence
    for i, line in enumerate(lines):
        if i in kept:
            if i in fences:
                indent = _width(line[:len(line) - len(line.lstrip())])
                while items and indent < items[-1].column and blank:
                    items.pop()
                shift, closing = (items[-1].new - items[-1].column if items else 0), fences[i]
                if not blank and i - 1 not in kept:
                    out.append("")
            new_kept.add(len(out))
            out.append(_shifted(line, shift))
            blank, paragraph = not line.strip(), False
            if i == closing and i + 1 < len(lines) and i + 1 not in kept and lines[i + 1].strip():
                out.append("")
                blank = True
            continue
        shift = 0
        stripped = line.lstrip()
        if not stripped:
            out.append(line)
            blank, loose = True, loose or bool(items)
            continue
        if not items and stripped[0] not in _MARKER_STARTS:  # most lines: text outside lists
            out.append(line)
            blank, paragraph = False, stripped[0] not in ">#"
            continue
        marker = _MARKER.match(line)
        if marker and (_RULE.match(line) or (marker["marker"][-1] == ")" and not parens)):
            marker = None
        indent = _width(marker["indent"] if marker else line[:len(line) - len(line.lstrip())])
        if marker and not items and (indent > 3 or (not blank and not _interrupts(marker, paragraph,
                                                                                     any_start))):
            marker = None
        if marker:
            depth = len(items)
            while items and indent < items[-1].column:
                items.pop()
            at = items[-1].new if items else 0
            space = marker["space"].expandtabs(4)
            column = indent + len(marker["marker"]) + (len(space) if 0 < len(space) <= 4 else 1)
            # Python-Markdown needs a blank line before a list that follows a paragraph line, and
            # before an item that closes a nested list of a loose list (it would go into the
            # nested one); in a tight list, a blank line would make it loose
            if not blank and (not depth or (len(items) + 1 < depth and loose)):
                out.append("")
            items.append(_Item(column, at + 4))
            mark = marker["marker"][:-1] + "." if marker["marker"][-1] == ")" else marker["marker"]
            out.append(" " * at + mark + " " + line[marker.end():])
        elif items and (not blank or indent >= items[0].column):
            if blank:
                while indent < items[-1].column:
                    items.pop()
            item = items[-1]
            out.append(" " * (item.new + max(0, indent - item.column)) + stripped)
        else:
            items.clear()
            loose = False
            out.append(line)
        blank, paragraph = False, stripped[0] not in ">#"
    return out, new_kept


def _interrupts(marker: re.Match[str], paragraph: bool, any_start: bool) -> bool:
    """Whether a list item may start right after a non-blank line (CommonMark: not an empty item,
    and an ordered list only from 1)."""
    number = marker["marker"][:-1]
    return paragraph and bool(marker["space"]) and (any_start or not number.isdigit() or int(number) == 1)


def _shifted(line: str, shift: int) -> str:
    """`line` moved right (or left) by `shift` columns, its indentation's tabs as spaces."""
    if not shift or not line.strip():
        return line
    spaces = len(line) - len(line.lstrip(" \t"))
    return " " * max(0, _width(line[:spaces]) + shift) + line[spaces:]


def _lazy(before: str, line: str) -> bool:
    """Whether `line` goes on with the paragraph of a quote's line `before` without a `>` of
    its own: CommonMark's lazy line, unless it starts another block."""
    text, last = line.lstrip(), _QUOTE_PREFIX_ONE.sub("", before).strip()
    return bool(text and last) and text[0] not in _NOT_LAZY and not text[0].isdigit() \
        and last[0] not in _NOT_LAZY and len(line) - len(text) < 4


def _blocks(lines: list[str], kept: set[int], features: frozenset[str]) -> tuple[list[str], set[int]]:
    """Headings, tables and attribute lines, one line at a time."""
    out: list[str] = []
    new_kept: set[int] = set()
    rule = -1  # a table's separator line to write again
    for i, line in enumerate(lines):
        if i in kept:
            new_kept.add(len(out))
            out.append(line)
            continue
        if line.lstrip()[:1] not in _BLOCK_STARTS and i != rule:
            out.append(line)
            continue
        hashes = _HASHES.match(line)
        if hashes and len(hashes["indent"]) < 4:
            empty = not hashes["rest"].strip()
            if (empty and LONE_HASHES in features) or (not empty and ATX_SPACE in features):
                line = f"{hashes['indent']}\\{line[len(hashes['indent']):]}"
        ial = _IAL.match(line) if IALS in features else None
        if ial:
            line = _ial(out, ial["body"])
        if LOOSE_TABLES in features and _TABLE_ROW.match(line) and not (i and lines[i - 1].strip()):
            # kramdown: rows without a separator line, or with one of fewer cells, are a table
            cells = _cells(line)
            if i + 1 == len(lines) or not _TABLE_RULE.match(lines[i + 1]):
                out.extend(["|" + " |" * cells, "|" + "---|" * cells])  # a header finish() takes out
            elif _cells(lines[i + 1]) < cells:
                rule = i + 1
        elif i == rule:
            line = "|" + "---|" * _cells(out[-1])
        out.append(line)
    return out, new_kept


def _cells(row: str) -> int:
    return row.strip().strip("|").count("|") + 1


def _ial(out: list[str], body: str) -> str:
    """A kramdown attribute line: on the heading it follows, a table of contents for {:toc}, and
    otherwise kept on the paragraph it ends (Python-Markdown's attr_list reads it there) or
    dropped (kramdown gives it to a block Python-Markdown cannot)."""
    before = out[-1] if out else ""
    if "toc" in body.split() and _MARKER.match(before):
        out[-1] = "[TOC]"
        return ""
    if before.startswith("#") and before.lstrip("#").strip():
        out[-1] = f"{before.rstrip()} {{:{body}}}"
        return ""
    if before.strip() and not _FENCE.match(before) and not _MARKER.match(before) \
            and not _TABLE_ROW.match(before) and not _HTML_START.match(before):
        return f"{{:{body}}}"
    return ""


def _inline(lines: list[str], kept: set[int], *, as_links: bool) -> list[str]:
    """`<scheme:...>` outside code: a link (`as_links`) or text, as the flavor's engine reads it."""
    def rewrite(match: re.Match[str]) -> str:
        if _OWN_AUTOLINK.match(match["uri"]):
            return match.group()
        if not as_links:
            return "&lt;" + match.group()[1:]
        shown = _LINK_TEXT_SPECIAL.sub(r"\\\1", match["uri"])
        return f"[{shown}](<{match['uri']}>)"

    out = list(lines)
    markers: list[int] = []  # where the open list items' markers stand, once re-indented
    start = 0
    while start < len(lines):
        if start in kept or not lines[start].strip():
            start += 1
            continue
        stop = start + 1
        while stop < len(lines) and stop not in kept and lines[stop].strip():
            stop += 1
        indent = _width(lines[start][:len(lines[start]) - len(lines[start].lstrip())])
        while markers and indent < markers[-1] + (1 if _MARKER.match(lines[start]) else 4):
            markers.pop()  # an item this paragraph is not in
        code = indent - (markers[-1] + 4 if markers else 0) >= 4  # indented code
        markers.extend(_width(m["indent"]) for m in map(_MARKER.match, lines[start:stop]) if m)
        paragraph = "\n".join(lines[start:stop])
        if "<" in paragraph and not code:
            out[start:stop] = "".join(_ANGLE_URI.sub(rewrite, piece) if not is_code else piece
                                      for piece, is_code in _code_split(paragraph)).split("\n")
        start = stop
    return out


def _code_split(text: str) -> list[tuple[str, bool]]:
    """`text` in pieces, each with whether it is code: a code span as Python-Markdown reads it or
    as CommonMark does (a run of backticks closed by the next run of the same length)."""
    spans = [match.span() for match in CODE_SPAN.finditer(text)]
    runs = [run for run in _BACKTICKS.finditer(text) if not text[:run.start()].endswith("\\")]
    i = 0
    while i < len(runs):
        closing = next((j for j in range(i + 1, len(runs)) if len(runs[j].group()) == len(runs[i].group())),
                       None)
        if closing is not None:
            spans.append((runs[i].start(), runs[closing].end()))
        i = i + 1 if closing is None else closing + 1
    pieces, at = [], 0
    for begin, end in sorted(spans):
        if end > at:
            pieces += [(text[at:max(at, begin)], False), (text[max(at, begin):end], True)]
            at = end
    return [*pieces, (text[at:], False)]
