"""Rename or drop one tag in a post's front matter, changing only the characters of that tag.

Comments, key order, quoting, list style, anchors and line ends stay as they were; the edited
text is read back as a build reads it and compared with what was meant, and refused, located,
on any difference. Also the span helpers that tags.yaml edits share. Pure. Imports errors,
fields, frontmatter, parser (decode), tomlmatter (read only), urls.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from sitegen.errors import ContentError, SourceError
from sitegen.fields import tag_spellings
from sitegen.frontmatter import Written, YAMLError, load_mapping, outline, split
from sitegen.parser import decode
from sitegen.tomlmatter import load_toml, split_toml
from sitegen.urls import tag_key, tag_name

LINE_BREAK = re.compile(r"\r\n|\r|\n")
_COMMA_AFTER = re.compile(r"\s*,[ \t]*")
_COMMA_BEFORE = re.compile(r",\s*\Z")
_PLAIN = re.compile(r"[A-Za-z0-9À-￿][\w .+#&/'-]*")
BY_HAND = "edit it by hand (or run this again once it is fixed)"


def yaml_scalar(text: str) -> str:
    """A tag name as YAML that reads back as exactly that name, inside [..] lists too."""
    if _PLAIN.fullmatch(text):
        loaded, errors = load_mapping(f"a: [{text}]\nb: {text}", "name", 1)
        if not errors and loaded.values == {"a": [text], "b": text}:
            return text
    return json.dumps(text, ensure_ascii=False)


def intended_tags(names: list[str], old: str, new: str) -> list[str]:
    """A post's tag names after renaming `old` to `new`: the first `old` becomes `new`, unless the
    post has `new` already; any other `old` goes. A respelling (same tag) respells every `old`."""
    return [new if fate == "rename" else name
            for name, fate in zip(names, _fates(names, old, new), strict=True) if fate != "drop"]


def _matches(name: str, old: str, new: str) -> bool:
    return tag_name(name) == old if tag_key(old) == tag_key(new) else tag_key(name) == tag_key(old)


def _fates(names: list[str], old: str, new: str) -> list[str]:
    """For each name, as intended_tags decides: "keep", "rename" or "drop"."""
    respell = tag_key(old) == tag_key(new)
    placed = not respell and any(tag_key(name) == tag_key(new) for name in names)
    fates = []
    for name in names:
        if not _matches(name, old, new):
            fates.append("keep")
        elif respell or not placed:
            fates.append("rename")
            placed = True
        else:
            fates.append("drop")
    return fates


@dataclass(frozen=True, slots=True)
class _Reading:
    """A source as a build reads it: its front-matter values, tag names and body."""

    values: dict[str, object]
    names: list[str]
    bad: list[object]  # tags that are not names; a build reports them
    line: int  # of the tags
    body: str
    yaml_span: tuple[int, int]  # where the front-matter YAML is in the text as written


def _read(text: str, source: str) -> _Reading | None:
    """Read as the parser does (None: no front matter); raise the first problem, located."""
    text_read = decode(text.encode("utf-8"), PurePosixPath(source))
    toml = split_toml(text_read, source)
    if toml is not None:  # read, never rewritten: a post that names a tag stops the edit
        data, errors = load_toml(toml.yaml_text or "", source, toml.yaml_line)
        if errors or data.values.get("tags"):
            raise ContentError(source, "has TOML front matter (+++), whose tags cannot be rewritten yet",
                               line=data.key_lines.get("tags", 1), hint=BY_HAND)
        return None
    document = split(text_read, source)
    if document.yaml_text is None:
        return None
    data, errors = load_mapping(document.yaml_text, source, document.yaml_line)
    if errors:
        raise errors[0]
    names, bad = tag_spellings(data.values.get("tags"))
    line = data.key_lines.get("tags", document.yaml_line)
    # split cut the text with its line ends made \n: the same lines in the text as written
    starts = [0, *(m.end() for m, _ in zip(LINE_BREAK.finditer(text), range(document.body_line - 2),
                                           strict=False))]
    return _Reading(data.values, names, bad, line, document.body,
                    (starts[1], starts[document.body_line - 2]))


def retag_post(text: str, old: str, new: str, source: str = "post.md") -> str:
    """The post with tag `old` renamed to `new` (or dropped, when it already has `new`).

    Raises SourceError, located, when the front matter cannot be read or cannot be edited so that
    it reads back as exactly the intended tags with nothing else changed.
    """
    return retag_text(text, tag_name(old), tag_name(new), source)[0]


def retag_text(text: str, old: str, new: str, source: str) -> tuple[str, list[str], list[str]]:
    """The edited text, and the tag names the text had and has."""
    before = _read(text, source)
    if before is None:
        return text, [], []
    if not any(_matches(name, old, new) for name in before.names):
        return text, before.names, before.names
    wanted = intended_tags(before.names, old, new)
    offset, end = before.yaml_span
    block = text[offset:end]
    first_line = line_of(text, offset)
    problem = "its tags are not a list or a comma-separated string"
    for candidate in _edited_blocks(block, old, new, source, first_line):
        after = text[:offset] + candidate + text[offset + len(block):]
        problem = _difference(before, after, wanted, source) or ""
        if not problem:
            return after, before.names, wanted
    raise _refusal(source, before.line, old, new, problem)


def _refusal(source: str, line: int, old: str, new: str, problem: str) -> SourceError:
    return ContentError(source, f"cannot change the tag '{old}' to '{new}' here without changing "
                        f"more than the tag: {problem}", line=line,
                        hint=f"{BY_HAND}; nothing was written")


def line_of(text: str, index: int) -> int:
    return len(LINE_BREAK.findall(text, 0, index)) + 1


def _difference(before: _Reading, after_text: str, wanted: list[str], source: str) -> str | None:
    """What the edited text says that it should not; None when it reads back as intended."""
    try:
        after = _read(after_text, source)
    except SourceError as error:
        return f"the edited front matter would not read ({error.message})"
    if after is None:
        return "the edited file would have no front matter"
    if after.names != wanted or repr(after.bad) != repr(before.bad):
        return f"its tags would read {after.names} instead of {wanted}"
    changed = sorted(key for key in before.values.keys() | after.values.keys() if key != "tags"
                     and repr(before.values.get(key)) != repr(after.values.get(key)))
    if changed:
        return (", ".join(f"'{key}'" for key in changed) + " would change too (it repeats the tag "
                "through a YAML alias)")
    if after.body != before.body:
        return "its text would change"
    return None


def _edited_blocks(block: str, old: str, new: str, source: str, first_line: int) -> Iterator[str]:
    """Edited versions of the front-matter text, the least change first."""
    try:
        root = outline(block)
    except YAMLError:  # not reached: _read loaded the same text
        return
    if root is None or root.kind != "mapping":
        return
    value = next((v for k, v in zip(root.items[::2], root.items[1::2], strict=True)
                  if k.kind == "scalar" and k.text == "tags"), None)
    if value is None:
        return
    if value.kind == "alias":
        raise ContentError(source, f"tags: is written as *{value.text}, a repeat of tags written "
                           "elsewhere, so renaming one would change both", line=first_line +
                           line_of(block, value.start) - 1, hint=f"write the tags out; {BY_HAND}")
    if value.kind == "scalar":
        yield from _comma_string(block, value, old, new, source, first_line)
    elif value.kind == "sequence":
        yield apply_changes(block, _list_changes(block, value, root, old, new, source, first_line))


def apply_changes(text: str, changes: list[tuple[int, int, str]]) -> str:
    for start, end, replacement in sorted(changes, reverse=True):  # from the end: offsets stay valid
        text = text[:start] + replacement + text[end:]
    return text


def _list_changes(block: str, value: Written, root: Written, old: str, new: str, source: str,
                  first_line: int) -> list[tuple[int, int, str]]:
    anchors = _anchors(root)
    names: list[str | None] = []
    for item in value.items:
        written = _resolved(item, anchors)
        names.append(tag_name(written.text) if written is not None and written.kind == "scalar"
                     and written.text.strip() else None)
    decided = iter(_fates([name for name in names if name is not None], old, new))
    fates = [next(decided) if name is not None else "keep" for name in names]
    changes = [_renamed(block, item, new) for item, fate in zip(value.items, fates, strict=True)
               if fate == "rename"]
    spans = [(item.outer, item.end) for item in value.items]
    if value.style == "flow":  # a run of dropped items goes with one comma
        return changes + [(*flow_removal(block, start, end, floor=value.start), "")
                          for start, end in dropped_runs(spans, fates)]
    return changes + [(*block_removal(block, item, source, first_line), "")
                      for item, fate in zip(value.items, fates, strict=True) if fate == "drop"]


def dropped_runs(spans: list[tuple[int, int]], fates: list[str]) -> list[tuple[int, int]]:
    """Neighbouring dropped items as one span each: from the first one's start to the last one's end."""
    runs: list[tuple[int, int]] = []
    previous = "keep"
    for (start, end), fate in zip(spans, fates, strict=True):
        if fate == "drop":
            runs[-1:] = [(runs[-1][0], end)] if previous == "drop" else [*runs[-1:], (start, end)]
        previous = fate
    return runs


def _anchors(node: Written) -> list[tuple[int, str, Written]]:
    found = [(node.outer, node.anchor, node)] if node.anchor else []
    for item in node.items:
        found += _anchors(item)
    return found


def _resolved(item: Written, anchors: list[tuple[int, str, Written]]) -> Written | None:
    if item.kind != "alias":
        return item
    earlier = [node for at, name, node in anchors if name == item.text and at < item.start]
    return earlier[-1] if earlier else None


def _renamed(block: str, item: Written, new: str) -> tuple[int, int, str]:
    """The item's own characters replaced; its &anchor or !tag, indicators and comments stay."""
    if item.kind == "scalar" and item.style in ("|", ">"):  # keep the block style, its header and breaks
        start, end = _block_content(block, item)
        return start, end, new
    return item.start, item.end, yaml_scalar(new)


