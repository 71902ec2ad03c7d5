"""The bad-input catalogue of RELIABILITY.md section 2, row by row, through the real CLI.

Every failing case checks the whole contract of a failed build: the documented exit status,
an error at `path:line(:col)` (with a hint where the row asks for one), no traceback, the
previous output byte-for-byte intact, no staging leftovers, and nothing written anywhere else.
Cases where sitegen does not (yet) do what the row asks are strict xfails with the reason.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import given
from hypothesis import strategies as st

from sitegen.builder import read_posts
from sitegen.cli import cli
from sitegen.models import Config
from tests.conftest import NOW, Running, post
from tests.test_server import raw_get, status

Files = dict[str, str | bytes]
GOOD_SITE: Files = {
    "sitegen.yaml": "base_url: https://user.github.io/\n",  # a good site has a public address
    "content/posts/good.md": post("Good", body="GOOD-BODY"),
}
ERROR_LINE = re.compile(
    r"^(?P<path>(?:content|templates|static)/.*?|sitegen\.yaml|tags\.yaml|--base-url)"
    r"(?::(?P<line>\d+))?(?::(?P<col>\d+))?: error: (?P<message>.*)$")
ATOM = "{http://www.w3.org/2005/Atom}"


# --- helpers -----------------------------------------------------------------------------------


def put(root: Path, files: Files) -> None:
    """Write files as given (bytes stay bytes, text is UTF-8, nothing dedented)."""
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")


def tree(folder: Path, *, skip: tuple[Path, ...] = ()) -> dict[str, str]:
    """sha256 of every file (and the target of every symlink) under folder, by relative path."""
    found: dict[str, str] = {}
    if not folder.exists():
        return found
    for path in sorted(folder.rglob("*")):
        if any(path == s or path.is_relative_to(s) for s in skip):
            continue
        key = path.relative_to(folder).as_posix()
        if path.is_symlink():
            found[key] = "link:" + os.readlink(path)
        elif path.is_file():
            found[key] = hashlib.sha256(path.read_bytes()).hexdigest()
        elif path.is_dir():
            found[key + "/"] = "dir"
    return found


def leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir()
                  if p.name.startswith((f".{out.name}.staging-", f".{out.name}.old-")))


@dataclass
class Problem:
    path: str
    line: int | None
    col: int | None
    message: str
    hint: str = ""


def errors_of(stderr: str) -> list[Problem]:
    """The `path:line:col: error: message` entries of stderr, with their hints."""
    found: list[Problem] = []
    for text in stderr.splitlines():
        match = ERROR_LINE.match(text)
        if match:
            found.append(Problem(match["path"], int(match["line"]) if match["line"] else None,
                                 int(match["col"]) if match["col"] else None, match["message"]))
        elif text.startswith("    hint: ") and found:
            found[-1].hint = text.removeprefix("    hint: ")
        elif found and text and not text[0].isdigit():
            found[-1].message += "\n" + text  # a message that spans lines
    return found


def no_traceback(result: Result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        f"unexpected exception: {result.exception!r}\n{result.output}"
    assert "Traceback" not in result.output


def build(runner: CliRunner, root: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    result = runner.invoke(cli, ["build", str(root), *args], env=env)
    no_traceback(result)
    return result


@pytest.fixture
def site(tmp_path: Path, runner: CliRunner) -> Path:
    """A small site, built once: the 'previous output' every failing case must leave intact."""
    root = tmp_path / "site"
    put(root, GOOD_SITE)
    result = build(runner, root)
    assert result.exit_code == 0, result.output
    return root


def all_text(out: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8", errors="replace")
                     for p in sorted(out.rglob("*")) if p.is_file())


# --- the failing-build contract, shared by every row that must fail ------------------------------


@dataclass(frozen=True)
class Bad:
    id: str
    files: Files
    path: str  # the file the error names
    line: int | None  # None: any line (or none: a file-level error)
    col: int | None = None
    message: str = ""  # regular expression searched in the message
    hint: str | None = None  # regular expression searched in the hint; None: no hint required
    args: tuple[str, ...] = ()
    exit_code: int = 1
    marks: tuple[pytest.MarkDecorator, ...] = field(default=())


def case(bad: Bad) -> object:
    return pytest.param(bad, id=bad.id, marks=bad.marks)


def fails_closed(runner: CliRunner, root: Path, bad: Bad, tmp_path: Path) -> list[Problem]:
    out = root / "public"
    before = tree(out)
    put(root, bad.files)
    documented = (out, root / ".public.lock", root / ".sitegen-cache")  # README: the only other writes
    outside = tree(tmp_path, skip=documented)
    result = build(runner, root, *bad.args)
    assert result.exit_code == bad.exit_code, result.output
    problems = errors_of(result.stderr)
    located = [p for p in problems if p.path == bad.path and (bad.line is None or p.line == bad.line)
               and (bad.col is None or p.col == bad.col)]
    assert located, f"no error at {bad.path}:{bad.line}:{bad.col} in\n{result.stderr}"
    assert any(re.search(bad.message, p.message) for p in located), result.stderr
    if bad.hint is not None:
        assert any(re.search(bad.hint, p.hint) for p in located), f"no hint /{bad.hint}/:\n{result.stderr}"
    assert "the output folder was left as it was" in result.stderr
    assert tree(out) == before, "the previous output changed"
    assert leftovers(out) == []
    assert tree(tmp_path, skip=documented) == outside, "something was written outside"
    return located


def fm(*lines: str, body: str = "body") -> str:
    """A post whose front matter is the given lines."""
    return "\n".join(["---", *lines, "---", body, ""])


T, D = "title: A title", "date: 2025-01-01"
P = "content/posts/bad.md"


# --- Front matter and YAML (FM-01 .. FM-11) --------------------------------------------------------

FRONT_MATTER_ROWS = [
    Bad("FM-01-unquoted-colon", {P: fm("title: Notes: Admin", D)}, P, 2, 13, "mapping values|colon",
        hint="quote"),
    Bad("FM-01-unterminated-quote", {P: fm('title: "unterminated', D)}, P, 2, 8, "never closed",
        hint="quote"),
    Bad("FM-01-tab-indent", {P: fm(T, "\tdate: 2025-01-01")}, P, 3, 1, "tab", hint="indent with spaces"),
    Bad("FM-01-stray-list-item", {P: fm(T, D, "- item")}, P, 4, 1, "YAML", hint="."),
    Bad("FM-01-physical-line-after-bom-crlf",
        {P: ("\ufeff" + "\r\n".join(["---", T, "# one", "# two", "summary: Notes: Admin", D, "---", "x"]))
         .encode()}, P, 5, 15, "mapping values", hint="quote"),
    Bad("FM-02-never-closed", {P: "---\ntitle: x\ndate: 2025-01-01\n\nThe body, not YAML: a: b\n"},
        P, 1, 1, "never closed", hint="---"),
    Bad("FM-03-list", {P: fm("- a", "- b")}, P, 2, 1, "key: value"),
    Bad("FM-03-scalar", {P: fm("just some words")}, P, 2, 1, "key: value"),
    Bad("FM-03-empty-block", {P: fm()}, P, 1, None, "missing title"),
    Bad("FM-04-python-object-apply",
        {P: fm(T, D, 'summary: !!python/object/apply:os.system ["touch CANARY"]')}, P, 4, 10, "tag"),
    Bad("FM-04-python-name", {P: fm("title: !!python/name:os.system", D)}, P, 2, 8, "tag"),
    Bad("FM-04-include", {P: fm("title: !include /etc/passwd", D)}, P, 2, 8, "tag"),
    Bad("FM-04-binary-as-title", {P: fm("title: !!binary aGk=", D)}, P, 2, 8, "title must be"),
    Bad("FM-04-set-as-title", {P: fm("title: !!set {a, b}", D)}, P, 2, 8, "title must be"),
    Bad("FM-04-date-as-title", {P: fm("title: 2025-01-01", D)}, P, 2, 8, "title must be text", hint="quote"),
    Bad("FM-04-number-as-tag", {P: fm(T, D, "tags: [2025, ok]")}, P, 4, 8, "strings", hint="quote"),
    Bad("FM-05-missing", {P: fm(D)}, P, 1, 1, "missing title", hint="title:"),
    Bad("FM-05-null", {P: fm("title:", D)}, P, 2, None, "title"),
    Bad("FM-05-empty", {P: fm('title: ""', D)}, P, 2, 8, "non-empty"),
    Bad("FM-05-blank", {P: fm('title: "   "', D)}, P, 2, 8, "non-empty"),
    Bad("FM-05-list", {P: fm("title: [a, b]", D)}, P, 2, 8, "title must be"),
    Bad("FM-05-newline-escape", {P: fm('title: "first\\nsecond"', D)}, P, 2, 8, "single[- ]line"),
    Bad("FM-05-newline-block", {P: fm("title: |", "  first", "  second", D)}, P, 2, 8, "single[- ]line"),
    Bad("FM-06-no-date", {P: fm(T)}, P, 1, 1, "missing date", hint="YYYY-MM-DD|2025-01-28"),
    Bad("FM-07-weekday", {P: fm(T, "date: tuesday")}, P, 3, 7, "'tuesday'", hint="YYYY-MM-DD"),
    Bad("FM-07-three-digit-day", {P: fm(T, "date: 2023-02-010T17:46:51-06:00")}, P, 3, 7,
        "2023-02-010T17:46:51-06:00", hint="YYYY-MM-DD"),
    Bad("FM-07-epoch-number", {P: fm(T, "date: 1704067200")}, P, 3, 7, "1704067200", hint="YYYY-MM-DD"),
    Bad("FM-07-day-or-month-first", {P: fm(T, "date: 05/01/2024")}, P, 3, 7, "05/01/2024", hint="YYYY-MM-DD"),
    Bad("FM-07-impossible-day", {P: fm(T, "date: 2024-02-30")}, P, 3, 7, "not a real date",
        hint="valid month and day"),
    Bad("FM-07-impossible-month", {P: fm(T, "date: 2024-13-01")}, P, 3, 7, "2024-13-01", hint="YYYY-MM-DD"),
    Bad("FM-07-leap-second", {P: fm(T, "date: 2024-12-31T23:59:60Z")}, P, 3, 7, "2024-12-31T23:59:60Z",
        hint="YYYY-MM-DD"),
    Bad("FM-07-bad-updated", {P: fm(T, D, "updated: soon")}, P, 4, 10, "updated", hint="YYYY-MM-DD"),
    Bad("FM-10-strict", {P: fm(T, D, "titel: Typo")}, P, 4, None, "titel", hint="did you mean 'title'",
        args=("--strict",)),
    Bad("FM-10-miscased-date-is-not-a-date", {P: fm(T, "Date: 2025-01-01")}, P, 1, None, "missing date"),
    Bad("FM-11-five-megabytes", {P: fm(T, D, "summary: " + "a" * (5 * 1024 * 1024))}, P, 2, None,
        "limit|larger"),
    Bad("FM-11-hundred-thousand-keys", {P: fm(T, D, *(f"k{i}: {i}" for i in range(100_000)))}, P, 2,
        None, "limit|larger"),
    Bad("FM-11-alias-bomb", {P: fm(T, D, 'a: &a ["x","x","x","x","x","x","x","x","x","x"]',
                                   *(f"{n}: &{n} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]"
                                     for p, n in zip("abcdefgh", "bcdefghi", strict=True)))},
        P, 7, 29, "alias"),  # the eighth *c of d: passes 10,000 values
    Bad("FM-11-deep-nesting", {P: fm(T, D, "extra: " + "[" * 5000 + "]" * 5000)}, P, None, None, "."),
    Bad("FM-01-duplicate-key", {P: fm(T, D, "title: Again")}, P, 4, 1, "twice", hint="keep one"),
]


@pytest.mark.parametrize("bad", [case(b) for b in FRONT_MATTER_ROWS])
def test_front_matter_rows_fail_closed(site: Path, runner: CliRunner, tmp_path: Path, bad: Bad) -> None:
    files = {name: text.replace("CANARY", str(tmp_path / "sitegen-canary-yaml"))
             if isinstance(text, str) else text for name, text in bad.files.items()}
    started = time.monotonic()
    fails_closed(runner, site, Bad(**{**bad.__dict__, "files": files}), tmp_path)
    assert time.monotonic() - started < 10, "bounded: a bad front matter must fail fast"
    assert not (tmp_path / "sitegen-canary-yaml").exists()
    assert not Path("/tmp/sitegen-canary-yaml").exists()


@pytest.mark.parametrize(("character", "line", "message"), [
    pytest.param("\x0c", 2, "not allowed", id="form-feed"),  # YAML refuses these: located there
    pytest.param("\x0b", 2, "not allowed", id="vertical-tab"),
    pytest.param("\x07", 2, "not allowed", id="bell"),
    pytest.param("\x1c", 2, "not allowed", id="file-separator"),
    pytest.param("\x85", 4, ".", id="next-line"),  # YAML reads these as line breaks; files do not
    pytest.param("\u2028", 4, ".", id="line-separator"),
    pytest.param("\u2029", 4, ".", id="paragraph-separator"),
])
def test_p2_odd_characters_in_front_matter_keep_physical_lines(site: Path, runner: CliRunner, tmp_path: Path,
                                                             character: str, line: int, message: str) -> None:
    """Lines count on \\n only (RELIABILITY 1.1, P2, P3)."""
    files = {P: fm(f'summary: "a{character}b"', D, "title: Notes: Admin")}
    fails_closed(runner, site, Bad("x", files, P, line, None, message), tmp_path)


@pytest.mark.parametrize("character", ["\x0c", "\x0b", "\x1c", "\x85", "\u2028"])
def test_p12_odd_characters_in_the_body_are_just_text(site: Path, runner: CliRunner, character: str) -> None:
    put(site, {P: fm(T, D, body=f"First{character}paragraph.\n\n<script>x</script>")})
    result = build(runner, site)
    assert result.exit_code == 0 and f"{P}:7:1: warning: <script> removed" in result.stderr


@given(text=st.lists(st.sampled_from(
    ["title: x", "date: 2025-01-01", "tags: [a, b]", ": ", "- ", "\t", "\n", "\r\n", "'", '"', "&a ", "*a",
     "!!python/name:os.system ", "{", "[", "]", "%YAML 1.1", "...", "|", ">", "#", "é", "\x0c", "\x85",
     "\u2028", "\ufeff", "\x00", "\\", "<<: *a", "? ", "2024-02-30", "---"]), max_size=25).map("".join),
       tail=st.binary(max_size=8))
def test_p3_any_front_matter_gives_a_post_or_located_errors(tmp_path_factory: pytest.TempPathFactory,
                                                            text: str, tail: bytes) -> None:
    """Parser totality: whatever the bytes, located errors or a post, never another exception."""
    root = tmp_path_factory.mktemp("p3")
    put(root, {P: ("---\n" + text + "\n---\nbody\n").encode() + tail})
    config = Config(root=root, output_dir=root / "public", now=NOW)
    posts, problems = read_posts(config)
    assert posts or problems.errors
    for error in problems.errors:
        assert error.path == P and error.message and (error.line is None or error.line >= 1)


# Characters XML 1.0 forbids, which only a double-quoted escape can put in YAML
NOT_XML = st.one_of(st.integers(0, 8), st.sampled_from([0xB, 0xC, 0xFFFE, 0xFFFF]), st.integers(0xE, 0x1F),
                    st.integers(0xD800, 0xDFFF))
NAMED_ESCAPES = {0: "\\0", 7: "\\a", 8: "\\b", 0xB: "\\v", 0xC: "\\f", 0x1B: "\\e"}
# Front matter holding an escape {e}, and the line of the value holding it
FIELDS = [
    (['title: "A{e}"', D], 2),
    ([T, D, 'summary: "{e}"'], 4),
    ([T, D, 'summary: "first line,', '  second {e}"'], 4),
    ([T, D, 'author: "Ann{e}"'], 4),
    ([T, D, 'description: "{e}"'], 4),
    ([T, D, 'tags: [ok, "a{e}b"]'], 4),
    ([T, D, "tags:", "  - ok", '  - "{e}"'], 6),
    ([T, D, '"mood{e}": calm'], 4),
    ([T, D, 'extra: {a: [1, {b: "x{e}"}]}'], 4),
]


@given(code=NOT_XML, form=st.integers(0, 3), field=st.sampled_from(FIELDS))
def test_p4_characters_xml_forbids_are_located_errors_and_never_output(
        site: Path, runner: CliRunner, tmp_path: Path, code: int, form: int,
        field: tuple[list[str], int]) -> None:
    """Any character no page or feed may hold, written as any escape in any value: one error at
    the value's line, naming the character, and the previous output intact."""
    forms = [NAMED_ESCAPES.get(code), f"\\x{code:02x}" if code < 0x100 else None, f"\\u{code:04X}",
             f"\\U{code:08x}"]
    escape = forms[form] or forms[2]
    lines, line = field
    out = site / "public"
    before = tree(out)
    put(site, {P: fm(*(text.replace("{e}", escape) for text in lines))})
    result = build(runner, site)
    assert result.exit_code == 1, result.output
    [problem] = errors_of(result.stderr)
    assert (problem.path, problem.line) == (P, line), result.stderr
    assert f"U+{code:04X}" in problem.message and escape in problem.hint, result.stderr
    assert tree(out) == before and leftovers(out) == []
    assert chr(code) not in all_text(out)


