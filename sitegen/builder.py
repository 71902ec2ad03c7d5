"""Compose the stages: content -> Site -> pages -> files. The only module that writes the site.

The first build is written into a staging folder and renamed into place; later builds stage the
files whose bytes changed and apply them through an undo journal, so a failed or interrupted
build leaves the old output whole. Imports every module above it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib.util
import ipaddress
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from sitegen import pages as pages_stage
from sitegen import parser
from sitegen import site as site_stage
from sitegen.cache import FOLDER, BuildCache, Fingerprints, config_digest, decode_errors
from sitegen.errors import (
    BuildError,
    CacheDamaged,
    ConfigError,
    ContentError,
    OutputError,
    Problems,
    SourceError,
    TemplateError,
    WriteError,
)
from sitegen.models import BuildReport, Config, Page, Site

MARKER = ".sitegen"
THEME_DIR = Path(__file__).parent / "theme"  # renderer.THEME_DIR, known without loading Jinja
JOURNAL, APPLYING = "journal.json", "APPLYING"  # in .<output>.old-*/ while changes are applied
LOCK_WAIT = 120  # seconds a build waits for another build of the same output
_MARKER_TEXT = b"This folder is written by sitegen build and replaced on every build.\n"


Progress = Callable[[int, int], None]


def build(config: Config, *, strict: bool = False, progress: Progress | None = None,
          use_cache: bool = True, store: BuildCache | None = None) -> BuildReport:
    """Build the site into config.output_dir, or raise BuildError with every problem found.

    With the cache, unchanged posts are not parsed again, pages whose inputs did not change are
    not rendered again, and output files whose bytes did not change keep their modification time.
    """
    started = time.perf_counter()
    check_output_dir(config)
    if config.search and importlib.util.find_spec("pagefind") is None:
        raise BuildError([ContentError(
            "sitegen.yaml", "search: true needs Pagefind, which is not installed",
            hint="pip install 'pagefind[bin]>=1.3' where sitegen is installed, or set search: false")])
    if store is None and use_cache:
        store = BuildCache.load(config)
    listed, other = None, {}
    if store is not None:  # what this build reads besides the posts, looked at once
        listed = parser.content_files(config, problems := Problems()), problems
        other = _other_inputs(config)
        if not strict and store.inputs and (config.output_dir / MARKER).is_file():
            with _locked(config.output_dir):
                unchanged = _unchanged(config, store, listed, other)
            if unchanged is not None:
                return dataclasses.replace(unchanged, seconds=time.perf_counter() - started)
    try:
        report = _build(config, strict, progress, store, listed, other)
    except CacheDamaged as exc:
        assert store is not None
        store.reset(f"ignoring the build cache: {exc}")
        report = _build(config, strict, progress, store, listed, other)
    return dataclasses.replace(report, seconds=time.perf_counter() - started)


def _build(config: Config, strict: bool, progress: Progress | None, store: BuildCache | None,
           listed: tuple[list[Path], Problems] | None, other: dict[str, list[int]]) -> BuildReport:
    if store is not None:
        store.begin()
    site, planned, warnings = plan(config, store, listed)
    warnings = sorted(warnings + _config_warnings(config, site) + (store.warnings if store else []),
                      key=SourceError.sort_key)
    if strict and warnings:
        raise BuildError([_as_error(w) for w in warnings])
    static = _static_files(config, {p.path for p in planned})
    out = config.output_dir
    with _locked(out):
        previous = _previous_build(out, store)
        new_site = _NewSite(config, previous)
        try:
            records, rendered = _produce(site, planned, static, previous.trusted, store, progress,
                                         new_site)
            changed = new_site.finish()
        except OSError as exc:
            raise WriteError(f"{exc.strerror or exc} while writing {exc.filename or out}\n"
                             f"    hint: the previous site in {out} was left as it was") from None
        finally:
            new_site.discard()
        report = BuildReport(
            output_dir=config.output_dir, pages=len(planned), posts=len(site.posts),
            tags=len(site.tags), static_files=len(static), drafts_skipped=site.drafts_skipped,
            kinds=MappingProxyType(dict(sorted(Counter(p.template for p in planned).items()))),
            future_skipped=site.future_skipped, warnings=tuple(warnings), rendered=rendered,
            changed=changed, seconds=0.0,
        )
        if store is not None:
            inputs = _inputs(config, report, site.next_future, other)
            if changed or rendered or store.stale() or previous.unsure:  # unsure: new folder times
                written = set(new_site.staged) if not new_site.fresh and not config.search else None
                for path, record in records.items():
                    earlier = previous.trusted.get(str(path))
                    if written is None or path in written or earlier is None:
                        info = (out / path).stat()
                        record["out"] = [info.st_mtime_ns, info.st_size]
                    else:
                        record["out"] = earlier["out"]
                touched = None if written is None or previous.unsure is None else {
                    *_ancestors(new_site.staged + new_site.removed), *map(str, previous.unsure)}
                folders = {name: store.folders[name] if touched is not None and name not in touched
                           and name in store.folders else os.stat(f"{out}/{name}").st_mtime_ns
                           for name in _ancestors(records)}
                store.finish(out, {str(p): r for p, r in records.items()}, folders, inputs)
            else:
                store.finish(out, None, inputs=inputs)
    return report


def _unchanged(config: Config, store: BuildCache, listed: tuple[list[Path], Problems],
               other: dict[str, list[int]]) -> BuildReport | None:
    """The last build's report when nothing it read has changed since and its output is intact.

    Decided by sizes and modification times only: no post is read, no page rendered.
    """
    recorded = store.inputs
    out = config.output_dir
    if not recorded or store.warnings or store.output != str(out) or not (out / MARKER).is_file():
        return None
    if recorded["config"] != config_digest(config) or recorded.get("base_url_at") != _base_url_at(config) \
            or (recorded["next_future"] and config.now >= datetime.fromisoformat(recorded["next_future"])):
        return None
    files, problems = listed
    if problems.errors or problems.warnings or len(files) != len(store.files):
        return None
    root = str(config.root) + os.sep
    for path in files:
        record = store.files.get(str(path)[len(root):].replace(os.sep, "/"))
        info = os.stat(path)
        if record is None or record["stat"] != [info.st_mtime_ns, info.st_size] \
                or store.racy(info.st_mtime_ns):
            return None
    if recorded["other"] != other or any(store.racy(mtime) for mtime, _ in other.values()):
        return None
    base = str(out) + os.sep
    try:
        for name, record in store.pages.items():
            info = os.stat(base + name)
            if record["out"] != [info.st_mtime_ns, info.st_size]:
                return None
        for name, mtime in store.folders.items():
            if os.stat(base + name).st_mtime_ns != mtime:
                return None
    except (OSError, KeyError):
        return None
    report = recorded["report"]
    return BuildReport(
        output_dir=out, pages=report["pages"], posts=report["posts"], tags=report["tags"],
        static_files=report["static_files"], drafts_skipped=report["drafts_skipped"],
        future_skipped=report["future_skipped"], kinds=MappingProxyType(report["kinds"]),
        warnings=tuple(decode_errors(report["warnings"])), rendered=0, changed=0, seconds=0.0)


def _inputs(config: Config, report: BuildReport, next_future: datetime | None,
            other: dict[str, list[int]]) -> dict[str, Any]:
    """What _unchanged compares next time, besides the posts (in the cache) and the output."""
    return {
        "config": config_digest(config), "other": other,
        "base_url_at": _base_url_at(config),  # where the report's warning about it points
        "next_future": next_future.isoformat() if next_future else None,
        "report": {"pages": report.pages, "posts": report.posts, "tags": report.tags,
                   "static_files": report.static_files, "drafts_skipped": report.drafts_skipped,
                   "future_skipped": report.future_skipped, "kinds": dict(report.kinds),
                   "warnings": [[w.path, w.message, w.line, w.col, w.hint] for w in report.warnings
                                if not w.path.startswith(FOLDER)]},  # about this build's cache only
    }


def _base_url_at(config: Config) -> list[object] | None:
    return None if config.base_url_at is None else list(config.base_url_at)


def _other_inputs(config: Config) -> dict[str, list[int]]:
    """Size and time of the templates, the theme and the static files."""
    found = {}
    for folder in (config.templates_dir, THEME_DIR, config.static_dir):
        for here, _, names in os.walk(folder):
            for name in names:
                path = os.path.join(here, name)
                try:
                    info = os.stat(path)
                except OSError:
                    continue
                found[path] = [info.st_mtime_ns, info.st_size]
    return dict(sorted(found.items()))


Records = dict[PurePosixPath, dict[str, Any]]  # what the cache keeps about each output file


def _previous_build(out: Path, store: BuildCache | None) -> Previous:
    """The files of the last build that are still exactly as that build left them."""
    if store is None or store.output != str(out) or not (out / MARKER).is_file():
        return Previous({}, set(), None)
    trusted = {}
    base = str(out) + os.sep
    for name, record in store.pages.items():
        try:
            info = os.stat(base + name)
        except OSError:
            continue
        if record.get("out") == [info.st_mtime_ns, info.st_size]:
            trusted[name] = record
    unsure = []
    for name, mtime in store.folders.items():  # a file added by hand changes its folder's time
        try:
            if os.stat(base + name).st_mtime_ns != mtime:
                unsure.append(PurePosixPath(name))
        except OSError:
            continue
    return Previous(trusted, set(store.pages),
                    unsure if store.folders else None)


def _produce(site: Site, planned: list[Page], static: dict[PurePosixPath, Path],
             previous: dict[str, dict[str, Any]], store: BuildCache | None, progress: Progress | None,
             new_site: _NewSite) -> tuple[Records, int]:
    """Every output file, rendering only the pages whose inputs changed since the last build."""
    from sitegen import renderer  # here: a build with nothing to render never loads Jinja

    env = renderer.make_environment(site.config)
    prints = Fingerprints(site, renderer.template_fingerprints(env, store.templates), store.sources()) \
        if store is not None else None
    render = _Renderer(env, site, prints, previous, new_site)
    checked = [render.unchanged(page) for page in planned]
    todo = [page for page, known in zip(planned, checked, strict=True) if known is None]
    if progress is not None:
        progress(len(planned) - len(todo), len(planned))
    fresh = iter(_render_pages(render, todo, site.config, progress, len(planned) - len(todo), len(planned)))
    records: Records = {}
    errors: dict[tuple[str, int | None], TemplateError] = {}
    rendered = 0
    for page, known in zip(planned, checked, strict=True):
        outcome = known or next(fresh)
        if isinstance(outcome, TemplateError):
            errors.setdefault((outcome.path, outcome.line), outcome)
            continue
        staged, key, read = outcome
        if staged is None:
            new_site.keep(page.path)
        else:
            new_site.record(page.path, staged)
            rendered += 1
        if prints is not None:
            records[page.path] = {"key": key, "site": read}
    if errors:
        raise BuildError(errors.values())
    for path, source in static.items():
        info = source.stat()
        stamp = [info.st_mtime_ns, info.st_size]
        record = previous.get(str(path))
        if record is not None and record.get("static") == stamp:
            new_site.keep(path)
        else:
            new_site.copy(path, source)
        records[path] = {"static": stamp}
    return records, rendered


# staged (None: inputs unchanged, not rendered), cache key, parts of the site read
Outcome = tuple[bool | None, str | None, list[str]] | TemplateError
PARALLEL_RENDER_FROM = 300  # fewer pages are rendered sooner by this process than by forking


@dataclasses.dataclass
class _Renderer:
    """Tells the pages whose inputs did not change; renders and stages the others, here or in
    forked workers."""

    env: Any
    site: Site
    prints: Fingerprints | None
    previous: dict[str, dict[str, Any]]
    new_site: _NewSite

    def unchanged(self, page: Page) -> Outcome | None:
        """The last build's outcome for a page whose inputs are all as they were then."""
        record = self.previous.get(str(page.path))
        if self.prints is not None and record is not None and "key" in record \
                and self.prints.of_page(page, record["site"]) == record["key"]:
            return None, record["key"], record["site"]
        return None

    def __call__(self, page: Page) -> Outcome:
        from sitegen import renderer

        read: set[str] = set()
        try:
            data = renderer.render_page(self.env, page, self.site, read=read)
        except TemplateError as error:
            return error
        staged = self.new_site.stage(page.path, data)
        return staged, self.prints.of_page(page, read) if self.prints else None, sorted(read)


