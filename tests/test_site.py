from __future__ import annotations

import json
import math
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Any
from unittest.mock import patch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen import related
from sitegen.errors import Problems
from sitegen.models import Config, Post, Site, TagSettings, TagSpec
from sitegen.parser import parse_post
from sitegen.site import collect_site
from tests.conftest import post
from tests.test_parser import config


def make(name: str, section: str = "posts", cfg: Config | None = None, **keys: str) -> Post:
    problems = Problems()
    text = post(title=keys.pop("title", name), **keys) if section == "posts" else \
        f"---\ntitle: {name}\n---\n"
    result = parse_post(PurePosixPath(f"content/{section}/{name}.md"), text, cfg or config(),
                        section=section, problems=problems)
    assert result is not None, problems.errors
    return result


def collect(*posts: Post, cfg: Config | None = None) -> tuple[Site, list, list]:  # type: ignore[type-arg]
    return collect_site(cfg or config(), list(posts))


def test_posts_are_newest_first_with_ties_broken_by_path() -> None:
    site, errors, _ = collect(make("b", date="2025-01-01"), make("c", date="2025-02-01"),
                              make("a", date="2025-01-01"))
    assert errors == []
    assert [p.slug for p in site.posts] == ["c", "a", "b"]


def test_drafts_and_future_posts_are_left_out_and_counted() -> None:
    site, _, _ = collect(make("d", draft="true"), make("f", date="2030-01-01"), make("ok"))
    assert [p.slug for p in site.posts] == ["ok"]
    assert (site.drafts_skipped, site.future_skipped) == (1, 1)
    site, _, _ = collect(make("d", draft="true"), make("f", date="2030-01-01"),
                         cfg=config(drafts=True, future=True))
    assert sorted(p.slug for p in site.posts) == ["d", "f"]


def test_case_variants_are_one_tag_named_by_the_most_used_spelling() -> None:
    site, errors, _ = collect(make("a", tags="[AI]", date="2025-01-01"),
                              make("b", tags="[ai]", date="2025-02-01"),
                              make("c", tags="[ai]", date="2025-03-01"))
    assert errors == []
    assert [(t.name, t.slug) for t in site.tags] == [("ai", "ai")]
    assert [p.slug for p in site.posts_by_tag["ai"]] == ["c", "b", "a"]
    assert site.spellings["ai"] == ("AI", "ai")
    assert all(p.tags[0].name == "ai" for p in site.posts)


def test_spelling_ties_go_to_the_earliest_post() -> None:
    site, _, _ = collect(make("new", tags="[Rust]", date="2025-05-01"),
                         make("old", tags="[rust]", date="2024-01-01"))
    assert site.tags[0].name == "rust"


def test_tags_yaml_sets_name_slug_and_description() -> None:
    cfg = config(tag_specs={"ai": TagSpec(name="AI", slug="artificial-intelligence",
                                          description="Machines that *think*.")})
    site, errors, warnings = collect(make("a", tags="[ai]", cfg=cfg), cfg=cfg)
    assert errors == [] and warnings == []
    tag = site.tags[0]
    assert (tag.name, tag.url) == ("AI", "/tags/artificial-intelligence/")
    assert "<em>think</em>" in tag.description_html


def test_unused_registry_entries_warn() -> None:
    cfg = config(tag_specs={"ghost": TagSpec(name="ghost", line=3)})
    _, _, warnings = collect(make("a"), cfg=cfg)
    assert [(w.path, w.line) for w in warnings] == [("tags.yaml", 3)]


def test_different_tags_on_one_url_are_an_error_naming_both() -> None:
    site, errors, _ = collect(make("x", tags="[C++, C#]"), make("y", tags="[C]"))
    assert errors == [] and sorted(t.slug for t in site.tags) == ["c", "cpp", "csharp"]
    cfg = config(tag_specs={"go": TagSpec(name="Go", slug="go-lang", line=2)})
    site, errors, _ = collect(make("x", tags="[Go]", cfg=cfg), make("y", tags="[go-lang]", cfg=cfg), cfg=cfg)
    assert len(errors) == 1 and (errors[0].path, errors[0].line) == ("tags.yaml", 2)
    message = errors[0].message
    assert "'Go'" in message and "'go-lang'" in message and "/tags/go-lang/" in message
    assert "tags.yaml:2" in message and "content/posts/y.md:4" in message
    assert errors[0].hint and "make 'go-lang' an alias of 'Go'" in errors[0].hint


