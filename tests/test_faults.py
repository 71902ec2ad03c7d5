"""Faults during a build: a full disk on the k-th file, failed renames, kills, concurrent builds.

RELIABILITY.md P14/P16 (rows OUT-06, OUT-07, OUT-08): after any build attempt the output folder
is the previous complete build or the new complete build, never a mix; staging leftovers are
cleared; a second build waits for the lock (sitegen waits up to 120 s instead of exiting 75) and
a lock held by a killed build never blocks the next one.
"""

from __future__ import annotations

import errno
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path, PurePosixPath

import pytest

from sitegen import builder, output
from sitegen.errors import WriteError
from tests.conftest import config_for, post
from tests.test_reliability import leftovers, put, tree

POSTS = 300


def medium_site(root: Path, variant: int, posts: int = POSTS) -> None:
    """A generated site; variants differ in one post's title and body (so in many pages)."""
    files: dict[str, str | bytes] = {"sitegen.yaml": "base_url: https://example.org/\nposts_per_page: 10\n"}
    paragraphs = "\n\n".join(f"Paragraph {k} with *emphasis*, `code` and a [link](https://example.org/{k})."
                             for k in range(6))
    for i in range(posts):
        title = f"Post {i}" + (f" (variant {variant})" if i == 7 else "")
        files[f"content/posts/post-{i:03d}.md"] = post(
            title, date=f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:00Z",
            body=f"Body of {title}.\n\n{paragraphs}", tags=f"[t{i % 37}, t{(i * 7) % 41}]")
    put(root, files)


def run_build(root: Path, *args: str, out: Path | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "sitegen", "build", str(root), "-q", *args]
    if out is not None:
        command += ["-o", str(out)]
    return subprocess.run(command, capture_output=True, text=True, check=False, timeout=60)


