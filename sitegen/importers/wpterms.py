"""The tags and categories of an export, written as tags.yaml and categories.yaml: each term's
display name, its WordPress slug (so /tag/<slug>/ keeps its address), its description and, for
a category, its parents (`Parent/Child`, with the child's own slug, and that slug alone as an
old slug: WordPress answers /category/child/ with the nested address).

Pure. Imports errors, registry (YAML scalars as tags.yaml reads them), urls, wxr.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from sitegen.errors import SourceError
from sitegen.importers.wxr import Export, Item, Term
from sitegen.registry import flow_scalar
from sitegen.urls import is_safe_slug, slug_segment, slugify, tag_key

CATEGORIES_FILE = "categories.yaml"
_NOUNS = {"post_tag": ("tag", "Tags", "/tag/"), "category": ("category", "Categories", "/category/")}


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Every term of the export (declared, or named by an item only) by taxonomy and slug."""

    export: str
    terms: Mapping[tuple[str, str], Term]
    by_name: Mapping[tuple[str, str], Term]  # (taxonomy, tag key of the name) -> term
    hierarchy: bool = False
    warnings: tuple[SourceError, ...] = ()

    def names(self, item: Item, taxonomy: str) -> tuple[str, ...]:
        """The display names (categories: with their parents when nested) of an item's terms."""
        found: list[str] = []
        for domain, slug, name in item.terms:
            term = self.terms.get((taxonomy, slug)) or self.by_name.get((taxonomy, tag_key(name)))
            if domain == taxonomy and term is not None and self.full_name(term) not in found:
                found.append(self.full_name(term))
        return tuple(found)

    def full_name(self, term: Term) -> str:
        if term.taxonomy != "category" or not self.hierarchy:
            return term.name
        names, seen = [term.name.replace("/", "\u2215")], {term.slug}
        parent = self.terms.get(("category", term.parent)) if term.parent else None
        while parent is not None and parent.slug not in seen:
            names.insert(0, parent.name.replace("/", "\u2215"))
            seen.add(parent.slug)
            parent = self.terms.get(("category", parent.parent)) if parent.parent else None
        return "/".join(names)

    def slug_path(self, term: Term) -> str:
        """Where the term's archive is below /tag/ or /category/: `parent/child` for nested categories."""
        if term.taxonomy != "category" or not self.hierarchy:
            return term.slug  # a tag's name may hold '/' (GNU/Linux): it nests nothing
        full = self.full_name(term).split("/")
        chain = [term]
        while len(chain) < len(full):
            chain.insert(0, self.terms["category", chain[0].parent])
        return "/".join(t.slug for t in chain)

    def entries(self, taxonomy: str, used: Counter[str]) -> list[TermEntry]:
        """The registry's entries: one for each spelling of a term (WordPress may hold "News" twice),
        written for those a post or page uses (and each parent of one)."""
        terms = sorted({t.slug: t for (kind, _), t in self.terms.items() if kind == taxonomy}.values(),
                       key=lambda t: (self.full_name(t).casefold(), t.slug))
        needed = set(used)
        for term in terms:  # a nested category's parents have pages of their own
            if self.full_name(term) in used and "/" in self.full_name(term):
                parts = self.full_name(term).split("/")
                needed.update("/".join(parts[:n]) for n in range(1, len(parts)))
        groups: dict[str, list[Term]] = {}
        for term in terms:
            groups.setdefault(tag_key(self.full_name(term)), []).append(term)
        made = []
        for group in groups.values():
            main = max(group, key=lambda t: used.get(self.full_name(t), 0))
            others = tuple(t for t in group if t is not main)
            made.append(TermEntry(main, others, tuple(self.slug_path(t) for t in others),
                              any(self.full_name(t) in needed for t in group)))
        if taxonomy != "category" or not self.hierarchy:
            return made
        # a child's own slug, its short address: no other category has it, as slugs are unique
        return [replace(e, old_paths=(*e.old_paths, *(t.slug for t in (e.term, *e.others)
                                                      if "/" in self.slug_path(t))))
                for e in made]

    def addresses(self, taxonomy: str, used: Counter[str]) -> dict[str, str]:
        """Each old archive path below /tag/ or /category/ (the nested path, a child's own slug,
        another spelling's slug) -> the path of the archive that shows it now."""
        return {old: self.slug_path(e.term) for e in self.entries(taxonomy, used) if e.written
                for old in (self.slug_path(e.term), *e.old_paths)}

    def registry(self, taxonomy: str, used: Counter[str]) -> str:
        """tags.yaml or categories.yaml: an entry for each term a post or page uses (and each parent
        of one); the others as comments, their descriptions kept."""
        _, plural, prefix = _NOUNS[taxonomy]
        lines = [f"# {plural} from the WordPress export: each keeps its old address, {prefix}<slug>/."]
        if taxonomy == "category" and self.hierarchy:
            lines.append(f"# A nested one's old_slugs hold its own slug: WordPress answered {prefix}<slug>/ "
                         "for it as well.")
        unused: list[str] = []
        for made in self.entries(taxonomy, used):
            entry = self._entry(made)
            if made.written:
                lines += entry
            else:
                unused.append(f"# {entry[0]} " + "{" + ", ".join(line.strip() for line in entry[1:]) + "}")
        if unused:
            lines.append(f"# {plural} no post uses (WordPress showed no page for them); "
                         "uncomment one to keep it:")
            lines += unused
        return "\n".join(lines) + "\n"

    def _entry(self, made: TermEntry) -> list[str]:
        term = made.term
        entry = [f"{flow_scalar(self.full_name(term))}:", f"  slug: {flow_scalar(term.slug)}"]
        if term.description:
            entry.append(f"  description: {json.dumps(term.description, ensure_ascii=False)}")
        spellings = sorted({self.full_name(t) for t in made.others} - {self.full_name(term)})
        if spellings:
            entry.append(f"  aliases: [{', '.join(map(flow_scalar, spellings))}]")
        if made.old_paths:
            entry.append(f"  old_slugs: [{', '.join(map(flow_scalar, made.old_paths))}]")
        return entry


