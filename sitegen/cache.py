"""The build cache in .sitegen-cache/: parsed posts by content, rendered pages by their inputs.

A rebuild re-reads only the files whose size or time changed, re-renders only the pages whose
inputs changed, and keeps output files whose bytes did not change. The cache is JSON, so one
from anywhere is data, never code; a corrupt, foreign or older cache is ignored with a warning.
Imports errors, models.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from sitegen import __version__
from sitegen.errors import ContentError, Problems, SourceError
from sitegen.models import Config, Page, Pagination, Post, Site, Tag

FOLDER = ".sitegen-cache"
FORMAT = 1
_KEEP = 4  # cache files kept: one per set of settings (a build, serve, a preview with drafts...)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_POST_FIELDS = dataclasses.fields(Post)


def digest(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def settings_fingerprint(config: Config) -> str:
    """What, besides a file's bytes, decides how it parses (paths and the clock do not)."""
    neutral = dataclasses.replace(config, root=Path("."), source=None, output_dir=Path("."),
                                  now=_EPOCH, jobs=1, drafts=False, future=False)
    return digest(f"{__version__}\n{neutral!r}")


class BuildCache:
    """One settings' worth of cache, read at the start of a build and written after it."""

    def __init__(self, path: Path | None, settings: str, data: dict[str, Any] | None = None) -> None:
        self.path, self.settings = path, settings
        data = data or {}
        self.files: dict[str, Any] = data.get("files", {})
        self.pages: dict[str, Any] = data.get("pages", {})
        self.folders: dict[str, int] = data.get("folders", {})  # output folder -> modification time
        self.output = data.get("output", "")
        self.warnings: list[SourceError] = []
        self._new_files: dict[str, Any] = {}
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
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or data.get("format") != FORMAT:
                raise ValueError("it was written by another version of sitegen")
            if data.get("sitegen") != __version__ or data.get("settings") != settings:
                raise ValueError("it belongs to another version or other settings")
            if not isinstance(data.get("files"), dict) or not isinstance(data.get("pages"), dict):
                raise ValueError("it is incomplete")
        except (OSError, ValueError) as exc:
            cache.warnings.append(ContentError(
                f"{FOLDER}/{path.name}", f"ignoring the build cache: {exc}",
                hint="nothing to do: this build starts from scratch and writes a new cache"))
            return cache
        return cls(path if persist else None, settings, data)

    @classmethod
    def follow(cls, previous: BuildCache | None, config: Config) -> BuildCache:
        """The in-memory cache of the last build while its settings hold (sitegen serve)."""
        if previous is not None and previous.settings == settings_fingerprint(config):
            return previous
        return cls.load(config, persist=False)

    # --- parsed posts (the parser's Memo) ---------------------------------------------------

    def recall(self, source: str, path: Path) -> tuple[Post | None, Problems] | None:
        """The earlier result for a file whose size and modification time did not change."""
        record = self.files.get(source)
        info = path.stat()
        if record is None or record["stat"] != [info.st_mtime_ns, info.st_size]:
            return None
        return self._reuse(source, record, record["stat"])

    def recall_bytes(self, source: str, path: Path, data: bytes) -> tuple[Post | None, Problems] | None:
        """The earlier result for a file touched but not changed (a checkout, a save)."""
        record = self.files.get(source)
        if record is None or record["digest"] != digest(data):
            return None
        info = path.stat()
        return self._reuse(source, record, [info.st_mtime_ns, info.st_size])

    def _reuse(self, source: str, record: dict[str, Any],
               stat: list[int]) -> tuple[Post | None, Problems]:
        self._new_files[source] = {**record, "stat": stat}
        self.dirty |= stat != record["stat"]
        post = decode_post(record["post"]) if record["post"] is not None else None
        return post, Problems(decode_errors(record["errors"]), decode_errors(record["warnings"]))

    def keep(self, source: str, path: Path, data: bytes, post: Post | None,
             problems: Problems) -> None:
        info = path.stat()
        self.dirty = True
        try:
            encoded = encode_post(post) if post is not None else None
        except TypeError:  # a front-matter value JSON cannot hold: parse this file every time
            return
        self._new_files[source] = {
            "stat": [info.st_mtime_ns, info.st_size], "digest": digest(data), "post": encoded,
            "errors": [_encode_error(e) for e in problems.errors],
            "warnings": [_encode_error(w) for w in problems.warnings]}


    def stale(self) -> bool:
        """True when the posts read this time differ from what the cache holds."""
        return self.dirty or set(self.files) != set(self._new_files)

    # --- rendered pages -------------------------------------------------------------------

    def begin(self) -> None:
        """Forget what an earlier, failed build of this cache had started to record."""
        self._new_files = {}

    def finish(self, output: Path, pages: Mapping[str, Any] | None,
               folders: Mapping[str, int] | None = None) -> None:
        """Take this build's posts and pages (None: nothing changed) as the next build's start."""
        if pages is not None:
            self.files, self.pages, self.output = self._new_files, dict(pages), str(output)
            self.folders = dict(folders or {})
            self.warnings, self.dirty = [], False
            self._save()
        self._new_files = {}

    def _save(self) -> None:
        """Write the cache to disk and prune the oldest; a memory-only cache writes nothing."""
        if self.path is None:
            return
        head = {"format": FORMAT, "sitegen": __version__, "settings": self.settings,
                "output": self.output, "folders": self.folders}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        (self.path.parent / ".gitignore").write_text("*\n", encoding="utf-8")
        temporary = self.path.with_suffix(".tmp")
        with temporary.open("w", encoding="utf-8") as handle:
            handle.write(json.dumps(head)[:-1])
            for name, entries in (("files", self.files), ("pages", self.pages)):
                # One entry at a time: the C encoder's speed without a second copy of the cache
                handle.write(f',"{name}":{{')
                for index, (key, value) in enumerate(entries.items()):
                    handle.write(("," if index else "") + json.dumps(key) + ":"
                                 + json.dumps(value, separators=(",", ":")))
                handle.write("}")
            handle.write("}")
        os.replace(temporary, self.path)
        others = sorted((p for p in self.path.parent.glob("*.json") if p != self.path),
                        key=lambda p: p.stat().st_mtime_ns, reverse=True)
        for stale in others[_KEEP - 1:]:
            stale.unlink(missing_ok=True)


