"""Stage 2, tags: one Tag per identity, its display name, slug, parent, posts and related posts.

Pure. Imports errors, models, markup (tag descriptions), urls.
"""

from __future__ import annotations

import heapq
import math
from bisect import insort
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from itertools import combinations

from sitegen.errors import ContentError, SourceError
from sitegen.markup import render
from sitegen.models import Config, Post, Tag
from sitegen.urls import base_path, slugify, tag_key, tag_url

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SMALL_GROUP = 20  # a tag on at most this many posts has them all scored
_MOST_COMBINED = 8  # more common tags than this on one post: every post holding one is scored


@dataclass(frozen=True, slots=True)
class Taxonomy:
    tags: dict[str, Tag]  # key -> tag
    posts_by_tag: dict[str, tuple[Post, ...]]  # key -> posts with the tag or a descendant
    spellings: dict[str, tuple[str, ...]]
    errors: list[SourceError]
    warnings: list[SourceError]


def group_tags(config: Config, posts: tuple[Post, ...], others: Iterable[Post] = ()) -> Taxonomy:
    """Posts newest first in, every tag of the site out; `others` (drafts and future posts left
    out of this build) count as using their tags."""
    spellings = _spellings(config, posts)
    tags: dict[str, Tag] = {}
    for key in sorted(spellings, key=lambda k: (k.count("/"), k)):  # parents before children
        tags[key] = _tag(config, key, spellings[key], tags)
    tags = {k: _with_old_slugs(config, t, tags) for k, t in tags.items()}
    by_tag: dict[str, list[Post]] = defaultdict(list)
    for post in posts:
        keys = {ancestor for tag in post.tags for ancestor in lineage(config, tag.key)}
        for key in keys:
            by_tag[key].append(post)
    minimum = config.tags.min_posts
    tags = {k: _with_page(t, len(by_tag[k]) >= minimum) for k, t in tags.items()}
    return Taxonomy(
        tags=tags,
        posts_by_tag={k: tuple(by_tag[k]) for k in sorted(tags)},
        spellings={k: tuple(sorted(c)) for k, c in sorted(spellings.items())},
        errors=_slug_clashes(tags, posts),
        warnings=_unused_specs(config, {*tags, *(k for p in others for t in p.tags
                                                 for k in lineage(config, t.key))}),
    )


def _with_page(tag: Tag, has_page: bool) -> Tag:
    return tag if tag.has_page == has_page else replace(tag, has_page=has_page)


def lineage(config: Config, key: str) -> list[str]:
    """The tag and, with hierarchy on, each of its ancestors: "ai/llm" -> ["ai/llm", "ai"]."""
    if not config.tags.hierarchy:
        return [key]
    parts = key.split("/")
    return ["/".join(parts[:i]) for i in range(len(parts), 0, -1)]


def _spellings(config: Config, posts: tuple[Post, ...]) -> dict[str, Counter[str]]:
    """Every spelling of every tag, counted, oldest post first so ties go to the earliest."""
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for post in sorted(posts, key=lambda p: (p.date or _EPOCH, str(p.source))):
        for tag in post.tags:
            keys = lineage(config, tag.key)
            written = tag.name.split("/") if config.tags.hierarchy else [tag.name]
            if len(written) != len(keys):  # an alias spelled without the parents
                spelled = config.tag_specs[tag.key].name if tag.key in config.tag_specs else tag.key
                written = spelled.split("/")
            for depth, key in enumerate(reversed(keys), start=1):
                spellings[key]["/".join(written[:depth])] += 1
    return spellings


def _tag(config: Config, key: str, spellings: Counter[str], known: dict[str, Tag]) -> Tag:
    spec = config.tag_specs.get(key)
    order = list(spellings)  # insertion order: first seen first
    name = spec.name if spec else max(order, key=lambda n: (spellings[n], -order.index(n)))
    parent = key.rsplit("/", 1)[0] if config.tags.hierarchy and "/" in key else None
    own = spec.slug if spec and spec.slug else slugify(name.rsplit("/", 1)[-1] if parent else name)
    slug = f"{known[parent].slug}/{own}" if parent else own
    description = ""
    if spec and spec.description:
        description = render(spec.description, url=tag_url(slug),
                             base_path=base_path(config.base_url)).body_html
    return Tag(key=key, name=name, slug=slug, url=tag_url(slug), description_html=description,
               parent=parent)


