"""A feed in three formats from one list of entries: each post's feed id, worked out once for the
whole site, and JSON Feed 1.1 built as a Python value and dumped (Atom and RSS are templates, which
a theme can override).

Pure. Imports markup (links made absolute, plain text), models, urls.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime

from sitegen.htmllinks import absolute_links
from sitegen.markup import plain_text
from sitegen.models import EPOCH, Config, Post
from sitegen.urls import POST_PERMALINK, absolute_url, expand

JSON_FEED = "feed.json"  # the page "template" the renderer builds with json_feed rather than Jinja
TEMPLATES = {"atom": "atom.xml", "rss": "rss.xml", "json": JSON_FEED}  # format -> template
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def feed_ids(posts: Iterable[Post], base_url: str) -> dict[str, str]:
    """Each post's feed entry id, by source path; the same in every feed and every format.

    A post's `id:` (an imported post keeps its old feed's guid) wins. Otherwise the id is the
    absolute URL the post has under the default pattern, /posts/<slug>/: the post's URL on a site
    that never changed `permalinks:`, as sitegen always made it, and one that does not move when
    `permalinks:` does (feed readers would show every post again as new). Posts that share a
    slug (/2024/notes/, /2025/notes/) each need their own: the oldest keeps the plain one, the
    others add their day, and a number if that is shared too.
    """
    ids: dict[str, str] = {}
    taken: set[str] = set()
    # the pattern around the slug, worked out once: every post of the site has an id, every build
    head, _, tail = expand(POST_PERMALINK, {"slug": "\x00"}).partition("\x00")
    for post in sorted(posts, key=lambda p: (p.date or EPOCH, str(p.source))):
        if post.id:
            ids[str(post.source)] = post.id
            continue
        url = head + post.slug + tail if post.slug else post.url
        if post.slug and "//" in url:  # a slash at an end of the slug: one, as expand leaves it
            url = expand(POST_PERMALINK, {"slug": post.slug})
        plain = absolute_url(base_url, url)
        found, number = plain, 1
        while found in taken:
            number += 1
            day = (post.date or EPOCH).date().isoformat()
            found = f"{plain}#{day}" + (f"-{number - 1}" if number > 2 else "")
        taken.add(found)
        ids[str(post.source)] = found
    return ids


def json_feed(context: Mapping[str, object], config: Config) -> str:
    """A JSON Feed 1.1 document (https://www.jsonfeed.org/version/1.1/) of a feed page's context:
    the same entries as its Atom and RSS files, every link absolute."""
    base = config.base_url
    posts, ids = context["feed_posts"], context["feed_ids"]
    assert isinstance(posts, tuple) and isinstance(ids, tuple)
    feed: dict[str, object] = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": context["feed_title"],
        "home_page_url": absolute_url(base, str(context["feed_home"])),
        "feed_url": absolute_url(base, str(context["feed_url"])),
    }
    description = context.get("feed_description_html")
    described = plain_text(description).strip() if isinstance(description, str) and description else ""
    if described or config.description:
        feed["description"] = described or config.description
    feed["language"] = config.language
    if config.author:
        feed["authors"] = [{"name": config.author}]
    feed["items"] = [_item(post, entry_id, base) for post, entry_id in zip(posts, ids, strict=True)]
    return json.dumps(feed, ensure_ascii=False) + "\n"  # without indent: json's C encoder, 3x faster


def _item(post: Post, entry_id: str, base: str) -> dict[str, object]:
    url = absolute_url(base, post.url)
    item: dict[str, object] = {"id": entry_id, "url": url, "title": post.title,
                               "content_html": absolute_links(post.body_html, url)}
    if post.summary:
        item["summary"] = post.summary
    if post.date:
        item["date_published"] = post.date.isoformat(timespec="seconds")
    if post.lastmod:
        item["date_modified"] = post.lastmod.isoformat(timespec="seconds")
    if post.authors:
        item["authors"] = [{"name": a.name, **({"url": absolute_url(base, a.url)} if a.has_page else {})}
                           for a in post.authors]
    elif post.author:
        item["authors"] = [{"name": post.author}]
    names = [term.name for term in (*post.categories, *post.tags)]
    if names:
        item["tags"] = names
    return item


def format_rfc822(when: datetime) -> str:
    """RSS's dates, as RFC 822 writes them (with a four-digit year): "Tue, 28 Jan 2025 14:30:00 +0100",
    in English whatever the site's language."""
    offset = when.strftime("%z") or "+0000"
    return f"{_DAYS[when.weekday()]}, {when.day:02d} {_MONTHS[when.month - 1]} {when.year:04d} " \
           f"{when.hour:02d}:{when.minute:02d}:{when.second:02d} {offset}"
