"""The demo-mini fixture site, built and compared byte for byte with tests/golden/demo-mini/.

After an intended change to the output, run `pytest tests/test_golden.py --update-golden`
and review the diff of tests/golden/ like any other change.
"""

from __future__ import annotations

import difflib
import shutil
from dataclasses import replace
from pathlib import Path

from sitegen.builder import build
from tests.conftest import config_for

HERE = Path(__file__).parent
SITE = HERE / "sites" / "demo-mini"
GOLDEN = HERE / "golden" / "demo-mini"


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_demo_mini_matches_golden(tmp_path: Path, update_golden: bool) -> None:
    out = tmp_path / "public"
    # Without the cache: a cache left in the fixture by an earlier run would answer for the code
    # that made it, and nothing may be written into the fixture.
    build(replace(config_for(SITE), output_dir=out), use_cache=False)
    if update_golden:
        shutil.rmtree(GOLDEN, ignore_errors=True)
        shutil.copytree(out, GOLDEN)
    actual, expected = _files(out), _files(GOLDEN)
    assert sorted(actual) == sorted(expected), "file lists differ"
    differing = [name for name in sorted(actual) if actual[name] != expected[name]]
    diffs = []
    for name in differing:  # a difference in line ends or the last newline shows no line diff
        diffs.extend(difflib.unified_diff(
            expected[name].decode().splitlines(keepends=True),
            actual[name].decode().splitlines(keepends=True),
            f"golden/{name}", f"built/{name}", n=1))
    assert not differing, f"{differing} differ:\n" + "".join(diffs[:80])
