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
    root = corpus_root()
    if root is None or not (root / name).is_dir():
        pytest.skip(f"corpus {name} not found in {', '.join(map(str, CANDIDATES))}")
    folder, pattern = CORPORA[name]
    posts = sorted(p for p in (root / name / folder).glob(pattern) if p.is_file())
    assert posts, f"no posts in {root / name / folder}"
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