@pytest.mark.parametrize("text", [
    pytest.param(fm(T, D, 'summary: !!python/object/apply:os.system ["true"]'), id="python-object-apply"),
    pytest.param(fm("title: !!python/name:os.system", D), id="python-name"),
    pytest.param(fm("title: !include /etc/passwd", D), id="include"),
])
def test_fm04_unsupported_tags_get_a_plain_message(site: Path, runner: CliRunner, text: str) -> None:
    put(site, {P: text})
    result = build(runner, site)
    [problem] = errors_of(result.stderr)
    assert "unsupported YAML tag" in problem.message
    assert "<unicode string>" not in problem.message and "\n" not in problem.message


def test_fm07_offset_with_a_space_is_the_documented_choice(site: Path, runner: CliRunner) -> None:
    """`2019-08-08 14:10:00 +0800` is accepted (README: dates with offsets like +0200)."""
    put(site, {P: fm(T, "date: 2019-08-08 14:10:00 +0800")})
    assert build(runner, site).exit_code == 0
    feed = ET.parse(site / "public/feed.xml").getroot()
    published = {e.findtext(f"{ATOM}id"): e.findtext(f"{ATOM}published")
                 for e in feed.iter(f"{ATOM}entry")}
    assert published["https://user.github.io/posts/bad/"] == "2019-08-08T14:10:00+08:00"  # as written


