"""What a writer sees in the preview, in a real headless Chromium (Debian's /usr/bin/chromium)."""

from __future__ import annotations

import shutil
from typing import Any

import pytest

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
