"""Record a renamed or merged tag in tags.yaml: the old name becomes an alias of the new one,
and an entry moves, keeping every other byte of the file.

Pure. Imports config, errors, frontmatter, models, tagedit, urls.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from sitegen.errors import BuildError, ConfigError
from sitegen.frontmatter import Written, outline
from sitegen.models import TagSpec
from sitegen.registry import TAGS_FILE, tag_registry
from sitegen.tagedit import (
    BY_HAND,
    LINE_BREAK,
    apply_changes,
    block_removal,
    dropped_runs,
    flow_removal,
    line_of,
    yaml_scalar,
)
from sitegen.urls import tag_key, tag_name


def register_alias(text: str, old: str, new: str, *, rename: bool, old_path: str | None = None) -> str:
    """tags.yaml with `old` folded into `new`: `old` becomes an alias of `new`; on a rename, the
    entry of `old` moves to `new`, description and slug included; on a merge (or a rename onto a
    described tag), the aliases and old URLs of `old` join those of `new`.

    `old_path`: the old tag's URL path after /tags/ where it differs from its slug (a child tag
    with a slug of its own, under hierarchy): recorded as an old slug, which are paths.

    Raises ConfigError, located in tags.yaml, when tags.yaml cannot say that (say, `old` has a
    description that a merge would lose) or would not read back as exactly that.
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
        raise ConfigError(TAGS_FILE, f"after the change it would read: {errors_after[0].message}",
                          line=errors_after[0].line, hint=BY_HAND)
    if {k: replace(s, line=None) for k, s in specs_after.items()} != wanted:
        raise ConfigError(TAGS_FILE, f"cannot record '{old}' as an alias of '{new}' without changing "
                          "more than that", hint=BY_HAND)
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
        raise ConfigError(TAGS_FILE, f"'{old}' is an alias of '{owner.name}': posts that write it are "
                          f"tagged '{owner.name}'", line=owner.line,
                          hint=f"rename '{owner.name}' instead, or take '{old}' out of its aliases first")
    if moving is None:
        spec = into or TagSpec(name=new)
        wanted[target] = replace(spec, aliases=_plus(spec.aliases, [old], key=tag_key))
        if into is None:
            return _append_entry(text, new, {"aliases": [old]}), wanted
        return _add_to_list(text, target, "aliases", [old]), wanted
    if moving.description and (into is not None or not rename):
        raise ConfigError(TAGS_FILE, f"'{moving.name}' has a description of its own; merging it into "
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
            stop = LINE_BREAK.search(text, entry.end)
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
        stop = LINE_BREAK.search(text, last.end) if text[last.end - 1] not in "\r\n" else None
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
        runs = dropped_runs([(item.outer, item.end) for item in value.items], fates)
        cuts = [flow_removal(text, start, end, floor=value.start) for start, end in runs]
        return apply_changes(text, [(start, end, "") for start, end in cuts])
    if all(fate == "drop" for fate in fates):  # no `- ` line left: an empty list instead
        colon = text.index(":", next(k for k, v in pairs if v is value).end)
        end = block_removal(text, value.items[-1], TAGS_FILE, 1)[1]
        return text[:colon + 1] + " []" + _newline(text) + text[end:]
    return apply_changes(text, [(*block_removal(text, item, TAGS_FILE, 1), "")
                         for item, fate in zip(value.items, fates, strict=True) if fate == "drop"])


def _line_start(text: str, index: int) -> int:
    return max(text.rfind("\n", 0, index), text.rfind("\r", 0, index)) + 1


def _delete_entry(text: str, key: str) -> str:
    root, entries = _entries(text)
    name, value = entries[key]
    start = _line_start(text, name.outer)
    if root is None or root.style != "block" or text[start:name.outer].strip():
        raise ConfigError(TAGS_FILE, f"cannot remove the entry '{name.text}' from this tags.yaml",
                          line=line_of(text, name.outer), hint=BY_HAND)
    end = max(value.end, name.end)
    if text[end - 1] not in "\r\n":
        stop = LINE_BREAK.search(text, end)
        end = stop.end() if stop else len(text)
    return text[:start] + text[end:]


def _append_entry(text: str, name: str, fields: dict[str, list[str]]) -> str:
    root, _ = _entries(text)
    if root is not None and (root.kind != "mapping" or root.style != "block"):
        raise ConfigError(TAGS_FILE, f"cannot add an entry for '{name}' to this tags.yaml", line=1,
                          hint=BY_HAND)
    nl = _newline(text)
    separator = "" if not text or text.endswith(("\n", "\r")) else nl
    lines = "".join(f"  {field}: [{', '.join(map(yaml_scalar, names))}]{nl}"
                    for field, names in fields.items())
    return f"{text}{separator}{yaml_scalar(name)}:{nl}{lines}"
