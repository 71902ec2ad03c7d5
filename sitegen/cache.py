"""The build cache in .sitegen-cache/: parsed posts by content, rendered pages by their inputs.

A rebuild re-reads only the files whose size or time changed, re-renders only the pages whose
inputs changed, and keeps output files whose bytes did not change. The cache is a JSON index
and a pack of the posts' HTML, so one from anywhere is data, never code; one that cannot be
read is ignored with a warning, and a damaged pack record makes the build start over.
Imports errors, models.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import importlib.util
import math
import os
import time
import zlib
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from pathlib import Path, PurePosixPath
from typing import Any

import orjson

from sitegen import __version__
from sitegen.errors import CacheDamaged, ContentError, Problems, SourceError
from sitegen.models import Config, Html, Page, Pagination, Post, Site, Tag

FOLDER = ".sitegen-cache"
FORMAT = 4  # 4: posts keep their tag names as written, with the place of each; no tag table
_KEEP = 4  # caches kept: one per set of settings (a build, serve, a preview with drafts...)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# A post as the parser made it: tags are the site stage's, made again from the names each build
_POST_FIELDS = [f.name for f in dataclasses.fields(Post) if f.name not in ("html", "tags")]
_SAME_AS_BODY = "\x01"  # in a pack record: the excerpt is the whole body
PACK_SLACK = 4 << 20  # unused bytes the pack may carry beyond the used ones before it is rewritten
# A file changed within this long after a build read it may keep its modification time (file
# systems count time in ticks): such a file is read again rather than judged by its time.
RACY_NS = 50_000_000


def digest(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def settings_fingerprint(config: Config) -> str:
    """What, besides a file's bytes, decides how it parses (paths and the clock do not)."""
    neutral = dataclasses.replace(config, root=Path("."), output_dir=Path("."),
                                  now=_EPOCH, jobs=1, drafts=False, future=False)
    return digest(f"{__version__}\n{_code_digest()}\n{_library_versions()}\n{neutral!r}")


@functools.cache
def _code_digest() -> str:
    """sitegen's own code and built-in theme, by their bytes: the version number stays the same
    while a developer or a git checkout changes them, and a cache made by other code must not
    stand in for what this code makes. Read once per process (about 2 ms), as the code is."""
    package = Path(__file__).parent
    files = sorted([*package.rglob("*.py"), *(p for p in (package / "theme").rglob("*") if p.is_file())])
    whole = hashlib.sha256()
    for path in files:
        data = path.read_bytes()
        whole.update(f"{path.relative_to(package).as_posix()}\0{len(data)}\0".encode())
        whole.update(data)
    return whole.hexdigest()


@functools.cache
def _library_versions() -> str:
    """Another Markdown, Pygments or Jinja may write other HTML from the same text: each
    library's installed files, by path, size and time (cheaper than reading package metadata)."""
    found = []
    for name in ("markdown", "pygments", "jinja2", "yaml"):
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec is not None and spec.origin else ""
        try:
            info = os.stat(origin)
            found.append(f"{origin}:{info.st_mtime_ns}:{info.st_size}")
        except OSError:
            found.append(f"{name}=?")
    return ",".join(found)


def config_digest(config: Config) -> str:
    """Everything in the configuration that can change the output (not where it goes, nor the
    clock: future posts are judged separately)."""
    return digest(repr(dataclasses.replace(config, output_dir=Path("."), jobs=1, now=_EPOCH)))


