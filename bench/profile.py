#!/usr/bin/env python3
"""Profile one sitegen build of the 1,000-post corpus; print where the time goes.

    .venv/bin/python bench/profile.py [--posts 1000] [--seed 1] [--jobs 1] [--scenario cold]

--jobs is passed to `sitegen build` when given (profilers see only the main process, so
--jobs 1 shows all the work); --scenario no-change profiles a rebuild after an unprofiled
cold build, --scenario edit one after a line was added to one post (the first by name). The corpus
is copied into a temporary folder first, so caches stay out of it.

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
    ("sitegen/builder.py", "plan", "read, collect and plan (builder.plan)"),
    ("sitegen/incremental.py", "read_posts", "  read + parse every post (Incremental.read_posts)"),
    ("sitegen/parser.py", "parse_post", "    parse_post, in this process"),
    ("sitegen/markup.py", "render", "      Markdown -> HTML (markup.render)"),
    ("markdown/core.py", "convert", "        Python-Markdown convert()"),
    ("markdown/core.py", "reset", "        Markdown reset between documents"),
    ("pygments/__init__.py", "highlight", "        pygments.highlight (codehilite)"),
    ("sitegen/markup.py", "plain_text", "        plain_text (regular expressions): words, summary"),
    ("sitegen/frontmatter.py", "load_mapping", "      YAML front matter"),
    ("sitegen/parser.py", "find_links", "      find_links"),
    ("sitegen/urls.py", "slugify", "  slugify (all callers)"),
    ("sitegen/cache/index.py", "load", "  load the cache's index (BuildCache.load)"),
    ("sitegen/cache/index.py", "_read_records", "  read the cache's records"),
    ("sitegen/cache/codec.py", "decode_post", "  make posts of the records (decode_post)"),
    ("sitegen/cache/pack.py", "_read", "  read posts' HTML from the pack"),
    ("sitegen/site.py", "collect_site", "  collect_site"),
    ("sitegen/taxonomy.py", "group_tags", "    taxonomy.group_tags"),
    ("sitegen/incremental.py", "relate", "    related posts (Incremental.relate)"),
    ("sitegen/related.py", "related_posts", "    related.related_posts"),
    ("sitegen/pages.py", "plan_pages", "  plan_pages"),
    ("sitegen/builder.py", "_render", "render or reuse every page (builder._render)"),
    ("sitegen/builder.py", "render_all", "render every page (builder.render_all)"),
    ("sitegen/renderer.py", "render_page", "  Jinja: renderer.render_page"),
    ("sitegen/cache/keys.py", "of_page", "  cache keys of pages (Fingerprints.of_page)"),
    ("sitegen/incremental.py", "unchanged", "nothing-changed check (Incremental.unchanged)"),
    ("sitegen/output.py", "finish", "put the new files in place (NewSite.finish)"),
    ("sitegen/incremental.py", "remember", "record what was read and written (Incremental.remember)"),
    ("sitegen/cache/index.py", "_save", "  write the cache (BuildCache._save)"),
    ("sitegen/output.py", "write", "  write files"),
)


def build_args(site: Path, out: Path, jobs: int | None, *, profiled: bool = False) -> list[str]:
    command = [str(BENCH / "profiled_build.py")] if profiled else ["-m", "sitegen"]
    return [*command, "build", str(site), "-q", "-o", str(out)] + (["--jobs", str(jobs)] if jobs else [])


def prepare(source: Path, work: Path, name: str, scenario: str, jobs: int | None) -> tuple[Path, Path]:
    """A fresh copy of the corpus and an output folder; for a rebuild, built once already (and for
    an edit, one post's text changed since)."""
    site, out = work / f"site-{name}", work / f"out-{name}"
    shutil.copytree(source, site, ignore=shutil.ignore_patterns(".sitegen-cache"))
    if scenario != "cold":
        subprocess.run([sys.executable, *build_args(site, out, jobs)], check=True, cwd=work)
    if scenario == "edit":
        edited = min((site / "content" / "posts").glob("*.md"))
        with edited.open("a", encoding="utf-8") as file:
            file.write("\nOne more line, written after the last build.\n")
    return site, out


def cprofile(site: Path, out: Path, dump: Path, jobs: int | None) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "cProfile", "-o", str(dump),
                    *build_args(site, out, jobs, profiled=True)], check=True, cwd=out.parent)
    return time.perf_counter() - started


