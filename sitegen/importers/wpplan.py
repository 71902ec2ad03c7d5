"""The posts and pages of an export as they will be written: title, dates in the site's zone,
slug, file, URL, tags and categories, and what became of the old address (the same URL, an
alias, a page's own permalink, or why it could not be kept).

Pure. Imports errors, fields (what an alias can hold), urls and the modules beside it.
"""

from __future__ import annotations

import email.utils
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from sitegen.errors import SourceError
from sitegen.fields import alias_path
from sitegen.importers.wphtml import Converted, plain_text
from sitegen.importers.wpterms import Vocabulary
from sitegen.importers.wpurls import Inferred, Zone, base_url, site_path
from sitegen.importers.wxr import Export, Item
from sitegen.urls import (
    is_safe_slug,
    output_path,
    page_url,
    permalink_problem,
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


@dataclass
class Entry:
    """One post or page as it will be written, and what became of it."""

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
    tags: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    summary: str = ""
    old_path: str | None = None
    aliases: list[str] = field(default_factory=list)
    permalink: str | None = None
    address: str = ""  # what became of the old address, for the report
    body: Converted | None = None
    media: list[tuple[str, str]] = field(default_factory=list)  # (URL, what became of it)


@dataclass
class Plan:
    export: Export
    base_url: str
    zone: Zone
    permalink: Inferred
    terms: Vocabulary
    entries: list[Entry]
    skipped: dict[str, int]  # item type or status -> how many were not imported
    files: dict[str, str] = field(default_factory=dict)  # relative path -> text
    copies: dict[str, Path] = field(default_factory=dict)  # relative path -> uploaded file
    warnings: list[SourceError] = field(default_factory=list)
    comments: int = 0


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
    entry = Entry(item=item, section=section, title=title, slug=slug, date=when, draft=draft,
                  author=export.authors.get(item.creator, item.creator),
                  tags=terms.names(item, "post_tag"), categories=terms.names(item, "category"),
                  summary=plain_text(item.excerpt))
    modified = _date(item, zone, modified=True)
    if modified is not None and when is not None and modified > when:
        entry.updated = modified
    entry.old_path = site_path(item.link, base_url(export.link)) if item.link else None
    if entry.old_path is None and item.link and not draft:
        entry.address = (f"not kept: {item.link} is a query or another site's address, which no static page "
                         "can answer")
    return entry


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


def place_entries(plan: Plan, zone: tzinfo) -> None:
    """File names, URLs, and the old addresses kept: a URL of the pattern, an alias, or (pages)
    their own permalink; two posts never share a file or a URL."""
    taken = {url_key(str(output_path(url))) for url in _SITE_PAGES}  # a build makes these itself
    files: set[str] = set()
    first = datetime.min.replace(tzinfo=UTC)
    for entry in sorted(plan.entries, key=lambda e: (e.draft, e.section, e.date or first, e.item.post_id)):
        base = entry.slug
        for number in range(1, 1000):
            slug = base if number == 1 else f"{base}-{number}"
            url, file = _address(entry, slug, plan.permalink.pattern, zone)
            if url_key(str(output_path(url))) not in taken and file.casefold() not in files:
                break
        if slug != entry.slug:
            plan.warnings.append(SourceError(
                plan.export.path, f"{entry.item.post_type} {entry.item.post_id}: slug {entry.slug!r} gives "
                f"another page's address; this one gets {slug!r}", line=entry.item.line,
                hint="import-report.md says what became of its old address"))
        entry.slug, entry.url, entry.file = slug, url, file
        taken.add(url_key(str(output_path(url))))
        files.add(file.casefold())
    for entry in plan.entries:
        if not entry.draft:
            _keep_old_address(entry, taken)


def _address(entry: Entry, slug: str, pattern: str, zone: tzinfo) -> tuple[str, str]:
    if entry.section == "pages":
        return page_url(slug), f"content/pages/{slug}.md"
    day = entry.date.astimezone(zone).date() if entry.date else datetime(1970, 1, 1).date()
    return (post_url(pattern, slug=slug, title=title_segment(slug), day=day),
            f"content/posts/{day.isoformat()}-{slug}.md")


def _keep_old_address(entry: Entry, taken: set[str]) -> None:
    old = entry.old_path
    if old is None:
        return
    if not old.endswith("/") and "." not in old.rsplit("/", 1)[-1]:
        old += "/"  # hosts answer /x with /x/ when /x/ is a folder
    if url_key(old) == url_key(entry.url):
        entry.address = "kept: the new URL is the old one"
        return
    if old == "/":
        entry.address = "not kept: it was the site's front page, now the list of posts"
        return
    own = entry.section == "pages" and permalink_problem(old, "own") is None
    alias = alias_path(old)
    if url_key(str(output_path(old))) in taken:
        entry.address = f"not kept: {old} is another page's address now"
    elif own:
        entry.permalink = old
        entry.address = f"kept: permalink: {old}"
        taken.add(url_key(str(output_path(old))))
    elif alias is None:
        entry.address = f"not kept: {old} has characters an alias cannot hold; the post is at {entry.url}"
    else:
        entry.aliases.append(alias)
        entry.address = f"redirects: {alias} -> {entry.url}"
        taken.add(url_key(str(output_path(alias))))