# What forked render workers inherit: set before they start, cleared when they are done
_FORKED: dict[str, tuple[_Renderer, list[Page], Any, int]] = {}
SHARES_PER_PROCESS = 64  # small enough for the processes to end together, large enough to be cheap


def _render_shares() -> list[tuple[int, list[Outcome]]]:
    return list(_take_shares(*_FORKED["work"]))


def _take_shares(render: _Renderer, pages: list[Page], cursor: Any,
                 size: int) -> Iterator[tuple[int, list[Outcome]]]:
    """Render the next `size` pages that no process has taken, until none are left."""
    while True:
        with cursor.get_lock():
            start = cursor.value
            cursor.value = start + size
        if start >= len(pages):
            return
        yield start, [render(pages[i]) for i in range(start, min(start + size, len(pages)))]


def _render_pages(render: _Renderer, pages: list[Page], config: Config, progress: Progress | None,
                  done: int, total: int) -> list[Outcome]:
    """Each page's outcome, in page order.

    Many pages are shared out between this process and jobs - 1 forked workers, each taking the
    next pages from a shared cursor: one process fewer to hold in memory than a pool doing the
    work while this one waits. Forked, not spawned: workers inherit the site and the templates.
    Each writes its pages into the staging folder and sends back only what the cache keeps.
    """
    outcomes: list[Outcome | None] = [None] * len(pages)
    pool = None
    if len(pages) >= PARALLEL_RENDER_FROM and config.jobs > 1:
        import multiprocessing

        cursor = multiprocessing.get_context("fork").Value("q", 0)
        size = -(-len(pages) // (config.jobs * SHARES_PER_PROCESS))
        render.new_site.staging_folder()  # made once, before the workers write into it
        _FORKED["work"] = render, pages, cursor, size
        pool = parser.worker_pool(config.jobs - 1, fork_only=True)
    try:
        if pool is None:
            for index, page in enumerate(pages):
                outcomes[index] = render(page)
                if progress is not None:
                    progress(done + index + 1, total)
            return outcomes  # type: ignore[return-value]  # every page has one
        with pool:
            helpers = [pool.submit(_render_shares) for _ in range(config.jobs - 1)]
            try:
                for start, results in _take_shares(render, pages, cursor, size):
                    outcomes[start:start + len(results)] = results
                    if progress is not None:  # pages taken by every process, nearly all rendered
                        progress(done + min(cursor.value, len(pages)), total)
                    for helper in helpers:
                        if helper.done() and helper.exception() is not None:
                            helper.result()  # a worker failed: stop, and say why
            except BaseException:
                with cursor.get_lock():
                    cursor.value = len(pages)  # the pages left: workers stop at their next share
                raise
            for helper in helpers:
                for start, results in helper.result():
                    outcomes[start:start + len(results)] = results
        if progress is not None:
            progress(done + len(pages), total)
    finally:
        _FORKED.clear()
    return outcomes  # type: ignore[return-value]  # every share was taken by one process


class _NewSite:
    """The new output, gathered file by file.

    The first build writes everything into a staging folder and renames it into place. Later
    builds stage only the files whose bytes changed and apply them to the output through a
    journal: old files are saved first, so a failure or a kill in the middle is rolled back
    (here, or by the next build) and the output is always the old build or the new one.
    """

    def __init__(self, config: Config, previous: Previous) -> None:
        self.config, self.out, self.previous = config, config.output_dir, previous
        self.staging: Path | None = None
        self.kept: list[PurePosixPath] = []
        self.staged: list[PurePosixPath] = []
        self.removed: list[PurePosixPath] = []
        self.paths: set[PurePosixPath] = set()
        self.fresh = not (self.out / MARKER).is_file()

    def keep(self, path: PurePosixPath) -> None:
        self.paths.add(path)
        self.kept.append(path)

    def stage(self, path: PurePosixPath, data: bytes) -> bool:
        """Write a page into staging unless the output has it already; say whether it was written.

        Safe in forked workers: it records nothing; `record` does, in the build's own process.
        """
        if not self.fresh and _same_bytes(self.out / path, data):
            return False
        _write(self.staging_folder(), path, data)
        return True

    def record(self, path: PurePosixPath, staged: bool) -> None:
        self.paths.add(path)
        (self.staged if staged else self.kept).append(path)

    def copy(self, path: PurePosixPath, source: Path) -> None:
        self.paths.add(path)
        old = self.out / path
        if not self.fresh and old.is_file() and old.stat().st_size == source.stat().st_size \
                and old.read_bytes() == source.read_bytes():
            self.kept.append(path)
        else:
            _place(self.staging_folder(), path, source, link=False)
            self.staged.append(path)

    def staging_folder(self) -> Path:
        if self.staging is None:
            with parser.signals_held():  # made and known as one step, so discard() finds it
                self.staging = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.staging-",
                                                     dir=self.out.parent))
        return self.staging

    def finish(self) -> int:
        """Put the new site in place; return the number of files added, changed or removed."""
        try:
            if self.fresh:
                staging = self.staging_folder()
                _write(staging, PurePosixPath(MARKER), _MARKER_TEXT)
                if self.config.search:
                    _index_for_search(staging)
                with contextlib.suppress(OSError):
                    self.out.rmdir()  # an empty folder given with -o
                os.replace(staging, self.out)
                self.staging = None
                return len(self.staged)
            removed = self.removed = self._removed()
            if self.config.search:
                if self.staged or removed:
                    self._replace_whole()
                return len(self.staged) + len(removed)
            if self.staged or removed:
                _apply(self.out, self.staging, self.staged, removed)
            return len(self.staged) + len(removed)
        except OSError as exc:
            raise WriteError(f"{exc.strerror or exc} while writing {exc.filename or self.out}\n"
                             f"    hint: the previous site in {self.out} was left as it was") from None

    def _removed(self) -> list[PurePosixPath]:
        """Files of the last build that this one does not make, and files put there by hand."""
        keep = {MARKER, *self.config.keep_files}
        made = {str(p) for p in self.paths}
        gone = self.previous.recorded - made
        folders = set(_ancestors(self.paths))
        for folder in (self.previous.unsure if self.previous.unsure is not None else _folders(self.out)):
            try:
                entries = list(os.scandir(self.out / folder))
            except OSError:
                continue
            for entry in entries:
                path = folder / entry.name
                if str(path) not in made and str(path) not in folders \
                        and keep.isdisjoint(str(p) for p in (path, *path.parents)):
                    gone.add(str(path))
        base = str(self.out) + os.sep
        return sorted(PurePosixPath(p) for p in gone if os.path.lexists(base + p)
                      and not any(str(parent) in gone for parent in PurePosixPath(p).parents))

    def _replace_whole(self) -> None:
        """With search on, the index covers every page: a complete new tree is swapped in."""
        staging = self.staging_folder()
        _place(staging, PurePosixPath(MARKER), self.out / MARKER, link=True)
        for path in self.kept:
            _place(staging, path, self.out / path, link=True)
        _index_for_search(staging)
        _keep(self.config, staging)
        _swap(staging, self.out)
        self.staging = None

    def discard(self) -> None:
        """Remove the staging folder of a build that failed or had nothing to change."""
        if self.staging is not None:
            with parser.signals_held():  # Ctrl-C or SIGTERM now would leave it half removed
                shutil.rmtree(self.staging, ignore_errors=True)
            self.staging = None


