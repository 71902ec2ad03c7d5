"""Shared fixtures: scratch sites written inline, the golden-update switch, a CLI runner."""

from __future__ import annotations

import hashlib
import os
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from textwrap import dedent
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, settings

from sitegen.config import load_config
from sitegen.models import Config
from sitegen.server import serve

REPO = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 1, 1, tzinfo=UTC)

settings.register_profile(
    "ci", max_examples=150, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
settings.load_profile("ci")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite tests/golden/ from the current output")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


WriteSite = Callable[[dict[str, str]], Path]


@pytest.fixture
def write_site(tmp_path: Path) -> WriteSite:
    """Write {relative path: text} into a fresh site folder and return the folder."""

    def write(files: dict[str, str]) -> Path:
        root = tmp_path / "site"
        for name, text in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(dedent(text).lstrip("\n"), encoding="utf-8")
        root.mkdir(exist_ok=True)
        return root

    return write


def post(title: str = "A post", date: str = "2025-01-28", body: str = "Hello.", **keys: str) -> str:
    """A post's text; extra keys are written as given (YAML)."""
    lines = ["---", f"title: {title}", f"date: {date}"]
    lines += [f"{key}: {value}" for key, value in keys.items()]
    return "\n".join([*lines, "---", "", body, ""])


def config_for(root: Path, **overrides: object) -> Config:
    return load_config(root, now=NOW, **overrides)  # type: ignore[arg-type]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@dataclass
class Running:
    address: str
    root: Path
    outcomes: list[object] = field(default_factory=list)  # each build's report or error
    builds: list[str] = field(default_factory=list)  # the files as each build began: files_of
    thread: threading.Thread | None = None

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.address + path.lstrip("/"), timeout=5) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def wait_for(self, path: str, text: str, seconds: float = 2.0) -> float:
        started = time.monotonic()
        while time.monotonic() - started < seconds:
            if text in self.get(path)[1]:
                return time.monotonic() - started
            time.sleep(0.05)
        raise AssertionError(f"{text!r} not served at {path} within {seconds} s")

    def rebuilt(self, seconds: float = 20.0) -> object:
        """The outcome of the site's files as they are now, once built, with no build running.

        Each build notes the files as it began, before reading any: one that began with the
        files as they are now has seen them. `seconds` only bounds a server that never rebuilds.
        """
        now = files_of(self.root)
        deadline = time.monotonic() + seconds
        while not (self.builds and self.builds[-1] == now and len(self.outcomes) == len(self.builds)):
            assert self.thread is not None and self.thread.is_alive(), "the server has stopped"
            assert time.monotonic() < deadline, f"no build of the files as they are within {seconds} s"
            time.sleep(0.02)
        return self.outcomes[-1]


def files_of(root: Path) -> str:
    """A digest of every file of a site folder, by name and bytes (a link by its target)."""
    found = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        data = os.readlink(path).encode() if path.is_symlink() else \
            path.read_bytes() if path.is_file() else b"/"
        found.update(f"{path.relative_to(root).as_posix()}\0{len(data)}\0".encode() + data)
    return found.hexdigest()


@contextmanager
def serving(root: Path) -> Iterator[Running]:
    """`sitegen serve` of `root`, run for real on a free port of 127.0.0.1, in a thread."""
    stop = threading.Event()
    ready = threading.Event()
    state = Running(address="", root=root)

    def load(base_url: str) -> Config:
        state.builds.append(files_of(root))  # called first in every build
        return load_config(root, now=NOW, base_url=base_url)

    def on_ready(address: str) -> None:
        state.address = address
        ready.set()

    state.thread = threading.Thread(target=serve, args=(root, load), daemon=True, kwargs={
        "host": "127.0.0.1", "port": 0, "on_build": state.outcomes.append, "on_ready": on_ready,
        "stop": stop})
    state.thread.start()
    assert ready.wait(10)
    try:
        yield state
    finally:
        stop.set()
        state.thread.join(10)


@pytest.fixture
def running(write_site: WriteSite) -> Iterator[Running]:
    root = write_site({"content/posts/hello.md": post("Hello", body="First version.", tags="[news]")})
    with serving(root) as state:
        yield state


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium for one test module's browser tests (they skip first without it)."""
    from tests.browser_support import chromium  # it imports this module

    with chromium() as instance:
        yield instance
