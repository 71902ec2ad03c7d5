"""Each module imports only toward the core, and each library is imported by one module."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "sitegen"

# module -> (sitegen modules it may import, third-party libraries it owns)
ALLOWED: dict[str, tuple[set[str], set[str]]] = {
    "__init__": (set(), set()),
    "errors": (set(), set()),
    "models": ({"errors"}, set()),
    "frontmatter": ({"errors"}, {"yaml"}),
    "urls": (set(), {"slugify"}),
    "markup": (set(), {"markdown", "pygments"}),
    "config": ({"errors", "models", "frontmatter", "urls"}, set()),
    "fields": ({"errors", "models", "urls"}, set()),
    "parser": ({"errors", "models", "fields", "frontmatter", "markup", "urls"}, set()),
    "taxonomy": ({"errors", "models", "markup", "urls"}, set()),
    "related": ({"models"}, set()),
    "site": ({"errors", "models", "related", "taxonomy", "urls"}, set()),
    "pages": ({"errors", "models", "urls"}, set()),
    "renderer": ({"errors", "models", "urls"}, {"jinja2"}),
    "check": ({"errors", "models", "urls"}, set()),
    "tagreport": ({"models", "urls"}, set()),
    "cache": ({"__init__", "errors", "models"}, {"orjson"}),
    "builder": ({"errors", "models", "parser", "site", "pages", "renderer", "check", "cache"}, set()),
    "server": ({"builder", "cache", "errors", "models"}, {"watchfiles"}),
    "deploy": ({"errors"}, set()),
    "tagedit": ({"errors", "fields", "frontmatter", "parser", "urls"}, set()),
    "registryedit": ({"config", "errors", "frontmatter", "models", "tagedit", "urls"}, set()),
    "retag": ({"config", "errors", "models", "parser", "registryedit", "tagedit", "taxonomy", "urls"}, set()),
    "cli": ({"__init__", "builder", "config", "errors", "models", "urls", "server", "tagreport",
             "retag", "deploy"},
            {"click", "rich"}),
    "__main__": ({"cli"}, set()),
}
THIRD_PARTY = {"yaml", "slugify", "markdown", "jinja2", "click", "pygments", "rich", "watchfiles",
               "orjson"}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "sitegen":
                names.update(f"sitegen.{alias.name}" for alias in node.names)
            else:
                names.add(node.module)
    return names


def test_every_module_is_listed() -> None:
    assert {p.stem for p in PACKAGE.glob("*.py")} == set(ALLOWED)


@pytest.mark.parametrize("module", sorted(ALLOWED))
def test_imports_point_toward_the_core(module: str) -> None:
    own, libraries = ALLOWED[module]
    imported = _imports(PACKAGE / f"{module}.py")
    internal = {name.split(".")[1] if name.count(".") and name.split(".")[1] in ALLOWED
                else "__init__" for name in imported if name.split(".")[0] == "sitegen"}
    external = {name.split(".")[0] for name in imported} & THIRD_PARTY
    assert internal <= own, f"{module} imports {internal - own}"
    assert external == libraries, f"{module} imports {external}, owns {libraries}"


def test_no_process_global_calls() -> None:
    for path in PACKAGE.glob("*.py"):
        text = path.read_text()
        for banned in ("setlocale", "sys.path", "os.chdir", "basicConfig", "global "):
            assert banned not in text, f"{path.name} uses {banned}"
        if path.stem != "cli":
            assert "datetime.now" not in text, f"{path.name} reads the clock"
