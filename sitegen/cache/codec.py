"""Posts and errors as JSON values, for the cache's index, and back as the parser made them.

Imports errors, models.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import Any

import orjson

from sitegen.errors import ContentError, SourceError
from sitegen.models import BuildReport, Html, Post

# A post as the parser made it: its tags, categories and authors are the site stage's, made again
# from the names each build
_POST_FIELDS = [f.name for f in dataclasses.fields(Post)
                if f.name not in ("html", "tags", "categories", "authors")]
_MOSTLY_EMPTY = ("category_names", "category_places", "author_names", "author_places", "aliases",
                 "moved_from")
_PLACES = ("tag_places", "category_places", "author_places")


def encode_post(post: Post) -> dict[str, Any]:
    """The post as the parser made it, as JSON values, but for its HTML (in the pack)."""
    fields = {name: getattr(post, name) for name in _POST_FIELDS}
    fields["source"] = str(post.source)
    # Kept small: the whole index is loaded by every rebuild, 10,000 posts at a time. A field that
    # is empty for most posts is left out; places are one flat list of line, column, line, ...
    for name in _MOSTLY_EMPTY:
        if not fields[name]:
            del fields[name]
    for name in _PLACES:
        if name in fields:
            fields[name] = [n for place in fields[name] for n in place]
    for name in ("date", "updated", "extra"):  # the only fields that can hold dates
        fields[name] = _to_json(fields[name])
    return fields


def check_keepable(post: Post) -> None:
    """TypeError when the cache cannot hold the post: its front matter's extra values are the one
    field that can hold what JSON cannot. Asked as the post is parsed, so that encode_post, as
    the records are written, never meets such a post."""
    orjson.dumps(_to_json(post.extra))


def dumps(records: Mapping[str, Any]) -> bytes:
    """The cache's records as JSON, each post in them encoded as encode_post makes it."""
    return orjson.dumps(records, default=_encoded, option=orjson.OPT_PASSTHROUGH_DATACLASS)


def dumped(records: Mapping[str, Any], per: int = 1024) -> Iterator[bytes]:
    """dumps(records) in pieces, each section's records `per` at a time: written one after the
    other, they are the same bytes without the whole text in memory at once (a quarter of a
    gigabyte at 100,000 posts, on top of all the build holds when it writes them)."""
    yield b"{"
    for place, (name, value) in enumerate(records.items()):
        yield (b"," if place else b"") + orjson.dumps(name) + b":"
        if not isinstance(value, dict) or len(value) <= per:
            yield dumps(value)
            continue
        items, opening = iter(value.items()), b"{"
        while part := dict(itertools.islice(items, per)):
            yield opening + dumps(part)[1:-1]
            opening = b","
        yield b"}"
    yield b"}"


def _encoded(value: object) -> dict[str, Any]:
    if isinstance(value, Post):
        return encode_post(value)
    raise TypeError(f"{type(value).__name__} is not kept in the cache")


def decode_post(record: Mapping[str, Any], html: Html,
                shared: Callable[[Mapping[str, int]], Mapping[str, int]] | None = None) -> Post:
    """A post from its JSON values and its HTML (read from the pack, or held by a memory-only cache);
    `shared` gives the mapping of its front matter's keys to their lines that other posts share."""
    fields = dict(record)
    if shared is not None:
        fields["key_lines"] = shared(fields["key_lines"])
    for name in ("date", "updated"):
        value = fields[name]
        if value is not None:
            fields[name] = _from_json(value)
    if fields["extra"]:
        fields["extra"] = _from_json(fields["extra"])
    fields["source"] = PurePosixPath(fields["source"])
    for name in _MOSTLY_EMPTY:
        fields[name] = tuple(fields.get(name, ()))
    for name in _PLACES:
        flat = fields.get(name, ())
        fields[name] = tuple(zip(flat[::2], flat[1::2], strict=True))
    fields["tag_names"] = tuple(fields["tag_names"])
    fields["links"] = tuple(map(tuple, fields["links"]))
    fields["html"] = html
    return Post(**fields)


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


def encode_report(report: BuildReport, skip: str) -> dict[str, Any]:
    """A build's report as JSON holds it, without the warnings about paths under `skip`."""
    return {"pages": report.pages, "posts": report.posts, "tags": report.tags,
            "static_files": report.static_files, "drafts_skipped": report.drafts_skipped,
            "future_skipped": report.future_skipped, "kinds": dict(report.kinds),
            "warnings": [encode_error(w) for w in report.warnings if not w.path.startswith(skip)]}


def decode_report(record: Mapping[str, Any], output_dir: Path) -> BuildReport:
    """The report of a build that found nothing to do: the last one's, with nothing rendered."""
    return BuildReport(
        output_dir=output_dir, pages=record["pages"], posts=record["posts"], tags=record["tags"],
        static_files=record["static_files"], drafts_skipped=record["drafts_skipped"],
        future_skipped=record["future_skipped"], kinds=MappingProxyType(record["kinds"]),
        warnings=tuple(decode_errors(record["warnings"])),
        rendered=0, changed=0, seconds=0.0)


def encode_error(error: SourceError) -> list[Any]:
    return [error.path, error.message, error.line, error.col, error.hint]


def decode_errors(records: Iterable[list[Any]]) -> list[SourceError]:
    return [ContentError(path, message, line=line, col=col, hint=hint)
            for path, message, line, col, hint in records]
