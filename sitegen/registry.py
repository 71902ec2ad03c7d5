"""tags.yaml, the tag registry: what the site owner says about each tag (its name, slug,
description, aliases and old slugs), read with located errors, and the one line of it that
makes spellings aliases of a tag. categories.yaml says the same of categories, read the same way;
authors.yaml of authors (a bio for a description, and links); an entry no post uses is a warning.

Imports errors, frontmatter, models, urls.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from sitegen.errors import ConfigError, ContentError, SourceError, did_you_mean
from sitegen.frontmatter import load_mapping
from sitegen.models import TagSpec
from sitegen.urls import is_safe_slug, is_safe_slug_path, slugify, tag_key, tag_name

TAGS_FILE = "tags.yaml"
CATEGORIES_FILE = "categories.yaml"
AUTHORS_FILE = "authors.yaml"
_NOUNS = {TAGS_FILE: "tag", CATEGORIES_FILE: "category", AUTHORS_FILE: "author"}
_TAG_KEYS = ("slug", "description", "aliases", "old_slugs")
_AUTHOR_KEYS = ("slug", "bio", "links", "aliases", "old_slugs")  # an author's description is a bio
_PLAIN = re.compile(r"[^\W_][\w .+#&/'-]*")  # then read back to be sure
_LINK = re.compile(r"(?:https?://[^\s/?#]+|mailto:)\S*")


def tag_registry(text: str, name: str = TAGS_FILE) -> tuple[dict[str, TagSpec], dict[str, str],
                                                             list[SourceError]]:
    """The entries of a tags.yaml text (or of the registry file `name`) by key, the alias map,
    and every problem in it."""
    noun = _NOUNS[name]
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    data, errors = load_mapping(text, name, 1)
    specs: dict[str, TagSpec] = {}
    for tag, value in data.values.items():
        line, col = data.key_lines[tag], data.positions[tag][1]
        fields = {} if value is None else value
        if not isinstance(fields, dict):
            errors.append(ConfigError(name, f"'{tag}' must map to slug: and "
                                      f"{'bio:' if noun == 'author' else 'description:'}",
                                      line=line, col=col, hint=f"{tag}: {{slug: {slugify(tag)}}}"))
            continue
        spec, spec_errors = _tag_spec(tag, fields, name, line, data.inner.get(tag, {}), noun)
        errors += spec_errors
        if spec is not None:
            specs[tag_key(tag)] = spec
    aliases, alias_errors = _alias_map(specs, name, noun)
    return specs, aliases, [ConfigError.of(e) for e in errors + alias_errors]


def alias_entry(name: str, aliases: list[str]) -> str:
    """The one line of tags.yaml that makes `aliases` spellings of the tag `name`, as
    `End of Life: {aliases: [End-of-Life]}`; names that YAML would read otherwise are quoted."""
    return f"{flow_scalar(name)}: {{aliases: [{', '.join(map(flow_scalar, aliases))}]}}"


def flow_scalar(name: str) -> str:
    """A name as a YAML flow scalar that reads back as itself: plain where it can be."""
    if not _PLAIN.fullmatch(name):
        return json.dumps(name, ensure_ascii=False)
    data, errors = load_mapping(f"a: [{name}]\nb: {name}", TAGS_FILE, 1)
    plain = not errors and data.values == {"a": [name], "b": name}
    return name if plain else json.dumps(name, ensure_ascii=False)


def _tag_spec(
    tag: str, fields: dict[object, object], name: str, line: int, places: dict[str, tuple[int, int]],
    noun: str,
) -> tuple[TagSpec | None, list[SourceError]]:
    """`places`: line and column of each field's key; a problem with a field is located there."""
    errors: list[SourceError] = []

    def error(key: str, message: str, hint: str | None = None) -> None:
        key_line, col = places.get(key, (line, None))
        errors.append(ConfigError(name, message, line=key_line, col=col, hint=hint))

    known = _AUTHOR_KEYS if noun == "author" else _TAG_KEYS
    for key in fields:
        if key not in known:
            error(str(key), f"unknown key '{key}' for {noun} '{tag}'",
                  did_you_mean(str(key), known, "known keys: " + ", ".join(known)))
    about = "bio" if noun == "author" else "description"
    slug, description = fields.get("slug"), fields.get(about, "")
    if slug is not None and (not isinstance(slug, str) or not is_safe_slug(slug)):
        error("slug", f"slug of '{tag}' must be lowercase letters, digits and dashes, got {slug!r}",
              f"slug: {slugify(str(slug)) or f'my-{noun}'}")
    if not isinstance(description, str):
        error(about, f"{about} of '{tag}' must be text")
    links = fields.get("links", [])
    links = [links] if isinstance(links, str) else links
    if not isinstance(links, list) or not all(isinstance(v, str) and _LINK.fullmatch(v.strip())
                                              for v in links):
        error("links", f"links of '{tag}' must be a list of addresses, got {links!r}",
              "links: [https://example.social/@me, mailto:me@example.net]")
        links = []
    lists = {}
    for key in ("aliases", "old_slugs"):
        value = fields.get(key, [])
        value = [value] if isinstance(value, str) else value
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            error(key, f"{key} of '{tag}' must be a list of names", f"{key}: [old name]")
            value = []
        lists[key] = tuple(tag_name(v) for v in value)
    for old in lists["old_slugs"]:
        if not is_safe_slug_path(old):
            suggestion = "/".join(filter(None, map(slugify, old.split("/")))) or "old-slug"
            error("old_slugs", f"old slug {old!r} of '{tag}' is not a slug, nor slugs joined by '/'",
                  f"old_slugs: [{suggestion}]")
    if errors:
        return None, errors
    shown = " ".join(tag.split()) if noun == "author" else tag_name(tag)  # "Jr." keeps its full stop
    return TagSpec(name=shown, slug=slug if isinstance(slug, str) else None,
                   description=str(description), line=line, links=tuple(v.strip() for v in links),
                   aliases=lists["aliases"], old_slugs=lists["old_slugs"]), []


