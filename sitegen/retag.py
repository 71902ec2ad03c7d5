"""Rename and merge tags in the sources: every post's front matter, then tags.yaml.

An edit changes only the characters of the tags it renames or drops (and, in tags.yaml, the
entries it moves) and keeps every other byte of each file: comments, key order, quoting, list
style, anchors, line ends. Each edited text is then read back as a build reads it and compared
with what was meant; on any difference the whole change is refused, located, before anything is
written. `plan_retag` reads the files and returns the edits; `write_edits` writes all or none.
Edge module beside cli: imports config, errors, frontmatter, models, parser, urls.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from sitegen.config import TAGS_FILE, tag_registry
from sitegen.errors import BuildError, ContentError, SitegenError, SourceError, WriteError
from sitegen.frontmatter import Written, YAMLError, load_mapping, outline, split
from sitegen.models import Config, TagSpec
from sitegen.parser import content_files, decode, tag_of, tag_spellings
from sitegen.urls import slugify, tag_key, tag_name

_BREAK = r"(?:\r\n|\r|\n)"
_FRONT_MATTER = re.compile(rf"\A(\ufeff?---[ \t]*{_BREAK})(.*?{_BREAK})(?:---|\.\.\.)[ \t]*(?:{_BREAK}|\Z)",
                           re.S)
_LINE_BREAK = re.compile(_BREAK)
_COMMA_AFTER = re.compile(r"\s*,[ \t]*")
_COMMA_BEFORE = re.compile(r",\s*\Z")
_PLAIN = re.compile(r"[A-Za-z0-9À-￿][\w .+#&/'-]*")
_HAND = "edit it by hand (or run this again once it is fixed)"


@dataclass(frozen=True, slots=True)
class Edit:
    path: Path
    before: str
    after: str
    created: bool = False  # the file did not exist (a new tags.yaml)


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


def _read(text: str, source: str) -> _Reading | None:
    """Read as the parser does (None: no front matter); raise the first problem, located."""
    document = split(decode(text.encode("utf-8"), PurePosixPath(source)), source)
    if document.yaml_text is None:
        return None
    data, errors = load_mapping(document.yaml_text, source, document.yaml_line)
    if errors:
        raise errors[0]
    names, bad = tag_spellings(data.values.get("tags"))
    line = data.key_lines.get("tags", document.yaml_line)
    return _Reading(data.values, names, bad, line, document.body)


def retag_post(text: str, old: str, new: str, source: str = "post.md") -> str:
    """The post with tag `old` renamed to `new` (or dropped, when it already has `new`).

    Raises SourceError, located, when the front matter cannot be read or cannot be edited so that
    it reads back as exactly the intended tags with nothing else changed.
    """
    return _retag(text, tag_name(old), tag_name(new), source)[0]


def _retag(text: str, old: str, new: str, source: str) -> tuple[str, list[str], list[str]]:
    """The edited text, and the tag names the text had and has."""
    before = _read(text, source)
    if before is None:
        return text, [], []
    if not any(_matches(name, old, new) for name in before.names):
        return text, before.names, before.names
    wanted = intended_tags(before.names, old, new)
    match = _FRONT_MATTER.match(text)
    if match is None:
        raise _refusal(source, before.line, old, new, "its front matter is not where a build finds it")
    offset, block = match.end(1), match.group(2)
    first_line = _line(text, offset)
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
                        hint=f"{_HAND}; nothing was written")


def _line(text: str, index: int) -> int:
    return len(_LINE_BREAK.findall(text, 0, index)) + 1


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
                           _line(block, value.start) - 1, hint=f"write the tags out; {_HAND}")
    if value.kind == "scalar":
        yield from _comma_string(block, value, old, new, source, first_line)
    elif value.kind == "sequence":
        yield _apply(block, _list_changes(block, value, root, old, new, source, first_line))


def _apply(text: str, changes: list[tuple[int, int, str]]) -> str:
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
        return changes + [(*_flow_removal(block, start, end, floor=value.start), "")
                          for start, end in _dropped_runs(spans, fates)]
    return changes + [(*_block_removal(block, item, source, first_line), "")
                      for item, fate in zip(value.items, fates, strict=True) if fate == "drop"]


def _dropped_runs(spans: list[tuple[int, int]], fates: list[str]) -> list[tuple[int, int]]:
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
    header = _LINE_BREAK.search(block, item.start, item.end)
    body_start = header.end() if header else item.end
    text = block[body_start:item.end]
    stripped = text.strip()
    if not stripped:
        return item.end, item.end
    start = body_start + text.index(stripped[0])
    return start, start + len(stripped)


def _block_removal(block: str, item: Written, source: str, first_line: int) -> tuple[int, int]:
    """The lines of a `- name` item, from its dash to its line break."""
    dash = len(block[:item.outer].rstrip())
    line_start = max(block.rfind("\n", 0, dash), block.rfind("\r", 0, dash)) + 1
    if dash == 0 or block[dash - 1] != "-" or block[line_start:dash - 1].strip():
        raise ContentError(source, "a tag to drop is not on its own '- ' line", line=first_line +
                           _line(block, item.start) - 1, hint=_HAND)
    end = item.end
    if end > 0 and block[end - 1] not in "\r\n":  # a block scalar ends past its breaks already
        rest = _LINE_BREAK.search(block, end)
        end = rest.end() if rest else len(block)
    return line_start, end


def _flow_removal(text: str, start: int, end: int, *, floor: int) -> tuple[int, int]:
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
    line = first_line + _line(block, value.start) - 1
    if [name for *_, name in parts] != tag_spellings(value.text)[0]:
        raise ContentError(source, "cannot find each tag of this comma-separated string in its text",
                           line=line, hint=f"write the tags as a list, e.g. tags: [a, b]; {_HAND}")
    fates = _fates([name for *_, name in parts], old, new)
    renamed = [(start, end) for (start, end, _), fate in zip(parts, fates, strict=True) if fate == "rename"]
    removed = [_flow_removal(block[:inner_end], start, end, floor=inner_start)
               for start, end in _dropped_runs([(start, end) for start, end, _ in parts], fates)]
    if renamed and "," in new:
        raise ContentError(source, f"'{new}' has a comma: in the comma-separated tags of this line "
                           "it would read as two tags", line=line,
                           hint="write the tags as a list (tags: [a, b]), or choose a name without a comma")
    spellings = {"plain": new, "'": new.replace("'", "''"), '"': json.dumps(new, ensure_ascii=False)[1:-1],
                 "|": new, ">": new}
    changes = [(s, e, spellings[value.style]) for s, e in renamed] + [(s, e, "") for s, e in removed]
    yield _apply(block, changes)
    if value.style != "plain":
        return
    # A name a plain scalar cannot hold (`a: b`, `x #y`): quote the whole string, parts unchanged
    inner = block[value.start:value.end]
    for quote, spelling in (("'", spellings["'"]), ('"', spellings['"'])):
        if quote == "'" and "'" in inner or quote == '"' and ('"' in inner or "\\" in inner):
            continue
        changes = [(s, e, spelling) for s, e in renamed] + [(s, e, "") for s, e in removed]
        changes += [(value.start, value.start, quote), (value.end, value.end, quote)]
        yield _apply(block, changes)


def _unescape(raw: str, style: str) -> str:
    if style == "'":
        return raw.replace("''", "'")
    if style == '"' and "\\" in raw:
        loaded, errors = load_mapping(f'v: "{raw}"', "name", 1)
        return str(loaded.values.get("v", raw)) if not errors else raw
    return raw


# tags.yaml

def register_alias(text: str, old: str, new: str, *, rename: bool, old_path: str | None = None) -> str:
    """tags.yaml with `old` folded into `new`: `old` becomes an alias of `new`; on a rename, the
    entry of `old` moves to `new`, description and slug included; on a merge (or a rename onto a
    described tag), the aliases and old URLs of `old` join those of `new`.

    `old_path`: the old tag's URL path after /tags/ where it differs from its slug (a child tag
    with a slug of its own, under hierarchy): recorded as an old slug, which are paths.

    Raises SourceError when tags.yaml cannot say that (say, `old` has a description that a merge
    would lose) or would not read back as exactly that.
    """
    old, new = tag_name(old), tag_name(new)
    specs, aliases, errors = tag_registry(text)
    if errors:
        raise BuildError(errors)
    after, wanted = _registry_edits(text, specs, aliases, old, new, rename=rename, old_path=old_path)
    if after == text:
        return text
    specs_after, _, errors_after = tag_registry(after)
    if errors_after:
        raise SourceError(TAGS_FILE, f"after the change it would read: {errors_after[0].message}",
                          line=errors_after[0].line, hint=_HAND)
    if {k: replace(s, line=None) for k, s in specs_after.items()} != wanted:
        raise SourceError(TAGS_FILE, f"cannot record '{old}' as an alias of '{new}' without changing "
                          "more than that", hint=_HAND)
    return after


def _registry_edits(text: str, specs: dict[str, TagSpec], aliases: dict[str, str], old: str, new: str,
                    *, rename: bool, old_path: str | None) -> tuple[str, dict[str, TagSpec]]:
    wanted = {k: replace(s, line=None) for k, s in specs.items()}
    source, target = tag_key(old), aliases.get(tag_key(new), tag_key(new))
    moving, into = wanted.get(source), wanted.get(target)
    if source == target and moving is not None and tag_key(new) != source:
        # `new` is an alias of `old` (renamed the other way before): the two change places
        del wanted[source]
        kept = tuple(alias for alias in moving.aliases if tag_key(alias) != tag_key(new))
        wanted[tag_key(new)] = replace(moving, name=new, aliases=_plus(kept, [old], key=tag_key))
        text = _drop_from_list(_rename_entry(text, source, new), tag_key(new), "aliases", new)
        return _add_to_list(text, tag_key(new), "aliases", [old]), wanted
    if source == target:  # a respelling: the entry, if any, takes the new spelling
        if moving is None or moving.name == new or tag_name(moving.name) != old:
            return text, wanted
        wanted[target] = replace(moving, name=new)
        return _rename_entry(text, source, new), wanted
    if aliases.get(source) == target:  # done before: running it again changes nothing
        return text, wanted
    if source in aliases:
        owner = specs[aliases[source]]
        raise SourceError(TAGS_FILE, f"'{old}' is an alias of '{owner.name}': posts that write it are "
                          f"tagged '{owner.name}'", line=owner.line,
                          hint=f"rename '{owner.name}' instead, or take '{old}' out of its aliases first")
    if moving is None:
        spec = into or TagSpec(name=new)
        wanted[target] = replace(spec, aliases=_plus(spec.aliases, [old], key=tag_key))
        if into is None:
            return _append_entry(text, new, {"aliases": [old]}), wanted
        return _add_to_list(text, target, "aliases", [old]), wanted
    if moving.description and (into is not None or not rename):
        raise SourceError(TAGS_FILE, f"'{moving.name}' has a description of its own; merging it into "
                          f"'{new}' would lose it", line=specs[source].line,
                          hint=f"move what you want to keep to '{new}' and delete the description "
                               f"of '{moving.name}', then run this again")
    del wanted[source]
    if into is None and (rename or not moving.slug):  # the entry moves to the new name
        moved_slugs = [old_path] if moving.slug and old_path and old_path != moving.slug else []
        wanted[target] = replace(moving, name=new, aliases=_plus(moving.aliases, [old], key=tag_key),
                                 old_slugs=_plus(moving.old_slugs, moved_slugs, key=str))
        text = _add_to_list(_rename_entry(text, source, new), tag_key(new), "aliases", [old])
        return (_add_to_list(text, tag_key(new), "old_slugs", moved_slugs) if moved_slugs else text), wanted
    # The entry of `old` goes; its spellings and URLs join `new`'s
    spec = into or TagSpec(name=new)
    more_aliases = [*moving.aliases, old]
    more_slugs = [*moving.old_slugs, *([old_path or moving.slug] if moving.slug else [])]
    wanted[target] = replace(spec, aliases=_plus(spec.aliases, more_aliases, key=tag_key),
                             old_slugs=_plus(spec.old_slugs, more_slugs, key=str))
    text = _delete_entry(text, source)
    if into is None:
        fields = {"aliases": list(_plus((), more_aliases, key=tag_key))}
        if more_slugs:
            fields["old_slugs"] = list(_plus((), more_slugs, key=str))
        return _append_entry(text, new, fields), wanted
    text = _add_to_list(text, target, "aliases", more_aliases)
    return (_add_to_list(text, target, "old_slugs", more_slugs) if more_slugs else text), wanted


def _plus(names: tuple[str, ...], more: list[str], *, key: Callable[[str], str]) -> tuple[str, ...]:
    """The names, then those of `more` not among them yet."""
    result = list(names)
    for name in more:
        if key(name) not in {key(n) for n in result}:
            result.append(name)
    return tuple(result)


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def _entries(text: str) -> tuple[Written | None, dict[str, tuple[Written, Written]]]:
    root = outline(text.removeprefix("\ufeff")) if text.strip() else None
    if root is None or root.kind != "mapping":
        return root, {}
    shift = 1 if text.startswith("\ufeff") else 0
    pairs = {}
    for key, value in zip(root.items[::2], root.items[1::2], strict=True):
        pairs[tag_key(key.text)] = (_shifted(key, shift), _shifted(value, shift))
    return root, pairs


def _shifted(node: Written, by: int) -> Written:
    if not by:
        return node
    return replace(node, start=node.start + by, end=node.end + by, outer=node.outer + by,
                   items=tuple(_shifted(i, by) for i in node.items))


def _rename_entry(text: str, key: str, name: str) -> str:
    found, _ = _entries(text)[1][key]
    return text[:found.start] + yaml_scalar(name) + text[found.end:]


def _add_to_list(text: str, key: str, field: str, names: list[str]) -> str:
    """Add names to a field of an entry: `[a]` gets `, b`, `- a` lines get a `- b` line."""
    _, entry = _entries(text)[1][key]
    nl = _newline(text)
    pairs = list(zip(entry.items[::2], entry.items[1::2], strict=True)) if entry.kind == "mapping" else []
    field_key, value = next(((k, v) for k, v in pairs if k.text == field), (None, None))
    if value is None:
        line = f"{field}: [{', '.join(map(yaml_scalar, names))}]"
        if entry.kind == "mapping" and entry.style == "block":
            line_start = _line_start(text, entry.start)
            indent = text[line_start:entry.start]
            return text[:line_start] + f"{indent}{line}{nl}" + text[line_start:]
        if entry.kind == "mapping":  # {slug: x}
            close = entry.end - 1
            inner = text[entry.start + 1:close].strip()
            return text[:close] + (", " if inner else "") + line + text[close:]
        # `name:` with no fields: they go on the lines below it
        key_node = _entries(text)[1][key][0]
        indent = " " * (key_node.outer - _line_start(text, key_node.outer) + 2)
        if entry.kind == "scalar" and entry.start == entry.end:
            stop = _LINE_BREAK.search(text, entry.end)
            at = stop.end() if stop else len(text)
            prefix = "" if stop else nl
            return text[:at] + f"{prefix}{indent}{line}{nl}" + text[at:]
        return text[:entry.start] + "{" + line + "}" + text[entry.end:]
    if value.kind == "sequence" and value.style == "flow":
        close = value.end - 1
        inner = text[value.start + 1:close].strip()
        added = ", ".join(map(yaml_scalar, names))
        return text[:close] + (", " if inner else "") + added + text[close:]
    if value.kind == "sequence" and value.items:
        last = value.items[-1]
        dash = len(text[:last.outer].rstrip()) - 1
        indent = text[_line_start(text, dash):dash]
        stop = _LINE_BREAK.search(text, last.end) if text[last.end - 1] not in "\r\n" else None
        at = stop.end() if stop else (len(text) if text[last.end - 1] not in "\r\n" else last.end)
        prefix = nl if at == len(text) and not text.endswith(("\n", "\r")) else ""
        lines = "".join(f"{indent}- {yaml_scalar(n)}{nl}" for n in names)
        return text[:at] + prefix + lines + text[at:]
    written = [value.text] if value.kind == "scalar" and value.text.strip() else []
    listed = ", ".join(yaml_scalar(tag_name(n)) for n in [*written, *names])
    if value.kind == "scalar" and value.start == value.end and field_key is not None:  # `aliases:`
        colon = text.index(":", field_key.end)
        return text[:colon + 1] + f" [{listed}]" + text[colon + 1:]
    return text[:value.outer] + f"[{listed}]" + text[value.end:]


def _drop_from_list(text: str, key: str, field: str, name: str) -> str:
    """Take a name out of a field of an entry (`[a, b]`, `- a` lines, or a single name)."""
    _, entry = _entries(text)[1][key]
    pairs = list(zip(entry.items[::2], entry.items[1::2], strict=True)) if entry.kind == "mapping" else []
    value = next((v for k, v in pairs if k.text == field), None)
    if value is None:
        return text
    if value.kind == "scalar":
        return text[:value.outer] + "[]" + text[value.end:] if tag_key(value.text) == tag_key(name) else text
    fates = ["drop" if item.kind == "scalar" and tag_key(item.text) == tag_key(name) else "keep"
             for item in value.items]
    if value.style == "flow":
        runs = _dropped_runs([(item.outer, item.end) for item in value.items], fates)
        cuts = [_flow_removal(text, start, end, floor=value.start) for start, end in runs]
        return _apply(text, [(start, end, "") for start, end in cuts])
    if all(fate == "drop" for fate in fates):  # no `- ` line left: an empty list instead
        colon = text.index(":", next(k for k, v in pairs if v is value).end)
        end = _block_removal(text, value.items[-1], TAGS_FILE, 1)[1]
        return text[:colon + 1] + " []" + _newline(text) + text[end:]
    return _apply(text, [(*_block_removal(text, item, TAGS_FILE, 1), "")
                         for item, fate in zip(value.items, fates, strict=True) if fate == "drop"])


def _line_start(text: str, index: int) -> int:
    return max(text.rfind("\n", 0, index), text.rfind("\r", 0, index)) + 1


def _delete_entry(text: str, key: str) -> str:
    root, entries = _entries(text)
    name, value = entries[key]
    start = _line_start(text, name.outer)
    if root is None or root.style != "block" or text[start:name.outer].strip():
        raise SourceError(TAGS_FILE, f"cannot remove the entry '{name.text}' from this tags.yaml",
                          line=_line(text, name.outer), hint=_HAND)
    end = max(value.end, name.end)
    if text[end - 1] not in "\r\n":
        stop = _LINE_BREAK.search(text, end)
        end = stop.end() if stop else len(text)
    return text[:start] + text[end:]


def _append_entry(text: str, name: str, fields: dict[str, list[str]]) -> str:
    root, _ = _entries(text)
    if root is not None and (root.kind != "mapping" or root.style != "block"):
        raise SourceError(TAGS_FILE, f"cannot add an entry for '{name}' to this tags.yaml", line=1,
                          hint=_HAND)
    nl = _newline(text)
    separator = "" if not text or text.endswith(("\n", "\r")) else nl
    lines = "".join(f"  {field}: [{', '.join(map(yaml_scalar, names))}]{nl}"
                    for field, names in fields.items())
    return f"{text}{separator}{yaml_scalar(name)}:{nl}{lines}"


# The whole change

def plan_retag(config: Config, old: str, new: str, *, rename: bool) -> list[Edit]:
    """Every file that changes, with its text before and after; nothing is written.

    Raises SitegenError for a name that cannot be a tag, BuildError listing every file that
    cannot be edited (each located) or every problem the next build would have because of it.
    """
    old, new = _checked_names(config, old, new)
    edits: list[Edit] = []
    errors: list[SourceError] = []
    tags_after: dict[str, list[str]] = {}
    used = False
    for path in content_files(config):
        source = path.relative_to(config.root).as_posix()
        try:
            text = path.read_bytes().decode("utf-8")
            after, names_before, names = _retag(text, old, new, source)
        except UnicodeDecodeError:
            errors.append(ContentError(source, "is not valid UTF-8", line=1, hint="run sitegen check "
                                       "to see what is wrong, fix it, then run this again"))
            continue
        except SourceError as error:
            errors.append(error)
            continue
        used = used or any(tag_key(name) == tag_key(old) for name in names_before)
        tags_after[source] = names
        if after != text:
            edits.append(Edit(path, text, after))
    if errors:
        raise BuildError(errors)
    if not used and tag_key(old) not in config.tag_specs and tag_key(old) not in config.tag_aliases:
        raise SitegenError(f"no post uses the tag '{old}' and {TAGS_FILE} does not describe it\n"
                           "    hint: sitegen tags lists every tag with its spellings")
    registry = config.root / TAGS_FILE
    before = registry.read_bytes().decode("utf-8") if registry.is_file() else ""
    old_tag = tag_of(config, old) if config.tags.hierarchy else None
    after = register_alias(before, old, new, rename=rename, old_path=old_tag.slug if old_tag else None)
    if after != before:
        edits.append(Edit(registry, before, after, created=not registry.is_file()))
    specs, aliases, _ = tag_registry(after)
    _check_urls(replace(config, tag_specs=specs, tag_aliases=aliases), tags_after, new)
    return edits


def _checked_names(config: Config, old: str, new: str) -> tuple[str, str]:
    old, new = tag_name(old), tag_name(new)
    for name, role in ((old, "old"), (new, "new")):
        if not name:
            raise SitegenError(f"the {role} tag name is empty\n    hint: give a name with letters or digits")
        if not name.isprintable():
            raise SitegenError(f"the {role} tag name {name!r} has a control character\n"
                               "    hint: type the name without it")
    if old == new:
        raise SitegenError(f"'{old}' and '{new}' are the same name")
    if tag_of(config, new) is None:
        raise SitegenError(f"'{new}' has no letters or digits to make a URL from\n"
                           f"    hint: choose a name with letters or digits, or give it a slug in "
                           f"{TAGS_FILE} first: '{new}': {{slug: my-tag}}")
    return old, new


def _check_urls(config: Config, tags_after: dict[str, list[str]], new: str) -> None:
    """Refuse a change after which the new tag would share a URL with another tag, or a
    redirect would land on the other's page: the next build would reject it."""
    target = tag_of(config, new)
    assert target is not None  # _checked_names made sure
    pages: dict[str, dict[str, str]] = {}  # slug -> tag key -> where a post names it
    for source, names in sorted(tags_after.items()):
        for name in names:
            tag = tag_of(config, name)
            if tag is not None:
                pages.setdefault(tag.slug, {}).setdefault(tag.key, f"'{name}' in {source}")
    if target.key not in pages.get(target.slug, {}):
        return  # no post has it: no page
    others = [where for key, where in pages[target.slug].items() if key != target.key]
    if others:
        raise SitegenError(f"'{new}' would share the URL /tags/{target.slug}/ with the tag {others[0]}\n"
                           f"    hint: merge into that tag instead, or give '{new}' its own slug in "
                           f"{TAGS_FILE} first: '{new}': {{slug: {target.slug}-2}}")
    for key, spec in config.tag_specs.items():
        own = tag_of(config, spec.name)
        if own is None or own.key not in pages.get(own.slug, {}):
            continue  # a tag no post has gets no page and no redirects
        hierarchy = config.tags.hierarchy  # the redirects as taxonomy makes them
        prefix = own.slug.rsplit("/", 1)[0] + "/" if hierarchy and "/" in own.slug else ""
        found = [*spec.old_slugs, *(slugify(alias.rsplit("/", 1)[-1] if hierarchy else alias)
                                    for alias in spec.aliases)]
        for slug in {prefix + s for s in found}:
            landing = {k: w for k, w in pages.get(slug, {}).items() if k != key}
            if slug != own.slug and landing and target.key in (key, *landing):
                raise SitegenError(f"the old URL /tags/{slug}/ of '{spec.name}' would redirect over the "
                                   f"page of the tag {next(iter(landing.values()))}\n    hint: merge the "
                                   f"two tags, or give one of them its own slug in {TAGS_FILE}")


