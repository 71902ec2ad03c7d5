"""The layout as intended: layers that import only downward, stages that know nothing of the build
cache or the output folder, each library owned by one module, and no module-level state."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "sitegen"

# Lowest first. A module imports only from layers below its own, never from its own layer or
# above, so the pipeline reads one way: content -> Site -> pages -> files.
LAYERS: list[tuple[str, set[str]]] = [
    ("core: the errors everything reports", {"errors"}),
    ("values that flow through the pipeline", {"models", "__init__"}),
    ("raw HTML's allow-list; where code stands in Markdown; Jekyll's URLs; links and their text in HTML",
     {"sanitize", "prose", "jekyll", "linktext", "htmllinks"}),
    ("other engines' reading of Markdown; the theme's words in each language", {"flavors", "languages"}),
    ("support: text, URLs, YAML, Markdown, processes, the theme's words, content/ listed",
     {"urls", "frontmatter", "markup", "workers", "translations", "dates", "listing"}),
    ("URL patterns checked; Hugo's URLs: its urlize, its permalinks' placeholders",
     {"permalinks", "hugourls"}),
    ("Hugo's TOML front matter, read into the YAML reader's shape", {"tomlmatter"}),
    ("the tag and category registries", {"registry"}),
    ("the settings written as blocks: markdown, permalinks, archives, strings, feeds, tags",
     {"configblocks"}),
    ("settings, front-matter values, related posts, other generators' syntax, shared links, feed entries",
     {"config", "fields", "related", "shortcodes", "social", "feeds"}),
    ("stages: read, group, plan, fill, check", {"parser", "taxonomy", "pages", "renderer", "check",
                                                "tagreport"}),
    ("the site from its posts; a post's tags rewritten", {"site", "tagedit"}),
    ("the build's memory, its output folder; tags.yaml rewritten", {"cache", "output", "registryedit"}),
    ("the cache's one seam", {"incremental"}),
    ("the build", {"builder"}),
    ("commands", {"server", "retag", "deploy", "scaffold", "console", "importers"}),
    ("the command line", {"cli"}),
    ("entry point", {"__main__"}),
]
STAGES = {"parser", "fields", "shortcodes", "taxonomy", "related", "site", "pages", "renderer", "check"}
BUILD_MACHINERY = {"cache", "incremental", "output", "builder"}
OWNERS = {"yaml": "frontmatter", "slugify": "urls", "markdown": "markup", "pygments": "markup",
          "pymdownx": "markup", "jinja2": "renderer", "click": "cli", "rich": "console",
          "watchfiles": "server", "orjson": "cache", "nh3": "sanitize", "lxml": "importers",
          "markdownify": "importers", "markupsafe": "renderer"}
# Inside the importers package, each library has one module too: a reader, a converter
FILE_OWNERS = {"lxml": "importers/wxr.py", "markdownify": "importers/wphtml.py"}
# What importers may use besides each other: the values, errors, URLs, the settings' rules and
# the raw-HTML allow-list (the report says what a build will clean); never the build (an import
# writes files a build then reads like any others)
IMPORTER_USES = {"errors", "models", "urls", "permalinks", "fields", "registry", "config", "sanitize"}
# Module-level state some functions change, each with why it must be there
STATE_ALLOWED = {
    ("workers", "_FORKED"): "what forked workers inherit without pickling (a Jinja environment)",
    ("renderer", "_LAST"): "the preview reuses the last compiled templates while none has changed",
}
_MUTATORS = {"append", "extend", "insert", "update", "clear", "pop", "popitem", "setdefault",
             "add", "discard", "remove"}


def _layer(module: str) -> int:
    found = [i for i, (_, modules) in enumerate(LAYERS) if module in modules]
    assert len(found) == 1, f"{module} is in {len(found)} layers"
    return found[0]


def _modules() -> list[str]:
    """Modules, and packages (a folder of modules with one job) as one."""
    packages = [p.parent.name for p in PACKAGE.glob("*/__init__.py")]
    return sorted([p.stem for p in PACKAGE.glob("*.py")] + packages)


def _files(module: str) -> list[Path]:
    single = PACKAGE / f"{module}.py"
    return [single] if single.is_file() else sorted((PACKAGE / module).glob("*.py"))


def _imports(module: str) -> tuple[set[str], set[str]]:
    """The sitegen modules and the third-party top-level packages a module (or package) imports."""
    own, others = set(), set()
    for node in (node for path in _files(module) for node in ast.walk(ast.parse(path.read_text()))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "sitegen":
                own.update(alias.name if alias.name in _modules() else "__init__" for alias in node.names)
                continue
            names = [node.module]
        for name in names:
            top, _, rest = name.partition(".")
            if top == "sitegen":
                own.add(rest.split(".")[0])
            else:
                others.add(top)
    return own - {module}, others


def test_every_module_has_a_layer() -> None:
    for module in _modules():
        _layer(module)
    listed = set().union(*(modules for _, modules in LAYERS))
    gone = {m for m in listed if not _files(m)}
    assert not gone, f"layers list modules that are gone: {sorted(gone)}"


@pytest.mark.parametrize("module", _modules())
def test_imports_point_down_the_layers(module: str) -> None:
    own, _ = _imports(module)
    upward = {m for m in own if _layer(m) >= _layer(module)}
    layer = LAYERS[_layer(module)][0]
    assert not upward, f"{module} ({layer}) imports {sorted(upward)} from its layer or above"


@pytest.mark.parametrize("module", sorted(STAGES & set(_modules())))
def test_stages_know_nothing_of_the_cache_or_the_output(module: str) -> None:
    own, _ = _imports(module)
    assert not own & BUILD_MACHINERY, f"the stage {module} imports {sorted(own & BUILD_MACHINERY)}"


@pytest.mark.parametrize("module", _modules())
def test_each_library_is_imported_by_its_one_owner(module: str) -> None:
    _, others = _imports(module)
    for library in others & set(OWNERS):
        assert OWNERS[library] == module, f"{module} imports {library}, owned by {OWNERS[library]}"


def _file_imports(path: Path) -> set[str]:
    """The top-level packages one file imports."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("library", sorted(FILE_OWNERS))
