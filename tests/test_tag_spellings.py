"""Tags as readers see them: spellings that share a slug are one tag, whatever the punctuation,
spaces or invisible characters; only tags.yaml can give two tags one URL, and that is one error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sitegen.builder import build
from sitegen.cli import cli
from sitegen.errors import BuildError, SourceError
from sitegen.models import Config, Post, TagSettings
from sitegen.registry import tag_registry
from sitegen.urls import slugify, tag_key, tag_name
from tests.conftest import WriteSite, config_for, post
from tests.test_parser import config
from tests.test_site import collect, make

# Pairs written on real blogs: each pair is one tag to a reader, and was two tags on one URL
REAL_PAIRS = [
    ("End of Life", "End-of-Life", "end-of-life"),
    ("spec cleaner", "spec-cleaner", "spec-cleaner"),
    ("RISC-V", "risc v", "risc-v"),
    ("Leap 15.2", 'Leap "15.2"', "leap-15-2"),
]


def registry(text: str, **changes: object) -> Config:
    specs, aliases, errors = tag_registry(text)
    assert errors == []
    return config(tag_specs=specs, tag_aliases=aliases, **changes)


def posts(*tags: list[str], cfg: Config | None = None) -> list[Post]:
    return [make(f"p{n}", tags=json.dumps(names), date=f"2025-01-{n + 1:02d}", cfg=cfg)
            for n, names in enumerate(tags)]


@pytest.mark.parametrize(("most", "other", "slug"), REAL_PAIRS)
def test_spellings_with_one_slug_are_one_tag_under_the_most_used(most: str, other: str, slug: str) -> None:
    site, errors, warnings = collect(*posts([other], [most], [most, "x"]))
    assert errors == []
    [tag] = [t for t in site.tags if t.name != "x"]
    assert (tag.name, tag.url) == (most, f"/tags/{slug}/")
    assert [p.slug for p in site.posts_by_tag[tag.key]] == ["p2", "p1", "p0"]
    assert all(p.tags[0] is tag for p in site.posts)
    [warning] = warnings
    assert (warning.path, warning.line) == ("content/posts/p0.md", 4)
    assert f"'{most}'" in warning.message and f"'{other}'" in warning.message
    assert "content/posts/p0.md:4" in warning.message and f"/tags/{slug}/" in warning.message
    assert warning.hint is not None and "tags.yaml: " in warning.hint
    entry = warning.hint.split("tags.yaml: ", 1)[1]
    specs, aliases, _ = tag_registry(entry)  # the line it suggests settles it
    assert aliases == {tag_key(other): tag_key(most)}
    _, errors, warnings = collect(*posts([other], [most], [most, "x"], cfg=registry(entry)),
                                  cfg=registry(entry))
    assert errors == warnings == []


def test_a_tie_goes_to_the_spelling_of_the_earliest_post() -> None:
    site, _, _ = collect(*posts(["spec-cleaner"], ["spec cleaner"]))
    assert [t.name for t in site.tags] == ["spec-cleaner"]


@pytest.mark.parametrize("written", ["virtualbox,", '"virtualbox"', "virtualbox.", "virtualbox;",
                                     "(virtualbox)", "virtual\u200bbox", "virtual\u00adbox\u2060"])
def test_stray_punctuation_and_invisible_characters_are_not_part_of_a_tag(written: str) -> None:
    site, errors, warnings = collect(*posts(["virtualbox"], [written]))
    assert errors == warnings == []
    assert [(t.name, t.slug, len(site.posts_by_tag[t.key])) for t in site.tags] == [
        ("virtualbox", "virtualbox", 2)]
    assert tag_name(written) == "virtualbox"


def test_punctuation_that_means_something_keeps_tags_apart() -> None:
    site, errors, warnings = collect(*posts(["C++", "C#", "C", ".NET", "NET"],
                                            ["Node.js", "nodejs", "R&D", "U.S."]))
    assert errors == warnings == []
    assert sorted(t.slug for t in site.tags) == ["c", "cpp", "csharp", "dotnet", "net", "node-js", "nodejs",
                                                 "r-and-d", "u-s"]
    assert {tag_name(n) for n in ("C++", "C#", ".NET", "R&D", "U.S.", "Yahoo!", "'90s")} == {
        "C++", "C#", ".NET", "R&D", "U.S.", "Yahoo!", "'90s"}


def test_a_registry_entry_gathers_every_spelling_with_its_slug() -> None:
    cfg = registry("End of Life:\n  slug: eol\n  description: Gone.\n")
    site, errors, warnings = collect(*posts(["End of Life"], ["end-of-life"], cfg=cfg), cfg=cfg)
    assert errors == []
    assert [(t.name, t.url, len(site.posts_by_tag[t.key])) for t in site.tags] == [
        ("End of Life", "/tags/eol/", 2)]
    [warning] = warnings
    assert warning.hint == ("write one spelling, or add 'end-of-life' to the aliases of 'End of Life' "
                            "in tags.yaml")


def test_an_alias_gathers_the_spellings_with_its_slug() -> None:
    cfg = registry("golang:\n  aliases: [Go Lang]\n")
    site, errors, warnings = collect(*posts(["golang"], ["go-lang"], ["Go Lang"], cfg=cfg), cfg=cfg)
    assert errors == [] and warnings == []
    assert [(t.name, len(site.posts_by_tag[t.key])) for t in site.tags] == [("golang", 3)]


def only_error(root: Path) -> SourceError:
    """The one error a build of the site at `root` fails with."""
    with pytest.raises(BuildError) as caught:
        build(config_for(root))
    [error] = caught.value.errors
    return error


def test_two_registry_entries_with_one_slug_are_one_error_at_the_second(write_site: WriteSite) -> None:
    error = only_error(write_site({
        "content/posts/a.md": post("A", tags="[End of Life]"),
        "content/posts/b.md": post("B", tags="[End-of-Life]"),
        "tags.yaml": "End of Life:\n  description: a\nEnd-of-Life:\n  description: b\n"}))
    assert (error.path, error.line) == ("tags.yaml", 3)
    assert "'End of Life' and 'End-of-Life' would share the URL /tags/end-of-life/" in error.message
    assert "tags.yaml:1" in error.message and "tags.yaml:3" in error.message
    assert "make 'End of Life' an alias of 'End-of-Life'" in (error.hint or "")


def test_a_registry_slug_taken_by_another_tag_is_one_error_at_the_entry(write_site: WriteSite) -> None:
    error = only_error(write_site({
        "content/posts/a.md": post("A", tags="[Go]"),
        "content/posts/b.md": post("B", tags="[golang]"),
        "tags.yaml": "Go:\n  slug: golang\n"}))
    assert (error.path, error.line) == ("tags.yaml", 1)
    assert "would share the URL /tags/golang/" in error.message and "content/posts/b.md:4" in error.message


def test_with_hierarchy_spellings_are_one_tag_under_the_same_parent() -> None:
    cfg = config(tags=TagSettings(hierarchy=True))
    site, errors, warnings = collect(*posts(["os/End of Life"], ["os/End-of-Life"], ["os/End of Life"],
                                            ["apps/end-of-life"], ["a b/x"], ["a-b/y"], cfg=cfg), cfg=cfg)
    assert errors == []
    assert [(t.name, t.url, len(site.posts_by_tag[t.key])) for t in site.tags] == [
        ("a b", "/tags/a-b/", 2), ("a b/x", "/tags/a-b/x/", 1), ("a-b/y", "/tags/a-b/y/", 1),
        ("apps", "/tags/apps/", 1), ("apps/end-of-life", "/tags/apps/end-of-life/", 1),
        ("os", "/tags/os/", 3), ("os/End of Life", "/tags/os/end-of-life/", 3)]
    assert sorted((w.path, w.line) for w in warnings) == [("content/posts/p1.md", 4),
                                                          ("content/posts/p5.md", 4)]
    assert any("tags.yaml: a b: {aliases: [a-b]}" in (w.hint or "") for w in warnings)


def test_sitegen_tags_lists_the_line_that_settles_a_tag_spelled_apart(write_site: WriteSite,
                                                                      runner: CliRunner) -> None:
    root = write_site({"content/posts/a.md": post("A", tags="[End of Life]", date="2025-01-01"),
                       "content/posts/b.md": post("B", tags="[End-of-Life]", date="2025-01-02"),
                       "content/posts/c.md": post("C", tags="[End of Life]", date="2025-01-03")})
    result = runner.invoke(cli, ["tags", str(root)])
    assert result.exit_code == 0, result.output
    assert ("likely duplicate: End of Life / End-of-Life (one tag, spelled apart; to settle it, "
            "tags.yaml: End of Life: {aliases: [End-of-Life]})") in result.output
    (root / "tags.yaml").write_text("End of Life: {aliases: [End-of-Life]}\n")
    result = runner.invoke(cli, ["tags", str(root)])
    assert result.exit_code == 0 and "likely duplicate:" not in result.output, result.output


def test_a_rename_onto_another_spelling_of_a_tag_joins_it(write_site: WriteSite, runner: CliRunner) -> None:
    root = write_site({"content/posts/a.md": post("A", tags="[End of Life]", date="2025-01-01"),
                       "content/posts/b.md": post("B", tags="[eol]", date="2025-01-02")})
    result = runner.invoke(cli, ["tags", "rename", "eol", "End-of-Life", str(root)])
    assert result.exit_code == 0, result.output
    report = build(config_for(root))
    assert (root / "public/tags/end-of-life/index.html").read_text().count('class="excerpt"') == 2
    assert 'url=/tags/end-of-life/"' in (root / "public/tags/eol/index.html").read_text()
    assert [w.path for w in report.warnings if "also written" in w.message] == ["content/posts/a.md"]


WORDS = st.lists(st.text("abcXYé12", min_size=1, max_size=4), min_size=1, max_size=3)
SEPARATORS = st.sampled_from([" ", "-", "_", " - ", "  ", "\u200b-", "--"])
ENDS = st.sampled_from(["", ",", ".", ";", ":", "-", "\u00ad", "\u2060"])


@st.composite
def same_slug(draw: st.DrawFn) -> tuple[str, str]:
    """Two spellings of one tag, as blogs write them: other separators, case, stray ends."""
    words = draw(WORDS)
    one = draw(SEPARATORS).join(words)
    two = draw(SEPARATORS).join(w.upper() if draw(st.booleans()) else w for w in words)
    wrap = draw(st.sampled_from(["{}", '"{}"', "({})", "{}" + draw(ENDS), draw(ENDS) + "{}"]))
    return one, wrap.format(two)


@settings(max_examples=150, deadline=None)
@given(same_slug(), st.booleans())
def test_two_spellings_with_one_slug_are_one_tag_with_the_posts_of_both(pair: tuple[str, str],
                                                                         hierarchy: bool) -> None:
    one, two = pair
    assume(slugify(tag_name(one)) == slugify(tag_name(two)) != "")
    cfg = config(tags=TagSettings(hierarchy=hierarchy))
    prefix = "p/" if hierarchy else ""
    site, errors, _ = collect(*posts([prefix + one], [prefix + two], ["other"], cfg=cfg), cfg=cfg)
    assert errors == []
    [tag] = [t for t in site.tags if t.name not in ("other", "p")]
    assert sorted(p.slug for p in site.posts_by_tag[tag.key]) == ["p0", "p1"]
    assert site.posts[1].tags == site.posts[2].tags == (tag,)
