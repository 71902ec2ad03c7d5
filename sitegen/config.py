"""Read sitegen.yaml and tags.yaml into one validated Config.

Support module: imports errors, models, frontmatter (to read YAML with located errors), urls.
Every key has a default; an unknown key is an error with a "did you mean" hint.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sitegen.errors import BuildError, ConfigError, SourceError
from sitegen.frontmatter import load_mapping
from sitegen.models import Config, TagSpec
from sitegen.urls import is_safe_slug, slugify, tag_key

CONFIG_FILE = "sitegen.yaml"
TAGS_FILE = "tags.yaml"
_TAG_KEYS = ("slug", "description")


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _positive(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _base_url(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return value if value.endswith("/") else value + "/"


def _timezone(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return value


def _mapping(value: object) -> MappingProxyType[str, object] | None:
    return MappingProxyType(dict(value)) if isinstance(value, dict) else None


# key -> (validator returning the clean value or None, what a valid value looks like)
_KEYS: dict[str, tuple[Callable[[object], object], str]] = {
    "title": (_text, 'a string, e.g. title: "My blog"'),
    "description": (_text, "a string"),
    "author": (_text, "a string"),
    "base_url": (_base_url, "an absolute URL, e.g. base_url: https://example.org/blog/"),
    "language": (_text, "a language code, e.g. language: en"),
    "timezone": (_timezone, "an IANA time zone, e.g. timezone: Europe/Paris"),
    "posts_per_page": (_positive, "a whole number above 0, e.g. posts_per_page: 10"),
    "feed_limit": (_positive, "a whole number above 0, e.g. feed_limit: 20"),
    "extra": (_mapping, "a mapping of your own keys, e.g. extra: {twitter: me}"),
}


def load_config(
    root: Path,
    *,
    now: datetime,
    output_dir: Path | None = None,
    base_url: str | None = None,
    drafts: bool = False,
    future: bool = False,
) -> Config:
    """Read the site folder's configuration; raise BuildError listing every problem."""
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
            config = replace(config, base_url=clean)
    tags_file = root / TAGS_FILE
    if tags_file.is_file():
        specs, tag_errors = _read_tags(tags_file, root)
        config = replace(config, tag_specs=MappingProxyType(specs))
        errors += tag_errors
    if errors:
        raise BuildError(errors)
    output = (output_dir if output_dir is not None else root / "public").absolute()
    return replace(config, output_dir=output, drafts=drafts, future=future)


def _relative(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def _read_config(config: Config, source: Path) -> tuple[Config, list[SourceError]]:
    name = _relative(source, config.root)
    try:
        text = source.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    except (OSError, UnicodeDecodeError) as exc:
        return config, [ConfigError(name, f"cannot read the file: {exc}")]
    data, errors = load_mapping(text, name, 1)
    changes: dict[str, object] = {}
    for key, value in data.values.items():
        line, col = data.positions[key]
        if key not in _KEYS:
            errors.append(ConfigError(name, f"unknown key '{key}'", line=line, col=1,
                                      hint=_did_you_mean(key, _KEYS, "put your own keys under extra:")))
            continue
        validate, expected = _KEYS[key]
        clean = validate(value)
        if clean is None:
            errors.append(ConfigError(name, f"{key} must be {expected}, got {value!r}",
                                      line=line, col=col))
        else:
            changes[key] = clean
    return replace(config, source=source, **changes), [_as_config(e) for e in errors]


def _read_tags(source: Path, root: Path) -> tuple[dict[str, TagSpec], list[SourceError]]:
    name = _relative(source, root)
    try:
        text = source.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    except (OSError, UnicodeDecodeError) as exc:
        return {}, [ConfigError(name, f"cannot read the file: {exc}")]
    data, errors = load_mapping(text, name, 1)
    specs: dict[str, TagSpec] = {}
    for tag, value in data.values.items():
        line, col = data.positions[tag]
        fields = {} if value is None else value
        if not isinstance(fields, dict):
            errors.append(ConfigError(name, f"'{tag}' must map to slug: and description:",
                                      line=line, col=col, hint=f"{tag}: {{slug: {slugify(tag)}}}"))
            continue
        spec, spec_errors = _tag_spec(tag, fields, name, line)
        errors += spec_errors
        if spec is not None:
            specs[tag_key(tag)] = spec
    return specs, [_as_config(e) for e in errors]


def _tag_spec(
    tag: str, fields: dict[object, object], name: str, line: int
) -> tuple[TagSpec | None, list[SourceError]]:
    errors: list[SourceError] = []
    for key in fields:
        if key not in _TAG_KEYS:
            errors.append(ConfigError(name, f"unknown key '{key}' for tag '{tag}'", line=line,
                                      hint=_did_you_mean(str(key), _TAG_KEYS, "known keys: slug, description")))
    slug, description = fields.get("slug"), fields.get("description", "")
    if slug is not None and (not isinstance(slug, str) or not is_safe_slug(slug)):
        errors.append(ConfigError(name, f"slug of '{tag}' must be lowercase letters, digits and "
                                  f"dashes, got {slug!r}", line=line,
                                  hint=f"slug: {slugify(str(slug)) or 'my-tag'}"))
    if not isinstance(description, str):
        errors.append(ConfigError(name, f"description of '{tag}' must be text", line=line))
    if errors:
        return None, errors
    return TagSpec(name=tag, slug=slug, description=str(description), line=line), []


def _did_you_mean(key: str, known: object, otherwise: str) -> str:
    matches = difflib.get_close_matches(key, list(known), n=1)  # type: ignore[call-overload]
    return f"did you mean '{matches[0]}'?" if matches else otherwise


def _as_config(error: SourceError) -> SourceError:
    if isinstance(error, ConfigError):
        return error
    return ConfigError(error.path, error.message, line=error.line, col=error.col, hint=error.hint)
