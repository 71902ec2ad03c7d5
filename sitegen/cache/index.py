"""The build cache's index: one JSON file per set of settings, read at the start of a build and
written after it, with the pack of the posts' HTML beside it.

Imports errors, models, and codec, keys and pack beside it.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson

from sitegen import __version__
from sitegen.cache.codec import decode_errors, decode_post, encode_error, encode_post
from sitegen.cache.keys import digest, settings_fingerprint
from sitegen.cache.pack import Pack
from sitegen.errors import ContentError, Problems, SourceError
from sitegen.models import Config, Html, Post

FOLDER = ".sitegen-cache"
FORMAT = 7  # 4: posts keep their tag names as written, with the place of each; no tag table
# 5: posts keep the URL Jekyll gives them where sitegen's differs (moved_from)
# 6: fields empty for most posts left out; places as one flat list; 7: authors kept by name, as tags
_KEEP = 4  # caches kept: one per set of settings (a build, serve, a preview with drafts...)
# A file changed within this long after a build read it may keep its modification time (file
# systems count time in ticks): such a file is read again rather than judged by its time.
RACY_NS = 50_000_000


class BuildCache:
    """One settings' worth of cache: an index (JSON) read at the start of a build and written
    after it, and a pack of the posts' HTML, read only for the pages a build renders again."""

    def __init__(self, path: Path | None, settings: str, data: dict[str, Any] | None = None,
                 pack: Pack | None = None) -> None:
        self.path, self.settings = path, settings
        data = data or {}
        self.files: dict[str, Any] = data.get("files", {})
        self.pages: dict[str, Any] = data.get("pages", {})
        self.folders: dict[str, int] = data.get("folders", {})  # output folder -> modification time
        self.output = data.get("output", "")
        self.read_at: int = data.get("read_at", 0)  # when the last build started reading (ns)
        self.related: dict[str, Any] = data.get("related", {})  # see incremental.Incremental.relate
        self.inputs: dict[str, Any] = data.get("inputs", {})  # what the last build read
        templates = data.get("templates")  # see renderer.template_fingerprints
        self.templates: dict[str, Any] = templates if isinstance(templates, dict) else {}
        self.warnings: list[SourceError] = []
        self.pack = pack or Pack(path.with_suffix(".pack") if path else None)
        self._new_files: dict[str, Any] = {}
        # Results already decoded or parsed in this process, by source and the digest of its
        # bytes: a file put back as it was after a failed build (an editor's undo) finds its own
        # result, never the one of the text it had in between.
        self._decoded: dict[tuple[str, str], tuple[Post | None, Problems]] = {}
        self.dirty = path is not None and not data  # a new cache is always written

    @classmethod
    def load(cls, config: Config, *, persist: bool = True) -> BuildCache:
        """The cache for these settings; with persist=False it is read but never written."""
        settings = settings_fingerprint(config)
        path = config.root / FOLDER / f"{settings[:20]}.json"
        cache = cls(path if persist else None, settings)
        if not path.is_file():
            return cache
        try:
            data = orjson.loads(path.read_bytes())
            if not isinstance(data, dict) or data.get("format") != FORMAT:
                raise ValueError("it was written by another version of sitegen")
            if data.get("sitegen") != __version__ or data.get("settings") != settings:
                raise ValueError("it belongs to another version or other settings")
            if not all(isinstance(data.get(k), dict) for k in ("files", "pages", "folders", "inputs")):
                raise ValueError("it is incomplete")
            pack = Pack(path.with_suffix(".pack"))
            needed = max((r["html"][0] + r["html"][1] for r in data["files"].values() if r["post"]),
                         default=0)
            if pack.size() < needed:
                raise ValueError(f"{path.with_suffix('.pack').name} is shorter than its index says")
        except (OSError, ValueError, KeyError, TypeError) as exc:
            cache.warnings.append(ContentError(
                f"{FOLDER}/{path.name}", f"ignoring the build cache: {exc}",
                hint="nothing to do: this build starts from scratch and writes a new cache"))
            return cache
        return cls(path if persist else None, settings, data, pack)

    def reset(self, warning: str) -> None:
        """Start over, empty, after finding the cache damaged in the middle of a build."""
        self.files, self.pages, self.folders, self.inputs, self.related = {}, {}, {}, {}, {}
        self.templates = {}
        self._new_files, self._decoded, self.dirty = {}, {}, self.path is not None
        self.warnings.append(ContentError(
            f"{FOLDER}/{self.path.name if self.path else 'cache'}", warning,
            hint="nothing to do: this build starts from scratch and writes a new cache"))

    @classmethod
    def follow(cls, previous: BuildCache | None, config: Config) -> BuildCache:
        """The in-memory cache of the last build while its settings hold (sitegen serve)."""
        if previous is not None and previous.settings == settings_fingerprint(config):
            return previous
        return cls.load(config, persist=False)

    # --- parsed posts ---------------------------------------------------

    def recall(self, source: str, path: Path) -> tuple[Post | None, Problems] | None:
        """The earlier result for a file whose size and modification time did not change."""
        record = self.files.get(source)
        if record is None:
            return None
        info = os.stat(path)
        if record["stat"] != [info.st_mtime_ns, info.st_size]:
            return None
        if self.racy(info.st_mtime_ns):
            self.dirty = True  # read it now; the cache then records a later start
            return None
        return self._reuse(source, record, record["stat"])

    def racy(self, mtime_ns: int) -> bool:
        """True for a time too close to the last build's start to tell an edit made since."""
        return mtime_ns >= self.read_at - RACY_NS

    def recall_bytes(self, source: str, path: Path, data: bytes) -> tuple[Post | None, Problems] | None:
        """The earlier result for a file touched but not changed (a checkout, a save)."""
        record = self.files.get(source)
        if record is None or record["digest"] != digest(data):
            return None
        info = path.stat()
        return self._reuse(source, record, [info.st_mtime_ns, info.st_size])

    def _reuse(self, source: str, record: dict[str, Any],
               stat: list[int]) -> tuple[Post | None, Problems]:
        self._new_files[source] = {**record, "stat": stat} if stat != record["stat"] else record
        self.dirty |= stat != record["stat"]
        known = self._decoded.get((source, record["digest"]))
        if known is None:
            post = self._decode(record) if record["post"] is not None else None
            known = post, Problems(decode_errors(record["errors"]), decode_errors(record["warnings"]))
            self._decoded[source, record["digest"]] = known
        return known

    def keep(self, source: str, path: Path, data: bytes, post: Post | None,
             problems: Problems) -> Post | None:
        """Record a newly parsed file; returns the post to build with, its HTML now in the pack
        and read again only when a page needs it (a saved cache only)."""
        info = path.stat()
        self.dirty = True
        try:
            encoded = encode_post(post) if post is not None else None
        except TypeError:  # a front-matter value JSON cannot hold: parse this file every time
            return post
        html: Html | list[Any] | None = post.html if post is not None else None
        if post is not None and self.path is not None:
            html = self.pack.append(post.html)
            post = dataclasses.replace(post, html=self._lazy(html))
        bytes_digest = digest(data)
        self._new_files[source] = {
            "stat": [info.st_mtime_ns, info.st_size], "digest": bytes_digest, "post": encoded,
            "html": html, "errors": [encode_error(e) for e in problems.errors],
            "warnings": [encode_error(w) for w in problems.warnings]}
        self._decoded[source, bytes_digest] = post, problems
        return post

    def _decode(self, record: dict[str, Any]) -> Post:
        # A memory-only cache (sitegen serve) has no pack: its records hold the HTML itself
        html = record["html"]
        return decode_post(record["post"], html if isinstance(html, Html) else self._lazy(html))

    def _lazy(self, place: list[Any]) -> Html:
        offset, length, check, html_digest = place
        return Html.later(functools.partial(self.pack.read, offset, length, check), html_digest)

    def keep_related(self, related: Mapping[str, Any]) -> None:
        self.related, self.dirty = dict(related), True

    def sources(self) -> dict[str, str]:
        """The hash of each file this build has read a post from, by source path."""
        return {name: record["digest"] for name, record in self._new_files.items() if record["post"]}

    def stale(self) -> bool:
        """True when the posts read this time differ from what the cache holds."""
        return self.dirty or set(self.files) != set(self._new_files)

    # --- rendered pages -------------------------------------------------------------------

    def begin(self) -> None:
        """Forget what an earlier, failed build of this cache had started to record."""
        self._new_files = {}
        self._started = time.time_ns()

    def finish(self, output: Path, pages: Mapping[str, Any] | None,
               folders: Mapping[str, int] | None = None, inputs: Mapping[str, Any] | None = None) -> None:
        """Take this build's posts and pages (None: nothing changed) as the next build's start."""
        if pages is not None:
            self.files, self.pages, self.output = self._new_files, dict(pages), str(output)
            self.folders, self.inputs = dict(folders or {}), dict(inputs or {})
            self.read_at = self._started
            self.warnings, self.dirty = [], False
            kept = {(source, record["digest"]) for source, record in self.files.items()}
            self._decoded = {key: known for key, known in self._decoded.items() if key in kept}
            self._save()
        elif inputs is not None and (inputs != self.inputs or any(
                self.racy(mtime) for mtime, _ in inputs["other"].values())):
            self.inputs, self.read_at = dict(inputs), self._started
            self._save()
        self._new_files = {}

    def _save(self) -> None:
        """Write the new posts' HTML to the pack, then the index; a memory-only cache writes nothing."""
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        (self.path.parent / ".gitignore").write_text("*\n", encoding="utf-8")
        self.pack.compact(self.files)
        head = {"format": FORMAT, "sitegen": __version__, "settings": self.settings,
                "output": self.output, "folders": self.folders, "inputs": self.inputs,
                "read_at": self.read_at, "related": self.related, "templates": self.templates}
        temporary = self.path.with_suffix(".tmp")
        temporary.write_bytes(orjson.dumps({**head, "files": self.files, "pages": self.pages}))
        os.replace(temporary, self.path)
        others = sorted((p for p in self.path.parent.glob("*.json") if p != self.path),
                        key=lambda p: p.stat().st_mtime_ns, reverse=True)
        for stale in others[_KEEP - 1:]:
            stale.unlink(missing_ok=True)
            stale.with_suffix(".pack").unlink(missing_ok=True)
