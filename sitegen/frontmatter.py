"""Split YAML front matter from a document and load YAML with errors at physical lines.

Support module: imports only errors. The one place that imports yaml.
"""

from __future__ import annotations

import re
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
# What XML 1.0 forbids (its Char production), so no page or feed can hold it. YAML refuses these
# characters written as such; a double-quoted escape (\0, \x01, \uFFFE) still makes them.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ESCAPE = re.compile(r"\\(?:x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)", re.DOTALL)
_NAMED_ESCAPES = {"0": 0, "a": 0x7, "b": 0x8, "v": 0xB, "f": 0xC, "e": 0x1B}


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


def _too_many_values(text: str, path: PurePath | str, first_line: int) -> SourceError:
    """The error for a document of more than MAX_VALUES values, at the alias (or value) that
    passes the limit: composed nodes do not say where an alias was written; parse events do."""
    sizes: dict[str, int] = {}  # anchor -> values its node holds once expanded
    opened: list[tuple[str | None, int]] = []  # collections not yet closed: anchor, count before
    count, alias, where = 0, False, None
    loader = _Loader(text)
    try:
        while where is None and loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.AliasEvent):
                # An anchor still open is a node holding itself: endless once expanded
                count, alias = count + sizes.get(str(event.anchor), MAX_VALUES + 1), True
            elif isinstance(event, (yaml.ScalarEvent, yaml.CollectionStartEvent)):
                count, alias = count + 1, False
                if isinstance(event, yaml.CollectionStartEvent):
                    opened.append((event.anchor, count - 1))
                elif event.anchor is not None:
                    sizes[event.anchor] = 1
            elif isinstance(event, yaml.CollectionEndEvent):
                anchor, before = opened.pop()
                if anchor is not None:
                    sizes[anchor] = count - before
            if count > MAX_VALUES:
                where = event.start_mark.index
    finally:
        loader.dispose()
    line, col = _place(text, where, first_line) if where is not None else (first_line, None)
    if alias:
        return SourceError(path, f"YAML aliases (*name) expand to more than {MAX_VALUES} values",
                           line=line, col=col, hint="write the values out instead of repeating anchors")
    return SourceError(path, f"front matter holds more than {MAX_VALUES} values", line=line, col=col,
                       hint="move long lists out of the front matter")


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
    # key -> line and column of each key of a mapping value (tags.yaml's fields of a tag)
    inner: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict)
    # key -> line and column of each item of a list value (a post's tags)
    item_positions: dict[str, tuple[tuple[int, int], ...]] = field(default_factory=dict)
    # keys whose value could not be loaded (each has its error): the other keys can still be checked
    invalid: frozenset[str] = frozenset()


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
            return Mapping({}, {}, {}), [_too_many_values(text, path, first_line)]
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
    inner: dict[str, dict[str, tuple[int, int]]] = {}
    items: dict[str, tuple[tuple[int, int], ...]] = {}
    invalid: set[str] = set()
    first_lines: dict[str, int] = {}  # key -> the line it first stands on
    errors: list[SourceError] = []
    escapes = "\\" in text  # only an escape makes a character XML forbids: without one, none
    for key_node, value_node in node.value:
        line, key_col = _place(text, key_node.start_mark.index, first_line)
        if not isinstance(key_node, yaml.ScalarNode) or not isinstance(key_node.value, str):
            errors.append(SourceError(path, "keys must be plain names", line=line, col=1))
            continue
        key = key_node.value
        if key in first_lines:  # checked first: a value that fails to load still takes its key
            errors.append(
                SourceError(
                    path,
                    f"key '{key}' appears twice (first on line {first_lines[key]})",
                    line=line,
                    col=key_col,
                    hint="keep one of them",
                )
            )
            continue
        first_lines[key] = line
        if escapes:
            found = _not_xml(key_node, value_node, key, text, path, first_line)
            if found:
                errors += found
                invalid.add(key)
                continue
        position = _place(text, value_node.start_mark.index, first_line)
        try:
            values[key] = loader.construct_object(value_node, deep=True)
        except (ValueError, yaml.YAMLError, RecursionError) as exc:
            errors.append(_value_error(exc, value_node, key, path, position))
            invalid.add(key)
            continue
        positions[key] = position
        key_lines[key] = line
        if isinstance(value_node, yaml.MappingNode):
            inner[key] = {str(k.value): _place(text, k.start_mark.index, first_line)
                          for k, _ in value_node.value if isinstance(k, yaml.ScalarNode)}
        if isinstance(value_node, yaml.SequenceNode):
            items[key] = tuple(_place(text, item.start_mark.index, first_line) for item in value_node.value)
    return Mapping(values, positions, key_lines, inner, items, frozenset(invalid)), errors


