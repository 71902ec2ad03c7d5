"""Where a Markdown link's text ends: Python-Markdown's answer, found by looking at the brackets only.

Pure: imports nothing from sitegen. markup gives each link pattern of Python-Markdown a LinkText.
"""

from __future__ import annotations

import bisect
import re

_BRACKET = re.compile(r"[\[\]]")


class LinkText:
    """The `getText` of Python-Markdown's link patterns: a link's text, from `index` (just past its
    `[`) to the `]` that closes it, where that is, and whether one does.

    Python-Markdown 3.11 works out the closing bracket of every index of a text at once (looking
    for each one in turn is quadratic where brackets do not close), in a loop over every character,
    and again for each link, as each one changes the text: a sixth of the CPU of a cold build of
    the 10,000-post benchmark (9.4 s of 57). This loop runs over the brackets only, found by a
    regular expression; the answers are the same (tests/test_markup.py compares them).
    """

    __slots__ = ("data", "brackets", "ends")

    def __init__(self) -> None:
        self.data: str | None = None  # the text last seen, as Python-Markdown keeps it
        self.brackets: list[int] = []  # where its brackets stand
        self.ends: list[int | None] = []  # for each bracket, just past the `]` that closes what it opens

    def __call__(self, data: str, index: int) -> tuple[str, int, bool]:
        if data is not self.data:
            self.data = data
            self.brackets, self.ends = _bracket_ends(data)
        # Between two brackets the depth does not change: an index closes where the next one does
        at = bisect.bisect_left(self.brackets, index)
        end = self.ends[at] if at < len(self.ends) else None
        if end is None:
            return data[index:], len(data), False
        return data[index:end - 1], end, True


def _bracket_ends(data: str) -> tuple[list[int], list[int | None]]:
    """The place of each bracket of `data`, and for each, just past the first `]` at or after it
    that takes the depth below the depth before it (None: none does)."""
    brackets = [match.start() for match in _BRACKET.finditer(data)]
    ends: list[int | None] = [None] * len(brackets)
    waiting: list[tuple[int, int]] = []  # (bracket, the depth before it), the depths rising
    depth = 0
    for number, place in enumerate(brackets):
        waiting.append((number, depth))
        if data[place] == "[":
            depth += 1
            continue
        depth -= 1
        while waiting and depth < waiting[-1][1]:
            ends[waiting.pop()[0]] = place + 1
    return brackets, ends