def test_fm08_future_posts_are_left_out_and_counted(site: Path, runner: CliRunner) -> None:
    now = 1767225600  # 2026-01-01T00:00:00Z
    put(site, {"content/posts/later.md": fm(T.replace("A title", "FUTURE-SENTINEL"),
                                            "date: 2026-01-01T00:00:01Z"),
               "content/posts/on-time.md": fm(T, "date: 2026-01-01T00:00:00Z")})
    result = build(runner, site, env={"SOURCE_DATE_EPOCH": str(now)})
    assert result.exit_code == 0 and "skipped 1 future post" in result.stdout
    assert (site / "public/posts/on-time/index.html").is_file()
    assert "FUTURE-SENTINEL" not in all_text(site / "public")
    assert not (site / "public/posts/later").exists()
    result = build(runner, site, "--future", env={"SOURCE_DATE_EPOCH": str(now)})
    assert result.exit_code == 0 and "FUTURE-SENTINEL" in all_text(site / "public")


def test_fm08_today_in_the_site_timezone_is_not_future(site: Path, runner: CliRunner) -> None:
    """Dated 'today' at UTC+14 while the machine's clock zone is UTC-10: built, whatever TZ says."""
    put(site, {"sitegen.yaml": "base_url: https://example.org/\ntimezone: Pacific/Kiritimati\n",
               "content/posts/today.md": fm(T, "date: 2026-01-01")})
    now = 1767177000  # 2025-12-31T10:30Z = 2026-01-01 00:30 in Kiritimati, 2025-12-31 00:30 in Honolulu
    result = build(runner, site, env={"SOURCE_DATE_EPOCH": str(now), "TZ": "Pacific/Honolulu"})
    assert result.exit_code == 0 and "future" not in result.stdout
    assert (site / "public/posts/today/index.html").is_file()


@pytest.mark.parametrize("flag", ["draft: true", "published: false"])
def test_fm09_drafts_leak_nowhere(site: Path, runner: CliRunner, flag: str) -> None:
    put(site, {"content/posts/secret-draft.md": fm("title: DRAFT-TITLE-7c1f", D, flag,
                                                   "tags: [only-in-draft, shared]", body="DRAFT-BODY-7c1f"),
               "content/posts/public.md": fm("title: Public", D, "tags: [shared]")})
    assert build(runner, site).exit_code == 0
    out = site / "public"
    text = all_text(out)
    for sentinel in ("DRAFT-TITLE-7c1f", "DRAFT-BODY-7c1f", "secret-draft", "only-in-draft"):
        assert sentinel not in text, sentinel
    assert not (out / "tags/only-in-draft").exists() and (out / "tags/shared/index.html").is_file()
    assert build(runner, site, "--drafts").exit_code == 0
    assert (out / "tags/only-in-draft/index.html").is_file() and "DRAFT-BODY-7c1f" in all_text(out)


def test_fm10_unknown_keys_warn_with_a_suggestion(site: Path, runner: CliRunner) -> None:
    put(site, {P: fm(T, D, "titel: x", "Tags: [a]", "sumary: s", "extra: {mine: 1}", "categories: [c]")})
    result = build(runner, site)
    assert result.exit_code == 0
    warnings = [line for line in result.stderr.splitlines() if ": warning: " in line]
    assert [w.split(": warning: ")[0] for w in warnings] == [f"{P}:4:1", f"{P}:5:1", f"{P}:6:1"]
    for hint in ("did you mean 'title'?", "did you mean 'tags'?", "did you mean 'summary'?"):
        assert hint in result.stderr
    assert not (site / "public/tags/a").exists()  # `Tags:` is not `tags:`: keys are case-sensitive


# --- Slugs, URLs and collisions (SL-01 .. SL-07) ---------------------------------------------------

SLUG_ROWS = [
    Bad("SL-01-same-explicit-slug", {"content/posts/a.md": fm(T, D, "slug: same"),
                                     "content/posts/b.md": fm(T, D, "slug: same")},
        "content/posts/b.md", 4, None, r"content/posts/a\.md.*content/posts/b\.md.*posts/same/",
        hint="slug"),
    Bad("SL-02-names-that-slugify-alike", {"content/posts/Hello, World!.md": fm(T, D),
                                           "content/posts/Hello World.md": fm(T, D),
                                           "content/posts/hello\u2014world.md": fm(T, D)},
        "content/posts/hello\u2014world.md", None, None,
        r"(?s)(?=.*Hello, World!\.md)(?=.*Hello World\.md)(?=.*hello\u2014world\.md).*posts/hello-world/",
        hint="slug"),
    Bad("SL-05-fullwidth-dots-slug", {P: fm(T, D, "slug: \uff0e\uff0e")}, P, 4, 7, "slug"),
    Bad("SL-05-alias-escaping", {P: fm(T, D, "aliases: [/../../x/]")}, P, 4, None, "alias"),
    Bad("SL-07-nfc-and-nfd-names-collide", {"content/posts/caf\u00e9.md": fm(T, D),
                                            "content/posts/cafe\u0301.md": fm(T, D)},
        "content/posts/caf\u00e9.md", None, None, "posts/cafe/"),
]


