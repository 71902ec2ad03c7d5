"""Feeds read back as a feed reader reads them: Atom and RSS by feedparser, JSON Feed by the
rules of its spec (https://www.jsonfeed.org/version/1.1/), written out here."""

from __future__ import annotations

import json
import re
import warnings
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import feedparser

FORMATS = {"feed.xml": "atom10", "rss.xml": "rss20", "feed.json": "json"}  # file -> what it must be
JSON_VERSION = "https://jsonfeed.org/version/1.1"
_FEED_KEYS = {"version", "title", "home_page_url", "feed_url", "description", "user_comment", "next_url",
              "icon", "favicon", "authors", "language", "expired", "hubs", "items"}
_ITEM_KEYS = {"id", "url", "external_url", "title", "content_html", "content_text", "summary", "image",
              "banner_image", "date_published", "date_modified", "authors", "tags", "language",
              "attachments"}
# RFC 3339's date-time: a full date, a full time, and an offset (Z or +hh:mm)
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")


def parse_feed(data: bytes) -> Any:
    with warnings.catch_warnings():  # a deprecation inside feedparser is not ours to fail on
        warnings.simplefilter("ignore")
        return feedparser.parse(data)


def json_feed_problems(data: bytes, base: str) -> list[str]:
    """What a JSON Feed 1.1 reader would object to, and links that do not stay under `base`."""
    try:
        feed = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return [f"not JSON: {error}"]
    if not isinstance(feed, dict):
        return ["the top level is not an object"]
    problems = [f"unknown key {k!r}" for k in feed if k not in _FEED_KEYS and not k.startswith("_")]
    if feed.get("version") != JSON_VERSION:
        problems.append(f"version is {feed.get('version')!r}, not {JSON_VERSION}")
    if not isinstance(feed.get("title"), str) or not feed["title"]:
        problems.append("no title")
    for key in ("home_page_url", "feed_url"):
        if not str(feed.get(key, "")).startswith(base):
            problems.append(f"{key} {feed.get(key)!r} is not under {base}")
    items = feed.get("items")
    if not isinstance(items, list):
        return [*problems, "items is not a list"]
    ids = [item.get("id") for item in items if isinstance(item, dict)]
    if len(ids) != len(set(map(str, ids))):
        problems.append("two items share an id")
    for number, item in enumerate(items, 1):
        where = f"item {number}"
        if not isinstance(item, dict):
            problems.append(f"{where} is not an object")
            continue
        problems += [f"{where}: unknown key {k!r}" for k in item
                     if k not in _ITEM_KEYS and not k.startswith("_")]
        if not isinstance(item.get("id"), str) or not item["id"]:
            problems.append(f"{where}: the id must be a string")
        if not isinstance(item.get("content_html"), str) or not item["content_html"]:
            problems.append(f"{where}: no content_html")
        if not str(item.get("url", "")).startswith(base):
            problems.append(f"{where}: url {item.get('url')!r} is not under {base}")
        for key in ("date_published", "date_modified"):
            value = item.get(key)
            if not isinstance(value, str) or not _RFC3339.fullmatch(value):
                problems.append(f"{where}: {key} {value!r} is not an RFC 3339 date-time")
            else:
                datetime.fromisoformat(value)
        for author in item.get("authors", []):
            if not isinstance(author, dict) or not isinstance(author.get("name"), str):
                problems.append(f"{where}: an author without a name")
        if not all(isinstance(tag, str) for tag in item.get("tags", [])):
            problems.append(f"{where}: tags must be strings")
        for link in links(str(item.get("content_html", ""))):
            if not urlsplit(link).scheme:
                problems.append(f"{where}: a relative link {link!r} in content_html")
    return problems


class _Links(HTMLParser):
    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [value for name, value in attrs if name in ("href", "src") and value]


def links(html: str) -> list[str]:
    """The href and src values of an HTML text, as written."""
    return _Links(html).found


def entries(folder: Path, base: str) -> dict[str, list[tuple[str, str, str, list[str]]]]:
    """Each format's entries in a feed folder (id, title, link, links in the content resolved),
    after checking that a reader takes each file without complaint."""
    found = {}
    for name, version in FORMATS.items():
        path = folder / name
        data = path.read_bytes()
        if version == "json":
            problems = json_feed_problems(data, base)
            assert not problems, f"{path}: {problems}"
            items = json.loads(data)["items"]
            found[name] = [(i["id"], i["title"], i["url"], links(i["content_html"])) for i in items]
            continue
        parsed = parse_feed(data)
        assert not parsed.bozo, (path, parsed.get("bozo_exception"))
        assert parsed.version == version, (path, parsed.version)
        found[name] = [(e.id, e.title, e.link, links(e.content[0].value)) for e in parsed.entries]
    return found
