"""Stage 2, tags: one Tag per identity, its display name, slug, parent, posts and related posts.

Pure. Imports errors, models, markup (tag descriptions), urls.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sitegen.errors import ContentError, SourceError
from sitegen.markup import render
from sitegen.models import Config, Post, Tag
from sitegen.urls import base_path, slugify, tag_url

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_RELATED_WINDOW = 25  # posts on each side, in date order, that a shared tag brings in as candidates


@dataclass(frozen=True, slots=True)
class Taxonomy:
    tags: dict[str, Tag]  # key -> tag
    posts_by_tag: dict[str, tuple[Post, ...]]  # key -> posts with the tag or a descendant
    spellings: dict[str, tuple[str, ...]]
    errors: list[SourceError]
    warnings: list[SourceError]


def group_tags(config: Config, posts: tuple[Post, ...]) -> Taxonomy:
    """Posts newest first in, every tag of the site out."""
    spellings = _spellings(config, posts)
    tags: dict[str, Tag] = {}
    for key in sorted(spellings, key=lambda k: (k.count("/"), k)):  # parents before children
        tags[key] = _tag(config, key, spellings[key], tags)
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
        warnings=_unused_specs(config, tags),
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
    old: tuple[str, ...] = ()
    if spec:  # earlier slugs, and the slugs the aliases would have: their URLs redirect here
        prefix = slug.rsplit("/", 1)[0] + "/" if parent else ""
        found = [*spec.old_slugs, *(slugify(alias.rsplit("/", 1)[-1] if config.tags.hierarchy else alias)
                                    for alias in spec.aliases)]  # without hierarchy, "/" is a character
        old = tuple(sorted({prefix + s for s in found if s and prefix + s != slug}))
    return Tag(key=key, name=name, slug=slug, url=tag_url(slug), description_html=description,
               parent=parent, old_slugs=old)


def _slug_clashes(tags: dict[str, Tag], posts: tuple[Post, ...]) -> list[SourceError]:
    users: dict[str, list[Post]] = defaultdict(list)
    for post in posts:
        for tag in post.tags:
            users[tag.key].append(post)
    by_slug: dict[str, list[Tag]] = defaultdict(list)
    for tag in tags.values():
        by_slug[tag.slug].append(tag)
    errors: list[SourceError] = []
    for slug, clashing in sorted(by_slug.items()):
        if len(clashing) < 2:
            continue
        described = "; ".join(
            f"'{t.name}' in " + ", ".join(sorted({_where(p) for p in users[t.key]})) for t in clashing
        )
        first = (users[clashing[1].key] or users[clashing[0].key])[0]
        errors.append(ContentError(
            first.source, f"tags {' and '.join(repr(t.name) for t in clashing)} would share the URL "
            f"/tags/{slug}/ ({described})", line=first.key_lines.get("tags"),
            hint=f"give one of them its own slug in tags.yaml, e.g. '{clashing[1].name}': "
                 f"{{slug: {slug.rsplit('/', 1)[-1]}-2}}, or use one spelling"))
    return errors


def _where(post: Post) -> str:
    line = post.key_lines.get("tags")
    return f"{post.source}:{line}" if line else str(post.source)


def _unused_specs(config: Config, tags: dict[str, Tag]) -> list[SourceError]:
    return [
        ContentError("tags.yaml", f"tag '{spec.name}' is described but no post uses it",
                     line=spec.line, hint="remove the entry, or tag a post with it")
        for key, spec in sorted(config.tag_specs.items()) if key not in tags
    ]


def related_posts(posts: tuple[Post, ...], posts_by_tag: dict[str, tuple[Post, ...]],
                  limit: int, only: Iterable[Post] | None = None) -> dict[str, tuple[Post, ...]]:
    """For each post (or each of `only`), the posts sharing the most tags, rare tags weighing
    more; deterministic.

    Candidates come from the post's two rarest tags, from the posts nearest in time on each, so
    a tag on thousands of posts costs no more than a rare one. Weights are whole numbers, so a
    score does not depend on the order it was summed in.
    """
    if limit <= 0:
        return {}
    total = len(posts)
    weight = {key: round(1000 * math.log(1 + total / len(group)))
              for key, group in posts_by_tag.items() if group}
    order = {id(p): index for index, p in enumerate(posts)}  # newest first
    place = {key: {id(p): i for i, p in enumerate(group)} for key, group in posts_by_tag.items()}
    tag_keys = {id(p): frozenset(t.key for t in p.tags) for p in posts}
    weigh = weight.__getitem__
    related: dict[str, tuple[Post, ...]] = {}
    for post in posts if only is None else only:
        keys = tag_keys[id(post)]
        candidates: dict[int, Post] = {}
        for key in sorted(keys, key=lambda k: (-weight[k], k))[:2]:
            group, at = posts_by_tag[key], place[key][id(post)]
            for other in group[max(0, at - _RELATED_WINDOW): at + _RELATED_WINDOW + 1]:
                candidates[id(other)] = other
        candidates.pop(id(post), None)
        scored = [(-sum(map(weigh, keys & tag_keys[i])), order[i], i) for i in candidates]
        related[str(post.source)] = tuple(candidates[i] for _, _, i in sorted(scored)[:limit])
    return related
