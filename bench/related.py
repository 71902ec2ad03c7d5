#!/usr/bin/env python3
"""Time the related-posts step alone on the benchmark's synthetic blogs; print a Markdown table.

    .venv/bin/python bench/related.py                               # 10,000 and 100,000 posts
    .venv/bin/python bench/related.py --sizes 10000 --against main  # and main's, interleaved

The posts have the tags and dates that bench/generate.py gives the corpus of the same size and
seed (their front matter is parsed as a build parses it; the bodies are left out, since related
posts never read them). Two timings per size: every post (a cold build, or any build after the
posts or their date order changed), and the posts holding Rust (what the benchmark's "tag added"
build computes again). `--against REV` loads sitegen/taxonomy.py as it is at git revision REV and
times its related_posts too, alternating with the current one run by run, so that both see the
same load on a shared machine. The cycle collector is off while timing, as in `sitegen build`.
Medians, with the range in brackets.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import importlib.util
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(BENCH)]

import generate  # noqa: E402  (bench/generate.py)

from sitegen.errors import Problems  # noqa: E402
from sitegen.models import Config, Post, TagSettings  # noqa: E402
from sitegen.parser import parse_post  # noqa: E402
from sitegen.related import related_posts  # noqa: E402
from sitegen.site import collect_site  # noqa: E402

NOW = datetime(2025, 6, 1, tzinfo=UTC)
REDONE_TAG = "rust"  # bench/run.py's "tag added" build adds Rust to a post


def front_matters(posts: int, seed: int) -> list[tuple[str, str]]:
    """(file name, front matter) of each post of the corpus, cached in bench/.corpus/."""
    version = hashlib.sha256((BENCH / "generate.py").read_bytes()).hexdigest()[:10]
    cached = BENCH / ".corpus" / f"front-matter-n{posts}-s{seed}-g{version}.json"
    if not cached.is_file():
        print(f"generating {posts} posts (seed {seed}) ...", file=sys.stderr, flush=True)
        records, _ = generate.generate(posts, seed)
        found = [(f"{r['slug']}.md", f"---\ntitle: {r['title_yaml']}\ndate: {r['date']}\n"
                                     f"tags: {generate.yaml_list(r['tags'])}\n---\n\n")  # type: ignore[arg-type]
                 for r in records]
        cached.parent.mkdir(exist_ok=True)
        cached.write_text(json.dumps(found))
    return [(name, text) for name, text in json.loads(cached.read_text())]


def site_posts(posts: int, seed: int) -> tuple[tuple[Post, ...], dict[str, tuple[Post, ...]]]:
    config = Config(root=ROOT, output_dir=ROOT / "public", now=NOW, tags=TagSettings(related=0))
    problems = Problems()
    parsed = [parse_post(PurePosixPath("content/posts") / name, text, config, section="posts",
                         problems=problems) for name, text in front_matters(posts, seed)]
    if problems.errors:
        raise SystemExit(f"{len(problems.errors)} posts do not parse: {problems.errors[0]}")
    site, _, _ = collect_site(config, [p for p in parsed if p is not None])
    return site.posts, dict(site.posts_by_tag)


def load_at(revision: str) -> Callable[..., Any]:
    """related_posts from sitegen/related.py (sitegen/taxonomy.py before it had a module of its
    own) as it is at a git revision."""
    shown = subprocess.run(["git", "show", f"{revision}:sitegen/related.py"], cwd=ROOT,
                           capture_output=True, text=True)
    if shown.returncode != 0:
        shown = subprocess.run(["git", "show", f"{revision}:sitegen/taxonomy.py"], cwd=ROOT, check=True,
                               capture_output=True, text=True)
    text = shown.stdout
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "taxonomy_at_revision.py"
        path.write_text(text)
        spec = importlib.util.spec_from_file_location("taxonomy_at_revision", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # its dataclasses look their module up
        spec.loader.exec_module(module)
    return module.related_posts  # type: ignore[no-any-return]


def summary(times: list[float]) -> str:
    return f"{statistics.median(times):.2f} s [{min(times):.2f}-{max(times):.2f}]"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--limit", type=int, default=TagSettings().related)
    parser.add_argument("--against", metavar="REV", help="also time related_posts at this git revision")
    args = parser.parse_args()
    versions: dict[str, Callable[..., Any]] = {"this tree": related_posts}
    if args.against:
        versions[args.against] = load_at(args.against)
    print("| posts | related_posts of | every post | posts holding Rust |\n|---|---|---|---|")
    for size in args.sizes:
        posts, by_tag = site_posts(size, args.seed)
        redone = by_tag[REDONE_TAG]
        times: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in versions}
        gc.collect()
        gc.disable()  # as `sitegen build` does
        for _ in range(args.runs):
            for name, function in versions.items():  # alternating, run by run
                for spent, only in zip(times[name], (None, redone), strict=True):
                    started = time.perf_counter()
                    function(posts, by_tag, args.limit, only=only)
                    spent.append(time.perf_counter() - started)
        gc.enable()
        for name, (every, some) in times.items():
            print(f"| {size:,} ({len(by_tag):,} tags, Rust on {len(redone):,}) | {name} | "
                  f"{summary(every)} | {summary(some)} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
