"""Tag URLs are for ever: after renames and merges, every tag URL and feed URL of every earlier
build still resolves in the new one, as a page, a redirect page to a page, or a copy of the feed.

The edits are made here the way `sitegen tags rename/merge` makes them: the tag changes in each
post's front matter, and tags.yaml records the old name as an alias of the new one (an entry's
aliases and old slugs move with it).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.builder import build
from tests.conftest import config_for

_REFRESH = re.compile(r'http-equiv="refresh" content="0; url=([^"]+)"')
PARENTS = ("design", "research")  # with hierarchy, each keeps a post of its own


@dataclass
class Blog:
    """A small site on disk, its tags edited as the rename and merge commands edit them."""

    root: Path
    hierarchy: bool
    posts: list[list[str]]
    registry: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)  # every tags/ file of every build so far
    redirects: int = 0  # redirect pages followed, over every build

    def write(self) -> None:
        settings_ = "posts_per_page: 2\n" + ("tags: {hierarchy: true}\n" if self.hierarchy else "")
        (self.root / "sitegen.yaml").write_text(settings_)
        folder = self.root / "content/posts"
        folder.mkdir(parents=True, exist_ok=True)
        posts = [*self.posts, *([[p] for p in PARENTS] if self.hierarchy else [])]
        for number, tags in enumerate(posts):
            (folder / f"p{number}.md").write_text(
                f"---\ntitle: Post {number}\ndate: 2025-01-{number + 1:02d}\n"
                f"tags: {json.dumps(tags)}\n---\nText.\n")
        (self.root / "tags.yaml").write_text(json.dumps(self.registry, indent=1) + "\n")

    def tags(self) -> list[str]:
        return sorted({t for tags in self.posts for t in tags})

    def rename(self, old: str, new: str) -> None:
        self.posts = [[new if t == old else t for t in tags] for tags in self.posts]
        self._record(old, new)

    def merge(self, old: str, into: str) -> None:
        merged = []
        for tags in self.posts:
            if old in tags:
                tags = [into if t == old else t for t in tags if t != into or into not in tags]
                tags = list(dict.fromkeys(tags))
            merged.append(tags)
        self.posts = merged
        self._record(old, into)

    def _record(self, old: str, new: str) -> None:
        entry = self.registry.pop(old, {})
        target = self.registry.setdefault(new, {})
        target["aliases"] = [*target.get("aliases", []), *entry.get("aliases", []), old]
        if entry.get("old_slugs"):
            target["old_slugs"] = [*target.get("old_slugs", []), *entry["old_slugs"]]

    def build_and_check(self) -> None:
        self.write()
        build(config_for(self.root))
        out = self.root / "public"
        self.seen |= {p.relative_to(out).as_posix() for p in (out / "tags").rglob("*") if p.is_file()}
        for name in sorted(self.seen):
            assert (out / name).is_file(), f"{name} is gone after {self.registry}"
            if name.endswith(".html"):
                found = _REFRESH.search((out / name).read_text())
                if found:  # a redirect leads to a real page, in one step
                    self.redirects += 1
                    target = out / found.group(1).lstrip("/") / "index.html"
                    assert target.is_file() and not _REFRESH.search(target.read_text()), name


def _blog(root: Path, hierarchy: bool, posts: list[list[str]]) -> Blog:
    blog = Blog(root, hierarchy, posts)
    blog.build_and_check()
    return blog


@pytest.mark.parametrize("hierarchy", [False, True])
def test_renames_and_merges_keep_every_tag_url(tmp_path: Path, hierarchy: bool) -> None:
    blog = _blog(tmp_path, hierarchy, [["user research", "web"], ["user research"],
                                       ["user research", "ux"], ["ux", "web"], ["ux"], ["web"]])
    assert "tags/user-research/page/2/index.html" in blog.seen
    under = "design/" if hierarchy else ""
    moved = f"{under}user research" if hierarchy else "user studies"  # under a parent
    blog.rename("user research", moved)
    blog.build_and_check()
    blog.merge("ux", moved)
    blog.build_and_check()
    blog.rename(moved, f"{under}research methods")  # a chain: the aliases move with the entry
    blog.build_and_check()
    blog.merge("web", f"{under}research methods")
    blog.build_and_check()
    assert blog.registry == {f"{under}research methods": {"aliases": ["user research", "ux", moved,
                                                                       "web"]}}
    assert f"tags/{under}research-methods/page/3/index.html" in blog.seen
    assert blog.redirects, "no old tag URL was found to be a redirect: the pattern no longer matches"


def _parent(tag: str) -> str:
    return tag.rsplit("/", 1)[0] + "/" if "/" in tag else ""


@settings(max_examples=25)
@given(hierarchy=st.booleans(),
       posts=st.lists(st.lists(st.sampled_from(range(4)), min_size=1, max_size=3, unique=True),
                      min_size=4, max_size=8),
       steps=st.lists(st.tuples(st.booleans(), st.integers(0, 9), st.integers(0, 9),
                                st.sampled_from(["", *(f"{p}/" for p in PARENTS)])),
                      min_size=1, max_size=4))
def test_any_sequence_of_renames_and_merges_keeps_every_tag_url(
        tmp_path_factory: pytest.TempPathFactory, hierarchy: bool, posts: list[list[int]],
        steps: list[tuple[bool, int, int, str]]) -> None:
    """With hierarchy, a tag moves under a parent or within one, never out: a parent lists its
    children's posts, and one that loses posts loses its last pages, as any tag would."""
    start = ["t0", "design/t1", "t2", "research/t3"] if hierarchy else ["t0", "t1", "t2", "t3"]
    blog = _blog(tmp_path_factory.mktemp("blog"), hierarchy, [[start[i] for i in p] for p in posts])
    for number, (merge, first, second, parent) in enumerate(steps, start=4):
        tags = blog.tags()
        old = tags[first % len(tags)]
        into = [t for t in tags if t != old and _parent(old) in ("", _parent(t))]
        if merge and into:
            blog.merge(old, into[second % len(into)])
        else:  # a name never used before, so it never means an old tag
            blog.rename(old, f"{_parent(old) or (parent if hierarchy else '')}t{number}")
        blog.build_and_check()
