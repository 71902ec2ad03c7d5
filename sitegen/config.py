"""Read sitegen.yaml and tags.yaml into one validated Config.

Support module: imports errors, models, frontmatter (to read YAML with located errors), urls.
Every key has a default; an unknown key is an error with a "did you mean" hint.
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sitegen.errors import BuildError, ConfigError, SourceError
from sitegen.frontmatter import load_mapping
from sitegen.models import Config, TagSettings, TagSpec
from sitegen.urls import is_safe_slug, is_safe_slug_path, slugify, tag_key, tag_name

CONFIG_FILE = "sitegen.yaml"
TAGS_FILE = "tags.yaml"
_TAG_KEYS = ("slug", "description", "aliases", "old_slugs")
_PLAIN = re.compile(r"[^\W_][\w .+#&/'-]*")  # then read back to be sure


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _positive(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _base_url(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        return None
    value = value.removesuffix("index.html")  # the address of a folder, not of its index page
    return value if value.endswith("/") else value + "/"


def _timezone(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return value


def _mapping(value: object) -> dict[str, object] | None:
    return dict(value) if isinstance(value, dict) else None


# key -> (validator returning the clean value or None, what a valid value looks like)
_KEYS: dict[str, tuple[Callable[[object], object], str]] = {
    "title": (_text, 'a string, e.g. title: "My blog"'),
    "description": (_text, "a string"),
    "author": (_text, "a string"),
    "base_url": (_base_url, "an absolute URL, e.g. base_url: https://you.github.io/blog/"),
    "language": (_text, "a language code, e.g. language: en"),
    "timezone": (_timezone, "an IANA time zone, e.g. timezone: Europe/Paris"),
    "posts_per_page": (_positive, "a whole number above 0, e.g. posts_per_page: 10"),
    "feed_limit": (_positive, "a whole number above 0, e.g. feed_limit: 20"),
    "extra": (_mapping, "a mapping of your own keys, e.g. extra: {twitter: me}"),
    "tags": (_mapping, "a mapping, e.g. tags: {min_posts: 2, noindex: false, hierarchy: false}"),
    "markdown": (_mapping, "a mapping, e.g. markdown: {unsafe_html: true}"),
    "search": (lambda v: v if isinstance(v, bool) else None, "true or false"),
    "keep_files": (lambda v: _names(v), "a list of names in the output folder: keep_files: [.git]"),
}


def _names(value: object) -> tuple[str, ...] | None:
    """Relative paths inside the output folder, none of them leaving it."""
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        return None
    parts = [PurePosixPath(v.strip()) for v in value]
    if any(p.is_absolute() or ".." in p.parts or "\\" in str(p) for p in parts):
        return None
    return tuple(str(p) for p in parts)


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


def load_config(
    root: Path,
    *,
    now: datetime,
    output_dir: Path | None = None,
    base_url: str | None = None,
    drafts: bool = False,
    future: bool = False,
    preview: bool = False,
) -> Config:
    """Read the site folder's configuration; raise BuildError listing every problem.

    `base_url` is --base-url's value; under `preview` (sitegen serve) it is the preview's own
    address.
    """
    root = root.resolve()
    errors: list[SourceError] = []
    config = Config(root=root, output_dir=root / "public", now=now)
    source = root / CONFIG_FILE
    if source.is_file():
        config, config_errors = _read_config(config, source)
        errors += config_errors
    if base_url is not None:
        clean = _base_url(base_url)
        if clean is None:
            errors.append(ConfigError("--base-url", f"{base_url!r} is not {_KEYS['base_url'][1]}"))
        else:
            config = replace(config, base_url=clean, base_url_at=("--base-url", None, None))
    tags_file = root / TAGS_FILE
    if tags_file.is_file():
        try:
            text = tags_file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            errors.append(ConfigError(TAGS_FILE, f"cannot read the file: {exc}"))
        else:
            specs, aliases, tag_errors = tag_registry(text)
            config = replace(config, tag_specs=specs, tag_aliases=aliases)
            errors += tag_errors
    if errors:
        raise BuildError(errors)
    output = (output_dir if output_dir is not None else root / "public").absolute()
    return replace(config, output_dir=output, drafts=drafts, future=future, preview=preview)


def _relative(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def _read_config(config: Config, source: Path) -> tuple[Config, list[SourceError]]:
    name = _relative(source, config.root)
    try:
        text = source.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    except (OSError, UnicodeDecodeError) as exc:
        return config, [ConfigError(name, f"cannot read the file: {exc}")]
    data, errors = load_mapping(text, name, 1)
    changes: dict[str, Any] = {}
    for key, value in data.values.items():
        line, col = data.positions[key]
        if key not in _KEYS:  # at the key, not at its value (a mapping starts on the next line)
            errors.append(ConfigError(name, f"unknown key '{key}'", line=data.key_lines[key], col=1,
                                      hint=_did_you_mean(key, _KEYS, "put your own keys under extra:")))
            continue
        validate, expected = _KEYS[key]
        clean = validate(value)
        if clean is None:
            errors.append(ConfigError(name, f"{key} must be {expected}, got {value!r}",
                                      line=line, col=col))
        elif key == "tags":
            changes[key] = _tag_settings(dict(clean), name, data.inner.get(key, {}),  # type: ignore[call-overload]
                                         line, errors)
        elif key == "markdown":
            changes.update(_markdown_settings(dict(clean), name,  # type: ignore[call-overload]
                                              data.inner.get(key, {}), line, errors))
        elif key == "base_url":
            changes.update(base_url=clean, base_url_at=(name, line, col))
        else:
            changes[key] = clean
    return replace(config, **changes), [_as_config(e) for e in errors]


def _markdown_settings(values: dict[str, object], name: str, places: dict[str, tuple[int, int]],
                       line: int, errors: list[SourceError]) -> dict[str, object]:
    settings: dict[str, object] = {}
    for key, value in values.items():
        key_line, col = places.get(key, (line, None))
        if key != "unsafe_html":
            errors.append(ConfigError(name, f"unknown key '{key}' under markdown:", line=key_line, col=col,
                                      hint="the one key is unsafe_html"))
        elif not isinstance(value, bool):
            errors.append(ConfigError(name, f"markdown: unsafe_html must be true or false, got {value!r}",
                                      line=key_line, col=col))
        else:
            settings["unsafe_html"] = value
    return settings


def _tag_settings(values: dict[str, object], name: str, places: dict[str, tuple[int, int]],
                  line: int, errors: list[SourceError]) -> TagSettings:
    settings: dict[str, object] = {}
    for key, value in values.items():
        key_line, col = places.get(key, (line, None))
        if key not in _TAG_SETTINGS:
            errors.append(ConfigError(name, f"unknown key '{key}' under tags:", line=key_line, col=col,
                                      hint=_did_you_mean(key, _TAG_SETTINGS,
                                                         "known keys: " + ", ".join(_TAG_SETTINGS))))
            continue
        validate, expected = _TAG_SETTINGS[key]
        clean = validate(value)
        if clean is None:
            errors.append(ConfigError(name, f"tags: {key} must be {expected}, got {value!r}",
                                      line=key_line, col=col))
        else:
            settings[key] = clean
    return TagSettings(**settings)  # type: ignore[arg-type]


def tag_registry(text: str) -> tuple[dict[str, TagSpec], dict[str, str], list[SourceError]]:
    """The entries of a tags.yaml text by tag key, the alias map, and every problem in it."""
    name = TAGS_FILE
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    data, errors = load_mapping(text, name, 1)
    specs: dict[str, TagSpec] = {}
    for tag, value in data.values.items():
        line, col = data.key_lines[tag], data.positions[tag][1]
        fields = {} if value is None else value
        if not isinstance(fields, dict):
            errors.append(ConfigError(name, f"'{tag}' must map to slug: and description:",
                                      line=line, col=col, hint=f"{tag}: {{slug: {slugify(tag)}}}"))
            continue
        spec, spec_errors = _tag_spec(tag, fields, name, line, data.inner.get(tag, {}))
        errors += spec_errors
        if spec is not None:
            specs[tag_key(tag)] = spec
    aliases, alias_errors = _alias_map(specs, name)
    return specs, aliases, [_as_config(e) for e in errors + alias_errors]


def alias_entry(name: str, aliases: list[str]) -> str:
    """The one line of tags.yaml that makes `aliases` spellings of the tag `name`, as
    `End of Life: {aliases: [End-of-Life]}`; names that YAML would read otherwise are quoted."""
    return f"{_scalar(name)}: {{aliases: [{', '.join(map(_scalar, aliases))}]}}"


def _scalar(name: str) -> str:
    """A name as a YAML flow scalar that reads back as itself: plain where it can be."""
    if not _PLAIN.fullmatch(name):
        return json.dumps(name, ensure_ascii=False)
    data, errors = load_mapping(f"a: [{name}]\nb: {name}", TAGS_FILE, 1)
    plain = not errors and data.values == {"a": [name], "b": name}
    return name if plain else json.dumps(name, ensure_ascii=False)


def _tag_spec(
    tag: str, fields: dict[object, object], name: str, line: int, places: dict[str, tuple[int, int]]
) -> tuple[TagSpec | None, list[SourceError]]:
    """`places`: line and column of each field's key; a problem with a field is located there."""
    errors: list[SourceError] = []

    def error(key: str, message: str, hint: str | None = None) -> None:
        key_line, col = places.get(key, (line, None))
        errors.append(ConfigError(name, message, line=key_line, col=col, hint=hint))

    for key in fields:
        if key not in _TAG_KEYS:
            error(str(key), f"unknown key '{key}' for tag '{tag}'",
                  _did_you_mean(str(key), _TAG_KEYS, "known keys: " + ", ".join(_TAG_KEYS)))
    slug, description = fields.get("slug"), fields.get("description", "")
    if slug is not None and (not isinstance(slug, str) or not is_safe_slug(slug)):
        error("slug", f"slug of '{tag}' must be lowercase letters, digits and dashes, got {slug!r}",
              f"slug: {slugify(str(slug)) or 'my-tag'}")
    if not isinstance(description, str):
        error("description", f"description of '{tag}' must be text")
    lists = {}
    for key in ("aliases", "old_slugs"):
        value = fields.get(key, [])
        value = [value] if isinstance(value, str) else value
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            error(key, f"{key} of '{tag}' must be a list of names", f"{key}: [old name]")
            value = []
        lists[key] = tuple(tag_name(v) for v in value)
    for old in lists["old_slugs"]:
        if not is_safe_slug_path(old):
            suggestion = "/".join(filter(None, map(slugify, old.split("/")))) or "old-slug"
            error("old_slugs", f"old slug {old!r} of '{tag}' is not a slug, nor slugs joined by '/'",
                  f"old_slugs: [{suggestion}]")
    if errors:
        return None, errors
    return TagSpec(name=tag_name(tag), slug=slug if isinstance(slug, str) else None,
                   description=str(description), line=line,
                   aliases=lists["aliases"], old_slugs=lists["old_slugs"]), []