@pytest.mark.parametrize("bad", [case(b) for b in SLUG_ROWS])
def test_slug_rows_fail_closed(site: Path, runner: CliRunner, tmp_path: Path, bad: Bad) -> None:
    fails_closed(runner, site, bad, tmp_path)
    assert not Path("/tmp/sitegen-canary-dotdot").exists()
    assert not any(p.name == "x" for p in tmp_path.iterdir())


@pytest.mark.parametrize(("slug", "folder", "warning"), [
    ("../../../../../../tmp/sitegen-canary-dotdot", "tmp-sitegen-canary-dotdot", "as written"),
    ("'%2e%2e%2f%2e%2e%2fx'", "2e-2e-2f-2e-2e-2fx", "as written"),
    ("con", "con-1", "as written"),  # a name Windows refuses
    ("a" * 300, "a" * 200, "300 bytes long"),
])
def test_sl05_sl06_explicit_slugs_are_honoured_inside_the_site(
        site: Path, runner: CliRunner, tmp_path: Path, slug: str, folder: str, warning: str) -> None:
    put(site, {P: fm(T, D, f"slug: {slug}")})
    outside = tree(tmp_path, skip=(site,))
    result = build(runner, site)
    assert result.exit_code == 0, result.output
    assert f"{P}:4:7: warning: " in result.stderr and warning in result.stderr, result.stderr
    assert (site / "public/posts" / folder / "index.html").is_file()
    assert tree(tmp_path, skip=(site,)) == outside, "something was written outside"
    assert not Path("/tmp/sitegen-canary-dotdot").exists()


def tag_pages(out: Path) -> list[str]:
    return sorted(p.parent.name for p in (out / "tags").glob("*/index.html"))


def test_sl03_symbol_tags_get_distinct_readable_slugs(site: Path, runner: CliRunner) -> None:
    names = {"a": "C++", "b": "'C#'", "c": "C", "d": ".NET", "e": "Node.js"}
    put(site, {f"content/posts/{k}.md": fm(T, D, f"tags: [{v}]") for k, v in names.items()})
    assert build(runner, site).exit_code == 0
    assert tag_pages(site / "public") == ["c", "cpp", "csharp", "dotnet", "node-js"]
    for slug, only in (("cpp", "/posts/a/"), ("csharp", "/posts/b/"), ("c", "/posts/c/")):
        html = (site / f"public/tags/{slug}/index.html").read_text()
        assert only in html and sum(f"/posts/{k}/" in html for k in names) == 1


def test_sl04_case_variants_are_one_tag_named_by_a_stable_rule(site: Path, runner: CliRunner) -> None:
    put(site, {"content/posts/a.md": fm(T, "date: 2025-01-01", "tags: [AI, paradigm shift in AI]"),
               "content/posts/b.md": fm(T, "date: 2025-01-02", "tags: [ai, Paradigm Shift in AI]"),
               "content/posts/c.md": fm(T, "date: 2025-01-03", "tags: [Ai]")})
    assert build(runner, site).exit_code == 0
    out = site / "public"
    assert tag_pages(out) == ["ai", "paradigm-shift-in-ai"]
    html = (out / "tags/paradigm-shift-in-ai/index.html").read_text()
    assert "Posts tagged paradigm shift in AI" in html  # a tie: the earliest post's spelling
    assert all(f"/posts/{k}/" in (out / "tags/ai/index.html").read_text() for k in "abc")
    first = tree(out)
    assert build(runner, site).exit_code == 0 and tree(out) == first


def test_sl05_derived_slugs_are_sanitised(site: Path, runner: CliRunner, tmp_path: Path) -> None:
    put(site, {"content/posts/passwd.md": fm("title: ../../etc/passwd", D),
               "content/posts/..md": fm(T, D),  # a dot file: ignored, as README says
               "content/posts/%2e%2e%2fx.md": fm(T, D)})
    result = build(runner, site)
    assert result.exit_code == 0, result.output
    out = site / "public"
    assert sorted(p.name for p in (out / "posts").iterdir()) == ["2e-2e-2fx", "good", "passwd"]
    for path in out.rglob("*"):
        assert path.resolve().is_relative_to(out.resolve())
        assert all(part not in ("", ".", "..") and "%" not in part for part in path.relative_to(out).parts)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    # A name of nothing but full-width dots gives no URL at all: an error, not a folder named "."
    put(site, {"content/posts/\uff0e\uff0e.md": fm(T, D)})
    result = build(runner, site)
    assert result.exit_code == 1
    [problem] = errors_of(result.stderr)
    assert problem.path == "content/posts/\uff0e\uff0e.md" and "cannot make a URL" in problem.message


def test_sl06_hostile_file_names_become_portable_slugs(site: Path, runner: CliRunner) -> None:
    put(site, {"content/posts/notes..md": fm(T, D), "content/posts/trailing .md": fm(T, D),
               "content/posts/-leading.md": fm(T, D), "content/posts/lpt1.txt.md": fm(T, D),
               "content/posts/2025-01-01-" + "word-" * 45 + "end.md": fm(T)})
    assert build(runner, site).exit_code == 0
    for folder in (site / "public/posts").iterdir():
        name = folder.name
        assert re.fullmatch(r"[a-z0-9][a-z0-9._-]*", name) and not name.endswith((".", " ")), name
        assert len(name) <= 80, name  # the row's rule: at most 80 characters


@pytest.mark.parametrize("files", [
    pytest.param({P: fm(T, D, "tags: [CON, aux, nul, com1, lpt1]")}, id="tags"),
    pytest.param({"content/posts/con.md": fm(T, D), "content/posts/aux.md": fm(T, D)}, id="file-names"),
])
def test_sl06_windows_reserved_names_never_reach_the_output(site: Path, runner: CliRunner,
                                                            files: Files) -> None:
    put(site, files)
    result = build(runner, site)
    reserved = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
                *(f"lpt{i}" for i in range(1, 10))}
    assert result.exit_code == 0, result.output  # the slug gets a suffix: con-1
    names = {p.name.split(".")[0].lower() for p in (site / "public").rglob("*")}
    assert not names & reserved
    assert {"con-1", "aux-1"} <= names


def test_sl06_a_very_long_tag_is_shortened_or_located(site: Path, runner: CliRunner) -> None:
    put(site, {P: fm(T, D, "tags: [" + "word " * 60 + "]")})
    result = build(runner, site)
    assert result.exit_code == 0, result.output  # shortened
    assert all(len(p.name.encode()) <= 255 for p in (site / "public").rglob("*"))
    tags = [p.name for p in (site / "public/tags").iterdir() if p.name != "index.html"]
    assert len(tags) == 1 and tags[0].startswith("word-word-") and len(tags[0]) <= 80  # the row's rule


def test_sl07_non_ascii_titles_get_non_empty_nfc_slugs(site: Path, runner: CliRunner) -> None:
    names = ["日本語の記事", "Ärger über Öl", "Ελληνικά", "cafe\u0301 NFD"]
    put(site, {f"content/posts/{name}.md": fm(f"title: {name}", D) for name in names})
    assert build(runner, site).exit_code == 0
    slugs = sorted(p.name for p in (site / "public/posts").iterdir())
    assert len(slugs) == len(names) + 1 and all(slugs)
    import unicodedata
    assert all(unicodedata.normalize("NFC", s) == s for s in slugs)
    sitemap = (site / "public/sitemap.xml").read_text()
    assert all(loc.isascii() and " " not in loc for loc in re.findall(r"<loc>(.*?)</loc>", sitemap))