def _alias_map(specs: dict[str, TagSpec], name: str, noun: str) -> tuple[dict[str, str], list[SourceError]]:
    """Alias spelling (as a key) -> the key of the term it means; clashes are errors."""
    aliases: dict[str, str] = {}
    errors: list[SourceError] = []
    for key, spec in specs.items():
        for alias in spec.aliases:
            alias_key = tag_key(alias)
            other = aliases.get(alias_key) or (alias_key if alias_key in specs else None)
            if other is not None and other != key:
                errors.append(ConfigError(name, f"alias '{alias}' of '{spec.name}' is also "
                                          f"'{specs[other].name}'", line=spec.line,
                                          hint=f"an alias may mean one {noun} only"))
            elif alias_key != key:
                aliases[alias_key] = key
    return aliases, errors


def unused_entries(specs: Mapping[str, TagSpec], used: set[str], registry: str, noun: str,
                   hierarchy: bool) -> list[SourceError]:
    """A warning for each entry of a registry that no post uses, or that can have no URL."""
    warnings: list[SourceError] = []
    for key, spec in sorted(specs.items()):
        own = spec.name.rsplit("/", 1)[-1] if hierarchy else spec.name
        if not spec.slug and not slugify(own):  # posts with it failed: they say so, and why
            warnings.append(ContentError(
                registry, f"{noun} '{spec.name}' has no letters or digits to make a URL from",
                line=spec.line, hint=f"give it a slug: '{spec.name}': {{slug: my-{noun}}}"))
        elif key not in used:
            warnings.append(ContentError(
                registry, f"{noun} '{spec.name}' is described but no post uses it",
                line=spec.line, hint="remove the entry, or tag a post with it" if noun == "tag" else
                f"remove the entry, or give a post this {noun}"))
    return warnings
