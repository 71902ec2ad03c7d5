"""A WordPress export as a sitegen site folder: one Markdown file per post and page (its links
to the old site's posts, pages and archives made site paths), the tag and category registries,
sitegen.yaml with the old permalink structure and time zone, the uploads the posts link to
(with --uploads), and import-report.md saying what became of each.

`plan_import` is pure but for looking at the uploads folder: the export in, the files to write
out. `write_site` writes them and never replaces a file that is there. No network, ever.
Imports errors and the modules beside it.
"""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit
from zoneinfo import ZoneInfo

from sitegen.errors import SitegenError, SourceError
from sitegen.importers import wpreport
from sitegen.importers.wphtml import media_urls, plain_text, to_markdown
from sitegen.importers.wpplan import DRAFTS, PUBLISHED, Entry, Plan, make_entry, place_entries, wp_date
from sitegen.importers.wpshortcodes import Attachment
from sitegen.importers.wpterms import CATEGORIES_FILE, Vocabulary, used_names, vocabulary
from sitegen.importers.wpurls import OldSite, Sample, base_url, infer_post_pattern, infer_timezone
from sitegen.importers.wxr import Export

Progress = Callable[[int, int], None]
REPORT_FILE = "import-report.md"
_UPLOADS = "wp-content/uploads"


def plan_import(export: Export, *, uploads: Path | None = None, progress: Progress | None = None) -> Plan:
    """Every file the import writes (and uploads it copies), with every warning."""
    terms = vocabulary(export)
    chosen = [i for i in export.items if i.post_type in ("post", "page") and i.status in PUBLISHED + DRAFTS]
    taken = {id(i) for i in chosen}
    skipped = Counter(f"{i.post_type} ({i.status})" if i.post_type in ("post", "page") else i.post_type
                      for i in export.items if id(i) not in taken)
    zone = infer_timezone([(local, gmt) for i in export.items
                           if (local := wp_date(i.date)) and (gmt := wp_date(i.date_gmt))], export.language)
    site_zone = ZoneInfo(zone.name)
    warnings = [*export.warnings, *terms.warnings]
    entries = [make_entry(item, export, site_zone, terms, warnings) for item in chosen]
    # WordPress dates its links by post_date, the local time it showed
    permalink = infer_post_pattern([
        Sample(e.old_path, e.slug, (wp_date(e.item.date) or e.date).date(), e.item.post_id)
        for e in entries if e.section == "posts" and not e.draft and e.old_path is not None and e.date])
    entries, placing = place_entries(entries, permalink.pattern, site_zone, export.path)
    warnings += placing
    attachments = {i.post_id: Attachment(url=i.attachment_url, caption=plain_text(i.excerpt), title=i.title,
                                         alt=i.meta.get("_wp_attachment_image_alt", ""), parent=i.parent_id,
                                         order=(i.menu_order, int(i.post_id) if i.post_id.isdigit() else 0))
                   for i in export.items if i.post_type == "attachment" and i.attachment_url}
    site, root = base_url(export.link), _uploads_root(uploads)
    old = old_site(site, entries, terms)
    files: dict[str, str] = {}
    copies: dict[str, Path] = {}
    converted = []
    for done, entry in enumerate(entries, 1):
        body = to_markdown(entry.item.content, attachments=attachments, post_id=entry.item.post_id,
                           relink=partial(old.relink, page=entry.item.link))
        markdown, media = _media(body.markdown, site, root, copies)
        entry = replace(entry, body=replace(body, markdown=markdown), media=media)
        files[entry.file] = text = front_matter(entry) + markdown
        warnings += _shortcode_warnings(entry, text)
        converted.append(entry)
        if progress is not None:
            progress(done, len(entries))
    plan = Plan(export=export, base_url=site, zone=zone, permalink=permalink, terms=terms,
                entries=tuple(converted), skipped=dict(skipped), comments=sum(i.comments for i in chosen),
                warnings=tuple(warnings), copies=copies)
    if any(kind == "post_tag" for kind, _ in terms.terms):
        files["tags.yaml"] = terms.registry("post_tag", used_names(e.tags for e in converted))
    if any(kind == "category" for kind, _ in terms.terms):
        files[CATEGORIES_FILE] = terms.registry("category", used_names(e.categories for e in converted))
    files["sitegen.yaml"] = wpreport.config_text(plan)
    files[REPORT_FILE] = wpreport.report_text(plan, uploads)
    return replace(plan, files=files)