def _with_old_slugs(config: Config, tag: Tag, tags: dict[str, Tag]) -> Tag:
    """The tag with the URLs it had before: its old slugs, and each alias's URL from the time it
    was a tag of its own. Old slugs are whole paths after /tags/, as the old URL had them, so a
    tag moved under a parent keeps its top-level URL."""
    spec = config.tag_specs.get(tag.key)
    if spec is None:
        return tag
    found = [*spec.old_slugs, *(_own_slug(config, alias, tags) for alias in spec.aliases)]
    old = tuple(sorted({s for s in found if s and s != tag.slug}))
    return replace(tag, old_slugs=old) if old else tag


def _own_slug(config: Config, spelling: str, tags: dict[str, Tag]) -> str:
    """The slug a spelling would have as a tag of its own ("" when it would have none)."""
    if not config.tags.hierarchy:
        return slugify(spelling)
    segments = [" ".join(s.split()) for s in spelling.split("/")]
    slugs = [slugify(segment) for segment in segments]
    for depth in range(len(segments) - 1, 0, -1):  # the nearest parent the site has keeps its slug
        parent = tags.get(tag_key("/".join(segments[:depth])))
        if parent is not None:
            slugs[:depth] = [parent.slug]
            break
    return "/".join(slugs) if all(slugs) else ""


def _slug_clashes(tags: dict[str, Tag], posts: tuple[Post, ...]) -> list[SourceError]:
    users: dict[str, list[tuple[Post, int]]] = defaultdict(list)  # with the tag's line
    for post in posts:
        for tag, line in zip(post.tags, post.tag_lines, strict=True):
            users[tag.key].append((post, line))
    by_slug: dict[str, list[Tag]] = defaultdict(list)
    for tag in tags.values():
        by_slug[tag.slug].append(tag)

    def users_of(tag: Tag) -> list[tuple[Post, int]]:
        # a parent that no post names itself is there for its children's posts
        return users[tag.key] or [use for key in sorted(users) if key.startswith(tag.key + "/")
                                  for use in users[key]]

    errors: list[SourceError] = []
    for slug, clashing in sorted(by_slug.items()):
        if len(clashing) < 2:
            continue
        described = "; ".join(
            f"'{t.name}' in " + ", ".join(sorted({_where(*u) for u in users_of(t)})) for t in clashing
        )
        first, line = (users_of(clashing[1]) or users_of(clashing[0]))[0]
        errors.append(ContentError(
            first.source, f"tags {' and '.join(repr(t.name) for t in clashing)} would share the URL "
            f"/tags/{slug}/ ({described})", line=line,
            hint=f"give one of them its own slug in tags.yaml, e.g. '{clashing[1].name}': "
                 f"{{slug: {slug.rsplit('/', 1)[-1]}-2}}, or use one spelling"))
    return errors


def _where(post: Post, line: int) -> str:
    return f"{post.source}:{line}"


def _unused_specs(config: Config, used: set[str]) -> list[SourceError]:
    warnings: list[SourceError] = []
    for key, spec in sorted(config.tag_specs.items()):
        own = spec.name.rsplit("/", 1)[-1] if config.tags.hierarchy else spec.name
        if not spec.slug and not slugify(own):  # posts with it failed: they say so, and why
            warnings.append(ContentError(
                "tags.yaml", f"tag '{spec.name}' has no letters or digits to make a URL from",
                line=spec.line, hint=f"give it a slug: '{spec.name}': {{slug: my-tag}}"))
        elif key not in used:
            warnings.append(ContentError(
                "tags.yaml", f"tag '{spec.name}' is described but no post uses it",
                line=spec.line, hint="remove the entry, or tag a post with it"))
    return warnings


def related_posts(posts: tuple[Post, ...], posts_by_tag: dict[str, tuple[Post, ...]],
                  limit: int, only: Iterable[Post] | None = None) -> dict[str, tuple[Post, ...]]:
    """For each post (or each of `only`), the `limit` posts sharing the most tags with it, a tag
    weighing log(1 + posts / posts with the tag); ties go to the newer post.

    Exactly what scoring every post that shares a tag would give, without scoring them all (see
    _Related). Weights are whole numbers, so a score does not depend on the order it was summed in.
    """
    if limit <= 0:
        return {}
    total = len(posts)
    weight = {key: round(1000 * math.log(1 + total / len(group)))
              for key, group in posts_by_tag.items() if group}
    finder = _Related(weight, [frozenset(t.key for t in p.tags) for p in posts], limit)
    index = {id(p): i for i, p in enumerate(posts)}
    return {str(post.source): tuple(posts[i] for i in finder.best(index[id(post)]))
            for post in (posts if only is None else only)}


