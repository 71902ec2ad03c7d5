from __future__ import annotations

import functools
from textwrap import dedent
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sitegen import markup, prose
from sitegen.linktext import LinkText
from sitegen.markup import plain_text, render


def md(text: str, base: str = "/", unsafe: bool = False) -> object:
    return render(dedent(text), url="/posts/x/", base_path=base, unsafe_html=unsafe)


def test_body_html_with_table_footnote_and_heading_ids() -> None:
    rendered = md("""
        ## Results

        | a | b |
        |---|---|
        | 1 | 2 |

        A claim.[^1]

        [^1]: The source.
        """)
    assert '<h2 id="results">' in rendered.body_html
    assert "<table tabindex=\"0\">" in rendered.body_html and "<td>1</td>" in rendered.body_html
    assert 'class="footnote"' in rendered.body_html


def test_fenced_code_is_highlighted_by_pygments() -> None:
    rendered = md("""
        ```python
        def f(): pass
        ```
        """)
    assert '<div class="highlight">' in rendered.body_html
    assert '<span class="k">def</span>' in rendered.body_html


def test_more_marker_cuts_the_excerpt() -> None:
    rendered = md("Intro.\n\n<!--more-->\n\nRest of the story.\n")
    assert rendered.cut
    assert rendered.excerpt_html == "<p>Intro.</p>"
    assert "Rest of the story." in rendered.body_html
    assert rendered.summary == "Intro."


def test_without_more_the_excerpt_is_the_whole_post() -> None:
    rendered = md("First paragraph.\n\nSecond paragraph.\n")
    assert not rendered.cut
    assert "Second paragraph." in rendered.excerpt_html
    assert rendered.summary == "First paragraph."


def test_excerpt_drops_ids_and_points_fragments_at_the_post() -> None:
    rendered = md("## Part\n\nSee [below](#part).[^n]\n\n[^n]: Note.\n", base="/blog/")
    assert ' id="' not in rendered.excerpt_html
    assert 'href="/blog/posts/x/#part"' in rendered.excerpt_html
    assert 'href="#part"' in rendered.body_html


def test_links_and_ids_are_rewritten_in_tags_not_in_text() -> None:
    """Excerpts lose ids and fragments, and root links get the base path, in tags only: the same
    characters shown as text (code about HTML) stay as written."""
    rendered = md('## Part\n\nUse `<div id="main"><a href="#top">`, or write href="#x" in prose.\n'
                  '<p title="a b" id="raw">raw</p>\n', base="/blog/", unsafe=True)
    assert '&lt;div id="main"&gt;&lt;a href="#top"&gt;' in rendered.excerpt_html
    assert 'write href="#x" in prose' in rendered.excerpt_html
    shown = md('Root links: `<img src="/a.png">` and ![a](/a.png)\n', base="/blog/")
    assert '&lt;img src="/a.png"&gt;' in shown.body_html and 'src="/blog/a.png"' in shown.body_html
    assert 'id="raw"' not in rendered.excerpt_html and 'id="part"' not in rendered.excerpt_html
    raw = md('<p><a title="1>0" href="#f">x</a> <img alt="a>b" src="/i.png">'
             ' <b title=\'>\' id="s">y</b></p>\n', base="/blog/", unsafe=True)  # quoted '>' is no tag end
    assert 'src="/blog/i.png"' in raw.body_html and 'href="/blog/posts/x/#f"' in raw.excerpt_html
    assert 'id="s"' not in raw.excerpt_html


def test_root_relative_links_get_the_base_path() -> None:
    rendered = md("[a](/posts/a/) ![i](/img/i.png) [b](//cdn.example/x) [c](https://x.org/)",
                  base="/blog/")
    assert 'href="/blog/posts/a/"' in rendered.body_html
    assert 'src="/blog/img/i.png"' in rendered.body_html
    assert 'href="//cdn.example/x"' in rendered.body_html


def test_table_of_contents_marker_as_python_markdown_reads_it() -> None:
    assert 'class="toc"' in md("[TOC]\n\n## a\n\n## b\n").body_html
    assert 'class="toc"' in md("[TO\x02C]\n\n## a\n\n## b\n").body_html  # it drops \x02
    assert 'class="toc"' not in md("TOC\n\n## a\n\n## b\n").body_html


def test_table_of_contents_needs_two_headings() -> None:
    assert md("## Only one\n").toc_html == ""
    assert 'href="#two"' in md("## One\n\n## Two\n").toc_html


def test_word_count_and_reading_time() -> None:
    rendered = md(" ".join(["word"] * 660))
    assert rendered.words == 660
    assert rendered.reading_minutes == 3
    assert md("tiny").reading_minutes == 1