def _not_xml(key_node: Any, value_node: Any, key: str, text: str, path: PurePath | str,
             first_line: int) -> list[SourceError]:
    """An error for each scalar, the key included, holding a character XML 1.0 forbids: a page
    or feed with one is not a document browsers and feed readers accept."""
    errors: list[SourceError] = []
    seen: set[int] = set()
    stack = [value_node, key_node]
    while stack:
        node = stack.pop()
        if id(node) in seen:  # an alias: the same node again
            continue
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))
        elif isinstance(node, yaml.MappingNode):
            stack.extend(item for pair in reversed(node.value) for item in reversed(pair))
        elif isinstance(node.value, str) and (bad := _NOT_XML.search(node.value)):
            code = ord(bad.group())
            raw = text[node.start_mark.index:node.end_mark.index]
            written = next((m.group() for m in _ESCAPE.finditer(raw) if _escaped(m.group()) == code), None)
            line, col = _place(text, node.start_mark.index, first_line)
            label = key if node is not key_node else ascii(key)
            errors.append(SourceError(
                path, f"{label}: the character U+{code:04X} cannot be in a web page or feed "
                "(XML forbids it)", line=line, col=col,
                hint=f"delete the escape {written} from the quoted text" if written else "delete it"))
    return errors


def _escaped(escape: str) -> int | None:
    """The code point an escape such as \\0 or \\x01 makes (None for \\n and the other named
    escapes of characters XML allows)."""
    return _NAMED_ESCAPES.get(escape[1]) if len(escape) == 2 else int(escape[2:], 16)


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
    at = mark.index if mark else None
    problem = exc.problem or exc.context or "invalid YAML"
    hint = None
    if "tab" in problem or "'\\t'" in problem or at is not None and text[at:at + 1] == "\t":
        problem = "a tab character cannot indent YAML"
        hint = "replace the tab with spaces: YAML lines indent with spaces only"
        at = _indenting_tab(text, at) if at is not None else None
    elif "mapping values are not allowed" in problem:
        hint = 'quote a value that contains ": ", e.g. title: "Python: the good parts"'
    elif "found undefined alias" in problem or "found unhashable key" in problem:
        hint = "quote the value"
    elif exc.context and "quoted scalar" in exc.context:
        if "end of stream" in problem or "document" in problem:
            problem = "a quoted value is never closed"
            hint = "add the closing quote"
            at = exc.context_mark.index if exc.context_mark else at
        elif "Unicode" in problem and (escape := _ESCAPE.match(text, text.rfind("\\", 0, at or 0))):
            # libyaml refuses \\ud800 and the like: say which, at the value, as for any value
            written, code = escape.group(), int(escape.group()[2:] or "0", 16)
            problem = f"the escape {written} makes U+{code:04X}, which is not a character"
            at = exc.context_mark.index if exc.context_mark else at
            hint = (f"delete {written}; a character beyond U+FFFF is written whole, e.g. \\U0001F600, "
                    "not as two \\u halves" if 0xD800 <= code <= 0xDFFF else f"delete {written}")
        else:
            hint = "in double quotes a backslash starts an escape: write \\\\ for a backslash"
    elif exc.context and "flow" in exc.context and exc.context_mark and exc.problem_mark:
        return _unclosed(exc, text, path, first_line)
    line, col = _place(text, at, first_line) if at is not None else (first_line, None)
    hint = hint or "front matter is 'key: value' lines; a list item (- x) belongs under a key"
    return SourceError(path, f"invalid YAML: {problem}", line=line, col=col, hint=hint)


def _indenting_tab(text: str, index: int) -> int:
    """The first tab in the indentation of the line holding `index` (libyaml may point past it),
    else `index`."""
    start = text.rfind("\n", 0, index) + 1
    end = text.find("\n", start)
    line = text[start:] if end < 0 else text[start:end]
    indent = line[:len(line) - len(line.lstrip(" \t"))]
    return start + indent.index("\t") if "\t" in indent else index


def _unclosed(exc: yaml.MarkedYAMLError, text: str, path: PurePath | str, first_line: int) -> SourceError:
    """A [ ] list or { } mapping YAML could not finish. Never closed: located at its opening
    bracket, where the fix goes, saying where YAML noticed; closed on the line: at the item."""
    assert exc.context_mark is not None and exc.problem_mark is not None
    opening, closing, kind = ("[", "]", "list") if "sequence" in str(exc.context) else ("{", "}", "mapping")
    noticed, noticed_col = _place(text, exc.problem_mark.index, first_line)
    if closing in text[exc.problem_mark.index:].split("\n", 1)[0]:
        return SourceError(path, f"invalid YAML: this item of the {opening} {closing} {kind} cannot be read",
                           line=noticed, col=noticed_col, hint="separate the items with commas, and quote "
                           "an item that holds a comma, a colon, a quote or a bracket")
    line, col = _place(text, exc.context_mark.index, first_line)
    where = f" (YAML noticed on line {noticed})" if noticed != line else ""
    example = ", e.g. tags: [a, b]" if opening == "[" else ", e.g. author: {name: Ann}"
    return SourceError(path, f"invalid YAML: the {kind} opened with {opening} is never closed{where}",
                       line=line, col=col, hint=f"add the {closing} after its last item{example}")


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
