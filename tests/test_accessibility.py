"""Accessibility of the default theme, in a real headless Chromium (Debian's /usr/bin/chromium).

axe-core (from the npm registry; `make test` installs it into .venv/node when npm is on PATH) is
injected into the demo's pages, served over http on 127.0.0.1, in light and dark color schemes:
no violation of serious or critical impact may remain. The keyboard path is checked by hand:
the first Tab shows the skip link, Enter moves to the content, and focus is always visible.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser_support import build_demo, contrast, serve
from tests.conftest import REPO

pytestmark = pytest.mark.browser

if not shutil.which("chromium"):
    pytest.skip("chromium is not installed (apt-get install chromium)", allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

AXE = Path(os.environ.get("AXE_CORE_JS") or REPO / ".venv/node/node_modules/axe-core/axe.min.js")
BLOCKING = ("serious", "critical")
PAGES = {  # the pages a reader meets, on the demo site
    "home": "",
    "post": "posts/templates-field-guide/",  # table of contents, headings, code
    "post-with-table": "posts/pi-day-notes/",  # table, code, footnotes
    "tag": "tags/python/",
    "tag-whole-post": "tags/cpp/",  # a list page showing a post with code whole
    "tags-index": "tags/",
    "category": "categories/programming/",  # posts with categories and tags
    "categories-index": "categories/",
    "year-archive": "2024/",  # a year's posts, its months, the years around it
    "404": "no-such-page/",
}
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    output = build_demo(tmp_path_factory.mktemp("a11y") / "public")
    with serve(output) as address:
        yield address


@pytest.fixture(scope="module")
def axe() -> Path:
    if not AXE.is_file():
        pytest.skip(f"axe-core is not installed at {AXE}: `make test` installs it when npm is on "
                    "PATH, or run `npm install --prefix .venv/node axe-core@4`")
    return AXE


def open_page(browser: Any, url: str, *, scheme: str = "light",
              viewport: dict[str, int] = DESKTOP, status: int = 200) -> Any:
    page = browser.new_page(color_scheme=scheme, viewport=viewport)
    response = page.goto(url)
    assert response is not None and response.status == status, url
    assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches") == (scheme == "dark")
    return page


def run_axe(page: Any, axe: Path, options: dict[str, Any] | None = None, *,
            inject: bool = True) -> dict[str, Any]:
    if inject:
        page.add_script_tag(path=str(axe))
    result: dict[str, Any] = page.evaluate(
        "options => axe.run(document, options)", {"resultTypes": ["violations"], **(options or {})})
    return result


def describe(violations: list[dict[str, Any]]) -> str:
    """Every violation, with its impact, help URL and the elements it was found on."""
    lines = []
    for violation in violations:
        lines.append(f"- [{violation['impact']}] {violation['id']}: {violation['help']} "
                     f"({violation['helpUrl']})")
        for node in violation["nodes"][:8]:
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"    {json.dumps(node['target'])}: {node['html'][:160]}")
            lines.append(f"      {summary[:300]}")
        if len(violation["nodes"]) > 8:
            lines.append(f"    ... and {len(violation['nodes']) - 8} more elements")
    return "\n".join(lines)


def blocking(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [v for v in result["violations"] if v["impact"] in BLOCKING]


def test_axe_reports_a_page_that_is_broken(browser: Any, axe: Path) -> None:
    """The harness can fail: a low-contrast, unlabelled page is reported as serious."""
    page = browser.new_page()
    page.set_content('<!doctype html><html><title>x</title><body style="background:#fff">'
                     '<p style="color:#ccc">pale text</p><img src="data:,"><input type="text">')
    result = run_axe(page, axe)
    page.close()
    assert {"color-contrast", "image-alt", "label"} <= {v["id"] for v in blocking(result)}


SCROLLING = "scrollable-region-focusable"  # code and tables scroll sideways on phones
VIEWS = [  # (color scheme, viewport, axe options) in which each page is checked
    ("light", DESKTOP, {}),
    ("dark", DESKTOP, {}),
    ("light", PHONE, {}),
]


@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_serious_violations(browser: Any, site: str, axe: Path, name: str) -> None:
    """Light and dark at 1280 px, and light at 375 px: no serious or critical violation."""
    page = open_page(browser, site + PAGES[name], status=404 if name == "404" else 200)
    page.add_script_tag(path=str(axe))
    failures = []
    for scheme, viewport, options in VIEWS:
        page.emulate_media(color_scheme=scheme)
        page.set_viewport_size(viewport)
        assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches") == \
            (scheme == "dark")
        result = run_axe(page, axe, options, inject=False)
        passed = {rule["id"] for rule in result["passes"]}
        assert result["testEngine"]["version"].startswith("4.")
        assert {"color-contrast", "document-title", "html-has-lang", "landmark-one-main"} <= passed, \
            "axe did not check the basics: is the page empty?"
        if blocking(result):
            failures.append(f"{name}, {scheme}, {viewport['width']} px: "
                            f"{len(blocking(result))} serious or critical; every violation:\n"
                            + describe(result["violations"]))
    page.close()
    assert not failures, "\n".join(failures)


def test_sideways_scrolling_code_and_tables_are_keyboard_reachable(
        browser: Any, site: str, axe: Path) -> None:
    page = open_page(browser, site, viewport=PHONE)
    failures = {}
    for name in ("post", "post-with-table", "tag-whole-post"):
        page.goto(site + PAGES[name])
        scrollers = page.evaluate("""() => [...document.querySelectorAll('main pre, main table')]
            .filter(e => e.scrollWidth > e.clientWidth).length""")
        assert scrollers, f"{name}: nothing scrolls sideways at 375 px, so this proves nothing"
        result = run_axe(page, axe, {"runOnly": [SCROLLING]})
        if result["violations"]:
            failures[name] = describe(result["violations"])
    page.close()
    assert not failures, "\n".join(f"{name}:\n{text}" for name, text in failures.items())


# --- keyboard --------------------------------------------------------------------------------

_FOCUS_STATE = """() => {
    const e = document.activeElement, s = getComputedStyle(e), r = e.getBoundingClientRect();
    return {tag: e.tagName.toLowerCase(), id: e.id, cls: e.className, text: e.textContent.trim(),
            outlineStyle: s.outlineStyle, outlineWidth: parseFloat(s.outlineWidth),
            outlineColor: s.outlineColor, background: getComputedStyle(document.body).backgroundColor,
            box: {x: r.x, y: r.y, right: r.right, bottom: r.bottom},
            viewport: {width: innerWidth, height: innerHeight}};
}"""


def assert_focus_is_visible(state: dict[str, Any]) -> None:
    assert state["outlineStyle"] != "none" and state["outlineWidth"] >= 2, state
    assert contrast(state["outlineColor"], state["background"]) >= 3, \
        f"focus ring {state['outlineColor']} on {state['background']}: under 3:1"


def inside_viewport(state: dict[str, Any]) -> bool:
    box, viewport = state["box"], state["viewport"]
    return (box["x"] >= 0 and box["y"] >= 0 and box["right"] <= viewport["width"]
            and box["bottom"] <= viewport["height"] and box["right"] > box["x"])


@pytest.mark.parametrize(("scheme", "viewport"), [("light", DESKTOP), ("dark", PHONE)],
                         ids=["light-1280", "dark-375"])
def test_the_first_tab_shows_the_skip_link_and_focus_stays_visible(
        browser: Any, site: str, scheme: str, viewport: dict[str, int]) -> None:
    page = open_page(browser, site + PAGES["post"], scheme=scheme, viewport=viewport)
    link = page.locator("a.skip-link")
    hidden = link.bounding_box()
    assert hidden is not None and hidden["y"] + hidden["height"] <= 0, \
        "the skip link is hidden until focused"

    page.keyboard.press("Tab")
    state = page.evaluate(_FOCUS_STATE)
    assert state["cls"] == "skip-link" and state["text"] == "Skip to content", state
    assert inside_viewport(state), f"the focused skip link is off screen: {state}"
    assert_focus_is_visible(state)
    text, background = page.evaluate("""() => { const s = getComputedStyle(
        document.querySelector('.skip-link')); return [s.color, s.backgroundColor]; }""")
    assert contrast(text, background) >= 4.5, (text, background)

    page.keyboard.press("Enter")  # follows the link: focus moves to <main>
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")  # the next stop is the first link inside the content
    state = page.evaluate(_FOCUS_STATE)
    assert state["tag"] == "a" and page.evaluate(
        "document.querySelector('main').contains(document.activeElement)"), state
    assert inside_viewport(state), state
    assert_focus_is_visible(state)
    page.close()


# Links, controls, and (in Chromium) regions that scroll sideways with nothing focusable inside.
_TAB_STOPS = """() => [...document.querySelectorAll('body *')].filter(e => {
    if (e.matches('a[href], button, input, select, textarea, [tabindex]'))
        return e.tabIndex >= 0;
    const s = getComputedStyle(e);
    return ['auto', 'scroll'].includes(s.overflowX) && e.scrollWidth > e.clientWidth
        && !e.querySelector('a[href], button, input, select, textarea, [tabindex]');
}).length"""


def test_every_link_and_control_shows_focus(browser: Any, site: str) -> None:
    """Tab through the whole home page: each stop has a visible focus ring."""
    page = open_page(browser, site + PAGES["home"])
    total = page.evaluate(_TAB_STOPS)
    seen = []
    for _ in range(total + 1):
        page.keyboard.press("Tab")
        state = page.evaluate(_FOCUS_STATE)
        if state["tag"] == "body":
            break
        seen.append(state["text"])
        assert_focus_is_visible(state)
    page.close()
    assert len(seen) == total, f"reached {len(seen)} of {total} focusable elements"
