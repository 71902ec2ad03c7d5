"""Where code stands in a Markdown text: fenced code and code spans, which nothing but the
Markdown engine may read or change, and the prose around them.

Support module: imports nothing from sitegen and no library. The expressions follow
Python-Markdown's own (the default flavor's); flavors finds fences wherever CommonMark does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

# Fenced code as Python-Markdown's fenced_code finds it: a fence at the start of a line, then a
# language or {attributes}, closed by the same run of backticks or tildes (not a longer one); a
# fence never closed is text. Tabs: fenced_code sees them expanded to spaces.
_FENCED_CODE = re.compile(
    r"^(?P<fence>~{3,}|`{3,})[ \t]*(?:\{[^\n]*\}|(?:\.?[\w#.+-]*[ \t]*)?"
    r"(?:hl_lines=(?P<quote>[\"']).*?(?P=quote)[ \t]*)?)\n.*?(?<=\n)(?P=fence)[ \t]*$",
    re.MULTILINE | re.DOTALL)
# A code span as Python-Markdown's backtick pattern finds it: a run of backticks not escaped,
# closed by a run of the same length, on the same line or a later one of the paragraph
CODE_SPAN = re.compile(r"(?<!\\)(?:\\\\)*(`+).+?(?<!`)\1(?!`)", re.DOTALL)


def prose_lines(text: str) -> Iterator[tuple[int, list[str]]]:
    """Each line of Markdown outside fenced code, with its index in `text.split("\\n")`, cut at
    code spans: the odd parts are code (a span, or its part on this line: a span may go on over
    the lines of a paragraph)."""
    lines = text.split("\n")
    done = at = 0  # the first line not yet passed, and where it starts
    for block in _FENCED_CODE.finditer(text):
        first = done + text.count("\n", at, block.start())
        yield from _with_code_spans(lines, done, first)
        done, at = first + block.group().count("\n") + 1, block.end() + 1
    yield from _with_code_spans(lines, done, len(lines))


def _with_code_spans(lines: list[str], start: int, end: int) -> Iterator[tuple[int, list[str]]]:
    while start < end:
        stop = start + 1  # a paragraph: up to a blank line
        while stop < end and lines[stop - 1].strip() and lines[stop].strip():
            stop += 1
        paragraph = "\n".join(lines[start:stop])
        if "`" not in paragraph:
            yield from ((i, [lines[i]]) for i in range(start, stop))
        else:
            cut = [[""]]  # each line's parts
            for piece, code in code_and_prose(paragraph):
                for n, line_piece in enumerate(piece.split("\n")):
                    if n:
                        cut.append([""])
                    if len(cut[-1]) % 2 == code:  # the line's last part is of the other kind
                        cut[-1].append("")
                    cut[-1][-1] += line_piece
            yield from zip(range(start, stop), cut, strict=True)
        start = stop


def code_and_prose(text: str) -> Iterator[tuple[str, bool]]:
    """`text` in pieces, each with whether it is a code span."""
    start = 0
    for span in CODE_SPAN.finditer(text):
        yield text[start:span.start()], False
        yield span.group(), True
        start = span.end()
    yield text[start:], False
