"""The build cache's one seam: what the builder asks before running a stage, and records after.

The stages are plain functions of their inputs and know nothing of the cache. This module
decides what need not be done again: the whole build (nothing it read has changed and its
output is intact), a post (its file did not change), related posts (no tag moved), a page (its
inputs did not change), a static file (the same size and time). `Incremental(config, None)`
is a build without the cache: it asks nothing and records nothing.

Imports cache, errors, listing, models, output, parser, related, taxonomy, urls, workers; renderer lazily.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

from sitegen import output, parser, workers
from sitegen.cache import FOLDER, BuildCache, Fingerprints, config_digest, decode_report, encode_report
from sitegen.cache.keys import PageKeys, PageState, digest, site_shape, steady_pages
from sitegen.cache.stamps import Look, Survey, changed, survey_of
from sitegen.errors import CacheDamaged, Problems, SourceError
from sitegen.listing import Listing, list_content, other_inputs
from sitegen.models import BuildReport, Config, Page, Post, Site
from sitegen.related import related_posts
from sitegen.taxonomy import Vocabulary
from sitegen.urls import output_path

T = TypeVar("T")
Records = dict[PurePosixPath, dict[str, Any]]  # what the cache keeps about each output file
SPLIT_LOOK_FROM = 20_000  # output files from which a forked copy looks at most (fewer: sooner here)
LOOK_HERE = 0.33  # the share of them this process looks at, besides the sources (and content/ if listed)


class Incremental:
    """One build's questions to the cache and its answers to keep."""

    def __init__(self, config: Config, store: BuildCache | None) -> None:
        self.config, self.store = config, store
        self.records: Records = {}
        self.previous = output.Previous({}, set(), None)
        # What the build reads besides the posts, looked at once: by the no-change check and,
        # when that fails, by the build itself
        self.listed: tuple[Listing, Problems] | None = None
        self.listed_at: int | None = None  # when the listing began (ns): the cache's times are from then
        self.walked = False  # whether content/ was listed (else the last build's listing holds)
        self.other: dict[str, list[int]] = {}
        self.survey: Survey | None = None  # what the no-change check saw, when it looked
        self.shape: dict[str, Any] = {}  # the site's shape, for the next build (see page_keys)
        self.keys: PageKeys | None = None
        self.related_moved: set[int] | None = set()  # the places of the posts whose related posts changed
        self.paths = ""  # a digest of the pages' paths, in order (see same_paths)

    @classmethod
    def open(cls, config: Config, *, use_cache: bool = True, store: BuildCache | None = None) -> Incremental:
        """The build's cache: `store` (sitegen serve keeps one in memory), else the one on disk."""
        if store is None and use_cache:
            store = BuildCache.load(config)
        return cls(config, store)

    @property
    def warnings(self) -> list[SourceError]:
        """About the cache itself: one that could not be read, or was found damaged."""
        return self.store.warnings if self.store is not None else []

    def retrying(self, build: Callable[[], T]) -> T:
        """build(), started over without the cache if it finds the cache damaged."""
        try:
            return build()
        except CacheDamaged as exc:
            assert self.store is not None
            self.store.reset(f"ignoring the build cache: {exc}")
            self.survey = None
            return build()

    def begin(self) -> None:
        self.records = {}
        if self.store is not None:
            self.store.begin(since=self.listed_at)

    # --- the whole build -----------------------------------------------------------------------

    def unchanged(self) -> BuildReport | None:
        """The last build's report when nothing it read has changed since and its output is intact.

        Decided by sizes and modification times only: no post is read, no page rendered. What
        the look found changed is kept (`survey`) for the build that follows to trust the rest.
        """
        store = self.store
        if store is None or not store.inputs or not (self.config.output_dir / output.MARKER).is_file():
            return None
        self.survey, same_inputs = self._look(store)
        if not same_inputs or self.survey is None or self.survey.outputs or self.survey.folders:
            return None
        if self.survey.sources and not self._only_touched(store, self.survey.sources):
            return None
        self._keep_listing(store)
        return decode_report(store.inputs["report"], self.config.output_dir)

    def _only_touched(self, store: BuildCache, sources: set[str]) -> bool:
        """Whether the files whose size or time changed all hold the bytes the last build read (a
        save without a change, a checkout): then only their new stamps are recorded."""
        stamps = {}
        for name in sources:
            try:
                data, stamps[name] = _read_stamped(os.path.join(self.config.root, name))
            except OSError:
                return False
            if not store.same_bytes(name, data):
                return False
        store.restamp(self.config.output_dir, stamps, since=self.listed_at)
        return True

    def _look(self, store: BuildCache) -> tuple[Survey | None, bool]:
        """What changed since the last build among the files it read and wrote, by their sizes and
        times (None when its settings changed: no look), and whether its templates and other
        inputs are as they were.

        On a large site a forked copy looks at most output files while this process lists
        content/ (or finds its folders unchanged) and looks at the sources and the other output
        files: on two cores, at once.
        """
        config, out, recorded = self.config, self.config.output_dir, store.inputs
        if store.warnings or not store.wrote(out):
            return None, False
        future = recorded["next_future"]
        if recorded["config"] != config_digest(config) \
                or recorded.get("base_url_at") != _base_url_at(config) \
                or (future and config.now >= datetime.fromisoformat(future)):
            return None, False
        outputs = _output_looks(store, out)
        forked = config.jobs > 1 and len(store.output_stamps.names) >= SPLIT_LOOK_FROM
        here = LOOK_HERE if forked else 0.5  # where the output files are cut in two

        def look(part: int) -> list[tuple[str, str]]:
            if part == 1:
                return changed(outputs, here, 1.0)
            listing, problems = self._listed()
            if problems.errors or problems.warnings:
                return [("listing", "")]
            cut = len(str(config.root)) + 1
            names = [path[cut:].replace(os.sep, "/") for path in listing.files] if self.walked \
                else store.file_stamps.names  # the listing made of them
            if names == store.file_stamps.names:  # the same files: their stamps in the same order
                stamps: Sequence[int | None] = store.file_stamps.numbers
                found = []
            else:
                known = {name: (mtime, size) for name, mtime, size in store.file_stamps.pairs()}
                stamps = [n for name in names for n in known.get(name, (None, None))]
                found = [("sources", name) for name in {*store.file_stamps.names}.symmetric_difference(names)]
            sources = Look("sources", str(config.root), names, stamps, 2, store.racy_from)
            return found + changed([sources], 0.0, 1.0) + changed(outputs, 0.0, here)

        found = workers.in_two(look, forked=forked)
        if ("listing", "") in found:
            return None, False
        return survey_of(found), recorded["other"] == self.other \
            and not any(store.racy(mtime) for mtime, _ in self.other.values())

    # --- posts ---------------------------------------------------------------------------------

    def read_posts(self) -> tuple[list[Post], Problems]:
        """Every post and page, in path order, and every problem; with the cache, only the files
        it has no result for are parsed (by config.jobs worker processes when there are many)."""
        store, config = self.store, self.config
        listing, found = self._listed()
        files = listing.files
        results: list[tuple[Post | None, Problems] | None] = [None] * len(files)
        todo: list[tuple[int, PurePosixPath]] = []
        root = len(str(config.root)) + 1
        changed = self.survey.sources if self.survey is not None else None
        for index, path in enumerate(files):
            name = path[root:].replace(os.sep, "/")
            known = store.recall(name, path, changed) if store is not None else None
            if known is None and store is not None and name in store.files:  # touched: the same bytes?
                known = store.recall_bytes(name, *_read_stamped(path))
            if known is not None:
                results[index] = known
            else:
                todo.append((index, PurePosixPath(name)))
        # Each worker reads the files it parses: this process never holds all their bytes at once
        parsed = workers.mapped(_read_and_parse, [(source, files[index], config) for index, source in todo],
                                jobs=config.jobs, parallel_from=workers.PARSE_PARALLEL_FROM,
                                chunk=workers.PARSE_CHUNK)
        for (index, source), (post, problems, data_digest, stat) in zip(todo, parsed, strict=True):
            # One at a time, as they come: the cache swaps the HTML for a way to read it later
            if store is not None:
                post = store.keep(str(source), stat, data_digest, post, problems)
            results[index] = post, problems
        done = [result for result in results if result is not None]  # every one, in file order
        return [post for post, _ in done if post is not None], Problems(
            [*found.errors, *(error for _, problems in done for error in problems.errors)],
            [*found.warnings, *(warning for _, problems in done for warning in problems.warnings)])

    @property
    def listing(self) -> Listing:
        """What the build reads from content/."""
        return self._listed()[0]

    def _listed(self) -> tuple[Listing, Problems]:
        """content/ listed once, by the no-change check or else by the build; with the cache, the
        last build's listing while none of the folders it listed has changed."""
        if self.listed is None:
            self.listed_at = time.time_ns()
            known = self._relisted()
            self.walked = known is None
            self.listed = (known, Problems()) if known is not None else \
                (list_content(self.config, problems := Problems()), problems)
            if self.store is not None:
                self.other = other_inputs(self.config, self.listed[0])
        return self.listed

    def _relisted(self) -> Listing | None:
        """The last build's listing, when every folder it listed has its time of then: no file
        was added, removed or renamed in any of them since."""
        store = self.store
        record = store.inputs.get("listing") if store is not None else None
        if store is None or not record or store.warnings:
            return None
        try:
            names, times = zip(*record["folders"], strict=True)  # none: content/ was never listed
            if changed([Look("folders", str(self.config.root), names, times, 1, store.racy_from)], 0, 1):
                return None
            return Listing.from_record(self.config.root, store.file_stamps.names, record)
        except (KeyError, TypeError, ValueError, AttributeError):  # not of this shape: list again
            return None

    def _keep_listing(self, store: BuildCache) -> None:
        """After a no-change rebuild that listed content/ again: the listing, for the next to trust."""
        if self.walked:
            store.begin(since=self.listed_at)
            store.finish(self.config.output_dir, None,
                         inputs={**store.inputs, "listing": _listing_record(self.config, self.listed)})

    def relate(self, posts: tuple[Post, ...], posts_by_tag: dict[str, tuple[Post, ...]]
               ) -> dict[str, tuple[Post, ...]]:
        """related_posts for every post; with the cache, only for the posts whose tags moved.

        Related posts depend only on each post's place in date order and its tags. With the posts
        in the last build's order, only those whose tags changed, or that share a group that did,
        can get others. An edited text changes nothing; a tag added to a post redoes that tag's.
        """
        config, store = self.config, self.store
        if store is None or config.tags.related <= 0:  # without related posts: nothing to keep
            return related_posts(posts, posts_by_tag, config.tags.related)
        sources = [str(p.source) for p in posts]
        order = hashlib.sha256(repr((config.tags.related, sources)).encode()).hexdigest()
        # In the posts' order, which `order` stands for: by place rather than by path, a fifth of the size
        tags = [sorted(t.key for t in post.tags) for post in posts]
        last = store.related
        if last.get("order") == order and len(last["posts"]) == len(posts):
            moved = [place for place, keys in enumerate(tags) if last["tags"][place] != keys]
            lineage = Vocabulary.tags(config).lineage
            groups = {group for place in moved
                      for key in set(tags[place]).symmetric_difference(last["tags"][place])
                      for group in lineage(key)}
            redo = {id(posts[place]): posts[place] for place in moved}
            redo.update((id(post), post) for group in groups for post in posts_by_tag.get(group, ()))
            fresh = related_posts(posts, posts_by_tag, config.tags.related, only=redo.values()) \
                if redo else {}
            related = {source: fresh[source] if source in fresh else tuple(posts[place] for place in others)
                       for source, others in zip(sources, last["posts"], strict=True)}
            self.related_moved = {place for place, others in enumerate(last["posts"])
                                  if (new := fresh.get(sources[place])) is not None
                                  and new != tuple(posts[other] for other in others)}
        else:
            related, self.related_moved = related_posts(posts, posts_by_tag, config.tags.related), None
        if last.get("order") != order or last.get("tags") != tags:
            places = {id(post): place for place, post in enumerate(posts)}
            store.keep_related({"order": order, "tags": tags,
                                "posts": [[places[id(p)] for p in related[source]] for source in sources]})
        return related

    # --- pages and static files ----------------------------------------------------------------

    def same_paths(self, planned: Sequence[Page]) -> bool:
        """Whether the pages are at the last build's paths, in its order: that build found none
        claimed twice, so this one need not look again."""
        if self.store is None:  # nothing to compare with, nor to keep for the next build
            return False
        self.paths = digest("\n".join([str(page.path) for page in planned]))
        return self.store.shape.get("paths") == self.paths

    def previous_output(self) -> output.Previous:
        """The files of the last build that are still exactly as that build left them."""
        store, out = self.store, self.config.output_dir
        if store is None or not store.wrote(out) or not (out / output.MARKER).is_file():
            return self.previous
        survey = self.survey
        if survey is None:  # the no-change check did not look (--strict, a retry, other settings)
            survey = survey_of(changed(_output_looks(store, out), 0.0, 1.0))
        pages = store.pages
        trusted = {name: record for name, record in pages.items() if name not in survey.outputs} \
            if survey.outputs else pages
        unsure = sorted(map(PurePosixPath, survey.folders)) if store.folder_stamps.names else None
        self.previous = output.Previous(trusted, set(pages), unsure)
        return self.previous

    def page_keys(self, site: Site, env: Any) -> PageKeys:
        """What tells a page whose inputs did not change since the last build."""
        if self.store is None:
            return PageKeys(None, {}, [], None)
        from sitegen import renderer  # a build with nothing to render never loads Jinja

        store = self.store
        prints = Fingerprints(site, renderer.template_fingerprints(env, store.templates), store.sources())
        sources, shape, terms = site_shape(site)
        self.shape = {"shape": shape, "config": prints.config, "templates": prints.templates,
                      "sources": sources, "terms": terms, "paths": self.paths}
        same = store.shape.get("sources") == sources  # the posts in the same places
        self.keys = PageKeys(prints, self.previous.trusted, sources, self._steady(prints, site), same)
        return self.keys

    def _steady(self, prints: Fingerprints, site: Site) -> set[str] | None:
        """keys.steady_pages; None when the site's shape, configuration or templates changed, or its
        terms did while the last build's terms, or which posts' related posts moved, are unknown."""
        assert self.store is not None
        last, old, terms = self.store.shape, self.store.files, self.shape["terms"]
        if not last or any(last.get(k) != v for k, v in self.shape.items() if k not in ("terms", "paths")) \
                or (last.get("terms") != terms and None in (last.get("terms"), self.related_moved)):
            return None
        changed = {place for place, source in enumerate(last["sources"])  # or not kept in the cache
                   if (now := prints.sources.get(source)) is None or now != old.get(source, {}).get("digest")}
        parts = {name for name, value in last["parts"].items() if prints.of_site(name) != value}
        related = {str(output_path(site.posts[place].url)) for place in self.related_moved or ()}
        return steady_pages(self.previous.trusted, changed, parts, site, last["terms"], terms, related)

    def rendered(self, path: PurePosixPath, state: PageState) -> None:
        if self.store is not None:
            key, read, posts, terms = state
            record = self.records[path] = {"key": key, "site": read, "posts": posts}
            if terms:  # most pages show none: none kept
                record["terms"] = terms

    def static_unchanged(self, path: PurePosixPath, source: Path) -> bool:
        """Whether the output's copy of a static file is as the last build left it; noted."""
        info = source.stat()
        stamp = [info.st_mtime_ns, info.st_size]
        self.records[path] = {"static": stamp}
        record = self.previous.trusted.get(str(path))
        return record is not None and record.get("static") == stamp

    # --- after the build -----------------------------------------------------------------------

    def remember(self, report: BuildReport, next_future: datetime | None, new_site: output.NewSite) -> None:
        """Record what this build read and wrote, for the next build to compare."""
        store, out, previous = self.store, self.config.output_dir, self.previous
        if store is None:
            return
        inputs = _inputs(self.config, report, next_future, self.other, self.listed)
        if not (report.changed or report.rendered or store.stale() or previous.unsure):
            store.finish(out, None, inputs=inputs)  # unsure above: folders have new times
            return
        written = set(new_site.staged) if not new_site.fresh and not self.config.search else None
        for path, record in self.records.items():
            earlier = previous.trusted.get(str(path))
            if written is None or path in written or earlier is None:
                info = (out / path).stat()
                record["out"] = [info.st_mtime_ns, info.st_size]
            else:
                record["out"] = earlier["out"]
        touched = None if written is None or previous.unsure is None else {
            *output.ancestors(new_site.staged + new_site.removed), *map(str, previous.unsure)}
        same_files = previous.recorded == {str(path) for path in self.records}  # so the same folders
        folders = {name: store.folders[name] if touched is not None and name not in touched
                   and name in store.folders else os.stat(f"{out}/{name}").st_mtime_ns
                   for name in (store.folders if same_files else output.ancestors(self.records))}
        if self.keys is not None and self.keys.prints is not None:
            prints = self.keys.prints
            read = {name for record in self.records.values() for name in record.get("site", ())}
            self.shape["parts"] = {name: prints.of_site(name) for name in sorted(read)}
        store.finish(out, {str(p): r for p, r in self.records.items()}, folders, inputs, self.shape)


