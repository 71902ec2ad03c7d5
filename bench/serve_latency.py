"""How long from saving a post to the preview serving the new text (issue 4: under 300 ms at 1,000 posts).

Starts `sitegen serve` on a generated corpus, waits for the first build, then appends a unique
sentence to one post several times and polls the post's URL until the sentence is served.
Prints the median and the range. Run: .venv/bin/python bench/serve_latency.py [--posts 1000]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent


def corpus(posts: int, seed: int) -> Path:
    cached = sorted((BENCH / ".corpus").glob(f"n{posts}-s{seed}-*"))
    if cached:
        return cached[-1] / "site"
    out = Path(tempfile.mkdtemp()) / "site"
    subprocess.run([sys.executable, str(BENCH / "generate.py"), "--posts", str(posts), "--seed",
                    str(seed), "--out", str(out), "--formats", "sitegen"], check=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--edits", type=int, default=7)
    args = parser.parse_args()
    site = Path(tempfile.mkdtemp()) / "site"
    shutil.copytree(corpus(args.posts, args.seed), site)
    post = sorted((site / "content/posts").glob("*.md"))[len(list((site / "content/posts").glob("*.md"))) // 2]
    slug = post.stem.split("-", 3)[-1] if post.stem[:4].isdigit() else post.stem
    server = subprocess.Popen([str(ROOT / ".venv/bin/sitegen"), "serve", str(site), "--port", "0"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert server.stdout is not None
        address = ""
        while not address:
            line = server.stdout.readline()
            if line.startswith("Serving "):
                address = line.split()[1]
        url = f"{address}posts/{slug}/"
        times = []
        for number in range(args.edits):
            marker = f"Latency marker {number} {time.time_ns()}."
            time.sleep(0.5)  # the watcher settles after the previous build
            with post.open("a", encoding="utf-8") as handle:
                handle.write(f"\n\n{marker}\n")
            started = time.perf_counter()
            while marker not in urllib.request.urlopen(url, timeout=10).read().decode():
                time.sleep(0.005)
            times.append(time.perf_counter() - started)
        print(f"{args.posts} posts: saved edit served after {statistics.median(times) * 1000:.0f} ms "
              f"(median of {len(times)}; {min(times) * 1000:.0f}-{max(times) * 1000:.0f} ms)")
    finally:
        server.terminate()
        server.wait(10)
        shutil.rmtree(site.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
