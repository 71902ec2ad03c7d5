"""Raw HTML in posts renders as HTML, kept to an allow-list: what stays, what goes with a warning
at its line, what goes silently; iframes by host; unsafe_html untouched; template syntax shown
as written, without a backslash."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sitegen.config import load_config
from sitegen.errors import BuildError, Problems
from sitegen.markup import render
from sitegen.models import Config
from sitegen.parser import parse_post
from tests.conftest import NOW, WriteSite, post

SOURCE = PurePosixPath("content/posts/a-post.md")
BODY_LINE = 6  # where conftest.post puts the body


def config(**changes: object) -> Config:
    return Config(root=Path("/site"), output_dir=Path("/site/public"), now=NOW, **changes)  # type: ignore[arg-type]


def body(text: str, **settings: object) -> tuple[str, list[str]]:
    """The post's body HTML and its warnings as `line:col: message`."""
    problems = Problems()
    result = parse_post(SOURCE, post(body=text), config(**settings), section="posts", problems=problems)
    assert result is not None and problems.errors == []
    return result.html.parts[0], [f"{w.line}:{w.col}: {w.message}" for w in problems.warnings]


@pytest.mark.parametrize("html", [
    '<figure><img src="/a.png" alt="A" width="300"><figcaption>Caption</figcaption></figure>',
    "<p>H<sub>2</sub>O and E=mc<sup>2</sup></p>",
    "<details><summary>More</summary>\n<p>Hidden until opened</p>\n</details>",
    '<video controls="" poster="/p.jpg" width="640"><source src="/v.mp4" type="video/mp4"></video>',
    '<audio controls=""><source src="/a.ogg" type="audio/ogg"></audio>',
    '<table class="wide"><tbody><tr><td colspan="2">cell</td></tr></tbody></table>',
    '<div id="box" class="note"><strong>Bold</strong> <em>em</em> <kbd>Ctrl</kbd></div>',
    "<blockquote><p>Quoted</p></blockquote>",
    "<center>Centred</center>",
    '<p><a href="irc://irc.libera.chat/sitegen">irc</a> <a href="ftp://ftp.example.org/f">ftp</a> '
    '<a href="mailto:me@example.org">mail</a></p>',
    '<p><input type="checkbox" checked="" disabled=""> done</p>',
    '<p style="text-align:center">centred</p>',
    '<iframe src="https://www.youtube-nocookie.com/embed/xyz" width="560" allowfullscreen=""></iframe>',
    '<iframe src="https://player.vimeo.com/video/1"></iframe>',
])
def test_allowed_raw_html_renders_as_html(html: str) -> None:
    out, warnings = body(f"Intro.\n\n{html}\n")
    assert html in out, out
    assert "&lt;" not in out and warnings == []


@pytest.mark.parametrize(("text", "line", "message", "gone"), [
    ("<script>alert(1)</script>", 2, "<script> removed", "alert"),
    ('<blockquote class="twitter-tweet"><p>A tweet</p></blockquote>\n'
     '<script async src="https://x.com/widgets.js"></script>', 3, "<script> removed", "<script"),
    ('<img src="/a.png" onerror="alert(1)">', 2, "event handler attribute onerror= removed", "onerror"),
    ('<a href="javascript:alert(1)">x</a>', 2, "would run code", "javascript:"),
    ('<a href=" JaVa&#x53;cript:alert(1)">x</a>', 2, "would run code", "alert"),
    ('<form action="/x"><input type="text" name="q"><button>Go</button></form>', 2,
     "form element <form> removed",
     "<input"),
    ('<p style="display:none">hidden</p>', 2, "style that could hide text removed (display)", "display"),
    ("<style>p { display: none }</style>", 2, "style that could hide text removed (<style>)", "display"),
    ('<iframe src="https://evil.example/x">fallback</iframe>', 2, "iframe from evil.example removed", "evil"),
    ('<object data="/x.swf">fallback</object>', 2, "embedded object <object> removed", "<object"),
])
def test_each_removed_kind_warns_at_its_line(text: str, line: int, message: str, gone: str) -> None:
    out, warnings = body(f"Intro.\n\n{text}\n")
    assert gone not in out, out
    # a link's target is warned about with the other links (by line): once
    assert len(warnings) == 1 and warnings[0].startswith(f"{BODY_LINE + line}:"), warnings
    assert message in warnings[0]


