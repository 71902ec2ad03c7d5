"""Reproducible output (RELIABILITY.md P17, rows DET-01, DET-02, FM-08, EN-05).

The demo site is copied to different absolute paths, its files created in different orders and
with different modification times, then built in subprocesses under different TZ, locale,
PYTHONHASHSEED, umask, worker counts and cache states, with SOURCE_DATE_EPOCH fixed: the sha256
manifests of all outputs must be identical.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.test_faults import medium_site

EPOCH = "1767225600"  # 2026-01-01T00:00:00Z
SITE_PARTS = ("content", "templates", "static", "sitegen.yaml", "tags.yaml")


def manifest(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file()}


Order = Callable[[list[Path]], list[Path]]


def copy_site(source: Path, target: Path, order: Order, mtime: int | None) -> None:
    """Copy the site's sources file by file, in the given order, optionally with one mtime."""
    files = [p for part in SITE_PARTS if (source / part).exists()
             for p in ([source / part] if (source / part).is_file() else sorted((source / part).rglob("*")))
             if p.is_file()]
    for path in order(files):
        destination = target / path.relative_to(source)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, destination)
        if mtime is not None:
            os.utime(destination, (mtime, mtime))


def build(site: Path, out: Path, env: dict[str, str], umask: int, *args: str) -> None:
    clean = {k: v for k, v in os.environ.items()
             if k in ("PATH", "HOME", "VIRTUAL_ENV", "SYSTEMROOT", "TMPDIR")}

    def set_umask() -> None:
        os.umask(umask)

    command = [sys.executable, "-m", "sitegen", "build", str(site), "-o", str(out), "-q", *args]
    result = subprocess.run(command, env={**clean, "SOURCE_DATE_EPOCH": EPOCH, **env}, preexec_fn=set_umask,
                            capture_output=True, text=True, check=False, timeout=120)
    assert result.returncode == 0, result.stderr


def differences(first: dict[str, str], other: dict[str, str]) -> list[str]:
    return sorted(k for k in set(first) | set(other) if first.get(k) != other.get(k))


def newest_first(files: list[Path]) -> list[Path]:
    return sorted(files, reverse=True)


def shuffled(seed: int) -> Order:
    return lambda files: random.Random(seed).sample(files, len(files))


VARIANTS: list[tuple[str, dict[str, str], int, str, Order, int | None, tuple[str, ...]]] = [
    # (name, environment, umask, site path, file order, mtime, extra arguments)
    ("utc-c", {"TZ": "UTC", "LC_ALL": "C", "PYTHONHASHSEED": "0"}, 0o022, "a/site",
     sorted, None, ()),
    ("kiritimati-utf8", {"TZ": "Pacific/Kiritimati", "LC_ALL": "C.UTF-8", "PYTHONHASHSEED": "1"}, 0o077,
     "b/a deeper path with spaces/and-ünïcödé/site", newest_first, 86_400, ()),
    ("los-angeles-de", {"TZ": "America/Los_Angeles", "LANG": "de_DE.UTF-8", "PYTHONHASHSEED": "random"},
     0o002, "c/site", shuffled(7), 2_000_000_000, ("--jobs", "2")),
    ("kolkata-turkish", {"TZ": "Asia/Kolkata", "LC_ALL": "tr_TR.UTF-8", "PYTHONHASHSEED": "4294967295",
                         "LANGUAGE": "tr"}, 0o027, "d/site", shuffled(8),
     1_000_000_000, ("--jobs", "1", "--no-cache")),
]


def test_the_demo_builds_byte_identically_everywhere(tmp_path: Path) -> None:
    manifests: dict[str, dict[str, str]] = {}
    for name, env, umask, where, order, mtime, args in VARIANTS:
        site = tmp_path / where
        copy_site(REPO, site, order, mtime)
        out = tmp_path / f"out-{name}"
        build(site, out, env, umask, *args)
        manifests[name] = manifest(out)
        if name == "utc-c":  # a second build from the cache, after every source was touched
            for path in site.rglob("*"):
                if path.is_file() and ".sitegen-cache" not in path.parts:
                    os.utime(path, (1_500_000_000, 1_500_000_000))
            build(site, out, env, umask)
            manifests["utc-c-cached"] = manifest(out)
    first = manifests["utc-c"]
    assert len(first) > 20 and "index.html" in first
    for name, other in manifests.items():
        assert other == first, f"{name} differs from utc-c in {differences(first, other)[:10]}"
    text = "".join((tmp_path / "out-utc-c" / k).read_text(errors="replace") for k in first)
    assert str(tmp_path) not in text and "Kiritimati" not in text


def test_worker_count_and_file_order_do_not_change_a_larger_site(tmp_path: Path) -> None:
    """Enough posts for the parallel reader (it starts at 64 files): --jobs 1 and --jobs 2 agree."""
    manifests = []
    for jobs, order in (("1", sorted), ("2", newest_first)):
        source = tmp_path / f"gen-{jobs}"
        medium_site(source, 0, posts=120)
        site = tmp_path / f"site-{jobs}"
        copy_site(source, site, order, None)
        out = tmp_path / f"out-{jobs}"
        build(site, out, {"PYTHONHASHSEED": jobs}, 0o022, "--jobs", jobs, "--no-cache")
        manifests.append(manifest(out))
    assert manifests[0] == manifests[1], differences(manifests[0], manifests[1])[:10]


@pytest.mark.parametrize("timezone", ["UTC", "Pacific/Kiritimati", "America/New_York"])
def test_the_machine_timezone_never_moves_a_post(tmp_path: Path, timezone: str) -> None:
    """A post dated at midnight of the site's zone lands on the same day whatever TZ says.

    Paris moves its clocks at 02:00 that day, so its midnight is still winter time: +01:00.
    """
    site = tmp_path / "site"
    site.joinpath("content/posts").mkdir(parents=True)
    site.joinpath("sitegen.yaml").write_text("base_url: https://example.org/\ntimezone: Europe/Paris\n")
    site.joinpath("content/posts/midnight.md").write_text("---\ntitle: Midnight\ndate: 2025-03-30\n---\nx\n")
    build(site, tmp_path / "out", {"TZ": timezone}, 0o022)
    html = (tmp_path / "out/posts/midnight/index.html").read_text()
    assert '<time datetime="2025-03-30T00:00:00+01:00">30 March 2025</time>' in html
    assert "+02:00" not in html