def test_each_importer_library_has_one_module(library: str) -> None:
    users = sorted(str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")
                   if library in _file_imports(path))
    assert users == [FILE_OWNERS[library]], f"{library} is imported by {users}"


def test_importers_do_not_import_the_build() -> None:
    own, _ = _imports("importers")
    assert own <= IMPORTER_USES, f"importers import {sorted(own - IMPORTER_USES)}"


def test_no_library_has_lost_its_owner() -> None:
    for library, owner in OWNERS.items():
        assert library in _imports(owner)[1], f"{owner} no longer imports {library}"


def _module_state(tree: ast.Module) -> set[str]:
    """Names bound at module level to a dict, list or set (displays, comprehensions, calls)."""
    names = set()
    for node in tree.body:
        targets, value = [], None
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        mutable = isinstance(value, (ast.Dict, ast.List, ast.Set, ast.DictComp, ast.ListComp, ast.SetComp)) \
            or (isinstance(value, ast.Call) and isinstance(value.func, ast.Name)
                and value.func.id in {"dict", "list", "set", "defaultdict", "Counter", "OrderedDict"})
        if mutable:
            names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names


def _changed_in_functions(tree: ast.Module, names: set[str]) -> set[str]:
    changed = set()
    for function in ast.walk(tree):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        for node in ast.walk(function):
            if isinstance(node, (ast.Assign, ast.AugAssign, ast.Delete)):
                targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
                changed.update(t.value.id for t in targets
                               if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name))
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and isinstance(node.func.value, ast.Name) and node.func.attr in _MUTATORS:
                changed.add(node.func.value.id)
    return changed & names


@pytest.mark.parametrize("module", _modules())
def test_no_module_level_state(module: str) -> None:
    """A value at module level that functions change outlives the build that changed it (the
    preview builds many times in one process, tests many sites): only what is listed, with why."""
    for path in _files(module):
        tree = ast.parse(path.read_text())
        assert not any(isinstance(node, ast.Global) for node in ast.walk(tree)), f"{path.name} uses global"
        changed = _changed_in_functions(tree, _module_state(tree))
        unexplained = {name for name in changed if (module, name) not in STATE_ALLOWED}
        assert not unexplained, f"{path.name} keeps state at module level: {sorted(unexplained)}"


def test_the_state_check_finds_state() -> None:
    tree = ast.parse("SEEN = {}\nKEPT = []\nFIXED = {'a': 1}\n"
                     "def f(x):\n    SEEN[x] = 1\n    KEPT.append(x)\n    return FIXED['a']\n")
    assert _changed_in_functions(tree, _module_state(tree)) == {"SEEN", "KEPT"}


def test_allowed_state_is_still_there() -> None:
    for module, name in STATE_ALLOWED:
        tree = ast.parse((PACKAGE / f"{module}.py").read_text())
        assert name in _changed_in_functions(tree, _module_state(tree)), f"{module}.{name} is gone"


def test_no_process_global_calls() -> None:
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text()
        for banned in ("setlocale", "sys.path", "os.chdir", "basicConfig"):
            assert banned not in text, f"{path.name} uses {banned}"
        if path.stem != "cli":
            assert "datetime.now" not in text, f"{path.name} reads the clock"


@pytest.mark.parametrize("module", _modules())
def test_no_module_is_long(module: str) -> None:
    """A file does one job: one that grows past this has taken on a second."""
    for path in _files(module):
        lines = len(path.read_text().splitlines())
        assert lines <= 420, f"{path.relative_to(PACKAGE)} has {lines} lines"