class BuildCache:
    """One settings' worth of cache: an index (JSON) read at the start of a build and written
    after it, and a pack of the posts' HTML, read only for the pages a build renders again."""

    def __init__(self, path: Path | None, settings: str, data: dict[str, Any] | None = None,
                 pack: _Pack | None = None) -> None:
        self.path, self.settings = path, settings
        data = data or {}
        self.files: dict[str, Any] = data.get("files", {})
        self.pages: dict[str, Any] = data.get("pages", {})
        self.folders: dict[str, int] = data.get("folders", {})  # output folder -> modification time
        self.output = data.get("output", "")
        self.read_at: int = data.get("read_at", 0)  # when the last build started reading (ns)
        self.related: dict[str, Any] = data.get("related", {})  # see site.RelatedMemo
        self.inputs: dict[str, Any] = data.get("inputs", {})  # what the last build read
        templates = data.get("templates")  # see renderer.template_fingerprints
        self.templates: dict[str, Any] = templates if isinstance(templates, dict) else {}
        self.warnings: list[SourceError] = []
        self.pack = pack or _Pack(path.with_suffix(".pack") if path else None)
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
            pack = _Pack(path.with_suffix(".pack"))
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

    # --- parsed posts (the parser's Memo) ---------------------------------------------------

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
            post = self._decode_post(record) if record["post"] is not None else None
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
            encoded = self._encode_post(post) if post is not None else None
        except TypeError:  # a front-matter value JSON cannot hold: parse this file every time
            return post
        html: Html | list[Any] | None = post.html if post is not None else None
        if post is not None and self.path is not None:
            html = self.pack.append(post.html)
            post = dataclasses.replace(post, html=self._lazy(html))
        bytes_digest = digest(data)
        self._new_files[source] = {
            "stat": [info.st_mtime_ns, info.st_size], "digest": bytes_digest, "post": encoded,
            "html": html, "errors": [_encode_error(e) for e in problems.errors],
            "warnings": [_encode_error(w) for w in problems.warnings]}
        self._decoded[source, bytes_digest] = post, problems
        return post

    def _lazy(self, place: list[Any]) -> Html:
        offset, length, check, html_digest = place
        return Html.later(functools.partial(self.pack.read, offset, length, check), html_digest)

    def _encode_post(self, post: Post) -> dict[str, Any]:
        """The post as the parser made it, as JSON values, but for its HTML (in the pack)."""
        fields = {name: getattr(post, name) for name in _POST_FIELDS}
        fields["source"] = str(post.source)
        for name in ("date", "updated", "extra"):  # the only fields that can hold dates
            fields[name] = _to_json(fields[name])
        orjson.dumps(fields["extra"])  # TypeError now rather than when the cache is saved
        return fields

    def _decode_post(self, record: dict[str, Any]) -> Post:
        fields = dict(record["post"])
        for name in ("date", "updated"):
            value = fields[name]
            if value is not None:
                fields[name] = _from_json(value)
        if fields["extra"]:
            fields["extra"] = _from_json(fields["extra"])
        fields["source"] = PurePosixPath(fields["source"])
        fields["tag_names"] = tuple(fields["tag_names"])
        fields["tag_places"] = tuple(map(tuple, fields["tag_places"]))
        fields["aliases"] = tuple(fields["aliases"])
        fields["links"] = tuple(map(tuple, fields["links"]))
        # A memory-only cache (sitegen serve) has no pack: its records hold the HTML itself
        html = record["html"]
        fields["html"] = html if isinstance(html, Html) else self._lazy(html)
        return Post(**fields)

    def recall_related(self) -> Mapping[str, Any]:
        return self.related

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


class _Pack:
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
        return body, body if summary == _SAME_AS_BODY else summary, toc

    def append(self, html: Html) -> list[Any]:
        """Add one post's HTML at the end of the pack; returns where it is."""
        assert self.path is not None
        if self._appending is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._appending = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        body, summary, toc = html.parts
        data = "\x00".join((body, _SAME_AS_BODY if summary == body else summary, toc)).encode()
        written = os.write(self._appending, data)
        if written != len(data):
            raise OSError(f"short write to {self.path}")
        # O_APPEND: the end, as this write left it, even when another build appends too
        return [os.lseek(self._appending, 0, os.SEEK_CUR) - written, written, zlib.crc32(data), html.digest]

    def compact(self, files: Mapping[str, dict[str, Any]]) -> None:
        """Rewrite the pack without the records no post uses, once those outweigh the rest."""
        assert self.path is not None
        used = sum(r["html"][1] for r in files.values() if isinstance(r.get("html"), list))
        if self.size() <= 2 * used + PACK_SLACK:
            return
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


