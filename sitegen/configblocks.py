"""The settings sitegen.yaml writes as blocks or lists (markdown:, permalinks:, archives:, strings:,
feeds:, feed_aliases:, tags:, categories:), each checked into its value with every error located.

Support module for config: imports errors, flavors, models, permalinks, languages, translations, urls.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from sitegen.errors import ConfigError, SourceError, did_you_mean
from sitegen.flavors import FLAVORS
from sitegen.languages import ENGLISH
from sitegen.models import FEED_FORMATS, Archives, Permalinks, TagSettings, TermSettings
from sitegen.permalinks import hugo_pattern, named_pattern, permalink_problem
from sitegen.translations import override_problem


def _whole(minimum: int) -> Callable[[object], object]:
    def check(value: object) -> int | None:
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= minimum
        return value if ok else None  # type: ignore[return-value]
    return check


def _flag(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


_TAG_SETTINGS: dict[str, tuple[Callable[[object], object], str]] = {
    "min_posts": (_whole(1), "a whole number from 1, e.g. min_posts: 2"),
    "noindex": (_flag, "true or false"),
    "hierarchy": (_flag, "true or false"),
    "related": (_whole(0), "a whole number from 0, e.g. related: 3"),
}


_HOST = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}\.?")

_MARKDOWN_KEYS = ("flavor", "unsafe_html", "iframe_hosts")
_FLAVOR_HINT = ("the engine your posts were written for: kramdown (Jekyll), goldmark (Hugo), "
                "markdown-it (Eleventy), commonmark; sitegen is the default")


def markdown_settings(values: dict[str, object], name: str, places: dict[str, tuple[int, int]],
                       line: int, errors: list[SourceError]) -> dict[str, object]:
    settings: dict[str, object] = {}
    for key, value in values.items():
        key_line, col = places.get(key, (line, None))
        if key not in _MARKDOWN_KEYS:
            errors.append(ConfigError(name, f"unknown key '{key}' under markdown:", line=key_line, col=col,
                                      hint=did_you_mean(key, _MARKDOWN_KEYS,
                                                         "known keys: " + ", ".join(_MARKDOWN_KEYS))))
        elif key == "flavor":
            if isinstance(value, str) and value in FLAVORS:
                settings["markdown_flavor"] = value
            else:
                errors.append(ConfigError(
                    name, f"markdown: flavor must be one of {', '.join(FLAVORS)}, got {value!r}",
                    line=key_line, col=col, hint=did_you_mean(str(value), FLAVORS, _FLAVOR_HINT)))
        elif key == "iframe_hosts":
            hosts = _hosts(value)
            if hosts is None:
                errors.append(ConfigError(
                    name, f"markdown: iframe_hosts must be a list of host names, got {value!r}",
                    line=key_line, col=col,
                    hint="e.g. iframe_hosts: [youtube.com, player.vimeo.com]: a host without "
                         "https:// or a path; [] keeps no iframe"))
            else:
                settings["iframe_hosts"] = hosts
        elif not isinstance(value, bool):
            errors.append(ConfigError(name, f"markdown: unsafe_html must be true or false, got {value!r}",
                                      line=key_line, col=col))
        else:
            settings["unsafe_html"] = value
    return settings


# Hugo names the blocks after the section and the taxonomy: posts:, tags:, categories:. A pattern
# under one of its names means what it meant in Hugo (:title is the urlized title, :slug the slug
# or else that); under sitegen's own names, what it means in Jekyll (:title the file name)
_PERMALINK_KEYS = {"post": "post", "posts": "post", "tag": "tag", "tags": "tag", "category": "category",
                   "categories": "category"}
_HUGO_KEYS = ("posts", "tags", "categories")


def permalinks(values: dict[str, object], name: str, places: dict[str, tuple[int, int]],
                line: int, errors: list[SourceError]) -> Permalinks:
    patterns: dict[str, str] = {}
    hugo: list[str] = []
    for key, value in values.items():
        key_line, col = places.get(key, (line, None))
        kind = _PERMALINK_KEYS.get(key)
        if kind is None:
            errors.append(ConfigError(name, f"unknown key '{key}' under permalinks:", line=key_line,
                                      col=col, hint=did_you_mean(key, ("post", "tag", "category"),
                                                                 "the keys are post, tag and category")))
        elif kind in patterns:
            errors.append(ConfigError(name, f"permalinks: {key} gives the {kind} pattern a second time",
                                      line=key_line, col=col, hint="keep one of the two lines"))
        elif not isinstance(value, str):
            errors.append(ConfigError(name, f"permalinks: {key} must be a URL pattern, got {value!r}",
                                      line=key_line, col=col, hint=f"{key}: {getattr(Permalinks(), kind)}"))
        elif (problem := permalink_problem(hugo_pattern(value, kind) if key in _HUGO_KEYS else value.strip(),
                                           kind, hugo=key == "posts")) is not None:
            message, hint = problem
            errors.append(ConfigError(name, f"permalinks: {key} {value.strip()!r} {message}", line=key_line,
                                      col=col, hint=f"{key}: {hint}" if hint.startswith("/") else hint))
        elif key in _HUGO_KEYS:
            patterns[kind] = hugo_pattern(value, kind)
            hugo.append(kind)
        else:
            patterns[kind] = named_pattern(value.strip(), kind)
    return Permalinks(**patterns, hugo=tuple(sorted(hugo)))


# Pelican's YEAR_ARCHIVE and MONTH_ARCHIVE, jekyll-archives' enabled: [year, month]
_ARCHIVE_KEYS = {"year": "year", "years": "year", "by_year": "year",
                 "month": "month", "months": "month", "by_month": "month"}


def archives(value: object, name: str, places: dict[str, tuple[int, int]], line: int,
              errors: list[SourceError]) -> Archives:
    """`archives: false` (none), `true`, or which: `{year: true, month: false}`."""
    if isinstance(value, bool):
        return Archives(year=value, month=value)
    chosen: dict[str, bool] = {}
    for key, flag in dict(value).items():  # type: ignore[call-overload]
        key_line, col = places.get(key, (line, None))
        kind = _ARCHIVE_KEYS.get(key)
        if kind is None:
            errors.append(ConfigError(name, f"unknown key '{key}' under archives:", line=key_line, col=col,
                                      hint=did_you_mean(key, _ARCHIVE_KEYS, "the keys are year and month")))
        elif kind in chosen:
            errors.append(ConfigError(name, f"archives: {key} turns the {kind} archives on or off a second "
                                      "time", line=key_line, col=col, hint="keep one of the two lines"))
        elif not isinstance(flag, bool):
            errors.append(ConfigError(name, f"archives: {key} must be true or false, got {flag!r}",
                                      line=key_line, col=col))
        else:
            chosen[kind] = flag
    return Archives(**{"year": True, "month": True, **chosen})  # a mapping asks for archives


def strings(values: dict[str, object], name: str, places: dict[str, tuple[int, int]],
             line: int, errors: list[SourceError]) -> dict[str, str]:
    """The theme's words a site writes its own way; each key one the theme uses."""
    kept: dict[str, str] = {}
    for key, value in values.items():
        key_line, col = places.get(key, (line, None))
        if key not in ENGLISH:
            errors.append(ConfigError(name, f"unknown key '{key}' under strings:", line=key_line, col=col,
                                      hint=did_you_mean(key, ENGLISH, "the keys are the names the theme "
                                                        "gives its words, e.g. continue_reading")))
        elif (problem := override_problem(key, value)) is not None:
            message, hint = problem
            errors.append(ConfigError(name, f"strings: {key} {message}", line=key_line, col=col, hint=hint))
        else:
            kept[key] = value  # type: ignore[assignment]
    return kept