def session_members(sid: int) -> list[int]:
    """Live processes of a session (a build started with start_new_session=True and its workers)."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid and fields[0] != "Z":
            members.append(int(entry.name))
    return members


def kill_session(sid: int) -> None:
    for pid in session_members(sid):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


# --- (a) I/O errors on the k-th output file, and in the swap ------------------------------------


@pytest.fixture
def small_site(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "site"
    put(root, {"sitegen.yaml": "base_url: https://example.org/\n", "static/img/a.svg": "<svg/>",
               **{f"content/posts/p{i}.md": post(f"Post {i}", tags=f"[t{i % 3}]") for i in range(8)}})
    yield root


@pytest.mark.parametrize("cache", [False, True], ids=["no-cache", "cache"])
@pytest.mark.parametrize("k", ["first", "second", "fifth", "middle", "last"])
def test_a_full_disk_on_the_kth_file_keeps_the_previous_output(
        small_site: Path, monkeypatch: pytest.MonkeyPatch, k: str, cache: bool) -> None:
    config = config_for(small_site)
    builder.build(config, use_cache=cache)
    out = config.output_dir
    before = tree(out)
    put(small_site, {"content/posts/p3.md": post("Changed title", body="New body.", tags="[t9]")})
    files = sum(1 for v in before.values() if v != "dir")  # one write or link per output file
    fail_at = {"first": 1, "second": 2, "fifth": 5, "middle": files // 2, "last": files - 1}[k]
    calls = {"n": 0}

    def failing(original: Callable[..., None]) -> Callable[..., None]:
        def write(root: Path, relative: PurePosixPath, *args: object, **kwargs: object) -> None:
            calls["n"] += 1
            if calls["n"] == fail_at:
                raise OSError(errno.ENOSPC, "No space left on device", str(root / relative))
            original(root, relative, *args, **kwargs)
        return write

    for name in ("write", "place"):  # every output file goes through one of them
        monkeypatch.setattr(output, name, failing(getattr(output, name)))
    with pytest.raises(WriteError, match="No space left on device"):
        builder.build(config, use_cache=cache)
    assert calls["n"] == fail_at
    assert tree(out) == before, "the previous output changed"
    assert leftovers(out) == []
    monkeypatch.undo()
    builder.build(config, use_cache=cache)  # and the next build is complete
    assert "Changed title" in (out / "posts/p3/index.html").read_text()


@pytest.mark.parametrize("failing_call", [1, 2], ids=["output-to-old", "staging-to-output"])
def test_a_failed_rename_in_the_swap_keeps_the_previous_output(
        small_site: Path, monkeypatch: pytest.MonkeyPatch, failing_call: int) -> None:
    config = config_for(small_site)
    builder.build(config, use_cache=False)
    out = config.output_dir
    before = tree(out)
    put(small_site, {"content/posts/p3.md": post("Changed title")})
    real, calls = os.replace, {"n": 0}

    def replace_(src: object, dst: object, *args: object, **kwargs: object) -> None:
        calls["n"] += 1
        if calls["n"] == failing_call:
            raise OSError(errno.EIO, "Input/output error", str(dst))
        real(src, dst, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "replace", replace_)  # the swap's two renames are os.replace calls
    with pytest.raises(WriteError):
        builder.build(config, use_cache=False)
    monkeypatch.undo()
    try:
        assert tree(out) == before, "the previous output is not in place"
        assert leftovers(out) == []
    finally:
        builder.build(config, use_cache=False)  # recovery: whatever happened, the next build is whole
        assert "Changed title" in (out / "posts/p3/index.html").read_text() and leftovers(out) == []


def test_a_read_only_parent_is_refused_cleanly(small_site: Path, tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root ignores directory permissions")
    parent = tmp_path / "ro"
    parent.mkdir()
    parent.chmod(0o555)
    try:
        result = run_build(small_site, out=parent / "public")
        assert result.returncode in (1, 2) and "Traceback" not in result.stderr
    finally:
        parent.chmod(0o755)


# --- (b) kills at random moments ----------------------------------------------------------------


@pytest.fixture(scope="module")
def references(tmp_path_factory: pytest.TempPathFactory) -> dict[int, dict[str, str]]:
    """Digests of clean builds of both variants of the medium site."""
    digests = {}
    for variant in (0, 1):
        root = tmp_path_factory.mktemp(f"reference-{variant}") / "site"
        medium_site(root, variant)
        result = run_build(root, "--no-cache")
        assert result.returncode == 0, result.stderr
        digests[variant] = tree(root / "public")
    assert digests[0] != digests[1]
    return digests


def recover(out: Path) -> None:
    """What the next build does first, under its lock: clear leftovers, restore a swapped-out build."""
    with output.locked(out):
        pass


Digests = dict[int, dict[str, str]]


def test_killed_builds_leave_the_old_or_the_new_site(tmp_path: Path, references: Digests) -> None:
    root = tmp_path / "site"
    out = root / "public"
    medium_site(root, 0)
    started = time.monotonic()
    assert run_build(root).returncode == 0
    duration = time.monotonic() - started
    assert tree(out) == references[0]
    current, rng, outcomes = 0, random.Random(20261129), []
    durations = {False: duration, True: duration}  # with / without --no-cache; learnt as builds finish
    for attempt in range(15):
        target = 1 - current
        medium_site(root, target)
        cache = ["--no-cache"] if attempt % 2 else []
        signal_ = rng.choice([signal.SIGKILL, signal.SIGKILL, signal.SIGTERM, signal.SIGINT])
        # half the kills late in the build, where the staging folder is written and swapped in
        expected = durations[bool(cache)]
        delay = rng.uniform(0.05, expected) if rng.random() < 0.5 else rng.uniform(0.6, 1.0) * expected
        log = tmp_path / f"stderr-{attempt}.txt"
        with log.open("w") as stderr:  # a file, not a pipe: orphaned workers keep pipes open
            process = subprocess.Popen([sys.executable, "-m", "sitegen", "build", str(root), "-q", *cache],
                                       stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True)
        try:
            launched = time.monotonic()
            try:
                process.wait(timeout=delay)
                durations[bool(cache)] = time.monotonic() - launched  # too late: aim earlier next time
            except subprocess.TimeoutExpired:
                process.send_signal(signal_)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                raise AssertionError(f"attempt {attempt}: the build did not stop after {signal_!r}") from None
        finally:
            kill_session(process.pid)  # workers a SIGKILLed build may leave behind (see below)
        code, err = process.returncode, log.read_text()
        outcomes.append([signal_.name, round(delay, 2), code])
        assert code in (0, 130, 143, -signal.SIGINT, -signal.SIGTERM, -signal.SIGKILL), (attempt, code, err)
        if code in (0, 130, 143):  # stopped on its own terms: the output is whole at once
            assert "Traceback" not in err, err
            state = tree(out)
            staging = [name for name in leftovers(out) if ".staging-" in name]
            assert staging == [], f"an interrupted build must remove its staging folder: {outcomes}"
        else:  # killed: the next build first undoes a half-applied change and clears leftovers
            recover(out)
            state = tree(out)
            assert leftovers(out) == []
        assert state in (references[current], references[target]), f"attempt {attempt}: mixed: {outcomes}"
        if code == 0:
            assert state == references[target]
        outcomes[-1].append("new" if state == references[target] else "old")
        current = target if state == references[target] else current
    print(f"\nbuild {duration:.2f} s; (signal, delay, exit, output after):", outcomes)
    recover(out)
    assert leftovers(out) == []
    result = run_build(root)  # whatever cache the kills left, the next build is right
    assert result.returncode == 0, result.stderr
    assert tree(out) == references[target], outcomes


def test_a_sigkilled_build_leaves_no_processes_behind(tmp_path: Path) -> None:
    root = tmp_path / "site"
    medium_site(root, 0)
    process = subprocess.Popen([sys.executable, "-m", "sitegen", "build", str(root), "-q", "--no-cache",
                                "--jobs", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and len(session_members(process.pid)) < 3 \
                and process.poll() is None:
            time.sleep(0.01)  # until the pool is up: the build and its two workers
        assert process.poll() is None, "the build ended before its worker pool was seen"
        process.kill()
        process.wait(5)
        time.sleep(1.5)
        assert session_members(process.pid) == []
    finally:
        kill_session(process.pid)


# --- (c) concurrent builds and the lock ---------------------------------------------------------


def test_two_builds_at_once_both_succeed_with_one_output(tmp_path: Path, references: Digests) -> None:
    root = tmp_path / "site"
    medium_site(root, 0)
    command = [sys.executable, "-m", "sitegen", "build", str(root), "-q"]
    first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    second = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    results = [p.communicate(timeout=60) for p in (first, second)]
    assert (first.returncode, second.returncode) == (0, 0), results
    assert tree(root / "public") == references[0]
    assert leftovers(root / "public") == []


HOLD_LOCK = """
import fcntl, sys, time
handle = open(sys.argv[1], "a+b")
fcntl.flock(handle, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(60)
"""


def test_a_build_waits_for_the_lock_and_a_killed_holder_frees_it(small_site: Path) -> None:
    lock = small_site / ".public.lock"
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(lock)], stdout=subprocess.PIPE, text=True)
    build = None
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        build = subprocess.Popen([sys.executable, "-m", "sitegen", "build", str(small_site), "-q"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(1.5)
        assert build.poll() is None, "the build did not wait for the lock"
        assert not (small_site / "public").exists()
        holder.kill()  # the holder dies without unlocking: the kernel frees the lock
        holder.wait(5)
        started = time.monotonic()
        _, err = build.communicate(timeout=20)
        assert build.returncode == 0, err
        assert time.monotonic() - started < 10
        assert (small_site / "public/index.html").is_file()
    finally:
        for process in (holder, build):
            if process is not None and process.poll() is None:
                process.kill()
                process.communicate(timeout=5)
        if holder.stdout is not None:
            holder.stdout.close()


def test_a_lock_file_left_by_a_killed_build_does_not_block(small_site: Path) -> None:
    process = subprocess.Popen([sys.executable, "-m", "sitegen", "build", str(small_site), "-q"],
                               start_new_session=True)
    deadline = time.monotonic() + 10
    while not (small_site / ".public.lock").exists() and time.monotonic() < deadline:
        time.sleep(0.005)
    process.kill()
    process.wait(5)
    kill_session(process.pid)
    started = time.monotonic()
    result = run_build(small_site)
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - started < 10 and leftovers(small_site / "public") == []


def test_config_for_is_independent_of_the_output_location(small_site: Path, tmp_path: Path) -> None:
    """The reference digests above compare trees built into different folders: that must be fair."""
    config = config_for(small_site)
    builder.build(replace(config, output_dir=tmp_path / "a"), use_cache=False)
    builder.build(replace(config, output_dir=tmp_path / "elsewhere" / "b"), use_cache=False)
    assert tree(tmp_path / "a") == tree(tmp_path / "elsewhere" / "b")


def test_a_full_disk_is_an_error_message_not_a_traceback(small_site: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from sitegen.cli import cli

    runner = CliRunner()
    assert runner.invoke(cli, ["build", str(small_site)]).exit_code == 0
    put(small_site, {"content/posts/p3.md": post("Changed title")})

    def full(root: Path, relative: PurePosixPath, *args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(root / relative))

    monkeypatch.setattr(output, "write", full)
    result = runner.invoke(cli, ["build", str(small_site)])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 1
    assert "No space left on device while writing" in result.stderr


# --- (c) a rebuild applies its changes through a journal ----------------------------------------

KILL_AT_NTH_REPLACE = """
import os, sys
real, calls, limit = os.replace, [0], int(sys.argv.pop())
def replace(*args, **kwargs):
    calls[0] += 1
    if calls[0] == limit:
        os._exit(9)  # as if killed: no clean-up runs
    real(*args, **kwargs)
os.replace = replace
from sitegen.cli import main
sys.exit(main())
"""


def test_a_rebuild_killed_at_any_step_of_applying_is_undone_by_the_next(small_site: Path) -> None:
    """Kill the rebuild at its 1st, 2nd, ... rename: recovery always gives the old site back."""
    config = config_for(small_site)
    builder.build(config)
    out = config.output_dir
    before = tree(out)
    # puts (changed pages), a new folder (a new post and tag), removes and emptied folders (a deleted post)
    (small_site / "content/posts/p5.md").unlink()
    put(small_site, {"content/posts/p3.md": post("Changed title", tags="[t0, brand-new]"),
                     "content/posts/extra.md": post("A new post")})
    clean = small_site.parent / "clean"
    builder.build(replace(config, output_dir=clean), use_cache=False)
    for step in range(1, 40):
        result = subprocess.run([sys.executable, "-c", KILL_AT_NTH_REPLACE, "build", str(small_site), "-q",
                                 str(step)], capture_output=True, text=True, check=False, timeout=60)
        assert result.returncode in (0, 9), result.stderr
        if not any(name.startswith(".public.old-") for name in leftovers(out)):
            break  # killed after the commit (saving the cache), or not at all: the new site stands
        recover(out)
        assert tree(out) == before, f"killed at rename {step}: not the old site after recovery"
        assert leftovers(out) == []
    assert step > 5, "the change set was applied in fewer renames than planted"
    assert tree(out) == tree(clean)
    assert "posts/p5/" not in tree(out) and "posts/extra/index.html" in tree(out)


def test_files_put_into_the_output_by_hand_are_removed_by_a_cached_rebuild(small_site: Path) -> None:
    config = config_for(small_site)
    builder.build(config)
    out = config.output_dir
    expected = tree(out)
    put(out, {"stray.html": "mine", "posts/p1/notes.txt": "mine", "new-folder/a/b.txt": "mine"})
    report = builder.build(config)
    assert report.rendered == 0 and report.changed == 3
    assert tree(out) == expected