def write_edits(edits: list[Edit]) -> None:
    """Write every edit or none: each new text goes beside its file first, then all are moved
    into place; a file changed since it was read stops everything, and a failure part way puts
    back the files already moved."""
    staged: list[tuple[Edit, Path]] = []
    done: list[Edit] = []
    try:
        for edit in edits:
            temporary = edit.path.with_name(f".{edit.path.name}.retag")  # a dot: never read as content
            temporary.write_bytes(edit.after.encode("utf-8"))
            staged.append((edit, temporary))
            if not edit.created:
                shutil.copymode(edit.path, temporary)
        for edit in edits:
            current = edit.path.read_bytes() if edit.path.exists() else None
            if current != (None if edit.created else edit.before.encode("utf-8")):
                raise WriteError(f"{edit.path} changed while this ran; nothing was written\n"
                                 "    hint: run the command again")
        for edit, temporary in staged:
            os.replace(temporary, edit.path)
            done.append(edit)
    except OSError as exc:
        _undo(done, staged)
        raise WriteError(f"cannot write {exc.filename}: {exc.strerror}; nothing was changed") from exc
    except BaseException:
        _undo(done, staged)
        raise


def _undo(done: list[Edit], staged: list[tuple[Edit, Path]]) -> None:
    for edit in reversed(done):
        if edit.created:
            edit.path.unlink(missing_ok=True)
        else:
            edit.path.write_bytes(edit.before.encode("utf-8"))
    for _, temporary in staged:
        temporary.unlink(missing_ok=True)
