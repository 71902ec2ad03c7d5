"""What a writer sees in the preview, in a real headless Chromium (Debian's /usr/bin/chromium)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from typing import Any

import pytest

from tests.browser_support import contrast
from tests.conftest import Running, post

pytestmark = pytest.mark.browser

if not shutil.which("chromium"):
    pytest.skip("chromium is not installed (apt-get install chromium)", allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


def test_editing_a_post_reloads_the_open_page(browser: Any, running: Running) -> None:
    page = browser.new_page()
    page.goto(running.address + "posts/hello/")
    assert "First version." in page.inner_text("main")
    page.evaluate("window.__marker = 'still the old page'")
    (running.root / "content/posts/hello.md").write_text(post("Hello", body="Edited live."))
    page.wait_for_function("() => document.body.innerText.includes('Edited live.')", timeout=3000)
    assert page.evaluate("window.__marker === undefined")  # a real reload, not a patch
    page.close()


def test_a_broken_post_shows_the_overlay_until_fixed(browser: Any, running: Running) -> None:
    page = browser.new_page()
    page.goto(running.address)
    path = running.root / "content/posts/hello.md"
    path.write_text(post("Hello", tags="5"))
    overlay = page.locator("#sitegen-error-overlay")
    overlay.wait_for(state="visible", timeout=3000)
    assert "content/posts/hello.md:4:7" in overlay.inner_text()
    assert "First version." in page.inner_text("main")  # the last good build stays underneath
    path.write_text(post("Hello", body="Repaired."))
    page.wait_for_function("() => document.body.innerText.includes('Repaired.')", timeout=3000)
    assert page.locator("#sitegen-error-overlay").count() == 0
    page.close()


def test_break_undo_edit_delete_add_each_show_in_the_open_page(browser: Any, running: Running) -> None:
    """A writer's session, step by step, in the open home page."""
    page = browser.new_page()
    page.goto(running.address)
    path = running.root / "content/posts/hello.md"
    good = path.read_bytes()
    overlay = page.locator("#sitegen-error-overlay")

    def reloads_with(step: Callable[[], None], check: str) -> None:
        page.evaluate("window.__marker = 'before'")
        step()
        page.wait_for_function(f"() => window.__marker === undefined && document.readyState === 'complete'"
                               f" && ({check})", timeout=10000)
        assert overlay.count() == 0

    path.write_bytes(good.replace(b"tags: [news]", b"tags: [news"))  # break
    overlay.wait_for(state="visible", timeout=10000)
    assert "content/posts/hello.md:" in overlay.inner_text()
    reloads_with(lambda: path.write_bytes(good), "document.body.innerText.includes('First version.')")
    assert "Hello" in page.inner_text("main")
    reloads_with(lambda: path.write_text(post("Hello", body="Edited text.", tags="[news]")),
                 "document.body.innerText.includes('Edited text.')")
    assert "First version." not in page.inner_text("main")
    (running.root / "content/posts/other.md").write_text(post("Other", date="2024-06-01", body="Stays."))
    page.wait_for_function("() => document.body.innerText.includes('Stays.')", timeout=10000)
    reloads_with(path.unlink, "!document.body.innerText.includes('Edited text.')")
    assert page.locator("main a", has_text="Hello").count() == 0 and "Stays." in page.inner_text("main")
    reloads_with(lambda: (running.root / "content/posts/added.md").write_text(
        post("Added later", date="2025-03-01", body="Brand new.")),
        "document.body.innerText.includes('Added later')")
    assert "Brand new." in page.inner_text("main")
    page.close()


# Each element of the overlay with text of its own (a slot: the text shown through it), its
# color, and the first background under it that is not transparent.
_OVERLAY_COLORS = """() => {
  const host = document.getElementById('sitegen-error-overlay');
  const root = host.shadowRoot || host;
  const found = [];
  for (const element of root.querySelectorAll(':not(style, script)')) {
    const nodes = element.localName === 'slot' ? element.assignedNodes() : [...element.childNodes];
    const text = nodes.filter(n => n.nodeType === Node.TEXT_NODE).map(n => n.textContent).join('');
    if (!text.trim()) continue;
    let layer = element, background = 'rgba(0, 0, 0, 0)';
    while (layer) {
      background = getComputedStyle(layer).backgroundColor;
      if (background !== 'rgba(0, 0, 0, 0)') break;
      layer = layer.parentElement || (layer.parentNode && layer.parentNode.host) || null;
    }
    found.push({element: element.localName, text: text.trim().slice(0, 50),
                color: getComputedStyle(element).color, background,
                own: layer === host || root.contains(layer)});
  }
  return found;
}"""
# A site whose styles reach for everything, with the highest priority a page can give
_HOSTILE = """* { color: #ffd7d7 !important; background: #eeeeee !important; font-size: 4px !important; }
pre, h2, div { display: none !important; } sitegen-error-overlay { display: none !important; }"""


def test_the_error_overlay_is_readable_in_both_color_schemes(browser: Any, running: Running) -> None:
    page = browser.new_page()
    page.goto(running.address + "posts/hello/")
    (running.root / "content/posts/hello.md").write_text(post("Hello", tags="[news"))
    overlay = page.locator("#sitegen-error-overlay")
    overlay.wait_for(state="visible", timeout=10000)
    for styles in ("the theme's", "hostile"):
        if styles == "hostile":
            page.add_style_tag(content=_HOSTILE)
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches") == (scheme == "dark")
            texts = page.evaluate(_OVERLAY_COLORS)
            assert any("hello.md" in t["text"] for t in texts), texts
            where = f"with {styles} styles, in {scheme}"
            ratios = [(round(contrast(t["color"], t["background"]), 2), t) for t in texts]
            assert all(ratio >= 4.5 for ratio, _ in ratios), f"under 4.5:1 {where}: {ratios}"
            assert all(t["own"] and t["background"].startswith("rgb(") for t in texts), \
                f"the text must sit on an opaque background of the overlay's own {where}: {texts}"
            box = overlay.bounding_box()
            viewport = page.viewport_size
            assert box is not None and viewport is not None
            assert (box["width"], box["height"]) == (viewport["width"], viewport["height"]), where
    page.close()
