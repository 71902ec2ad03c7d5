"""Real blogs nobody here wrote: 18F's blog (Eleventy, CC0) and the Jekyll project's news (MIT).

The corpora live outside the repository (`shared/corpora/` beside the clone, or
/work/shared/corpora); the test skips when they are absent and never copies them into the
repository: each corpus's posts are copied into a temporary site. A build must not crash: exit 0
or 1, every error located at `path:line(:col)` under content/. Once the files named in errors are
moved aside, the build exits 0. What was flagged, and why, is printed (run with -s) and kept in
the assertion messages.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import REPO

CANDIDATES = (REPO.parent / "shared" / "corpora", Path("/work/shared/corpora"))
CORPORA = {  # name -> where its posts are, relative to the corpus folder, and which files
    "18f-blog": ("content/posts", "*.md"),
    "jekyll-news": ("docs/_posts", "*"),
}
PROBLEM = re.compile(r"^(?P<path>\S.*?)(?::(?P<line>\d+))?(?::(?P<col>\d+))?: (?P<kind>error|warning): "
                     r"(?P<message>.*)$")
LOCATED = re.compile(r"^content/\S.*?:\d+(?::\d+)?: error: ")


def corpus_root() -> Path | None:
    return next((c for c in CANDIDATES if c.is_dir()), None)


def corpus_posts(name: str) -> list[Path]:
    """The post files of a corpus, sorted; the test is skipped where the corpus is absent."""
    root = corpus_root()
    if root is None or not (root / name).is_dir():
        pytest.skip(f"corpus {name} not found in {', '.join(map(str, CANDIDATES))}")
    folder, pattern = CORPORA[name]
    posts = sorted(p for p in (root / name / folder).glob(pattern) if p.is_file())
    assert posts, f"no posts in {root / name / folder}"
    return posts


def kind_of(message: str) -> str:
    """A message without its particulars: 'raw HTML <x> is shown as text' -> 'raw HTML <…> is…'."""
    message = re.sub(r"'[^']*'|\"[^\"]*\"|<[^>]*>|content/\S+|posts/\S+", "…", message)
    return " ".join(message.split())[:90]


def build(site: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sitegen", "build", str(site), "--no-cache"],
                          capture_output=True, text=True, check=False, timeout=300,
                          env={"PATH": "/usr/bin:/bin", "SOURCE_DATE_EPOCH": "1767225600"})


@pytest.mark.parametrize("name", list(CORPORA))
def test_a_real_blog_builds_or_fails_with_located_errors(tmp_path: Path, name: str) -> None:
    posts = corpus_posts(name)
    site = tmp_path / "site"
    (site / "content/posts").mkdir(parents=True)
    (site / "sitegen.yaml").write_text("title: Corpus\nbase_url: https://example.org/\n")
    for path in posts:
        shutil.copyfile(path, site / "content/posts" / path.name)

    result = build(site)
    assert result.returncode in (0, 1), result.stderr[-3000:]
    assert "Traceback" not in result.stderr + result.stdout, result.stderr[-3000:]
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert all(LOCATED.match(line) for line in errors), [e for e in errors if not LOCATED.match(e)]
    problems = [m for m in map(PROBLEM.match, result.stderr.splitlines()) if m]
    flagged = sorted({m["path"] for m in problems if m["kind"] == "error"})
    mentioned = re.compile(r"content/posts/[^\s:]+\.(?:md|markdown)")
    named = sorted(set(flagged) | {path for m in problems if m["kind"] == "error"
                                   for path in mentioned.findall(m["message"])})
    warned = sorted({m["path"] for m in problems if m["kind"] == "warning"})
    kinds = Counter(f"{m['kind']}: {kind_of(m['message'])}" for m in problems)
    report = (f"\n{name}: {len(posts)} posts, exit {result.returncode}; {len(flagged)} files with errors "
              f"({len(named)} named in errors), {len(warned)} files with warnings\n"
              + "\n".join(f"  {count:4d} × {kind}" for kind, count in kinds.most_common())
              + "".join(f"\n  error in {path}" for path in flagged))
    print(report)

    aside = tmp_path / "aside"
    aside.mkdir()
    for name_ in named:
        shutil.move(site / name_, aside / Path(name_).name)
    again = build(site)
    assert again.returncode == 0, report + "\nafter moving the flagged files aside:\n" + again.stderr[-3000:]
    summary = again.stdout.strip().splitlines()[-1]
    assert summary.startswith("Built "), (summary, report)
    print(f"  after moving {len(named)} aside: {summary}")


# What each blog's old generator was told, as its own configuration says it: the permalink line
# (and time zone) a user moving it to sitegen copies into sitegen.yaml
OLD_SITES = {
    "18f-blog": ("", "UTC", "permalinks: {post: /:year/:month/:day/:title/}\nmarkdown: {flavor: kramdown}\n"),
    "jekyll-news": ("/news", "America/Los_Angeles",
                    "permalinks: {post: /news/:year/:month/:day/:title/}\ntimezone: America/Los_Angeles\n"
                    "markdown: {flavor: kramdown}\n"),
}
# A tag of raw HTML shown as text, outside code: what a page must never hold
RAW_TAG_SHOWN = re.compile(r"&lt;/?(?:figure|img|table|iframe|div|sub|sup|center|video|blockquote|"
                           r"strong|br)\b")
CODE = re.compile(r"<(pre|code)\b.*?</\1>", re.DOTALL)
DATED_NAME = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})-(.+)\.(?:md|markdown)$")  # as Jekyll reads it
FRONT_DATE = re.compile(r"^date:\s*['\"]?(\d{4}-\d{2}-\d{2})(?:[ T](\d{1,2}:\d{2}(?::\d{2})?)(?:\.\d+)?"
                        r"\s*(Z|[+-]\d{1,2}(?::?\d{2})?)?)?", re.M)


def old_url(path: Path, prefix: str, zone: str) -> str:
    """The URL Jekyll gave a post (Eleventy's 18F configuration gives the same): its own
    permalink:, else prefix/year/month/day/title/ with the front matter's date in the site's time
    zone (else the file name's), and the slug or the name without its date as Jekyll's "pretty"
    slugify leaves it (case kept)."""
    from datetime import datetime, timedelta, timezone
    from zoneinfo import ZoneInfo

    name = DATED_NAME.match(path.name)
    assert name is not None, path
    front = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n").split("\n---", 1)[0]
    own = re.search(r"^permalink:\s*['\"]?(/[^'\"\s]*)", front, re.M)
    if own:
        return own[1]
    slug = re.search(r"^slug:\s*['\"]?([^'\"\n]+)", front, re.M)
    title = re.sub(r"^-|-$", "", re.sub(r"[^\w.~!$&'()+,;=@]+", "-", slug[1].strip() if slug else name[4]))
    day = f"{name[1]}/{name[2]:0>2}/{name[3]:0>2}"
    written = FRONT_DATE.search(front)
    if written and written[2]:
        offset = timedelta(0)
        if written[3] and written[3] != "Z":
            digits = written[3][1:].replace(":", "")
            hours, minutes = (digits, "0") if len(digits) <= 2 else (digits[:-2], digits[-2:])
            offset = (-1 if written[3][0] == "-" else 1) * timedelta(hours=int(hours), minutes=int(minutes))
        clock = written[2] if written[2].count(":") == 2 else written[2] + ":00"
        moment = datetime.fromisoformat(f"{written[1]}T{clock.zfill(8)}").replace(tzinfo=timezone(offset))
        day = f"{moment.astimezone(ZoneInfo(zone)):%Y/%m/%d}"
    elif written:
        day = written[1].replace("-", "/")
    return f"{prefix}/{day}/{title}/"


@pytest.mark.parametrize("name", list(CORPORA))
def test_every_old_post_url_resolves_with_the_old_permalink_line(tmp_path: Path, name: str) -> None:
    posts = corpus_posts(name)
    prefix, zone, lines = OLD_SITES[name]
    site = tmp_path / "site"
    (site / "content/posts").mkdir(parents=True)
    (site / "sitegen.yaml").write_text("title: Corpus\nbase_url: https://example.org/\n" + lines)
    for path in posts:
        shutil.copyfile(path, site / "content/posts" / path.name)
    result = build(site)
    assert result.returncode == 0 and ": error: " not in result.stderr, result.stderr[-3000:]
    out = site / "public"
    redirects = (out / "_redirects").read_text().split() if (out / "_redirects").is_file() else []
    urls = {p.name: old_url(p, prefix, zone) for p in posts}
    lost = {n: url for n, url in urls.items()
            if not ((out / url.lstrip("/") / "index.html").is_file() or (out / url.lstrip("/")).is_file()
                    or url in redirects)}
    print(f"\n{name}: {len(urls) - len(lost)} of {len(posts)} old post URLs resolve")
    assert lost == {}
    shown = {str(page.relative_to(out)) for page in out.rglob("index.html")
             if RAW_TAG_SHOWN.search(CODE.sub("", page.read_text()))}
    assert shown == set(), f"{len(shown)} pages show raw HTML as text"
