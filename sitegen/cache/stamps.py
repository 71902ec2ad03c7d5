"""Sizes and modification times of files, as the cache keeps them, and the look that compares
them with the files on disk: what a no-change rebuild does, hundreds of thousands of times.

Imports nothing from sitegen.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable, Iterator, Sequence
from typing import NamedTuple


class Stamps(NamedTuple):
    """Paths with their modification times (and sizes), as the index keeps them: two flat lists,
    which JSON reads several times faster than a mapping of 100,000 small lists."""

    names: list[str]
    numbers: list[int]  # for each name in turn: its time, or its time and size

    def pairs(self) -> Iterator[tuple[str, int, int]]:
        """Each name with its time and size."""
        numbers = iter(self.numbers)
        return zip(self.names, numbers, numbers, strict=True)


class Look(NamedTuple):
    """Paths of one kind to compare with their stamps: relative to `folder`; `width` numbers each
    (time, or time and size; None for a path with no stamp); a time from `racy_from` on counts as
    changed."""

    kind: str
    folder: str
    paths: Sequence[str]
    numbers: Sequence[int | None]
    width: int
    racy_from: int | None = None


class Survey(NamedTuple):
    """What changed since the last build, by sizes and times: the files read (added and removed
    ones included), the output files and the output folders (a file put there or taken away)."""

    sources: set[str]
    outputs: set[str]
    folders: set[str]


def survey_of(found: Sequence[tuple[str, str]]) -> Survey:
    """The paths looks found changed (see `changed`), by kind."""
    return Survey(*({name for kind, name in found if kind == k} for k in ("sources", "outputs", "folders")))


def changed(looks: Sequence[Look], start: float, stop: float) -> list[tuple[str, str]]:
    """(kind, path) for each path whose stamp differs from the file's, or that is gone, among the
    share of each look's paths from `start` to `stop` (0.0 to 1.0: all of them)."""
    found = []
    for kind, folder, paths, numbers, width, racy_from in looks:
        racy = racy_from if racy_from is not None else float("inf")
        first, last = round(len(paths) * start), round(len(paths) * stop)
        times = numbers[first * width:last * width:width]
        sizes = numbers[first * width + 1:last * width:width] if width == 2 else [None] * (last - first)
        with opened(folder) as stat:
            for path, mtime, size in zip(paths[first:last], times, sizes, strict=True):
                try:
                    info = stat(path)
                except OSError:
                    found.append((kind, path))
                    continue
                if info.st_mtime_ns != mtime or info.st_mtime_ns >= racy \
                        or (size is not None and info.st_size != size):
                    found.append((kind, path))
    return found


@contextlib.contextmanager
def opened(folder: str) -> Iterator[Callable[[str], os.stat_result]]:
    """os.stat of paths relative to `folder`: from an open folder the system walks a shorter path
    (a fifth less time for each of a large site's hundreds of thousands of files)."""
    try:
        handle = os.open(folder, os.O_RDONLY) if os.stat in os.supports_dir_fd else None
    except OSError:
        handle = None
    if handle is None:
        yield lambda name: os.stat(os.path.join(folder, name))
        return
    try:
        yield functools.partial(os.stat, dir_fd=handle)
    finally:
        os.close(handle)