_FEEDS_HINT = "the formats are " + ", ".join(FEED_FORMATS) + ": feeds: [" + ", ".join(FEED_FORMATS) + "]"


def feeds(values: list[object], name: str, places: tuple[tuple[int, int], ...], at: tuple[int, int],
           errors: list[SourceError]) -> dict[str, object]:
    """`feeds:` the formats, each once, in the order given."""
    chosen: list[str] = []
    for index, value in enumerate(values):
        line, col = places[index] if index < len(places) else at
        if not isinstance(value, str) or value not in FEED_FORMATS:
            errors.append(ConfigError(name, f"feeds: unknown feed format {value!r}", line=line, col=col,
                                      hint=did_you_mean(str(value), FEED_FORMATS, _FEEDS_HINT)))
        elif value not in chosen:
            chosen.append(str(value))
    return {"feeds": tuple(chosen)} if chosen else {}


_FEED_PATH = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]*")


def feed_aliases(values: dict[str, object], name: str, places: dict[str, tuple[int, int]],
                  line: int, errors: list[SourceError]) -> dict[str, object]:
    """`feed_aliases:` old feed addresses, each with the format of the feed copied there. A path
    naming no file (/feed) is a folder (/feed/): a host serves its index.html at /feed/."""
    aliases: dict[str, str] = {}
    lines: dict[str, int] = {}
    for key, value in values.items():
        key_line, col = places.get(key, (line, None))
        written = str(key).strip()
        parts = written.strip("/").split("/")
        if not all(_FEED_PATH.fullmatch(part) for part in parts) or written.startswith("//"):
            errors.append(ConfigError(name, f"feed_aliases: {written!r} is not a path such as /feed/ or "
                                      "/atom.xml", line=key_line, col=col,
                                      hint="letters, digits and . _ ~ - between slashes; a path "
                                           "without a leading / is under every feed's folder"))
            continue
        path = ("/" if written.startswith("/") else "") + "/".join(parts)
        path += "/" if written.endswith("/") or "." not in parts[-1] else ""
        if not isinstance(value, str) or value not in FEED_FORMATS:
            errors.append(ConfigError(name, f"feed_aliases: {written}: unknown feed format {value!r}",
                                      line=key_line, col=col,
                                      hint=did_you_mean(str(value), FEED_FORMATS, _FEEDS_HINT)))
        elif path in aliases:
            errors.append(ConfigError(name, f"feed_aliases: {written} is {path} a second time",
                                      line=key_line, col=col, hint="keep one of the two lines"))
        else:
            aliases[path], lines[path] = str(value), key_line
    return {"feed_aliases": tuple(sorted(aliases.items())), "feed_aliases_at": lines}


