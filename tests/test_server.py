"""The preview server, run for real on a free localhost port."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.builder import build
from sitegen.errors import BuildError, InternalError, OutputError
from sitegen.models import BuildReport, Config
from sitegen.server import _Handler, _with_script, bind, is_watched, serve
from tests.conftest import Running, WriteSite, config_for, post, serving


def raw_get(address: str, target: str, host: str = "127.0.0.1") -> bytes:
    port = int(address.rstrip("/").rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        connection.sendall(f"GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
                           .encode("latin-1"))
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def status(response: bytes) -> int:
    return int(response.split(b" ", 2)[1])


def test_serves_the_built_site_with_the_reload_script(running: Running) -> None:
    code, html = running.get("/posts/hello/")
    assert code == 200 and "First version." in html
    assert "/__sitegen/events" in html
    assert running.get("/tags/news/")[0] == 200
    code, html = running.get("/no/such/page/")
    assert code == 404 and "Page not found" in html
    assert isinstance(running.outcomes[0], BuildReport)
    assert not list(running.root.glob("public"))  # serving never writes into the site


def test_an_edit_is_served_within_two_seconds(running: Running) -> None:
    (running.root / "content/posts/hello.md").write_text(post("Hello", body="Second version."))
    assert running.wait_for("/posts/hello/", "Second version.", seconds=2.0) < 2.0


def test_a_broken_post_keeps_the_last_good_site_and_reports(running: Running) -> None:
    path = running.root / "content/posts/hello.md"
    path.write_text(post("Hello", body="Broken.", tags="5"))
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline and len(running.outcomes) < 2:
        time.sleep(0.05)
    assert "content/posts/hello.md:4:7" in str(running.outcomes[-1])
    assert "First version." in running.get("/posts/hello/")[1]
    path.write_text(post("Hello", body="Fixed."))
    running.wait_for("/posts/hello/", "Fixed.")


def test_undoing_a_broken_edit_is_served(running: Running) -> None:
    """An editor's undo puts the file's earlier bytes back after the failed rebuild."""
    path = running.root / "content/posts/hello.md"
    good = path.read_bytes()
    path.write_bytes(good.replace(b"tags: [news]", b"tags: [news"))
    assert isinstance(running.rebuilt(), BuildError)
    path.write_bytes(good)
    assert isinstance(running.rebuilt(), BuildReport)
    code, html = running.get("/posts/hello/")
    assert code == 200 and "First version." in html


def test_an_unexpected_error_in_a_rebuild_is_reported_and_serving_goes_on(running: Running) -> None:
    # A symbolic link to itself makes the content listing raise OSError, which no stage of
    # the build turns into a site error: a real unexpected exception
    loop = running.root / "content/posts/loop.md"
    loop.symlink_to(loop)
    outcome = running.rebuilt()
    assert isinstance(outcome, InternalError), outcome
    assert "OSError" in str(outcome) and "serving the last good build" in str(outcome)
    code, html = running.get("/posts/hello/")
    assert code == 200 and "First version." in html
    assert b"internal error while rebuilding" in events_opening(running, "0")
    loop.unlink()
    (running.root / "content/posts/hello.md").write_text(post("Hello", body="Then fixed."))
    assert isinstance(running.rebuilt(), BuildReport)
    assert "Then fixed." in running.get("/posts/hello/")[1]


def events_opening(running: Running, since: str) -> bytes:
    """What the event stream says in its first half second, opened as a page served at `since`."""
    port = int(running.address.rstrip("/").rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        connection.sendall(f"GET /__sitegen/events?since={since} HTTP/1.1\r\nHost: localhost\r\n\r\n"
                           .encode())
        connection.settimeout(0.5)
        received = b""
        try:
            while chunk := connection.recv(4096):
                received += chunk
        except TimeoutError:
            pass
    return received


def test_a_page_loaded_while_a_build_finished_still_reloads(running: Running) -> None:
    """The page says which build it came from; a build finished before its event stream
    connected must not be missed."""
    html = running.get("/posts/hello/")[1]
    served = html.split("events?since=")[1].split('"')[0]
    assert b"event: reload" not in events_opening(running, served)
    (running.root / "content/posts/hello.md").write_text(post("Hello", body="Second version."))
    running.wait_for("/posts/hello/", "Second version.")
    assert b"event: reload" in events_opening(running, served)  # the old page: reload at once
    fresh = running.get("/posts/hello/")[1].split("events?since=")[1].split('"')[0]
    assert fresh != served and b"event: reload" not in events_opening(running, fresh)


def test_events_stream_reports_reload_and_errors(running: Running) -> None:
    port = int(running.address.rstrip("/").rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        connection.sendall(b"GET /__sitegen/events HTTP/1.1\r\nHost: localhost\r\n\r\n")
        assert b"text/event-stream" in connection.recv(4096)
        (running.root / "content/posts/hello.md").write_text(post("Hello", tags="5"))
        received = b""
        while b"build-error" not in received:
            received += connection.recv(4096)
        assert b"hello.md:4:7" in received


@pytest.mark.parametrize("target", [
    "/../../../../etc/passwd", "/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2f..%2fetc/passwd",
    "/%252e%252e/%252e%252e/etc/passwd", "/..\\..\\..\\etc\\passwd", "/.%00./etc/passwd",
    "//evil.example/%2e%2e", "/posts/../../secret.txt", "/%5c..%5csecret.txt",
])
def test_requests_outside_the_site_get_404(running: Running, target: str) -> None:
    (running.root.parent / "secret.txt").write_text("canary-7d1e")
    response = raw_get(running.address, target)
    assert status(response) == 404, response[:200]
    assert b"canary-7d1e" not in response and b"root:" not in response
    assert b"\r\nLocation: //" not in response
    assert status(raw_get(running.address, "/")) == 200


def test_symlinks_out_of_the_site_are_not_followed(running: Running) -> None:
    outside = running.root.parent / "outside.txt"
    outside.write_text("canary-symlink")
    (running.root / "static").mkdir(exist_ok=True)
    (running.root / "static/link.txt").symlink_to(outside)
    outcome = running.rebuilt()  # the link is refused: the last good site stays served
    assert isinstance(outcome, BuildError) and "static/link.txt" in str(outcome), outcome
    response = raw_get(running.address, "/link.txt")
    assert status(response) == 404 and b"canary-symlink" not in response


def test_foreign_host_header_is_refused(running: Running) -> None:
    assert status(raw_get(running.address, "/", host="attacker.example")) == 421


def test_folder_without_slash_redirects_inside_the_site(running: Running) -> None:
    response = raw_get(running.address, "/tags")
    assert status(response) == 301 and b"\r\nLocation: /tags/\r\n" in response


def test_a_busy_port_moves_to_the_next_one() -> None:
    first = bind("127.0.0.1", 0, _Handler)
    port = first.server_address[1]
    try:
        second = bind("127.0.0.1", port, _Handler, tries=5)
        assert port < second.server_address[1] <= port + 4
        second.server_close()
        with pytest.raises(OutputError, match="in use"):
            bind("127.0.0.1", port, _Handler, tries=1)
    finally:
        first.server_close()


def test_only_site_sources_trigger_rebuilds(tmp_path: Path) -> None:
    root = tmp_path
    assert is_watched(root, str(root / "content/posts/a.md"))
    assert is_watched(root, str(root / "sitegen.yaml"))
    assert is_watched(root, str(root / "tags.yaml")) and is_watched(root, str(root / "categories.yaml"))
    assert is_watched(root, str(root / "templates/base.html"))
    assert not is_watched(root, str(root / "public/index.html"))
    assert not is_watched(root, str(root / ".git/index"))
    assert not is_watched(root, str(root / "content/posts/.a.md.swp"))
    assert not is_watched(root, str(root / "content/posts/a.md~"))


def test_ctrl_c_during_the_first_build_stops_the_server(write_site: WriteSite) -> None:
    root = write_site({"content/posts/a.md": post()})
    stopped = threading.Event()
    seen: list[object] = []

    def load(base_url: str) -> Config:
        raise KeyboardInterrupt  # as Ctrl-C does, wherever the main thread is: here, the first build

    def run() -> None:
        try:
            serve(root, load, host="127.0.0.1", port=0, on_build=seen.append, on_ready=seen.append)
        except KeyboardInterrupt:
            stopped.set()

    threading.Thread(target=run, daemon=True).start()
    assert stopped.wait(20), "serve() did not return after Ctrl-C"
    assert seen == []


def test_the_serve_command_starts_and_stops_cleanly(write_site: WriteSite) -> None:
    root = write_site({"content/posts/a.md": post()})
    process = subprocess.Popen(
        [sys.executable, "-m", "sitegen", "serve", str(root), "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = []
        assert process.stdout is not None
        while not any("Serving http://localhost:" in line for line in lines):
            line = process.stdout.readline()
            assert line, process.stderr.read() if process.stderr else ""
            lines.append(line)
        address = lines[-1].split()[1]
        with urllib.request.urlopen(address, timeout=5) as response:
            assert response.status == 200
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
    assert process.returncode == 0, err
    assert "Stopped." in out and "Traceback" not in err


# --- any sequence of edits, mistakes and undos: the server lives, and ends where a build would -----

STEPS = st.sampled_from(["break", "undo", "edit", "delete", "add"])


def broken(path: Path) -> bool:
    """The tags list lost its closing bracket: a YAML error."""
    return any(line.startswith(b"tags: [") and not line.endswith(b"]")
               for line in path.read_bytes().splitlines())


def apply(step: str, number: int, posts: Path, undo: list[tuple[Path, bytes | None]]) -> bool:
    """Make one change to the posts as a writer would; False when it does not apply."""
    files = sorted(posts.glob("*.md"))
    unbroken = [p for p in files if not broken(p)]
    target = files[number % len(files)] if files else None
    if step == "break" and unbroken:
        target = unbroken[number % len(unbroken)]
        undo.append((target, target.read_bytes()))
        target.write_bytes(target.read_bytes().replace(b"]\n", b"\n", 1))  # the tags line's
    elif step == "undo" and undo:
        path, previous = undo.pop()
        if previous is None:
            path.unlink()
        else:
            path.write_bytes(previous)  # the very bytes it had, as an editor's undo writes them
    elif step == "edit" and target:
        undo.append((target, target.read_bytes()))
        target.write_bytes(target.read_bytes() + f"\nMore text {number}.\n".encode())
    elif step == "delete" and target and len(files) > 1:
        undo.append((target, target.read_bytes()))
        target.unlink()
    elif step == "add":
        path = posts / f"new-{number}.md"
        undo.append((path, None))
        path.write_text(post(f"New {number}", date=f"2025-02-{number + 1:02}", tags="[blue]",
                             body=f"Added {number}."))
    else:
        return False
    return True


def contents(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def served_equals_a_clean_build(running: Running, served: Path, clean: Path) -> None:
    built = contents(clean)
    assert contents(served) == built
    for name, data in built.items():
        with urllib.request.urlopen(running.address + name, timeout=5) as response:
            body = response.read()
        if name.endswith(".html"):  # the page with the live-reload script the server adds
            version = int(body.split(b"events?since=")[1].split(b'"')[0])
            data = _with_script(data, version)
        assert body == data, name


@settings(max_examples=15, deadline=None)
@given(st.lists(STEPS, min_size=1, max_size=5))
def test_the_server_survives_any_edits_and_serves_what_a_clean_build_gives(
        tmp_path_factory: pytest.TempPathFactory, steps: list[str]) -> None:
    root = tmp_path_factory.mktemp("site")
    posts = root / "content/posts"
    posts.mkdir(parents=True)
    for day, (title, tags) in enumerate((("Alpha", "[red, blue]"), ("Beta", "[blue]"), ("Gamma", "[red]"))):
        (posts / f"{title.lower()}.md").write_text(post(title, date=f"2025-01-0{day + 1}", tags=tags,
                                                        body=f"{title} body."))
    undo: list[tuple[Path, bytes | None]] = []
    with serving(root) as running:
        for number, step in enumerate(steps):
            if not apply(step, number, posts, undo):
                continue
            outcome = running.rebuilt()
            failing = any(broken(p) for p in posts.glob("*.md"))
            assert isinstance(outcome, BuildError if failing else BuildReport), (step, outcome)
            assert running.get("/")[0] == 200
        while any(broken(p) for p in posts.glob("*.md")):  # undone, as a writer would
            apply("undo", 0, posts, undo)
        outcome = running.rebuilt()
        assert isinstance(outcome, BuildReport), outcome
        clean = tmp_path_factory.mktemp("clean") / "public"
        build(config_for(root, base_url=running.address, output_dir=clean), use_cache=False)
        served_equals_a_clean_build(running, outcome.output_dir, clean)