def old_site(site: str, entries: list[Entry], terms: Vocabulary) -> OldSite:
    """Where each address of the old site the import knows leads now: each post's and page's
    (by its link, its new URL and aliases, and its ?p= or ?page_id= id), each tag's and
    category's archive, the front page; a draft's, to nothing."""
    addresses: dict[str, tuple[str, str]] = {OldSite.key("/"): ("/", "")}
    for taxonomy, prefix in (("post_tag", "/tag/"), ("category", "/category/")):
        used = used_names(e.tags if taxonomy == "post_tag" else e.categories for e in entries)
        for path, now in terms.addresses(taxonomy, used).items():
            addresses.setdefault(OldSite.key(f"{prefix}{path}/"), (f"{prefix}{now}/", ""))
    for entry in sorted(entries, key=lambda e: e.draft):  # a published post's address first
        keys = [OldSite.key(entry.old_path)] if entry.old_path is not None else []
        keys += [OldSite.id_key(entry.item.post_id)] if entry.item.post_id else []
        if entry.draft:
            why = "password-protected, it is a draft now" if entry.item.password else "it is a draft"
            for key in keys:
                addresses.setdefault(key, ("", why))
            continue
        for key in (*keys, OldSite.key(entry.url), *map(OldSite.key, entry.aliases)):
            addresses.setdefault(key, (entry.url, ""))
    return OldSite(site, addresses)


def front_matter(entry: Entry) -> str:
    """The entry's front matter, every value written so YAML reads it back as it is."""
    def text(value: str) -> str:
        return json.dumps(value, ensure_ascii=False)

    lines = ["---", f"title: {text(entry.title)}"]
    if entry.date is not None:
        lines.append(f"date: {entry.date.isoformat()}")
    if entry.updated is not None:
        lines.append(f"updated: {entry.updated.isoformat()}")
    if entry.author:
        lines.append(f"author: {text(entry.author)}")
    lines.append(f"slug: {text(entry.slug)}")
    for key, names in (("tags", entry.tags), ("categories", entry.categories)):
        if names:
            lines.append(f"{key}: [{', '.join(map(text, names))}]")
    if entry.summary:
        lines.append(f"summary: {text(entry.summary)}")
    if entry.draft:
        lines.append("draft: true")
    if entry.aliases:
        lines.append(f"aliases: [{', '.join(map(text, entry.aliases))}]")
    if entry.permalink:
        lines.append(f"permalink: {text(entry.permalink)}")
    if entry.section == "posts" and entry.item.guid:
        lines.append(f"id: {text(entry.item.guid)}")  # the feed's entry id, so readers see no new post
    return "\n".join([*lines, "---", "", ""])


def _uploads_root(uploads: Path | None) -> Path | None:
    """The folder that holds 2020/01/x.jpg: --uploads itself, or its wp-content/uploads."""
    if uploads is None:
        return None
    nested = uploads / _UPLOADS
    return nested if nested.is_dir() else uploads


