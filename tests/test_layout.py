"""The theme's layout at a phone's width (375 px) and a desktop's (1280 px), in headless Chromium.

The site is a copy of the demo plus one scratch post that is as wide as it gets: a code line of
300 characters, an eight-column table, an SVG 3000 px wide (once plain, once with width and
height attributes), an unbroken URL and an unbroken word in a heading. On every page: no sideways
scrolling of the page, nothing sticking out past the screen's edge, code and tables scroll inside
themselves, images shrink to the column; at 1280 px lines stay at most 80 characters long.

Screenshots of each page at both widths go to test-artifacts/screenshots/ (not in git). With
SITEGEN_SCREENSHOTS=docs the README's docs/screenshot-desktop.png and docs/screenshot-phone.png
are rewritten from the demo's home page.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sitegen.builder import build
from sitegen.config import load_config
from tests.browser_support import ARTIFACTS, build_demo, copy_demo, serve
from tests.conftest import NOW, REPO

pytestmark = pytest.mark.browser

if not shutil.which("chromium"):
    pytest.skip("chromium is not installed (apt-get install chromium)", allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

WIDTHS = {"phone": {"width": 375, "height": 812}, "desktop": {"width": 1280, "height": 800}}
SCRATCH = "layout-scratch"
PAGES = {
    "home": "",
    "wide-post": f"posts/{SCRATCH}/",
    "post": "posts/pi-day-notes/",
    "tag": "tags/python/",
    "tags-index": "tags/",
    "404": "no-such-page/",
}
MAX_MEASURE = 80  # characters ("ch") per line of body text at desktop width
MIN_MEASURE = 45

WIDE_SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="3000" height="150" viewBox="0 0 3000 150">
<rect width="3000" height="150" fill="#0b57a4"/><rect x="40" y="40" width="2920" height="70" fill="#eef2f7"/>
</svg>
"""
WIDE_POST = f"""---
title: "Layout scratch: Pneumonoultramicroscopicsilicovolcanoconiosisandfriends"
date: 2019-06-01
---

A paragraph that is long enough to wrap over several lines at any width, so that its measure
can be taken: the quick brown fox jumps over the lazy dog, again and again, until the line is
well past the width of a phone and close to the width of the column on a desktop screen.

An unbroken URL: https://example.org/{"a-very-long-path-segment-" * 8}end and then more text.

## A heading with Pneumonoultramicroscopicsilicovolcanoconiosisandfriends in it

```python
wide = [{", ".join(f'"item number {n:03d}"' for n in range(14))}]  # one very long line
print(wide)
```

| {" | ".join(f"Column {n}" for n in range(8))} |
|{"|".join("---" for _ in range(8))}|
| {" | ".join(f"value-{n}-with-some-width" for n in range(8))} |

![A test pattern 3000 pixels wide](/images/wide.svg)

![The same pattern with width and height](/images/wide.svg){{: width="3000" height="150" }}

The end.
"""