def _block_content(block: str, item: Written) -> tuple[int, int]:
    """From the first to the last character of a block scalar's text, past its header line."""
    header = LINE_BREAK.search(block, item.start, item.end)
    body_start = header.end() if header else item.end
    text = block[body_start:item.end]
    stripped = text.strip()
    if not stripped:
        return item.end, item.end
    start = body_start + text.index(stripped[0])
    return start, start + len(stripped)


def block_removal(block: str, item: Written, source: str, first_line: int) -> tuple[int, int]:
    """The lines of a `- name` item, from its dash to its line break."""
    dash = len(block[:item.outer].rstrip())
    line_start = max(block.rfind("\n", 0, dash), block.rfind("\r", 0, dash)) + 1
    if dash == 0 or block[dash - 1] != "-" or block[line_start:dash - 1].strip():
        raise ContentError(source, "a tag to drop is not on its own '- ' line", line=first_line +
                           line_of(block, item.start) - 1, hint=BY_HAND)
    end = item.end
    if end > 0 and block[end - 1] not in "\r\n":  # a block scalar ends past its breaks already
        rest = LINE_BREAK.search(block, end)
        end = rest.end() if rest else len(block)
    return line_start, end


def flow_removal(text: str, start: int, end: int, *, floor: int) -> tuple[int, int]:
    """An item of `[a, b]` or of `a, b` with the comma on one side of it (none before `floor`)."""
    after = _COMMA_AFTER.match(text, end)
    if after:
        stop = after.end()
        if text.startswith("#", stop):  # a comment needs a space before it
            stop = after.start() + after.group().index(",") + 1
        return start, stop
    before = _COMMA_BEFORE.search(text[floor:start])
    return (floor + before.start() if before else start), end