def _hosts(value: object) -> tuple[str, ...] | None:
    """Host names, lowercased: a listed host covers its subdomains."""
    if not isinstance(value, list) or not all(isinstance(v, str) and _HOST.fullmatch(v) for v in value):
        return None
    return tuple(dict.fromkeys(v.lower().rstrip(".") for v in value))


def tag_settings(block: str, values: dict[str, object], name: str, places: dict[str, tuple[int, int]],
                  line: int, errors: list[SourceError]) -> TermSettings:
    """The `tags:` block, or the `categories:` block: the same keys but related (posts are
    related by their tags)."""
    known = [key for key in _TAG_SETTINGS if block == "tags" or key != "related"]
    settings: dict[str, object] = {}
    for key, value in values.items():
        key_line, col = places.get(key, (line, None))
        if key not in known:
            hint = "related posts are found by their tags: tags: {related: 3}" if key == "related" else \
                did_you_mean(key, known, "known keys: " + ", ".join(known))
            errors.append(ConfigError(name, f"unknown key '{key}' under {block}:", line=key_line, col=col,
                                      hint=hint))
            continue
        validate, expected = _TAG_SETTINGS[key]
        clean = validate(value)
        if clean is None:
            errors.append(ConfigError(name, f"{block}: {key} must be {expected}, got {value!r}",
                                      line=key_line, col=col))
        else:
            settings[key] = clean
    return (TagSettings if block == "tags" else TermSettings)(**settings)  # type: ignore[arg-type]
