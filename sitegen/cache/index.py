"""The build cache's index: one JSON file per set of settings, read at the start of a build and
written after it, with the pack of the posts' HTML beside it.

Imports errors, listing (a path as JSON can hold it), models, urls (which links a post keeps),
and codec, keys and pack beside it.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import time
import uuid
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path
from typing import Any

import orjson

from sitegen import __version__
from sitegen.cache.codec import check_keepable, decode_errors, decode_post, dumped, dumps, encode_error
from sitegen.cache.keys import digest, settings_fingerprint
from sitegen.cache.pack import Pack
from sitegen.cache.stamps import Stamps
from sitegen.errors import CacheDamaged, ContentError, Problems, SourceError
from sitegen.listing import shown
from sitegen.models import Config, Html, Post
from sitegen.urls import is_source_link

FOLDER = ".sitegen-cache"
FORMAT = 11  # 4: posts keep their tag names as written, with the place of each; no tag table
# 5: posts keep the URL Jekyll gives them where sitegen's differs (moved_from)
# 6: fields empty for most posts left out; places as one flat list; 7: authors kept by name, as tags
# 8: the index holds sizes and times only, the records (posts, page keys) beside it
# 9: each page's record names the posts it shows; the site's shape (incremental.page_keys); the
# records' changes written beside them; 10: related posts and tags kept by place in the posts' order
# 11: each page's record names the terms it shows, the shape each term's hashes
# The changes since the records were last written whole are written alone (<settings>.delta), up
# to this share of the records' size: a rebuild that changed a few posts and pages writes those
DELTA_SHARE = 0.125
_KEEP = 4  # caches kept: one per set of settings (a build, serve, a preview with drafts...)
# A file changed within this long after a build read it may keep its modification time (file
# systems count time in ticks): such a file is read again rather than judged by its time.
RACY_NS = 50_000_000


class BuildCache:
    """One settings' worth of cache: an index (JSON) read at the start of a build and written
    after it, and a pack of the posts' HTML, read only for the pages a build renders again."""

    def __init__(self, path: Path | None, settings: str, head: dict[str, Any] | None = None,
                 pack: Pack | None = None, *, source: Path | None = None) -> None:
        self.path, self.settings = path, settings
        head = head or {}
        # What a rebuild with nothing changed reads, and nothing more: each file's and output
        # file's size and time. The records (parsed posts, page keys) are read on first use.
        self.file_stamps = Stamps(*head.get("stats", ([], [])))  # each file read: time, size
        self.output_stamps = Stamps(*head.get("outs", ([], [])))  # each output file: time, size
        self.folder_stamps = Stamps(*head.get("folders", ([], [])))  # each output folder: time
        self._folders: dict[str, int] | None = None
        self.output: str = head.get("output", "")
        self.read_at: int = head.get("read_at", 0)  # when the last build started reading (ns)
        self.inputs: dict[str, Any] = head.get("inputs", {})  # what the last build read
        templates = head.get("templates")  # see renderer.template_fingerprints
        self.templates: dict[str, Any] = templates if isinstance(templates, dict) else {}
        self.warnings: list[SourceError] = []
        self.pack = pack or Pack(path.with_suffix(".pack") if path else None)
        self._source = source  # the index read, whose records are beside it
        self._token: str = head.get("records", "")
        self._records: dict[str, Any] | None = None if self._token else _no_records()
        self._delta_token: str = head.get("delta", "")
        # the records' changes written beside them: by section, each changed record (None: removed)
        self._delta: dict[str, dict[str, Any]] = {}
        self._new_related: dict[str, Any] | None = None  # this build's related posts, once known
        self._new_files: dict[str, Any] = {}
        # Results already decoded or parsed in this process, by source and the digest of its
        # bytes: a file put back as it was after a failed build (an editor's undo) finds its own
        # result, never the one of the text it had in between.
        self._decoded: dict[tuple[str, str], tuple[Post | None, Problems]] = {}
        # Posts whose front matter has its keys on the same lines share one mapping of them
        self._lines: dict[tuple[tuple[str, int], ...], Mapping[str, int]] = {}
        self.dirty = path is not None and not head  # a new cache is always written

    @classmethod
    def load(cls, config: Config, *, persist: bool = True) -> BuildCache:
        """The cache for these settings; with persist=False it is read but never written."""
        settings = settings_fingerprint(config)
        path = config.root / FOLDER / f"{settings[:20]}.json"
        cache = cls(path if persist else None, settings)
        if not path.is_file():
            return cache
        try:
            head = orjson.loads(path.read_bytes())
            if not isinstance(head, dict) or head.get("format") != FORMAT:
                raise ValueError("it was written by another version of sitegen")
            if head.get("sitegen") != __version__ or head.get("settings") != settings:
                raise ValueError("it belongs to another version or other settings")
            if not all(_stamps(head.get(k)) for k in ("stats", "outs", "folders")) \
                    or not isinstance(head.get("inputs"), dict) or not isinstance(head.get("records"), str) \
                    or not head["records"] or not isinstance(head.get("delta"), str):
                raise ValueError("it is incomplete")
        except (OSError, ValueError, KeyError, TypeError) as exc:
            cache.warnings.append(ContentError(
                f"{FOLDER}/{path.name}", f"ignoring the build cache: {exc}",
                hint="nothing to do: this build starts from scratch and writes a new cache"))
            return cache
        return cls(path if persist else None, settings, head, Pack(path.with_suffix(".pack")), source=path)

    def wrote(self, output: Path) -> bool:
        """Whether the last build of this cache wrote into `output`."""
        return self.output == shown(output)

    @property
    def folders(self) -> dict[str, int]:
        """Each output folder's modification time, by its path in the output."""
        if self._folders is None:
            self._folders = dict(zip(*self.folder_stamps, strict=True))
        return self._folders

    @property
    def files(self) -> dict[str, Any]:
        """Each source file's record: its size and time, the digest of its bytes, the post."""
        records: dict[str, Any] = self._body()["files"]
        return records

    @property
    def pages(self) -> dict[str, Any]:
        """Each output file's record: its key, the parts of the site it read, its size and time."""
        records: dict[str, Any] = self._body()["pages"]
        return records

    @property
    def shape(self) -> dict[str, Any]:  # see incremental.Incremental.page_keys
        records: dict[str, Any] = self._body()["shape"]
        return records

    @property
    def related(self) -> dict[str, Any]:  # see incremental.Incremental.relate
        records: dict[str, Any] = self._new_related if self._new_related is not None \
            else self._body()["related"]
        return records

    def _body(self) -> dict[str, Any]:
        if self._records is None:
            self._records = self._read_records()
        return self._records

    def _read_records(self) -> dict[str, Any]:
        """The records the index stands for, with the changes written beside them; CacheDamaged
        (the build starts over without them) when they are missing, damaged or another index's."""
        assert self._source is not None
        where = self._source.with_suffix(".records")
        try:
            data = orjson.loads(where.read_bytes())
            if not isinstance(data, dict) or data.get("token") != self._token \
                    or not all(isinstance(data.get(k), dict) for k in _no_records()):
                raise ValueError("it does not belong to its index")
            records = {k: data[k] for k in _no_records()}
            if self._delta_token:
                where = where.with_suffix(".delta")
                delta = orjson.loads(where.read_bytes())
                if not isinstance(delta, dict) or delta.get("token") != self._delta_token \
                        or delta.get("base") != self._token \
                        or not all(isinstance(delta["changes"].get(k), dict) for k in _no_records()):
                    raise ValueError("it does not belong to its index")
                self._delta = delta["changes"]
                for section, changes in self._delta.items():
                    _apply(records[section], changes)
            needed = max((r["html"][0] + r["html"][1] for r in records["files"].values() if r["post"]),
                         default=0)
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise CacheDamaged(f"{where.name}: {exc}") from None
        if self.pack.size() < needed:
            raise CacheDamaged(f"{self._source.with_suffix('.pack').name} is shorter than its index says")
        return records

    def reset(self, warning: str) -> None:
        """Start over, empty, after finding the cache damaged in the middle of a build."""
        self._records, self._folders, self.inputs, self.templates = _no_records(), {}, {}, {}
        self._token, self._delta_token, self._delta = "", "", {}  # the next records written whole
        self._new_related = None
        self.file_stamps = self.output_stamps = self.folder_stamps = Stamps([], [])
        self._new_files, self._decoded, self.dirty = {}, {}, self.path is not None
        self.pack.restart()
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

    def recall(self, source: str, path: str,
               changed: Collection[str] | None = None) -> tuple[Post | None, Problems] | None:
        """The earlier result for a file whose size and modification time did not change;
        `changed`: the files whose size or time the build has already found changed (the others
        are not looked at again)."""
        record = self.files.get(source)
        if record is None:
            return None
        if changed is not None and source not in changed:
            return self._reuse(source, record, record["stat"])
        info = os.stat(path)
        if record["stat"] != [info.st_mtime_ns, info.st_size]:
            return None
        if self.racy(info.st_mtime_ns):
            self.dirty = True  # read it now; the cache then records a later start
            return None
        return self._reuse(source, record, record["stat"])

    def racy(self, mtime_ns: int) -> bool:
        """True for a time too close to the last build's start to tell an edit made since."""
        return mtime_ns >= self.racy_from

    @property
    def racy_from(self) -> int:
        return self.read_at - RACY_NS

    def recall_bytes(self, source: str, data: bytes, stat: list[int]) -> tuple[Post | None, Problems] | None:
        """The earlier result for a file touched but not changed (a checkout, a save); `stat`: its
        time and size, taken before `data` was read."""
        return self._reuse(source, self.files[source], stat) if self.same_bytes(source, data) else None

    def restamp(self, output: Path, stamps: Mapping[str, list[int]], since: int | None = None) -> None:
        """Take the last build's records as this build's, with new sizes and times for files
        whose bytes are those it read (same_bytes: a save without a change, a checkout); `since`:
        as for begin."""
        self.begin(since)
        self._new_files = {name: {**record, "stat": stamps[name]} if name in stamps else record
                           for name, record in self.files.items()}
        self.finish(output, self.pages, self.folders, self.inputs, self.shape)

    def same_bytes(self, source: str, data: bytes) -> bool:
        """Whether a file's bytes are those the last build read from it."""
        record = self.files.get(source)
        return record is not None and record["digest"] == digest(data)

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

    def keep(self, source: str, stat: list[int], bytes_digest: str, post: Post | None,
             problems: Problems) -> Post | None:
        """Record a newly parsed file, with its time and size taken before it was read; returns the
        post to build with, its HTML now in the pack and read again only when a page needs it (a
        saved cache only)."""
        self.dirty = True
        try:
            if post is not None:
                check_keepable(post)
        except TypeError:  # a front-matter value JSON cannot hold: parse this file every time
            return post
        html: Html | list[Any] | None = post.html if post is not None else None
        if post is not None:
            # Of its links, those to other posts' files: the rest (at 100,000 posts, a fifth of the
            # build's memory after parsing) only `sitegen check` reads, and never from the cache
            links = tuple(link for link in post.links if is_source_link(link[0]))
            if self.path is not None:
                html = self.pack.append(post.html)
                post = dataclasses.replace(post, html=self._lazy(html), links=links,
                                           key_lines=self._shared(post.key_lines))
            elif links != post.links:
                post = dataclasses.replace(post, links=links)
        # The post itself, the one the build holds anyway, encoded only as the records are written:
        # its JSON values kept from here on would be a second copy of every post through the build
        self._new_files[source] = {
            "stat": stat, "digest": bytes_digest, "post": post,
            "html": html, "errors": [encode_error(e) for e in problems.errors],
            "warnings": [encode_error(w) for w in problems.warnings]}
        self._decoded[source, bytes_digest] = post, problems
        return post

    def _decode(self, record: dict[str, Any]) -> Post:
        if isinstance(record["post"], Post):  # kept by this process (see keep), its HTML with it
            return record["post"]
        # A memory-only cache (sitegen serve) has no pack: its records hold the HTML itself
        html = record["html"]
        return decode_post(record["post"], html if isinstance(html, Html) else self._lazy(html), self._shared)

    def _shared(self, lines: Mapping[str, int]) -> Mapping[str, int]:
        return self._lines.setdefault(tuple(lines.items()), lines)

    def _lazy(self, place: list[Any]) -> Html:
        offset, length, check, html_digest = place
        return Html.later(functools.partial(self.pack.read, offset, length, check), html_digest)

    def keep_related(self, related: Mapping[str, Any]) -> None:
        self._new_related, self.dirty = dict(related), True  # the records, as read, stay the before

    def sources(self) -> dict[str, str]:
        """The hash of each file this build has read a post from, by source path."""
        return {name: record["digest"] for name, record in self._new_files.items() if record["post"]}

    def stale(self) -> bool:
        """True when the posts read this time differ from what the cache holds."""
        return self.dirty or set(self.files) != set(self._new_files)

    # --- rendered pages -------------------------------------------------------------------

    def begin(self, since: int | None = None) -> None:
        """Forget what an earlier, failed build of this cache had started to record; `since`: when
        the build began to read, if before now (it listed content/ first)."""
        self._new_files, self._new_related = {}, None
        now = time.time_ns()
        self._started = min(now, since) if since else now

    def finish(self, output: Path, pages: Mapping[str, Any] | None,
               folders: Mapping[str, int] | None = None, inputs: Mapping[str, Any] | None = None,
               shape: Mapping[str, Any] | None = None) -> None:
        """Take this build's posts and pages (None: nothing changed) as the next build's start;
        `shape`: what tells the next build which pages it need not hash (incremental.page_keys)."""
        if pages is not None:
            records = {"files": self._new_files, "pages": dict(pages), "related": self.related,
                       "shape": dict(shape or {})}
            if self.path is not None and self._token and self._records is not None:
                for section, now in records.items():  # what changed since the records were read
                    _changes(self._records[section], now, self._delta.setdefault(section, {}))
            self._records, self._new_related = records, None
            self.output = shown(output)
            self._folders, self.inputs = dict(folders or {}), dict(inputs or {})
            self.read_at = self._started
            self.warnings, self.dirty = [], False
            kept = {(source, record["digest"]) for source, record in self.files.items()}
            self._decoded = {key: known for key, known in self._decoded.items() if key in kept}
            # in the listing's order (path order), for the no-change check to walk both in step
            names = sorted(self.files, key=lambda name: name.split("/"))
            self.file_stamps = Stamps(names, [n for name in names for n in self.files[name]["stat"]])
            self.output_stamps = Stamps(list(self.pages), [n for r in self.pages.values() for n in r["out"]])
            self.folder_stamps = Stamps(list(self.folders), list(self.folders.values()))
            self._save()
        elif inputs is not None and (inputs != self.inputs or any(map(self.racy, _times(inputs)))):
            self.inputs, self.read_at = dict(inputs), self._started
            self._save(records=False)  # the records, even if this build read them, are as they were
        self._new_files = {}

    def _save(self, *, records: bool = True) -> None:
        """Write the new posts' HTML to the pack, then the records (unless `records` is False: those
        on disk stand), then the index that stands for them (each replaced whole); a memory-only
        cache writes nothing."""
        if self.path is None or self.pack.gone():  # a cache removed during the build stays removed
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        (self.path.parent / ".gitignore").write_text("*\n", encoding="utf-8")
        if records and self._records is not None:  # else the records on disk stand, with their token
            records_path = self.path.with_suffix(".records")
            delta_token = uuid.uuid4().hex
            delta = dumps({"token": delta_token, "base": self._token, "changes": self._delta})
            if self.pack.compact(self.files) or not self._token or not records_path.is_file() \
                    or len(delta) > DELTA_SHARE * records_path.stat().st_size:
                self._token, self._delta_token, self._delta = uuid.uuid4().hex, "", {}
                _replace(records_path, dumped({"token": self._token, **self._records}))
                self.path.with_suffix(".delta").unlink(missing_ok=True)
            else:
                self._delta_token = delta_token
                _replace(self.path.with_suffix(".delta"), delta)
        _replace(self.path, orjson.dumps({
            "format": FORMAT, "sitegen": __version__, "settings": self.settings, "output": self.output,
            "inputs": self.inputs, "read_at": self.read_at, "templates": self.templates,
            "records": self._token, "delta": self._delta_token, "stats": list(self.file_stamps),
            "outs": list(self.output_stamps), "folders": list(self.folder_stamps)}))
        others = sorted((p for p in self.path.parent.glob("*.json") if p != self.path),
                        key=lambda p: p.stat().st_mtime_ns, reverse=True)
        for stale in others[_KEEP - 1:]:
            stale.unlink(missing_ok=True)
            stale.with_suffix(".pack").unlink(missing_ok=True)
            stale.with_suffix(".records").unlink(missing_ok=True)
            stale.with_suffix(".delta").unlink(missing_ok=True)