@dataclasses.dataclass
class Previous:
    """What the last build left in the output, as far as the cache knows it."""

    trusted: dict[str, dict[str, Any]]  # files exactly as the last build wrote them
    recorded: set[str]  # every file the last build wrote
    unsure: list[PurePosixPath] | None  # folders changed since (None: look at every folder)


def _ancestors(paths: Iterable[PurePosixPath]) -> list[str]:
    """Every folder that holds one of the paths, the top "." included."""
    found = {"."}
    for path in paths:
        name = str(path)
        while "/" in name:
            name = name.rpartition("/")[0]
            if name in found:
                break
            found.add(name)
    return sorted(found)


def _folders(out: Path) -> list[PurePosixPath]:
    return [PurePosixPath(os.path.relpath(folder, out)) for folder, _, _ in os.walk(out)]


def _apply(out: Path, staging: Path | None, staged: list[PurePosixPath],
           removed: list[PurePosixPath]) -> None:
    """Apply a change set to the output through a journal that can undo it at any point."""
    steps = [("remove", str(p)) for p in removed]
    made = set()
    for path in staged:
        for parent in reversed(path.parents[:-1]):
            if parent not in made and (parent in removed or not (out / parent).is_dir()):
                made.add(parent)
                steps.append(("mkdir", str(parent)))
    steps += [("put", str(p)) for p in staged]
    emptied = sorted({parent for p in removed for parent in p.parents[:-1]},
                     key=lambda p: len(p.parts), reverse=True)
    journal = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))

    def write_journal() -> None:
        (journal / JOURNAL).write_text(json.dumps({"output": out.name, "steps": steps}), encoding="utf-8")

    try:
        write_journal()
        for index, (kind, name) in enumerate(steps):  # the files to be replaced, saved before any change
            if kind == "put" and (out / name).is_file():
                _place(journal, PurePosixPath(str(index)), out / name, link=True)
        with parser.signals_held():
            (journal / APPLYING).touch()
            for index, (kind, name) in enumerate(steps):
                if kind == "mkdir":
                    os.mkdir(out / name)
                elif kind == "put":
                    assert staging is not None
                    os.replace(staging / name, out / name)
                else:
                    os.replace(out / name, journal / str(index))
            for folder in emptied:  # a clean build would not have them
                if (out / folder).is_dir() and not any((out / folder).iterdir()):
                    steps.append(("rmdir", str(folder)))
                    write_journal()
                    os.rmdir(out / folder)
            (journal / APPLYING).unlink()  # the commit: from here on the new site stands
    except BaseException:
        _roll_back(journal, out)
        raise
    shutil.rmtree(journal, ignore_errors=True)


