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
from sitegen.urls import base_path, slugify, tag_key, tag_url

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_RELATED_WINDOW = 25  # posts on each side, in date order, that a shared tag brings in as candidates


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
    errors: list[SourceError] = []
    for slug, clashing in sorted(by_slug.items()):
        if len(clashing) < 2:
            continue
        described = "; ".join(
            f"'{t.name}' in " + ", ".join(sorted({_where(*u) for u in users[t.key]})) for t in clashing
        )
        first, line = (users[clashing[1].key] or users[clashing[0].key])[0]
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
