"""Split YAML front matter from a document and load YAML with errors at physical lines.

Support module: imports only errors. The one place that imports yaml.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

import yaml

from sitegen.errors import SourceError

_Loader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_FENCE = "---"
_CLOSERS = ("---", "...")
YAMLError = yaml.YAMLError
MAX_FRONT_MATTER = 64 * 1024
MAX_VALUES = 10_000  # nodes after expanding aliases: stops "billion laughs" documents


def _expanded_size(root: Any) -> int:
    """How many values the document holds once aliases are expanded; stops counting past the limit."""
    count, stack = 0, [root]
    while stack and count <= MAX_VALUES:
        node = stack.pop()
        count += 1
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            stack.extend(item for pair in node.value for item in pair)
    return count


@dataclass(frozen=True, slots=True)
class Document:
    """A source file cut in two: the YAML text (None when absent) and the Markdown body."""

    yaml_text: str | None
    yaml_line: int  # physical line of the first YAML line
    body: str
    body_line: int


@dataclass(frozen=True, slots=True)
class Mapping:
    """A loaded YAML mapping with the line and column of each top-level value."""

    values: dict[str, object]
    positions: dict[str, tuple[int, int]]  # key -> line and column of its value
    key_lines: dict[str, int]


def split(text: str, path: PurePath | str) -> Document:
    """Cut `---` front matter off text (already LF-normalised, BOM removed)."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != _FENCE:
        return Document(None, 1, text, 1)
    for index in range(1, len(lines)):
        if lines[index].rstrip() in _CLOSERS:
            return Document(
                yaml_text="\n".join(lines[1:index]),
                yaml_line=2,
                body="\n".join(lines[index + 1 :]),
                body_line=index + 2,
            )
    raise SourceError(
        path,
        "front matter opened with --- on line 1 is never closed",
        line=1,
        col=1,
        hint="add a line containing only --- after the last front-matter key",
    )


def load_mapping(text: str, path: PurePath | str, first_line: int) -> tuple[Mapping, list[SourceError]]:
    """Load a YAML mapping safely; report every bad value at its physical line and column."""
    if len(text) > MAX_FRONT_MATTER:
        error = SourceError(
            path,
            f"YAML block is {len(text)} characters; the limit is {MAX_FRONT_MATTER}",
            line=first_line,
            hint="move long text into the body of the file",
        )
        return Mapping({}, {}, {}), [error]
    loader = _Loader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            return Mapping({}, {}, {}), [_yaml_error(exc, text, path, first_line)]
        except yaml.reader.ReaderError as exc:  # a character YAML does not allow, e.g. U+000C
            line, col = _place(text, exc.position, first_line)
            return Mapping({}, {}, {}), [SourceError(
                path, f"invalid YAML: the character {_named(exc.character)} is not allowed", line=line,
                col=col, hint="delete it; write it in the body of the post if it is needed")]
        if node is None:
            return Mapping({}, {}, {}), []
        if _expanded_size(node) > MAX_VALUES:
            error = SourceError(
                path, f"YAML aliases (*name) expand to more than {MAX_VALUES} values",
                line=first_line, hint="write the values out instead of repeating anchors")
            return Mapping({}, {}, {}), [error]
        if not isinstance(node, yaml.MappingNode):
            error = SourceError(
                path,
                "expected 'key: value' lines",
                line=node.start_mark.line + first_line,
                col=node.start_mark.column + 1,
                hint="write one key per line, such as title: My post",
            )
            return Mapping({}, {}, {}), [error]
        return _construct(loader, node, text, path, first_line)
    finally:
        loader.dispose()


def _construct(
    loader: Any, node: yaml.MappingNode, text: str, path: PurePath | str, first_line: int
) -> tuple[Mapping, list[SourceError]]:
    values: dict[str, object] = {}
    positions: dict[str, tuple[int, int]] = {}
    key_lines: dict[str, int] = {}
    errors: list[SourceError] = []
    for key_node, value_node in node.value:
        line, key_col = _place(text, key_node.start_mark.index, first_line)
        if not isinstance(key_node, yaml.ScalarNode) or not isinstance(key_node.value, str):
            errors.append(SourceError(path, "keys must be plain names", line=line, col=1))
            continue
        key = key_node.value
        if key in positions:
            errors.append(
                SourceError(
                    path,
                    f"key '{key}' appears twice (first on line {positions[key][0]})",
                    line=line,
                    col=key_col,
                    hint="keep one of them",
                )
            )
            continue
        position = _place(text, value_node.start_mark.index, first_line)
        try:
            values[key] = loader.construct_object(value_node, deep=True)
        except (ValueError, yaml.YAMLError, RecursionError) as exc:
            errors.append(_value_error(exc, value_node, key, path, position))
            continue
        positions[key] = position
        key_lines[key] = line
    return Mapping(values, positions, key_lines), errors


