"""Links inside HTML fragments: dangerous ones defused, root-relative ones under the site's path,
all made absolute for feeds; each changed inside tags only, never in text that shows HTML.

Pure: imports nothing from sitegen.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from html import unescape
from urllib.parse import urljoin

_URL_ATTRIBUTE = re.compile(r'(\s(?:href|src|action|formaction)=)"([^"]*)"', re.IGNORECASE)
_ROOT_LINK = re.compile(r'\s(?:href|src)="/(?!/)')
_LINK_VALUE = re.compile(r'\s(?:href|src|poster)="[^"]*"')  # as _ROOT_LINK, the way Markdown writes them
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_QUOTED = re.compile(r""""[^"]*"|'[^']*'""")
_INVISIBLE = re.compile(r"[\x00-\x20]+")  # what browsers skip in a URL's scheme


def is_dangerous_url(url: str) -> bool:
    """True for URLs that run code when followed: javascript:, vbscript:, and data: pages."""
    cleaned = _INVISIBLE.sub("", unescape(url)).lower()
    return cleaned.startswith(("javascript:", "vbscript:")) or (
        cleaned.startswith("data:") and not cleaned.startswith("data:image/"))


def defuse_urls(html: str) -> str:
    def dangerous(url: str) -> bool:
        # Only a value with a colon, plain or as a character reference, can name a scheme
        return (":" in url or "&" in url) and is_dangerous_url(url)

    if not any(dangerous(match.group(2)) for match in _URL_ATTRIBUTE.finditer(html)):
        return html  # nearly always: no new string
    return _URL_ATTRIBUTE.sub(lambda m: f'{m.group(1)}"#"' if dangerous(m.group(2)) else m.group(0), html)


def in_tags(attribute: re.Pattern[str], replace: Callable[[str], str], html: str) -> str:
    """Each match of `attribute` inside a tag replaced, not the same characters shown as text
    (in code about HTML, say)."""
    def inside(match: re.Match[str]) -> str:
        start = html.rfind("<", 0, match.start())
        since = html[start:match.start()]
        # a '>' since the last '<' ends the tag, unless it is in a quoted value (raw HTML)
        in_tag = start >= 0 and (">" not in since or ">" not in _QUOTED.sub("", since))
        return replace(match.group()) if in_tag else match.group()

    return attribute.sub(inside, html)


def with_base(html: str, base_path: str) -> str:
    """Root-relative links in content are relative to the site root, wherever it is served."""
    if base_path == "/":
        return html
    return in_tags(_ROOT_LINK, lambda attribute: attribute[:-1] + base_path, html)


@functools.lru_cache(maxsize=64)  # a feed's RSS and JSON Feed files show the same entries
def absolute_links(html: str, url: str) -> str:
    """Every link of an HTML fragment made absolute against `url`, the absolute URL of its page:
    RSS readers mostly ignore xml:base, and JSON Feed has none."""
    origin = url[: url.find("/", url.find("//") + 2)]  # https://host

    def absolute(attribute: str) -> str:
        head, _, value = attribute[:-1].partition('="')
        if value.startswith("#"):  # by far the most (headings' own links): without urljoin
            return f'{head}="{url}{value}"'
        if value.startswith("/") and not value.startswith("//"):
            return f'{head}="{origin}{value}"'
        if _SCHEME.match(value):
            return attribute
        return f'{head}="{urljoin(url, value)}"'

    return in_tags(_LINK_VALUE, absolute, html) if '="' in html else html
