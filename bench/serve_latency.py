"""How long from saving a post to the preview showing the new text (the aim: under 300 ms at 1,000 posts).

Starts `sitegen serve` on a generated corpus, waits for the first build, then appends a unique
sentence to one post several times and times each edit from just before the write until
  - by default, the post's URL serves the sentence (polled over HTTP every 5 ms), or
  - with --browser, the sentence is in the DOM of the post's page open in headless Chromium
    (Debian's /usr/bin/chromium under playwright), which reloads itself on the server's
    live-reload event: what a person with the page open sees.
Prints the median and the range. Run: .venv/bin/python bench/serve_latency.py [--posts 1000] [--browser]
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
SETTLE = 0.5  # seconds between edits, for the watcher to settle after the previous build
POLL = 0.005  # seconds between two looks at the page
TIMEOUT = 10.0  # seconds an edit may take to show before the run fails
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",  # as the tests'
                 "--disable-component-update", "--disable-sync", "--no-first-run"]  # browser_support
# Runs first in each page the tab loads: looks for the sentence of the edit under way every few ms
# and keeps the time it is first in the DOM, under the sentence, in the tab's sessionStorage.
WATCH = """(() => {
  const marker = sessionStorage.getItem("latency-marker");
  const look = () => {
    if (document.body !== null && document.body.innerText.includes(marker)) {
      sessionStorage.setItem(marker, String(Date.now()));
    } else {
      setTimeout(look, POLL_MS);
    }
  };
  if (marker) look();
})();"""


def corpus(posts: int, seed: int) -> Path:
    cached = sorted((BENCH / ".corpus").glob(f"n{posts}-s{seed}-*"))
    if cached:
        return cached[-1] / "site"
    out = Path(tempfile.mkdtemp()) / "site"
    subprocess.run([sys.executable, str(BENCH / "generate.py"), "--posts", str(posts), "--seed",
                    str(seed), "--out", str(out), "--formats", "sitegen"], check=True)
    return out


def append(post: Path, marker: str) -> None:
    with post.open("a", encoding="utf-8") as handle:
        handle.write(f"\n\n{marker}\n")


def served_after(post: Path, url: str, edits: int) -> list[float]:
    """Seconds from each save until the URL serves the new sentence."""
    times = []
    for number in range(edits):
        marker = f"Latency marker {number} {time.time_ns()}."
        time.sleep(SETTLE)
        started = time.perf_counter()
        append(post, marker)
        while marker not in urllib.request.urlopen(url, timeout=TIMEOUT).read().decode():
            time.sleep(POLL)
        times.append(time.perf_counter() - started)
    return times


def visible_after(post: Path, url: str, edits: int) -> list[float]:
    """Seconds from each save until the new sentence is in the DOM of the page open in Chromium.

    The page notes the time itself (WATCH), because playwright learns it late: a wait_for_function
    whose page reloads tries again only 100 ms later, and even one started on the new page
    resolves some 20-50 ms after the sentence is there (playwright first injects its own script).
    """
    from playwright.sync_api import Frame, sync_playwright

    times = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.add_init_script(WATCH.replace("POLL_MS", str(POLL * 1000)))
            page.goto(url)
            navigations = 0

            def navigated(frame: Frame) -> None:
                nonlocal navigations
                if frame == page.main_frame:
                    navigations += 1

            page.on("framenavigated", navigated)
            counts = []  # navigations before each edit, and at the end
            for number in range(edits):
                marker = f"Latency marker {number} {time.time_ns()}."
                page.wait_for_timeout(SETTLE * 1000)  # not time.sleep: playwright's events keep coming
                page.evaluate("marker => sessionStorage.setItem('latency-marker', marker)", marker)
                counts.append(navigations)
                saved = time.time()  # the page's Date.now() reads the same clock
                append(post, marker)
                seen = page.wait_for_function("marker => sessionStorage.getItem(marker)", arg=marker,
                                              timeout=TIMEOUT * 1000).json_value()
                times.append(float(seen) / 1000 - saved)
            page.wait_for_timeout(SETTLE * 1000)  # a second reload of the last edit would come by now
            counts.append(navigations)
        finally:
            browser.close()
    reloads = [after - before for before, after in zip(counts, counts[1:], strict=False)]
    if any(count != 1 for count in reloads):
        print(f"note: the page reloaded {reloads} times for the {edits} edits (once each expected)",
              file=sys.stderr)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--edits", type=int, default=7)
    parser.add_argument("--browser", action="store_true",
                        help="time until the page open in headless Chromium shows the edit, "
                             "not until the server serves it")
    args = parser.parse_args()
    site = Path(tempfile.mkdtemp()) / "site"
    shutil.copytree(corpus(args.posts, args.seed), site)
    posts = sorted((site / "content/posts").glob("*.md"))
    post = posts[len(posts) // 2]
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
        if args.browser:
            times, what = visible_after(post, url, args.edits), "visible in the browser"
        else:
            times, what = served_after(post, url, args.edits), "served"
        print(f"{args.posts} posts: saved edit {what} after {statistics.median(times) * 1000:.0f} ms "
              f"(median of {len(times)}; {min(times) * 1000:.0f}-{max(times) * 1000:.0f} ms)")
    finally:
        server.terminate()
        server.wait(10)
        shutil.rmtree(site.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