def test_plain_text_skips_markup_scripts_and_permalinks() -> None:
    html = '<h2>Title<a class="headerlink" href="#t">#</a></h2><script>x()</script><p>A &amp; B</p>'
    assert plain_text(html).split() == ["Title", "A", "&", "B"]


def test_template_syntax_in_content_stays_text() -> None:
    assert "{{ 7*7 }}" in md("Literal {{ 7*7 }} and {% raw %}\n").body_html


def test_one_converter_serves_many_documents_without_leaking_state() -> None:
    """The converter is reused: footnotes, abbreviations, ids and the table of contents of one
    document must not reach the next."""
    first = ("## Intro\n\n## Intro\n\nHTML rocks[^1].\n\n*[HTML]: Hyper Text\n\n[^1]: A note.\n\n"
             "```python\nx = 1\n```\n")
    second = "## Intro\n\nHTML again, no note.\n\n## Other\n"
    markup._converter.cache_clear()
    alone = md(second)
    md(first)
    after = md(second)
    assert after == alone
    assert "<abbr" not in after.body_html and "footnote" not in after.body_html  # type: ignore[attr-defined]
    assert 'id="intro"' in after.body_html  # type: ignore[attr-defined]  # not "intro_1", counted on from the first document


@given(st.text(alphabet=st.sampled_from(list("ab1_-—*. \t\n\x1c\x85\u3000éß٣") + ["\u2028"]), max_size=60))
def test_count_words_counts_the_tokens_holding_a_letter_or_digit(text: str) -> None:
    assert markup.count_words(text) == len([w for w in text.split() if any(c.isalnum() for c in w)])


def test_count_words_skips_dashes_and_bullets() -> None:
    assert markup.count_words("One — two - * three_ __ 4") == 4


@functools.cache
def _converter(fast: bool = True) -> Any:
    return markup.new_converter(fast=fast)


_INLINE_TEXT = st.lists(st.sampled_from(
    list("ab1 \n`\\[]^!<>&#;*_:/@.()\"'x") + ["  \n", "http://", "&amp;", "&#35;", "&#x2F;", "<a@b.c>",
                                               "<b>", "[a]", "(b)", "![", "[^1]", "**", "``", "<http://x.org>"]),
    max_size=30).map("".join)


@given(text=_INLINE_TEXT)
def test_an_inline_pattern_matches_only_texts_holding_what_it_needs(text: str) -> None:
    """The fast path skips a pattern for a text without any of its NEEDS: sound only if the
    pattern's expression cannot match such a text, in the installed Python-Markdown."""
    patterns = _converter().inlinePatterns
    for name, needs in markup.INLINE_NEEDS.items():
        if name in patterns and patterns[name].compiled_re.search(text):
            assert any(need in text for need in needs), (name, text)


def test_the_generated_texts_meet_every_inline_pattern() -> None:
    """The property above checks a pattern only on texts it matches: each pattern must match some."""
    from hypothesis import find, settings

    patterns = _converter().inlinePatterns
    for name in markup.INLINE_NEEDS:
        if name in patterns:
            found = find(_INLINE_TEXT, lambda text, name=name: patterns[name].compiled_re.search(text)
                         is not None, settings=settings(max_examples=2000, database=None))
            assert patterns[name].compiled_re.search(found), name


def test_every_inline_pattern_has_what_it_needs_listed() -> None:
    """A pattern missing from NEEDS is never skipped (safe, but slow): listing each one keeps the
    fast path fast when Python-Markdown adds or renames one."""
    assert set(markup.INLINE_NEEDS) >= {item.name for item in _converter().inlinePatterns._priority}


_MARKDOWN_LINE = st.lists(st.sampled_from([
    "word", "*em*", "**strong**", "_under_", "`code`", "``a ` b``", "\\*", "[link](/a)", "[ref][r]",
    "[r]", "![img](/i.png)", "![alt][r]", "<http://x.org>", "<me@x.org>", "&amp;", "&copy;", "&",
    "  \n", "[^1]", "<b>b</b>", "***both***", "a_b_c", "[*nested*](/n 'title')", "\n\n", "- item\n",
]), max_size=12).map(" ".join)


@given(lines=st.lists(_MARKDOWN_LINE, min_size=1, max_size=4))
def test_the_inline_fast_path_gives_python_markdowns_own_output(lines: list[str]) -> None:
    text = "\n".join(lines) + "\n\n[r]: /ref\n\n[^1]: A note.\n"
    fast, stock = _converter(), _converter(fast=False)
    assert fast.reset().convert(text) == stock.reset().convert(text)


