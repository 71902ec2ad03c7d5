"""What an import writes besides the posts: sitegen.yaml (the old permalinks, time zone, address
and feed addresses), import-report.md (what became of every post, its shortcodes, its uploads
and its old address), and the summary line the command prints.

Pure. Imports models (the iframe hosts a site keeps by default) and the modules beside it.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

from sitegen.errors import count
from sitegen.importers.wpplan import Entry, Plan
from sitegen.importers.wpterms import CATEGORIES_FILE, used_names
from sitegen.models import IFRAME_HOSTS

_IFRAME_SOURCE = re.compile(r"<iframe\b[^>]*\ssrc=\"([^\"]+)\"", re.IGNORECASE)


def config_text(plan: Plan) -> str:
    """sitegen.yaml: the blog's title, address, language, time zone, URL patterns and old feeds."""
    export = plan.export
    lines = [f"# Made by sitegen import wordpress from {Path(export.path).name}; import-report.md says "
             "what became of each post."]
    for key, value in (("title", export.title), ("description", export.description)):
        if value.strip():
            lines.append(f"{key}: {json.dumps(' '.join(value.split()), ensure_ascii=False)}")
    authors = {e.author for e in plan.entries if e.author}
    if len(authors) == 1:
        lines.append(f"author: {json.dumps(authors.pop(), ensure_ascii=False)}")
    if plan.base_url:
        lines.append(f"base_url: {plan.base_url}")
    if export.language.strip():
        lines.append(f"language: {json.dumps(export.language.strip())}")
    lines += [f"# {plan.zone.name}: {plan.zone.why}", f"timezone: {plan.zone.name}", "permalinks:"]
    fitting = plan.permalink
    if fitting.wordpress:
        lines.append(f"  # WordPress's {fitting.wordpress}: the address of {fitting.fits} of "
                     f"{count(fitting.total, 'published post')}")
    lines += [f"  post: {fitting.pattern}", "  tag: /tag/:slug/"]
    if any(kind == "category" for kind, _ in plan.terms.terms):
        lines.append("  category: /category/:slug/")
    if plan.terms.hierarchy:
        lines += ["categories:", "  hierarchy: true"]
    lines += ["# WordPress's feeds were at /feed/, /tag/<slug>/feed/ and /category/<slug>/feed/: their "
              "readers get a copy of the RSS feed there", "feed_aliases: {feed/: rss}"]
    lines += ["markdown:", "  flavor: commonmark  # the posts' Markdown, as the import wrote it"]
    hosts = iframe_hosts(plan)
    if hosts:
        lines += [f"  # Posts embed players from {', '.join(hosts)}, which a build removes (with a "
                  "warning) until you trust them here:",
                  f"  # iframe_hosts: [{', '.join([*IFRAME_HOSTS, *hosts])}]"]
    return "\n".join(lines) + "\n"


def iframe_hosts(plan: Plan) -> list[str]:
    """Hosts of the iframes posts hold that a build does not keep by default."""
    found = set()
    for entry in plan.entries:
        for source in _IFRAME_SOURCE.findall(entry.body.markdown if entry.body else ""):
            host = (urlsplit(source).hostname or "").removeprefix("www.")
            if host and not any(host == h or host.endswith("." + h) for h in IFRAME_HOSTS):
                found.add(host)
    return sorted(found)


def counts(plan: Plan) -> dict[str, int]:
    published = [e for e in plan.entries if not e.draft]
    shortcodes = Counter(name for e in plan.entries if e.body for name in e.body.converted)
    left = sum(len(e.body.left) for e in plan.entries if e.body)
    return {
        "posts": sum(e.section == "posts" for e in published),
        "scheduled": sum(e.item.status == "future" for e in published),
        "pages": sum(e.section == "pages" for e in published),
        "drafts": sum(e.draft for e in plan.entries),
        # as tags.yaml and categories.yaml have them: a nested category's parents count too
        "tags": sum(e.written for e in plan.terms.entries(
            "post_tag", used_names(e.tags for e in plan.entries))),
        "categories": sum(e.written for e in plan.terms.entries(
            "category", used_names(e.categories for e in plan.entries))),
        "shortcodes converted": sum(shortcodes.values()),
        "shortcodes left": left,
        "media URLs": len({u for e in plan.entries for u, _ in e.media}),
        "media copied": len(plan.copies),
        "redirects": sum(len(e.aliases) for e in published),
        "addresses not kept": sum(e.address.startswith("not kept") for e in plan.entries),
        "links made site paths": sum(not why for e in plan.entries if e.body for _, _, why in e.body.links),
        "links left": sum(bool(why) for e in plan.entries if e.body for _, _, why in e.body.links),
        "not imported": sum(plan.skipped.values()),
        "comments": plan.comments,
    }