def _roll_back(journal: Path, out: Path) -> None:
    """Undo an interrupted _apply; every step is undone whether or not it was carried out."""
    if (journal / APPLYING).is_file():
        steps = json.loads((journal / JOURNAL).read_text(encoding="utf-8"))["steps"]
        for index in reversed(range(len(steps))):
            kind, name = steps[index]
            target, saved = out / name, journal / str(index)
            if kind == "mkdir":
                with contextlib.suppress(OSError):
                    os.rmdir(target)
            elif kind == "rmdir":
                target.mkdir(exist_ok=True)
            elif os.path.lexists(saved):
                os.replace(saved, target)
            elif kind == "put":
                with contextlib.suppress(FileNotFoundError):
                    target.unlink()
    shutil.rmtree(journal, ignore_errors=True)


def _same_bytes(old: Path, data: bytes) -> bool:
    try:
        return old.stat().st_size == len(data) and old.read_bytes() == data
    except OSError:
        return False


def check(config: Config, *, external: bool = False) -> tuple[list[SourceError], list[SourceError]]:
    """Build in memory, write nothing; return (broken links and site errors, warnings)."""
    try:
        site, planned, warnings = plan(config)
        rendered = render_all(site, planned)
        static = _static_files(config, {p.path for p in planned})
    except BuildError as exc:
        return list(exc.errors), list(exc.warnings)
    outputs = dict(rendered)
    for path, source in static.items():
        outputs[path] = source.read_bytes() if path.suffix == ".html" else b""
    from sitegen import check as check_stage

    errors = check_stage.check_links(site, outputs)
    if external:
        errors += check_stage.check_external(site)
    located = {(e.path, e.line) for e in errors}
    warnings = [w for w in warnings + _config_warnings(config, site)
                if (w.path, w.line) not in located]  # said once, as an error
    return sorted(errors, key=SourceError.sort_key), sorted(warnings, key=SourceError.sort_key)


