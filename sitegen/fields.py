"""Front-matter values checked one by one: each is the kind it must be, or an error located at
the value (line and column) saying what it is and what to write instead.

Pure. Used by the parser; the tag tools read `tags:` values with the same rules. Imports errors,
models, dates (dates other generators write), permalinks, urls.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time
from pathlib import PurePosixPath
from zoneinfo import ZoneInfo

from sitegen.dates import read_date
from sitegen.errors import ContentError, Problems
from sitegen.models import Config
from sitegen.permalinks import permalink_problem
from sitegen.urls import (
    MAX_SEGMENT,
    image_link,
    is_safe_slug,
    slug_segment,
    slugify,
    tag_name,
    title_segment,
)

KNOWN_KEYS = ("title", "date", "updated", "tags", "categories", "category", "slug", "summary", "draft",
              "author", "aliases", "description", "permalink", "id",
              "image")
_URL_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]*")
_DATE_FORMS = "2025-01-28, 2025-01-28 14:30 or 2025-01-28T14:30:00+02:00"
Tags = tuple[tuple[str, ...], tuple[tuple[int, int], ...]]


def describe(value: object) -> str:
    kinds = {bool: "true/false", int: "a number", float: "a number", list: "a list",
             dict: "a mapping", date: "a date", datetime: "a date", type(None): "nothing"}
    for kind, word in kinds.items():
        if type(value) is kind:
            return f"{word} ({value!r})" if kind in (int, float, bool) else word
    return repr(value)


def tag_items(value: object) -> list[object] | None:
    """The items of a front-matter `tags:` value (a string is a comma-separated list); None when
    it is neither a list nor a string."""
    if isinstance(value, str):
        return [part for part in value.split(",") if part.strip()]
    return value if isinstance(value, list) else None


def tag_spellings(value: object) -> tuple[list[str], list[object]]:
    """The tag names a front-matter `tags:` value holds, in order, as a build reads them; and the
    items that are not names."""
    if value is None:
        return [], []
    items = tag_items(value)
    if items is None:
        return [], [value]
    names: list[str] = []
    bad: list[object] = []
    for item in items:
        name = tag_name(item) if isinstance(item, str) else ""
        if name:
            names.append(name)
        else:
            bad.append(item)
    return names, bad


def _iso(when: datetime) -> str:
    """How to write a date read from another form: as short as says the same."""
    if when.tzinfo is None and when.time() == time():
        return when.date().isoformat()
    return when.isoformat(timespec="seconds" if not when.microsecond else "auto")


def alias_path(item: str) -> str | None:
    """An old URL as `aliases:` keeps it ("2019/old-name" -> "/2019/old-name/"), or None when it
    cannot be one (a query string, a space, a character outside ASCII)."""
    parts = item.strip().strip("/").split("/")
    if not all(_URL_SEGMENT.fullmatch(part) for part in parts):
        return None
    folder = "." not in parts[-1] or item.endswith("/")
    return "/" + "/".join(parts) + ("/" if folder else "")


def _used(slug: str, title: str, uses: frozenset[str]) -> bool:
    """Whether the URL has what it needs: the slug or the title where it uses them."""
    return bool(slug or "slug" not in uses) and bool(title or "title" not in uses)


class Checker:
    """Validates front-matter values, recording errors at the value's line and column."""

    def __init__(self, source: PurePosixPath, positions: dict[str, tuple[int, int]],
                 config: Config, problems: Problems, *, invalid: frozenset[str] = frozenset()) -> None:
        self.source, self.positions, self.config, self.problems = source, positions, config, problems
        self.invalid = invalid  # keys whose value YAML could not load, already reported
        self.failed = False

    def error(self, key: str, message: str, hint: str | None = None,
              at: tuple[int, int] | None = None) -> None:
        self.failed = True
        if key in self.invalid:  # "missing date" after "not a real date" would be one error twice
            return
        line, col = at or self.positions.get(key, (1, 1))
        self.problems.errors.append(ContentError(self.source, message, line=line, col=col, hint=hint))

    def text(self, values: dict[str, object], key: str, *, required: bool = False) -> str | None:
        value = values.get(key)
        if value is None:
            if required:
                self.error(key, f"missing {key}", hint=f"add a line like {key}: My first post")
            return None
        if isinstance(value, (int, float, bool, date)):
            self.error(key, f"{key} must be text, got {describe(value)}",
                       hint=f'quote it: {key}: "{value}"')
            return None
        if not isinstance(value, str) or (required and not value.strip()):
            self.error(key, f"{key} must be non-empty text, got {describe(value)}")
            return None
        if key == "title" and "\n" in value.strip():
            self.error(key, "title must be a single line", hint="join its lines into one")
            return None
        return value.strip()

    def date(self, value: object, key: str, *, required: bool,
             fallback: date | None = None) -> datetime | None:
        """A date as Jekyll, Hugo or Eleventy would read it (a warning when it is not ISO 8601);
        `fallback`, the file name's date, with a warning when the value is not a date."""
        zone = ZoneInfo(self.config.timezone)
        if isinstance(value, datetime):
            return value if value.tzinfo else value.replace(tzinfo=zone)
        if isinstance(value, date):
            return datetime.combine(value, time(), tzinfo=zone)
        read = read_date(value) if isinstance(value, str) else None
        if read is not None:
            when, standard = read
            if not standard:
                self.warn(key, f"{key} {str(value).strip()!r} is not an ISO 8601 date; read as {_iso(when)}",
                          hint=f"write {key}: {_iso(when)}")
            return when if when.tzinfo else when.replace(tzinfo=zone)
        if fallback is not None:  # the value is there (else it would be the fallback), unreadable
            self.warn(key, f"{key} {describe(value)} is not a date; the file name's "
                      f"{fallback.isoformat()} is used",
                      hint=f"write a date like {_DATE_FORMS}, or delete the line")
            return datetime.combine(fallback, time(), tzinfo=zone)
        if value is None:
            if required:
                self.error(key, f"missing {key}",
                           hint=f"add {key}: 2025-01-28, or name the file 2025-01-28-slug.md")
            return None
        self.error(key, f"{key} must be a date like {_DATE_FORMS}, got {describe(value)}",
                   hint="write the date as YYYY-MM-DD")
        return None

    def warn(self, key: str, message: str, hint: str) -> None:
        line, col = self.positions.get(key, (1, 1))
        self.problems.warnings.append(ContentError(self.source, message, line=line, col=col, hint=hint))

    def slug(self, value: object, fallback: str, *, uses: frozenset[str]) -> tuple[str, str] | None:
        """The post's :slug (lowercased, as Hugo makes it) and :title (case kept, as Jekyll makes
        it), from `slug:` or else the file name `fallback`. A slug as written is honoured; a
        warning says where the URL (which uses the placeholders `uses`) differs from it."""
        if value is None:
            slug, title = slugify(fallback), title_segment(fallback)
            if not _used(slug, title, uses):
                self.error("title", f"cannot make a URL from the file name {fallback!r}",
                           hint="add slug: my-post")
                return None
            return slug, title
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)  # slug: 2013
        if not isinstance(value, str) or not value.strip():
            self.error("slug", f"slug must be text, got {describe(value)}", hint="slug: my-post")
            return None
        written = value.strip()
        slug = written if is_safe_slug(written) else slug_segment(written)
        title = title_segment(written)
        if not _used(slug, title, uses):
            self.error("slug", f"cannot make a URL from slug {written!r}",
                       hint=f"slug: {slugify(written) or 'my-post'}")
            return None
        if uses & {"slug", "title"}:  # a URL that holds neither (a Hugo pattern's) says nothing of it
            self._slug_warning(written, slug if "slug" in uses else title)
        return slug, title

    def _slug_warning(self, written: str, used: str) -> None:
        """One warning when the URL does not hold the slug as written."""
        if used == written:
            return
        if len(written.encode()) > MAX_SEGMENT:
            message = f"slug is {len(written.encode())} bytes long; the URL keeps the first {MAX_SEGMENT}"
            hint = "shorten it"
        elif used.casefold() != written.casefold():
            message = f"slug {written!r} cannot be a URL as written; the URL has {used!r}"
            hint = f"slug: {used}"
        else:
            message = f"slug {written!r} is lowercased in the URL: {used}"
            hint = f"write slug: {used}, or use :title in permalinks: post: to keep the case"
        line, col = self.positions.get("slug", (1, 1))
        self.problems.warnings.append(ContentError(self.source, message, line=line, col=col, hint=hint))

    def permalink(self, value: object, *, dated: bool) -> str | None:
        """A post's own `permalink:` (Jekyll's, Eleventy's): its URL pattern, or None with a
        warning when it cannot be used (the post then has the site's pattern). `dated`: whether
        the document has a date for :year and the like."""
        if value is None:
            return None
        pattern = unicodedata.normalize("NFC", value.strip()) if isinstance(value, str) else value
        if isinstance(pattern, str) and not pattern.endswith("/") and "." not in pattern.rsplit("/", 1)[-1]:
            pattern += "/"  # Jekyll writes /about as about.html; /about/ is served at /about too
        problem = None
        if not isinstance(pattern, str):
            problem = f"is {describe(value)}, not a URL"
        elif "{" in pattern or "%" in pattern:
            problem = "is a template, which sitegen does not run"
        elif (found := permalink_problem(pattern, "own")) is not None:
            problem = found[0]
        elif not dated and any(f":{n}" in pattern for n in ("year", "month", "day", "short_year", "weekday")):
            problem = "needs a date: the document has none"
        if problem is None:
            return pattern  # type: ignore[return-value]
        line, col = self.positions.get("permalink", (1, 1))
        self.problems.warnings.append(ContentError(
            self.source, f"permalink {value!r} is not used: it {problem}", line=line, col=col,
            hint="write a path such as /2019/05/old-name/, or delete the line to use permalinks: "
                 "in sitegen.yaml"))
        return None

    def tags(self, value: object, places: tuple[tuple[int, int], ...] = (), key: str = "tags") -> Tags:
        """The tag names as written, and where each is; `places`: where each item of a list
        value is. What a name means (its tag, its URL) is the taxonomy's to say. `key`:
        "categories" (or "category") reads category names the same way."""
        if value is None:
            return (), ()
        noun = "tag" if key == "tags" else "category"
        items = tag_items(value)
        if items is None:
            self.error(key, f"{key} must be a list of strings, got {describe(value)}",
                       hint=f'quote it: {key}: ["{value}"]')
            return (), ()
        if isinstance(value, str):
            places = ()  # one string: its tags are where it is
        names: list[str] = []
        found: list[tuple[int, int]] = []
        for index, item in enumerate(items):
            at = places[index] if index < len(places) else self.positions.get(key, (1, 1))
            name = tag_name(item) if isinstance(item, str) else ""
            if isinstance(item, str) and item.strip() and not name:
                self.error(key, f"{noun} {item!r} is only characters that show nothing", hint="delete it",
                           at=at)
                continue
            if not name:
                hint = f'quote it: {key}: ["{item}"]' if isinstance(item, (int, float, bool)) else None
                self.error(key, f"{key} must be a list of strings, got {describe(item)} in it",
                           hint=hint, at=at)
                continue
            names.append(name)
            found.append(at)
        return tuple(names), tuple(found)

    def categories(self, values: dict[str, object], places: dict[str, tuple[tuple[int, int], ...]]) -> Tags:
        """The category names as written, and where each is: `categories:` is read as `tags:`
        is; `category:` (Jekyll's, Hugo's, WordPress's) names one, commas and all, or a list.
        `places`: where each item of each list value is."""
        if "categories" in values and "category" in values:
            second = max(("categories", "category"), key=lambda k: self.positions.get(k, (1, 1)))
            self.error(second, "categories: and category: are both given",
                       hint="keep one: categories: [A, B] holds several, category: A one")
            return (), ()
        if "category" not in values:
            return self.tags(values.get("categories"), places.get("categories", ()), "categories")
        value = values["category"]
        if isinstance(value, str) or value is None:
            at = self.positions.get("category", (1, 1))
            return self.tags(None if value is None else [value], (at,), "category")
        if isinstance(value, list):
            return self.tags(value, places.get("category", ()), "category")
        self.error("category", f"category must be a name, got {describe(value)}",
                   hint=f'quote it: category: "{value}"')
        return (), ()

    def draft(self, values: dict[str, object]) -> bool:
        draft, published = values.get("draft", False), values.get("published", True)
        for key, value in (("draft", draft), ("published", published)):
            if not isinstance(value, bool):
                self.error(key, f"{key} must be true or false, got {describe(value)}")
                return False
        return bool(draft) or not published

    def aliases(self, value: object) -> tuple[str, ...]:
        if value is None:
            return ()
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            self.error("aliases", "aliases must be a list of old URLs like /2019/old-name/")
            return ()
        clean = []
        for item in items:
            path = alias_path(item)
            if path is None:
                self.error("aliases", f"alias {item!r} is not a usable old URL",
                           hint="write a path such as /2019/old-name/ (letters, digits, . _ -)")
                continue
            clean.append(path)
        return tuple(clean)

    def image(self, value: object) -> str | None:
        """The picture of the post's shared links: an absolute http(s) URL or a path, as written
        (the parser says from where a relative path starts); None when there is none."""
        if value is None:
            return None
        link = image_link(value) if isinstance(value, str) else None
        if link is None:
            self.error("image", f"image must be an http(s) URL or a path on the site, got {describe(value)}",
                       hint="image: /images/cover.jpg (from the site's root), cover.jpg (beside the "
                            "post in a page bundle) or https://...")
        return link

    def authors(self, value: object, places: tuple[tuple[int, int], ...] = ()) -> Tags:
        """The author names, and where each is: a name, a list of names, or a mapping with a
        name (Jekyll, Eleventy); `places`: where each item of a list is."""
        if value is None:
            return (), ()
        key = "author" if "author" in self.positions else "authors"
        at = self.positions.get(key, (1, 1))
        items = value if isinstance(value, list) else [value]
        if not isinstance(value, list):
            places = (at,)
        names: list[str] = []
        found: list[tuple[int, int]] = []
        for index, item in enumerate(items):
            written = item.get("name") if isinstance(item, dict) else item
            if not isinstance(written, str):
                names.clear()
                break
            if written.strip():
                names.append(" ".join(written.split()))
                found.append(places[index] if index < len(places) else at)
        if not names:
            self.error(key, f"{key} must be a name, a list of names or a mapping with a name:, "
                       f"got {describe(value)}", hint="author: Ann Example")
            return (), ()
        return tuple(names), tuple(found)

    def warn_typos(self, extra: list[str]) -> None:
        for key in extra:
            import difflib  # here: seldom needed

            matches = difflib.get_close_matches(key, KNOWN_KEYS, n=1, cutoff=0.75)
            if matches:
                line, col = self.positions[key]
                self.problems.warnings.append(ContentError(
                    self.source, f"unknown key '{key}' (kept as post.extra.{key})", line=line,
                    col=1, hint=f"did you mean '{matches[0]}'?"))
