"""The preview server: build, serve over HTTP on loopback, rebuild on change, reload the browser.

Edge module beside cli: imports builder, cache (the memory it keeps between rebuilds), errors,
models. The one place that imports watchfiles.
The live-reload script is added to HTML responses here, so built files never contain it.
"""

from __future__ import annotations

import errno
import json
import logging
import mimetypes
import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import watchfiles

from sitegen.builder import build
from sitegen.cache import BuildCache
from sitegen.errors import InternalError, OutputError, SitegenError
from sitegen.models import BuildReport, Config

EVENTS = "/__sitegen/events"
WATCHED_FILES = ("sitegen.yaml", "tags.yaml", "categories.yaml")
WATCHED_DIRS = ("content", "templates", "static")
_NOT_FOUND = b"<!doctype html><title>Not found</title><body><h1>Not found</h1></body>"
_EDITOR_TEMP = (".swp", ".swx", "~", ".tmp")
# The error overlay draws itself in a shadow root, so no style of the site reaches it (the theme's
# `pre` rule would give it the page's code background); its `:host` rules are !important, which
# wins over the page's own !important rules. The error text stays the host's own text (shown
# through the slot, styled from inside), so it can be read and copied like any text of the page.
_OVERLAY = """<style>
:host { all: initial !important; display: block !important; position: fixed !important;
  inset: 0 !important; z-index: 2147483647 !important; overflow: auto !important; }
div { display: block; box-sizing: border-box; min-height: 100%; margin: 0; padding: 2rem;
  background: #ffffff; color: #1b1b1f; font: 14px/1.5 ui-monospace, monospace;
  text-align: left; }
h2 { display: block; margin: 0 0 1rem; padding: 0; background: #ffffff; color: #a4001d;
  font: bold 16px/1.4 system-ui, sans-serif; }
pre { display: block; margin: 0; padding: 0; background: #ffffff; color: #1b1b1f; font: inherit;
  white-space: pre-wrap; overflow-wrap: anywhere; }
@media (prefers-color-scheme: dark) {
  div, h2, pre { background: #16161a; }
  div, pre { color: #f1f1f4; }
  h2 { color: #ff9b9b; }
}
</style>
<div><h2>sitegen: the site has errors; showing the last good build</h2><pre><slot></slot></pre></div>"""
_RELOAD_SCRIPT = """<script>
(() => {
  const events = new EventSource("EVENTS?since=VERSION");
  events.addEventListener("reload", () => location.reload());
  events.addEventListener("build-error", (event) => {
    let box = document.getElementById("sitegen-error-overlay");
    if (!box) {
      box = document.createElement("sitegen-error-overlay");
      box.id = "sitegen-error-overlay";
      box.setAttribute("role", "alert");
      box.attachShadow({mode: "open"}).innerHTML = OVERLAY;
      document.body.append(box);
    }
    box.textContent = JSON.parse(event.data).text;
  });
})();
</script>
""".replace("EVENTS", EVENTS).replace("OVERLAY", json.dumps(_OVERLAY))