_MEASURE = """() => {
    const ch = el => {
        const probe = document.createElement('span');
        probe.style.cssText = 'display:inline-block;width:1ch;padding:0;border:0;margin:0';
        el.appendChild(probe);
        const width = probe.getBoundingClientRect().width;
        probe.remove();
        return width;
    };
    const clipped = el => {
        for (let e = el.parentElement; e && e !== document.body; e = e.parentElement) {
            if (getComputedStyle(e).overflowX !== 'visible') return true;
        }
        return false;
    };
    const root = document.documentElement, body = document.body;
    const right = innerWidth + 0.5;
    return {
        innerWidth,
        scrollWidth: root.scrollWidth,
        bodyScrollWidth: body.scrollWidth,
        overflowX: [getComputedStyle(root).overflowX, getComputedStyle(body).overflowX],
        sticking_out: [...body.querySelectorAll('*')]
            .filter(e => e.getBoundingClientRect().right > right && !clipped(e))
            .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')
                      + ' right=' + Math.round(e.getBoundingClientRect().right)),
        paragraphs: [...document.querySelectorAll('main .content > p, main > p')]
            .filter(p => p.textContent.trim().length > 120)
            .map(p => ({text: p.textContent.trim().slice(0, 40),
                        measure: p.getBoundingClientRect().width / ch(p),
                        width: p.getBoundingClientRect().width,
                        fontSize: parseFloat(getComputedStyle(p).fontSize)})),
        blocks: [...document.querySelectorAll('main pre, main table')].map(e => ({
            tag: e.tagName.toLowerCase(), overflowX: getComputedStyle(e).overflowX,
            scrollWidth: e.scrollWidth, clientWidth: e.clientWidth,
            right: e.getBoundingClientRect().right})),
        images: [...document.querySelectorAll('main img')].map(i => ({
            src: i.getAttribute('src'), complete: i.complete, natural: i.naturalWidth,
            width: i.getBoundingClientRect().width, right: i.getBoundingClientRect().right,
            column: i.closest('.content, main').clientWidth})),
    };
}"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = copy_demo(tmp_path_factory.mktemp("layout") / "site")
    (root / "static" / "images").mkdir(parents=True, exist_ok=True)
    (root / "static" / "images" / "wide.svg").write_text(WIDE_SVG, encoding="utf-8")
    (root / "content" / "posts" / f"{SCRATCH}.md").write_text(WIDE_POST, encoding="utf-8")
    output = root / "public"
    build(load_config(root, now=NOW, output_dir=output))
    with serve(output) as address:
        yield address


@pytest.fixture(scope="module")
def pages(browser: Any) -> Iterator[dict[str, Any]]:
    """One open tab per width, reused by every page at that width."""
    tabs = {name: browser.new_page(viewport=viewport) for name, viewport in WIDTHS.items()}
    yield tabs
    for tab in tabs.values():
        tab.close()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_the_page_fits_the_screen(pages: dict[str, Any], site: str, name: str, width: str) -> None:
    page = pages[width]
    response = page.goto(site + PAGES[name])
    assert response is not None and response.status == (404 if name == "404" else 200)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}-{WIDTHS[width]['width']}.png"), full_page=True)
    m = page.evaluate(_MEASURE)

    assert m["overflowX"] == ["visible", "visible"], "overflow hidden on <html>/<body> hides bugs"
    assert m["scrollWidth"] <= m["innerWidth"] and m["bodyScrollWidth"] <= m["innerWidth"], \
        f"the page scrolls sideways: {m['scrollWidth']} px wide in {m['innerWidth']} px"
    assert not m["sticking_out"], f"past the right edge: {m['sticking_out'][:10]}"

    for block in m["blocks"]:  # code and tables scroll inside themselves, not the page
        assert block["overflowX"] in ("auto", "scroll"), block
        assert block["right"] <= m["innerWidth"] + 0.5, block
    for image in m["images"]:
        assert image["complete"] and image["natural"] > 0, f"not loaded: {image}"
        assert image["width"] <= image["column"] + 0.5 and image["right"] <= m["innerWidth"], image

    paragraphs = m["paragraphs"]
    if width == "desktop":
        too_long = [p for p in paragraphs if p["measure"] > MAX_MEASURE]
        assert not too_long, f"lines over {MAX_MEASURE} characters: {too_long[:5]}"
        assert all(p["measure"] >= MIN_MEASURE for p in paragraphs), \
            f"a cramped column at 1280 px: {paragraphs}"
    else:
        assert all(p["width"] >= 0.85 * m["innerWidth"] for p in paragraphs), \
            f"text does not use the phone's width: {paragraphs}"
    assert all(p["fontSize"] >= 16 for p in paragraphs), f"body text under 16 px: {paragraphs}"
    if name in ("wide-post", "post") or (name == "home" and width == "phone"):
        assert paragraphs, "no body text measured: the selectors no longer match the theme"


@pytest.mark.parametrize("width", WIDTHS)
def test_wide_content_scrolls_or_shrinks_inside_the_column(pages: dict[str, Any], site: str,
                                                           width: str) -> None:
    page = pages[width]
    page.goto(site + PAGES["wide-post"])
    m = page.evaluate(_MEASURE)
    pre = [b for b in m["blocks"] if b["tag"] == "pre"]
    tables = [b for b in m["blocks"] if b["tag"] == "table"]
    assert pre and pre[0]["scrollWidth"] > pre[0]["clientWidth"], \
        f"the 300-character line should scroll inside its block: {pre}"
    assert tables and tables[0]["scrollWidth"] > tables[0]["clientWidth"], \
        f"the eight-column table should scroll inside itself: {tables}"
    assert [i["natural"] for i in m["images"]] == [3000, 3000]
    assert all(i["width"] < 1000 for i in m["images"]), "the 3000 px image was not scaled down"
    height = page.evaluate("document.querySelectorAll('main img')[1].getBoundingClientRect().height")
    assert height < 150, "width and height attributes must not stretch the image when it shrinks"
    # the page itself can still be scrolled to its end without a sideways scrollbar
    page.evaluate("window.scrollTo(10000, 0)")
    assert page.evaluate("window.scrollX") == 0


def _save_docs_screenshot(browser: Any, address: str, path: Path, **options: Any) -> None:
    page = browser.new_page(**options)
    page.goto(address)
    page.screenshot(path=str(path))
    page.close()


@pytest.mark.skipif(os.environ.get("SITEGEN_SCREENSHOTS") != "docs",
                    reason="set SITEGEN_SCREENSHOTS=docs to rewrite docs/screenshot-*.png")
def test_write_the_readme_screenshots(browser: Any, tmp_path: Path) -> None:
    output = build_demo(tmp_path / "public")
    docs = REPO / "docs"
    docs.mkdir(exist_ok=True)
    with serve(output) as address:
        _save_docs_screenshot(browser, address, docs / "screenshot-desktop.png",
                              viewport=WIDTHS["desktop"], color_scheme="light")
        _save_docs_screenshot(browser, address, docs / "screenshot-phone.png",
                              viewport=WIDTHS["phone"], color_scheme="dark", device_scale_factor=2)
    for name in ("desktop", "phone"):
        assert (docs / f"screenshot-{name}.png").stat().st_size < 300 * 1024, name


_RELATED_AND_FOOTER = """() => [...document.querySelectorAll('.related time, .site-footer a')]
    .filter(e => e.getClientRects().length > 1).map(e => e.textContent)"""


@pytest.mark.parametrize("width", WIDTHS)
def test_dates_and_footer_links_stay_on_one_line(pages: dict[str, Any], site: str, width: str) -> None:
    page = pages[width]
    posts = [path.stem.split("-", 3)[-1] if path.stem[:4].isdigit() else path.stem
             for path in (REPO / "content" / "posts").rglob("*.md")]
    broken: dict[str, list[str]] = {}
    related = footer = 0
    for slug in posts:
        page.goto(f"{site}posts/{slug}/")
        related += page.evaluate("document.querySelectorAll('.related time').length")
        footer += page.evaluate("document.querySelectorAll('.site-footer a').length")
        if wrapped := page.evaluate(_RELATED_AND_FOOTER):
            broken[slug] = wrapped
    assert related and footer, "no related dates or footer links measured: the selectors no longer match"
    assert not broken, f"split over two lines: {broken}"


@pytest.mark.parametrize("width", WIDTHS)
def test_sections_of_a_whole_post_on_a_list_page_are_smaller_than_post_titles(
    pages: dict[str, Any], site: str, width: str
) -> None:
    page = pages[width]
    page.goto(site + "tags/cpp/")  # its one post has no <!--more-->: shown whole
    sizes = page.evaluate("""() => {
        const size = e => parseFloat(getComputedStyle(e).fontSize);
        return {
            titles: [...document.querySelectorAll('.excerpt > header h2')].map(size),
            sections: [...document.querySelectorAll('.excerpt .content :is(h2, h3, h4)')].map(size),
            body: size(document.querySelector('.excerpt .content p')),
        };
    }""")
    assert sizes["titles"] and sizes["sections"], sizes
    assert max(sizes["sections"]) <= 0.8 * min(sizes["titles"]), sizes
    assert min(sizes["sections"]) >= sizes["body"], f"a section heading smaller than the text: {sizes}"


def test_the_demo_home_page_shows_summaries_not_whole_posts(pages: dict[str, Any], site: str) -> None:
    page = pages["desktop"]
    page.goto(site)
    shown = page.evaluate("""() => [...document.querySelectorAll('.excerpt')].map(e => ({
        title: e.querySelector('header h2').textContent.trim(), cut: !!e.querySelector('.more'),
        height: e.getBoundingClientRect().height}))""")
    assert len(shown) == 5, shown
    assert all(post["cut"] for post in shown), f"shown whole on the home page: {shown}"
    assert page.evaluate("document.documentElement.scrollHeight") < 3000


@pytest.mark.parametrize("width", WIDTHS)
def test_a_post_title_is_larger_than_every_heading_below_it(pages: dict[str, Any], site: str,
                                                             width: str) -> None:
    page = pages[width]
    larger = {}
    for name in ("post", "wide-post"):
        page.goto(site + PAGES[name])
        sizes = page.evaluate("""() => ({
            title: parseFloat(getComputedStyle(document.querySelector('main h1')).fontSize),
            below: [...document.querySelectorAll('main :is(h2, h3, h4, h5, h6)')].map(
                h => [h.textContent.trim().slice(0, 30), parseFloat(getComputedStyle(h).fontSize)])})""")
        assert sizes["below"], f"{name}: no headings measured"
        if wrong := [h for h in sizes["below"] if h[1] >= sizes["title"]]:
            larger[name] = (sizes["title"], wrong)
    assert not larger, f"headings as large as the post's title or larger: {larger}"
