"""Containment (RELIABILITY.md P6, rows SL-05, SL-06, SYM-01): a build writes nowhere but its output.

An audit hook sees every file mutation Python makes: `open` for writing, rename/replace, remove,
rmdir, mkdir, symlink, link, chmod, truncate, rmtree, copyfile. Adversarial sites are built in a
subprocess with the hook installed (hooks cannot be removed), and any mutation outside the output
folder, its staging and old siblings (`.<name>.staging-*`, `.<name>.old-*`), its lock file
`.<name>.lock` and the documented build cache `<site>/.sitegen-cache/` fails the test; so does any
read of a canary file outside the site. A hypothesis property then builds sites whose slugs, tags,
titles and file names are drawn from traversal and look-alike tokens and checks every output path.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from sitegen import builder
from sitegen.errors import BuildError, OutputError
from tests.conftest import REPO, config_for
from tests.test_reliability import put

HOOKED_BUILD = r'''
import json, os, sys

config = json.loads(open(sys.argv[1]).read())
canaries = {os.path.realpath(c) for c in config["canaries"]}
targets = [(os.path.realpath(b["out"]), os.path.realpath(b["site"])) for b in config["builds"]]
violations, inside = [], [False]
WRITE = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
EVENTS = {  # event -> (position of a path that is changed, position of its dir_fd or None)
    "os.rename": ((0, 2), (1, 3)), "os.remove": ((0, 1),), "os.rmdir": ((0, 1),), "os.mkdir": ((0, 2),),
    "os.symlink": ((1, 2),), "os.link": ((1, 3),), "os.chmod": ((0, 2),), "os.chown": ((0, 3),),
    "os.truncate": ((0, None),), "os.utime": ((0, 3),), "os.mkfifo": ((0, 2),), "os.mknod": ((0, 3),),
    "os.chflags": ((0, None),), "shutil.rmtree": ((0, 1),), "shutil.copyfile": ((1, None),),
    "shutil.copytree": ((1, None),), "shutil.move": ((0, None), (1, None)),
}


def absolute(path, dir_fd):
    path = os.fsdecode(path)
    if not os.path.isabs(path) and isinstance(dir_fd, int) and dir_fd >= 0:
        path = os.path.join(os.readlink(f"/proc/self/fd/{dir_fd}"), path)
    return os.path.abspath(path)


def allowed(path):
    for out, site in targets:
        if path == os.path.join(os.path.dirname(out), "." + os.path.basename(out) + ".lock"):
            return True
        cache = os.path.join(site, ".sitegen-cache")
        if path == cache or path.startswith(cache + os.sep):
            return True
        probe = path
        while True:
            if probe == out:
                return True
            parent, name = os.path.split(probe)
            if parent == os.path.dirname(out) and name.startswith(
                    ("." + os.path.basename(out) + ".staging-", "." + os.path.basename(out) + ".old-")):
                return True
            if parent == probe:
                break
            probe = parent
    return False


def hook(event, args):
    if not inside[0] or (event != "open" and event not in EVENTS):
        return
    inside[0] = False  # the checks below must not see themselves
    try:
        if event == "open":
            path, mode, flags = args
            if isinstance(path, int):
                return
            real = os.path.realpath(absolute(path, None))
            if real in canaries:
                violations.append(["read", "open", real])
            writing = (isinstance(flags, int) and flags & WRITE) or (
                isinstance(mode, str) and any(c in mode for c in "wax+"))
            if writing and not allowed(real) and real != os.devnull:
                violations.append(["write", event, real])
            return
        for position, fd_position in EVENTS[event]:
            if position >= len(args) or isinstance(args[position], int) or args[position] is None:
                continue
            dir_fd = args[fd_position] if fd_position is not None and fd_position < len(args) else None
            path = absolute(args[position], dir_fd)
            if event == "os.mkdir" and os.path.isdir(path):
                continue  # mkdir(exist_ok=True) of a folder that is already there changes nothing
            real = os.path.join(os.path.realpath(os.path.dirname(path)), os.path.basename(path))
            if not allowed(real):
                violations.append(["write", event, real])
    except Exception as exc:  # a hook that fails must say so, not pass silently
        violations.append(["hook-error", event, repr(exc)])
    finally:
        inside[0] = True


from sitegen.cli import cli  # imported before the hook: imports are not what is tested

sys.addaudithook(hook)
codes = []
for build in config["builds"]:
    for _ in range(build.get("times", 2)):
        inside[0] = True
        try:
            cli.main(["build", build["site"], "-o", build["out"], "-q", "--jobs", "1",
                      *build.get("args", [])], prog_name="sitegen")
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException as exc:
            code = repr(exc)
        finally:
            inside[0] = False
        codes.append(code)
with open(config["result"], "w") as handle:
    json.dump({"violations": violations, "codes": codes}, handle)
'''

TOKENS = ["..", ".", "/", "\\", "%2e", "%2E", "%2f", "%252e", "\uff0e", "\u2025", "\u2024", "\x00", "C:",
          "//", "con", "aux", "a", "B", "\u00e9", "e\u0301", " ", "\u200b", "\u202e", "\u200f", "x"]


def post_text(title: str, date: str = "2025-01-01", **keys: object) -> str:
    """A post whose values are written as JSON strings (valid YAML, any character escaped)."""
    lines = ["---", f"title: {json.dumps(title)}", f"date: {date}"]
    lines += [f"{key}: {json.dumps(value)}" for key, value in keys.items()]
    return "\n".join([*lines, "---", "", "Body.", ""])


def adversarial_sites(tmp_path: Path) -> tuple[list[dict[str, object]], list[Path]]:
    canary = tmp_path / "canary" / "secret.md"
    put(canary.parent, {"secret.md": post_text("CANARY-7f3e"), "notes/x.md": post_text("CANARY-DIR")})
    builds: list[dict[str, object]] = []

    valid = tmp_path / "valid"
    tags = ["../../x", "a/b", "p\\q", "%2e%2e", "\uff0e\uff0e/fw", "\u202eevil", "zero\u200bwidth", "C:\\x",
            "con", "..\\..\\win", "%252e%252e%252f", "\u2025etc", "tab\tand\u00a0nbsp", "m/../n"]
    files: dict[str, str | bytes] = {
        "sitegen.yaml": "base_url: https://example.org/blog/\nkeep_files: [CNAME]\n",
        "tags.yaml": "'../../x':\n  description: traversal as a name\n",
        "content/posts/%2e%2e%2fx.md": post_text("../../etc/passwd", tags=tags[:5]),
        "content/posts/x..%2f..%2fy.md": post_text("..\\..\\windows", tags=tags[5:10]),
        "content/posts/\u202eevil.md": post_text("\u202eevil\u202c", tags=tags[10:]),
        "content/posts/a\u200bb.md": post_text("zero\u200bwidth", aliases=["/old/a/", "/2019/x.html"]),
        "content/posts/back\\slash.md": post_text("back\\slash"),
        "content/posts/ spaced .md": post_text(" spaced "),
        "content/posts/bundle/index.md": post_text("A bundle"),
        "content/pages/about.md": post_text("About"),
        "static/..foo": "dots", "static/%2e%2e": "encoded", "static/a\\b.txt": "backslash",
        "static/CON": "reserved", "static/ x .txt": "spaces", "static/\u202efile.txt": "rtl",
        "static/deep/er/file.txt": "deep",
    }
    put(valid, files)
    marker = "This folder is written by sitegen build and replaced on every build.\n"
    put(valid / "public", {"CNAME": "example.org\n", ".sitegen": marker})  # an earlier build, with a CNAME
    builds.append({"site": str(valid), "out": str(valid / "public")})

    broken = tmp_path / "broken"
    put(broken, {
        "content/posts/traversal.md": post_text("T", slug="../../../../tmp/sitegen-canary-dotdot"),
        "content/posts/encoded.md": post_text("E", slug="%2e%2e%2f%2e%2e"),
        "content/posts/fullwidth.md": post_text("F", slug="\uff0e\uff0e"),
        "content/posts/alias.md": post_text("A", aliases=["/../x/", "/%2e%2e/y/"]),
        "content/posts/dots.md": post_text("D", tags=["..", "/", "\\", "\x00"]),
        "content/posts/\uff0e\uff0e.md": post_text("fullwidth name"),
    })
    builds.append({"site": str(broken), "out": str(tmp_path / "broken-out"), "times": 1})
    config = tmp_path / "bad-config"
    put(config, {"content/posts/a.md": post_text("A"), "sitegen.yaml": "keep_files: ['../outside']\n",
                 "tags.yaml": "x:\n  old_slugs: ['../y']\n  slug: '../z'\n"})
    builds.append({"site": str(config), "out": str(config / "public"), "times": 1})

    linked = tmp_path / "linked"
    put(linked, {"content/posts/ok.md": post_text("OK")})
    (linked / "content/posts/secret.md").symlink_to(canary)
    (linked / "content/posts/notes").symlink_to(canary.parent / "notes")
    (linked / "static").mkdir()
    (linked / "static/leak.md").symlink_to(canary)
    (linked / "content/pages").mkdir()
    (linked / "content/pages/loop").symlink_to("..")
    builds.append({"site": str(linked), "out": str(tmp_path / "elsewhere" / "linked-out"), "times": 1})

    demo = tmp_path / "demo"
    for name in ("content", "templates", "static"):
        if (REPO / name).is_dir():
            import shutil
            shutil.copytree(REPO / name, demo / name, symlinks=True)
    for name in ("sitegen.yaml", "tags.yaml"):
        if (REPO / name).is_file():
            put(demo, {name: (REPO / name).read_bytes()})
    builds.append({"site": str(demo), "out": str(tmp_path / "demo-site"), "args": ["--drafts", "--future"]})
    return builds, [canary, canary.parent / "notes" / "x.md"]


def test_builds_of_adversarial_sites_write_only_their_output(tmp_path: Path) -> None:
    builds, canaries = adversarial_sites(tmp_path)
    config = tmp_path / "hook.json"
    result_file = tmp_path / "hook-result.json"
    config.write_text(json.dumps({"builds": builds, "canaries": [str(c) for c in canaries],
                                  "result": str(result_file)}))
    environment = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "SOURCE_DATE_EPOCH": "1767225600"}
    process = subprocess.run([sys.executable, "-B", "-c", HOOKED_BUILD, str(config)], cwd=tmp_path,
                             capture_output=True, text=True, env=environment, timeout=120, check=False)
    assert process.returncode == 0 and result_file.is_file(), process.stderr[-3000:]
    outcome = json.loads(result_file.read_text())
    assert outcome["violations"] == [], json.dumps(outcome["violations"], indent=1)
    assert outcome["codes"] == [0, 0, 1, 1, 1, 0, 0], (outcome["codes"], process.stderr[-3000:])
    assert "Traceback" not in process.stderr
    for out in (tmp_path / "valid" / "public", tmp_path / "demo-site"):
        assert not [p for p in out.rglob("*") if p.is_file() and b"CANARY" in p.read_bytes()]
    assert not Path("/tmp/sitegen-canary-dotdot").exists()
    valid_out = tmp_path / "valid" / "public"
    assert (valid_out / "CNAME").read_text() == "example.org\n"
    for path in valid_out.rglob("*"):
        assert not path.is_symlink() and path.resolve().is_relative_to(valid_out.resolve())
    assert not (tmp_path / "broken-out").exists() and not (tmp_path / "elsewhere" / "linked-out").exists()
    assert not (tmp_path / "bad-config" / "public").exists() and not (tmp_path / "outside").exists()


def test_the_hook_sees_a_write_outside(tmp_path: Path) -> None:
    """The hook itself works: a template cannot write, so a patched builder stands in for a bug."""
    script = HOOKED_BUILD.replace(
        "from sitegen.cli import cli  # imported before the hook",
        "import sitegen.output as _b\n"
        "_real = _b.write\n"
        "def _leaky(root, relative, data):\n"
        "    import shutil\n"
        "    victim = os.path.join(os.path.dirname(os.path.dirname(str(root))), 'victim')\n"
        "    open(os.path.join(os.path.dirname(victim), 'leak.txt'), 'wb').close()\n"
        "    if os.path.isdir(victim):\n"
        "        shutil.rmtree(victim)\n"
        "    return _real(root, relative, data)\n"
        "_b.write = _leaky\n"
        "from sitegen.cli import cli  # imported before the hook")
    site = tmp_path / "site"
    put(site, {"content/posts/a.md": post_text("A")})
    put(tmp_path / "victim", {"file.txt": "precious"})
    config = tmp_path / "hook.json"
    config.write_text(json.dumps({"builds": [{"site": str(site), "out": str(site / "public"), "times": 1}],
                                  "canaries": [], "result": str(tmp_path / "r.json")}))
    subprocess.run([sys.executable, "-B", "-c", script, str(config)], cwd=tmp_path, capture_output=True,
                   timeout=60, check=False, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    violations = json.loads((tmp_path / "r.json").read_text())["violations"]
    assert ["write", "open", str((tmp_path / "leak.txt").resolve())] in violations
    victim = str((tmp_path / "victim").resolve())
    assert ["write", "shutil.rmtree", victim] in violations
    assert ["write", "os.remove", victim + "/file.txt"] in violations  # unlink(name, dir_fd=...) too
    assert not [v for v in violations if v[0] == "hook-error"]


# --- the slug containment property ----------------------------------------------------------------

values = st.lists(st.sampled_from(TOKENS), min_size=1, max_size=10).map("".join)
# NUL is refused in any value (XML forbids it): it belongs in file names only, where sitegen never
# sees it, or too few sites would build for the paths to be checked.
texts = st.lists(st.sampled_from([t for t in TOKENS if t != "\x00"]), min_size=1, max_size=10).map("".join)
UNSAFE = set("/\\:\x00") | {chr(c) for c in range(32)} | {"\x7f"}


def safe_segment(name: str) -> bool:
    return (name not in ("", ".", "..") and not set(name) & UNSAFE and len(name.encode()) <= 255
            and unicodedata.normalize("NFC", name) == name and name == name.strip())


def test_every_output_path_is_contained_and_safe(tmp_path_factory: pytest.TempPathFactory) -> None:
    outcomes: list[str] = []

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(title=texts, slug=st.one_of(st.none(), texts),
           tags=st.lists(texts | texts.map("t".__add__), max_size=3), name=values,
           alias=st.one_of(st.none(), texts), which=st.integers(0, 3))
    def check(title: str, slug: str | None, tags: list[str], name: str, alias: str | None,
              which: int) -> None:
        base = tmp_path_factory.mktemp("slug")
        site = base / "site"
        file_name = name.replace("/", "-").replace("\x00", "-").strip() or "x"
        if file_name.startswith((".", "_")):
            file_name = "p" + file_name
        keys: dict[str, object] = {"tags": tags}
        if slug is not None and which == 0:  # slugs and aliases are mostly rejected: not every time
            keys["slug"] = slug
        if alias is not None and which == 1:
            keys["aliases"] = ["/" + alias + "/"]
        put(site, {"sitegen.yaml": "base_url: https://example.org/\n",
                   f"content/posts/{file_name[:200]}.md": post_text(title, **keys),  # type: ignore[arg-type]
                   "content/posts/plain.md": post_text("Plain", tags=tags),
                   f"static/{file_name[:200]}.txt": "static"})
        out = site / "public"
        try:
            builder.build(config_for(site), use_cache=False)
        except (BuildError, OutputError):
            event("rejected")
            outcomes.append("rejected")
            assert not out.exists()  # rejecting is fine; nothing half-written
        else:
            event("built")
            outcomes.append("built")
            for path in out.rglob("*"):
                assert path.resolve().is_relative_to(out.resolve()), path
                assert not path.is_symlink()
                static_copy = path.parent == out and path.suffix == ".txt"  # static/ names are the owner's
                for part in path.relative_to(out).parts:
                    assert safe_segment(part) or static_copy, (part, path)
        assert sorted(p.name for p in base.iterdir()) == ["site"]
        assert {p.name for p in site.iterdir() if p.name.startswith(".public")} <= {".public.lock"}

    check()
    # The paths are checked only in sites that build: most must, or the property says nothing.
    assert outcomes.count("built") >= len(outcomes) / 2, f"{outcomes.count('built')} of {len(outcomes)} built"