def _read_and_parse(source: PurePosixPath, path: str, config: Config
                    ) -> tuple[Post | None, Problems, str, list[int]]:
    """A file parsed (in a worker, when there are many), the digest of its bytes, and its stamp."""
    data, stamp = _read_stamped(path)
    return (*parser.parse_file(source, data, config), digest(data), stamp)


def _read_stamped(path: str) -> tuple[bytes, list[int]]:
    """A file's bytes, and its time and size taken before they were read: a later change shows later."""
    with open(path, "rb") as file:
        info = os.fstat(file.fileno())
        return file.read(), [info.st_mtime_ns, info.st_size]


def _inputs(config: Config, report: BuildReport, next_future: datetime | None,
            other: dict[str, list[int]], listed: tuple[Listing, Problems] | None) -> dict[str, Any]:
    """What the no-change check compares next time, besides the posts (in the cache) and the output."""
    return {
        "config": config_digest(config), "other": other,
        "listing": _listing_record(config, listed),
        "base_url_at": _base_url_at(config),  # where the report's warning about it points
        "next_future": next_future.isoformat() if next_future else None,
        "report": encode_report(report, FOLDER),  # without the warnings about this build's cache
    }


def _listing_record(config: Config, listed: tuple[Listing, Problems] | None) -> dict[str, Any] | None:
    """What the next build may trust of this listing: none of one with problems, which are the
    build's to report each time."""
    if listed is None or listed[1].errors or listed[1].warnings:
        return None
    return listed[0].record(config.root)


def _output_looks(store: BuildCache, out: Path) -> list[Look]:  # the last build's files and folders
    return [Look("outputs", str(out), *store.output_stamps, 2),
            Look("folders", str(out), *store.folder_stamps, 1)]


def _base_url_at(config: Config) -> list[object] | None:
    return None if config.base_url_at is None else list(config.base_url_at)
