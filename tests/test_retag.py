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
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

import pytest
from click.testing import CliRunner
from hypothesis import event, given, settings
from hypothesis import strategies as st

from sitegen.cli import cli
from sitegen.errors import BuildError, ConfigError, Problems, SitegenError, SourceError, WriteError
from sitegen.fields import tag_spellings
from sitegen.frontmatter import load_mapping, split
from sitegen.models import Config
from sitegen.parser import decode, parse_post
from sitegen.registryedit import register_alias
from sitegen.retag import plan_retag, write_edits
from sitegen.tagedit import retag_post
from sitegen.taxonomy import Vocabulary
from tests.conftest import NOW, WriteSite, config_for, post

SOURCE = "content/posts/p.md"
CONFIG = Config(root=Path("/site"), output_dir=Path("/site/public"), now=NOW)
# Names that need quoting in YAML, fold their spaces, look like YAML words or hold a comma
NAMES = ["open source", "design", "Design", "FOSS: free software", "C#", "it's", 'say "hi"', "x #y",
         "#hash", "été", "ai/llm", "- dash", "[x] y", "2024", "null", "a, b", "Open  Source",
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
def shapes(draw: st.DrawFn, *, editable: bool = False, refusable: bool = False) -> Shape:
    """Front matter with tags; `editable`: none that an edit must refuse (tags: *t, keywords: *a0);
    `refusable`: tags that are a comma string, or *t, or whose first item another key repeats."""
    nl = draw(st.sampled_from(["\n", "\r\n"]))
    shape = Shape()
    shape.lit(draw(st.sampled_from(["", "\ufeff"])) + f"---{nl}title: A post{nl}date: 2025-01-28{nl}")
    names = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=5))
    kind = draw(st.sampled_from(["flow", "block", "block", "comma", *([] if editable else ["repeated"])]))
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
        if draw(st.integers(0, 3)) == 0 or refusable and number == 0:
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
            folded = len(words) == 2 and style == ">"  # over two lines, read back with one space
            text = f"{words[0]}{nl}{indent}    {words[1]}" if folded else name.strip()
            shape.item(text, name)
            shape.lit(nl + (nl if header.endswith("+") and draw(st.booleans()) else ""))

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
        if not editable and (refusable and number == 0 or draw(st.integers(0, 3)) == 0):
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
    used, errors = Vocabulary.tags(CONFIG).uses(SOURCE, parsed.tag_names, parsed.tag_places)
    assert not errors, [str(e) for e in errors]
    return [use.name for use in used], {"title": parsed.title, "date": parsed.date, **parsed.extra}


def tags_of(text: str, source: str) -> list[str]:
    """A post's tags as the front-matter reader gives them (the build that follows parses the rest)."""
    document = split(decode(text.encode(), PurePosixPath(source)), source)
    data, errors = load_mapping(document.yaml_text or "", source, document.yaml_line)
    assert not errors, [str(e) for e in errors]
    names, bad = tag_spellings(data.values.get("tags"))
    assert not bad
    return unique(names)


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


def prefix_of(text: str) -> str:
    """A pattern for any start of the text ("", "a", "ab", "abc"), longest first."""
    found = ""
    for char in reversed(text):
        found = f"(?:{re.escape(char)}{found})?"
    return found


def suffix_of(text: str) -> str:
    """A pattern for any end of the text ("abc", "bc", "c", "")."""
    found = ""
    for char in text:
        found = f"(?:{found}{re.escape(char)})?"
    return found


@dataclass
class Expected:
    """What an edited text may be: each entry of `plan` is (kind, literal text or group name, item),
    and `parts` holds its pattern (None for literal text)."""

    plan: list[tuple[str, str, int]] = field(default_factory=list)
    parts: list[str | None] = field(default_factory=list)

    def add(self, kind: str, text: str, number: int = -1, regex: str | None = None) -> None:
        self.plan.append((kind, text, number))
        self.parts.append(regex)

    def match(self, edited: str) -> re.Match[str] | None:
        """Literal text at both ends compared as text, the rest matched (a long body makes a slow pattern)."""
        first = next((i for i, part in enumerate(self.parts) if part is not None), len(self.parts))
        last = max([i + 1 for i, part in enumerate(self.parts) if part is not None], default=first)
        head = "".join(text for _, text, _ in self.plan[:first])
        tail = "".join(text for _, text, _ in self.plan[last:])
        if len(edited) < len(head) + len(tail) or not edited.startswith(head) or not edited.endswith(tail):
            return None
        middle = "".join(re.escape(self.plan[i][1]) if part is None else part
                         for i, part in enumerate(self.parts[first:last], start=first))
        return re.compile(middle, re.S).fullmatch(edited, len(head), len(edited) - len(tail))


