"""Stage 2, tags and categories: what each name written in front matter means, and one Tag per
meaning.

The one owner of a term's identity (its key, tags.yaml aliases followed), display name, slug,
parent and URL, computed once from the names as written. Written for any taxonomy: a
`Vocabulary` says what differs between two (tags, categories, authors). Pure. Imports errors,
models, markup (descriptions), registry (a tags.yaml line to suggest), urls, hugourls.
"""

from __future__ import annotations

import functools
import operator
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from sitegen.errors import ContentError, SourceError
from sitegen.hugourls import hugo_term_slug
from sitegen.markup import render
from sitegen.models import EPOCH, Config, Post, Tag, TagSpec
from sitegen.registry import AUTHORS_FILE, CATEGORIES_FILE, TAGS_FILE, alias_entry, unused_entries
from sitegen.urls import AUTHOR_PERMALINK, base_path, slugify, tag_key, tag_url


class Use(NamedTuple):  # a tuple: one is made for every tag of every post, each build
    """One name a post writes: the term it means, the name (spaces around '/' made single under
    hierarchy) and its place in the front matter."""

    key: str
    name: str
    place: tuple[int, int]


@dataclass(frozen=True, slots=True, kw_only=True)
class Vocabulary:
    """What one taxonomy is made of: its settings, its registry and its URLs. Each distinct
    spelling is worked out once per build, however many posts write it."""

    noun: str  # "tag"
    plural: str  # "tags"
    registry: str  # the file that describes the terms
    written: Callable[[Post], tuple[tuple[str, ...], tuple[tuple[int, int], ...]]]  # names and places
    hierarchy: bool
    specs: Mapping[str, TagSpec]
    aliases: Mapping[str, str]
    url: Callable[[str], str]
    # A term's own slug from its name: sitegen's, or Hugo's under its key names (tags:, categories:)
    slug: Callable[[str], str]
    base_path: str
    min_posts: int
    # worked out once per build: what each spelling means, the levels of each use, the registry's slugs
    _meanings: dict[str, tuple[str, str] | None] = field(default_factory=dict, repr=False, compare=False)
    _levels_of: dict[tuple[str, str], list[tuple[str, str]]] = field(default_factory=dict, repr=False)
    _registered: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def tags(cls, config: Config) -> Vocabulary:
        return cls(noun="tag", plural="tags", registry=TAGS_FILE,
                   written=operator.attrgetter("tag_names", "tag_places"), hierarchy=config.tags.hierarchy,
                   specs=config.tag_specs, aliases=config.tag_aliases,
                   url=functools.partial(tag_url, pattern=config.permalinks.tag),
                   slug=hugo_term_slug if "tag" in config.permalinks.hugo else slugify,
                   base_path=base_path(config.base_url), min_posts=config.tags.min_posts)

    @classmethod
    def categories(cls, config: Config) -> Vocabulary:
        return cls(noun="category", plural="categories", registry=CATEGORIES_FILE,
                   written=operator.attrgetter("category_names", "category_places"),
                   hierarchy=config.categories.hierarchy, specs=config.category_specs,
                   aliases=config.category_aliases,
                   url=functools.partial(tag_url, pattern=config.permalinks.category),
                   slug=hugo_term_slug if "category" in config.permalinks.hugo else slugify,
                   base_path=base_path(config.base_url), min_posts=config.categories.min_posts)

    @classmethod
    def authors(cls, config: Config) -> Vocabulary:  # written author: (else the site's author)
        return cls(noun="author", plural="authors", registry=AUTHORS_FILE,
                   written=operator.attrgetter("author_names", "author_places"), hierarchy=False,
                   specs=config.author_specs, aliases=config.author_aliases,
                   url=functools.partial(tag_url, pattern=AUTHOR_PERMALINK), slug=slugify,
                   base_path=base_path(config.base_url), min_posts=1)

    def lineage(self, key: str) -> list[str]:
        """The term and, with hierarchy on, each of its ancestors: "ai/llm" -> ["ai/llm", "ai"]."""
        keys = [key]
        while self.hierarchy and (parent := self.parent(keys[-1])) is not None:
            keys.append(parent)
        return keys

    def parent(self, key: str) -> str | None:
        """The key of the term above, with hierarchy: what the levels above mean, as for any
        spelling ("AI!/llm" in the registry is under the term of "ai")."""
        if not self.hierarchy or "/" not in key:
            return None
        spec = self.specs.get(key)
        above = self._identity(self.name(spec.name).split("/")[:-1]) if spec is not None else None
        return above or key.rsplit("/", 1)[0]

    def name(self, spelling: str) -> str:
        """A spelling as a term's name: with hierarchy, each level's spaces made single."""
        if not self.hierarchy:
            return spelling
        return "/".join(" ".join(segment.split()) for segment in spelling.split("/"))

    def key(self, spelling: str) -> str | None:
        """The key of the term a spelling (urls.tag_name clean) means, aliases followed; None when
        it, or a level above it, has no letters or digits to make a URL from."""
        meaning = self._meaning(spelling)
        return meaning[0] if meaning else None

    def _meaning(self, spelling: str) -> tuple[str, str] | None:
        """The key and name, worked out once per spelling."""
        if spelling in self._meanings:
            return self._meanings[spelling]
        name = self.name(spelling)
        levels = name.split("/") if self.hierarchy else [name]
        key = self.aliases.get(tag_key(name)) or self._identity(levels, aliases=True)
        meaning = None
        if key is not None:
            named = zip(self.lineage(key), self._levels(key, name), strict=True)
            meaning = (key, name) if all(self._own_slug(level, written) for level, written in named) else None
        self._meanings[spelling] = meaning
        return meaning

    def _identity(self, levels: list[str], *, aliases: bool = False) -> str | None:
        """The key of the term these levels name (with `aliases`, an alias's slug counts too, as
        the alias itself does for the whole name only). A registry entry is found by its name; any
        other spelling is the term whose slug it has, under the same parent: readers see one tag
        in "End of Life" and "End-of-Life", and so does the URL. That term is the registry entry
        whose name (or alias) has that slug, or else the slug path itself. None when a level has
        no slug."""
        if not self._registered and self.specs:
            self._register()
        key = tag_key("/".join(levels))
        if key in self.specs:
            return key
        path = self._slug_path(levels)
        if path is None:
            return None
        aliased = self._registered.get("alias:" + path) if aliases else None
        return self._registered.get(path) or aliased or path

    def _slug_path(self, levels: list[str]) -> str | None:
        own = slugify(levels[-1])
        parent = self._identity(levels[:-1]) if len(levels) > 1 else None
        if not own or (len(levels) > 1 and parent is None):
            return None
        return f"{parent}/{own}" if parent else own

    def _register(self) -> None:
        """Each registry entry (parents first, then in file order) under the slug path of its name,
        and of each alias; the first to claim a path keeps it."""
        self._registered[""] = ""  # being filled: not filled again by the look-ups below
        for key, spec in sorted(self.specs.items(), key=lambda item: (item[0].count("/"), item[1].line or 0)):
            for claim, name in (("", spec.name), *(("alias:", alias) for alias in spec.aliases)):
                path = self._slug_path(self.name(name).split("/") if self.hierarchy else [name])
                if path is not None:
                    self._registered.setdefault(claim + path, key)

    def _levels(self, key: str, name: str) -> list[str]:
        """The name of each level, the term's own last: ["ai", "ai/llm"] reversed, as written."""
        keys = self.lineage(key)
        written = name.split("/") if self.hierarchy else [name]
        if len(written) != len(keys):  # an alias spelled without the parents
            written = (self.specs[key].name if key in self.specs else key).split("/")
        return ["/".join(written[:depth]) for depth in range(len(keys), 0, -1)]

    def _own_slug(self, key: str, name: str) -> str:
        spec = self.specs.get(key)
        if spec is not None and spec.slug:
            return spec.slug
        return self.slug(name.rsplit("/", 1)[-1] if self.hierarchy else name)

    def uses(self, source: str, names: Iterable[str],
             places: Iterable[tuple[int, int]]) -> tuple[tuple[Use, ...], list[SourceError]]:
        """What a document's names mean, one Use per term (the first spelling of it), and an
        error for each name that cannot have a URL."""
        found: dict[str, Use] = {}
        errors: list[SourceError] = []
        meanings = self._meanings
        for name, place in zip(names, places, strict=True):
            meaning = meanings[name] if name in meanings else self._meaning(name)
            if meaning is None:
                errors.append(ContentError(
                    source, f"{self.noun} {name!r} has no letters or digits to make a URL from",
                    line=place[0], col=place[1],
                    hint=f"give it a slug in {self.registry}: '{name}': {{slug: my-{self.noun}}}"))
            elif meaning[0] not in found:
                found[meaning[0]] = Use(meaning[0], meaning[1], place)
        return tuple(found.values()), errors

    def spellings(self, uses: Iterable[Iterable[Use]]) -> dict[str, Counter[str]]:
        """Every spelling of every term (each level of it), counted; in the order given, so that
        the first seen wins a tie."""
        spellings: dict[str, Counter[str]] = defaultdict(Counter)
        for used in uses:
            for use in used:
                for key, name in self.levels(use):
                    spellings[key][name] += 1
        return spellings

    def levels(self, use: Use) -> list[tuple[str, str]]:
        """The term a use names and, with hierarchy, each term above it: key and name as written."""
        levels = self._levels_of.get((use.key, use.name))
        if levels is None:
            levels = self._levels_of[use.key, use.name] = list(
                zip(self.lineage(use.key), self._levels(use.key, use.name), strict=True))
        return levels

    def terms(self, spellings: Mapping[str, Counter[str]],
              known: Mapping[str, Tag] | None = None) -> dict[str, Tag]:
        """One Tag per key of `spellings` not in `known`, parents before children: its name (the
        registry's, or the most written), slug, parent and URL."""
        tags = dict(known or {})
        for key in sorted(spellings, key=lambda k: (k.count("/"), k)):  # parents before children
            if key not in tags:
                tags[key] = self._term(key, spellings[key], tags)
        return {k: t for k, t in tags.items() if known is None or k not in known}

    def _term(self, key: str, spellings: Counter[str], known: dict[str, Tag]) -> Tag:
        spec = self.specs.get(key)
        order = list(spellings)  # insertion order: first seen first
        name = spec.name if spec else max(order, key=lambda n: (spellings[n], -order.index(n)))
        parent = self.parent(key)
        own = self._own_slug(key, name)
        slug = f"{known[parent].slug}/{own}" if parent else own
        description = ""
        if spec and spec.description:
            description = render(spec.description, url=self.url(slug), base_path=self.base_path).body_html
        return Tag(key=key, name=name, slug=slug, url=self.url(slug), description_html=description,
                   parent=parent, links=spec.links if spec else ())

    def with_old_slugs(self, tags: dict[str, Tag]) -> dict[str, Tag]:
        """The tags with the URLs they had before (see _with_old_slugs)."""
        return {k: _with_old_slugs(self, t, tags) for k, t in tags.items()}