def _comma_string(block: str, value: Written, old: str, new: str, source: str,
                  first_line: int) -> Iterator[str]:
    """`tags: a, b,  C` with only the part that changes rewritten, spacing and commas kept."""
    if value.style in ("|", ">"):
        inner_start, inner_end = _block_content(block, value)
    elif value.style == "plain":
        inner_start, inner_end = value.start, value.end
    else:
        inner_start, inner_end = value.start + 1, value.end - 1
    parts: list[tuple[int, int, str]] = []
    at = inner_start
    for piece in block[inner_start:inner_end].split(","):
        if piece.strip():
            start = at + piece.index(piece.strip()[0])
            raw = piece.strip()
            parts.append((start, start + len(raw), tag_name(_unescape(raw, value.style))))
        at += len(piece) + 1
    line = first_line + line_of(block, value.start) - 1
    if [name for *_, name in parts] != tag_spellings(value.text)[0]:
        raise ContentError(source, "cannot find each tag of this comma-separated string in its text",
                           line=line, hint=f"write the tags as a list, e.g. tags: [a, b]; {BY_HAND}")
    fates = _fates([name for *_, name in parts], old, new)
    renamed = [(start, end) for (start, end, _), fate in zip(parts, fates, strict=True) if fate == "rename"]
    removed = [flow_removal(block[:inner_end], start, end, floor=inner_start)
               for start, end in dropped_runs([(start, end) for start, end, _ in parts], fates)]
    if renamed and "," in new:
        raise ContentError(source, f"'{new}' has a comma: in the comma-separated tags of this line "
                           "it would read as two tags", line=line,
                           hint="write the tags as a list (tags: [a, b]), or choose a name without a comma")
    spellings = {"plain": new, "'": new.replace("'", "''"), '"': json.dumps(new, ensure_ascii=False)[1:-1],
                 "|": new, ">": new}
    changes = [(s, e, spellings[value.style]) for s, e in renamed] + [(s, e, "") for s, e in removed]
    yield apply_changes(block, changes)
    if value.style != "plain":
        return
    # A name a plain scalar cannot hold (`a: b`, `x #y`): quote the whole string, parts unchanged
    inner = block[value.start:value.end]
    for quote, spelling in (("'", spellings["'"]), ('"', spellings['"'])):
        if quote == "'" and "'" in inner or quote == '"' and ('"' in inner or "\\" in inner):
            continue
        changes = [(s, e, spelling) for s, e in renamed] + [(s, e, "") for s, e in removed]
        changes += [(value.start, value.start, quote), (value.end, value.end, quote)]
        yield apply_changes(block, changes)


def _unescape(raw: str, style: str) -> str:
    if style == "'":
        return raw.replace("''", "'")
    if style == '"' and "\\" in raw:
        loaded, errors = load_mapping(f'v: "{raw}"', "name", 1)
        return str(loaded.values.get("v", raw)) if not errors else raw
    return raw