def _to_json(value: Any) -> Any:
    """Front-matter values as JSON gives them back; TypeError for those it would not (the post
    is then parsed on every build rather than come back changed from the cache)."""
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise TypeError("a mapping with keys other than text is not kept in the cache")
        return {k: _to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_to_json(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        raise TypeError(f"{value} is not kept in the cache")
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return _json_value(value)  # dates; anything else raises TypeError


def _encode_error(error: SourceError) -> list[Any]:
    return [error.path, error.message, error.line, error.col, error.hint]


def decode_errors(records: Iterable[list[Any]]) -> list[SourceError]:
    return [ContentError(path, message, line=line, col=col, hint=hint)
            for path, message, line, col, hint in records]


# --- fingerprints of page inputs --------------------------------------------------------------


class Fingerprints:
    """Hashes of everything a page's output can depend on, each computed once per build."""

    def __init__(self, site: Site, templates: Mapping[str, str], sources: Mapping[str, str]) -> None:
        self.site = site
        self.templates = templates  # template name -> hash of it and what it extends or includes
        self.sources = sources  # source file -> hash of its bytes, for posts parsed from them
        self._posts: dict[int, str] = {}
        self._tags: dict[int, str] = {}
        self._site: dict[str, str] = {}
        self.config = config_digest(site.config)

    def of_post(self, post: Post) -> str:
        known = self._posts.get(id(post))
        if known is None:
            tags = [self._of_tag(t) for t in post.tags]
            source = self.sources.get(str(post.source))
            if source is not None:
                # A post is its file's bytes read under the cache's settings, but for what the
                # site stage changes: its tags (shared objects) and its HTML (links rewritten).
                fields: tuple[object, ...] = (str(post.source), source, tags, post.html.digest)
            else:
                # The two dates by their text: a fresh parse and the cache give different tz objects.
                dates = (post.date and post.date.isoformat(), post.updated and post.updated.isoformat())
                fields = (str(post.source), post.url, post.title, dates, tags, post.aliases,
                          post.links, post.summary, post.html.digest, post.cut, post.words,
                          post.reading_minutes, post.draft, post.author, post.description,
                          self.of_value(post.extra))
            known = digest(repr(fields))
            self._posts[id(post)] = known
        return known

    def _of_tag(self, tag: Tag) -> str:
        known = self._tags.get(id(tag))
        if known is None:
            # one Tag object is shared by all its posts; its digest keeps their texts short
            self._tags[id(tag)] = known = digest(repr(tag))
        return known

    def of_value(self, value: object) -> str:
        """A stable text standing for any value found in a page's context."""
        kind = type(value)
        if kind is Post:
            return "post:" + self.of_post(value)  # type: ignore[arg-type]
        if kind is Tag:
            return self._of_tag(value)  # type: ignore[arg-type]
        if kind is str or kind is int or value is None or kind is bool:
            return repr(value)
        if kind is tuple or kind is list:
            known = self._posts  # posts and strings by far the most common items: without a call
            return "[" + ",".join([("post:" + known[id(v)]) if id(v) in known
                                   else repr(v) if type(v) is str else self.of_value(v)
                                   for v in value]) + "]"  # type: ignore[attr-defined]
        if isinstance(value, Pagination):
            items = ",".join([self.of_post(p) for p in value.items])
            return f"pagination:{value.number}/{value.count}:{value.prev_url}:{value.next_url}:{items}"
        if isinstance(value, Mapping):
            return "{" + ",".join([f"{k!r}:{self.of_value(v)}" for k, v in sorted(value.items())]) + "}"
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
        context = ",".join([f"{key}:{self.of_value(value)}" for key, value in sorted(page.context.items())])
        parts = [self.templates.get(page.template, "?"), self.config, page.url, str(page.path), context]
        parts += [f"{name}={self.of_site(name)}" for name in sorted(site_names)]
        return digest("\x00".join(parts))
