"""The demo site served the way a host serves it, crawled link by link.

The demo is built with a base URL and served by a small stdlib HTTP server under that base
URL's path only (`/blog/...`, or `/` for a site at the root of its domain): a link that
forgets the path prefix gets a 404, as it would on GitHub Pages or any shared host.
From the home page the crawler follows every internal `href`/`src` of `<a>`, `<link>`,
`<script>` and `<img>` and fetches each one; absolute links on the site's own domain are
fetched from the local server too.
"""

from __future__ import annotations

import mimetypes
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import unquote, urldefrag, urljoin, urlsplit
from urllib.request import urlopen

import pytest

from sitegen.builder import build
from sitegen.config import load_config
from tests.conftest import NOW, REPO

LINK_ATTRIBUTES = {"a": ("href",), "link": ("href",), "script": ("src",), "img": ("src",)}
SKIPPED_SCHEMES = ("mailto", "tel", "javascript", "data")


# --- the server -----------------------------------------------------------------------------

def make_handler(root: Path, prefix: str) -> type[BaseHTTPRequestHandler]:
    """A handler serving `root` at URL path `prefix` ("/blog/" or "/"), strictly.

    Folder URLs ("/blog/x/") serve x/index.html; a folder without its trailing slash, a path
    outside the prefix, or a missing file is a 404. Nothing is redirected.
    """
    root = root.resolve()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            self._respond(body=True)

        def do_HEAD(self) -> None:  # noqa: N802
            self._respond(body=False)

        def _respond(self, *, body: bool) -> None:
            target = self._file()
            if target is None:
                self.send_error(404)
                return
            data = target.read_bytes()
            kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if body:
                self.wfile.write(data)

        def _file(self) -> Path | None:
            path = unquote(urlsplit(self.path).path)
            if not path.startswith(prefix):
                return None
            relative = path[len(prefix):]
            if relative == "" or relative.endswith("/"):
                relative += "index.html"
            parts = relative.split("/")
            if any(part in ("", ".", "..") for part in parts):
                return None
            target = root.joinpath(*parts)
            if not target.resolve().is_relative_to(root) or not target.is_file():
                return None
            return target

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass  # keep the test output clean

    return Handler


@dataclass
class Served:
    base_url: str  # the public base URL the site was built for
    local_base: str  # the same base on the local server, e.g. http://127.0.0.1:4242/blog/
    output: Path
    crawl: Crawl


def serve(root: Path, prefix: str) -> tuple[ThreadingHTTPServer, threading.Thread]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(root, prefix))
    thread = threading.Thread(target=server.serve_forever, name="test-subpath-server", daemon=True)
    thread.start()
    return server, thread


# --- the crawler ----------------------------------------------------------------------------

class _PageParser(HTMLParser):
    """The links and the element ids of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"] or "")
        for name in LINK_ATTRIBUTES.get(tag, ()):
            value = values.get(name)
            if value is not None:
                self.links.append(value)

    handle_startendtag = handle_starttag


@dataclass
class Fetched:
    status: int
    content_type: str = ""
    ids: set[str] = field(default_factory=set)
    links: list[str] = field(default_factory=list)


@dataclass
class Crawl:
    pages: dict[str, Fetched] = field(default_factory=dict)  # local URL without fragment
    # (page it was found on, href as written, local URL with fragment)
    links: list[tuple[str, str, str]] = field(default_factory=list)


def fetch(url: str) -> Fetched:
    try:
        with urlopen(url, timeout=10) as response:
            content_type = response.headers.get_content_type()
            data = response.read()
            status = response.status
    except HTTPError as error:
        with error:
            return Fetched(status=error.code)
    fetched = Fetched(status=status, content_type=content_type)
    if content_type == "text/html":
        parser = _PageParser()
        parser.feed(data.decode("utf-8"))
        parser.close()
        fetched.ids, fetched.links = parser.ids, parser.links
    return fetched


def to_local(href: str, page: str, base_url: str, local_base: str) -> str | None:
    """The local URL an href on `page` points at, or None when it leaves the site's domain."""
    parts = urlsplit(href)
    if parts.scheme in SKIPPED_SCHEMES:
        return None
    public = urlsplit(base_url)
    if parts.scheme or parts.netloc:  # absolute, or scheme-relative "//host/..."
        if parts.netloc != public.netloc or parts.scheme not in ("", public.scheme):
            return None  # another site
        local = urlsplit(local_base)
        return parts._replace(scheme=local.scheme, netloc=local.netloc).geturl()
    return urljoin(page, href)


def crawl(base_url: str, local_base: str) -> Crawl:
    """Fetch every internal URL reachable from the home page, following HTML pages."""
    result = Crawl()
    queue = [local_base]
    while queue:
        url = queue.pop(0)
        if url in result.pages:
            continue
        fetched = result.pages[url] = fetch(url)
        for href in fetched.links:
            local = to_local(href, url, base_url, local_base)
            if local is None:
                continue
            result.links.append((url, href, local))
            target = urldefrag(local).url
            if target not in result.pages:
                queue.append(target)
    return result