@pytest.mark.parametrize(("tags", "line", "col"), [("['!!!']", 4, 8), ("[a,\n  '!!!']", 5, 3)])
def test_a_tag_that_cannot_have_a_url_is_located_and_its_post_left_out(tags: str, line: int,
                                                                        col: int) -> None:
    site, errors, _ = collect(make("a", tags=tags), make("b", tags="[x]"))
    assert [(e.path, e.line, e.col) for e in errors] == [("content/posts/a.md", line, col)]
    assert errors[0].message == "tag '!!!' has no letters or digits to make a URL from"
    assert errors[0].hint == "give it a slug in tags.yaml: '!!!': {slug: my-tag}"
    assert [p.slug for p in site.posts] == ["b"]


def test_spellings_of_one_tag_in_one_post_are_one_tag_named_as_first_written() -> None:
    site, errors, _ = collect(make("a", tags="[AI, ai, ' AI ']"))
    assert errors == [] and [t.name for t in site.posts[0].tags] == ["AI"]
    assert site.spellings == {"ai": ("AI",)} and [p.slug for p in site.posts_by_tag["ai"]] == ["a"]


def test_each_post_carries_the_tags_of_the_site() -> None:
    cfg = config(tags=TagSettings(hierarchy=True),
                 tag_specs={"ai": TagSpec(name="AI", slug="artificial-intelligence")})
    site, errors, _ = collect(make("a", tags="[ai/llm]", cfg=cfg), cfg=cfg)
    assert errors == []
    assert [t.url for t in site.posts[0].tags] == ["/tags/artificial-intelligence/llm/"]
    assert site.posts[0].tags[0] is next(t for t in site.tags if t.key == "ai/llm")


def test_pages_carry_the_tags_of_the_site_or_tags_without_a_page() -> None:
    page = replace(make("about", section="pages"), tag_names=("ai", "only here"),
                   tag_places=((2, 7), (2, 11)))
    site, errors, _ = collect(make("a", tags="[AI]"), page)
    assert errors == [] and [t.name for t in site.tags] == ["AI"]
    assert [(t.name, t.has_page) for t in site.pages[0].tags] == [("AI", True), ("only here", False)]
    assert site.pages[0].tags[0] is site.tags[0]


def test_updated_is_the_newest_date_never_the_clock() -> None:
    site, _, _ = collect(make("a", date="2025-01-01", updated="2025-06-01"), make("b", date="2025-03-01"))
    assert site.updated == datetime(2025, 6, 1, tzinfo=UTC)
    later, _, _ = collect(make("a", date="2025-01-01", updated="2025-06-01"), make("b", date="2025-03-01"),
                          cfg=replace(config(), now=datetime(2099, 1, 1, tzinfo=UTC)))
    assert later.updated == site.updated


def test_pages_are_kept_apart_from_posts() -> None:
    site, _, _ = collect(make("about", section="pages"), make("a", date="2025-02-03"))
    assert [p.slug for p in site.pages] == ["about"]
    assert [p.slug for p in site.posts] == ["a"]
    assert site.updated == datetime(2025, 2, 3, tzinfo=UTC)  # the post's date; pages have none


def test_links_to_markdown_files_become_urls() -> None:
    problems_free = [
        make("target", title="Target", body="## Part\n\nText."),
        make("source", body="See [t](target.md#part), [nested](2024/deep.md), [gone](missing.md)."),
    ]
    from sitegen.errors import Problems
    from sitegen.parser import parse_post
    problems = Problems()
    deep = parse_post(PurePosixPath("content/posts/2024/deep.md"), post("Deep", body="[back](../source.md)"),
                      config(), section="posts", problems=problems)
    assert deep is not None
    site, _, warnings = collect_site(config(), [*problems_free, deep])
    by_slug = {p.slug: p for p in site.posts}
    html = by_slug["source"].body_html
    assert 'href="/posts/target/#part"' in html and 'href="/posts/deep/"' in html
    assert 'href="missing.md"' in html
    assert 'href="/posts/source/"' in by_slug["deep"].body_html
    assert [(w.path, w.line) for w in warnings] == [("content/posts/source.md", 6)]
    assert "missing.md" in warnings[0].message


