"""TOML front matter (`+++`), as Hugo blogs write it: read into the same checks as YAML."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import PurePosixPath

from click.testing import CliRunner

from sitegen.cli import cli
from sitegen.errors import Problems
from sitegen.models import Post
from sitegen.parser import parse_post
from tests.conftest import WriteSite, post
from tests.test_parser import config

HUGO_POST = '''+++
title = "Hello from Hugo"
date = 2023-05-01T10:00:00+02:00
tags = ["Go", "static sites"]
categories = ["Web"]
draft = false
slug = "hello-hugo"

[params]
  image = "cover.png"
+++

Some *text*.
'''


def parse(text: str) -> tuple[Post | None, Problems]:
    problems = Problems()
    found = parse_post(PurePosixPath("content/posts/hello.md"), text, config(), section="posts",
                       problems=problems)
    return found, problems


def test_toml_front_matter_gives_the_post_yaml_would() -> None:
    found, problems = parse(HUGO_POST)
    assert problems.errors == [] and found is not None
    assert found.title == "Hello from Hugo"
    assert found.date == datetime(2023, 5, 1, 8, 0, tzinfo=UTC)
    assert found.tag_names == ("Go", "static sites")
    assert found.category_names == ("Web",)
    assert found.slug == "hello-hugo" and not found.draft
    assert found.extra["params"] == {"image": "cover.png"}
    assert "<em>text</em>" in found.body_html
    yaml_post, _ = parse(post("Hello from Hugo", date="2023-05-01T10:00:00+02:00",
                              tags="[Go, static sites]", categories="[Web]", slug="hello-hugo"))
    assert yaml_post is not None and (yaml_post.date, yaml_post.url) == (found.date, found.url)


def test_a_toml_syntax_error_is_located_at_its_line() -> None:
    found, problems = parse('+++\ntitle = "A"\ndate = 2023-05-01\ntags = ["a",\n+++\nBody.\n')
    assert found is None
    [error] = problems.errors
    assert error.message.startswith("invalid TOML") and error.line == 4 and "line" not in error.message


def test_a_wrong_value_in_toml_is_located_at_its_key() -> None:
    found, problems = parse('+++\ntitle = "A"\ndate = 2023-05-01\n\ntags = 2025\n+++\nBody.\n')
    assert found is None
    [error] = problems.errors
    assert (error.line, "tags") == (5, error.message.split()[0])


def test_toml_front_matter_never_closed_is_an_error() -> None:
    found, problems = parse('+++\ntitle = "A"\n\nBody.\n')
    assert found is None
    assert [(e.line, e.message) for e in problems.errors] == [
        (1, "front matter opened with +++ on line 1 is never closed")]


def test_a_hugo_site_with_toml_posts_builds(write_site: WriteSite, runner: CliRunner) -> None:
    root = write_site({"content/posts/hello.md": HUGO_POST, "content/posts/b.md": post("B", tags="[Go]")})
    result = runner.invoke(cli, ["build", str(root)])
    assert result.exit_code == 0, result.output
    assert (root / "public/posts/hello-hugo/index.html").is_file()
    assert (root / "public/tags/go/index.html").read_text().count('class="excerpt"') == 2
    assert (root / "public/categories/web/index.html").is_file()


def test_a_tag_rename_refuses_toml_posts_and_changes_nothing(write_site: WriteSite,
                                                             runner: CliRunner) -> None:
    root = write_site({"content/posts/hello.md": HUGO_POST, "content/posts/b.md": post("B", tags="[Go]")})
    before = {p: p.read_bytes() for p in (root / "content/posts").iterdir()}
    result = runner.invoke(cli, ["tags", "rename", "Go", "Golang", str(root)])
    assert result.exit_code == 1
    assert "content/posts/hello.md:4" in result.output and "TOML" in result.output
    assert {p: p.read_bytes() for p in (root / "content/posts").iterdir()} == before
