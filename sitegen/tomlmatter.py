"""TOML front matter between `+++` lines, as Hugo writes it, loaded into the same located
Mapping as YAML front matter, so every check after it is the same.

Support module: imports errors and frontmatter. The one place that reads TOML (stdlib tomllib:
nothing in it expands or fetches anything).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import PurePath

from sitegen.errors import SourceError
from sitegen.frontmatter import MAX_FRONT_MATTER, Document, Mapping

FENCE = "+++"
_AT = re.compile(r"\(at (?:line (\d+), column (\d+)|end of document)\)")
_TABLE = re.compile(r"\s*\[")
_KEY = re.compile(r"""\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*=\s*""")


def split_toml(text: str, path: PurePath | str) -> Document | None:
    """Cut `+++` front matter off text (LF line ends); None when the text does not open with it."""
    lines = text.split("\n")
    if lines[0].rstrip() != FENCE:
        return None
    for index in range(1, len(lines)):
        if lines[index].rstrip() == FENCE:
            return Document("\n".join(lines[1:index]), 2, "\n".join(lines[index + 1:]), index + 2)
    raise SourceError(path, "front matter opened with +++ on line 1 is never closed", line=1, col=1,
                      hint="add a line containing only +++ after the last front-matter key")


def load_toml(text: str, path: PurePath | str, first_line: int) -> tuple[Mapping, list[SourceError]]:
    """Load TOML front matter; a syntax error is reported at its physical line and column."""
    if len(text) > MAX_FRONT_MATTER:
        return Mapping({}, {}, {}), [SourceError(
            path, f"TOML block is {len(text)} characters; the limit is {MAX_FRONT_MATTER}",
            line=first_line, hint="move long text into the body of the file")]
    try:
        values = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = _AT.search(message)
        at, col = (int(found[1]), int(found[2])) if found and found[1] else (text.count("\n") + 1, None)
        return Mapping({}, {}, {}), [SourceError(
            path, f"invalid TOML: {_AT.sub('', message).strip()}", line=at + first_line - 1, col=col,
            hint='write one key per line, such as title = "My post"; quote text')]
    positions: dict[str, tuple[int, int]] = {}
    for number, written in enumerate(text.split("\n")):
        if _TABLE.match(written):
            break  # keys after a [table] header belong to that table
        key = _KEY.match(written)
        if key is not None:
            name = next(part for part in key.groups() if part is not None)
            positions.setdefault(name, (number + first_line, key.end() + 1))
    for name in values:  # a dotted or unusual key: at the first line, as good as can be said
        positions.setdefault(name, (first_line, 1))
    return Mapping(values, positions, {name: place[0] for name, place in positions.items()}), []