def summary(plan: Plan, site: str, *, dry_run: bool) -> str:
    """The line the command ends with."""
    n = counts(plan)
    scheduled = f" ({n['scheduled']} scheduled)" if n["scheduled"] else ""
    verb = "Would import" if dry_run else "Imported"
    skipped = ", ".join(count(k, kind) if kind.isalpha() else f"{k} {kind}"
                        for kind, k in sorted(plan.skipped.items()))
    text = (f"{verb} {count(n['posts'], 'post')}{scheduled}, {count(n['pages'], 'page')}, "
            f"{count(n['drafts'], 'draft')}, {count(n['tags'], 'tag')} and {n['categories']} "
            f"{'category' if n['categories'] == 1 else 'categories'} into {site}; "
            f"{n['shortcodes converted']} shortcodes converted, {n['shortcodes left']} left as text; "
            f"{count(n['media URLs'], 'media URL')} ({n['media copied']} copied); "
            f"old addresses: {n['redirects']} redirected, {n['addresses not kept']} not kept")
    if n["links made site paths"] or n["links left"]:
        text += (f"; links to the old site: {n['links made site paths']} made site paths, "
                 f"{n['links left']} left as they were")
    if skipped:
        text += f"; not imported: {skipped}"
    if n["comments"]:
        text += f"; {count(n['comments'], 'comment')} not imported"
    if plan.export.cut_short is not None:
        text += f"; THE EXPORT WAS CUT SHORT at line {plan.export.cut_short}: what came after it is missing"
    return text + (" (--dry-run: nothing was written)." if dry_run else ".")


def report_text(plan: Plan, uploads: Path | None) -> str:
    """import-report.md: the settings chosen and why, then every post and page."""
    export = plan.export
    lines = [f"# Import of {Path(export.path).name}", "",
             f"{summary(plan, 'this folder', dry_run=False)}", "",
             "## Settings (sitegen.yaml)", "",
             f"- base_url: {plan.base_url or '(none: the export has no site address)'}",
             f"- timezone: {plan.zone.name}, because {plan.zone.why}"
             + (f"; it does not give the offset of {count(plan.zone.misses, 'item')}, shown at the same "
                "moment in this zone" if plan.zone.misses else ""),
             f"- permalinks: post {plan.permalink.pattern}"
             + (f" (WordPress's {plan.permalink.wordpress}, the address of {plan.permalink.fits} of "
                f"{count(plan.permalink.total, 'published post')})" if plan.permalink.wordpress else
                " (no structure of the old links could be kept; they redirect)"),
             "- tag archives: /tag/<slug>/, category archives: /category/<slug>/"
             + (f" (nested: Parent/Child in {CATEGORIES_FILE})" if plan.terms.hierarchy else ""),
             f"- uploads: {'copied from ' + str(uploads) if uploads else 'not copied (no --uploads)'}", ""]
    if plan.warnings:
        lines += ["## Warnings", "", *(f"- {w.format('warning').splitlines()[0]}" for w in plan.warnings), ""]
    if plan.skipped or plan.comments:
        lines += ["## Not imported", ""]
        lines += [f"- {count(k, 'item')} of type {kind}" for kind, k in sorted(plan.skipped.items())]
        if plan.comments:
            lines.append(f"- {count(plan.comments, 'comment')}: sitegen has no comments")
        lines.append("")
    lines += ["## Posts and pages", ""]
    for entry in sorted(plan.entries, key=lambda e: e.file):
        lines += _entry_lines(entry)
    lines += ["## sitegen.yaml as the import writes it", "", "```yaml", config_text(plan).rstrip(), "```", ""]
    return "\n".join(lines)


def _tally(names: tuple[str, ...]) -> str:
    """`<script>, style attributes x3`: each name once, in order, with how many times."""
    return ", ".join(f"{name} x{times}" if times > 1 else name for name, times in Counter(names).items())


def _entry_lines(entry: Entry) -> list[str]:
    status = "draft" if entry.draft else ("scheduled" if entry.item.status == "future" else "published")
    lines = [f"### {entry.title}", "", f"- file: {entry.file} ({status}; WordPress {entry.item.post_type} "
                                       f"{entry.item.post_id or '?'}, {entry.item.status})"]
    if not entry.draft or entry.address:
        lines.append(f"- address: {entry.url} (old: {entry.item.link or 'none'}; {entry.address or 'none'})")
    if entry.body is not None:
        converted = Counter(entry.body.converted)
        if converted:
            lines.append("- converted: " + ", ".join(f"[{k}] x{n}" for k, n in sorted(converted.items())))
        kept = Counter(entry.body.kept_html)
        if kept:
            shown = ", ".join(f"<{k}> x{n}" for k, n in sorted(kept.items()))
            lines.append(f"- kept as HTML (the build cleans it): {shown}")
        for written, why in entry.body.left:
            lines.append(f"- left as text: `{written[:80]}` ({why})")
        made = sum(1 for _, _, why in entry.body.links if not why)
        if made:
            lines.append(f"- links to the old site made site paths: {made}")
        for written, _, why in entry.body.links:
            if why:
                lines.append(f"- link left to the old site: {written} ({why})")
        if entry.body.dropped:
            lines.append(f"- HTML the import writes no Markdown for (dropped): {_tally(entry.body.dropped)}")
        if entry.body.cleaned:
            lines.append(f"- raw HTML the build will clean: {_tally(entry.body.cleaned)}")
    for url, what in entry.media:
        lines.append(f"- media: {url}: {what}")
    return [*lines, ""]