class BuildState:
    """The outcome of the latest build, for the browsers that wait on it."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self.version = 0
        self.error: str | None = None
        self.closed = False

    def publish(self, error: str | None) -> None:
        with self._changed:
            self.version += 1
            self.error = error
            self._changed.notify_all()

    def close(self) -> None:
        with self._changed:
            self.closed = True
            self._changed.notify_all()

    def wait(self, seen: int, timeout: float) -> tuple[int, str | None, bool]:
        with self._changed:
            self._changed.wait_for(lambda: self.version != seen or self.closed, timeout)
            return self.version, self.error, self.closed


@dataclass(frozen=True)
class Preview:
    root: Path  # the folder being served: the build output
    state: BuildState
    hosts: frozenset[str]


def make_handler(preview: Preview) -> type[BaseHTTPRequestHandler]:
    class Handler(_Handler):
        pass

    Handler.preview = preview
    return Handler


class _Handler(BaseHTTPRequestHandler):
    preview: Preview
    protocol_version = "HTTP/1.1"
    server_version = "sitegen"
    sys_version = ""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Requests are not logged: the terminal is for build results."""

    def do_HEAD(self) -> None:
        self._respond(body=False)

    def do_GET(self) -> None:
        self._respond(body=True)

    def _respond(self, *, body: bool) -> None:
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0].strip("[]").lower()
        if host not in self.preview.hosts:
            self._send(HTTPStatus.MISDIRECTED_REQUEST, b"Unknown host\n", "text/plain", body)
            return
        path = urlsplit(self.path).path
        if path == EVENTS:
            self._events(parse_qs(urlsplit(self.path).query).get("since", [""])[0])
            return
        version = self.preview.state.version  # before reading the page: never newer than it
        target, redirect = self._resolve(path)
        if redirect:
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", redirect)
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif target is None:
            page = self.preview.root / "404.html"
            data = page.read_bytes() if page.is_file() else _NOT_FOUND
            self._send(HTTPStatus.NOT_FOUND, _with_script(data, version), "text/html; charset=utf-8",
                       body)
        else:
            data = target.read_bytes()
            kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            if kind == "text/html":
                data, kind = _with_script(data, version), "text/html; charset=utf-8"
            elif kind.startswith("text/") or kind.endswith("xml"):
                kind += "; charset=utf-8"
            self._send(HTTPStatus.OK, data, kind, body)

    def _resolve(self, path: str) -> tuple[Path | None, str | None]:
        """A file inside the served folder, or None; never a path that leaves it."""
        decoded = unquote(path)
        if not path.startswith("/") or path.startswith("//") or "\\" in decoded or "\x00" in decoded:
            return None, None
        parts = [p for p in decoded.split("/") if p]
        if any(p in (".", "..") for p in parts):
            return None, None
        root = self.preview.root.resolve()
        target = root.joinpath(*parts)
        try:
            is_folder = target.is_dir()
        except OSError:  # a name too long for the file system, say
            return None, None
        if is_folder:
            if not path.endswith("/"):
                return None, path + "/"
            target = target / "index.html"
        try:
            resolved = target.resolve(strict=True)
        except (OSError, RuntimeError):  # missing, a loop, or a name too long for the system
            return None, None
        if not resolved.is_relative_to(root) or not resolved.is_file():
            return None, None
        return resolved, None

    def _send(self, status: HTTPStatus, data: bytes, kind: str, body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if body:
            self.wfile.write(data)

    def _events(self, since: str) -> None:
        """Server-sent events: "reload" after each good build, "build-error" with the errors.

        `since` is the build the page was served from: a build finished while the page was
        loading reloads it at once.
        """
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        state = self.preview.state
        seen, error, closed = state.version, state.error, state.closed
        try:
            self.wfile.write(b"retry: 500\n\n")
            if error:
                self._event("build-error", error)
            elif since.isdigit() and int(since) != seen:
                self._event("reload", "")
            while not closed:
                version, error, closed = state.wait(seen, timeout=15)
                if closed:
                    break
                if version == seen:
                    self.wfile.write(b": keep-alive\n\n")
                else:
                    self._event("build-error" if error else "reload", error or "")
                    seen = version
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _event(self, name: str, text: str) -> None:
        self.wfile.write(f"event: {name}\ndata: {json.dumps({'text': text})}\n\n".encode())
        self.wfile.flush()


def _with_script(html: bytes, version: int) -> bytes:
    script = _RELOAD_SCRIPT.replace("VERSION", str(version)).encode()
    index = html.rfind(b"</body>")
    return html[:index] + script + html[index:] if index >= 0 else html + script


def bind(host: str, port: int, handler: type[BaseHTTPRequestHandler],
         tries: int = 10) -> ThreadingHTTPServer:
    """Bind to port, or the next free one; raise OutputError when none of them is free."""
    for candidate in range(port, port + tries):
        try:
            server = ThreadingHTTPServer((host, candidate), handler)
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE or port == 0:
                raise OutputError(f"cannot listen on {host}:{candidate}: {exc.strerror}") from None
            continue
        server.daemon_threads = True
        return server
    raise OutputError(f"ports {port} to {port + tries - 1} on {host} are all in use",
                      hint="pass another one with --port")


def is_watched(root: Path, path: str) -> bool:
    """Changes that can alter the site: content, templates, static files and the two configs."""
    relative = Path(path)
    if not relative.is_relative_to(root):
        return False
    parts = relative.relative_to(root).parts
    if not parts or parts[-1].endswith(_EDITOR_TEMP) or parts[-1].startswith(".#"):
        return False
    return parts[0] in WATCHED_DIRS or (len(parts) == 1 and parts[0] in WATCHED_FILES)


def serve(root: Path, load: Callable[[str], Config], *, host: str, port: int,
          on_build: Callable[[BuildReport | SitegenError], None],
          on_ready: Callable[[str], None], stop: threading.Event | None = None) -> None:
    """Serve until stop is set (or Ctrl-C); `load(base_url)` reads the configuration anew."""
    stop = stop or threading.Event()
    staging = Path(tempfile.mkdtemp(prefix="sitegen-serve-"))
    out = staging / "public"
    state = BuildState()
    hosts = frozenset({"localhost", "127.0.0.1", "::1", host.lower()})
    server = bind(host, port, make_handler(Preview(root=out, state=state, hosts=hosts)))
    address = f"http://{'localhost' if host in ('127.0.0.1', '::1') else host}:{server.server_address[1]}/"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    root = root.resolve()

    store: BuildCache | None = None  # kept in memory between rebuilds

    def rebuild() -> None:
        """One build; whatever it raises is reported, and the last good build stays served."""
        nonlocal store
        outcome: BuildReport | SitegenError
        try:
            config = replace(load(address), output_dir=out)
            store = BuildCache.follow(store, config)
            outcome = build(config, store=store)
        except SitegenError as exc:
            outcome = exc
        except Exception as exc:  # a bug must not take the preview down with it
            store = None  # what the failed build left in the cache is not to be trusted
            outcome = InternalError.of(exc, "rebuilding", hint=(
                "this is a bug in sitegen: please report it with the lines above. The preview "
                "goes on serving the last good build; the next change rebuilds without the cache"))
        state.publish(None if isinstance(outcome, BuildReport) else str(outcome))
        on_build(outcome)

    logging.getLogger("watchfiles").setLevel(logging.ERROR)  # its Ctrl-C notice is ours to print
    try:
        rebuild()
        thread.start()
        on_ready(address)
        for _changes in watchfiles.watch(
            root, stop_event=stop, debounce=80, step=20, rust_timeout=200,
            watch_filter=lambda _change, path: is_watched(root, path),
            raise_interrupt=False,
        ):
            rebuild()
    finally:
        state.close()
        if thread.is_alive():  # shutdown() waits forever for a server that never started
            server.shutdown()
        server.server_close()
        shutil.rmtree(staging, ignore_errors=True)

