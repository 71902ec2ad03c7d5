"""Stage 2: from parsed posts to one Site: drafts and future posts out, posts sorted, tags grouped.

Imports errors, models, urls, markup (for tag descriptions).
"""

from __future__ import annotations

import posixpath
import re
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from types import MappingProxyType

from sitegen.errors import ContentError, SourceError
from sitegen.markup import render
from sitegen.models import Config, Post, Site, Tag
from sitegen.urls import base_path, is_external, site_url, slugify, tag_url

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MD_HREF = re.compile(r'(\shref=")([^"#?]+\.md)(#[^"]*)?"')


def collect_site(
    config: Config, documents: list[Post]
) -> tuple[Site, list[SourceError], list[SourceError]]:
    """Return the site, its errors and its warnings."""
    visible, drafts, future = _published(config, documents)
    visible, warnings = _resolve_source_links(config, visible)
    posts = _newest_first([d for d in visible if d.section == "posts"])
    pages = tuple(sorted((d for d in visible if d.section == "pages"), key=lambda p: str(p.source)))
    tags, errors = _canonical_tags(config, posts)
    spellings: dict[str, set[str]] = defaultdict(set)
    for post in posts:
        for written in post.tags:
            spellings[written.key].add(written.name)
    posts = tuple(replace(p, tags=tuple(tags[t.key] for t in p.tags)) for p in posts)
    by_tag: dict[str, list[Post]] = defaultdict(list)
    for post in posts:
        for tag in post.tags:
            by_tag[tag.key].append(post)
    site = Site(
        config=config,
        posts=posts,
        pages=pages,
        tags=tuple(sorted(tags.values(), key=lambda t: (t.name.casefold(), t.slug))),
        posts_by_tag=MappingProxyType({k: tuple(v) for k, v in sorted(by_tag.items())}),
        spellings=MappingProxyType({k: tuple(sorted(v)) for k, v in sorted(spellings.items())}),
        updated=max((p.lastmod for p in posts if p.lastmod), default=_EPOCH),
        drafts_skipped=drafts,
        future_skipped=future,
    )
    return site, errors, warnings + _unused_specs(config, tags)


def _published(config: Config, documents: list[Post]) -> tuple[list[Post], int, int]:
    visible, drafts, future = [], 0, 0
    for document in documents:
        if document.draft and not config.drafts:
            drafts += 1
        elif document.date and document.date > config.now and not config.future:
            future += 1
        else:
            visible.append(document)
    return visible, drafts, future


def source_link_target(post: Post, target: str, urls: Mapping[str, str]) -> str | None:
    """The site URL that a link to another Markdown file (`other.md#part`) stands for."""
    path, _, fragment = target.partition("#")
    resolved = posixpath.normpath(posixpath.join(str(post.source.parent), path))
    url = urls.get(resolved)
    if url is None:
        return None
    return url + ("#" + fragment if fragment else "")


def _resolve_source_links(config: Config, posts: list[Post]) -> tuple[list[Post], list[SourceError]]:
    """Links written as paths to other posts (`../2024/post.md#part`) become those posts' URLs."""
    urls = {str(p.source): p.url for p in posts}
    warnings: list[SourceError] = []
    resolved: list[Post] = []
    for post in posts:
        targets = [(t, line) for t, line in post.links if _is_source_link(t)]
        if not targets:
            resolved.append(post)
            continue
        for target, line in targets:
            if source_link_target(post, target, urls) is None:
                warnings.append(ContentError(
                    post.source, f"link to {target}, which is not a published post or page",
                    line=line, hint="check the file name, or build with --drafts if it is a draft"))

        def rewrite(match: re.Match[str], post: Post = post) -> str:
            url = source_link_target(post, match.group(2) + (match.group(3) or ""), urls)
            return match.group(0) if url is None else f'{match.group(1)}{site_url(config.base_url, url)}"'

        resolved.append(replace(post, body_html=_MD_HREF.sub(rewrite, post.body_html),
                                summary_html=_MD_HREF.sub(rewrite, post.summary_html)))
    return resolved, warnings


def _is_source_link(target: str) -> bool:
    return not is_external(target) and target.partition("#")[0].endswith(".md")


def _newest_first(posts: list[Post]) -> tuple[Post, ...]:
    by_path = sorted(posts, key=lambda p: str(p.source))
    return tuple(sorted(by_path, key=lambda p: p.date or _EPOCH, reverse=True))


def _canonical_tags(config: Config, posts: tuple[Post, ...]) -> tuple[dict[str, Tag], list[SourceError]]:
    """One Tag per identity: its display name is the registry's, else the most used spelling."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    first_seen: dict[tuple[str, str], int] = {}
    users: dict[str, list[Post]] = defaultdict(list)
    oldest_first = sorted(posts, key=lambda p: (p.date or _EPOCH, str(p.source)))
    for age, post in enumerate(oldest_first):  # ties go to the earliest post, then the first path
        for tag in post.tags:
            counts[tag.key][tag.name] += 1
            first_seen.setdefault((tag.key, tag.name), age)
            users[tag.key].append(post)
    prefix = base_path(config.base_url)
    tags: dict[str, Tag] = {}
    for key in sorted(counts):
        spec = config.tag_specs.get(key)
        name = spec.name if spec else min(counts[key], key=lambda n: (-counts[key][n], first_seen[(key, n)]))
        slug = spec.slug if spec and spec.slug else slugify(name)
        description = render(spec.description, url=tag_url(slug), base_path=prefix).body_html if spec and spec.description else ""
        tags[key] = Tag(key=key, name=name, slug=slug, url=tag_url(slug), description_html=description)
    return tags, _slug_clashes(tags, users)


def _slug_clashes(tags: dict[str, Tag], users: dict[str, list[Post]]) -> list[SourceError]:
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
        first = users[clashing[1].key][0]
        errors.append(ContentError(
            first.source, f"tags {' and '.join(repr(t.name) for t in clashing)} would share the URL "
            f"/tags/{slug}/ ({described})", line=first.key_lines.get("tags"),
            hint=f"give one of them its own slug in tags.yaml, e.g. '{clashing[1].name}': "
                 f"{{slug: {slug}-2}}, or use one spelling"))
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