def pyinstrument(site: Path, out: Path, report: Path, jobs: int | None) -> bool:
    if not (PROFILER_DIR / "pyinstrument").is_dir():
        print(f"installing pyinstrument into {PROFILER_DIR.relative_to(ROOT)} ...", file=sys.stderr)
        done = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--target",
                               str(PROFILER_DIR), "pyinstrument"], capture_output=True, text=True)
        if done.returncode != 0:
            print(f"pyinstrument did not install; cProfile only:\n{done.stderr[-1500:]}",
                  file=sys.stderr)
            return False
    env = dict(os.environ, PYTHONPATH=str(PROFILER_DIR))
    subprocess.run([sys.executable, "-m", "pyinstrument", "--outfile", str(report), "-r", "text",
                    *build_args(site, out, jobs, profiled=True)], check=True, env=env, cwd=out.parent)
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


def top(stats: pstats.Stats, total: float, key: int, count: int, only: str = "") -> list[str]:
    """The top functions by own time (key=2) or cumulative time (key=3)."""
    rows = ["| function | calls | own s | cumulative s | share of total (cum.) |",
            "|---|---:|---:|---:|---:|"]
    table = stats.stats  # type: ignore[attr-defined]
    ranked = sorted(((k, v) for k, v in table.items() if only in k[0].replace(os.sep, "/")),
                    key=lambda kv: kv[1][key], reverse=True)
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
    parser.add_argument("--jobs", type=int, default=None, help="passed to sitegen build --jobs")
    parser.add_argument("--scenario", choices=("cold", "no-change", "edit"), default="cold")
    parser.add_argument("--no-pyinstrument", action="store_true")
    args = parser.parse_args(argv)
    source = corpus(args.posts, args.seed)
    work = Path(tempfile.mkdtemp(prefix="sitegen-profile-"))
    dump = BENCH / "profile-cprofile.pstats"
    default = args.posts == 1000 and args.scenario == "cold"
    name = "profile" if default else f"profile-{args.posts}-{args.scenario}"
    jobs = f", --jobs {args.jobs}" if args.jobs else ", default --jobs"
    try:
        site, out = prepare(source, work, "cprofile", args.scenario, args.jobs)
        wall = cprofile(site, out, dump, args.jobs)
        stats = pstats.Stats(str(dump))
        total = stats.total_tt  # type: ignore[attr-defined]
        lines = [f"# Profile of one {args.scenario} build, {args.posts:,} posts "
                 f"(seed {args.seed}{jobs})", "",
                 f"cProfile: {total:.2f} s profiled ({wall:.2f} s wall, with profiler overhead). "
                 "Only the main process is profiled.", "", "## Known steps", ""]
        lines += breakdown(stats, total)
        lines += ["", "## sitegen functions by cumulative time", ""] + top(
            stats, total, 3, args.top, only="/sitegen/")
        lines += ["", "## Top functions by cumulative time", ""] + top(stats, total, 3, args.top)
        lines += ["", "## Top functions by own time", ""] + top(stats, total, 2, args.top)
        if not args.no_pyinstrument:
            report = BENCH / f"{name}-pyinstrument.txt"
            site, out = prepare(source, work, "pyinstrument", args.scenario, args.jobs)
            if pyinstrument(site, out, report, args.jobs):
                lines += ["", f"pyinstrument call tree: {report.relative_to(ROOT)}"]
        text = "\n".join(lines) + "\n"
        print(text)
        (BENCH / f"{name}.md").write_text(text, encoding="utf-8")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
