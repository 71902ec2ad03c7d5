"""Shared by the theme's browser tests: build a site, serve it over http on 127.0.0.1, start Chromium.

Not a test module (no test_ prefix); test modules import what they need from it. The browser is
Debian's /usr/bin/chromium driven by playwright; nothing here downloads a browser.
"""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from sitegen.builder import build
from sitegen.config import load_config
from tests.conftest import NOW, REPO

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = REPO / "test-artifacts" / "screenshots"
DEMO_SOURCES = ("sitegen.yaml", "tags.yaml", "content", "templates", "static")


def build_demo(output: Path) -> Path:
    """The demo site as `make build` publishes it (base URL from sitegen.yaml, served at /)."""
    build(load_config(REPO, now=NOW, output_dir=output))
    return output


def copy_demo(target: Path) -> Path:
    """A scratch copy of the demo's sources, to add posts to without touching the repository."""
    target.mkdir(parents=True, exist_ok=True)
    for name in DEMO_SOURCES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        elif source.is_file():
            shutil.copy2(source, target / name)
    (target / "static").mkdir(exist_ok=True)
    return target


class _StaticHandler(SimpleHTTPRequestHandler):
    """Serves a built site like a static host: index.html for folders, 404.html for misses."""

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(str(self.directory)) / "404.html"
        if code != HTTPStatus.NOT_FOUND or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(code)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib's name)
        pass


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve `directory` on a free port of 127.0.0.1; yields the address, ending in '/'."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_StaticHandler, directory=str(directory)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host}:{port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Debian Chromium under playwright (callers skip first when it is absent)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _luminance(css_color: str) -> float:
    """WCAG relative luminance of a computed color, `rgb(r, g, b)`."""
    channels = [int(c) / 255 for c in re.findall(r"\d+", css_color)[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two computed colors (1 to 21)."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)
