"""Stage 3: plan every output file of the site, with its template and context, before rendering.

Tags, categories and authors are planned by the same functions: a `Terms` says which taxonomy.
Each feed is written in every format of `feeds:`, with the same entries and entry ids.
Imports config (its file name), errors, feeds, models, registry (the registries' names), urls.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import replace
from itertools import groupby
from types import MappingProxyType
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sitegen.config import CONFIG_FILE
from sitegen.errors import ContentError, SourceError, count
from sitegen.feeds import TEMPLATES, feed_ids
from sitegen.models import FEED_FORMATS, Page, Pagination, Period, Post, Site, Tag, TagSpec
from sitegen.registry import AUTHORS_FILE, CATEGORIES_FILE, TAGS_FILE
from sitegen.urls import (
    AUTHOR_PERMALINK,
    archive_patterns,
    archive_url,
    output_path,
    paginated_url,
    tag_url,
    url_key,
)


class Terms(NamedTuple):
    """One taxonomy as its pages show it: its pages use the templates <noun>.html (the term in
    the context as <noun>) and <plural>.html (the index, at /<plural>/)."""

    noun: str  # "tag"
    plural: str  # "tags"
    phrase: str  # what a feed's title says of its posts: "posts tagged"
    registry: str  # the file that describes the terms
    terms: tuple[Tag, ...]
    posts: Mapping[str, tuple[Post, ...]]  # key -> posts with the term or a descendant
    specs: Mapping[str, TagSpec]
    pattern: str  # the terms' URL pattern
    noindex: bool

    @property
    def index_url(self) -> str:
        return f"/{self.plural}/"


def taxonomies(site: Site) -> tuple[Terms, ...]:
    """The tags, the categories when a post has one, and the authors when posts have two."""
    config = site.config
    every = [Terms("tag", "tags", "posts tagged", TAGS_FILE, site.tags, site.posts_by_tag, config.tag_specs,
                   config.permalinks.tag, config.tags.noindex)]
    if site.categories:
        every.append(Terms("category", "categories", "posts in category", CATEGORIES_FILE, site.categories,
                           site.posts_by_category, config.category_specs, config.permalinks.category,
                           config.categories.noindex))
    if site.authors:
        every.append(Terms("author", "authors", "posts by", AUTHORS_FILE, site.authors, site.posts_by_author,
                           config.author_specs, AUTHOR_PERMALINK, False))
    return tuple(every)


def plan_pages(site: Site) -> list[Page]:
    """Every output of the site, in a fixed order; the sitemap lists the HTML pages before it."""
    every = taxonomies(site)
    ids = feed_ids(site.posts, site.config.base_url)  # one id a post, in every feed
    pages = [
        *_paginated(site, "/", site.posts, "index.html", "home", {}),
        *_posts(site),
        *(page for terms in every for page in (*_tag_pages(site, terms, ids), _index(site, terms))),
        *_archives(site),
        *_feeds(site, ids, "/", _Feed(site.config.title, "/", site.posts[: site.config.feed_limit]),
                "the site feed"),
        _page("/404.html", "404.html", "the not-found page", None, in_sitemap=False),
        *([_page("/search/", "search.html", "search: true", None)] if site.config.search else []),
        *_redirects(site),
        *(page for terms in every for page in _tag_redirects(site, terms, ids)),
    ]
    entries = tuple((p.url, p.lastmod) for p in pages if p.in_sitemap and p.template.endswith(".html"))
    pages.append(_page("/sitemap.xml", "sitemap.xml", "the sitemap", None, in_sitemap=False, entries=entries))
    pages.append(_page("/robots.txt", "robots.txt", "robots.txt", None, in_sitemap=False))
    moves = tuple(sorted(_moves(site, pages)))
    if moves:
        pages.append(_page("/_redirects", "_redirects", "redirects", None, in_sitemap=False,
                           moves=moves))
    return pages


def find_collisions(pages: list[Page]) -> list[SourceError]:
    """Every output path claimed more than once, as one error per set of claimants (a tag's page,
    feed and further pages collide together) naming them all."""
    by_path: dict[str, list[Page]] = defaultdict(list)
    for page in pages:  # paths that differ by case or normalisation only are one file on many disks
        by_path[url_key(str(page.path))].append(page)
    by_claimants: dict[tuple[str, ...], list[tuple[str, list[Page]]]] = defaultdict(list)
    for path, claimants in sorted(by_path.items()):
        if len(claimants) > 1:
            by_claimants[tuple(p.origin for p in claimants)].append((path, claimants))
    errors: list[SourceError] = []
    for names, collisions in by_claimants.items():
        _, claimants = min(collisions, key=lambda c: (not c[0].endswith(".html"), c[0]))
        located = next((p for p in reversed(claimants) if _source(p)), claimants[-1])  # the newcomer
        where, line = _source(located) or (located.origin, None)
        more = f" and {count(len(collisions) - 1, 'more file')}" if len(collisions) > 1 else ""
        verb = "would both be written to" if len(names) == 2 else "would all be written to"
        spellings = sorted({str(p.path) for p in claimants})
        path = spellings[0] if len(spellings) == 1 else \
            f"{' and '.join(spellings)} (one file on macOS and Windows)"
        errors.append(ContentError(where, f"{' and '.join(names)} {verb} {path}{more}", line=line,
                                   hint=_collision_hint(claimants)))
    return errors


class _Moved(NamedTuple):
    """An old URL of a tag (or a category), and where its registry gives it (its old_slugs or its
    aliases)."""

    tag: Tag
    slug: str
    via: str
    url: str
    noun: str
    registry: str


_TERM_TEMPLATES = {"tag.html": "tag", "category.html": "category", "author.html": "author"}  # and its noun
_REGISTRIES = {"tag": TAGS_FILE, "category": CATEGORIES_FILE, "author": AUTHORS_FILE}
_PERIOD_TEMPLATES = ("year.html", "month.html")


def _source(page: Page) -> tuple[str, int | None] | None:
    """The file (and line) that asked for a page, when it came from one."""
    if "moved" in page.context:
        moved = page.context["moved"]
        assert isinstance(moved, _Moved)
        return moved.registry, page.origin_line
    if "feed_alias" in page.context:
        return CONFIG_FILE, page.origin_line
    if page.origin_line is not None or "/" in page.origin:
        return page.origin, page.origin_line
    return None


def _collision_hint(claimants: list[Page]) -> str:
    periods = [p.template.removesuffix(".html") for p in claimants if p.template in _PERIOD_TEMPLATES]
    if periods:
        kind = periods[0]
        return f"give the post or page another slug, or turn the {kind} archives off: " \
               f"archives: {{{kind}: false}} in sitegen.yaml"
    aliases = [p.context["feed_alias"] for p in claimants if "feed_alias" in p.context]
    if aliases:
        return f"remove {aliases[0]} from feed_aliases in {CONFIG_FILE}, or give the other page another slug"
    moved = [p.context["moved"] for p in claimants if "moved" in p.context]
    live = [(_TERM_TEMPLATES[p.template], p.context[_TERM_TEMPLATES[p.template]]) for p in claimants
            if p.template in _TERM_TEMPLATES]
    if not moved:
        if len({noun for noun, _ in live}) > 1:  # a tag and a category, under one URL pattern
            return "give one of them a slug of its own in tags.yaml or categories.yaml, or give tags " \
                   "and categories URL patterns of their own (permalinks: in sitegen.yaml)"
        return "give one of them another slug: slug: another-name"
    assert isinstance(moved[0], _Moved)
    tag, old, via, old_url, noun, registry = moved[0]
    if via == "old_slugs":
        entry = f"remove '{old}' from the old_slugs of '{tag.name}' in {registry}"
    else:
        entry = f"drop the alias of '{tag.name}' in {registry} that had the URL {old_url}"
    if live and isinstance(live[0][1], Tag):
        kind, other = live[0][0], live[0][1].name
        if via == "aliases" and kind == noun == "tag":
            return f"the tag '{other}' has that URL now: merge it into '{tag.name}' " \
                   f"(sitegen tags merge '{other}' '{tag.name}'), or {entry}"
        there = "there" if kind == noun else f"in {_REGISTRIES[kind]}"
        return f"the {kind} '{other}' has that URL now: {entry}, or give '{other}' another slug {there}"
    if len(moved) > 1:
        return f"an old URL can lead to one {noun} only: {entry}"
    return f"{entry}, or give the other page another slug"


def _page(url: str, template: str, origin: str, lastmod: object, *, in_sitemap: bool = True,
          line: int | None = None, **context: object) -> Page:
    return Page(path=output_path(url), url=url, template=template, origin=origin,
                origin_line=line, lastmod=lastmod, in_sitemap=in_sitemap,  # type: ignore[arg-type]
                context=MappingProxyType(context))


def _pagecount(site: Site, posts: tuple[Post, ...]) -> int:
    return max(1, -(-len(posts) // site.config.posts_per_page))


def _paginated(site: Site, url: str, posts: tuple[Post, ...], template: str, origin: str,
               context: dict[str, Any]) -> Iterator[Page]:
    size = site.config.posts_per_page
    count = _pagecount(site, posts)
    for number in range(1, count + 1):
        pagination = Pagination(
            number=number, count=count, items=posts[(number - 1) * size : number * size],
            prev_url=paginated_url(url, number - 1) if number > 1 else None,
            next_url=paginated_url(url, number + 1) if number < count else None,
        )
        lastmod = max((p.lastmod for p in pagination.items if p.lastmod), default=None)
        yield _page(paginated_url(url, number), template, origin, lastmod,
                    pagination=pagination, **context)


def _posts(site: Site) -> Iterator[Page]:
    posts = site.posts
    for index, post in enumerate(posts):
        yield _page(post.url, "post.html", str(post.source), post.lastmod,
                    line=post.key_lines.get("slug", 1), post=post,
                    newer=posts[index - 1] if index > 0 else None,
                    older=posts[index + 1] if index + 1 < len(posts) else None,
                    related=site.related.get(str(post.source), ()))
    for page in site.pages:
        yield _page(page.url, "page.html", str(page.source), page.lastmod,
                    line=page.key_lines.get("slug", 1), post=page)


def _tag_pages(site: Site, terms: Terms, ids: Mapping[str, str]) -> Iterator[Page]:
    by_key = {t.key: t for t in terms.terms}
    children = _children(terms)
    slugs: set[str] = set()
    for tag in terms.terms:
        if not tag.has_page or tag.slug in slugs:  # two tags on one URL: an error of the tags stage
            continue
        slugs.add(tag.slug)
        posts = terms.posts[tag.key]
        ancestors: list[Tag] = []
        parent = tag.parent
        while parent is not None:
            ancestors.insert(0, by_key[parent])
            parent = by_key[parent].parent
        context = {terms.noun: tag, "ancestors": tuple(ancestors),
                   "children": _tree(terms, tag.key, children)}
        for page in _paginated(site, tag.url, posts, f"{terms.noun}.html", f"{terms.noun} '{tag.name}'",
                               context):
            yield replace(page, in_sitemap=False) if terms.noindex else page
        yield from _tag_feeds(site, terms, tag, ids, tag.url)


def _index(site: Site, terms: Terms) -> Page:
    """Every term with its number of posts: the tags index, or the categories index."""
    context = {terms.plural: tuple((t, len(terms.posts[t.key])) for t in terms.terms),
               "tree": _tree(terms, None, _children(terms))}
    index = _page(terms.index_url, f"{terms.plural}.html", f"the {terms.plural} index", site.updated)
    return replace(index, context=MappingProxyType(context))


def _tag_feeds(site: Site, terms: Terms, tag: Tag, ids: Mapping[str, str], folder: str,
               moved: tuple[str, int | None, _Moved] | None = None) -> Iterator[Page]:
    """The term's feeds, in `folder`; `moved`: origin, line and what of an old URL that serves
    them too."""
    posts = terms.posts[tag.key][: site.config.feed_limit]
    feed = _Feed(f"{site.config.title}: {terms.phrase} {tag.name}", tag.url, posts, tag.description_html,
                 {terms.noun: tag})
    origin, line, what = moved or (f"{terms.noun} '{tag.name}'", None, None)
    return _feeds(site, ids, folder, feed, origin, canonical=tag.url, line=line, moved=what)


Tree = tuple[tuple[Tag, int, "Tree"], ...]


def _children(terms: Terms) -> dict[str | None, list[Tag]]:
    """Each term's direct children (the top-level terms under None), in the site's order."""
    children: dict[str | None, list[Tag]] = defaultdict(list)
    for tag in terms.terms:
        children[tag.parent].append(tag)
    return children


def _tree(terms: Terms, parent: str | None, children: dict[str | None, list[Tag]]) -> Tree:
    """Terms under parent (top-level terms for None), each with its count and its own subtree."""
    return tuple((t, len(terms.posts[t.key]), _tree(terms, t.key, children))
                 for t in children.get(parent, ()))


def _tag_redirects(site: Site, terms: Terms, ids: Mapping[str, str]) -> Iterator[Page]:
    """Old URLs of tags or categories (aliases, old slugs) keep working: a redirect page, one for
    each further page of the list, and the same feed.

    Page n of the old URL leads to page n of the term, as the _redirects line does, for each page
    the term has: a renamed term's pages hold the same posts, and a merged term has at least as
    many pages as either term had. Hosts without _redirects (GitHub Pages, S3) need the files.
    """
    for tag in terms.terms:
        if not tag.has_page:
            continue
        spec = terms.specs.get(tag.key)
        line = spec.line if spec is not None else None
        count = _pagecount(site, terms.posts[tag.key])
        for old in tag.old_slugs:
            via = "old_slugs" if spec is not None and old in spec.old_slugs else "aliases"
            old_url = tag_url(old, terms.pattern)
            what = _Moved(tag, old, via, old_url, terms.noun, terms.registry)
            given = "old slug" if via == "old_slugs" else "URL of an alias"
            origin = f"{terms.noun} '{tag.name}' ({given} '{old}' in {terms.registry})"
            feeds = ((old_url + f.file, tag.url + f.file) for f in site.config.feed_formats)
            moves = ((old_url, tag.url), *feeds, (old_url + "page/*", tag.url + "page/:splat"))
            yield _page(old_url, "redirect.html", origin, None, in_sitemap=False, line=line,
                        target=tag.url, moves=moves, moved=what)
            for number in range(2, count + 1):
                yield _page(paginated_url(old_url, number), "redirect.html", origin, None,
                            in_sitemap=False, line=line, target=paginated_url(tag.url, number),
                            moves=(), moved=what)
            yield from _tag_feeds(site, terms, tag, ids, old_url, (origin, line, what))


def _moves(site: Site, pages: list[Page]) -> Iterator[tuple[str, str]]:
    """(old URL, new URL) for the hosts that read a _redirects file (Netlify, Cloudflare Pages):
    those of the redirect pages, and from Jekyll's URL of a post that no file can hold."""
    for page in pages:
        if page.template == "redirect.html":
            moves = page.context["moves"]
            assert isinstance(moves, tuple)
            yield from moves
    for post in (*site.posts, *site.pages):
        for old in post.moved_from:
            yield old, post.url


