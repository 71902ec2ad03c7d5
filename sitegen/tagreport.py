"""Tag hygiene: every tag with its counts and spellings, and pairs that are likely the same tag.

Pure, after the site stage. Imports config (a tags.yaml line to suggest), models, urls.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sitegen.models import Site, Tag
from sitegen.registry import TAGS_FILE, alias_entry
from sitegen.urls import slugify, tag_key


@dataclass(frozen=True, slots=True)
class TagRow:
    tag: Tag
    count: int
    spellings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Suspect:
    """Two spellings or two tags that probably mean the same thing."""

    names: tuple[str, ...]
    reason: str


def tag_rows(site: Site) -> list[TagRow]:
    return [TagRow(t, len(site.posts_by_tag[t.key]), site.spellings[t.key]) for t in site.tags]


def category_rows(site: Site) -> list[TagRow]:
    return [TagRow(c, len(site.posts_by_category[c.key]), site.category_spellings[c.key])
            for c in site.categories]


def near_duplicates(site: Site) -> list[Suspect]:
    """Spellings of one tag (case variants; spellings apart that share a slug, with the tags.yaml
    line that settles them), and different tags one plural, punctuation or edit apart.

    Spellings that tags.yaml lists as aliases are settled: they are not flagged again.
    """
    aliases = site.config.tag_aliases
    suspects: list[Suspect] = []
    for tag in site.tags:
        spec = site.config.tag_specs.get(tag.key)
        aliased = {slugify(alias) for alias in (spec.aliases if spec else ())}
        unsettled = tuple(s for s in site.spellings[tag.key] if tag_key(s) not in aliases
                          and (tag_key(s) == tag_key(tag.name) or slugify(s) not in aliased))
        apart: dict[str, str] = {}  # one spelling for each other key: the build warns about them
        for spelling in unsettled:
            if tag_key(spelling) != tag_key(tag.name):
                apart.setdefault(tag_key(spelling), spelling)
        if apart:
            settle = (f"add {', '.join(map(repr, apart.values()))} to its aliases in {TAGS_FILE}"
                      if spec is not None else
                      f"{TAGS_FILE}: {alias_entry(tag.name, list(apart.values()))}")
            suspects.append(Suspect(unsettled, f"one tag, spelled apart; to settle it, {settle}"))
        elif len(unsettled) > 1:
            suspects.append(Suspect(unsettled, "same tag, spelled differently"))
    loose = {t.key: t.slug.replace("-", "") for t in site.tags}
    by_name = {t.key: t.name for t in site.tags}
    pairs: dict[tuple[str, str], str] = {}
    groups: dict[str, list[str]] = defaultdict(list)
    for key, form in loose.items():
        groups[form].append(key)
    for keys in groups.values():
        for a, b in _pairs(sorted(keys)):
            pairs[(a, b)] = "differ only in spaces or punctuation"
    for key, form in loose.items():
        for plural in _plurals(form):
            for other in groups.get(plural, []):
                if tuple(sorted((key, other))) not in pairs:
                    pairs[(key, other)] = "singular and plural"  # the singular first
    for a, b in _one_edit_apart(loose):
        if (b, a) not in pairs:
            pairs.setdefault((a, b), "one letter apart")
    ordered = sorted(pairs.items(), key=lambda item: sorted(item[0]))
    suspects += [Suspect((by_name[a], by_name[b]), reason) for (a, b), reason in ordered]
    return suspects


def _plurals(form: str) -> list[str]:
    """English plurals of a slug: llm -> llms, box -> boxes, policy -> policies (not day -> daies)."""
    plurals = [form + "s", form + "es"]
    if len(form) > 2 and form.endswith("y") and form[-2] not in "aeiou":
        plurals.append(form[:-1] + "ies")
    return plurals


def _pairs(keys: list[str]) -> list[tuple[str, str]]:
    return [(a, b) for i, a in enumerate(keys) for b in keys[i + 1 :]]


def _one_edit_apart(loose: dict[str, str]) -> set[tuple[str, str]]:
    """Pairs within one insertion, deletion or substitution, found through deletion variants."""
    variants: dict[str, set[str]] = defaultdict(set)
    for key, form in loose.items():
        if len(form) < 4:  # "go"/"js" and "c"/"r" are different tags more often than not
            continue
        variants[form].add(key)
        for i in range(len(form)):
            variants[form[:i] + "\x00" + form[i + 1 :]].add(key)  # substitution
            variants[form[:i] + form[i + 1 :]].add(key)  # deletion
    found: set[tuple[str, str]] = set()
    for keys in variants.values():
        for a, b in _pairs(sorted(keys)):
            if loose[a] != loose[b]:
                found.add((a, b))
    return found