class RelatedStore:
    """A build's related posts reused through the cache's seam, the cache kept in memory."""

    def __init__(self, cfg: Config) -> None:
        from sitegen.cache import BuildCache
        from sitegen.incremental import Incremental

        self.cache = BuildCache(None, "test")
        self.incremental = Incremental(cfg, self.cache)
        self.kept = 0
        keep = self.cache.keep_related

        def counted(related: Any) -> None:
            self.kept += 1
            keep(json.loads(json.dumps(related)))  # as JSON keeps it

        self.cache.keep_related = counted  # type: ignore[method-assign]

    def relate(self, *args: Any) -> Any:
        return self.incremental.relate(*args)


TAGS = ["ai", "ai/llm", "ai/vision", "rust", "web", "web/css", "go", "c++"]
TAG_SETS = st.lists(st.sampled_from(TAGS), max_size=3, unique=True)


def related_of(site: Site) -> dict[str, list[str]]:
    return {source: [str(p.source) for p in others] for source, others in site.related.items()}


def scored_one_by_one(site: Site, limit: int) -> dict[str, list[str]]:
    """The related posts by definition: every other post sharing a tag, scored, best first."""
    weight = {key: round(1000 * math.log(1 + len(site.posts) / len(group)))
              for key, group in site.posts_by_tag.items()}
    related = {}
    for number, this in enumerate(site.posts):
        mine = {t.key for t in this.tags}
        scored = [(-sum(weight[key] for key in shared), other)
                  for other, that in enumerate(site.posts)
                  if other != number and (shared := mine & {t.key for t in that.tags})]
        related[str(this.source)] = [str(site.posts[other].source) for _, other in sorted(scored)[:limit]]
    return related


# The search's two switches, drawn small so that a site of a few posts takes every path: a tag on
# more posts than the first is "common"; a post with more common tags than the second scores all.
SWITCHES = st.tuples(st.sampled_from([0, 1, 2, 3, 1000]), st.sampled_from([0, 1, 2, 8]))
HEAVY = ["python", "web"]  # each on most posts, as Python is on a third of a real corpus's


def switched(switches: tuple[int, int]) -> Any:
    small, most = switches
    return patch.multiple(related, _SMALL_GROUP=small, _MOST_COMBINED=most)


@st.composite
def heavy_tag_sets(draw: st.DrawFn) -> list[str]:
    heavy = [tag for tag in HEAVY if draw(st.integers(0, 9)) < 7]
    return heavy + draw(st.lists(st.sampled_from(TAGS), max_size=4, unique=True))


@settings(max_examples=150, deadline=None)
@given(st.lists(heavy_tag_sets(), min_size=1, max_size=30), st.lists(st.integers(1, 4)), st.integers(1, 5),
       st.booleans(), SWITCHES)
def test_related_posts_are_the_best_scored_of_all_posts_sharing_a_tag(
        sets: list[list[str]], days: list[int], limit: int, hierarchy: bool,
        switches: tuple[int, int]) -> None:
    cfg = config(tags=TagSettings(hierarchy=hierarchy, related=limit))
    posts = [make(f"p{i:02d}", cfg=cfg, date=f"2025-01-{days[i] if i < len(days) else 1:02d}",
                  tags=json.dumps(tags)) for i, tags in enumerate(sets)]  # equal dates: ties
    with switched(switches):
        site, _, _ = collect_site(cfg, posts)
    assert related_of(site) == scored_one_by_one(site, limit)