@dataclass(frozen=True, slots=True)
class Taxonomy:  # one taxonomy of a build: its terms, their posts, what was wrong
    tags: dict[str, Tag]  # key -> tag
    posts_by_tag: dict[str, tuple[Post, ...]]  # key -> posts with the tag or a descendant
    spellings: dict[str, tuple[str, ...]]
    tags_of: dict[str, tuple[Tag, ...]]  # source -> the tags of each post and page, in order
    errors: list[SourceError]
    warnings: list[SourceError]


def read_uses(vocabulary: Vocabulary,
              documents: Iterable[Post]) -> tuple[dict[str, tuple[Use, ...]], list[SourceError]]:
    """What each document's names (of the vocabulary's terms) mean, by source; a document naming
    a term that cannot have a URL is left out, and the error says why."""
    uses: dict[str, tuple[Use, ...]] = {}
    errors: list[SourceError] = []
    for document in documents:
        source = str(document.source)
        used, wrong = vocabulary.uses(source, *vocabulary.written(document))
        if wrong:
            errors.extend(wrong)
        else:
            uses[source] = used
    return uses, errors


def group_tags(vocabulary: Vocabulary, posts: tuple[Post, ...], uses: Mapping[str, tuple[Use, ...]],
               others: Iterable[Post] = (), pages: Iterable[Post] = ()) -> Taxonomy:
    """Posts newest first in, every tag of the site out; `others` (drafts and future posts left
    out of this build) count as using their tags; `pages` get the site's tags, or tags of their
    own (without a page) for names no post has."""
    oldest_first = sorted(posts, key=lambda p: (p.date or EPOCH, str(p.source)))
    spellings = vocabulary.spellings(uses[str(p.source)] for p in oldest_first)
    tags = vocabulary.with_old_slugs(vocabulary.terms(spellings))
    by_tag: dict[str, list[Post]] = defaultdict(list)
    for post in posts:
        for key in {ancestor for use in uses[str(post.source)] for ancestor in vocabulary.lineage(use.key)}:
            by_tag[key].append(post)
    tags = {k: _with_page(t, len(by_tag[k]) >= vocabulary.min_posts) for k, t in tags.items()}
    page_only = vocabulary.terms(vocabulary.spellings(uses[str(p.source)] for p in pages), tags)
    every = {**tags, **{k: _with_page(t, False) for k, t in page_only.items()}}
    tags_of = {str(p.source): tuple(every[u.key] for u in uses[str(p.source)]) for p in (*posts, *pages)}
    used = {k for p in others for u in uses.get(str(p.source), ()) for k in vocabulary.lineage(u.key)}
    return Taxonomy(
        tags=tags,
        posts_by_tag={k: tuple(by_tag[k]) for k in sorted(tags)},
        spellings={k: tuple(sorted(c)) for k, c in sorted(spellings.items())},
        tags_of=tags_of,
        errors=_slug_clashes(vocabulary, tags, posts, uses),
        warnings=unused_entries(vocabulary.specs, {*tags, *used}, vocabulary.registry, vocabulary.noun,
                                vocabulary.hierarchy)
        + _spelled_apart(vocabulary, tags, spellings, oldest_first, uses),
    )