def _media(markdown: str, site: str, root: Path | None,
           copies: dict[str, Path]) -> tuple[str, tuple[tuple[str, str], ...]]:
    """The post's Markdown, and each upload it links to with what became of it; with --uploads,
    the site's own are added to `copies` (for static/wp-content/uploads/) and linked there."""
    moves: dict[str, str] = {}
    media: list[tuple[str, str]] = []
    for url in media_urls(markdown):
        if not own_host(url, site):
            media.append((url, "another site's file: linked as it was"))
            continue
        relative = upload_path(url).lstrip("/")
        source = (root / relative).resolve() if root is not None else None
        if source is None or root is None:
            media.append((url, "linked as it was (--uploads copies it into static/)"))
        elif (not source.is_relative_to(root.resolve()) or ".." in Path(relative).parts
              or not source.is_file()):
            # a post is not trusted: it never makes the import copy a file from elsewhere
            media.append((url, f"linked as it was: {relative} is not in the uploads folder"))
        else:
            target = f"static/{_UPLOADS}/{relative}"
            copies[target] = source
            moves[url] = f"/{_UPLOADS}/{quote(relative)}"
            media.append((url, f"copied to {target}"))
    if moves:
        pattern = re.compile("|".join(re.escape(url) for url in sorted(moves, key=len, reverse=True)))
        markdown = pattern.sub(lambda m: moves[m[0]], markdown)
    return markdown, tuple(media)


def own_host(url: str, site: str) -> bool:
    """Whether an upload is the site's own: on its host, or its wordpress.com files host."""
    host, base = urlsplit(url).hostname or "", urlsplit(site).hostname or ""
    name, dotcom, _ = base.rpartition(".wordpress.com")
    files = f"{name}.files.wordpress.com" if dotcom else ""
    return bool(base) and host in (base, files)


def upload_path(url: str) -> str:
    """An upload's path below wp-content/uploads/ (2020/01/x.jpg), percent-decoded."""
    path = unquote(urlsplit(url).path)
    return path.split(f"/{_UPLOADS}/", 1)[1] if f"/{_UPLOADS}/" in path else path.lstrip("/")


def _shortcode_warnings(entry: Entry, text: str) -> list[SourceError]:
    """One warning for each shortcode left as text, at its line in the written file."""
    found = []
    for written, why in entry.body.left if entry.body else ():
        at = text.find(written)
        found.append(SourceError(
            entry.file, f"shortcode {written[:60]} in {entry.title!r} is left as text: {why}",
            line=text.count("\n", 0, at) + 1 if at >= 0 else None,
            hint="replace it with Markdown or HTML; the page shows it as it is written"))
    return found


def check_site_dir(site: Path, *, merge: bool) -> None:
    """Refuse a site folder that is a file, or holds anything (but .git) without --merge."""
    if site.exists() and not site.is_dir():
        raise SitegenError(f"{site} is a file, not a folder")
    held = sorted(p.name for p in site.iterdir() if p.name != ".git") if site.is_dir() else []
    if held and not merge:
        shown = ", ".join(held[:3]) + (", ..." if len(held) > 3 else "")
        raise SitegenError(f"{site} is not empty (it holds {shown})",
                           hint="import into a new folder, or pass --merge to add the imported files to it "
                                "(no file there is replaced)")


def write_site(plan: Plan, site: Path) -> list[SourceError]:
    """Write the planned files and copies into `site`; a file that is there is left as it is,
    with a warning each."""
    kept: list[SourceError] = []
    for relative, text in sorted(plan.files.items()):
        if not _create(site / relative, text.encode("utf-8")):
            kept.append(_kept(relative, plan))
    for relative, source in sorted(plan.copies.items()):
        if not _create(site / relative, source):
            kept.append(_kept(relative, plan))
    return kept


def _create(path: Path, data: bytes | Path) -> bool:
    """Write a new file; False when one is there already (it is never opened for writing)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(path, "xb") as out:
            if isinstance(data, bytes):
                out.write(data)
            else:
                with open(data, "rb") as source:
                    shutil.copyfileobj(source, out)
    except FileExistsError:
        return False
    if isinstance(data, Path):
        shutil.copystat(data, path)  # the upload's own time, as the old site served it
    return True


def _kept(relative: str, plan: Plan) -> SourceError:
    hint = "the file there was kept: compare it with the import's by hand"
    if relative == "sitegen.yaml":
        hint = f"add what the import's would set (see {REPORT_FILE}) by hand: permalinks, timezone, base_url"
    return SourceError(relative, "is already in the site folder; the import's version was not written",
                       hint=hint)