# --- fixtures -------------------------------------------------------------------------------

@pytest.fixture(scope="module", params=["https://example.org/blog/", "https://example.org/"],
                ids=["subpath", "root"])
def served(request: pytest.FixtureRequest,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    base_url: str = request.param
    output = tmp_path_factory.mktemp("subpath") / "public"
    build(load_config(REPO, now=NOW, output_dir=output, base_url=base_url))
    prefix = urlsplit(base_url).path
    server, thread = serve(output, prefix)
    try:
        host, port = server.server_address[:2]
        local_base = f"http://{host}:{port}{prefix}"
        yield Served(base_url, local_base, output, crawl(base_url, local_base))
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _shown(served: Served, local: str) -> str:
    """A local URL as the site path a reader would see, e.g. /blog/posts/x/."""
    return local.removeprefix(served.local_base.removesuffix(urlsplit(served.base_url).path))


# --- tests ----------------------------------------------------------------------------------

def test_the_server_only_serves_under_the_prefix(served: Served) -> None:
    """The harness itself: without this, a link missing /blog/ could pass unnoticed."""
    origin = served.local_base.removesuffix(urlsplit(served.base_url).path)
    assert fetch(served.local_base).status == 200
    assert fetch(served.local_base + "posts/coding-in-cafes/").status == 200
    assert fetch(served.local_base + "posts/coding-in-cafes").status == 404  # no trailing slash
    assert fetch(served.local_base + "no-such-page/").status == 404
    assert fetch(served.local_base + "../.sitegen").status == 404
    if served.local_base != origin + "/":
        assert fetch(origin + "/posts/coding-in-cafes/").status == 404
        assert fetch(origin + "/").status == 404


def test_the_crawl_reaches_the_whole_site(served: Served) -> None:
    pages = {_shown(served, url) for url, f in served.crawl.pages.items() if f.status == 200}
    prefix = urlsplit(served.base_url).path
    for path in ("", "tags/", "archive/", "about/", "page/2/", "feed.xml", "css/style.css",
                 "tags/paradigm-shift-in-ai/", "tags/paradigm-shift-in-ai/feed.xml",
                 "categories/", "categories/programming/", "categories/programming/feed.xml",
                 "posts/open-weights-reasoning-shakeup/"):
        assert prefix + path in pages


def test_every_internal_link_resolves(served: Served) -> None:
    status = {url: fetched.status for url, fetched in served.crawl.pages.items()}
    broken = sorted({
        f"{_shown(served, page)} links to {href!r} -> HTTP {status[urldefrag(local).url]}"
        for page, href, local in served.crawl.links
        if status[urldefrag(local).url] != 200
    })
    assert not broken, f"{len(broken)} broken links:\n" + "\n".join(broken)


def test_every_html_file_is_linked_from_the_site(served: Served) -> None:
    reached = set()
    for url, fetched in served.crawl.pages.items():
        if fetched.status != 200:
            continue
        path = urlsplit(url).path.removeprefix(urlsplit(served.local_base).path)
        reached.add(path + "index.html" if path == "" or path.endswith("/") else path)
    # Redirect pages stand at old URLs on purpose: nothing links to them, but each must lead on.
    redirects = {p.relative_to(served.output).as_posix() for p in served.output.rglob("*.html")
                 if 'http-equiv="refresh"' in p.read_text("utf-8")}
    files = {p.relative_to(served.output).as_posix() for p in served.output.rglob("*.html")}
    orphans = sorted(files - reached - redirects - {"404.html"})
    assert redirects, "the demo's tag alias should have left a redirect page"
    for redirect in redirects:
        target = (served.output / redirect).read_text("utf-8").split('url=')[1].split('"')[0]
        relative = target.removeprefix(urlsplit(served.local_base).path)
        assert (served.output / relative / "index.html").is_file(), f"{redirect} -> {target}"
    assert files, "the build wrote no HTML"
    assert not orphans, "HTML files no page links to:\n" + "\n".join(orphans)


def test_every_fragment_link_points_at_an_id(served: Served) -> None:
    broken = []
    checked = 0
    for page, href, local in served.crawl.links:
        target, fragment = urldefrag(local)
        fetched = served.crawl.pages[target]
        if not fragment or fetched.status != 200 or fetched.content_type != "text/html":
            continue
        checked += 1
        if unquote(fragment) not in fetched.ids:
            broken.append(f"{_shown(served, page)} links to {href!r}: no id={unquote(fragment)!r} "
                          f"on {_shown(served, target)}")
    broken = sorted(set(broken))
    assert checked, "no fragment link was found: the demo's tables of contents and footnotes have them"
    assert not broken, f"{len(broken)} fragment links to missing ids:\n" + "\n".join(broken)
