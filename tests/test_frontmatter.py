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
        ("title: [unclosed", 2, 17, "invalid YAML"),
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
