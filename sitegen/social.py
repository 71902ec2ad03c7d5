"""What a shared link and a search engine read of a page: its picture, and its schema.org
structured data (JSON-LD) built as plain dicts and written as a script's text that no value can
end early.

Imports models, urls. Pure: the parser finds a post's first picture, the renderer hands the rest to templates.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterable, Mapping
from html import unescape
from typing import Any

from sitegen.models import Config, Post, Tag
from sitegen.urls import absolute_url, folder_url, is_external

SCHEMA = "https://schema.org"
# Inside <script>, "</script" or "<!--" in a value would end the script or change how it is read:
# the characters that can start them are written as JSON escapes, which parse to the same text.
# str.replace, not str.translate: a table mapping to strings takes translate's slow path, 25 times
# slower, a second of a 10,000-post build's CPU (a script on every post, tag and archive page).
_SCRIPT_SAFE = (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"))
_IMAGE_SOURCE = re.compile(r"""<img\b[^>]*?\ssrc\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_WEB = re.compile(r"https?://[^/]", re.IGNORECASE)


def json_ld(data: Mapping[str, Any]) -> str:
    """The text of a <script type="application/ld+json"> holding `data`: JSON, without a "<"."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for character, escape in _SCRIPT_SAFE:
        text = text.replace(character, escape)
    return text


def first_image(html: str, url: str, base_path: str) -> str:
    """The first picture of a post's HTML that a shared link can show, as a site URL (or an
    absolute one when it is elsewhere); "" when there is none. `url` is the post's, for pictures
    beside it; `base_path` the site's path prefix, which root-relative sources carry in the HTML."""
    for match in _IMAGE_SOURCE.finditer(html):
        source = unescape(match[1] if match[1] is not None else match[2]).strip()
        if _WEB.match(source):
            return source
        if source.startswith("//"):  # a network path: the reader's scheme, https for a card
            return "https:" + source
        if not source or is_external(source):  # data: and the like are no address to share
            continue
        if source.startswith("/"):
            return "/" + source.removeprefix(base_path) if source.startswith(base_path) else source
        return posixpath.normpath(posixpath.join(folder_url(url), source))
    return ""


def card_image(config: Config, post: Post | None = None) -> str:
    """The absolute URL of the picture a shared link shows: the post's own (its front matter's
    image, else the first image in its text), else the site's; "" when there is none."""
    image = (post.image if post is not None else "") or config.image
    return absolute_url(config.base_url, image) if image else ""


def _site(config: Config) -> dict[str, Any]:
    return {"@type": "WebSite", "name": config.title, "url": absolute_url(config.base_url, "/")}


def website(config: Config) -> dict[str, Any]:
    """The home page: the site itself."""
    data: dict[str, Any] = {"@context": SCHEMA, **_site(config), "inLanguage": config.language}
    if config.description:
        data["description"] = config.description
    image = card_image(config)
    if image:
        data["image"] = image
    return data


def blog_posting(config: Config, post: Post) -> dict[str, Any]:
    """A post: what it is called, when it was written and changed, by whom, about what."""
    url = absolute_url(config.base_url, post.url)
    data: dict[str, Any] = {
        "@context": SCHEMA, "@type": "BlogPosting", "headline": post.title, "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url}, "inLanguage": config.language,
    }
    if post.date is not None:
        data["datePublished"] = post.date.isoformat(timespec="seconds")
    if post.lastmod is not None:
        data["dateModified"] = post.lastmod.isoformat(timespec="seconds")
    description = post.description or post.summary
    if description:
        data["description"] = description
    if post.author:
        data["author"] = {"@type": "Person", "name": post.author}
    if post.tags:
        data["keywords"] = [tag.name for tag in post.tags]
    if post.categories:
        data["articleSection"] = [category.name for category in post.categories]
    image = card_image(config, post)
    if image:
        data["image"] = image
    data["publisher"] = {"@type": "Organization", "name": config.title,
                         "url": absolute_url(config.base_url, "/")}
    return data


def collection_page(config: Config, title: str, url: str,
                    trail: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """A list of posts (a tag's, a category's, a period's) with the way to it from the home page:
    `trail` holds (name, site URL) pairs from the top, the page's own last."""
    items = [{"@type": "ListItem", "position": number, "name": name,
              "item": absolute_url(config.base_url, link)}
             for number, (name, link) in enumerate(trail, start=1)]
    return {"@context": SCHEMA, "@type": "CollectionPage", "name": title,
            "url": absolute_url(config.base_url, url), "inLanguage": config.language,
            "isPartOf": _site(config), "breadcrumb": {"@type": "BreadcrumbList", "itemListElement": items}}


def term_trail(home: str, index: tuple[str, str], ancestors: Iterable[Tag], term: Tag
               ) -> list[tuple[str, str]]:
    """Home > Tags (or Categories) > each ancestor > the term, as (name, site URL) pairs."""
    return [(home, "/"), index, *((tag.short_name, tag.url) for tag in ancestors),
            (term.short_name, term.url)]


def front_image(link: str, url: str, *, bundled: bool) -> str:
    """Front matter's image as a site URL or an absolute one: a relative path names a file beside
    the post (its URL `url`) in a page bundle, as Hugo reads it, else one from the site's root, as
    Jekyll does."""
    if is_external(link) or link.startswith("/"):
        return link
    return posixpath.normpath(posixpath.join(folder_url(url) if bundled else "/", link))