# --- Escaping, HTML and templates (ES-01 .. ES-04) --------------------------------------------------


class Markup(HTMLParser):
    """Elements, attributes and script text of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str]] = []
        self.scripts: list[str] = []  # what a browser would run
        self.data: list[str] = []  # JSON-LD, which it never runs
        self._in: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [(k, v or "") for k, v in attrs]
        data = tag == "script" and ("type", "application/ld+json") in attrs
        self._in = (self.data if data else self.scripts) if tag == "script" else None

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in is not None:
            self._in.append(data)


def markup_of(path: Path) -> Markup:
    parser = Markup()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


def assert_inert(out: Path) -> None:
    """No page runs anything it got from content: no handlers, no injected elements, no js: URLs."""
    for page in out.rglob("*.html"):
        parsed = markup_of(page)
        assert not [k for k, _ in parsed.attributes if k.startswith("on")], page
        assert "svg" not in parsed.tags and "iframe" not in parsed.tags and "form" not in parsed.tags, page
        assert not any("alert" in s for s in parsed.scripts), page
        for data in parsed.data:  # held whole in its script: JSON, ending where the script ends
            json.loads(data)
        assert not [v for k, v in parsed.attributes if k in ("href", "src", "action")
                    and "".join(v.split()).lower().startswith(("javascript:", "vbscript:"))], page
        assert not any(tag == "img" and ("src", "x") in parsed.attributes for tag in parsed.tags), page


ES01_TITLE = "</title><script>alert(1)</script>"


def test_es01_front_matter_is_escaped_everywhere(site: Path, runner: CliRunner) -> None:
    put(site, {P: fm(f"title: '{ES01_TITLE}'", D, "summary: '\" onmouseover=\"alert(1)'",
                     "tags: ['<img src=x onerror=alert(1)>', '\"><svg onload=alert(1)>']",
                     "author: '\"''><svg onload=alert(1)>'", "description: '</script><script>alert(1)//'")})
    result = build(runner, site)
    assert result.exit_code == 0, result.output
    out = site / "public"
    assert_inert(out)
    page = (out / "posts/bad/index.html").read_text()
    assert "&lt;/title&gt;&lt;script&gt;" in page
    for xml_file in list(out.rglob("*.xml")):
        ET.parse(xml_file)  # well-formed
    feed = ET.parse(out / "feed.xml").getroot()
    titles = [e.findtext(f"{ATOM}title") for e in feed.iter(f"{ATOM}entry")]
    assert ES01_TITLE in titles  # escaped exactly once: the parsed text is the original


def test_es01_site_templates_and_their_partials_escape_too(site: Path, runner: CliRunner) -> None:
    """README: autoescape is on for .html and .xml templates, the site's own included."""
    put(site, {"templates/post.html": '{% extends "theme/post.html" %}{% block content %}'
                                      '{% include "partials/title.html" %}{{ super() }}{% endblock %}',
               "templates/partials/title.html":
                   "<p class=partial>{{ post.title }}|{{ post.extra.get('note') }}</p>",
               P: fm(f"title: '{ES01_TITLE}'", D, "note: '<b onclick=x>'")})
    assert build(runner, site).exit_code == 0
    assert_inert(site / "public")
    page = (site / "public/posts/bad/index.html").read_text()
    assert "<p class=partial>&lt;/title&gt;&lt;script&gt;" in page and "&lt;b onclick=x&gt;" in page


def test_es02_raw_html_is_sanitized_with_located_warnings(site: Path, runner: CliRunner) -> None:
    body = ("Intro.\n\n<script>alert(1)</script>\n\n<iframe src=x></iframe>\n\n"
            "<img src=/a.png onerror=alert(1)>\n\n<style>body{}</style>\n\n<form action=//evil></form>\n")
    put(site, {P: fm(T, D, body=body)})
    result = build(runner, site)
    assert result.exit_code == 0
    for line, removed in ((7, "<script> removed"), (9, "iframe from x removed"), (11, "onerror= removed"),
                          (13, "style that could hide text removed"), (15, "form element <form> removed")):
        assert f"{P}:{line}:1: warning: " in result.stderr and removed in result.stderr
    assert_inert(site / "public")
    page = (site / "public/posts/bad/index.html").read_text()
    assert "alert(1)" not in page and '<img src="/a.png">' in page
    put(site, {"sitegen.yaml": "base_url: https://example.org/\nmarkdown: {unsafe_html: true}\n"})
    result = build(runner, site)
    assert result.exit_code == 0 and "removed" not in result.stderr
    assert "<script>alert(1)</script>" in (site / "public/posts/bad/index.html").read_text()


def test_es03_executable_links_lose_their_target(site: Path, runner: CliRunner) -> None:
    body = ("[x](javascript:alert(1))\n\n<javascript:alert(1)>\n\n![i](javascript:alert(2))\n\n"
            "[y](JaVaScRiPt&#58;alert(3))\n\n[z](java\tscript:alert(4))\n\n[v](vbscript:msgbox)\n\n"
            "[d](data:text/html;base64,PHNjcmlwdD4=)\n\n[ok](https://example.org/)\n")
    put(site, {P: fm(T, D, body=body)})
    result = build(runner, site)
    assert result.exit_code == 0
    assert f"{P}:5: warning: link to" in result.stderr and "would run code" in result.stderr
    assert_inert(site / "public")
    page = markup_of(site / "public/posts/bad/index.html")
    assert ("href", "https://example.org/") in page.attributes
    assert not [v for k, v in page.attributes if k in ("href", "src") and "data:text" in v]


def test_es04_template_syntax_in_content_is_text(site: Path, runner: CliRunner) -> None:
    body = ("{{ 7*7 }}\n\n{% include \"/etc/passwd\" %}\n\n"
            "{{ cycler.__init__.__globals__.os.popen('id').read() }}\n\n{% raw %}\n\n"
            "`{{ code }}`\n\n```\n{{ fenced }}\n```\n")
    put(site, {P: fm('title: "{{ 7*7 }}"', D, 'summary: "{% if true %}yes{% endif %}"', body=body)})
    result = build(runner, site)
    assert result.exit_code == 0, result.output
    page = (site / "public/posts/bad/index.html").read_text()
    for literal in ("{{ 7*7 }}", '{% include "/etc/passwd" %}', "{% raw %}", "{{ code }}", "{{ fenced }}"):
        assert literal in page, literal
    assert "49" not in page.split("<main")[1] and "root:" not in page and "uid=" not in page
    assert "{% if true %}yes{% endif %}" in (site / "public/feed.xml").read_text()


# --- Encoding and file types (EN-01 .. EN-06) -------------------------------------------------------

