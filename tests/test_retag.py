"""`sitegen tags rename|merge`: a post is edited exactly or refused, located, with nothing written.

A property generates front matter in every shape YAML allows for tags (plain, quoted and block
scalars with their chomping, flow and block lists, comma strings, anchors and aliases, comments
between items, CRLF) and checks each edit against a model of the text: only the characters of
renamed or dropped tags change, and the post reads back with exactly the intended tags. Then
tags.yaml in every shape the README shows, name checks, all-or-nothing writes, and random
sequences of renames, merges and edits on a git-initialised site, built after each step.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pytest
from click.testing import CliRunner
from hypothesis import event, given, settings
from hypothesis import strategies as st

from sitegen.cli import cli
from sitegen.errors import Problems, SourceError
from sitegen.models import Config
from sitegen.parser import decode, parse_post
from sitegen.retag import register_alias, retag_post
from tests.conftest import NOW, WriteSite, post

SOURCE = "content/posts/p.md"
CONFIG = Config(root=Path("/site"), output_dir=Path("/site/public"), now=NOW)
# Names that need quoting in YAML, fold their spaces, look like YAML words or hold a comma
NAMES = ["open source", "design", "Design", "FOSS: free software", "C#", "it's", 'say "hi"', "x #y",
         "#hash", "été", "ai/llm", "- dash", "[x]", "2024", "null", "a, b", "Open  Source",
         "user research", "tab\there"]
_SIMPLE = re.compile(r"[A-Za-z](?:[A-Za-z ]*[A-Za-z])?")
_WORDS = {"null", "true", "false", "yes", "no", "on", "off", "y", "n"}


def key(name: str) -> str:
    return " ".join(name.casefold().split())


def fold(name: str) -> str:
    return " ".join(name.split())


def simple(name: str) -> bool:
    """Plain YAML reads it back as this very string, in a list or a comma string."""
    return bool(_SIMPLE.fullmatch(name)) and name.lower() not in _WORDS


# --- a model of one post's front matter: literal text and tag items ------------------------------


@dataclass
class Shape:
    pieces: list[tuple[str, str, int]] = field(default_factory=list)  # (kind, text, item number)
    names: list[str] = field(default_factory=list)  # each item's name as written
    comma: bool = False  # tags: is one comma-separated string
    plain_comma: bool = False  # ... written plain: the only form an edit may have to quote
    shared: set[int] = field(default_factory=set)  # items another key repeats through an alias
    repeated: bool = False  # tags: *alias

    def lit(self, text: str) -> None:
        self.pieces.append(("lit", text, -1))

    def item(self, text: str, name: str) -> None:
        self.pieces.append(("item", text, len(self.names)))
        self.names.append(name)

    @property
    def text(self) -> str:
        return "".join(text for _, text, _ in self.pieces)


def quoted(name: str, style: str) -> str:
    if style == "'":
        return "'" + name.replace("'", "''") + "'"
    return json.dumps(name, ensure_ascii=False)


@st.composite
def shapes(draw: st.DrawFn) -> Shape:
    nl = draw(st.sampled_from(["\n", "\r\n"]))
    shape = Shape()
    shape.lit(draw(st.sampled_from(["", "\ufeff"])) + f"---{nl}title: A post{nl}date: 2025-01-28{nl}")
    names = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=5))
    kind = draw(st.sampled_from(["flow", "block", "block", "comma", "repeated"]))
    category = draw(st.sampled_from([None, *NAMES[:4]]))
    if category is not None:
        shape.lit(f"category: &cat {quoted(category, chr(34))}{nl}")
    anchors: dict[int, str] = {}  # item number -> its anchor

    def scalar(name: str, styles: list[str], indent: str) -> None:
        style = draw(st.sampled_from(styles if simple(name) else [s for s in styles if s not in
                                                                   ("plain", "lines")]))
        number = len(shape.names)
        if category is not None and fold(category) == fold(name) and draw(st.booleans()):
            shape.item("*cat", name)
            return
        earlier = [n for n, a in anchors.items() if fold(shape.names[n]) == fold(name)]
        if earlier and draw(st.booleans()):
            shape.item(f"*{anchors[earlier[0]]}", name)
            return
        if draw(st.integers(0, 3)) == 0:
            anchors[number] = f"a{number}"
            shape.lit(f"&a{number} ")
        if style == "plain":
            shape.item(name, name)
        elif style == "lines" and " " in name:  # a plain scalar over two lines
            shape.item(name.replace(" ", f"{nl}{indent}    ", 1), name)
        elif style in ("'", '"', "lines"):
            shape.item(quoted(name, style if style != "lines" else "'"), name)
        else:  # a block scalar: header, the text on lines below, its chomping
            header = style + draw(st.sampled_from(["", "-", "+"]))
            shape.lit(f"{header}{draw(st.sampled_from(['', '  # note']))}{nl}{indent}    ")
            words = name.strip().split(" ", 1)
            text = name.strip() if len(words) == 1 or style == "|" else f"{words[0]}{nl}{indent}    {words[1]}"
            shape.item(text, name)
            shape.lit(nl + (nl if header.endswith("+") and draw(st.booleans()) else ""))
            return
        shape.lit(nl if indent is not None and kind == "block" else "")

    if kind == "repeated":  # tags: *t repeats a list written under another key
        shape.repeated = True
        shape.lit(f"base: &t [{', '.join(quoted(n, chr(34)) for n in names)}]{nl}tags: *t{nl}")
        shape.names = names
    elif kind == "flow":
        shape.lit("tags: [")
        for number, name in enumerate(names):
            if number:
                shape.lit(draw(st.sampled_from([", ", ",", " , ", f",{nl}  ", f",  # c{nl}  "])))
            scalar(name, ["plain", "'", '"'], "")
        shape.lit(draw(st.sampled_from(["]", f"{nl}  ]", "] # end"])) + nl)
    elif kind == "block":
        indent = draw(st.sampled_from(["", "  ", "    "]))
        shape.lit(f"tags:{draw(st.sampled_from(['', '  # list']))}{nl}")
        for name in names:
            if draw(st.integers(0, 4)) == 0:
                shape.lit(f"{indent}# between{nl}")
            shape.lit(f"{indent}- ")
            before = len(shape.pieces)
            scalar(name, ["plain", "lines", "'", '"', "|", ">"], indent)
            if shape.pieces[-1][0] == "item":  # not a block scalar, which ends with its breaks
                shape.lit(draw(st.sampled_from(["", "  # why"])) + nl)
            assert len(shape.pieces) > before
    else:
        shape.comma = True
        names = [n for n in names if "," not in n] or ["design"]
        style = draw(st.sampled_from(["plain", "'", '"', ">-", "|"]))
        if style == "plain" and not all(map(simple, names)):
            style = "'"
        shape.plain_comma = style == "plain"
        shape.lit("tags: " + {"plain": "", "'": "'", '"': '"'}.get(style, f"{style}{nl}  "))
        if style == "plain":
            shape.pieces.append(("open", "", -1))
        for number, name in enumerate(names):
            if number:
                shape.lit(draw(st.sampled_from([", ", ",", ",  ", " , "])))
            text = name.replace("'", "''") if style == "'" else name
            shape.item(json.dumps(text, ensure_ascii=False)[1:-1] if style == '"' else text, name)
        if style == "plain":
            shape.pieces.append(("close", "", -1))
        shape.lit({"plain": "", "'": "'", '"': '"'}.get(style, "") + nl)
    for number, anchor in anchors.items():
        if draw(st.integers(0, 3)) == 0:
            shape.lit(f"keywords{number}: *{anchor}{nl}")
            shape.shared.add(number)
    shape.lit(f"---{nl}{nl}The body mentions design and open source.{nl}")
    return shape


def read(text: str) -> tuple[list[str], dict[str, object]]:
    """The post as a build reads it: its tag names, and its other values."""
    problems = Problems()
    parsed = parse_post(PurePosixPath(SOURCE), decode(text.encode(), PurePosixPath(SOURCE)), CONFIG,
                        section="posts", problems=problems)
    assert parsed is not None and not problems.errors, [str(e) for e in problems.errors]
    return [t.name for t in parsed.tags], {"title": parsed.title, "date": parsed.date, **parsed.extra}


def unique(names: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(key(name), fold(name))
    return list(seen.values())


def fates(names: list[str], old: str, new: str) -> list[str]:
    """What the README promises for each tag: renamed, or dropped when the post has `new` already
    (a later duplicate too); a respelling of the same tag respells that spelling only."""
    if key(old) == key(new):
        return ["rename" if fold(n) == fold(old) else "keep" for n in names]
    placed = any(key(n) == key(new) for n in names)
    result = []
    for name in names:
        if key(name) != key(old):
            result.append("keep")
        else:
            result.append("drop" if placed else "rename")
            placed = True
    return result


def pattern(shape: Shape, decided: list[str]) -> re.Pattern[str]:
    """The edited text: literal pieces; a group per renamed tag; where tags were dropped, the text
    around each with a stretch holding it cut out (a `- ` line, or a comma and spaces)."""
    parts: list[str] = []
    run: list[tuple[str, str, int]] = []

    def flush() -> None:
        texts = [""]  # the literal text around and between dropped tags
        for kind, text, _ in run:
            texts[-1:] = [texts[-1], ""] if kind == "item" else [texts[-1] + text]
        if len(texts) == 1:
            parts.append(re.escape(texts[0]))
        else:
            heads = {texts[0][:i] for i in range(len(texts[0]) + 1)}
            tails = {texts[-1][i:] for i in range(len(texts[-1]) + 1)}
            middles = [{t[i:j] for i in range(len(t) + 1) for j in range(i, len(t) + 1)} for t in texts[1:-1]]
            for options in [heads, *middles, tails]:
                parts.append("(?:" + "|".join(map(re.escape, sorted(options, key=len, reverse=True))) + ")")
        run.clear()

    for kind, text, number in shape.pieces:
        if kind == "item" and decided[number] == "rename":
            flush()
            parts.append(r"([^\r\n]+?)")
        elif kind == "item" and decided[number] == "keep":
            flush()
            parts.append(re.escape(text))
        elif kind in ("open", "close"):  # where an edit may quote a plain comma string
            flush()
            parts.append(r"(?P<q>['\"]?)" if kind == "open" else r"(?P=q)")
        else:
            run.append((kind, text, number))
    flush()
    return re.compile("".join(parts), re.S)


@settings(max_examples=400, deadline=None)
@given(shapes(), st.data())
def test_every_tag_shape_is_edited_exactly_or_refused(shape: Shape, data: st.DataObject) -> None:
    original = shape.text
    names_before, values_before = read(original)
    assert names_before == unique(shape.names), "the model and the reader disagree"
    written = data.draw(st.sampled_from(shape.names))
    old = data.draw(st.sampled_from([written, written.upper(), f" {written}  ", "absent tag"]))
    new = data.draw(st.sampled_from([*NAMES, written.swapcase(), "FOSS"]))
    if fold(old) == fold(new):
        event("the same name")
        return
    decided = fates(shape.names, old, new)
    intended = unique([fold(new) if f == "rename" else n for n, f in zip(shape.names, decided, strict=True)
                       if f != "drop"])
    may_refuse = (shape.repeated or any(decided[n] != "keep" for n in shape.shared)
                  or shape.comma and "," in new and "rename" in decided)
    try:
        edited = retag_post(original, old, new, source=SOURCE)
    except SourceError as refusal:
        event("refused: " + ("repeated" if shape.repeated else "comma" if shape.comma else "shared"))
        assert may_refuse, f"refused an edit it can make: {refusal}\n{original!r}"
        assert refusal.path == SOURCE and refusal.line is not None, refusal
        return
    if set(decided) == {"keep"}:
        assert edited == original
        event("nothing to change")
        return
    event("edited: " + ", ".join(sorted(set(decided) - {"keep"})))
    assert not (shape.repeated or any(decided[n] != "keep" for n in shape.shared)), "changed another key"
    assert pattern(shape, decided).fullmatch(edited), f"more than the tags changed:\n{original!r}\n{edited!r}"
    names_after, values_after = read(edited)
    assert names_after == intended, (original, edited)
    assert values_after == values_before


def test_the_block_scalar_of_the_report_keeps_the_next_tag_on_its_line() -> None:
    original = "---\ntitle: A\ndate: 2025-01-28\ntags:\n  - >-\n    open source\n  - design\n---\nBody\n"
    edited = retag_post(original, "open source", "FOSS: free software")
    assert edited == original.replace("    open source\n", "    FOSS: free software\n")
    assert read(edited)[0] == ["FOSS: free software", "design"]


@pytest.mark.parametrize(("tags", "old", "new", "expected"), [
    ("a, b,  C", "b", "beta", "a, beta,  C"),
    ("a ,b,C  # note", "C", "c plus", "a ,b,c plus  # note"),
    ("'a, it''s,  C'", "it's", "x", "'a, x,  C'"),
    ('"a,  b"', "b", 'say "hi"', '"a,  say \\"hi\\""'),
    ("a, b,  C", "b", "FOSS: free software", "'a, FOSS: free software,  C'"),
    ("a, b,  C", "b", "C", "a, C"),
    ("a, b,  C", "C", "a", "a, b"),
])
def test_a_comma_string_keeps_its_form(tags: str, old: str, new: str, expected: str) -> None:
    original = f"---\ntitle: A\ntags: {tags}\n---\n"
    assert retag_post(original, old, new) == f"---\ntitle: A\ntags: {expected}\n---\n"


@pytest.mark.parametrize(("front", "message"), [
    ("tags: a, b\n", "has a comma"),
    ("base: &t [b, c]\ntags: *t\n", "written as *t"),
    ("tags: [&x b, c]\nkeywords: *x\n", "'keywords' would change too"),
])
def test_what_cannot_be_edited_alone_is_refused_at_its_line(front: str, message: str) -> None:
    with pytest.raises(SourceError) as refused:
        retag_post(f"---\ntitle: A\n{front}---\n", "b", "x, y")
    assert message in refused.value.message and refused.value.line is not None