def test_the_inline_fast_path_is_in_use() -> None:
    """On a plain text no pattern is tried at all (the stock processor tries all of them)."""
    md = markup.new_converter()
    tried = []
    for pattern in md.inlinePatterns:
        compiled = pattern.getCompiledRegExp
        pattern.getCompiledRegExp = lambda p=pattern, c=compiled: tried.append(p) or c()
    assert md.reset().convert("Plain words, nothing more.") == "<p>Plain words, nothing more.</p>"
    assert tried == []
    md.reset().convert("Some *words*.")
    assert tried == [md.inlinePatterns["em_strong"]] * len(tried) and tried


_BLOCK_PIECES = list("ab1 \n\t#=-_*+.:>|[]^!()\"`") + [
    "    ", "\n\n", "1. ", "- ", "* ", "> ", "## ", "---", "===", "| a | b |\n|---|---|\n", ":   ", "[^1]: ",
    "*[HT]: ", "[r]: /u", "!!! note", "```", "[r]:", "]:/x", "a|b\n", "-|-", "\n: ", ":\t", "x\n=", "x\n-",
    "*[a]:"]
# Near misses: each lacks what some processor needs, and is close to what it would take
_NEAR_MISSES = ["a|b\n-|-", "a\n===", "a\n---", "___", "*[a]: A thing", "[^n]: x", "a\n: b", "[r]: /u",
                "a\n=", "* * *", "#", "> a", "a:", "[^", "]:"]


def _lacks(name: str, block: str) -> bool:
    return not any(need in block for need in markup.BLOCK_NEEDS[name])


@functools.cache
def _blocks_lacking(name: str) -> st.SearchStrategy[str]:
    """Blocks without any of the processor's BLOCK_NEEDS, made of the pieces that lack them (two
    pieces may still join into one, as "\n" and "=" do: those few are filtered out)."""
    pieces = [piece for piece in _BLOCK_PIECES if _lacks(name, piece)]
    return st.lists(st.sampled_from(pieces), max_size=30).map("".join).filter(functools.partial(_lacks, name))


def _not_taken(name: str, block: str) -> None:
    from xml.etree import ElementTree

    md = _converter(fast=False)
    md.reset()
    processor, parent, blocks = md.parser.blockprocessors[name], ElementTree.Element("div"), [block, "next"]
    assert not processor.test(parent, block) or processor.run(parent, blocks) is False
    assert blocks == [block, "next"] and len(parent) == 0 and not parent.text


@pytest.mark.parametrize("name", sorted(markup.BLOCK_NEEDS))
@given(data=st.data())
def test_a_block_processor_takes_only_blocks_holding_what_it_needs(name: str, data: st.DataObject) -> None:
    """The fast block parser does not offer a block lacking a processor's BLOCK_NEEDS to it:
    sound only if the processor, as installed, would not have taken it."""
    _not_taken(name, data.draw(_blocks_lacking(name), label="block"))


@pytest.mark.parametrize(("name", "block"), [(name, block) for name in sorted(markup.BLOCK_NEEDS)
                                             for block in _NEAR_MISSES if _lacks(name, block)])
def test_a_block_processor_does_not_take_a_near_miss(name: str, block: str) -> None:
    _not_taken(name, block)


def test_every_block_processor_has_near_misses_and_pieces_to_build_blocks_from() -> None:
    for name in markup.BLOCK_NEEDS:
        assert sum(_lacks(name, block) for block in _NEAR_MISSES) >= 3, name
        assert sum(_lacks(name, piece) for piece in _BLOCK_PIECES) >= len(_BLOCK_PIECES) // 2, name


_MARKDOWN_BLOCK = st.lists(st.sampled_from([
    "Para *x* and `y`.", "# Head #", "## Two", "Title\n=====", "Sub\n---", "---", "* * *", "___",
    "* a\n* b", "- a\n\n    more", "1. one\n2. two", "> quote\n> more", "> # in quote",
    "Term\n:   definition", "| a | b |\n|---|---|\n| 1 | 2 |", "a | b\n--|--\n1 | 2",
    "[^1]: Note text.", "*[HTML]: Hyper Text", "[r]: /ref \"Title\"", "!!! note \"Heads up\"\n    Body.",
    "    indented code", "```python\nx = 1\n```", "```python hl_lines=\"2\"\nx = 1\ny = 2\n```",
    "~~~ {.js}\nlet a = 1;\n~~~", "    :::python\n    z = 3", "Text[^1] with HTML and [r].", "line\nline two",
    "<div>raw</div>", "text {: #id }", "## Head {: .cls }",
]), min_size=1, max_size=8)


@given(blocks=_MARKDOWN_BLOCK, joins=st.lists(st.sampled_from(["\n\n", "\n"]), min_size=8, max_size=8))
def test_the_fast_block_parser_gives_python_markdowns_own_output(blocks: list[str], joins: list[str]) -> None:
    text = "".join(block + join for block, join in zip(blocks, joins, strict=False))
    fast, stock = _converter(), _converter(fast=False)
    assert fast.reset().convert(text) == stock.reset().convert(text)