# --- posts as JSON ----------------------------------------------------------------------------


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"__datetime__": value.isoformat()}
    if isinstance(value, date):
        return {"__date__": value.isoformat()}
    raise TypeError(f"{type(value).__name__} is not kept in the cache")


def _from_json(value: Any) -> Any:
    if isinstance(value, dict):
        if "__datetime__" in value:
            return datetime.fromisoformat(value["__datetime__"])
        if "__date__" in value:
            return date.fromisoformat(value["__date__"])
        return {k: _from_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_from_json(v) for v in value]
    return value


def encode_post(post: Post) -> dict[str, Any]:
    """The post as JSON values; its long strings are shared with the post, not copied."""
    fields = {f.name: getattr(post, f.name) for f in _POST_FIELDS}
    fields["source"] = str(post.source)
    fields["tags"] = [dataclasses.asdict(t) for t in post.tags]
    for name in ("date", "updated", "extra"):  # the only fields that can hold dates
        fields[name] = _to_json(fields[name])
    if post.summary_html == post.body_html:
        fields["summary_html"] = None  # most posts have no cut: keep the body once
    return fields


def _to_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_to_json(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return _json_value(value)  # dates; anything else raises TypeError


def decode_post(data: dict[str, Any]) -> Post:
    fields = dict(data)
    for name in ("date", "updated", "extra"):  # the only fields that can hold dates
        fields[name] = _from_json(fields[name])
    fields["source"] = PurePosixPath(fields["source"])
    fields["tags"] = tuple(Tag(**{**t, "old_slugs": tuple(t["old_slugs"])}) for t in fields["tags"])
    fields["aliases"] = tuple(fields["aliases"])
    fields["links"] = tuple((target, line) for target, line in fields["links"])
    if fields["summary_html"] is None:
        fields["summary_html"] = fields["body_html"]
    return Post(**fields)


def _encode_error(error: SourceError) -> list[Any]:
    return [error.path, error.message, error.line, error.col, error.hint]


def decode_errors(records: Iterable[list[Any]]) -> list[SourceError]:
    return [ContentError(path, message, line=line, col=col, hint=hint)
            for path, message, line, col, hint in records]


# --- fingerprints of page inputs --------------------------------------------------------------


class Fingerprints:
    """Hashes of everything a page's output can depend on, each computed once per build."""

    def __init__(self, site: Site, templates: Mapping[str, str]) -> None:
        self.site = site
        self.templates = templates  # template name -> hash of it and what it extends or includes
        self._posts: dict[int, str] = {}
        self._site: dict[str, str] = {}
        self.config = digest(repr(dataclasses.replace(site.config, output_dir=Path("."), jobs=1,
                                                       now=_EPOCH)))

    def of_post(self, post: Post) -> str:
        known = self._posts.get(id(post))
        if known is None:
            # The two dates by their text: a fresh parse and the cache give different tz objects.
            dates = (post.date and post.date.isoformat(), post.updated and post.updated.isoformat())
            fields = (str(post.source), post.url, post.title, dates, post.tags, post.aliases,
                      post.links, post.summary, post.toc_html, post.cut, post.words,
                      post.reading_minutes, post.draft, post.author, post.description,
                      self.of_value(post.extra))
            known = digest("\x00".join([repr(fields), post.body_html, post.summary_html]))
            self._posts[id(post)] = known
        return known

    def of_value(self, value: object) -> str:
        """A stable text standing for any value found in a page's context."""
        if isinstance(value, Post):
            return "post:" + self.of_post(value)
        if isinstance(value, Pagination):
            items = ",".join(self.of_post(p) for p in value.items)
            return f"pagination:{value.number}/{value.count}:{value.prev_url}:{value.next_url}:{items}"
        if isinstance(value, (tuple, list)):
            return "[" + ",".join(self.of_value(v) for v in value) + "]"
        if isinstance(value, Mapping):
            return "{" + ",".join(f"{k!r}:{self.of_value(v)}" for k, v in sorted(value.items())) + "}"
        if isinstance(value, date):  # the same moment from a fresh parse and from the cache
            return value.isoformat()
        return repr(value)

    def of_site(self, name: str) -> str:
        known = self._site.get(name)
        if known is None:
            value = self.site.config if name == "config" else getattr(self.site, name, None)
            known = self.config if name == "config" else digest(self.of_value(value))
            self._site[name] = known
        return known

    def of_page(self, page: Page, site_names: Iterable[str]) -> str:
        parts = [self.templates.get(page.template, "?"), self.config, page.url, str(page.path),
                 self.of_value(dict(page.context))]
        parts += [f"{name}={self.of_site(name)}" for name in sorted(site_names)]
        return digest("\x00".join(parts))