def _times(inputs: Mapping[str, Any]) -> list[int]:
    """The modification times among a build's inputs: a racy one is looked at again next time,
    unless the build that records them starts later."""
    listing = inputs.get("listing") or {"folders": []}
    return [mtime for mtime, _ in inputs["other"].values()] + [mtime for _, mtime in listing["folders"]]


def _stamps(value: object) -> bool:
    return isinstance(value, list) and len(value) == 2 and all(isinstance(v, list) for v in value)


def _no_records() -> dict[str, Any]:
    return {"files": {}, "pages": {}, "related": {}, "shape": {}}


def _apply(records: dict[str, Any], changes: Mapping[str, Any]) -> None:
    for name, record in changes.items():
        if record is None:
            records.pop(name, None)
        else:
            records[name] = record


def _changes(before: Mapping[str, Any], now: Mapping[str, Any], into: dict[str, Any]) -> None:
    """Add to `into` the records of `now` that differ from `before`, and None for those gone."""
    for name, record in now.items():
        earlier = before.get(name)
        if record is not earlier and record != earlier:  # most records are the very objects read
            into[name] = record
    for name in before.keys() - now.keys():
        into[name] = None


def _replace(path: Path, data: bytes | Iterable[bytes]) -> None:
    temporary = path.with_suffix(path.suffix + ".tmp")
    with open(temporary, "wb") as file:
        file.writelines([data] if isinstance(data, bytes) else data)
    os.replace(temporary, path)
