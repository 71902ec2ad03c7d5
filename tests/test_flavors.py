"""Markdown flavors: posts read as the generator they come from read them (markdown: {flavor: ...}).

One test per way Python-Markdown and the other engines read the same text apart, with the
structure each flavor must give; what every flavor keeps (heading ids, footnotes, highlighting,
the template guard, the sanitizer); the setting's validation; the cache; and a property: the
rewrites never change fenced code or a code span. The default flavor's output is the golden
site's (tests/test_golden.py).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sitegen.builder import build
from sitegen.errors import BuildError
from sitegen.flavors import FLAVORS, prepare
from sitegen.markup import render
from tests.conftest import WriteSite, config_for, post

OTHERS = ("kramdown", "goldmark", "markdown-it", "commonmark")
COMMONMARK = ("goldmark", "markdown-it", "commonmark")


def html(text: str, flavor: str, unsafe: bool = False) -> str:
    return render(text, url="/posts/x/", base_path="/", flavor=flavor, unsafe_html=unsafe).body_html


class _Outline(HTMLParser):
    """The structure of a fragment: lists, items, quotes, code blocks, tables, headings, links."""

    KEPT = {"ul", "ol", "li", "blockquote", "pre", "table", "th", "td", "a", "img", "del", "input",
            "h1", "h2", "h3", "h4", "h5", "h6"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.permalink = False  # inside a heading's permalink, not the text's own link

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.permalink = self.permalink or "headerlink" in (dict(attrs).get("class") or "")
        if tag in self.KEPT and not self.permalink:
            self.parts.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.permalink:
            self.permalink = tag != "a"
        elif tag in self.KEPT - {"img", "input"}:
            self.parts.append(f"/{tag}")


def outline(fragment: str) -> str:
    parser = _Outline()
    parser.feed(fragment)
    return " ".join(parser.parts)


# (what differs, the Markdown, {flavor: the outline it must have}); "sitegen" is today's reading
CASES = [
    ("a list right after a paragraph line", "Some text:\n- one\n- two\n",
     {"sitegen": "", **dict.fromkeys(OTHERS, "ul li /li li /li /ul")}),
    ("an ordered list right after a paragraph line", "Steps:\n1. one\n2. two\n",
     {"sitegen": "", **dict.fromkeys(OTHERS, "ol li /li li /li /ol")}),
    ("a list nested by two spaces", "- a\n  - b\n  - c\n- d\n",
     {"sitegen": "ul li /li li /li li /li li /li /ul",
      **dict.fromkeys(OTHERS, "ul li ul li /li li /li /ul /li li /li /ul")}),
    ("a list nested at the content column of an ordered item", "1. one\n   - sub\n2. two\n",
     {"sitegen": "ol li /li li /li /ol", **dict.fromkeys(OTHERS, "ol li ul li /li /ul /li li /li /ol")}),
    ("an item after a nested list", "* a\n\n  * b\n* c\n",
     dict.fromkeys(OTHERS, "ul li ul li /li /ul /li li /li /ul")),
    ("a bare URL", "See http://example.com/x now.\n",
     {"sitegen": "", "kramdown": "", "goldmark": "a /a", "markdown-it": "", "commonmark": ""}),
    ("a line of only ##", "Text\n\n##\n\nMore\n",
     {"sitegen": "h2 /h2", "kramdown": "", **dict.fromkeys(COMMONMARK, "h2 /h2")}),
    ("kramdown's one-row pipe table", "| a | b |\n",
     {"sitegen": "", "kramdown": "table td /td td /td /table", **dict.fromkeys(COMMONMARK, "")}),
    ("kramdown's table whose separator has fewer cells", "| a | b |\n| --- |\n| c | d |\n",
     {"sitegen": "", "kramdown": "table th /th th /th td /td td /td /table"}),
    ("an autolink with another scheme", "See <doi:10.1000/182> here.\n",
     {"kramdown": "", **dict.fromkeys(COMMONMARK, "a /a")}),
    ("a fence inside a list item", "- item\n\n  ```python\n  x = 1\n  ```\n- next\n",
     {"sitegen": "ul li /li /ul", **dict.fromkeys(OTHERS, "ul li pre /pre /li li /li /ul")}),
    ("a fence right after an item's text", "- item\n   ```\n   code\n   ```\n- next\n",
     dict.fromkeys(OTHERS, "ul li pre /pre /li li /li /ul")),
    ("an indented fence", "  ```\n  code\n  ```\n", {"sitegen": "", **dict.fromkeys(OTHERS, "pre /pre")}),
    ("#Heading without a space", "#Heading\n", {"sitegen": "h1 /h1", **dict.fromkeys(OTHERS, "")}),
    ("two block quotes a blank line apart", "> a\n\n> b\n",
     {"sitegen": "blockquote /blockquote",
      **dict.fromkeys(OTHERS, "blockquote /blockquote blockquote /blockquote")}),
    ("a list inside a block quote, after a paragraph line", "> Items:\n> * one\n> * two\n",
     dict.fromkeys(OTHERS, "blockquote ul li /li li /li /ul /blockquote")),
    ("~~strike~~", "~~gone~~\n",
     {"sitegen": "", "kramdown": "del /del", "goldmark": "del /del", "markdown-it": "del /del",
      "commonmark": ""}),
    ("a task list", "- [ ] to do\n- [x] done\n",
     {"sitegen": "ul li /li li /li /ul", "kramdown": "ul li input /li li input /li /ul",
      "goldmark": "ul li input /li li input /li /ul", "commonmark": "ul li /li li /li /ul"}),
    ("1) ordered lists", "1) a\n2) b\n",
     {"sitegen": "", "kramdown": "", **dict.fromkeys(COMMONMARK, "ol li /li li /li /ol")}),
    ("kramdown's table of contents", "* TOC\n{:toc}\n\n## A\n\n## B\n",
     {"kramdown": "ul li a /a /li li a /a /li /ul h2 /h2 h2 /h2"}),
]


@pytest.mark.parametrize(("flavor", "text", "expected"), [
    pytest.param(flavor, text, expected, id=f"{what}-{flavor}")
    for what, text, by_flavor in CASES for flavor, expected in by_flavor.items()])
def test_each_flavor_reads_the_text_as_its_engine_does(flavor: str, text: str, expected: str) -> None:
    assert outline(html(text, flavor)) == expected


@pytest.mark.parametrize("flavor", OTHERS)
def test_a_tight_list_with_a_nested_one_stays_tight(flavor: str) -> None:
    """No blank line in the list: no item is a paragraph (one after the nested list included);
    with one, the list is loose, and the item after the nested list still closes it."""
    for text in ("- a\n- b\n  - b1\n  - b2\n- c\n", "1. a\n   - a1\n2. b\n", "- a\n  - b\n    - c\n- d\n"):
        assert "<p>" not in html(text, flavor), text
    loose = html("- a\n\n- b\n  - b1\n- c\n", flavor)
    assert outline(loose) == "ul li /li li ul li /li /ul /li li /li /ul" and "<p>c</p>" in loose, loose


def test_markdown_after_a_blank_line_in_an_html_block() -> None:
    """CommonMark ends an HTML block at a blank line, and reads what follows as Markdown;
    kramdown keeps the block raw to its end tag."""
    text = "<div>\n\n*em* and [a link](https://x.org/)\n\n</div>\n"
    for flavor in ("sitegen", *COMMONMARK):
        assert "<em>em</em>" in html(text, flavor), flavor
    kept = html(text, "kramdown", unsafe=True)
    assert "*em* and [a link](https://x.org/)" in kept and "<em>" not in kept


def test_raw_html_is_read_after_the_rewrites_moved_its_lines() -> None:
    """A rewrite adds lines (a blank line before a list): what render finds in raw HTML must be
    found in the text Python-Markdown reads, not in the text as written."""
    text = 'Intro\n- a\n- b\n\n<img src="{{ "/a.png" | url }}">\n\n<div>\n\n*em*\n\n</div>\n'
    for flavor in COMMONMARK:
        out = html(text, flavor)
        assert "<em>em</em>" in out and """<img src="{{ '/a.png' | url }}">""" in out, flavor
    assert """<img src="{{ '/a.png' | url }}">""" in html(text, "kramdown")


def test_kramdown_attribute_lines_are_never_shown() -> None:
    out = html("## Head\n{: #chosen .wide}\n\nText\n\n{: .orphan}\n\n```\ncode\n```\n{: .c}\n", "kramdown")
    assert '<h2 class="wide" id="chosen">' in out
    assert "{:" not in out
    assert 'class="x"' in html("Para\n{: .x}\n", "kramdown")
    assert "{:" in html("## Head\n{: #chosen}\n", "sitegen")  # what the default flavor shows


def test_markdown_it_attributes_stay_on_their_block() -> None:
    assert '<p class="y">Para</p>' in html("Para\n{.y}\n", "markdown-it")


@pytest.mark.parametrize("flavor", list(FLAVORS))
def test_what_every_flavor_keeps(flavor: str) -> None:
    """Heading ids and permalinks, footnotes, highlighting, the template guard and the sanitizer."""
    text = ("## A heading\n\nA claim.[^1] Raw: <script>alert(1)</script> {{ site.x }} {% raw %}\n\n"
            "```python\ndef f(): pass\n```\n\n[^1]: The source.\n")
    out = html(text, flavor)
    assert '<h2 id="a-heading">' in out and 'class="headerlink"' in out
    assert 'class="footnote-ref"' in out and 'class="footnote"' in out
    assert '<span class="k">def</span>' in out and '<pre tabindex="0">' in out
    assert "{{ site.x }}" in out and "{% raw %}" in out
    assert "<script" not in out


def test_the_default_flavor_leaves_the_text_alone() -> None:
    text = "Para\n- a\n  - b\n\n#tag\n\n> a\n\n> b\n"
    assert prepare(text, "sitegen") is text


def test_an_unknown_flavor_is_a_located_error_with_a_hint(write_site: WriteSite) -> None:
    root = write_site({"sitegen.yaml": "title: x\nmarkdown:\n  unsafe_html: false\n  flavor: kramdwn\n"})
    with pytest.raises(BuildError) as failure:
        config_for(root)
    [error] = [str(e) for e in failure.value.errors]
    assert error.startswith("sitegen.yaml:4:"), error
    assert "markdown: flavor must be one of sitegen, kramdown, goldmark, markdown-it, commonmark" in error
    assert "did you mean 'kramdown'?" in error
    good = write_site({"sitegen.yaml": "markdown: {flavor: markdown-it}\n"})
    assert config_for(good).markdown_flavor == "markdown-it"
    assert config_for(write_site({"sitegen.yaml": "title: x\n"})).markdown_flavor == "sitegen"


def test_a_flavor_change_renders_every_post_again(write_site: WriteSite) -> None:
    root = write_site({"sitegen.yaml": "base_url: https://x.org/\nmarkdown: {flavor: sitegen}\n",
                       "content/posts/a.md": post("A", body="Steps:\n- one\n- two\n"),
                       "content/posts/b.md": post("B", date="2025-01-29", body="Plain text.")})
    build(config_for(root))
    page = root / "public" / "posts" / "a" / "index.html"
    assert "<li>one</li>" not in page.read_text()
    (root / "sitegen.yaml").write_text("base_url: https://x.org/\nmarkdown: {flavor: kramdown}\n")
    report = build(config_for(root))
    assert report.rendered == report.pages
    assert "<li>one</li>" in page.read_text()


# Documents of pieces each flavor rewrites, with fenced code and code spans holding the same
# pieces: the rewrites must leave code exactly as written (fences may move with their list item)
_TRICKY = ["- item", "  - nested", "1) one", "2. two", "#tag", "##", "> quote", "| a | b |",
           "{: .x}", "{:toc}", "<doi:10.1/x>", "<div>", "text", "   ```", "~~~", "    indented", ""]
_CODE_TEXT = st.lists(st.sampled_from([line for line in _TRICKY if "```" not in line and "~~~" not in line]),
                      min_size=1, max_size=4)


@st.composite
def _documents(draw: st.DrawFn) -> tuple[str, dict[int, list[str]], list[str]]:
    blocks: list[str] = []
    fenced: dict[int, list[str]] = {}  # block number -> its code's lines
    spans: list[str] = []
    for n in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["lines", "fence", "item fence", "span", "item span"]))
        if kind == "lines":
            blocks.append("\n".join(draw(st.lists(st.sampled_from(_TRICKY), min_size=1, max_size=5))))
        elif kind.endswith("fence"):
            code = draw(_CODE_TEXT)
            fenced[n] = code
            indent = "  " if kind == "item fence" else ""
            lines = [f"```block{n}", *code, "```"]
            blocks.append(("- item\n\n" if indent else "") + "\n".join(indent + line if line else line
                                                                       for line in lines))
        else:
            span = "`" + draw(st.sampled_from([t for t in _TRICKY if t.strip()])) + "`"
            spans.append(span)
            blocks.append(("- " if kind == "item span" else "") + f"{draw(st.sampled_from(_TRICKY))} {span}")
    return "\n\n".join(blocks) + "\n", fenced, spans


@settings(max_examples=300, deadline=None)
@given(document=_documents(), flavor=st.sampled_from(OTHERS))
# A run of three backticks that nothing closes is text to CommonMark, a span's start to Python-Markdown
@example(document=("   ``` `<doi:10.1/x>`\n", {}, ["`<doi:10.1/x>`"]), flavor="kramdown")
def test_the_rewrites_never_change_code(document: tuple[str, dict[int, list[str]], list[str]],
                                        flavor: str) -> None:
    text, fenced, spans = document
    out = prepare(text, flavor).split("\n")
    for n, code in fenced.items():
        [opening] = [i for i, line in enumerate(out) if re.fullmatch(rf" *```block{n}", line)]
        indent = len(out[opening]) - len(out[opening].lstrip())
        assert [line[indent:] for line in out[opening + 1:opening + 1 + len(code)]] == code, (text, out)
        assert out[opening + 1 + len(code)].strip() == "```"
    for span in spans:
        assert span in "\n".join(out), (text, out)


def test_the_property_meets_code_that_moves() -> None:
    """A fence in a list item moves four spaces in: the property compares it where it went."""
    out = prepare("- item\n\n  ```block0\n  #tag\n  ```\n", "kramdown")
    assert out == "- item\n\n    ```block0\n    #tag\n    ```\n"


def test_every_flavor_has_a_meaning_for_the_documentation() -> None:
    assert all(flavor.means and flavor.name == name for name, flavor in FLAVORS.items())
    assert Path(__file__).parent.parent.joinpath("docs", "markdown-flavors.md").is_file()