def plan(config: Config, store: BuildCache | None = None,
         listed: tuple[list[Path], Problems] | None = None) -> tuple[Site, list[Page], list[SourceError]]:
    """Read, collect and plan; raise BuildError with every content error of the site."""
    site, planned, errors, warnings = survey(config, store, listed)
    if errors:
        raise BuildError(errors, warnings=warnings)
    return site, planned, warnings


def survey(config: Config, store: BuildCache | None = None,
           listed: tuple[list[Path], Problems] | None = None,
           ) -> tuple[Site, list[Page], list[SourceError], list[SourceError]]:
    """Read, collect and plan what the content allows (posts that cannot be read are left out):
    the site, its pages, every error (sorted) and every warning."""
    documents, problems = parser.read_posts(config, store, listed)
    site, site_errors, site_warnings = site_stage.collect_site(config, documents, store)
    planned = pages_stage.plan_pages(site)
    errors = problems.errors + site_errors + pages_stage.find_collisions(planned)
    warnings = sorted(problems.warnings + site_warnings, key=SourceError.sort_key)
    return site, planned, sorted(errors, key=SourceError.sort_key), warnings


def render_all(site: Site, planned: list[Page],
               progress: Progress | None = None) -> dict[PurePosixPath, bytes]:
    """Render every page; a broken template is reported once, not once per page."""
    from sitegen import renderer

    env = renderer.make_environment(site.config)
    rendered: dict[PurePosixPath, bytes] = {}
    errors: dict[tuple[str, int | None], TemplateError] = {}
    for done, page in enumerate(planned, start=1):
        if progress is not None:
            progress(done, len(planned))
        try:
            rendered[page.path] = renderer.render_page(env, page, site)
        except TemplateError as error:
            errors.setdefault((error.path, error.line), error)
    if errors:
        raise BuildError(errors.values())
    return rendered