ENCODING_ROWS = [
    Bad("EN-01-latin-1", {P: "---\ntitle: Caf\xe9\ndate: 2025-01-01\n---\nx\n".encode("latin-1")},
        P, 2, 11, r"not valid UTF-8 \(byte 0xE9\)", hint="UTF-8"),
    Bad("EN-01-latin-1-in-body", {P: b"---\ntitle: ok\ndate: 2025-01-01\n---\nline\nline \xe9two\n"},
        P, 6, 6, r"byte 0xE9", hint="UTF-8"),
    Bad("EN-01-utf-16-le", {P: "\ufeff---\ntitle: x\n---\n".encode("utf-16-le")}, P, 1, 1,
        "UTF-16.*not supported", hint="UTF-8"),
    Bad("EN-01-utf-16-be", {P: "\ufeff---\ntitle: x\n---\n".encode("utf-16-be")}, P, 1, 1,
        "UTF-16.*not supported", hint="UTF-8"),
    Bad("EN-01-utf-32", {P: "---\ntitle: x\n---\n".encode("utf-32")}, P, 1, 1, "UTF-(16|32)"),
    Bad("EN-03-png-renamed", {P: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"}, P, 1, 1,
        "binary|not valid UTF-8"),
    Bad("EN-03-nul-in-text", {P: b"---\ntitle: ok\ndate: 2025-01-01\n---\nab\x00c\n"}, P, 5, 3, "binary|NUL"),
    Bad("EN-04-zero-bytes", {P: b""}, P, 1, None, "empty"),
    Bad("EN-04-whitespace-only", {P: b" \n\n\t\r\n"}, P, 1, None, "empty"),
    Bad("EN-06-twenty-megabytes", {P: fm(T, D, body="word " * (4 * 1024 * 1024))}, P, None, None,
        "limit|exceeds"),
]


@pytest.mark.parametrize("bad", [case(b) for b in ENCODING_ROWS])
def test_encoding_rows_fail_closed(site: Path, runner: CliRunner, tmp_path: Path, bad: Bad) -> None:
    fails_closed(runner, site, bad, tmp_path)


@pytest.mark.parametrize(("bom", "newline"), [(True, "\r\n"), (False, "\r\n"), (True, "\n"), (False, "\r")])
def test_en02_bom_and_line_ends_change_nothing(tmp_path: Path, runner: CliRunner, bom: bool,
                                               newline: str) -> None:
    lines = ["---", "title: Café « ok »", "date: 2025-01-01", "tags: [x, y]", "---", "", "Para one.",
             "", "<!--more-->", "", "Para two.", ""]
    outputs = []
    for name, data in (("plain", "\n".join(lines).encode()),
                       ("variant", (b"\xef\xbb\xbf" if bom else b"") + newline.join(lines).encode())):
        root = tmp_path / name
        put(root, {**GOOD_SITE, P: data})
        assert build(runner, root).exit_code == 0
        outputs.append(tree(root / "public"))
        text = all_text(root / "public")
        assert "\ufeff" not in text and "\r" not in text
    assert outputs[0] == outputs[1]


def test_en03_apple_double_and_dot_files_are_ignored(site: Path, runner: CliRunner) -> None:
    put(site, {"content/posts/._good.md": b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        ",
               "content/posts/.hidden.md": b"\x00binary"})
    result = build(runner, site)
    assert result.exit_code == 0 and "warning" not in result.stderr


def test_en04_front_matter_only_is_a_valid_post(site: Path, runner: CliRunner) -> None:
    put(site, {P: "---\ntitle: Only front matter\ndate: 2025-01-02\n---\n"})
    assert build(runner, site).exit_code == 0
    feed = ET.parse(site / "public/feed.xml").getroot()
    assert "Only front matter" in [e.findtext(f"{ATOM}title") for e in feed.iter(f"{ATOM}entry")]


def test_en05_non_post_files_and_editor_junk_are_ignored(site: Path, runner: CliRunner) -> None:
    put(site, {"content/posts/img.png": b"\x89PNG\r\n\x1a\n", "content/posts/doc.pdf": b"%PDF-1.4",
               "content/posts/.DS_Store": b"\x00\x00\x00\x01Bud1", "content/posts/Thumbs.db": b"\xd0\xcf",
               "content/posts/.#good.md": b"lock", "content/posts/#good.md#": b"x",
               "content/posts/good.md~": b"x", "content/posts/.good.md.swp": b"b0VIM \x00",
               "content/posts/UPPER.MD": fm(T, D).encode(), "content/posts/long.markdown": fm(T, D).encode()})
    result = build(runner, site)
    assert result.exit_code == 0 and "warning" not in result.stderr, result.stderr
    assert sorted(p.name for p in (site / "public/posts").iterdir()) == ["good", "long", "upper"]


def test_en06_a_one_megabyte_line_builds_quickly(site: Path, runner: CliRunner) -> None:
    put(site, {P: fm(T, D, body="word " * 200_000)})
    started = time.monotonic()
    assert build(runner, site).exit_code == 0
    assert time.monotonic() - started < 10


@pytest.mark.parametrize("body", [
    pytest.param("[" * 10_000, id="run-of-brackets"),
    pytest.param("[x" * 6_000, id="interleaved-brackets"),
    pytest.param("[x\n" * 6_000, id="brackets-on-many-lines"),
])
def test_en06_pathological_markdown_is_bounded(site: Path, body: str) -> None:
    put(site, {P: fm(T, D, body=body)})
    process = subprocess.Popen([sys.executable, "-m", "sitegen", "build", str(site), "-q"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _, err = process.communicate(timeout=4)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise AssertionError("the post did not build or fail within 4 s") from None
    assert process.returncode == 1 and "Traceback" not in err, err
    [problem] = errors_of(err)
    assert (problem.path, problem.line) == (P, 5) and "'[' characters" in problem.message, err


# --- Output directory (OUT-01 .. OUT-05) ------------------------------------------------------------


@pytest.mark.parametrize("where", [".", "..", "HOME", "ROOT", "content", "content/posts",
                                   "templates", "static/out", "LINK-TO-ROOT", "LINK-TO-PARENT"])
def test_out01_dangerous_outputs_are_refused_before_anything_is_touched(
        site: Path, runner: CliRunner, tmp_path: Path, where: str, monkeypatch: pytest.MonkeyPatch) -> None:
    put(site, {"templates/keep.html": "sentinel", "static/keep.txt": "sentinel"})
    home = tmp_path / "home"
    home.mkdir()
    (tmp_path / "link-root").symlink_to(site)
    (tmp_path / "link-parent").symlink_to(tmp_path)
    target = {"HOME": str(home), "ROOT": str(site), "LINK-TO-ROOT": str(tmp_path / "link-root"),
              "LINK-TO-PARENT": str(tmp_path / "link-parent")}.get(where, where)
    monkeypatch.chdir(site)
    before = tree(tmp_path)
    result = build(runner, site, "-o", target, env={"HOME": str(home)})
    assert result.exit_code == 2, result.output
    assert "refusing to write the site" in result.stderr
    assert tree(tmp_path) == before


def test_out01_the_file_system_root_is_refused_by_the_check_alone(site: Path) -> None:
    """`-o /` is checked without running a build: a regression must not get to touch `/`."""
    from dataclasses import replace

    from sitegen.errors import OutputError
    from sitegen.output import check_output_dir
    from tests.conftest import config_for

    for target in (Path("/"), Path.home()):
        with pytest.raises(OutputError, match="refusing"):
            check_output_dir(replace(config_for(site), output_dir=target))


def test_out02_a_foreign_folder_is_refused(site: Path, runner: CliRunner, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    put(docs, {"index.html": "hand-written", "notes/a.txt": "mine"})
    before = tree(tmp_path)
    result = build(runner, site, "-o", str(docs))
    assert result.exit_code == 2 and "did not write" in result.stderr
    assert tree(tmp_path) == before


def test_out02_the_refusal_names_some_files(site: Path, runner: CliRunner, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    put(docs, {"index.html": "hand-written", "notes/a.txt": "mine"})
    result = build(runner, site, "-o", str(docs))
    assert "index.html" in result.stderr


def test_out03_keep_files_survive_and_the_rest_is_replaced(site: Path, runner: CliRunner) -> None:
    out = site / "public"
    put(out, {"CNAME": "blog.example.org\n", ".nojekyll": "", ".git/HEAD": "ref: refs/heads/main\n",
              ".well-known/security.txt": "Contact: x", "stale.html": "old", "posts/gone/index.html": "old"})
    put(site, {"sitegen.yaml": "base_url: https://example.org/\n"
                               "keep_files: [CNAME, .nojekyll, .git, .well-known]\n"})
    assert build(runner, site).exit_code == 0
    assert (out / "CNAME").read_text() == "blog.example.org\n" and (out / ".nojekyll").is_file()
    assert (out / ".git/HEAD").is_file() and (out / ".well-known/security.txt").is_file()
    assert not (out / "stale.html").exists() and not (out / "posts/gone").exists()


@pytest.mark.parametrize("keep", ["../outside", "/etc", "a/../../x"])
def test_out03_keep_files_cannot_reach_outside(site: Path, runner: CliRunner, keep: str) -> None:
    put(site, {"sitegen.yaml": f"base_url: https://example.org/\nkeep_files: ['{keep}']\n"})
    result = build(runner, site)
    assert result.exit_code == 1 and errors_of(result.stderr)[0].path == "sitegen.yaml"


def test_out04_old_urls_vanish_after_a_rebuild(site: Path, runner: CliRunner) -> None:
    put(site, {"content/posts/renamed.md": fm(T, D, "slug: before", "tags: [old-tag, kept]"),
               "content/posts/deleted.md": fm("title: DELETED-SENTINEL", D, "tags: [kept]")})
    assert build(runner, site).exit_code == 0
    out = site / "public"
    assert (out / "posts/before").is_dir() and (out / "tags/old-tag").is_dir()
    (site / "content/posts/deleted.md").unlink()
    put(site, {"content/posts/renamed.md": fm(T, D, "slug: after", "tags: [kept]")})
    assert build(runner, site).exit_code == 0
    assert not (out / "posts/before").exists() and not (out / "posts/deleted").exists()
    assert not (out / "tags/old-tag").exists() and (out / "posts/after").is_dir()
    text = all_text(out)
    assert "/posts/before/" not in text and "DELETED-SENTINEL" not in text and "old-tag" not in text


def test_out05_a_template_error_on_post_57_of_100_changes_nothing(tmp_path: Path, runner: CliRunner) -> None:
    root = tmp_path / "site"
    put(root, {"sitegen.yaml": "base_url: https://example.org/\n",
               **{f"content/posts/p{i:03d}.md": fm(f"title: Post {i}", f"date: 2025-01-{1 + i % 28:02d}")
                  for i in range(1, 101)}})
    assert build(runner, root).exit_code == 0
    before = tree(root / "public")
    put(root, {"templates/post.html": '{% extends "theme/post.html" %}\n{% block content %}\n'
                                      '{% if post.slug == "p057" %}{{ page.missing.attr }}{% endif %}\n'
                                      "{{ super() }}{% endblock %}\n"})
    result = build(runner, root)
    assert result.exit_code == 1
    [problem] = errors_of(result.stderr)
    assert (problem.path, problem.line) == ("templates/post.html", 3)
    assert "content/posts/p057.md" in problem.message
    assert tree(root / "public") == before and leftovers(root / "public") == []


# --- Symlinks (SYM-01, SYM-02) ----------------------------------------------------------------------


@pytest.fixture
def canary(tmp_path: Path) -> Path:
    path = tmp_path / "canary-secret.md"
    path.write_text("---\ntitle: Stolen\ndate: 2025-01-01\n---\nCANARY-SECRET-93b1\n")
    return path


@pytest.mark.parametrize(("link", "target", "message"), [
    ("content/posts/secret.md", "CANARY", "outside the site"),
    ("content/posts/shared", "CANARY-DIR", "outside the site"),
    ("content/pages/about.md", "/etc/passwd", "outside the site"),
    ("static/leak.txt", "CANARY", "outside the site"),
])
def test_sym01_links_out_of_the_site_are_errors(site: Path, runner: CliRunner, tmp_path: Path,
                                               canary: Path, link: str, target: str, message: str) -> None:
    folder = tmp_path / "notes"
    put(folder, {"x.md": canary.read_text()})
    destination = {"CANARY": canary, "CANARY-DIR": folder}.get(target, Path(target))
    (site / link).parent.mkdir(parents=True, exist_ok=True)
    (site / link).symlink_to(destination)
    before = tree(site / "public")
    result = build(runner, site)
    assert result.exit_code == 1
    [problem] = [p for p in errors_of(result.stderr) if p.path == link]
    assert message in problem.message
    assert tree(site / "public") == before
    assert "CANARY-SECRET-93b1" not in all_text(site / "public")


def test_sym01_static_link_error_names_the_target(site: Path, runner: CliRunner, canary: Path) -> None:
    (site / "static").mkdir()
    (site / "static/leak.txt").symlink_to(canary)
    result = build(runner, site)
    assert str(canary) in result.stderr


def test_sym02_loops_dangling_and_inner_links_terminate(site: Path, runner: CliRunner) -> None:
    posts = site / "content/posts"
    (posts / "loop").symlink_to("..")
    (posts / "self").symlink_to(".")
    (posts / "dangling.md").symlink_to("/nonexistent/sitegen/x.md")
    (posts / "inside.md").symlink_to(posts / "good.md")
    (site / "static").mkdir()
    (site / "static/loop").symlink_to(".")
    (site / "static/inner.txt").symlink_to(site / "content/posts/good.md")
    started = time.monotonic()
    result = build(runner, site)
    assert time.monotonic() - started < 10
    assert result.exit_code == 0, result.output
    for name in ("content/posts/loop", "content/posts/self", "content/posts/dangling.md"):
        assert f"{name}: warning: " in result.stderr
    assert not [p for p in (site / "public").rglob("*") if p.is_symlink()]


# --- Dev server (DEV-01, DEV-05, DEV-08; the others are in test_server.py) ---------------------------


def start_serve(root: Path, *args: str) -> tuple[subprocess.Popen[str], str, list[str]]:
    process = subprocess.Popen([sys.executable, "-m", "sitegen", "serve", str(root), "--port", "0", *args],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    lines: list[str] = []
    while not any(line.startswith("Serving ") for line in lines):
        line = process.stdout.readline()
        if not line:
            process.kill()
            raise AssertionError("serve exited: " + (process.stderr.read() if process.stderr else ""))
        lines.append(line)
    return process, lines[-1].split()[1], lines


def stop(process: subprocess.Popen[str]) -> tuple[str, str]:
    process.send_signal(signal.SIGINT)
    try:
        return process.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        raise


def test_dev01_loopback_by_default_and_a_warning_for_other_hosts(site: Path) -> None:
    serve = cli.commands["serve"]
    assert next(p for p in serve.params if p.name == "host").default == "127.0.0.1"
    process, address, _ = start_serve(site)
    out, err = stop(process)
    assert address.startswith("http://localhost:") and "warning" not in err
    process, address, _ = start_serve(site, "--host", "0.0.0.0")
    out, err = stop(process)
    assert "warning" in err and "network" in err and "drafts" in err
    assert process.returncode == 0 and "Traceback" not in err


MALFORMED = {
    "bad-percent": b"GET /%zz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    "100-kb-url": b"GET /" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: localhost\r\n\r\n",
    "long-segment": b"GET /" + b"a" * 5000 + b"/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    "nul": b"GET /a\x00b HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    "non-utf8": b"GET /\xff\xfe\xc3( HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    "10000-headers": b"GET / HTTP/1.1\r\nHost: localhost\r\n" + b"X-A: b\r\n" * 10_000 + b"\r\n",
    "garbage": b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(range(256)) + b"\r\n\r\n",
    "no-host": b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n",
    "absolute-form": b"GET http://localhost/../../etc/passwd HTTP/1.1\r\nHost: localhost\r\n"
                     b"Connection: close\r\n\r\n",
    "bad-method": b"BREW /pot HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    "http-0.9": b"GET /\r\n\r\n",
    "huge-content-length": b"GET / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 99999999999\r\n"
                           b"Connection: close\r\n\r\n",
}


def send(address: str, data: bytes, timeout: float = 5) -> bytes:
    import socket
    port = int(address.rstrip("/").rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        try:
            connection.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            return b""
        chunks = []
        try:
            while chunk := connection.recv(65536):
                chunks.append(chunk)
                if len(chunks) > 100:
                    break
        except (ConnectionResetError, TimeoutError):
            pass
    return b"".join(chunks)


def test_dev05_malformed_requests_never_take_the_server_down(running: Running) -> None:
    import socket
    port = int(running.address.rstrip("/").rsplit(":", 1)[1])
    slow = socket.create_connection(("127.0.0.1", port), timeout=5)  # slowloris: never finishes
    slow.sendall(b"GET / HTTP/1.1\r\nHost: local")
    try:
        for name, request in MALFORMED.items():
            response = send(running.address, request)
            if response.startswith(b"HTTP/"):
                code = status(response)
                assert code in (200, 400, 404, 405, 414, 421, 431, 501), (name, response[:200])
                assert b"root:" not in response and b"Traceback" not in response, name
            assert status(raw_get(running.address, "/posts/hello/")) == 200, f"down after {name}"
    finally:
        slow.close()
    assert status(raw_get(running.address, "/")) == 200


def test_dev05_an_error_inside_the_handler_becomes_a_response(running: Running) -> None:
    response = send(running.address, MALFORMED["long-segment"])
    assert response.startswith(b"HTTP/1.1 4"), response[:100]


def test_dev06_no_cross_origin_reads(running: Running) -> None:
    """A page on another origin can neither read pages nor subscribe to the reload events."""
    import socket
    port = int(running.address.rstrip("/").rsplit(":", 1)[1])
    for target in ("/", "/__sitegen/events"):
        with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
            connection.sendall(f"GET {target} HTTP/1.1\r\nHost: localhost:{port}\r\n"
                               "Origin: https://attacker.example\r\nConnection: close\r\n\r\n".encode())
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = connection.recv(4096)
                if not chunk:
                    break
                head += chunk
        assert b"access-control-allow-origin" not in head.lower(), (target, head[:300])


def test_dev08_serve_never_touches_the_production_output(site: Path, runner: CliRunner) -> None:
    out = site / "public"
    before, siblings = tree(out), sorted(p.name for p in site.iterdir())
    process, address, _ = start_serve(site)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # "Serving" is printed just before the watcher starts
            put(site, {"content/posts/good.md": post("Good", body="EDITED-WHILE-SERVING")})
            with urllib.request.urlopen(address + "posts/good/", timeout=5) as response:
                if b"EDITED-WHILE-SERVING" in response.read():
                    break
            time.sleep(0.3)
        else:
            raise AssertionError("the edit was not served")
    finally:
        stop(process)
    assert tree(out) == before
    assert sorted(p.name for p in site.iterdir()) == siblings
    assert "__sitegen" not in all_text(out) and "EventSource" not in all_text(out)


# --- Determinism (DET-02) ---------------------------------------------------------------------------


def test_det02_dates_in_the_output_come_from_content_not_the_clock(site: Path, runner: CliRunner,
                                                                    tmp_path: Path) -> None:
    put(site, {"content/posts/newest.md": fm(T, "date: 2025-03-04T05:06:07Z", "tags: [t]")})
    digests = []
    for epoch in ("1767225600", "1893456000", None):
        env = {"SOURCE_DATE_EPOCH": epoch} if epoch else {"SOURCE_DATE_EPOCH": ""}
        assert build(runner, site, env=env).exit_code == 0
        digests.append(tree(site / "public"))
        time.sleep(0.01)
    assert digests[0] == digests[1] == digests[2]
    feed = ET.parse(site / "public/feed.xml").getroot()
    assert feed.findtext(f"{ATOM}updated") == "2025-03-04T05:06:07+00:00"
    assert str(tmp_path) not in all_text(site / "public")


# --- Feeds and sitemap (FEED-01, FEED-02) -----------------------------------------------------------


def test_feed01_missing_base_url_warns_and_fails_under_strict(site: Path, runner: CliRunner) -> None:
    put(site, {"sitegen.yaml": "title: No base\n"})
    result = build(runner, site)
    assert result.exit_code == 0 and "sitegen.yaml: warning: base_url is not set" in result.stderr
    assert build(runner, site, "--strict").exit_code == 1


@pytest.mark.parametrize("value", ["/blog", "example.org", "ftp://example.org/", "https://"])
def test_feed01_a_base_url_that_is_not_absolute_is_a_config_error(site: Path, runner: CliRunner,
                                                                  tmp_path: Path, value: str) -> None:
    fails_closed(runner, site, Bad("x", {"sitegen.yaml": f"base_url: '{value}'\n"}, "sitegen.yaml", 1, None,
                                   "base_url must be an absolute"), tmp_path)
    result = build(runner, site, "--base-url", value)
    assert result.exit_code == 1 and "--base-url: error:" in result.stderr


def test_feed01_a_sub_path_reaches_every_link(site: Path, runner: CliRunner) -> None:
    put(site, {"sitegen.yaml": "base_url: https://example.org/blog\n",
               "content/posts/other.md": fm(T, D, "tags: [x]", body="[see](/posts/good/) and [g](good.md)")})
    assert build(runner, site).exit_code == 0
    out = site / "public"
    for page in out.rglob("*.html"):
        for key, value in markup_of(page).attributes:
            if key in ("href", "src") and value.startswith("/"):
                assert value.startswith("/blog/"), (page, value)
    for xml_file in ("feed.xml", "sitemap.xml", "tags/x/feed.xml"):
        text = (out / xml_file).read_text()
        urls = re.findall(r'(?:href="|<loc>|<id>)(https?://[^"<]+)', text)
        assert urls and all(u.startswith("https://example.org/blog/") for u in urls), xml_file


def test_feed01_a_trailing_index_html_is_not_a_folder(site: Path, runner: CliRunner) -> None:
    put(site, {"sitegen.yaml": "base_url: https://example.org/blog/index.html\n"})
    result = build(runner, site)
    assert result.exit_code == 0, result.output  # read as the folder it is in
    html = (site / "public/index.html").read_text()
    assert "index.html/" not in html and '<link rel="canonical" href="https://example.org/blog/">' in html


def test_feed02_feeds_and_sitemap_are_well_formed_and_escaped_once(tmp_path: Path, runner: CliRunner) -> None:
    root = tmp_path / "site"
    titles = {i: f"R&D <b>{i}</b> ]]> « naïve » bell" for i in range(150)}  # \u0007 is an error (p4)
    files: Files = {"sitegen.yaml": "base_url: https://example.org/\nfeed_limit: 1000\n"}
    for i, title in titles.items():
        files[f"content/posts/2025-01-01-ñandú-{i:03d}.md"] = fm(
            f"title: {json.dumps(title, ensure_ascii=False)}",
            f"date: 2025-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:00:00Z", "tags: [Café & co]",
            body=f"Body {i} & 1 <2 ]]>")
    files["content/posts/draft.md"] = fm("title: DRAFT-FEED", D, "draft: true")
    files["content/posts/future.md"] = fm("title: FUTURE-FEED", "date: 2999-01-01")
    put(root, files)
    result = build(runner, root)
    assert result.exit_code == 0, result.output
    out = root / "public"
    for name in ("feed.xml", "tags/cafe-and-co/feed.xml"):
        raw = (out / name).read_text()
        assert "DRAFT-FEED" not in raw and "FUTURE-FEED" not in raw
        feed = ET.parse(out / name).getroot()
        entries = list(feed.iter(f"{ATOM}entry"))
        assert len(entries) == 150
        got = {e.findtext(f"{ATOM}title") for e in entries}
        assert got == set(titles.values())
        summaries = {e.findtext(f"{ATOM}summary") for e in entries}  # text: escaped exactly once
        assert summaries == {f"Body {i} & 1 <2 ]]>" for i in titles}
        published = [e.findtext(f"{ATOM}published") or "" for e in entries]
        assert published == sorted(published, reverse=True)
        assert all(e.find(f"{ATOM}link").get("href").isascii() for e in entries)  # type: ignore[union-attr]
    sitemap = ET.parse(out / "sitemap.xml").getroot()
    locs = [e.text or "" for e in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert len(locs) == len(set(locs)) and all(loc.isascii() and " " not in loc for loc in locs)
    assert not any("draft" in loc or "future" in loc for loc in locs)