def _with_page(tag: Tag, has_page: bool) -> Tag:
    return tag if tag.has_page == has_page else replace(tag, has_page=has_page)


def _with_old_slugs(vocabulary: Vocabulary, tag: Tag, tags: dict[str, Tag]) -> Tag:
    """The tag with the URLs it had before: its old slugs, and each alias's URL from the time it
    was a tag of its own. Old slugs are whole paths after /tags/, as the old URL had them, so a
    tag moved under a parent keeps its top-level URL."""
    spec = vocabulary.specs.get(tag.key)
    if spec is None:
        return tag
    found = [*spec.old_slugs, *(_alias_slug(vocabulary, alias, tags) for alias in spec.aliases)]
    old = tuple(sorted({s for s in found if s and s != tag.slug}))
    return replace(tag, old_slugs=old) if old else tag


def _alias_slug(vocabulary: Vocabulary, spelling: str, tags: dict[str, Tag]) -> str:
    """The slug a spelling would have as a tag of its own ("" when it would have none)."""
    if not vocabulary.hierarchy:
        return vocabulary.slug(spelling)
    segments = vocabulary.name(spelling).split("/")
    slugs = list(map(vocabulary.slug, segments))
    for depth in range(len(segments) - 1, 0, -1):  # the nearest parent the site has keeps its slug
        above = vocabulary._identity(segments[:depth])  # as the levels of a name mean
        parent = tags.get(above) if above is not None else None
        if parent is not None:
            slugs[:depth] = [parent.slug]
            break
    return "/".join(slugs) if all(slugs) else ""