def check_output_dir(config: Config) -> None:
    """Refuse an output folder whose replacement could destroy anything but an earlier build."""
    out, root = config.output_dir.resolve(), config.root
    reason = None
    if out == root or root.is_relative_to(out):
        reason = "it contains the site folder"
    elif out == Path.home().resolve():
        reason = "it is your home folder"
    elif any(out.is_relative_to(d.resolve()) for d in (config.content_dir, config.templates_dir,
                                                        config.static_dir)):
        reason = "it is inside content/, templates/ or static/"
    elif out.exists() and not out.is_dir():
        reason = "it is a file"
    elif out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        names = sorted(p.name for p in out.iterdir())
        shown = ", ".join(names[:4]) + (f" and {len(names) - 4} more" if len(names) > 4 else "")
        reason = f"it holds files that sitegen did not write ({shown})"
    if reason:
        raise OutputError(f"refusing to write the site to {config.output_dir}: {reason}\n"
                          "    hint: choose an empty or new folder with -o, e.g. -o public")


def _config_warnings(config: Config, site: Site) -> list[SourceError]:
    warnings: list[SourceError] = []
    if not site.posts and not site.pages:
        warnings.append(ContentError("content", "no posts found",
                                     hint="add Markdown files to content/posts/ (sitegen new \"Title\")"))
    elif not config.preview and (warning := _base_url_warning(config)) is not None:
        warnings.append(warning)
    return warnings


