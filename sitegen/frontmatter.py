"""Split YAML front matter from a document and load YAML with errors at physical lines.

Support module: imports only errors. The one place that imports yaml.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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
    item_positions: dict[str, tuple[tuple[int, int], ...]] = field(default_factory=dict)
    """key -> line and column of each item of a list value"""


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
    items: dict[str, tuple[tuple[int, int], ...]] = {}
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
        if isinstance(value_node, yaml.SequenceNode):
            items[key] = tuple(_place(text, item.start_mark.index, first_line) for item in value_node.value)
    return Mapping(values, positions, key_lines, items), errors


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
class Span:
    """Where a YAML value sits in its text: character offsets, for edits that keep every other byte."""

    start: int
    end: int
    value: object
    style: str  # "plain", "quoted", "flow", "block", "mapping", "null"


def value_spans(text: str) -> dict[str, tuple[Span, Span, tuple[Span, ...]]]:
    """For each top-level key: (key span, value span, item spans of a sequence or mapping value).

    Raises yaml.YAMLError for text that is not YAML; callers report it with load_mapping.
    """
    loader = _Loader(text)  # offsets count characters, with libyaml too
    try:
        node = loader.get_single_node()
    finally:
        loader.dispose()
    if not isinstance(node, yaml.MappingNode):
        return {}
    found: dict[str, tuple[Span, Span, tuple[Span, ...]]] = {}
    for key_node, value_node in node.value:
        items: tuple[Span, ...] = ()
        if isinstance(value_node, yaml.SequenceNode):
            items = tuple(_span(item) for item in value_node.value)
        elif isinstance(value_node, yaml.MappingNode):
            items = tuple(span for pair in value_node.value for span in map(_span, pair))
        found[str(key_node.value)] = (_span(key_node), _span(value_node), items)
    return found


def _span(node: Any) -> Span:
    if isinstance(node, yaml.ScalarNode):
        if node.tag.endswith(":null") and node.start_mark.index == node.end_mark.index:
            style = "null"
        else:
            style = "quoted" if node.style in ("'", '"') else "plain"
        return Span(node.start_mark.index, node.end_mark.index, node.value, style)
    if isinstance(node, yaml.MappingNode):
        return Span(node.start_mark.index, node.end_mark.index, None,
                    "flow" if node.flow_style else "mapping")
    return Span(node.start_mark.index, node.end_mark.index, None,
                "flow" if node.flow_style else "block")
