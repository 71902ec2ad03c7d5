"""Find broken links in a rendered site: missing pages, files and heading anchors.

Stage after rendering, pure: it reads rendered bytes, never the disk. Imports errors, models,
urls. External links are tried only on request, with a timeout each.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from sitegen.errors import ContentError, SourceError
from sitegen.models import Post, Site
from sitegen.urls import folder_url, in_bundle, is_external, linked_source, output_path

USER_AGENT = "sitegen-link-check (+static site generator)"


def check_links(site: Site, outputs: Mapping[PurePosixPath, bytes]) -> list[SourceError]:
    """Every internal link in posts and pages that leads nowhere, located at its line."""
    ids: dict[PurePosixPath, frozenset[str]] = {}
    sources = {str(p.source): p.url for p in (*site.posts, *site.pages)}
    problems: list[SourceError] = []
    for post in (*site.posts, *site.pages):
        for target, line in post.links:
            if is_external(target):  # any scheme: http:, mailto:, data:...
                continue
            problem = _problem(post, target, sources, outputs, ids)
            if problem:
                problems.append(ContentError(post.source, problem, line=line))
    return problems


def _problem(post: Post, target: str, sources: Mapping[str, str],
             outputs: Mapping[PurePosixPath, bytes],
             ids: dict[PurePosixPath, frozenset[str]]) -> str | None:
    path, _, fragment = target.partition("#")
    path = unquote(path.split("?")[0])
    resolved = linked_source(post.source.parent, path) if path.endswith(".md") else ""
    if resolved in sources:
        url = sources[resolved]
    elif resolved and not in_bundle(post.source, resolved):
        return f"broken link: {target} is not a published post or page"
    elif path == "":
        url = post.url
    else:
        url = path if path.startswith("/") else posixpath.normpath(posixpath.join(folder_url(post.url), path))
        url += "/" if path.endswith("/") and not url.endswith("/") else ""
    found = _output_for(url, outputs)
    if found is None:
        return f"broken link: {target} (nothing is built at {url})"
    if fragment and found.suffix == ".html":
        if found not in ids:
            ids[found] = _ids(outputs[found])
        if unquote(fragment) not in ids[found]:
            return f"broken link: {target} (no element with id '{fragment}' on {url})"
    return None


def _output_for(url: str, outputs: Mapping[PurePosixPath, bytes]) -> PurePosixPath | None:
    candidates = [output_path(url)]
    if not url.endswith("/"):
        candidates.append(output_path(url + "/"))
    return next((c for c in candidates if c in outputs), None)


def _ids(html: bytes) -> frozenset[str]:
    collector = _IdCollector()
    collector.feed(html.decode("utf-8", "replace"))
    return frozenset(collector.ids)


class _IdCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" or (tag == "a" and name == "name"):
                self.ids.add(value or "")


def check_external(site: Site, *, timeout: float = 10.0, workers: int = 8) -> list[SourceError]:
    """Try every external http(s) link once; each failure is reported where the link is."""
    places: dict[str, list[tuple[Post, int]]] = {}
    for post in (*site.posts, *site.pages):
        for target, line in post.links:
            if urlsplit(target).scheme in ("http", "https"):
                places.setdefault(target.split("#")[0], []).append((post, line))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = dict(zip(places, pool.map(lambda url: _fetch(url, timeout), places), strict=True))
    return [ContentError(post.source, f"external link {url} failed: {failure}", line=line)
            for url, failure in sorted(results.items()) if failure
            for post, line in places[url]]


def _fetch(url: str, timeout: float) -> str | None:
    import urllib.error  # here: only --external needs the network stack
    import urllib.request

    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT}, method="GET")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            response.read(0)
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code}"
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return str(reason)
    return None