def _base_url_warning(config: Config) -> SourceError | None:
    """Feeds, the sitemap and canonical links need the address the site is published at: an
    unset base_url, or one no published site can have, is said once per build."""
    uses = "feeds, the sitemap and canonical links"
    if config.base_url_at is None:
        return ConfigError(
            "sitegen.yaml", f"base_url is not set; {uses} will point at {config.base_url}",
            hint="set base_url in sitegen.yaml to the address the site is published at "
                 "(base_url: https://your.domain/), or pass --base-url")
    reason = _example_host(config.base_url)
    if reason is None:
        return None
    path, line, col = config.base_url_at
    hint = ("pass the address the site is published at, e.g. --base-url https://you.github.io/blog/"
            if path == "--base-url" else
            "set base_url in sitegen.yaml to the address the site is published at, e.g. "
            "base_url: https://you.github.io/blog/")
    return ConfigError(path, f"base_url {config.base_url} is not a public address ({reason}); "
                       f"{uses} will point at it", line=line, col=col, hint=hint)


_EXAMPLE_DOMAINS = ("example.com", "example.net", "example.org")  # RFC 2606, with subdomains
_EXAMPLE_TLDS = ("example", "test", "invalid")  # RFC 2606 reserved top-level names
_PLACEHOLDERS = ("your.domain",)  # in the comment sitegen init writes, if uncommented as it is


def _example_host(url: str) -> str | None:
    """Why no reader can reach `url`'s host, or None when it may be a real one. Private networks
    (10.x, .local, .internal) are left alone: a site may be published on one."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    try:
        address: ipaddress.IPv4Address | ipaddress.IPv6Address | None = ipaddress.ip_address(host)
    except ValueError:
        address = None
    labels = host.split(".")
    if (address is not None and (address.is_loopback or address.is_unspecified)) \
            or labels[-1] == "localhost":  # RFC 6761: localhost and every name under it
        return f"{host} is this computer"
    if ".".join(labels[-2:]) in _EXAMPLE_DOMAINS or labels[-1] in _EXAMPLE_TLDS:
        return f"{host} is reserved for examples"
    if host in _PLACEHOLDERS:
        return f"{host} is a placeholder"
    return None


def _as_error(warning: SourceError) -> SourceError:
    return ContentError(warning.path, f"{warning.message} (--strict)", line=warning.line,
                        col=warning.col, hint=warning.hint)


def _static_files(config: Config, generated: set[PurePosixPath]) -> dict[PurePosixPath, Path]:
    """Theme assets, then the site's static/ over them; a file that clashes with a page is an error."""
    files: dict[PurePosixPath, Path] = {}
    errors: list[SourceError] = []
    for folder in (THEME_DIR / "static", config.static_dir):
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            relative = PurePosixPath(path.relative_to(folder).as_posix())
            if not path.is_file() or ".git" in relative.parts:
                continue
            if folder == config.static_dir and not path.resolve().is_relative_to(config.root):
                errors.append(ContentError(path.relative_to(config.root).as_posix(),
                                           f"links to {path.resolve()}, outside the site folder",
                                           hint="copy the file into static/ instead"))
            elif relative in generated:
                errors.append(ContentError(
                    path.relative_to(config.root).as_posix(),
                    f"would overwrite the generated page {relative}",
                    hint=f"remove it, or override the template that makes {relative} instead"))
            else:
                files[relative] = path
    if errors:
        raise BuildError(errors)
    return files


