#!/usr/bin/env python3
"""The floor of a cold build: what converting the posts alone costs on this machine.

    .venv/bin/python bench/floor.py [--posts 10000] [--sample 1000] [--project 100000]

A cold build parses every post (front matter, Markdown, the post's own HTML passes) before it
renders a page, and nothing can be reused from an earlier build. This script parses a sample of
the benchmark corpus in one process, then in as many processes at once as the machine has
cores (each its own copy of the same work, started together), and prints the time per post in
each case, with the share Python-Markdown's `convert` takes. Cores that work at once rarely
keep their speed alone (shared caches, memory bandwidth, a virtual machine's neighbours): the
second row is the one a build with `--jobs` set to the number of cores meets.

From that it projects the parse stage of a cold build of `--project` posts shared out among
those processes: a lower bound, since the build also reads the files, sends the posts back to
the build process, renders every page and writes every file.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import corpus  # noqa: E402

WARM_UP = 20  # posts parsed first in each process, untimed: imports, caches, the Markdown instance


def _parse_sample(site: str, count: int, start: multiprocessing.synchronize.Barrier | None,
                  results: multiprocessing.Queue[tuple[float, float]] | None = None) -> tuple[float, float]:
    """Parse `count` posts of the site; (seconds in all, seconds inside Markdown's convert)."""
    import markdown

    from sitegen import parser
    from sitegen.config import load_config

    root = Path(site)
    config = load_config(root, now=datetime.now(UTC))
    files = sorted((root / "content" / "posts").glob("*.md"))[:count + WARM_UP]
    posts = [(PurePosixPath(f.relative_to(root).as_posix()), f.read_bytes()) for f in files]
    for source, data in posts[:WARM_UP]:
        parser.parse_file(source, data, config)
    converting = [0.0]
    convert = markdown.Markdown.convert

    def timed(self: markdown.Markdown, text: str) -> str:  # this process only: a measurement
        began = time.perf_counter()
        try:
            return convert(self, text)
        finally:
            converting[0] += time.perf_counter() - began

    markdown.Markdown.convert = timed  # type: ignore[method-assign]
    if start is not None:
        start.wait()
    began = time.perf_counter()
    for source, data in posts[WARM_UP:]:
        parser.parse_file(source, data, config)
    result = time.perf_counter() - began, converting[0]
    if results is not None:
        results.put(result)
    return result


def at_once(site: Path, count: int, processes: int) -> list[tuple[float, float]]:
    """Each of `processes` processes parses the same sample, all started together."""
    if processes == 1:
        return [_parse_sample(str(site), count, None)]
    context = multiprocessing.get_context("spawn")  # fresh processes, as the build's parse workers
    start, results = context.Barrier(processes), context.Queue()
    workers = [context.Process(target=_parse_sample, args=(str(site), count, start, results))
               for _ in range(processes)]
    for worker in workers:
        worker.start()
    found = [results.get() for _ in workers]
    for worker in workers:
        worker.join()
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=10_000, help="the corpus to sample (default 10,000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sample", type=int, default=1000, help="posts parsed by each process")
    parser.add_argument("--project", type=int, default=100_000, help="posts of the projected build")
    args = parser.parse_args(argv)
    site = corpus(args.posts, args.seed)
    cores = os.cpu_count() or 1
    rows = ["| processes at once | ms a post, each | of which Markdown's convert | "
            f"{args.project:,} posts parsed, shared out among them |",
            "|---:|---:|---:|---:|"]
    for processes in sorted({1, cores}):
        found = at_once(site, args.sample, processes)
        per_post = sum(total for total, _ in found) / len(found) / args.sample * 1000
        markdown = sum(inside for _, inside in found) / len(found) / args.sample * 1000
        floor = args.project * per_post / 1000 / processes
        rows.append(f"| {processes} | {per_post:.2f} | {markdown:.2f} ({markdown / per_post:.0%}) | "
                    f"{floor:,.0f} s |")
    print(f"Parsing {args.sample:,} posts of the {args.posts:,}-post corpus (seed {args.seed}), "
          f"Python {sys.version.split()[0]}, {cores} cores:\n")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