def pattern(shape: Shape, decided: list[str]) -> Expected:
    """The edited text: literal pieces; a group per renamed tag; where tags were dropped, the text
    around each with a stretch holding it cut out (a `- ` line, or a comma and spaces)."""
    expected = Expected()
    run: list[tuple[str, str, int]] = []

    def flush() -> None:
        texts = [""]  # the literal text around and between dropped tags
        for kind, text, _ in run:
            texts[-1:] = [texts[-1], ""] if kind == "item" else [texts[-1] + text]
        if len(texts) == 1:
            expected.add("lit", texts[0])
        else:
            reach = 200  # a cut is a line or a comma: it never reaches far beyond the tag
            fixed_head, head = texts[0][:-reach], texts[0][-reach:]
            tail, fixed_tail = texts[-1][:reach], texts[-1][reach:]
            middles = "".join("(?:" + "|".join(prefix_of(t[i:]) for i in range(len(t) + 1)) + ")"
                              for t in texts[1:-1])
            group = f"cut{len(expected.plan)}"
            expected.add("lit", fixed_head)
            expected.add("cut", group, regex=f"(?P<{group}>{prefix_of(head)}{middles}{suffix_of(tail)})")
            expected.add("lit", fixed_tail)
        run.clear()

    for kind, text, number in shape.pieces:
        if kind == "item" and decided[number] == "rename":
            flush()
            expected.add("renamed", f"new{number}", number, f"(?P<new{number}>[^\\r\\n]+?)")
        elif kind == "item" and decided[number] == "keep":
            flush()
            expected.add("item", text, number)
        elif kind in ("open", "close"):  # where an edit may quote a plain comma string
            flush()
            expected.add(kind, "q", regex=r"(?P<q>['\"]?)" if kind == "open" else r"(?P=q)")
        else:
            run.append((kind, text, number))
    flush()
    return expected


def advance(shape: Shape, expected: Expected, match: re.Match[str], new: str) -> Shape:
    """The model of the edited text."""
    after = Shape(comma=shape.comma, plain_comma=shape.plain_comma and not match.groupdict().get("q"),
                  repeated=shape.repeated)
    for kind, text, number in expected.plan:
        if kind in ("lit", "cut"):
            after.lit(text if kind == "lit" else match[text])
        elif kind in ("open", "close"):
            if after.plain_comma:
                after.pieces.append((kind, "", -1))
            else:
                after.lit(match["q"] or "")
        else:
            if number in shape.shared:
                after.shared.add(len(after.names))
            kept = kind == "item"
            after.item(text if kept else match[text], shape.names[number] if kept else new)
    return after


def may_refuse(shape: Shape, decided: list[str], new: str) -> bool:
    """The edit would change another key too (tags: *t, or an item another key repeats), or would
    put a comma into a comma-separated string."""
    return (shape.repeated or any(decided[n] != "keep" for n in shape.shared)
            or shape.comma and "," in new and "rename" in decided)


@settings(max_examples=400, deadline=None)
@given(shapes(editable=True), st.data())
def test_every_tag_shape_is_edited_exactly(shape: Shape, data: st.DataObject) -> None:
    """Every example is an edit the post can take: a tag it has, to another name (no comma in a
    comma string); so every one reaches the checks of the edited text."""
    original = shape.text
    names_before, values_before = read(original)
    assert names_before == unique(shape.names), "the model and the reader disagree"
    written = data.draw(st.sampled_from(shape.names))
    new = data.draw(st.sampled_from([n for n in [*NAMES, written.swapcase(), "FOSS"]
                                     if fold(n) != fold(written) and not (shape.comma and "," in n)]))
    # a respelling changes the spellings written as `old`: `old` is one of them
    respelled = key(new) == key(written)
    old = data.draw(st.sampled_from([written, f" {written}  ", *([] if respelled else [written.upper()])]))
    decided = fates(shape.names, old, new)
    assert "keep" in decided or "rename" in decided and not may_refuse(shape, decided, new)
    event("edited: " + ", ".join(sorted(set(decided) - {"keep"})))
    edited = retag_post(original, old, new, source=SOURCE)
    assert pattern(shape, decided).match(edited), f"more than the tags changed:\n{original!r}\n{edited!r}"
    names_after, values_after = read(edited)
    intended = unique([fold(new) if f == "rename" else n for n, f in zip(shape.names, decided, strict=True)
                       if f != "drop"])
    assert names_after == intended, (original, edited)
    assert values_after == values_before


@st.composite
def refused_edits(draw: st.DrawFn) -> tuple[Shape, str, str]:
    """A shape with a tag that cannot be edited alone, and an edit of that tag."""
    shape = draw(shapes(refusable=True).filter(lambda s: s.repeated or s.shared or s.comma))
    if shape.repeated:
        old = draw(st.sampled_from(shape.names))
    elif shape.shared:
        old = shape.names[draw(st.sampled_from(sorted(shape.shared)))]
    else:
        old = draw(st.sampled_from(shape.names))
    new = draw(st.sampled_from([n for n in [*NAMES, "FOSS, free software"] if key(n) != key(old)
                                and (not shape.comma or "," in n)]))
    return shape, old, new


