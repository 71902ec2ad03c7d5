"""The posts and pages of an export as they will be written: title, dates in the site's zone,
slug, file, URL, tags and categories, and what became of the old address (the same URL, an
alias, a page's own permalink, or why it could not be kept).

Pure. Imports errors, fields (what an alias can hold), urls and the modules beside it.
"""

from __future__ import annotations

import email.utils
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from sitegen.errors import SourceError
from sitegen.fields import alias_path
from sitegen.importers.wphtml import Converted, page_count, plain_text
from sitegen.importers.wpterms import Vocabulary
from sitegen.importers.wpurls import Inferred, Zone, base_url, site_path
from sitegen.importers.wxr import Export, Item
from sitegen.permalinks import permalink_problem
from sitegen.urls import (
    is_safe_slug,
    output_path,
    page_url,
    post_url,
    slug_segment,
    slugify,
    title_segment,
    url_key,
)

PUBLISHED, DRAFTS = ("publish", "future"), ("draft", "pending", "private")
_ZERO = "0000-00-00"
_SITE_PAGES = ("/", "/tags/", "/archive/", "/search/", "/404.html", "/feed.xml", "/sitemap.xml",
               "/robots.txt")


@dataclass(frozen=True, slots=True)
class Entry:
    """One post or page as it will be written, and what became of it; each stage of the import
    makes a new one with what it found."""

    item: Item
    section: str  # "posts" or "pages"
    title: str
    slug: str
    date: datetime | None
    file: str = ""
    url: str = ""
    updated: datetime | None = None
    draft: bool = False
    author: str = ""
    tags: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    summary: str = ""
    old_path: str | None = None  # the old link's path below the site's, percent-decoded
    aliases: tuple[str, ...] = ()
    permalink: str | None = None
    address: str = ""  # what became of the old address, for the report
    body: Converted | None = None
    media: tuple[tuple[str, str], ...] = ()  # (URL, what became of it)


@dataclass(frozen=True, slots=True)
class Plan:
    """Everything an import writes, and what it found on the way."""

    export: Export
    base_url: str
    zone: Zone
    permalink: Inferred
    terms: Vocabulary
    entries: tuple[Entry, ...]
    skipped: Mapping[str, int]  # item type or status -> how many were not imported
    comments: int
    warnings: tuple[SourceError, ...]
    copies: Mapping[str, Path]  # relative path -> uploaded file
    files: Mapping[str, str] = field(default_factory=dict)  # relative path -> text


def wp_date(text: str) -> datetime | None:
    """A WordPress date ("2012-04-15 12:44:59"); None for "0000-00-00 00:00:00" or nothing."""
    if not text or text.startswith(_ZERO):
        return None
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError:
        return None


def make_entry(item: Item, export: Export, zone: tzinfo, terms: Vocabulary,
               warnings: list[SourceError]) -> Entry:
    """An item as a post or page; what is odd about it said in `warnings`."""
    def warn(message: str, hint: str) -> None:
        warnings.append(SourceError(export.path, f"{item.post_type} {item.post_id or '?'}: {message}",
                                    line=item.line, hint=hint))

    section = "posts" if item.post_type == "post" else "pages"
    title = " ".join(item.title.split())
    if not title:
        title = "(no title)"
        warn("has no title; it is titled (no title)", "give it a title: in its front matter")
    when = _date(item, zone)
    if when is None and section == "posts":
        own, exported = _rfc822(item.pub_date), _rfc822(export.pub_date)
        when = (own or exported or datetime(1970, 1, 1, tzinfo=UTC)).astimezone(zone)
        source = "its pubDate" if own else "the day of the export" if exported else "no date is in the export"
        warn(f"has no date ({item.date or 'none'}); it is dated {when:%Y-%m-%d} ({source})",
             "set date: in its front matter")
    name = item.name.strip()
    for suffix in (".html", ".htm"):
        name = name.removesuffix(suffix)  # its link ends with it: the permalink pattern says so
    slug = name if is_safe_slug(name) else slug_segment(name)
    if not slug:
        slug = slugify(title) or f"{item.post_type}-{item.post_id}"
        if item.status in PUBLISHED:
            warn(f"has no slug (post_name); it gets {slug!r}",
                 "its old address is kept as an alias if it has one")
    draft = item.status in DRAFTS
    if item.password and not draft:
        draft = True
        warn("is password-protected; it is imported as a draft so its text is not published",
             "publish it (delete draft: true) once it may be read by all")
    modified = _date(item, zone, modified=True)
    old_path = site_path(item.link, base_url(export.link)) if item.link else None
    address = ""
    if old_path is None and item.link and not draft:
        address = f"not kept: {item.link} is a query or another site's address, which no static page answers"
    return Entry(item=item, section=section, title=title, slug=slug, date=when, draft=draft,
                 updated=modified if modified is not None and when is not None and modified > when else None,
                 author=export.authors.get(item.creator, item.creator),
                 tags=terms.names(item, "post_tag"), categories=terms.names(item, "category"),
                 summary=plain_text(item.excerpt), old_path=old_path, address=address)