def _spelled_apart(vocabulary: Vocabulary, tags: dict[str, Tag], spellings: Mapping[str, Counter[str]],
                   oldest_first: list[Post], uses: Mapping[str, tuple[Use, ...]]) -> list[SourceError]:
    """A warning for each term written in spellings that differ by more than case, spaces and
    stray punctuation ("End of Life", "End-of-Life"): one term, shown under the most written
    spelling, located at the first use of the first other spelling. Spellings tags.yaml lists
    as aliases are settled."""
    settled: dict[str, set[str]] = defaultdict(set)
    for alias, key in vocabulary.aliases.items():
        settled[key].add(alias)
    warnings: list[SourceError] = []
    first: dict[tuple[str, str], tuple[Post, int]] = {}  # found once a term is spelled apart
    for key, tag in sorted(tags.items()):
        own = {tag_key(tag.name), *settled[key]}
        spec = vocabulary.specs.get(key)
        aliased = {_slugs(vocabulary, alias) for alias in (spec.aliases if spec else ())}
        others: dict[str, str] = {}  # one spelling for each other key, the first written
        for name in spellings[key]:
            if tag_key(name) not in own and _slugs(vocabulary, name) not in aliased:
                others.setdefault(tag_key(name), name)
        if not others:
            continue
        first = first or _first_uses(vocabulary, oldest_first, uses)
        places = [first[key, name] for name in others.values()]
        written = ", ".join(f"'{name}' ({_where(*place)})" for name, place in zip(others.values(), places,
                                                                                strict=True))
        noun, registry = vocabulary.noun, vocabulary.registry
        settle = (f"add {', '.join(repr(n) for n in others.values())} to the aliases of '{tag.name}' in "
                  f"{registry}" if key in vocabulary.specs else
                  f"add this line to {registry}: {alias_entry(tag.name, list(others.values()))}")
        post, line = places[0]
        warnings.append(ContentError(
            post.source, f"{noun} '{tag.name}' is also written {written}: one {noun}, at {tag.url}",
            line=line, hint=f"write one spelling, or {settle}"))
    return warnings