def _alias_map(specs: dict[str, TagSpec], name: str) -> tuple[dict[str, str], list[SourceError]]:
    """Alias spelling (as a tag key) -> the key of the tag it means; clashes are errors."""
    aliases: dict[str, str] = {}
    errors: list[SourceError] = []
    for key, spec in specs.items():
        for alias in spec.aliases:
            alias_key = tag_key(alias)
            other = aliases.get(alias_key) or (alias_key if alias_key in specs else None)
            if other is not None and other != key:
                errors.append(ConfigError(name, f"alias '{alias}' of '{spec.name}' is also "
                                          f"'{specs[other].name}'", line=spec.line,
                                          hint="an alias may mean one tag only"))
            elif alias_key != key:
                aliases[alias_key] = key
    return aliases, errors


def _did_you_mean(key: str, known: object, otherwise: str) -> str:
    matches = difflib.get_close_matches(key, list(known), n=1)  # type: ignore[call-overload]
    return f"did you mean '{matches[0]}'?" if matches else otherwise


def _as_config(error: SourceError) -> SourceError:
    if isinstance(error, ConfigError):
        return error
    return ConfigError(error.path, error.message, line=error.line, col=error.col, hint=error.hint)


def base_url_warning(config: Config) -> SourceError | None:
    """Feeds, the sitemap and canonical links need the address the site is published at: an
    unset base_url, or one no published site can have, is said once per build."""
    uses = "feeds, the sitemap and canonical links"
    if config.base_url_at is None:
        return ConfigError(
            "sitegen.yaml", f"base_url is not set; {uses} will point at {config.base_url}",
            hint="set base_url in sitegen.yaml to the address the site is published at "
                 "(base_url: https://your.domain/), or pass --base-url")
    reason = _example_host(config.base_url)
    if reason is None:
        return None
    path, line, col = config.base_url_at
    hint = ("pass the address the site is published at, e.g. --base-url https://you.github.io/blog/"
            if path == "--base-url" else
            "set base_url in sitegen.yaml to the address the site is published at, e.g. "
            "base_url: https://you.github.io/blog/")
    return ConfigError(path, f"base_url {config.base_url} is not a public address ({reason}); "
                       f"{uses} will point at it", line=line, col=col, hint=hint)


_EXAMPLE_DOMAINS = ("example.com", "example.net", "example.org")  # RFC 2606, with subdomains
_EXAMPLE_TLDS = ("example", "test", "invalid")  # RFC 2606 reserved top-level names
_PLACEHOLDERS = ("your.domain",)  # in the comment sitegen init writes, if uncommented as it is


def _example_host(url: str) -> str | None:
    """Why no reader can reach `url`'s host, or None when it may be a real one. Private networks
    (10.x, .local, .internal) are left alone: a site may be published on one."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    try:
        address: ipaddress.IPv4Address | ipaddress.IPv6Address | None = ipaddress.ip_address(host)
    except ValueError:
        address = None
    labels = host.split(".")
    if (address is not None and (address.is_loopback or address.is_unspecified)) \
            or labels[-1] == "localhost":  # RFC 6761: localhost and every name under it
        return f"{host} is this computer"
    if ".".join(labels[-2:]) in _EXAMPLE_DOMAINS or labels[-1] in _EXAMPLE_TLDS:
        return f"{host} is reserved for examples"
    if host in _PLACEHOLDERS:
        return f"{host} is a placeholder"
    return None