@settings(max_examples=200, deadline=None)
@given(refused_edits())
def test_a_tag_another_key_repeats_or_a_comma_in_a_comma_string_is_refused_at_its_line(
        edit: tuple[Shape, str, str]) -> None:
    shape, old, new = edit
    assert may_refuse(shape, fates(shape.names, old, new), new)
    event("repeated" if shape.repeated else "comma" if shape.comma else "shared")
    with pytest.raises(SourceError) as refused:
        retag_post(shape.text, old, new, source=SOURCE)
    assert refused.value.path == SOURCE and refused.value.line is not None, refused.value


@settings(max_examples=100, deadline=None)
@given(shapes(), st.sampled_from(NAMES))
def test_an_edit_of_a_tag_the_post_does_not_have_leaves_it_as_it_is(shape: Shape, new: str) -> None:
    assert retag_post(shape.text, "absent tag", new, source=SOURCE) == shape.text


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


# --- tags.yaml, in every shape the README shows --------------------------------------------------

README_REGISTRY = """\
paradigm shift in AI:
  description: Moments when the *rules* of the field change.   # Markdown; on the tag page and in its feed
  aliases: [AI paradigm shift]      # other spellings that mean this tag
  old_slugs: [ai-shift]             # URLs this tag had before
C#:
  slug: c-sharp                     # its own URL segment
"""
CSHARP = "C#:\n  slug: c-sharp                     # its own URL segment\n"


@pytest.mark.parametrize(("registry", "old", "new", "rename", "expected"), [
    (README_REGISTRY, "AI revolution", "paradigm shift in AI", False, README_REGISTRY.replace(
        "[AI paradigm shift]", "[AI paradigm shift, AI revolution]")),
    (README_REGISTRY, "paradigm shift in AI", "AI shift", True, README_REGISTRY.replace(
        "paradigm shift in AI:", "AI shift:").replace("[AI paradigm shift]",
                                                      "[AI paradigm shift, paradigm shift in AI]")),
    (README_REGISTRY, "C#", "paradigm shift in AI", False, README_REGISTRY.replace(CSHARP, "").replace(
        "[AI paradigm shift]", "[AI paradigm shift, C#]").replace("[ai-shift]", "[ai-shift, c-sharp]")),
    (README_REGISTRY, "C#", "C sharp", True, README_REGISTRY.replace("C#:\n", "C sharp:\n  aliases: [C#]\n")),
    (README_REGISTRY, "C#", "C sharp", False, README_REGISTRY.replace(
        CSHARP, "C sharp:\n  aliases: [C#]\n  old_slugs: [c-sharp]\n")),
    ("AI:\n  aliases:\n    - a\n  slug: x\n", "ml", "AI", True,
     "AI:\n  aliases:\n    - a\n    - ml\n  slug: x\n"),
    ("AI:\n  aliases: a\n", "ml", "AI", True, "AI:\n  aliases: [a, ml]\n"),
    ("AI:\n  aliases: []\n", "ml", "AI", True, "AI:\n  aliases: [ml]\n"),
    ("AI:  # c\nB: {}\n", "ml", "AI", True, "AI:  # c\n  aliases: [ml]\nB: {}\n"),
    ("AI:\nB: {}\n", "ml", "B", True, "AI:\nB: {aliases: [ml]}\n"),
    ("AI:\r\n  description: x\r\n", "ml", "AI", True, "AI:\r\n  aliases: [ml]\r\n  description: x\r\n"),
    ("\ufeffAI:\n  description: x\n", "ml", "AI", True, "\ufeffAI:\n  aliases: [ml]\n  description: x\n"),
    ("AI:\n  description: x", "ml", "new", True, "AI:\n  description: x\nnew:\n  aliases: [ml]\n"),
    ("# only a comment\n", "ml", "new", True, "# only a comment\nnew:\n  aliases: [ml]\n"),
    ("ml:\n  aliases: [m1]\n", "ml", "AI", False, "AI:\n  aliases: [m1, ml]\n"),
    ("ml:\n  slug: m\nAI:\n  aliases: [x]\n", "ml", "AI", False,
     "AI:\n  old_slugs: [m]\n  aliases: [x, ml]\n"),
    ("AI:\n  aliases: [ml]\n", "ml", "AI", True, "AI:\n  aliases: [ml]\n"),  # done before
    ("git:\n  slug: g\n", "git", "Git", True, "Git:\n  slug: g\n"),  # a respelling
    ("B:\n  aliases: [x, A, y]\n", "B", "A", True, "A:\n  aliases: [x, y, B]\n"),  # back again
    ("B:\n  aliases:\n    - A\n  slug: b\n", "B", "A", False, "A:\n  aliases: [B]\n  slug: b\n"),
])
def test_tags_yaml_says_what_was_meant_and_keeps_the_rest(registry: str, old: str, new: str, rename: bool,
                                                          expected: str) -> None:
    assert register_alias(registry, old, new, rename=rename) == expected