@settings(max_examples=80, deadline=None)
@given(st.lists(TAG_SETS, min_size=2, max_size=14), st.data(), st.booleans(), SWITCHES)
def test_related_posts_reused_from_the_last_build_equal_those_computed_afresh(
        tag_sets: list[list[str]], data: st.DataObject, hierarchy: bool,
        switches: tuple[int, int]) -> None:
    cfg = config(tags=TagSettings(hierarchy=hierarchy, related=2))

    def posts(sets: list[list[str]]) -> list[Post]:
        return [make(f"p{i:02d}", cfg=cfg, date=f"2025-01-{1 + i % 3:02d}", tags=json.dumps(tags))
                for i, tags in enumerate(sets)]

    from sitegen import incremental

    store = RelatedStore(cfg)
    with switched(switches):
        collect_site(cfg, posts(tag_sets), store.relate)
        assert store.kept == 1
        for _ in range(data.draw(st.integers(1, 3))):
            changed = data.draw(st.lists(st.integers(0, len(tag_sets) - 1), max_size=3))
            for index in changed:
                tag_sets[index] = data.draw(st.one_of(TAG_SETS, heavy_tag_sets()))
            with patch.object(incremental, "related_posts", wraps=incremental.related_posts) as scored:
                reused, _, _ = collect_site(cfg, posts(tag_sets), store.relate)
            # the same posts in the same order: only some are scored again, never all
            assert all(call.kwargs.get("only") is not None for call in scored.call_args_list)
            afresh, _, _ = collect_site(cfg, posts(tag_sets))
            assert related_of(reused) == related_of(afresh) == scored_one_by_one(afresh, 2)


def test_a_post_sharing_three_tags_beats_one_sharing_two() -> None:
    """Two slightly rarer tags must not hide a post that shares three of the others."""
    site, _, _ = collect(make("p", date="2025-01-05", tags="[a, b, c, d, e]"),
                         make("two", date="2025-01-04", tags="[a, b]"),
                         make("three", date="2025-01-03", tags="[c, d, e]"),
                         make("three-older", date="2025-01-02", tags="[c, d, e]"),
                         cfg=config(tags=TagSettings(related=2)))
    assert related_of(site)["content/posts/p.md"] == ["content/posts/three.md",
                                                      "content/posts/three-older.md"]


def test_a_post_whose_shared_tags_are_common_still_gets_its_related_posts() -> None:
    """Its rarest tags are its own; the posts sharing its common tag are there to be found."""
    site, _, _ = collect(make("p", date="2025-01-09", tags="[mine, only mine, common]"),
                         *(make(f"o{i}", date=f"2025-01-0{i}", tags="[common]") for i in range(1, 6)),
                         cfg=config(tags=TagSettings(related=3)))
    assert related_of(site)["content/posts/p.md"] == [f"content/posts/o{i}.md" for i in (5, 4, 3)]


def test_only_the_posts_near_a_changed_tag_get_related_posts_again(monkeypatch: Any) -> None:
    from sitegen import incremental

    redone: list[set[str]] = []
    real = incremental.related_posts

    def spy(*args: Any, only: Any = None) -> Any:
        redone.append({str(p.source) for p in only} if only is not None else {"all"})
        return real(*args, only=only)

    monkeypatch.setattr(incremental, "related_posts", spy)
    cfg = config()
    store = RelatedStore(cfg)
    before = [make("a", tags="[red, blue]"), make("b", tags="[blue]"), make("c", tags="[green]"),
              make("d", tags="[yellow, green]")]
    collect_site(cfg, before, store.relate)
    collect_site(cfg, [replace(before[0], title="Edited"), *before[1:]], store.relate)
    assert redone == [{"all"}] and store.kept == 1  # a text edit: nothing redone, nothing to keep
    collect_site(cfg, [make("a", tags="[red, blue, green]"), *before[1:]], store.relate)
    assert redone[-1] == {"content/posts/a.md", "content/posts/c.md", "content/posts/d.md"}


def test_a_post_given_its_tags_is_the_same_post_with_those_tags() -> None:
    site, _, _ = collect(make("a", tags="[Python, AI]"))
    tagged = site.posts[0]
    untagged = replace(tagged, tags=())
    assert untagged.with_terms(tagged.tags) == tagged
    assert untagged.with_terms(tagged.tags).tags == tagged.tags != ()
    assert untagged.tags == ()  # the post it was made from is unchanged