def test_one_warning_per_kind_at_the_first_place_and_code_is_not_raw_html() -> None:
    text = ("Intro with `<script>` in code.\n\n```html\n<script>in a fence</script>\n```\n\n"
            "Text <b onclick=\"x()\">b</b>\n<i onmouseover=\"y()\">i</i>\n\n<script>one()</script>\n"
            "<script>two()</script>\n")
    out, warnings = body(text)
    assert '<span class="nx">fence</span>' in out and "&lt;script&gt;</code>" in out
    assert "one()" not in out and "onclick" not in out
    assert [w.split(" removed")[0] for w in warnings] == [
        f"{BODY_LINE + 6}:6: event handler attribute onclick=", f"{BODY_LINE + 9}:1: <script>"]


def test_tags_that_mean_nothing_in_a_body_go_silently() -> None:
    out, warnings = body('<meta name="x" content="y">\n<link rel="stylesheet" href="/x.css">\n'
                         "<title>Old title</title>\n\nText <span>kept</span>.\n")
    assert warnings == [] and "<meta" not in out and "<link" not in out and "Old title" not in out
    assert "<span>kept</span>" in out


def test_iframe_hosts_come_from_the_configuration() -> None:
    embed = '<iframe src="https://fast.wistia.net/embed/iframe/abc"></iframe>'
    out, warnings = body(embed)
    assert "<iframe" not in out and "fast.wistia.net" in warnings[0]
    out, warnings = body(embed, iframe_hosts=("wistia.net",))
    assert embed in out and warnings == []
    youtube = '<iframe src="https://www.youtube.com/embed/x"></iframe>'
    assert "<iframe" not in body(youtube, iframe_hosts=())[0]
    assert "<iframe" not in body('<iframe src="http://www.youtube.com/embed/x"></iframe>')[0]  # not https
    assert "<iframe" not in body('<iframe src="https://youtube.com.evil.example/x"></iframe>')[0]


def test_unsafe_html_passes_raw_html_through_untouched() -> None:
    text = '<script>run()</script>\n\n<p style="display:none" onclick="x()">p</p>\n'
    out, warnings = body(text, unsafe_html=True)
    assert "<script>run()</script>" in out and 'onclick="x()"' in out and warnings == []


def test_sitegens_own_markup_survives_in_a_post_with_raw_html() -> None:
    text = ("# Title\n\n[TOC]\n\n## Part\n\nA claim.[^1] <span>raw</span>\n\n"
            "| a | b |\n|:--|--:|\n| 1 | 2 |\n\n```python\nx = 1\n```\n\n!!! note\n    Careful.\n\n"
            "[^1]: Source.\n")
    out = render(text, url="/posts/x/", base_path="/").body_html
    for kept in ('<h2 id="part">', 'class="headerlink" href="#part"', '<sup id="fnref:1">',
                 '<li id="fn:1">', '<table tabindex="0">', 'style="text-align:left"', '<pre tabindex="0">',
                 '<span class="n">x</span>', '<div class="admonition note">', '<div class="toc">',
                 "<span>raw</span>"):
        assert kept in out, kept


def test_markdown_after_a_blank_line_in_an_html_block_is_rendered() -> None:
    out, _ = body('<div class="note">\n\nSome *emphasis*.\n\n</div>\n\n<details>\n<summary>More</summary>\n\n'
                  "- a list\n\n</details>\n\n<div>\n*stays as written*\n</div>\n")
    assert '<div class="note">\n<p>Some <em>emphasis</em>.</p>\n</div>' in out
    assert "<summary>More</summary>\n<ul>\n<li>a list</li>" in out
    assert "*stays as written*" in out  # no blank line: the block is HTML, as CommonMark reads it
    assert "markdown=" not in out


@pytest.mark.parametrize(("text", "shown"), [
    ('<a href="{{ page.url }}/x">link</a> and <img src="{% asset a.png %}" alt="a">',
     ['href="{{ page.url }}/x"', 'src="{% asset a.png %}"']),
    ('<img src="{{ "/a.png" | asset_path }}" alt="x">', ["<img src=\"{{ '/a.png' | asset_path }}\""]),
    ("<div>\n{% picture 'a.png' %}\n</div>", ["{% picture 'a.png' %}"]),
    ("- A step with `code that\n  wraps {{ x }}` here", ["wraps {{ x }}</code>"]),
    ("1. Step:\n\n        ```\n        {{ a }}\n\n        {% raw %}\n        ```\n",
     ["{{ a }}", "{% raw %}"]),
    ("Text.\n\n    ```\n    {{ a }}\n\n    x\n    ```\n", ["{{ a }}"]),  # a fence indented: code
    ("Text.\n\n    {{ a }}\n", ["<code>{{ a }}"]),
    ("Text {% endfor %} and a {{ value }}\n\n## Heading {{ x }}", ["Text {% endfor %} and a {{ value }}",
                                                                   "Heading {{ x }}"]),
])
def test_template_syntax_is_shown_as_written_without_a_backslash(text: str, shown: list[str]) -> None:
    out, _ = body(text)
    assert "\\{" not in out and "&lt;" not in out, out
    for part in shown:
        assert part in out, out