def _first_uses(vocabulary: Vocabulary, oldest_first: list[Post],
                uses: Mapping[str, tuple[Use, ...]]) -> dict[tuple[str, str], tuple[Post, int]]:
    """Where each spelling of each term is first written: the post and the line."""
    first: dict[tuple[str, str], tuple[Post, int]] = {}
    for post in oldest_first:
        for use in uses[str(post.source)]:
            for level in vocabulary.levels(use):
                first.setdefault(level, (post, use.place[0]))
    return first


def _slugs(vocabulary: Vocabulary, name: str) -> tuple[str, ...]:
    """The slug of each level of a name, as written."""
    return tuple(map(slugify, vocabulary.name(name).split("/"))) if vocabulary.hierarchy else (slugify(name),)


def _slug_clashes(vocabulary: Vocabulary, tags: dict[str, Tag], posts: tuple[Post, ...],
                  uses: Mapping[str, tuple[Use, ...]]) -> list[SourceError]:
    """An error for each URL two terms would share, said once at the line of the registry entry
    that made it so (two entries with one slug, or an entry's own slug); terms under two parents
    that share a URL are left to the parents' error."""
    by_slug: dict[str, list[Tag]] = defaultdict(list)
    for tag in tags.values():
        by_slug[tag.slug].append(tag)
    if all(len(group) == 1 for group in by_slug.values()):
        return []
    users: dict[str, list[tuple[Post, int]]] = defaultdict(list)  # with the tag's line
    for post in posts:
        for use in uses[str(post.source)]:
            users[use.key].append((post, use.place[0]))

    def users_of(tag: Tag) -> list[tuple[Post, int]]:
        # a parent that no post names itself is there for its children's posts
        return users[tag.key] or [use for key in sorted(users) if key.startswith(tag.key + "/")
                                  for use in users[key]]

    clashing_parents = {tag.key for group in by_slug.values() if len(group) > 1 for tag in group}
    errors: list[SourceError] = []
    registry = vocabulary.registry
    for slug, clashing in sorted(by_slug.items()):
        if len(clashing) < 2 or any(t.parent in clashing_parents for t in clashing):
            continue
        described = "; ".join(
            f"'{t.name}' " + (f"({registry}:{vocabulary.specs[t.key].line})" if t.key in vocabulary.specs else
                              "in " + ", ".join(sorted({_where(*u) for u in users_of(t)})))
            for t in clashing)
        # Spellings with one slug are one term: two terms on one URL are a registry entry's doing
        entries = [(vocabulary.specs[t.key].line or 0, t) for t in clashing if t.key in vocabulary.specs]
        line, entry = max(entries, default=(0, clashing[-1]), key=lambda found: found[0])
        other = next(t for t in clashing if t is not entry)
        errors.append(ContentError(
            registry, f"{vocabulary.plural} {' and '.join(repr(t.name) for t in clashing)} would share "
            f"the URL {entry.url} ({described})", line=line or None,
            hint=f"make '{other.name}' an alias of '{entry.name}' (aliases: [{other.name}]), or give "
                 f"'{entry.name}' a slug of its own: {{slug: {slug.rsplit('/', 1)[-1]}-2}}"))
    return errors


_where = "{0.source}:{1}".format  # a post's file and a line in it
