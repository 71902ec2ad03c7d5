from __future__ import annotations

import pytest

from sitegen.errors import SourceError
from sitegen.frontmatter import load_mapping, split


def test_split_separates_yaml_and_body_with_physical_lines() -> None:
    document = split("---\ntitle: x\n---\nbody\n", "a.md")
    assert document.yaml_text == "title: x"
    assert document.yaml_line == 2
    assert document.body == "body\n"
    assert document.body_line == 4


def test_split_without_front_matter_returns_whole_text() -> None:
    document = split("just text\n", "a.md")
    assert document.yaml_text is None
    assert document.body == "just text\n"


def test_split_accepts_dots_as_closing_fence() -> None:
    assert split("---\ntitle: x\n...\nbody", "a.md").body == "body"


def test_unclosed_front_matter_is_located_at_line_one() -> None:
    with pytest.raises(SourceError) as caught:
        split("---\ntitle: x\nbody without fence\n", "a.md")
    assert caught.value.line == 1
    assert "never closed" in caught.value.message
    assert caught.value.hint and "---" in caught.value.hint


@pytest.mark.parametrize(
    ("text", "line", "col", "fragment"),
    [
        ("title: a\n\ttags: [x]", 3, 1, "tab"),
        ("title: Python: the good parts", 2, 14, "not allowed"),
        ('title: "open\ndate: 2024-01-01', 2, 8, "never closed"),
        ("title: a\ndate: 2024-02-30", 3, 7, "not a real date"),
        ("title: a\ntitle: b", 3, 1, "appears twice"),
        ("- just\n- a list", 2, 1, "key: value"),
        ("title: [unclosed", 2, 8, "never closed"),
    ],
)
def test_yaml_problems_are_located_in_the_file(text: str, line: int, col: int, fragment: str) -> None:
    _, errors = load_mapping(text, "a.md", first_line=2)
    assert len(errors) == 1
    assert (errors[0].line, errors[0].col) == (line, col)
    assert fragment in errors[0].message


def test_values_and_positions_are_returned() -> None:
    mapping, errors = load_mapping("title: Hi\ntags: [a, b]\n", "a.md", first_line=2)
    assert errors == []
    assert mapping.values == {"title": "Hi", "tags": ["a", "b"]}
    assert mapping.positions == {"title": (2, 8), "tags": (3, 7)}


def test_several_bad_values_are_all_reported() -> None:
    _, errors = load_mapping("date: 2024-13-01\nupdated: 2024-02-30\n", "a.md", first_line=2)
    assert [e.line for e in errors] == [2, 3]


def test_yaml_is_loaded_safely() -> None:
    _, errors = load_mapping("title: !!python/object/apply:os.system ['echo hi']", "a.md", 2)
    assert errors and errors[0].line == 2


def test_oversized_front_matter_is_refused() -> None:
    _, errors = load_mapping("title: " + "x" * 70_000, "a.md", 2)
    assert errors and "limit" in errors[0].message


@pytest.mark.parametrize(
    ("text", "line", "col", "fragment", "hint"),
    [
        ("tags:\n\t- ai", 3, 1, "tab", "replace the tab with spaces"),
        ("title: a\ntags:\n  \t- ai", 4, 3, "tab", "replace the tab with spaces"),
        ("tags: [meta\n", 2, 7, "never closed (YAML noticed on line 3)", "add the ]"),
        ("tags: [meta,\n  news\ntitle: x", 2, 7, "never closed (YAML noticed on line 4)", "add the ]"),
        ("author: {name: Ann", 2, 9, "mapping opened with { is never closed", "add the }"),
        ('tags: [a, "b" c]', 2, 15, "this item of the [ ] list", "commas"),
        ('title: "a\\qb"', 2, None, "escape", "\\\\ for a backslash"),
    ],
)
def test_yaml_problems_get_the_hint_for_what_is_wrong(text: str, line: int, col: int | None,
                                                       fragment: str, hint: str) -> None:
    _, errors = load_mapping(text, "a.md", first_line=2)
    assert len(errors) == 1
    assert errors[0].line == line and (col is None or errors[0].col == col)
    assert fragment in errors[0].message and errors[0].hint and hint in errors[0].hint
    assert "belongs under a key" not in errors[0].hint


BOMB = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]',
        *(f"{n}: &{n} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]"
          for p, n in zip("abcdefgh", "bcdefghi", strict=True))]


@pytest.mark.parametrize(
    ("text", "line", "col", "fragment"),
    [
        # 1,243 values before d's list, each *c adds 1,111: the eighth passes 10,000
        pytest.param("\n".join(["title: x", "date: 2025-01-01", *BOMB]), 7, 29, "aliases",
                     id="billion-laughs"),
        pytest.param("title: x\na: &a [b, *a]", 3, 11, "aliases", id="holds-itself"),
        pytest.param("title: x\na: [" + "1," * 10_000 + "1]", 3, 19_995, "more than 10000 values",
                     id="no-alias"),
    ],
)
def test_too_many_values_are_located_where_they_pass_the_limit(text: str, line: int, col: int,
                                                                fragment: str) -> None:
    _, errors = load_mapping(text, "a.md", first_line=2)
    assert len(errors) == 1
    assert (errors[0].line, errors[0].col) == (line, col)
    assert fragment in errors[0].message


@pytest.mark.parametrize(
    ("text", "line", "col", "code", "escape"),
    [
        ('title: "a\\0b"', 2, 8, "U+0000", "\\0"),
        ('title: "\\x01"', 2, 8, "U+0001", "\\x01"),
        ('title: "\\uFFFE"', 2, 8, "U+FFFE", "\\uFFFE"),
        ("summary: >\n  fine\n\ntags:\n  - ok\n  - \"\\e\"", 7, 5, "U+001B", "\\e"),
        ('extra: {a: [1, {b: "\\a"}]}', 2, 20, "U+0007", "\\a"),
        ('"k\\x1f": 1', 2, 1, "U+001F", "\\x1f"),
        ('author: "\\U0000FFFF"', 2, 9, "U+FFFF", "\\U0000FFFF"),
    ],
)
def test_characters_xml_forbids_are_errors_at_their_value(text: str, line: int, col: int, code: str,
                                                          escape: str) -> None:
    mapping, errors = load_mapping(text, "a.md", first_line=2)
    assert len(errors) == 1, errors
    assert (errors[0].line, errors[0].col) == (line, col)
    assert code in errors[0].message and errors[0].hint and escape in errors[0].hint
    # the value holding the character is dropped; the good values before it are kept
    assert mapping.values == ({"summary": "fine\n"} if text.startswith("summary") else {})


def test_escapes_of_allowed_characters_are_kept() -> None:
    mapping, errors = load_mapping('title: "tab\\there \\\\0 \\x85 \\u00e9 \\U0001F600"', "a.md", 2)
    assert errors == []
    assert mapping.values == {"title": "tab\there \\0 \x85 \u00e9 \U0001F600"}


def test_a_key_whose_value_failed_is_still_reported_when_repeated() -> None:
    from sitegen.frontmatter import load_mapping

    for text in ("date: 2024-02-30\ndate: 2024-01-01\n", 'title: "x\\x01"\ntitle: again\n'):
        _, errors = load_mapping(text, "p.md", 2)
        assert [e.line for e in errors] == [2, 3], errors
        assert "appears twice (first on line 2)" in errors[1].message
