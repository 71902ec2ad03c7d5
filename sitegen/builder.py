"""Compose the stages: content -> Site -> pages -> files. The only module that writes.

A build renders everything in memory, writes it into a staging folder beside the output, and
only then swaps it into place, so a failed or interrupted build leaves the old output whole.
Imports every module above it.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import Any

from sitegen import check as check_stage
from sitegen import pages as pages_stage
from sitegen import parser, renderer
from sitegen import site as site_stage
from sitegen.cache import BuildCache, Fingerprints
from sitegen.errors import (
    BuildError,
    ContentError,
    OutputError,
    SourceError,
    TemplateError,
    WriteError,
)
from sitegen.models import DEFAULT_BASE_URL, BuildReport, Config, Page, Site

MARKER = ".sitegen"
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
            hint="pip install 'sitegen[search]', or set search: false")])
    if store is None and use_cache:
        store = BuildCache.load(config)
    if store is not None:
        store.begin()
    site, planned, warnings = plan(config, store)
    warnings = sorted(warnings + _config_warnings(config, site) + (store.warnings if store else []),
                      key=SourceError.sort_key)
    if strict and warnings:
        raise BuildError([_as_error(w) for w in warnings])
    static = _static_files(config, {p.path for p in planned})
    out = config.output_dir
    with _locked(out):
        previous = _previous_build(out, store)
        new_site = _NewSite(config)
        try:
            records, rendered = _produce(site, planned, static, previous, store, progress, new_site)
            changed = new_site.finish(previous)
        except OSError as exc:
            raise WriteError(f"{exc.strerror or exc} while writing {exc.filename or out}\n"
                             f"    hint: the previous site in {out} was left as it was") from None
        finally:
            new_site.discard()
        if store is not None:
            if changed or rendered or store.stale():
                for path, record in records.items():
                    info = (out / path).stat()
                    record["out"] = [info.st_mtime_ns, info.st_size]
                store.finish(out, {str(p): r for p, r in records.items()})
            else:
                store.finish(out, None)
    return BuildReport(
        output_dir=config.output_dir, pages=len(planned), posts=len(site.posts),
        tags=len(site.tags), static_files=len(static), drafts_skipped=site.drafts_skipped,
        kinds=MappingProxyType(dict(sorted(Counter(p.template for p in planned).items()))),
        future_skipped=site.future_skipped, warnings=tuple(warnings), rendered=rendered,
        changed=changed, seconds=time.perf_counter() - started,
    )


Records = dict[PurePosixPath, dict[str, Any]]  # what the cache keeps about each output file


def _previous_build(out: Path, store: BuildCache | None) -> dict[PurePosixPath, dict[str, Any]]:
    """The files of the last build that are still exactly as that build left them."""
    if store is None or store.output != str(out) or not (out / MARKER).is_file():
        return {}
    trusted = {}
    for name, record in store.pages.items():
        try:
            info = (out / name).stat()
        except OSError:
            continue
        if record.get("out") == [info.st_mtime_ns, info.st_size]:
            trusted[PurePosixPath(name)] = record
    return trusted


def _produce(site: Site, planned: list[Page], static: dict[PurePosixPath, Path],
             previous: Records, store: BuildCache | None, progress: Progress | None,
             new_site: _NewSite) -> tuple[Records, int]:
    """Every output file, rendering only the pages whose inputs changed since the last build."""
    env = renderer.make_environment(site.config)
    prints = Fingerprints(site, renderer.template_fingerprints(env)) if store is not None else None
    records: Records = {}
    errors: dict[tuple[str, int | None], TemplateError] = {}
    rendered = 0
    for done, page in enumerate(planned, start=1):
        if progress is not None:
            progress(done, len(planned))
        record = previous.get(page.path)
        if prints is not None and record is not None and "key" in record \
                and prints.of_page(page, record["site"]) == record["key"]:
            new_site.keep(page.path)
            records[page.path] = {"key": record["key"], "site": record["site"]}
            continue
        read: set[str] = set()
        try:
            data = renderer.render_page(env, page, site, read=read)
        except TemplateError as error:
            errors.setdefault((error.path, error.line), error)
            continue
        if not errors:
            new_site.put(page.path, data)
        rendered += 1
        if prints is not None:
            records[page.path] = {"key": prints.of_page(page, read), "site": sorted(read)}
    if errors:
        raise BuildError(errors.values())
    for path, source in static.items():
        info = source.stat()
        stamp = [info.st_mtime_ns, info.st_size]
        record = previous.get(path)
        if record is not None and record.get("static") == stamp:
            new_site.keep(path)
        else:
            new_site.copy(path, source)
        records[path] = {"static": stamp}
    return records, rendered


class _NewSite:
    """The new output, gathered file by file: a file equal to the last build's is kept (a hard
    link, so its time stays); the staging folder is made only once something differs."""

    def __init__(self, config: Config) -> None:
        self.config, self.out = config, config.output_dir
        self.staging: Path | None = None
        self.kept: list[PurePosixPath] = []
        self.paths: set[PurePosixPath] = set()
        self.changed = 0

    def keep(self, path: PurePosixPath) -> None:
        self.paths.add(path)
        self.kept.append(path)

    def put(self, path: PurePosixPath, data: bytes) -> None:
        self.paths.add(path)
        if _same_bytes(self.out / path, data):
            self.kept.append(path)
        else:
            _write(self._staging(), path, data)
            self.changed += 1

    def copy(self, path: PurePosixPath, source: Path) -> None:
        self.paths.add(path)
        old = self.out / path
        if old.is_file() and old.stat().st_size == source.stat().st_size \
                and old.read_bytes() == source.read_bytes():
            self.kept.append(path)
        else:
            _place(self._staging(), path, source, link=False)
            self.changed += 1

    def _staging(self) -> Path:
        if self.staging is None:
            self.staging = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.staging-",
                                                 dir=self.out.parent))
        return self.staging

    def finish(self, previous: Records) -> int:
        """Put the new site in place unless it equals the old one; return the files changed."""
        changed = self.changed + len(set(previous) - self.paths)
        if not changed and not self.config.search and self.paths == set(previous):
            return 0
        try:
            staging = self._staging()
            marker = self.out / MARKER
            if _same_bytes(marker, _MARKER_TEXT):
                _place(staging, PurePosixPath(MARKER), marker, link=True)
            else:
                _write(staging, PurePosixPath(MARKER), _MARKER_TEXT)
            for path in self.kept:
                _place(staging, path, self.out / path, link=True)
            if self.config.search:
                _index_for_search(staging)
            _keep(self.config, staging)
            _swap(staging, self.out)
            self.staging = None
        except OSError as exc:
            raise WriteError(f"{exc.strerror or exc} while writing {exc.filename or self.out}\n"
                             f"    hint: the previous site in {self.out} was left as it was") from None
        return changed

    def discard(self) -> None:
        """Remove the staging folder of a build that failed or had nothing to change."""
        if self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
            self.staging = None


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
    errors = check_stage.check_links(site, outputs)
    if external:
        errors += check_stage.check_external(site)
    located = {(e.path, e.line) for e in errors}
    warnings = [w for w in warnings if (w.path, w.line) not in located]  # said once, as an error
    return sorted(errors, key=SourceError.sort_key), warnings


def plan(config: Config, memo: parser.Memo | None = None) -> tuple[Site, list[Page], list[SourceError]]:
    """Read, collect and plan; raise BuildError with every content error of the site."""
    documents, problems = parser.read_posts(config, memo)
    site, site_errors, site_warnings = site_stage.collect_site(config, documents)
    planned = pages_stage.plan_pages(site)
    errors = problems.errors + site_errors + pages_stage.find_collisions(planned)
    warnings = sorted(problems.warnings + site_warnings, key=SourceError.sort_key)
    if errors:
        raise BuildError(errors, warnings=warnings)
    return site, planned, warnings


def render_all(site: Site, planned: list[Page],
               progress: Progress | None = None) -> dict[PurePosixPath, bytes]:
    """Render every page; a broken template is reported once, not once per page."""
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
    if config.base_url == DEFAULT_BASE_URL and site.posts:
        warnings.append(ContentError(
            "sitegen.yaml", f"base_url is not set; feeds and the sitemap will point at {DEFAULT_BASE_URL}",
            hint="set base_url: https://your.domain/ in sitegen.yaml, or pass --base-url"))
    if not site.posts and not site.pages:
        warnings.append(ContentError("content", "no posts found",
                                     hint="add Markdown files to content/posts/ (sitegen new \"Title\")"))
    return warnings


def _as_error(warning: SourceError) -> SourceError:
    return ContentError(warning.path, f"{warning.message} (--strict)", line=warning.line,
                        col=warning.col, hint=warning.hint)


def _static_files(config: Config, generated: set[PurePosixPath]) -> dict[PurePosixPath, Path]:
    """Theme assets, then the site's static/ over them; a file that clashes with a page is an error."""
    files: dict[PurePosixPath, Path] = {}
    errors: list[SourceError] = []
    for folder in (renderer.THEME_DIR / "static", config.static_dir):
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
