"""Stage 2: from parsed posts to one Site: drafts and future posts out, posts sorted, tags,
categories and authors grouped.

Imports errors, models, related, taxonomy, urls.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from types import MappingProxyType

from sitegen.errors import ContentError, SourceError
from sitegen.models import EPOCH, Config, Post, Site, Tag
from sitegen.related import related_posts
from sitegen.taxonomy import Taxonomy, Vocabulary, group_tags, read_uses
from sitegen.urls import in_bundle, is_source_link, linked_source, site_url

_MD_HREF = re.compile(r'(\shref=")([^"#?]+\.md)(#[^"]*)?"')


# For each post (by source path), its related posts, from the posts newest first and their groups
Relate = Callable[[tuple[Post, ...], dict[str, tuple[Post, ...]]], Mapping[str, tuple[Post, ...]]]


def collect_site(
    config: Config, documents: list[Post], relate: Relate | None = None
) -> tuple[Site, list[SourceError], list[SourceError]]:
    """Return the site, its errors and its warnings. `relate` finds related posts (default:
    related_posts, for every post)."""
    vocabulary = Vocabulary.tags(config)
    uses, wrong = read_uses(vocabulary, documents)
    # A site whose posts have no category pays nothing for them: one look at each post
    filing = Vocabulary.categories(config) if any(d.category_names for d in documents) else None
    filed, misfiled = read_uses(filing, documents) if filing is not None else ({}, [])
    wrong += misfiled
    documents = [d for d in documents  # as if they did not parse
                 if str(d.source) in uses and (filing is None or str(d.source) in filed)]
    visible, drafts, future = _published(config, documents)
    shown = {id(d) for d in visible}
    left_out = [d for d in documents if id(d) not in shown and d.section == "posts"]
    visible, warnings = _resolve_source_links(config, visible)
    posts = _newest_first([d for d in visible if d.section == "posts"])
    pages = tuple(sorted((d for d in visible if d.section == "pages"), key=lambda p: str(p.source)))
    taxonomy = group_tags(vocabulary, posts, uses, left_out, pages)
    tags = taxonomy.tags
    categories = group_tags(filing, posts, filed, left_out, pages) if filing is not None else _NONE
    authors, unsigned = _authors(config, documents, posts, left_out, pages)
    tags_of, categories_of, authors_of = taxonomy.tags_of, categories.tags_of, authors.tags_of
    given = {id(p): _with_terms(p, tags_of[str(p.source)], categories_of.get(str(p.source), ()),
                                authors_of.get(str(p.source), ()))
             for p in (*posts, *pages)}  # the posts with their final terms
    posts, pages = tuple(given[id(p)] for p in posts), tuple(given[id(p)] for p in pages)
    posts_by_tag = {k: tuple(given[id(p)] for p in group) for k, group in taxonomy.posts_by_tag.items()}
    posts_by_category = {k: tuple(given[id(p)] for p in group)
                         for k, group in categories.posts_by_tag.items()}
    posts_by_author = {k: tuple(given[id(p)] for p in group) for k, group in authors.posts_by_tag.items()}
    site = Site(
        config=config,
        posts=posts,
        pages=pages,
        tags=_by_name(tags),
        posts_by_tag=MappingProxyType(posts_by_tag),
        spellings=MappingProxyType(taxonomy.spellings),
        categories=_by_name(categories.tags),
        posts_by_category=MappingProxyType(posts_by_category),
        category_spellings=MappingProxyType(categories.spellings),
        related=MappingProxyType(dict(relate(posts, posts_by_tag) if relate else
                                      related_posts(posts, posts_by_tag, config.tags.related))),
        authors=_by_name(authors.tags),
        posts_by_author=MappingProxyType(posts_by_author),
        updated=max((p.lastmod for p in posts if p.lastmod), default=EPOCH),
        drafts_skipped=drafts,
        future_skipped=len(future),
        next_future=min((p.date for p in future if p.date), default=None),
    )
    return site, wrong + taxonomy.errors + categories.errors + unsigned + authors.errors, \
        warnings + taxonomy.warnings + categories.warnings + authors.warnings


_NONE = Taxonomy(tags={}, posts_by_tag={}, spellings={}, tags_of={}, errors=[], warnings=[])  # no category


def _authors(config: Config, documents: list[Post], posts: tuple[Post, ...], left_out: list[Post],
             pages: tuple[Post, ...]) -> tuple[Taxonomy, list[SourceError]]:
    """The authors as terms when the posts have two or more, and the errors of names that cannot
    have a page; nothing, and no error, for a site whose posts all name one author: it has no
    author pages, so nothing of them is shown."""
    if len({name for d in documents for name in d.author_names}) < 2:  # most sites: without a look-up
        return _NONE, []
    writing = Vocabulary.authors(config)
    signed, unsigned = read_uses(writing, documents)
    written = {str(d.source): signed.get(str(d.source), ()) for d in documents}
    authors = group_tags(writing, posts, written, left_out, pages)
    return authors if len(authors.tags) > 1 else _NONE, unsigned


def _by_name(tags: dict[str, Tag]) -> tuple[Tag, ...]:
    return tuple(sorted(tags.values(), key=lambda t: (t.name.casefold(), t.slug)))


def _with_terms(post: Post, tags: tuple[Tag, ...], categories: tuple[Tag, ...],
                authors: tuple[Tag, ...]) -> Post:
    if tags == post.tags and categories == post.categories and authors == post.authors:
        return post
    return post.with_terms(tags, categories, authors)


def _published(config: Config, documents: list[Post]) -> tuple[list[Post], int, list[Post]]:
    visible, drafts, future = [], 0, []
    for document in documents:
        if document.draft and not config.drafts:
            drafts += 1
        elif document.date and document.date > config.now and not config.future:
            future.append(document)
        else:
            visible.append(document)
    return visible, drafts, future


def source_link_target(post: Post, target: str, urls: Mapping[str, str]) -> str | None:
    """The site URL that a link to another Markdown file (`other.md#part`) stands for."""
    path, _, fragment = target.partition("#")
    url = urls.get(linked_source(post.source.parent, path))
    if url is None:
        return None
    return url + ("#" + fragment if fragment else "")


def _resolve_source_links(config: Config, posts: list[Post]) -> tuple[list[Post], list[SourceError]]:
    """Links written as paths to other posts (`../2024/post.md#part`) become those posts' URLs."""
    urls = {str(p.source): p.url for p in posts}
    warnings: list[SourceError] = []
    resolved: list[Post] = []
    for post in posts:
        targets = [(t, line) for t, line in post.links if is_source_link(t)
                   and not in_bundle(post.source, linked_source(post.source.parent, t.partition("#")[0]))]
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

        key = repr([(t, source_link_target(post, t, urls)) for t, _ in targets] + [config.base_url])
        def rewrite_all(html: str, rewrite: Callable[[re.Match[str]], str] = rewrite) -> str:
            return _MD_HREF.sub(rewrite, html)

        resolved.append(replace(post, html=post.html.map(rewrite_all, key)))
    return resolved, warnings


def _newest_first(posts: list[Post]) -> tuple[Post, ...]:
    by_path = sorted(posts, key=lambda p: str(p.source))
    return tuple(sorted(by_path, key=lambda p: p.date or EPOCH, reverse=True))
