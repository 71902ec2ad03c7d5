"""Rename and merge tags in the sources: every post's front matter, then tags.yaml.

Edits keep every other byte of each file (comments, key order, quoting, line ends). The pure
functions take and return text; `plan_retag` reads the files and returns the edits to make.
Edge module beside cli: imports config, errors, frontmatter, models, parser, urls.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from sitegen.config import TAGS_FILE
from sitegen.errors import SitegenError
from sitegen.frontmatter import Span, YAMLError, load_mapping, value_spans
from sitegen.models import Config
from sitegen.parser import content_files
from sitegen.urls import tag_key

_FRONT_MATTER = re.compile(r"\A(\ufeff?---[ \t]*\r?\n)(.*?\r?\n)(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
_PLAIN = re.compile(r"[A-Za-z0-9À-￿][\w .+#&/'-]*")


@dataclass(frozen=True, slots=True)
class Edit:
    path: Path
    before: str
    after: str


def yaml_scalar(text: str) -> str:
    """A tag name as YAML that reads back as exactly that name, inside [..] lists too."""
    if _PLAIN.fullmatch(text):
        loaded, errors = load_mapping(f"a: [{text}]\nb: {text}", "name", 1)
        if not errors and loaded.values == {"a": [text], "b": text}:
            return text
    return json.dumps(text, ensure_ascii=False)


def retag_post(text: str, old: str, new: str) -> str:
    """The post with tag `old` renamed to `new` (or dropped, when it already has `new`)."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return text
    offset, block = match.end(1), match.group(2)
    spans = value_spans(block).get("tags")
    if spans is None:
        return text
    _, value, items = spans
    respell = tag_key(old) == tag_key(new)  # "git" -> "Git": one tag, a new spelling

    def matches(name: str) -> bool:
        return " ".join(name.split()) == old if respell else tag_key(name) == tag_key(old)

    if value.style in ("plain", "quoted"):
        names = [n.strip() for n in str(value.value).split(",") if n.strip()]
        if not any(matches(n) for n in names):
            return text
        renamed: list[str] = []
        for name in (new if matches(n) else n for n in names):
            if tag_key(name) not in {tag_key(r) for r in renamed}:
                renamed.append(name)
        replacement = yaml_scalar(", ".join(renamed))
        return text[: offset + value.start] + replacement + text[offset + value.end:]
    has_new = not respell and any(tag_key(str(i.value)) == tag_key(new) for i in items)
    edited = block
    for item in sorted(items, key=lambda i: -i.start):  # from the end, so offsets stay valid
        if not matches(str(item.value)):
            continue
        if has_new:
            edited = _remove_item(edited, item, value.style)
        else:
            edited = edited[: item.start] + yaml_scalar(new) + edited[item.end:]
            has_new = True
    return text[:offset] + edited + text[offset + len(block):]


def _remove_item(block: str, item: Span, style: str) -> str:
    if style == "block":  # the whole "- name" line
        start = block.rfind("\n", 0, item.start) + 1
        end = block.find("\n", item.end)
        return block[:start] + block[end + 1 if end >= 0 else len(block):]
    after = re.match(r"\s*,\s*", block[item.end:])
    if after:
        return block[: item.start] + block[item.end + after.end():]
    before = re.search(r",\s*$", block[: item.start])
    start = before.start() if before else item.start
    return block[:start] + block[item.end:]


def register_alias(text: str, old: str, new: str, *, rename: bool) -> str:
    """tags.yaml with `old` recorded as an alias of `new` (its entry renamed, on a rename)."""
    spans = value_spans(text) if text.strip() else {}
    by_key = {tag_key(name): (name, found) for name, found in spans.items()}
    old_entry, new_entry = by_key.get(tag_key(old)), by_key.get(tag_key(new))
    if old_entry and (new_entry or not rename):
        raise SitegenError(
            f"{TAGS_FILE} describes '{old_entry[0]}' and '{new}' separately\n"
            f"    hint: merge the two entries of {TAGS_FILE} by hand, then run this again")
    if old_entry and rename:  # the entry moves to the new name, then takes the alias
        key_span = old_entry[1][0]
        text = text[: key_span.start] + yaml_scalar(new) + text[key_span.end:]
        return register_alias(text, old, new, rename=rename)
    if new_entry is None:
        separator = "" if not text or text.endswith("\n") else "\n"
        return f"{text}{separator}{yaml_scalar(new)}:\n  aliases: [{yaml_scalar(old)}]\n"
    _, value, items = new_entry[1]
    return _add_alias(text, value, items, old)


def _add_alias(text: str, entry: Span, fields: tuple[Span, ...], alias: str) -> str:
    pairs = dict(zip(fields[::2], fields[1::2], strict=True))
    for key, value in pairs.items():
        if key.value != "aliases":
            continue
        existing = value_spans(text[entry.start:entry.end]) if entry.style == "mapping" else {}
        names = [str(i.value) for i in existing.get("aliases", (None, None, ()))[2]]
        if value.style in ("plain", "quoted"):
            names = [str(value.value)]
        if tag_key(alias) in {tag_key(n) for n in names}:
            return text
        if value.style == "flow":
            close = text.rindex("]", value.start, value.end)
            inner = text[value.start + 1: close].strip()
            return text[:close] + (", " if inner else "") + yaml_scalar(alias) + text[close:]
        if value.style == "block":
            line_start = text.rfind("\n", 0, value.start) + 1
            indent = text[line_start: value.start]
            return text[: value.end] + f"{indent}- {yaml_scalar(alias)}\n" + text[value.end:]
        listed = ", ".join(yaml_scalar(n) for n in [*names, alias])
        return text[: value.start] + f"[{listed}]" + text[value.end:]
    line = f"aliases: [{yaml_scalar(alias)}]"
    if entry.style == "null":
        return text[: entry.start] + f"\n  {line}" + text[entry.end:]
    if entry.style == "flow":
        close = text.rindex("}", entry.start, entry.end)
        inner = text[entry.start + 1: close].strip()
        return text[:close] + (", " if inner else "") + line + text[close:]
    line_start = text.rfind("\n", 0, entry.start) + 1
    indent = text[line_start: entry.start]
    return text[:line_start] + f"{indent}{line}\n" + text[line_start:]


def plan_retag(config: Config, old: str, new: str, *, rename: bool) -> list[Edit]:
    """Every file that changes, with its text before and after; nothing is written."""
    if old == new:
        raise SitegenError(f"'{old}' and '{new}' are the same name")
    edits: list[Edit] = []
    broken: list[str] = []
    for path in content_files(config):
        raw = path.read_bytes().decode("utf-8", errors="replace")
        try:
            after = retag_post(raw, old, new)
        except YAMLError:  # unreadable front matter: name the file, change nothing
            broken.append(path.relative_to(config.root).as_posix())
            continue
        if after != raw:
            edits.append(Edit(path, raw, after))
    if broken:
        raise SitegenError("cannot read the front matter of " + ", ".join(broken) +
                           "\n    hint: run sitegen check to see what is wrong, fix it, then run this again")
    registry = config.root / TAGS_FILE
    before = registry.read_text(encoding="utf-8") if registry.is_file() else ""
    if tag_key(old) != tag_key(new) and (edits or before):
        after = register_alias(before, old, new, rename=rename)
        if after != before:
            edits.append(Edit(registry, before, after))
    return edits