@pytest.mark.parametrize(("registry", "old", "new", "message"), [
    (README_REGISTRY, "paradigm shift in AI", "C#", "has a description of its own"),
    (README_REGISTRY, "AI paradigm shift", "other", "is an alias of 'paradigm shift in AI'"),
])
def test_tags_yaml_changes_that_would_lose_something_are_refused(registry: str, old: str, new: str,
                                                                 message: str) -> None:
    with pytest.raises(SourceError) as refused:
        register_alias(registry, old, new, rename=False)
    assert message in refused.value.message and refused.value.path == "tags.yaml" and refused.value.line == 1


def tags_site(write_site: WriteSite, open_source: str = "open source") -> Path:
    root = write_site({
        "content/posts/a.md": post("A", date="2025-01-01", tags="[paradigm shift in AI, AI revolution]"),
        "content/posts/b.md": post("B", date="2025-01-02", tags="[AI revolution, C#]"),
        "content/posts/c.md": post("C", date="2025-01-03", tags=f"[{open_source}, design]"),
        "content/posts/d.md": post("D", date="2025-01-04", tags="[Open Source, testing, hub]"),
        "tags.yaml": README_REGISTRY,
    })
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


def sitegen(runner: CliRunner, root: Path, *words: str) -> tuple[int, str]:
    result = runner.invoke(cli, ["tags", *words, "-s", str(root)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*")
            if p.is_file() and ".git" not in p.parts and "public" not in p.parts}


def test_the_readme_registry_merges_renames_and_chains(write_site: WriteSite, runner: CliRunner) -> None:
    root = tags_site(write_site)
    before = snapshot(root)
    code, output = sitegen(runner, root, "merge", "AI revolution", "paradigm shift in AI", "--dry-run")
    assert code == 0 and "+  aliases: [AI paradigm shift, AI revolution]" in output
    assert snapshot(root) == before
    assert sitegen(runner, root, "merge", "AI revolution", "paradigm shift in AI")[0] == 0
    code, output = sitegen(runner, root, "rename", "paradigm shift in AI", "AI shift", "--dry-run")
    assert code == 0 and "+AI shift:" in output
    assert sitegen(runner, root, "rename", "paradigm shift in AI", "AI shift")[0] == 0
    assert sitegen(runner, root, "rename", "AI shift", "AI change")[0] == 0  # a chain
    registry = (root / "tags.yaml").read_text()
    assert registry == README_REGISTRY.replace("paradigm shift in AI:", "AI change:").replace(
        "[AI paradigm shift]", "[AI paradigm shift, AI revolution, paradigm shift in AI, AI shift]")
    assert "tags: [AI change]" in (root / "content/posts/a.md").read_text()
    assert "tags: [AI change, C#]" in (root / "content/posts/b.md").read_text()
    build = runner.invoke(cli, ["build", str(root)])
    assert build.exit_code == 0, build.output
    for old in ("paradigm-shift-in-ai", "ai-revolution", "ai-shift", "ai-paradigm-shift"):
        assert "url=/tags/ai-change/" in (root / f"public/tags/{old}/index.html").read_text()


def test_a_merge_chain_folds_into_a_tag_without_an_entry(write_site: WriteSite, runner: CliRunner) -> None:
    root = tags_site(write_site, "open-source")  # two spellings of one tag
    assert sitegen(runner, root, "merge", "open-source", "Open Source")[0] == 0
    code, output = sitegen(runner, root, "merge", "Open Source", "design")
    assert code == 0, output
    registry = (root / "tags.yaml").read_text()
    assert registry == README_REGISTRY + "design:\n  aliases: [open-source, Open Source]\n"
    assert "tags: [design, testing, hub]" in (root / "content/posts/d.md").read_text()
    assert runner.invoke(cli, ["build", str(root)]).exit_code == 0


@pytest.mark.parametrize(("words", "reason"), [
    (("rename", "hub", ""), "the new tag name is empty"),
    (("rename", "hub", "!!!"), "'!!!' has no letters or digits to make a URL from"),
    (("rename", "testing", "c-sharp"), "'c-sharp' would share the URL /tags/c-sharp/ with "
                                       "the tag 'C#' in content/posts/b.md"),
    (("rename", "no such tag", "foo"),
     "no post uses the tag 'no such tag' and tags.yaml does not describe it"),
    (("merge", "hub", "hub"), "are the same name"),
])
def test_names_are_checked_before_anything_is_written(write_site: WriteSite, runner: CliRunner,
                                                      words: tuple[str, ...], reason: str) -> None:
    root = tags_site(write_site)
    assert runner.invoke(cli, ["build", str(root)]).exit_code == 0
    before = snapshot(root)
    code, output = sitegen(runner, root, *words)
    assert code == 1 and reason in " ".join(output.split()), output
    assert snapshot(root) == before




# Each refusal of a name, with the hint it gives: (site, old, new, message, hint)
NAME_REFUSALS = [
    ("tags", "", "foo", "the old tag name is empty", "give a name with letters or digits"),
    ("tags", "hub", "fo\x7fo", "the new tag name 'fo\\x7fo' has a control character",
     "type the name without it"),
    ("tags", "hub", "!!!", "'!!!' has no letters or digits to make a URL from",
     "choose a name with letters or digits, or give it a slug in tags.yaml first: '!!!': {slug: my-tag}"),
    ("tags", "no such tag", "foo", "no post uses the tag 'no such tag' and tags.yaml does not describe it",
     "sitegen tags lists every tag with its spellings"),
    ("tags", "testing", "c-sharp",
     "'c-sharp' would share the URL /tags/c-sharp/ with the tag 'C#' in content/posts/b.md",
     "merge into that tag instead, or give 'c-sharp' its own slug in tags.yaml first: "
     "'c-sharp': {slug: c-sharp-2}"),
    ("hierarchy", "ethics", "ai/x",
     "'ai/x' would make the tag 'ai', which would share the URL /tags/artificial-intelligence/ with the tag "
     "'artificial intelligence' in content/posts/p0.md",
     "give 'ai' its own slug in tags.yaml first: 'ai': {slug: artificial-intelligence-2}"),
    ("tags", "design", "ai shift",
     "the old URL /tags/ai-shift/ of 'paradigm shift in AI' would redirect over the page of the tag "
     "'ai shift' in content/posts/c.md",
     "merge the two tags, or give one of them its own slug in tags.yaml"),
]


@pytest.mark.parametrize(("site", "old", "new", "message", "hint"), NAME_REFUSALS)
def test_a_refused_name_carries_its_hint_apart_and_prints_it_on_its_own_line(
        write_site: WriteSite, runner: CliRunner, site: str, old: str, new: str, message: str,
        hint: str) -> None:
    root = tags_site(write_site) if site == "tags" else hierarchy_site(
        write_site, "[artificial intelligence]", "[ethics]")
    with pytest.raises(SitegenError) as refused:
        plan_retag(config_for(root), old, new, rename=True)
    assert (refused.value.message, refused.value.hint) == (message, hint)
    code, output = sitegen(runner, root, "rename", old, new)
    assert code == 1 and output == f"error: {message}\n    hint: {hint}\n"


def test_a_file_changed_while_planning_stops_the_write_with_a_hint(write_site: WriteSite,
                                                                  runner: CliRunner) -> None:
    root = tags_site(write_site)
    edits = plan_retag(config_for(root), "hub", "spoke", rename=True)
    assert [e.path.name for e in edits] == ["d.md", "tags.yaml"]
    edits[0].path.write_text(edits[0].before + "changed")
    with pytest.raises(WriteError) as stopped:
        write_edits(edits)
    assert stopped.value.message == f"{edits[0].path} changed while this ran; nothing was written"
    assert str(stopped.value) == f"{stopped.value.message}\n    hint: run the command again"
    assert edits[0].path.read_text() == edits[0].before + "changed"
    assert edits[1].path.read_text() == edits[1].before


@pytest.mark.parametrize(("verb", "old", "new", "message"), [
    ("rename", "AI paradigm shift", "foo", "'AI paradigm shift' is an alias of 'paradigm shift in AI'"),
    ("merge", "paradigm shift in AI", "design", "'paradigm shift in AI' has a description of its own"),
])
def test_a_tags_yaml_that_cannot_say_the_change_is_reported_located_like_a_post(
        write_site: WriteSite, runner: CliRunner, verb: str, old: str, new: str, message: str) -> None:
    root = tags_site(write_site)
    with pytest.raises(BuildError) as refused:
        plan_retag(config_for(root), old, new, rename=verb == "rename")
    [error] = refused.value.errors
    assert isinstance(error, ConfigError) and (error.path, error.line) == ("tags.yaml", 1)
    code, output = sitegen(runner, root, verb, old, new)
    assert code == 1 and output.startswith(f"tags.yaml:1: error: {message}"), output
    assert output.endswith("\n1 error; nothing was written.\n"), output

def test_one_post_that_cannot_be_edited_stops_every_write(write_site: WriteSite, runner: CliRunner) -> None:
    root = tags_site(write_site)
    (root / "content/posts/e.md").write_text(
        "---\ntitle: E\ndate: 2025-01-05\ntags: [&t hub, design]\nseries: *t\n---\nBody\n")
    (root / "content/posts/f.md").write_text(
        "---\ntitle: F\ndate: 2025-01-06\ntags: hub, design\n---\nBody\n")
    before = snapshot(root)
    code, output = sitegen(runner, root, "rename", "hub", "hub, spoke")
    assert code == 1
    assert "content/posts/e.md:4: error: cannot change the tag 'hub' to 'hub, spoke'" in output
    assert "'series' would change too" in output
    assert "content/posts/f.md:4: error: 'hub, spoke' has a comma" in output
    assert "2 errors; nothing was written." in output
    assert snapshot(root) == before


def test_a_failed_write_puts_back_the_files_already_written(write_site: WriteSite, runner: CliRunner,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    root = tags_site(write_site)
    before = snapshot(root)
    real = os.replace
    moved: list[str] = []

    def replace_(source: str | Path, target: str | Path) -> None:
        if moved:
            raise OSError(28, "No space left on device", str(target))
        moved.append(str(target))
        real(source, target)

    monkeypatch.setattr(os, "replace", replace_)
    code, output = sitegen(runner, root, "merge", "AI revolution", "paradigm shift in AI")
    assert code == 1 and "No space left on device; nothing was changed" in output and moved
    assert snapshot(root) == before  # no temporary file left either


# --- random sequences on a git-initialised site, built after each step -------------------------

REFUSALS = re.compile(r"would share the URL|has a comma|would redirect over|is an alias of|"
                      r"has a description of its own|are the same name")
GIT = ["git", "-c", "user.name=sitegen", "-c", "user.email=sitegen@example.org"]


def git(root: Path, *words: str) -> str:
    return subprocess.run([*GIT, "-C", str(root), *words], check=True, capture_output=True, text=True).stdout


def outputs(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def tag_urls(files: dict[str, bytes]) -> set[str]:
    """Every tag page and feed of a build (old paginated pages are the URL checks' business)."""
    return {p for p in files if p.startswith("tags/") and "/page/" not in p}


def built(root: Path, output: Path | None = None, *, use_cache: bool = True) -> dict[str, bytes]:
    """Build as `sitegen build` does (a worker per core) and return what it wrote."""
    from sitegen.builder import build

    config = config_for(root, **({"output_dir": output} if output else {}))
    build(replace(config, jobs=os.cpu_count() or 1), use_cache=use_cache)
    return outputs(output or root / "public")


def built_like_a_clean_build(root: Path, scratch: Path) -> dict[str, bytes]:
    incremental = built(root)
    shutil.rmtree(scratch, ignore_errors=True)
    assert incremental == built(root, scratch, use_cache=False), "an incremental build differs"
    return incremental


def retag_step(runner: CliRunner, root: Path, models: dict[str, Shape], verb: str, old: str,
               new: str) -> bool:
    """Run one rename or merge and check every file against its model; True when it changed them."""
    result = runner.invoke(cli, ["tags", "-s", str(root), "--", verb, old, new])  # "- dash" is no option
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    if result.exit_code == 1:
        assert REFUSALS.search(" ".join(result.output.split())), result.output
        assert git(root, "status", "--porcelain") == "", "a refused change wrote something"
        return False
    assert result.exit_code == 0, result.output
    changed = set()
    for name, shape in list(models.items()):
        text = (root / name).read_bytes().decode()
        decided = fates(shape.names, old, new)
        if set(decided) <= {"keep"}:
            assert text == shape.text, f"{name} changed without the tag"
            continue
        expected = pattern(shape, decided)
        match = expected.match(text)
        assert match, f"more than the tags changed in {name}:\n{shape.text!r}\n{text!r}"
        intended = unique([fold(new) if f == "rename" else n
                           for n, f in zip(shape.names, decided, strict=True) if f != "drop"])
        assert tags_of(text, name) == intended
        models[name] = advance(shape, expected, match, fold(new))
        changed.add(name)
    touched = {line[3:] for line in git(root, "status", "--porcelain", "-uall").splitlines()}
    assert touched - {"tags.yaml"} == changed, "other files changed"
    return True


@settings(max_examples=10, deadline=None)
@given(st.lists(shapes(editable=True), min_size=2, max_size=4), st.data())
def test_random_renames_merges_and_edits_keep_posts_urls_and_builds(
        tmp_path_factory: pytest.TempPathFactory, posts: list[Shape], data: st.DataObject) -> None:
    root = tmp_path_factory.mktemp("site")
    (root / "content/posts").mkdir(parents=True)
    (root / "sitegen.yaml").write_text("title: Retag\nbase_url: https://example.org/\n")
    (root / ".gitignore").write_text("public/\n.public.*\n.sitegen-cache/\n")
    models = {f"content/posts/p{number}.md": shape for number, shape in enumerate(posts)}
    for name, shape in models.items():
        (root / name).write_bytes(shape.text.encode())
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "start")
    runner = CliRunner()
    seen = tag_urls(built_like_a_clean_build(root, root.parent / "clean"))
    for number in range(data.draw(st.integers(2, 5), label="steps")):
        # the first step is a rename or merge into a fresh name, which no post can refuse
        steps = ["rename", "merge"] if number == 0 else ["rename", "merge"] * 2 + ["body", "post"]
        step = data.draw(st.sampled_from(steps), label="step")
        if step in ("rename", "merge"):
            names = sorted({n for shape in models.values() for n in shape.names})
            old = data.draw(st.sampled_from(names), label="old")
            others = [n for n in [*NAMES, old.swapcase(), f"fresh {number}"] if fold(n) != fold(old)]
            new = f"fresh {number}" if number == 0 else data.draw(st.sampled_from(others), label="new")
            done = retag_step(runner, root, models, step, old, new)
            assert done or number > 0, f"{step} {old!r} {new!r} was refused"
            event(f"{step}: " + ("done" if done else "refused"))
        elif step == "body":
            name = data.draw(st.sampled_from(sorted(models)), label="post")
            models[name].lit(f"More text {number}.\n")
            (root / name).write_bytes(models[name].text.encode())
        else:
            name = f"content/posts/new{number}.md"
            models[name] = data.draw(shapes(editable=True), label="new post")
            (root / name).write_bytes(models[name].text.encode())
        git(root, "add", "-A")
        git(root, "commit", "-qm", f"step {number}", "--allow-empty")
        now = tag_urls(built_like_a_clean_build(root, root.parent / "clean"))
        assert seen <= now, f"tag URLs gone: {sorted(seen - now)}"
        seen |= now


# --- a real blog: ten scripted merges and renames --------------------------------------------------

SCRIPT = [  # on tags the 18F blog has: chains of merges and of renames, a name to quote, and back
    ("merge", "culture change", "culture"),
    ("merge", "culture", "how we work"),
    ("rename", "open source", "open source software"),
    ("merge", "open data", "open government"),
    ("rename", "open source software", "FOSS"),
    ("merge", "technical guides", "guides"),
    ("rename", "ai", "AI: artificial intelligence"),
    ("merge", "machine learning", "AI: artificial intelligence"),
    ("merge", "transformation services", "technology transformation services"),
    ("rename", "FOSS", "open source"),
]
BLOG_REGISTRY = """\
open source:
  description: Code anyone can read, use and improve.   # on the tag page and in its feed
  aliases: [open-source software]
  old_slugs: [oss]
"""
_ITEM_LINE = re.compile(r"([ \t]*-[ \t]+)([^\s'\"#].*?)([ \t]*(?:#.*)?\r?\n)")


def modelled(text: str) -> Shape | None:
    """A post of the corpus as a model: its `- name` lines under tags: (None for another shape)."""
    shape = Shape()
    start = re.search(r"^tags:[ \t]*\r?\n", text, re.M)
    if start is None or not text.startswith("---"):
        return None if start else Shape(pieces=[("lit", text, -1)])
    shape.lit(text[:start.end()])
    at = start.end()
    while line := _ITEM_LINE.match(text, at):
        shape.lit(line[1])
        shape.item(line[2], line[2])
        shape.lit(line[3])
        at = line.end()
    shape.lit(text[at:])
    return shape


def test_ten_merges_and_renames_on_a_real_blog(tmp_path: Path, runner: CliRunner) -> None:
    from sitegen.builder import build
    from sitegen.errors import BuildError
    from tests.test_corpora import CANDIDATES, CORPORA, corpus_root

    found = corpus_root()
    if found is None or not (found / "18f-blog").is_dir():
        pytest.skip(f"corpus 18f-blog not found in {', '.join(map(str, CANDIDATES))}")
    root = tmp_path / "site"
    (root / "content/posts").mkdir(parents=True)
    for path in sorted((found / "18f-blog" / CORPORA["18f-blog"][0]).glob("*.md")):
        shutil.copyfile(path, root / "content/posts" / path.name)
    (root / "sitegen.yaml").write_text("title: Corpus\nbase_url: https://example.org/\n")
    (root / "tags.yaml").write_text(BLOG_REGISTRY)
    (root / ".gitignore").write_text("public/\n.public.*\n.sitegen-cache/\n")
    try:
        build(config_for(root))
    except BuildError as failed:  # posts the blog itself gets wrong (three share one slug): aside
        for error in failed.errors:
            for name in {error.path, *re.findall(r"content/posts/\S+?\.md", error.message)}:
                (root / name).unlink(missing_ok=True)
    found_models = {p.relative_to(root).as_posix(): modelled(p.read_text())
                    for p in (root / "content/posts").glob("*")}
    models = {name: model for name, model in found_models.items() if model is not None}
    others = sorted(set(found_models) - set(models))
    assert sum(len(m.names) for m in models.values()) > 1000, "the blog's tags were not found"
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "the blog")
    seen = tag_urls(built(root))
    for number, (verb, old, new) in enumerate(SCRIPT):
        unmodelled = [n for n in others if old.casefold() in (root / n).read_text().casefold()]
        assert not unmodelled, f"posts whose tags this test cannot follow: {unmodelled}"
        assert retag_step(runner, root, models, verb, old, new), (verb, old, new)
        git(root, "add", "-A")
        git(root, "commit", "-qm", f"step {number}")
        now = tag_urls(built(root))  # a build fails if a post does not parse
        assert seen <= now, f"after {verb} {old!r} {new!r}, tag URLs gone: {sorted(seen - now)}"
        seen |= now
    # A change to tags.yaml makes the next build redo every page: one clean build to compare with
    assert outputs(root / "public") == built(root, tmp_path / "clean", use_cache=False)
    registry = (root / "tags.yaml").read_text()
    assert registry.startswith("open source:\n  description: Code anyone can read, use and improve.   # on")
    assert "  aliases: [open-source software, open source software, FOSS]\n" in registry
    assert '"AI: artificial intelligence":\n  aliases: [ai, machine learning]\n' in registry
    assert "how we work:\n  aliases: [culture change, culture]\n" in registry


@pytest.mark.parametrize("tags, words, expected", [
    # a tag written with a zero-width space is the tag AI to the build, and so to the tools
    ('"A\u200bI, web"', ("rename", "web", "www"), 'tags: "A\u200bI, www"'),
    ('[web, "A\u200bI"]', ("rename", "AI", "ai"), "tags: [web, ai]"),
])
def test_invisible_characters_in_a_tag_are_read_as_the_build_reads_them(
        write_site: WriteSite, runner: CliRunner, tags: str, words: tuple[str, ...], expected: str) -> None:
    root = write_site({"content/posts/a.md": post("A", date="2025-01-01", tags=tags),
                       "content/posts/b.md": post("B", date="2025-01-02", tags="[web, AI]")})
    code, output = sitegen(runner, root, *words)
    assert code == 0, output
    assert expected in (root / "content/posts/a.md").read_text(encoding="utf-8")
    assert runner.invoke(cli, ["build", str(root)]).exit_code == 0


@pytest.mark.parametrize("registry, posts, words, old_url", [
    # a child with a slug of its own, merged: its URL was /tags/lang/python3/, not /tags/python3/
    ("lang/py: {slug: python3}\n", ["[lang/py, web]", "[python]"], ("merge", "lang/py", "python"),
     "tags/lang/python3"),
    # renamed to the top level, its entry (slug included) moving along
    ("ai/ml: {slug: machine-learning}\n", ["[ai/ml, web]", "[ai]"], ("rename", "ai/ml", "ml"),
     "tags/ai/machine-learning"),
    # under a parent with a slug of its own: the old URL has the parent's slug, as the site had it
    ("ai: {slug: artificial-intelligence}\nai/ml: {slug: machine-learning}\n", ["[ai/ml, web]", "[python]"],
     ("merge", "ai/ml", "python"), "tags/artificial-intelligence/machine-learning"),
])
def test_a_child_tag_with_a_slug_of_its_own_keeps_its_url(
        write_site: WriteSite, runner: CliRunner, registry: str, posts: list[str],
        words: tuple[str, ...], old_url: str) -> None:
    root = write_site({"sitegen.yaml": "tags: {hierarchy: true}\n", "tags.yaml": registry,
                       **{f"content/posts/p{i}.md": post(f"P{i}", date=f"2025-01-0{i + 1}", tags=tags)
                          for i, tags in enumerate(posts)}})
    assert runner.invoke(cli, ["build", str(root)]).exit_code == 0
    assert (root / "public" / old_url / "index.html").is_file()
    code, output = sitegen(runner, root, *words)
    assert code == 0, output
    result = runner.invoke(cli, ["build", str(root)])
    assert result.exit_code == 0, result.output
    assert (root / "public" / old_url / "index.html").is_file(), (root / "tags.yaml").read_text()
    assert (root / "public" / old_url / "feed.xml").is_file()


def hierarchy_site(write_site: WriteSite, *posts: str) -> Path:
    return write_site({"sitegen.yaml": "tags: {hierarchy: true}\n",
                       "tags.yaml": "ai: {slug: artificial-intelligence}\n",
                       **{f"content/posts/p{i}.md": post(f"P{i}", date=f"2025-01-0{i + 1}", tags=tags)
                          for i, tags in enumerate(posts)}})


def test_a_rename_onto_the_url_of_a_tag_under_a_parent_with_its_own_slug_is_refused(
        write_site: WriteSite, runner: CliRunner) -> None:
    # ai/llm is at /tags/artificial-intelligence/llm/, where 'artificial intelligence/llm' would be
    root = hierarchy_site(write_site, "[ai/llm]", "[ethics]")
    assert runner.invoke(cli, ["build", str(root)]).exit_code == 0
    before = snapshot(root)
    code, output = sitegen(runner, root, "rename", "ethics", "artificial intelligence/llm")
    refusal = ("'artificial intelligence/llm' would share the URL /tags/artificial-intelligence/llm/ "
               "with the tag 'ai/llm' in content/posts/p0.md")
    assert code == 1 and refusal in " ".join(output.split()), output
    assert snapshot(root) == before


def test_a_rename_onto_another_spelling_under_a_parent_with_its_own_slug_joins_that_tag(
        write_site: WriteSite, runner: CliRunner) -> None:
    # 'AI!' has the slug of ai: it is ai, at /tags/artificial-intelligence/; so 'AI!/llm' is ai/llm
    root = hierarchy_site(write_site, "[ai/llm]", "[AI!/vision]")
    code, output = sitegen(runner, root, "rename", "AI!/vision", "AI!/llm")
    assert code == 0, output
    result = runner.invoke(cli, ["build", str(root)])
    assert result.exit_code == 0, result.output
    page = (root / "public/tags/artificial-intelligence/llm/index.html").read_text()
    assert page.count('class="excerpt"') == 2 and not (root / "public/tags/ai/llm/index.html").exists()