def _date(item: Item, zone: tzinfo, *, modified: bool = False) -> datetime | None:
    """post_date_gmt in the site's zone; else post_date, read in it (drafts have no GMT date)."""
    gmt = wp_date(item.modified_gmt if modified else item.date_gmt)
    if gmt is not None:
        return gmt.replace(tzinfo=UTC).astimezone(zone)
    local = wp_date(item.modified if modified else item.date)
    return local.replace(tzinfo=zone) if local is not None else None


def _rfc822(text: str) -> datetime | None:
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return when if when.year > 1 else None


def place_entries(entries: list[Entry], pattern: str, zone: tzinfo,
                  export: str) -> tuple[list[Entry], list[SourceError]]:
    """The entries with their file names, URLs, and the old addresses kept: a URL of the
    pattern, an alias, or (pages) their own permalink; two never share a file or a URL."""
    taken = {url_key(str(output_path(url))) for url in _SITE_PAGES}  # a build makes these itself
    files: set[str] = set()
    warnings: list[SourceError] = []
    first = datetime.min.replace(tzinfo=UTC)
    placed: dict[int, Entry] = {}
    for index, entry in sorted(enumerate(entries), key=lambda pair: (
            pair[1].draft, pair[1].section, pair[1].date or first, pair[1].item.post_id)):
        base = entry.slug
        for number in range(1, 1000):
            slug = base if number == 1 else f"{base}-{number}"
            url, file = _address(entry, slug, pattern, zone)
            if url_key(str(output_path(url))) not in taken and file.casefold() not in files:
                break
        if slug != entry.slug:
            warnings.append(SourceError(
                export, f"{entry.item.post_type} {entry.item.post_id}: slug {entry.slug!r} gives "
                f"another page's address; this one gets {slug!r}", line=entry.item.line,
                hint="import-report.md says what became of its old address"))
        placed[index] = replace(entry, slug=slug, url=url, file=file)
        taken.add(url_key(str(output_path(url))))
        files.add(file.casefold())
    return [_keep_old_addresses(placed[i], taken) for i in range(len(entries))], warnings


def _keep_old_addresses(entry: Entry, taken: set[str]) -> Entry:
    """The entry with its old address, and those of the further pages of a post split by
    <!--nextpage--> (/slug/2/...: they redirect to the whole post), kept as well as they can be;
    a password-protected post's as it will be once it is published."""
    hidden = entry.draft and bool(entry.item.password) and entry.item.status in PUBLISHED
    if entry.draft and not hidden:
        return entry
    entry = _keep_old_address(entry, taken)
    old = entry.old_path
    pages = page_count(entry.item.content)
    if old is not None and old.endswith("/") and pages > 1 and not entry.address.startswith("not kept"):
        more = [alias for n in range(2, pages + 1) if (alias := alias_path(f"{old}{n}/")) is not None
                and url_key(str(output_path(alias))) not in taken]
        taken.update(url_key(str(output_path(alias))) for alias in more)
        if more:
            entry = replace(entry, aliases=(*entry.aliases, *more),
                            address=f"{entry.address}; {', '.join(more)} (its further pages: "
                                    "<!--nextpage-->) redirect to it")
    if hidden:
        return replace(entry, address="not kept: it is password-protected, so it is a draft; once you "
                                      f"publish it, {entry.address}")
    return entry


def _address(entry: Entry, slug: str, pattern: str, zone: tzinfo) -> tuple[str, str]:
    if entry.section == "pages":
        return page_url(slug), f"content/pages/{slug}.md"
    day = entry.date.astimezone(zone).date() if entry.date else datetime(1970, 1, 1).date()
    return (post_url(pattern, slug=slug, title=title_segment(slug), day=day),
            f"content/posts/{day.isoformat()}-{slug}.md")


def _keep_old_address(entry: Entry, taken: set[str]) -> Entry:
    """The entry with its old address kept as well as it can be, and what became of it."""
    old = entry.old_path
    if old is None:
        return entry
    if not old.endswith("/") and "." not in old.rsplit("/", 1)[-1]:
        old += "/"  # hosts answer /x with /x/ when /x/ is a folder
    if url_key(old) == url_key(entry.url):
        return replace(entry, address="kept: the new URL is the old one")
    if old == "/":
        return replace(entry, address="not kept: it was the site's front page, now the list of posts")
    alias = alias_path(old)
    if url_key(str(output_path(old))) in taken:
        return replace(entry, address=f"not kept: {old} is another page's address now")
    if entry.section == "pages" and permalink_problem(old, "own") is None:
        taken.add(url_key(str(output_path(old))))
        return replace(entry, permalink=old, url=old, address=f"kept: permalink: {old}")
    if alias is None:
        return replace(entry, address=f"not kept: {old} has characters an alias cannot hold; the post is at "
                                      f"{entry.url}")
    taken.add(url_key(str(output_path(alias))))
    return replace(entry, aliases=(alias,), address=f"redirects: {alias} -> {entry.url}")
