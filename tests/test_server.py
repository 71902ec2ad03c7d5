"""The preview server, run for real on a free localhost port."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from sitegen.errors import OutputError
from sitegen.models import BuildReport
from sitegen.server import _Handler, bind, is_watched
from tests.conftest import Running, WriteSite, post


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
    time.sleep(1.0)  # the rebuild either refuses the link or copies it; neither serves a link
    response = raw_get(running.address, "/link.txt")
    assert b"canary-symlink" not in response


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
    assert is_watched(root, str(root / "templates/base.html"))
    assert not is_watched(root, str(root / "public/index.html"))
    assert not is_watched(root, str(root / ".git/index"))
    assert not is_watched(root, str(root / "content/posts/.a.md.swp"))
    assert not is_watched(root, str(root / "content/posts/a.md~"))


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
