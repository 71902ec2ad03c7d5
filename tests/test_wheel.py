"""The package as users get it: a wheel, installed into a fresh virtual environment.

SLOW (about 8-11 s, and it needs the package index): this module builds one wheel in an
isolated build environment (pip installs hatchling there), creates a new venv without the
system site-packages and pip-installs the wheel with its dependencies into it. Both are done
once per test session (module-scoped fixtures). It is deliberately not marked or skipped:
a theme file missing from the wheel, or a broken entry point, only shows up this way, so it
runs in the default `make test`.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from sitegen import __version__
from tests.conftest import NOW, REPO, WriteSite, post

THEME_FILES = (
    "sitegen/theme/templates/base.html",
    "sitegen/theme/templates/tag.html",
    "sitegen/theme/templates/atom.xml",
    "sitegen/theme/static/css/style.css",
)
TIMEOUT = 600


def clean_env() -> dict[str, str]:
    """The environment for child processes, without anything that could import the checkout."""
    dropped = ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "PYTHONSAFEPATH")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env["PYTHONNOUSERSITE"] = "1"
    env["SOURCE_DATE_EPOCH"] = str(int(NOW.timestamp()))  # sitegen's "now": after the post date
    return env


def run(args: list[str | Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], cwd=cwd, env=clean_env(), text=True,
                          capture_output=True, timeout=TIMEOUT, check=False)


def explain(result: subprocess.CompletedProcess[str]) -> str:
    return (f"{' '.join(result.args)} exited {result.returncode}\n"
            f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    result = run([sys.executable, "-m", "build", "--wheel", "--outdir", out, REPO], cwd=out)
    assert result.returncode == 0, explain(result)
    wheels = sorted(out.glob("*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("venv")
    result = run([sys.executable, "-m", "venv", home / "env"], cwd=home)
    assert result.returncode == 0, explain(result)
    env = home / "env"
    result = run([bin_of(env) / "python", "-m", "pip", "install", wheel], cwd=home)
    assert result.returncode == 0, explain(result)
    return env


def bin_of(env: Path) -> Path:
    return env / ("Scripts" if os.name == "nt" else "bin")


def test_the_wheel_holds_the_theme(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
        scripts = archive.read(entry_points).decode()
    missing = [name for name in THEME_FILES if name not in names]
    assert not missing, f"{wheel.name} lacks {missing}"
    source = {p.relative_to(REPO).as_posix() for p in (REPO / "sitegen" / "theme").rglob("*")
              if p.is_file() and "__pycache__" not in p.parts}
    assert not sorted(source - names), "every theme file of the checkout is packaged"
    assert "sitegen = sitegen.cli:main" in scripts


def test_the_venv_imports_the_installed_copy(venv: Path, tmp_path: Path) -> None:
    result = run([bin_of(venv) / "python", "-c",
                  "import sitegen, sys; print(sitegen.__file__); print(sys.prefix)"], cwd=tmp_path)
    assert result.returncode == 0, explain(result)
    module, prefix = result.stdout.split("\n")[:2]
    assert Path(module).resolve().is_relative_to(venv.resolve()), module
    assert not Path(module).resolve().is_relative_to(REPO), "imported the checkout, not the wheel"
    assert Path(prefix).resolve() == venv.resolve()


@pytest.mark.parametrize("command", [["sitegen"], ["python", "-m", "sitegen"]],
                         ids=["script", "python-m"])
def test_the_installed_command_builds_a_site(
    command: list[str], venv: Path, write_site: WriteSite
) -> None:
    site = write_site({
        "sitegen.yaml": "title: Scratch\nbase_url: https://example.org/\n",
        "content/posts/a-shift.md": post(title="A shift", tags="[paradigm shift in AI]"),
    })
    assert not site.resolve().is_relative_to(REPO)
    executable = bin_of(venv) / command[0]
    result = run([executable, *command[1:], "build"], cwd=site)
    assert result.returncode == 0, explain(result)
    page = site / "public" / "tags" / "paradigm-shift-in-ai" / "index.html"
    assert page.is_file(), explain(result)
    assert "Posts tagged paradigm shift in AI" in page.read_text(encoding="utf-8")
    assert (site / "public" / "css" / "style.css").read_bytes() == \
           (REPO / "sitegen" / "theme" / "static" / "css" / "style.css").read_bytes()


WHEEL_NAME = f"sitegen_blog-{__version__}-py3-none-any.whl"
PAGEFIND = "pagefind[bin]>=1.3"  # what the search extra adds, for an environment that has sitegen
PIP_INSTALL = re.compile(r"pip install\s+([^\s&;`\"]+|'[^']*'|\"[^\"]*\")")


def install_targets() -> list[tuple[str, str]]:
    """(file, target) for every `pip install X` in the README and the Pages workflow."""
    found = []
    for name in ("README.md", ".github/workflows/pages.yml"):
        text = (REPO / name).read_text(encoding="utf-8")
        found += [(name, match.group(1).strip("'\"")) for match in PIP_INSTALL.finditer(text)]
    return found


def test_the_wheel_is_named_as_the_readme_says(wheel: Path) -> None:
    # `sitegen` on the public index is another project: the distribution has a name of its own
    assert wheel.name == WHEEL_NAME


def test_every_install_line_installs_this_project() -> None:
    targets = install_targets()
    assert len(targets) >= 5, targets
    wrong = [(name, target) for name, target in targets
             if target not in (".", PAGEFIND)
             and not re.fullmatch(rf"(\S+/)?{re.escape(WHEEL_NAME)}(\[search\])?", target)]
    assert not wrong, f"install lines that fetch something else than this project's wheel: {wrong}"


def test_the_search_extra_resolves_from_the_wheel(wheel: Path, venv: Path) -> None:
    result = run([bin_of(venv) / "python", "-m", "pip", "install", "--dry-run", "--quiet",
                  "--report", "-", f"{wheel}[search]"], cwd=wheel.parent)
    assert result.returncode == 0, explain(result)
    names = {item["metadata"]["name"].lower() for item in json.loads(result.stdout)["install"]}
    assert "pagefind" in names, names  # sitegen-blog itself is already in the venv


def test_the_readme_first_steps_work_with_the_installed_wheel(venv: Path, tmp_path: Path) -> None:
    sitegen = bin_of(venv) / "sitegen"
    assert run([sitegen, "init", "myblog"], cwd=tmp_path).returncode == 0
    blog = tmp_path / "myblog"
    made = run([sitegen, "new", "Notes on C++ ranges", "--tags", "C++, programming"], cwd=blog)
    assert made.returncode == 0, explain(made)
    assert made.stdout.strip() == "content/posts/notes-on-cpp-ranges.md"
    built = run([sitegen, "build"], cwd=blog)
    assert built.returncode == 0, explain(built)
    assert (blog / "public" / "posts" / "notes-on-cpp-ranges" / "index.html").is_file()
    assert (blog / "public" / "tags" / "cpp" / "index.html").is_file()
