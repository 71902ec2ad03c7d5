"""Read sitegen.yaml, tags.yaml and categories.yaml into one validated Config.

Support module: imports errors, models, flavors (the Markdown flavors' names), frontmatter (to
read YAML with located errors), registry (tags.yaml, categories.yaml), translations (the strings
a site may replace), urls.
Every key has a default; an unknown key is an error with a "did you mean" hint.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sitegen import configblocks as blocks
from sitegen.errors import BuildError, ConfigError, SourceError, did_you_mean
from sitegen.frontmatter import load_mapping
from sitegen.models import Config
from sitegen.registry import AUTHORS_FILE, CATEGORIES_FILE, TAGS_FILE, tag_registry
from sitegen.urls import image_link, is_external

CONFIG_FILE = "sitegen.yaml"


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
    "feeds": (lambda v: [v] if isinstance(v, str) else v if isinstance(v, list) and v else None,
              "a list of feed formats, e.g. feeds: [atom, rss, json]"),
    "feed_aliases": (_mapping, "a mapping of old feed addresses to formats, e.g. "
                               "feed_aliases: {/feed/: rss, /atom.xml: atom}"),
    "extra": (_mapping, "a mapping of your own keys, e.g. extra: {twitter: me}"),
    "tags": (_mapping, "a mapping, e.g. tags: {min_posts: 2, noindex: false, hierarchy: false}"),
    "categories": (_mapping, "a mapping, e.g. categories: {min_posts: 2, noindex: false, hierarchy: true}"),
    "markdown": (_mapping, "a mapping, e.g. markdown: {flavor: kramdown}"),
    "permalinks": (_mapping, "a mapping, e.g. permalinks: {post: /:year/:month/:day/:title/}"),
    "search": (lambda v: v if isinstance(v, bool) else None, "true or false"),
    "keep_files": (lambda v: _names(v), "a list of names in the output folder: keep_files: [.git]"),
    "archives": (lambda v: v if isinstance(v, (bool, dict)) else None,
                 "true, false or a mapping, e.g. archives: {year: true, month: false}"),
    "image": (lambda v: _image(v), "an image's URL or its path on the site, e.g. image: /images/card.png"),
    "strings": (_mapping, 'a mapping of the theme\'s words, e.g. strings: {continue_reading: "Read on"}'),
}


def _image(value: object) -> str | None:
    """An absolute http(s) URL, or a path from the site's root ("images/x.png" is "/images/x.png",
    as Jekyll and Hugo read it)."""
    link = image_link(value) if isinstance(value, str) else None
    return link if link is None or is_external(link) or link.startswith("/") else "/" + link


def _names(value: object) -> tuple[str, ...] | None:
    """Relative paths inside the output folder, none of them leaving it."""
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        return None
    parts = [PurePosixPath(v.strip()) for v in value]
    if any(p.is_absolute() or ".." in p.parts or "\\" in str(p) for p in parts):
        return None
    return tuple(str(p) for p in parts)


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
    for name, kind in ((TAGS_FILE, "tag"), (CATEGORIES_FILE, "category"), (AUTHORS_FILE, "author")):
        if not (root / name).is_file():
            continue
        try:
            text = (root / name).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            errors.append(ConfigError(name, f"cannot read the file: {exc}"))
        else:
            specs, aliases, registry_errors = tag_registry(text, name)
            changes: dict[str, Any] = {f"{kind}_specs": specs, f"{kind}_aliases": aliases}
            config = replace(config, **changes)
            errors += registry_errors
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
                                      hint=did_you_mean(key, _KEYS, "put your own keys under extra:")))
            continue
        validate, expected = _KEYS[key]
        clean = validate(value)
        if clean is None:
            errors.append(ConfigError(name, f"{key} must be {expected}, got {value!r}",
                                      line=line, col=col))
        elif key in ("tags", "categories"):
            changes[key] = blocks.tag_settings(key, dict(clean), name, data.inner.get(key, {}),  # type: ignore[call-overload]
                                         line, errors)
        elif key == "permalinks":
            changes[key] = blocks.permalinks(dict(clean), name, data.inner.get(key, {}),  # type: ignore[call-overload]
                                       line, errors)
        elif key == "archives":
            changes[key] = blocks.archives(clean, name, data.inner.get(key, {}), line, errors)
        elif key == "strings":
            changes[key] = blocks.strings(dict(clean), name, data.inner.get(key, {}), line, errors)  # type: ignore[call-overload]
        elif key == "markdown":
            changes.update(blocks.markdown_settings(dict(clean), name,  # type: ignore[call-overload]
                                              data.inner.get(key, {}), line, errors))
        elif key == "base_url":
            changes.update(base_url=clean, base_url_at=(name, line, col))
        elif key == "feeds":
            changes.update(blocks.feeds(clean, name, data.item_positions.get(key, ()), (line, col), errors))  # type: ignore[arg-type]
        elif key == "feed_aliases":
            changes.update(blocks.feed_aliases(dict(clean), name, data.inner.get(key, {}),  # type: ignore[call-overload]
                                         line, errors))
        else:
            changes[key] = clean
    return replace(config, **changes), [ConfigError.of(e) for e in errors]


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
