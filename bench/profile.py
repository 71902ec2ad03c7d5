#!/usr/bin/env python3
"""Profile one cold sitegen build of the 1,000-post corpus; print where the time goes.

    .venv/bin/python bench/profile.py [--posts 1000] [--seed 1]

Two views of the same kind of build, each a fresh process on a fresh output folder:
- cProfile (standard library): per-function cumulative and own time. Its per-call overhead
  inflates code made of many small calls (Python-Markdown), so shares are indicative.
- pyinstrument (a sampling profiler; installed on first use with pip --target into
  bench/.profiler/, never into the project's .venv): the call tree with little overhead,
  written to bench/profile-pyinstrument.txt.
"""

from __future__ import annotations

import argparse
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import BENCH, ROOT, corpus  # noqa: E402

PROFILER_DIR = BENCH / ".profiler"

# Functions worth naming in a breakdown: (module path fragment, function name, label)
STAGES = (
    ("sitegen/builder.py", "build", "whole build (builder.build)"),
    ("sitegen/parser.py", "read_posts", "stage 1: read + parse every post"),
    ("sitegen/markup.py", "render", "  Markdown -> HTML (markup.render)"),
    ("markdown/core.py", "convert", "    Python-Markdown convert()"),
    ("markdown/core.py", "__init__", "    new Markdown instance per post"),
    ("markdown/extensions/codehilite.py", "run", "    codehilite (Pygments) per document"),
    ("pygments/__init__.py", "highlight", "      pygments.highlight"),
    ("sitegen/markup.py", "plain_text", "  plain_text (HTMLParser) for words/summary"),
    ("sitegen/frontmatter.py", "load_mapping", "  YAML front matter"),
    ("sitegen/parser.py", "find_links", "  find_links"),
    ("sitegen/urls.py", "slugify", "  slugify (all callers)"),
    ("sitegen/site.py", "collect_site", "stage 2: collect_site"),
    ("sitegen/pages.py", "plan_pages", "stage 3: plan_pages"),
    ("sitegen/builder.py", "render_all", "stage 4: render every page (Jinja)"),
    ("sitegen/renderer.py", "render_page", "  renderer.render_page"),
    ("sitegen/builder.py", "_write", "stage 5: write files (staging folder)"),
    ("sitegen/builder.py", "_swap", "  swap staging into place"),
)


def cprofile(site: Path, out: Path, dump: Path) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "cProfile", "-o", str(dump), "-m", "sitegen", "build",
                    str(site), "-q", "-o", str(out)], check=True)
    return time.perf_counter() - started


def pyinstrument(site: Path, out: Path, report: Path) -> bool:
    if not (PROFILER_DIR / "pyinstrument").is_dir():
        print(f"installing pyinstrument into {PROFILER_DIR.relative_to(ROOT)} ...", file=sys.stderr)
        done = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--target",
                               str(PROFILER_DIR), "pyinstrument"], capture_output=True, text=True)
        if done.returncode != 0:
            print(f"pyinstrument did not install; cProfile only:\n{done.stderr[-1500:]}",
                  file=sys.stderr)
            return False
    env = dict(os.environ, PYTHONPATH=str(PROFILER_DIR))
    subprocess.run([sys.executable, "-m", "pyinstrument", "--outfile", str(report),
                    "-r", "text",
                    "-m", "sitegen", "build", str(site), "-q", "-o", str(out)],
                   check=True, env=env)
    return True


def breakdown(stats: pstats.Stats, total: float) -> list[str]:
    rows = ["| step | calls | cumulative s | share |", "|---|---:|---:|---:|"]
    table = stats.stats  # type: ignore[attr-defined]
    for fragment, name, label in STAGES:
        found = [(key, value) for key, value in table.items()
                 if key[2] == name and key[0].replace(os.sep, "/").endswith(fragment)]
        if not found:
            continue
        calls = sum(v[1] for _, v in found)
        cumulative = sum(v[3] for _, v in found)
        rows.append(f"| {label} | {calls:,} | {cumulative:.2f} | {cumulative / total:.0%} |")
    return rows


def top(stats: pstats.Stats, total: float, key: int, count: int) -> list[str]:
    """The top functions by own time (key=2) or cumulative time (key=3)."""
    rows = ["| function | calls | own s | cumulative s | share of total (cum.) |",
            "|---|---:|---:|---:|---:|"]
    table = stats.stats  # type: ignore[attr-defined]
    ranked = sorted(table.items(), key=lambda kv: kv[1][key], reverse=True)
    for (filename, line, name), (_, calls, own, cumulative, _) in ranked[:count]:
        where = _short(filename)
        rows.append(f"| `{where}:{line}({name})` | {calls:,} | {own:.2f} | {cumulative:.2f} | "
                    f"{cumulative / total:.0%} |")
    return rows


def _short(filename: str) -> str:
    path = filename.replace(os.sep, "/")
    for marker in ("/site-packages/", "/work/main/", "/lib/python3"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--no-pyinstrument", action="store_true")
    args = parser.parse_args(argv)
    site = corpus(args.posts, args.seed)
    work = Path(tempfile.mkdtemp(prefix="sitegen-profile-"))
    dump = BENCH / "profile-cprofile.pstats"
    try:
        wall = cprofile(site, work / "out-cprofile", dump)
        stats = pstats.Stats(str(dump))
        total = stats.total_tt  # type: ignore[attr-defined]
        lines = [f"# Profile of one cold build, {args.posts:,} posts (seed {args.seed})", "",
                 f"cProfile: {total:.2f} s profiled ({wall:.2f} s wall, with profiler overhead).",
                 "", "## Stages", ""]
        lines += breakdown(stats, total)
        lines += ["", "## Top functions by cumulative time", ""] + top(stats, total, 3, args.top)
        lines += ["", "## Top functions by own time", ""] + top(stats, total, 2, args.top)
        if not args.no_pyinstrument:
            report = BENCH / "profile-pyinstrument.txt"
            if pyinstrument(site, work / "out-pyinstrument", report):
                lines += ["", f"pyinstrument call tree: {report.relative_to(ROOT)}"]
        text = "\n".join(lines) + "\n"
        print(text)
        (BENCH / "profile.md").write_text(text, encoding="utf-8")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