def test_an_attribute_list_still_works() -> None:
    html = render("## Head {: .wide #head}\n", url="/x/", base_path="/").body_html
    assert '<h2 class="wide" id="head">' in html


def test_iframe_hosts_are_checked_where_they_are_written(write_site: WriteSite) -> None:
    root = write_site({"sitegen.yaml": "markdown:\n  unsafe_html: false\n  iframe_hosts: [https://x.org/]\n"
                                       "  iframe_host: []\n"})
    with pytest.raises(BuildError) as failure:
        load_config(root, now=NOW)
    found = [str(e) for e in failure.value.errors]
    assert any(m.startswith("sitegen.yaml:3:") and "must be a list of host names" in m for m in found)
    assert any(m.startswith("sitegen.yaml:4:") and "unknown key 'iframe_host'" in m for m in found), found
    good = write_site({"sitegen.yaml": "markdown: {iframe_hosts: [Fast.Wistia.net, youtube.com]}\n"})
    assert load_config(good, now=NOW).iframe_hosts == ("fast.wistia.net", "youtube.com")


_PIECES = st.sampled_from([
    "<script>", "</script>", "<SCRIPT src=//x.js>", "<scr<script>ipt>", "<img src=x onerror=alert(1)>",
    "<a href=\"javascript:x()\">", "<a href='&#106;avascript:x()'>", "<a href=java\tscript:x()>",
    "<svg onload=x()>", "<div ONCLICK=\"x\">", "<iframe src=javascript:x()>", "<iframe src=https://www.youtube.com/embed/a>",
    "<form action=javascript:x()>", "<input onfocus=x autofocus>", "<style>", "<math>", "<!--", "-->",
    "<![CDATA[", "]]>", "<p", ">", "\"", "'", "`", "\n", "\n\n", "    ", "```\n", "*", "[a](b)",
    "[x](javascript:y)", "<details open ontoggle=x()>", "<video><source onerror=x()>", "{{", "{%",
    "<object data=javascript:x()>", "<a href=\"vbscript:x\">", "<b style=\"display:none\">", "text",
    "<div markdown=\"1\">", "</div>", "<", "&", "&#x3C;script&#x3E;", "<body onload=x()>",
])
_TAG = re.compile(r"<[A-Za-z][^<>]*>")  # code about HTML is escaped: it holds no '<'
_RUNS = re.compile(r"""\son[a-z]+\s*=|=\s*["']?\s*(?:javascript|vbscript):""", re.IGNORECASE)


@given(text=st.lists(_PIECES, max_size=30).map("".join))
def test_no_output_runs_script(text: str) -> None:
    """Whatever the Markdown, the HTML holds no script element, no handler and no javascript: URL."""
    rendered = render(text, url="/posts/x/", base_path="/")
    for html in (rendered.body_html, rendered.excerpt_html, rendered.toc_html):
        assert "<script" not in html.lower(), html
        assert not [tag for tag in _TAG.findall(html) if _RUNS.search(tag)], html


def test_a_post_without_raw_html_is_not_sanitized() -> None:
    """Only raw HTML outside code is sanitized: the excerpt's marker and code about HTML are not
    raw HTML, so Python-Markdown's output stands as it wrote it (the sanitizer would rewrite the
    footnote's &#160;)."""
    text = "Intro[^1] with `<div>`.\n\n<!--more-->\n\n```html\n<script>x</script>\n```\n\n[^1]: Note.\n"
    assert "Note.&#160;" in render(text, url="/posts/x/", base_path="/").body_html
    raw = render(text + "\n<span>raw</span>\n", url="/posts/x/", base_path="/").body_html
    assert "Note.&#160;" not in raw and "<span>raw</span>" in raw


def test_a_tag_with_broken_quoting_renders_as_browsers_read_it_not_as_text() -> None:
    text = ('<img src="/a.gif" alt="Shows "What?" here." />\n\n'
            'A <a href="/x" title="a "b" c">link</a>, `<img src="y" "z">` and 2 < 3 > 1.\n\n'
            '<script src="/x.js" "y"></script>\n')
    html = render(text, url="/p/", base_path="/").body_html
    assert '<img src="/a.gif" alt="Shows ">' in html and '<a href="/x" title="a ">link</a>' in html
    assert "<code>&lt;img src=\"y\" \"z\"&gt;</code>" in html and "2 &lt; 3 &gt; 1" in html
    assert "<script" not in html and "&lt;img src=\"/a.gif\"" not in html
