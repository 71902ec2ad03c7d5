"""The output folder: refused when it could hold anything but an earlier build, locked while a
build writes it, and replaced so that it is always the old build or the new one, never a mix.

The first build is written into a staging folder and renamed into place; later builds stage the
files whose bytes changed and apply them through an undo journal, so a failed or interrupted
build leaves the old output whole (and the next build undoes what a killed one had begun).
`write` and `place` are the only functions that put new bytes into a folder of it; the others
only rename what they wrote. Runs Pagefind over a new
site when search is on. Imports errors, models, workers.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from sitegen.errors import OutputError, WriteError
from sitegen.models import Config
from sitegen.workers import signals_held

MARKER = ".sitegen"
JOURNAL, APPLYING = "journal.json", "APPLYING"  # in .<output>.old-*/ while changes are applied
LOCK_WAIT = 120  # seconds a build waits for another build of the same output
_MARKER_TEXT = b"This folder is written by sitegen build and replaced on every build.\n"


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
        raise OutputError(f"refusing to write the site to {config.output_dir}: {reason}",
                          hint="choose an empty or new folder with -o, e.g. -o public")



class NewSite:
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
        write(self.staging_folder(), path, data)
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
            place(self.staging_folder(), path, source, link=False)
            self.staged.append(path)

    def staging_folder(self) -> Path:
        if self.staging is None:
            with signals_held():  # made and known as one step, so discard() finds it
                self.staging = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.staging-",
                                                     dir=self.out.parent))
        return self.staging

    def finish(self) -> int:
        """Put the new site in place; return the number of files added, changed or removed."""
        try:
            if self.fresh:
                staging = self.staging_folder()
                write(staging, PurePosixPath(MARKER), _MARKER_TEXT)
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
            raise write_error(exc, self.out) from None

    def _removed(self) -> list[PurePosixPath]:
        """Files of the last build that this one does not make, and files put there by hand."""
        keep = {MARKER, *self.config.keep_files}
        made = {str(p) for p in self.paths}
        gone = self.previous.recorded - made
        folders: set[str] | None = None  # made only when a folder is looked in: an edit looks in none
        for folder in (self.previous.unsure if self.previous.unsure is not None else _folders(self.out)):
            try:
                entries = list(os.scandir(self.out / folder))
            except OSError:
                continue
            folders = set(ancestors(self.paths)) if folders is None else folders
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
        place(staging, PurePosixPath(MARKER), self.out / MARKER, link=True)
        for path in self.kept:
            place(staging, path, self.out / path, link=True)
        _index_for_search(staging)
        _keep(self.config, staging)
        _swap(staging, self.out)
        self.staging = None

    def discard(self) -> None:
        """Remove the staging folder of a build that failed or had nothing to change."""
        if self.staging is not None:
            with signals_held():  # Ctrl-C or SIGTERM now would leave it half removed
                shutil.rmtree(self.staging, ignore_errors=True)
            self.staging = None


@dataclasses.dataclass
class Previous:
    """What the last build left in the output, as far as the cache knows it."""

    trusted: dict[str, dict[str, Any]]  # files exactly as the last build wrote them
    recorded: set[str]  # every file the last build wrote
    unsure: list[PurePosixPath] | None  # folders changed since (None: look at every folder)


def ancestors(paths: Iterable[PurePosixPath]) -> list[str]:
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
                place(journal, PurePosixPath(str(index)), out / name, link=True)
        with signals_held():
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


def _target(root: Path, relative: PurePosixPath) -> Path:
    """Where an output file goes; refuses any path that would leave root."""
    if relative.is_absolute() or any(part in ("", ".", "..") for part in relative.parts):
        raise OutputError(f"refusing to write outside the output folder: {relative}")
    target = root.joinpath(*relative.parts)
    target.parent.mkdir(parents=True, exist_ok=True)
    return target


def write(root: Path, relative: PurePosixPath, data: bytes) -> None:
    """The one function that writes new bytes into the output."""
    _target(root, relative).write_bytes(data)


def place(root: Path, relative: PurePosixPath, source: Path, *, link: bool) -> None:
    """An existing file into the output: a hard link to the last build's copy, else a copy."""
    target = _target(root, relative)
    if link:
        try:
            os.link(source, target)
            return
        except OSError:
            pass  # a file system without hard links: copying keeps the time too
    shutil.copy2(source, target) if link else shutil.copyfile(source, target)


def can_index_for_search() -> bool:
    """Whether Pagefind, which indexes the site for search: true, is installed."""
    import importlib.util

    return importlib.util.find_spec("pagefind") is not None


def _index_for_search(staging: Path) -> None:
    """Run Pagefind over the new site; its index lands in pagefind/ beside the pages."""
    result = subprocess.run(
        [sys.executable, "-m", "pagefind", "--site", str(staging), "--output-subdir", "pagefind"],
        capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise WriteError(f"the search index could not be built:\n{result.stderr or result.stdout}",
                         hint="run python -m pagefind --site on the output to see why")


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
def locked(out: Path) -> Iterator[None]:
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
                raise OutputError(f"another sitegen build has been writing {out} for {LOCK_WAIT} s",
                                  hint="wait for it to finish, then build again") from None
            time.sleep(0.05)

def write_error(exc: OSError, out: Path) -> WriteError:
    """An OSError met while writing the new site, as the user reads it."""
    return WriteError(f"{exc.strerror or exc} while writing {exc.filename or out}",
                      hint=f"the previous site in {out} was left as it was")