class _Feed(NamedTuple):
    """What a feed holds, whatever its format."""

    title: str
    home: str  # the page whose posts it lists
    posts: tuple[Post, ...]
    description_html: str = ""
    # the term whose feed it is, as its pages hold it ({"tag": tag}): the cache sees the feed change with it
    term: Mapping[str, Tag] = MappingProxyType({})


def _feeds(site: Site, ids: Mapping[str, str], folder: str, feed: _Feed, origin: str, *,
           canonical: str | None = None, line: int | None = None,
           moved: _Moved | None = None) -> Iterator[Page]:
    """The feed in each format of the site, side by side in `folder`, and its copies at the old
    addresses feed_aliases gives; `canonical`: the folder of the feeds that these stand for.

    A copy is a file rather than a redirect: feed readers follow HTTP redirects, which static
    hosts make only from files some of them read (_redirects), never an HTML page's. A folder
    address (/feed/) is written as feed/index.html, the one file GitHub Pages, Netlify,
    Cloudflare Pages and S3 all serve there (as text/html: feed readers read the XML anyway).
    """
    config = site.config
    shared: dict[str, object] = {
        "feed_title": feed.title, "feed_home": feed.home, "feed_posts": feed.posts,
        "feed_ids": tuple(ids[str(p.source)] for p in feed.posts),
        "feed_updated": max((p.lastmod for p in feed.posts if p.lastmod), default=site.updated),
        "feed_description_html": feed.description_html, **feed.term, **({"moved": moved} if moved else {})}
    home = canonical or folder
    for kind in config.feed_formats:
        yield _page(folder + kind.file, TEMPLATES[kind.name], origin, None, in_sitemap=False, line=line,
                    feed_url=home + kind.file, **shared)
    for path, name in config.feed_aliases if moved is None else ():
        if path.startswith("/") and folder != "/":  # a path of the site: the site feed's alone
            continue
        url = path if path.startswith("/") else folder + path
        own = home + FEED_FORMATS[name].file if name in config.feeds else url  # else it is the only one
        yield _page(url, TEMPLATES[name], f"the feed alias {path}", None, in_sitemap=False,
                    line=config.feed_aliases_at.get(path), feed_url=own, feed_alias=path, **shared)