def _target(root: Path, relative: PurePosixPath) -> Path:
    """Where an output file goes; refuses any path that would leave root."""
    if relative.is_absolute() or any(part in ("", ".", "..") for part in relative.parts):
        raise OutputError(f"refusing to write outside the output folder: {relative}")
    target = root.joinpath(*relative.parts)
    target.parent.mkdir(parents=True, exist_ok=True)
    return target


def _write(root: Path, relative: PurePosixPath, data: bytes) -> None:
    """The one function that writes new bytes into the output."""
    _target(root, relative).write_bytes(data)


def _place(root: Path, relative: PurePosixPath, source: Path, *, link: bool) -> None:
    """An existing file into the output: a hard link to the last build's copy, else a copy."""
    target = _target(root, relative)
    if link:
        try:
            os.link(source, target)
            return
        except OSError:
            pass  # a file system without hard links: copying keeps the time too
    shutil.copy2(source, target) if link else shutil.copyfile(source, target)


def _index_for_search(staging: Path) -> None:
    """Run Pagefind over the new site; its index lands in pagefind/ beside the pages."""
    result = subprocess.run(
        [sys.executable, "-m", "pagefind", "--site", str(staging), "--output-subdir", "pagefind"],
        capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise WriteError(f"the search index could not be built:\n{result.stderr or result.stdout}")


def _keep(config: Config, staging: Path) -> None:
    """Copy the files named by keep_files (a CNAME, a .git folder) from the old output."""
    for name in config.keep_files:
        kept = config.output_dir / name
        if kept.is_symlink() or not kept.exists() or (staging / name).exists():
            continue
        (staging / name).parent.mkdir(parents=True, exist_ok=True)
        if kept.is_dir():
            shutil.copytree(kept, staging / name, symlinks=True)
        else:
            shutil.copy2(kept, staging / name)


def _swap(staging: Path, out: Path) -> None:
    """Put the staging folder in place of the output; the old build is removed only afterwards."""
    if not out.exists():
        os.replace(staging, out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    try:
        os.replace(out, old / out.name)
    except OSError:
        old.rmdir()
        raise
    try:
        os.replace(staging, out)
    except OSError:
        os.replace(old / out.name, out)  # put the previous site back before reporting
        old.rmdir()
        raise
    shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def _locked(out: Path) -> Iterator[None]:
    """One build per output folder at a time; leftovers of killed builds are cleared under it."""
    out.parent.mkdir(parents=True, exist_ok=True)
    lock = out.parent / f".{out.name}.lock"
    with open(lock, "a+b") as handle:
        try:
            import fcntl
        except ImportError:  # not on Windows: one build at a time is then the user's business
            fcntl = None  # type: ignore[assignment]
        if fcntl is not None:
            _wait_for_lock(handle, fcntl, out)
        olds = sorted(out.parent.glob(f".{out.name}.old-*"))
        for old in olds:  # a build killed while applying its changes: undo them
            if (old / JOURNAL).is_file():
                _roll_back(old, out)
        if not out.exists():  # a build killed in the middle of its swap: put the old site back
            for old in olds:
                if (old / out.name).is_dir():
                    os.replace(old / out.name, out)
                    break
        for leftover in sorted(out.parent.glob(f".{out.name}.staging-*")) + olds:
            shutil.rmtree(leftover, ignore_errors=True)
        yield


def _wait_for_lock(handle: object, fcntl: Any, out: Path) -> None:
    """Wait for another build of the same output to finish; a killed holder frees it at once."""
    deadline = time.monotonic() + LOCK_WAIT
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise OutputError(f"another sitegen build has been writing {out} for {LOCK_WAIT} s\n"
                                  "    hint: wait for it to finish, then build again") from None
            time.sleep(0.05)