class _Related:
    """The best-scoring posts for one post at a time. Posts are numbered newest first, so that
    between equal scores the lower number wins.

    A post's tags are taken rarest first. The posts holding a rare tag are few and all scored
    (`partial` adds up the tags taken so far). After each tag, the tags left weigh as much as a
    post not met yet can score; once the posts met beat that, the search stops. A common tag
    (Python is on a third of the posts) is never walked whole: for each combination of the common
    tags left, heaviest first, only the newest posts holding all of it are looked at, until no post
    holding a lighter combination can beat the ones kept. The posts holding two common tags are
    listed once per build; a longer combination's are picked from its two rarest tags' list.
    """

    def __init__(self, weight: dict[str, int], keys: list[frozenset[str]], limit: int) -> None:
        self.weight, self.keys, self.limit = weight, keys, limit
        groups: dict[str, list[int]] = defaultdict(list)
        for number, held in enumerate(keys):
            for key in held:
                groups[key].append(number)
        self.groups = groups
        self.order = {key: (len(group), key) for key, group in groups.items()}  # rarest first
        common = {key for key, group in groups.items() if len(group) > _SMALL_GROUP}
        pairs: dict[tuple[str, ...], list[int]] = defaultdict(list)
        for number, held in enumerate(keys):
            if len(mine := common.intersection(held)) > 1:
                for pair in combinations(sorted(mine, key=self.order.__getitem__), 2):
                    pairs[pair].append(number)
        self.pairs = pairs

    def best(self, post: int) -> list[int]:
        weight, limit = self.weight, self.limit
        keys = sorted(self.keys[post], key=self.order.__getitem__)
        left = sum(weight[k] for k in keys)  # the most that a post not met yet can score
        partial: dict[int, int] = {}
        taken = 0
        for key in keys:
            group = self.groups[key]
            if len(group) > _SMALL_GROUP or _kth(partial, limit) > left:
                break
            get, gain = partial.get, weight[key]
            for other in group:
                partial[other] = get(other, 0) + gain
            del partial[post]
            left -= gain
            taken += 1
        rest = keys[taken:]
        floor = _kth(partial, limit) - left  # a post met with less cannot be among the best
        top = heapq.nsmallest(limit, [(-(score + self._score(other, rest)), other)
                                      for other, score in partial.items() if score >= floor])
        if rest and len(self.groups[rest[0]]) > _SMALL_GROUP:  # not stopped by the bound
            self._common(post, rest, partial, top)
        return [other for _, other in top]

    def _score(self, other: int, keys: Iterable[str]) -> int:
        held = self.keys[other]
        return sum(self.weight[k] for k in keys if k in held)

    def _common(self, post: int, rest: list[str], met: dict[int, int],
                top: list[tuple[int, int]]) -> None:
        """Add to `top` (sorted, best first) the posts not met, which share only tags of `rest`
        (common tags, rarest first)."""
        limit = self.limit
        if len(rest) > _MOST_COMBINED:  # too many combinations: score every post holding one
            others = {o for key in rest for o in self.groups[key]}.difference(met, (post,))
            top[:] = heapq.nsmallest(limit, top + [(-self._score(o, rest), o) for o in others])
            return
        combos = sorted(((sum(self.weight[k] for k in combo), combo)
                         for size in range(len(rest), 0, -1) for combo in combinations(rest, size)),
                        key=lambda pair: -pair[0])
        offered = {post}
        for least, combo in combos:  # a post holding `combo` scores at least `least`
            if len(top) == limit and -top[-1][0] > least:
                return
            for other in self._holders(combo):  # newest first
                if len(top) == limit and (-least, other) > top[-1]:
                    break  # an older post holding no more than `combo` cannot get in
                if other in offered or other in met:
                    continue
                offered.add(other)
                entry = (-self._score(other, rest), other)
                if len(top) < limit or entry < top[-1]:
                    insort(top, entry)
                    del top[limit:]

    def _holders(self, combo: tuple[str, ...]) -> Iterable[int]:
        """The posts holding every tag of `combo` (rarest first), newest first."""
        if len(combo) == 1:
            return self.groups[combo[0]]
        first, second, *others = combo
        pair, keys = self.pairs.get((first, second), []), self.keys
        return (o for o in pair if all(k in keys[o] for k in others)) if others else pair


def _kth(scores: dict[int, int], limit: int) -> int:
    """The limit-th highest score, or 0 while there are fewer."""
    return heapq.nlargest(limit, scores.values())[-1] if len(scores) >= limit else 0