def test_another_major_version_of_python_markdown_gets_the_stock_converter(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast paths were checked on one major version: another one runs without them."""
    import markdown
    from markdown.blockparser import BlockParser
    from markdown.treeprocessors import InlineProcessor

    fast = markup.new_converter()
    monkeypatch.setattr(markdown, "__version_info__", (4, 0, 0, "final", 0))
    other = markup.new_converter()
    assert type(fast.parser) is not BlockParser and type(other.parser) is BlockParser
    assert type(fast.treeprocessors["inline"]) is not InlineProcessor
    assert type(other.treeprocessors["inline"]) is InlineProcessor
    assert other.convert("Text <b>x</b>\n\n<div>y</div>\n") == fast.convert("Text <b>x</b>\n\n<div>y</div>\n")


def test_the_fast_block_parser_is_in_use() -> None:
    """A plain paragraph is not offered to the processors that search for headings or quotes."""
    md = markup.new_converter()
    offered = []
    for name in ("hashheader", "quote", "reference"):
        processor = md.parser.blockprocessors[name]
        test = processor.test
        processor.test = lambda parent, block, test=test: offered.append(block) or test(parent, block)
    assert md.reset().convert("Plain words, nothing more.") == "<p>Plain words, nothing more.</p>"
    assert offered == []
    md.reset().convert("# A heading")
    assert offered


@given(data=st.text(alphabet="[]a!\\(", max_size=40))
def test_a_links_text_ends_where_python_markdown_ends_it(data: str) -> None:
    """LinkText answers as the installed LinkInlineProcessor.getText does, at every index, the
    same LinkText asked about one text after another."""
    from markdown.inlinepatterns import LINK_RE, LinkInlineProcessor

    stock, fast = LinkInlineProcessor(LINK_RE), LinkText()
    for text in (data, data + "]", "[" + data):
        for index in range(len(text) + 1):
            assert fast(text, index) == stock.getText(text, index), (text, index)


def test_the_link_patterns_find_their_texts_with_link_text() -> None:
    md = markup.new_converter()
    names = ("link", "image_link", "reference", "image_reference", "short_reference", "short_image_ref")
    texts = [md.inlinePatterns[name].getText for name in names]
    assert all(isinstance(text, markup.LinkText) for text in texts) and len(set(map(id, texts))) == len(names)
    assert md.reset().convert("[a [b]](/c) ![d](/e.png) [f] [g\n\n[f]: /h") == (
        '<p><a href="/c">a [b]</a> <img alt="d" src="/e.png"> <a href="/h">f</a> [g</p>')


@pytest.mark.parametrize("text", [
    "```\n{{ a }}\n````\n\n{{ b }}\n\n```\n",  # a longer run does not close a fence
    "Text\n\n```\n{% raw %}\n",  # a fence never closed is text
    "Text `a`` {{ x }} ``b` end.\n",  # a run of another length inside a code span
    "  ```\n{% raw %}\n  ```\n",  # an indented fence is a code span over three lines
    "- item\n\n    ```\n    {% raw %}\n    ```\n",
    "~~~~\n{{ g }}\n~~~\n~~~~\n",
])
def test_template_syntax_in_code_is_shown_as_written(text: str) -> None:
    """Code as Python-Markdown finds it keeps `{{` and `{%` untouched; outside it they stay text."""
    html = render(text, url="/posts/x/", base_path="/").body_html
    assert "\\{" not in html and html.count("{") == text.count("{")


def test_prose_lines_leave_out_fenced_code_and_cut_at_code_spans() -> None:
    text = "A ``<b>`` [x](/y)\n```\n[in](/code)\n```\nAn `open\nspan` here\n\n`not closed\n"
    assert list(prose.prose_lines(text)) == [
        (0, ["A ", "``<b>``", " [x](/y)"]), (4, ["An ", "`open"]), (5, ["", "span`", " here"]),
        (6, [""]), (7, ["`not closed"]), (8, [""])]


_FENCED_TEXT = st.lists(st.sampled_from(
    ["```", "````", "~~~", "~~~~", "``` ", "```python", "~~~ {.py}", "```x y", " ```", "   ~~~",
     "code", "{{ x }}", "", "```hl_lines=\"1\"", "````\n", "a ``` b"]), max_size=12).map("\n".join)


@given(text=_FENCED_TEXT)
def test_fenced_code_is_found_where_python_markdown_finds_it(text: str) -> None:
    from markdown.extensions.fenced_code import FencedBlockPreprocessor

    ours = [m.span() for m in prose._FENCED_CODE.finditer(text)]
    assert ours == [m.span() for m in FencedBlockPreprocessor.FENCED_BLOCK_RE.finditer(text)]
