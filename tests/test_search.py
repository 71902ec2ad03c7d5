"""Optional search: sitegen[search] and search: true give a /search/ page backed by Pagefind."""

from __future__ import annotations

import hashlib
import importlib.util
import shutil
from pathlib import Path

import pytest

from sitegen.builder import build
from sitegen.errors import BuildError
from tests.browser_support import chromium, copy_demo, serve
from tests.conftest import config_for

needs_pagefind = pytest.mark.skipif(importlib.util.find_spec("pagefind") is None,
                                    reason="pagefind is not installed (pip install 'pagefind[bin]>=1.3')")


def searchable_demo(tmp_path: Path) -> Path:
    site = copy_demo(tmp_path / "site")
    (site / "sitegen.yaml").write_text((site / "sitegen.yaml").read_text() + "search: true\n")
    return site


def test_without_pagefind_the_error_says_what_to_install(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    site = searchable_demo(tmp_path)
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "pagefind" else real(name, *a))
    with pytest.raises(BuildError) as caught:
        build(config_for(site))
    assert "pip install 'pagefind[bin]>=1.3'" in (caught.value.errors[0].hint or "")
    assert not (site / "public").exists()


def test_search_is_off_by_default(tmp_path: Path) -> None:
    site = copy_demo(tmp_path / "site")
    build(config_for(site))
    assert not (site / "public/search").exists() and not (site / "public/pagefind").exists()
    assert "/search/" not in (site / "public/index.html").read_text()


@needs_pagefind
def test_search_page_and_index_are_built(tmp_path: Path) -> None:
    site = searchable_demo(tmp_path)
    build(config_for(site))
    out = site / "public"
    assert (out / "search/index.html").is_file() and (out / "pagefind/pagefind-ui.js").is_file()
    assert 'href="/search/"' in (out / "index.html").read_text()
    post = (out / "posts/open-weights-reasoning-shakeup/index.html").read_text()
    assert "data-pagefind-body" in post and 'data-pagefind-filter="tag"' in post
    # Pagefind's filter index differs between runs (an upstream limitation); every other file
    # of a build stays byte-identical.
    again = tmp_path / "again"
    build(config_for(site, output_dir=again))

    def digest(folder: Path) -> dict[str, str]:
        return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in folder.rglob("*") if p.is_file() and "pagefind" not in p.parts}

    assert digest(out) == digest(again)


@needs_pagefind
@pytest.mark.browser
@pytest.mark.skipif(not shutil.which("chromium"), reason="chromium is not installed")
def test_a_reader_finds_a_post_by_a_word_and_filters_by_tag(tmp_path: Path) -> None:
    site = searchable_demo(tmp_path)
    build(config_for(site))
    with serve(site / "public") as address, chromium() as browser:
        page = browser.new_page()
        page.goto(address + "search/")
        posts = ("() => [...document.querySelectorAll('.pagefind-ui__result')]"  # not sections
                 ".map(r => r.querySelector('.pagefind-ui__result-link'))"
                 ".filter(a => a).map(a => a.innerText)")
        page.fill("input.pagefind-ui__search-input", "weights")
        page.wait_for_function(f"({posts})().length > 0", timeout=10_000)
        assert any("open-weights reasoning model" in t for t in page.evaluate(posts))
        page.fill("input.pagefind-ui__search-input", "open")
        page.wait_for_function(f"({posts})().length > 1", timeout=10_000)
        page.locator(".pagefind-ui__filter-name", has_text="Tag").first.click()
        page.locator(".pagefind-ui__filter-label", has_text="paradigm shift in AI").first.click()
        page.wait_for_function(f"({posts})().length == 1", timeout=10_000)
        assert "open-weights reasoning model" in page.evaluate(posts)[0]
        page.close()