@dataclass(frozen=True, slots=True)
class TermEntry:
    """One entry of tags.yaml or categories.yaml."""

    term: Term
    others: tuple[Term, ...]  # other spellings of it
    old_paths: tuple[str, ...]  # its old_slugs: the other spellings' paths, a child's own slug
    written: bool  # False: a post uses none of its spellings, and it is written as a comment


def vocabulary(export: Export) -> Vocabulary:
    """The export's terms, declared ones first, slugs percent-decoded and checked; categories are
    nested when any declared one has a parent the export also declares."""
    warnings: list[SourceError] = []
    terms: dict[tuple[str, str], Term] = {}
    by_name: dict[tuple[str, str], Term] = {}
    named = {(kind, tag_key(name)): slug for item in export.items for kind, slug, name in item.terms}

    def add(term: Term, *written: str) -> None:
        term = _usable(term, export.path, len(terms) + 1, warnings)
        for slug in (term.slug, *written):
            terms.setdefault((term.taxonomy, slug), term)
        by_name.setdefault((term.taxonomy, tag_key(term.name)), term)

    for term in export.terms:
        if term.name.strip() or term.slug:
            used = named.get((term.taxonomy, tag_key(term.name)), term.slug)
            # posts link to it by another slug: that one is its address
            add(replace(term, slug=used) if not _fits(term.slug) and _fits(used) else term)
    for item in export.items:
        for kind, slug, name in item.terms:
            known = (kind, slug) in terms or (kind, tag_key(name)) in by_name
            if kind in _NOUNS and not known and (name.strip() or slug):
                add(Term(taxonomy=kind, slug=slug, name=name.strip() or slug, line=item.line), slug)
    hierarchy = any(t.taxonomy == "category" and t.parent and ("category", t.parent) in terms
                    for t in terms.values())
    if hierarchy:
        for term in {t.slug: t for (kind, _), t in terms.items() if kind == "category"}.values():
            if "/" in term.name:
                warnings.append(SourceError(
                    export.path, f"category {term.name!r} holds '/', which separates nested categories; "
                    "it is written with a division slash (\u2215)", line=term.line,
                    hint=f"rename it in {CATEGORIES_FILE} and the posts if you prefer another character"))
    return Vocabulary(export.path, terms, by_name, hierarchy, tuple(warnings))


def _usable(term: Term, export: str, number: int, warnings: list[SourceError]) -> Term:
    """The term with a slug a URL can hold: WordPress's own (lowercase letters, digits, dashes,
    in any script), or else one made from its name, with a warning."""
    slug = term.slug.strip()
    if _fits(slug):
        return replace(term, slug=slug, name=term.name.strip() or slug)
    noun, _, prefix = _NOUNS[term.taxonomy]
    made = slugify(term.name) or f"{noun}-{number}"
    warnings.append(SourceError(
        export, f"{noun} {term.name!r} has the slug {slug!r}, which no URL can hold; it gets {made!r}",
        line=term.line, hint=f"its old address {prefix}{slug}/ is not kept"))
    return replace(term, slug=made, name=term.name.strip() or made)


def _fits(slug: str) -> bool:
    """Whether a WordPress slug can be a URL's: lowercase letters, digits and dashes, any script."""
    return bool(slug) and (is_safe_slug(slug) or slug_segment(slug) == slug)


def used_names(names: Iterable[tuple[str, ...]]) -> Counter[str]:
    return Counter(name for group in names for name in group)