def _value_error(
    exc: Exception, node: Any, key: str, path: PurePath | str, position: tuple[int, int]
) -> SourceError:
    raw = node.value if isinstance(node, yaml.ScalarNode) else "..."
    if isinstance(exc, yaml.constructor.ConstructorError) and "constructor for the tag" in str(exc):
        return SourceError(path, f"{key}: unsupported YAML tag {node.tag}", line=position[0],
                           col=position[1], hint="remove the tag: front matter holds plain values")
    if isinstance(exc, ValueError) and str(node.tag).endswith(":timestamp"):
        return SourceError(
            path,
            f"{key}: {raw!s} is not a real date ({exc})",
            line=position[0],
            col=position[1],
            hint="use YYYY-MM-DD with a valid month and day",
        )
    return SourceError(path, f"{key}: cannot read value ({exc})", line=position[0], col=position[1])


def _named(character: object) -> str:
    code = character if isinstance(character, int) else ord(str(character)[:1] or "?")
    return f"U+{code:04X}"


def _place(text: str, index: int, first_line: int) -> tuple[int, int]:
    """Physical line and column of a character: only "\n" ends a line in a file (YAML also counts
    U+0085, U+2028 and U+2029, which editors do not)."""
    start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + first_line, index - start + 1


def _yaml_error(exc: yaml.MarkedYAMLError, text: str, path: PurePath | str,
                first_line: int) -> SourceError:
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or exc.context or "invalid YAML"
    hint = None
    if "'\\t'" in problem or "tab" in problem:
        problem = "a tab character cannot indent YAML"
        hint = "indent with spaces"
    elif "mapping values are not allowed" in problem:
        hint = 'quote a value that contains ": ", e.g. title: "Python: the good parts"'
    elif "found undefined alias" in problem or "found unhashable key" in problem:
        hint = "quote the value"
    elif exc.context and "quoted scalar" in exc.context:
        problem = "a quoted value is never closed"
        hint = "add the closing quote"
        mark = exc.context_mark or mark
    line, col = _place(text, mark.index, first_line) if mark else (first_line, None)
    hint = hint or "front matter is 'key: value' lines; a list item (- x) belongs under a key"
    return SourceError(path, f"invalid YAML: {problem}", line=line, col=col, hint=hint)


@dataclass(frozen=True, slots=True)
class Written:
    """A YAML value as written: where its characters are, for edits that keep every other byte."""

    kind: str  # "scalar", "alias", "sequence" or "mapping"
    style: str  # a scalar's "plain", "'", '"', "|" or ">"; a collection's "flow" or "block"
    start: int  # the value's own first character, after its &anchor and !tag
    end: int  # a block scalar ends after the line breaks (and blank lines) it takes
    outer: int  # where the &anchor or !tag written before it starts; `start` when it has none
    text: str = ""  # a scalar's value before type resolution ("2024" for 2024); an alias's name
    anchor: str = ""
    items: tuple[Written, ...] = ()  # a sequence's items; a mapping's keys and values, alternating


def outline(text: str) -> Written | None:
    """The document's values as written, nested; None for an empty document.

    Offsets count characters (with libyaml too). Raises YAMLError for text that is not YAML;
    callers load it with load_mapping first, which reports why.
    """
    loader = _Loader(text)
    own_starts: dict[int, int] | None = None
    opened: list[tuple[Any, list[Written]]] = [(None, [])]
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                opened.append((event, []))
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                start_event, items = opened.pop()
                flow = bool(start_event.flow_style)
                start = _at(start_event.end_mark) - (1 if flow else 0)  # at "[" or the first item
                end = _at(event.end_mark) if flow else (items[-1].end if items else start)
                kind = "sequence" if isinstance(event, yaml.SequenceEndEvent) else "mapping"
                opened[-1][1].append(Written(kind, "flow" if flow else "block", start, end,
                                             _at(start_event.start_mark), anchor=start_event.anchor or "",
                                             items=tuple(items)))
            elif isinstance(event, yaml.ScalarEvent):
                start = _at(event.start_mark)
                if event.anchor or event.tag:  # the value's own text starts after them
                    own_starts = own_starts if own_starts is not None else _scalar_starts(text)
                    start = own_starts.get(_at(event.end_mark), start)
                opened[-1][1].append(Written("scalar", event.style or "plain", start, _at(event.end_mark),
                                             _at(event.start_mark), str(event.value), event.anchor or ""))
            elif isinstance(event, yaml.AliasEvent):
                opened[-1][1].append(Written("alias", "", _at(event.start_mark), _at(event.end_mark),
                                             _at(event.start_mark), event.anchor or ""))
    finally:
        loader.dispose()
    found = opened[0][1]
    return found[0] if found else None


def _at(mark: Any) -> int:
    return int(mark.index)


def _scalar_starts(text: str) -> dict[int, int]:
    """Where each scalar's own text starts, by where it ends (a scalar event starts at its anchor)."""
    loader = _Loader(text)
    starts: dict[int, int] = {}
    try:
        while loader.check_token():
            token = loader.get_token()
            if isinstance(token, yaml.ScalarToken):
                starts[_at(token.end_mark)] = _at(token.start_mark)
    finally:
        loader.dispose()
    return starts