def _archives(site: Site) -> Iterator[Page]:
    """The archive (every post by year), and the pages of each year and month that has posts,
    paginated, each linking to the periods before and after it. A post's year and month are
    those of its date in the site's time zone, as in its URL."""
    zone = ZoneInfo(site.config.timezone)
    groups: dict[tuple[int, int | None], list[Post]] = defaultdict(list)  # (year, None): the year's
    for post in site.posts:  # newest first, so the periods are too
        if post.date is not None:
            day = post.date.astimezone(zone)
            groups[day.year, None].append(post)
            groups[day.year, day.month].append(post)
    settings = site.config.archives
    year_pattern, month_pattern = archive_patterns(site.config.permalinks.post)
    periods = [Period(year=year, month=month, url=archive_url(month_pattern if month else year_pattern,
                                                              year, month))
               for year, month in groups if (settings.month if month else settings.year)]
    years = [period for period in periods if period.month is None]
    months = [period for period in periods if period.month is not None]
    of_year = {period.year: period for period in years}
    months_of = {year: tuple(group) for year, group in groupby(months, key=lambda period: period.year)}
    yield _page("/archive/", "archive.html", "the archive", site.updated,
                years=tuple((year, tuple(posts)) for (year, month), posts in groups.items() if month is None),
                year_pages=of_year, month_pages=months_of)
    for same_kind, template in ((years, "year.html"), (months, "month.html")):
        for index, period in enumerate(same_kind):
            context: dict[str, object] = {
                "period": period, "newer": same_kind[index - 1] if index > 0 else None,
                "older": same_kind[index + 1] if index + 1 < len(same_kind) else None,
                # a year's months, with their numbers of posts; a month's year
                "months": tuple((month, len(groups[month.year, month.month]))
                                for month in months_of.get(period.year, ())) if period.month is None else (),
                "parent": of_year.get(period.year) if period.month is not None else None}
            name = str(period.year) if period.month is None else f"{period.year}-{period.month:02d}"
            yield from _paginated(site, period.url, tuple(groups[period.year, period.month]), template,
                                  f"the archive of {name}", context)


def _redirects(site: Site) -> Iterator[Page]:
    for post in (*site.posts, *site.pages):
        for alias in post.aliases:
            yield _page(alias, "redirect.html", str(post.source), None, in_sitemap=False,
                        line=post.key_lines.get("aliases"), target=post.url,
                        moves=((alias, post.url),))
