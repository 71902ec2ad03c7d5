"""The posts' HTML, appended to one file beside the cache's index, each record checked when read.

Imports errors, models.
"""

from __future__ import annotations

import functools
import os
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sitegen.errors import CacheDamaged
from sitegen.models import Html

SAME_AS_BODY = "\x01"  # in a record: the excerpt is the whole body
PACK_SLACK = 4 << 20  # unused bytes the pack may carry beyond the used ones before it is rewritten


class Pack:
    """The posts' HTML, appended to one file: a record is found by offset and length and checked
    with a CRC-32. Rewritten without the unused records when they outweigh the used ones."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._fd: int | None = None
        self._appending: int | None = None
        # The HTML of the posts being rendered, not of every post: memory stays flat with size
        self.read = functools.lru_cache(maxsize=256)(self._read)

    def size(self) -> int:
        fd = self._open()
        return os.fstat(fd).st_size if fd is not None else 0

    def _open(self) -> int | None:
        if self._fd is None and self.path is not None and self.path.is_file():
            self._fd = os.open(self.path, os.O_RDONLY)  # kept open: a rewrite by another build is harmless
        return self._fd

    def _bytes(self, offset: int, length: int, check: int) -> bytes:
        fd = self._open()
        data = os.pread(fd, length, offset) if fd is not None else b""
        if len(data) != length or zlib.crc32(data) != check:
            raise CacheDamaged(f"{self.path}: a record at {offset} does not match its index")
        return data

    def _read(self, offset: int, length: int, check: int) -> tuple[str, str, str]:
        body, summary, toc = self._bytes(offset, length, check).decode("utf-8").split("\x00")
        return body, body if summary == SAME_AS_BODY else summary, toc

    def restart(self) -> None:
        """Let go of the file and of what was read from it: a build that starts over appends to,
        and reads from, the file now at the path (a new one if the cache's folder was removed)."""
        for fd in (self._fd, self._appending):
            if fd is not None:
                os.close(fd)
        self._fd = self._appending = None
        self.read.cache_clear()

    def gone(self) -> bool:
        """Whether the file this build wrote to or read from is no longer at the path (the cache's
        folder removed meanwhile): records saved now would point into nothing."""
        fd = self._appending if self._appending is not None else self._fd
        if fd is None or self.path is None:
            return False
        try:
            here = os.stat(self.path)
        except OSError:
            return True
        there = os.fstat(fd)
        return (here.st_dev, here.st_ino) != (there.st_dev, there.st_ino)

    def append(self, html: Html) -> list[Any]:
        """Add one post's HTML at the end of the pack; returns where it is."""
        assert self.path is not None
        if self._appending is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._appending = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        body, summary, toc = html.parts
        data = "\x00".join((body, SAME_AS_BODY if summary == body else summary, toc)).encode()
        written = os.write(self._appending, data)
        if written != len(data):
            raise OSError(f"short write to {self.path}")
        # O_APPEND: the end, as this write left it, even when another build appends too
        return [os.lseek(self._appending, 0, os.SEEK_CUR) - written, written, zlib.crc32(data), html.digest]

    def compact(self, files: Mapping[str, dict[str, Any]]) -> bool:
        """Rewrite the pack without the records no post uses, once those outweigh the rest; True
        when it did (the records' places have changed)."""
        assert self.path is not None
        used = sum(r["html"][1] for r in files.values() if isinstance(r.get("html"), list))
        if self.size() <= 2 * used + PACK_SLACK:
            return False
        kept = self.path.with_suffix(".pack-new")
        with open(kept, "wb") as handle:
            for record in files.values():
                if isinstance(record.get("html"), list):
                    offset, length, check, html_digest = record["html"]
                    data = self._bytes(offset, length, check)
                    record["html"] = [handle.tell(), length, check, html_digest]
                    handle.write(data)
        os.replace(kept, self.path)
        for fd in (self._fd, self._appending):
            if fd is not None:
                os.close(fd)
        self._fd = self._appending = None
        self.read.cache_clear()  # the places have changed
        return True
