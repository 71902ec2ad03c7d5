"""Hugo's URLs: its urlize, and its permalink placeholders as Hugo fills them.

A pattern under Hugo's key names in sitegen.yaml (posts:, tags:, categories:) gives the URLs Hugo
gave, as its source makes them: resources/page/permalinks.go (what each placeholder is),
helpers/url.go and common/paths/path.go (urlize), hugolib/page__paths.go and
resources/page/page_paths.go (what becomes of the expanded path); checked against what Hugo 0.111
to 0.168 wrote. Where a sitegen folder cannot hold Hugo's URL, the post is written at one that can
(safe_path) and Hugo's redirects to it through _redirects.

Support module: pure. Imports urls.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from collections.abc import Mapping
from datetime import date
from urllib.parse import unquote_plus

from sitegen.urls import HUGO_ONLY, expand, folder_name, title_segment

SECTION = "posts"  # :section and :sections: sitegen's one section of dated posts
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
           "october", "november", "december")
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_GO_SPACE = "\t\n\v\f\r \x85\xa0"  # Go's unicode.IsSpace below U+0100; above, Python agrees
_GO_KEPT = re.compile(r"[a-z0-9./\\_#+~@-]*")  # what Sanitize keeps and lowercasing leaves alone
_HEX = frozenset("0123456789abcdefABCDEF")


def _go_sanitize(text: str) -> str:
    """Hugo's paths.Sanitize: letters, decimal digits, marks, ". / \\ _ # + ~ - @" and a %
    before two hex digits are kept; a run of white space between two kept characters is one
    hyphen, none beside a hyphen written; every other character is left out."""
    kept: list[str] = []
    space = hyphen = False
    for index, char in enumerate(text):
        if (char.isalpha() or char.isdecimal() or char in "./\\_#+~-@"
                or unicodedata.category(char)[0] == "M"
                or (char == "%" and text[index + 1:index + 2] in _HEX and text[index + 2:index + 3] in _HEX)):
            hyphen = char == "-"
            if space and not hyphen:
                kept.append("-")
            space = False
            kept.append(char)
        elif kept and not hyphen and (char in _GO_SPACE if char < "\u0100" else char.isspace()):
            space = True
    return "".join(kept)


def _go_lower(text: str) -> str:
    """Go's strings.ToLower: each letter by its one-letter lowercase (İ -> i, Σ -> σ anywhere)."""
    if text.isascii():
        return text.lower()
    return "".join("i" if c == "\u0130" else c.lower() for c in text)


def hugo_urlize(text: str) -> str:
    """Hugo's urlize (PathSpec.URLize), unescaped: sanitized (_go_sanitize), lowercased, and a '#'
    that ends it and is its first left out (Go's url.Parse reads it as an empty fragment):
    "Hello, World!" -> hello-world, "Don't Panic" -> dont-panic, "C++" -> c++, "C#" -> c,
    "Café au lait" -> café-au-lait, "日本語" -> 日本語."""
    lowered = text.lower() if text.isascii() else ""
    urlized = lowered if lowered and _GO_KEPT.fullmatch(lowered) else _go_lower(_go_sanitize(text))
    return urlized[:-1] if urlized.endswith("#") and urlized.index("#") == len(urlized) - 1 else urlized


def _hugo_finished(path: str) -> str:
    """A path as Hugo writes a page at it once its permalink is expanded (hugolib/page__paths.go,
    resources/page/page_paths.go): unescaped as a query is (url.QueryUnescape: a '+' is a space,
    so "c++-tips" is "c-tips"), cleaned (path.Clean: no empty, "." or ".." folder, no final
    slash), then sanitized and lowercased as a whole."""
    if _GO_KEPT.fullmatch(path) and "+" not in path and "//" not in path and "/." not in path:
        return path.rstrip("/") or "/"  # the common case: nothing to undo
    cleaned = posixpath.normpath(unquote_plus(path))
    cleaned = "/" + cleaned.lstrip("/") if cleaned.startswith("//") else cleaned
    return _go_lower(_go_sanitize(cleaned))


def hugo_names(*, title: str, slug: str | None, filename: str, slashes: bool = False) -> dict[str, str]:
    """The values Hugo gives the placeholders of a post's names, urlized: `title` the front
    matter's (since Hugo 0.166 its / and \\ are hyphens; `slashes`: as before, folders), `slug`
    the front matter's or None, `filename` the file's name without its extension (a bundle's
    folder name)."""
    titled = hugo_urlize(title if slashes else title.replace("/", "-").replace("\\", "-"))
    named = hugo_urlize(filename)
    slugged = hugo_urlize(slug) if slug else None
    return {"title": titled, "slug": slugged or titled, "filename": named, "contentbasename": named,
            "slugorfilename": slugged or named, "slugorcontentbasename": slugged or named,
            "section": SECTION, "sections": SECTION}


def hugo_dates(day: date) -> dict[str, str]:
    """Hugo's date placeholders that Jekyll has not: the month's and the weekday's English names
    (lowercased: Hugo lowercases the whole path), the weekday from Sunday (0) and the day of the
    year, neither padded."""
    return {"monthname": _MONTHS[day.month - 1], "weekday": str((day.weekday() + 1) % 7),
            "weekdayname": _WEEKDAYS[day.weekday()], "yearday": str(day.timetuple().tm_yday)}


def hugo_post_url(pattern: str, *, day: date, title: str, slug: str | None,
                  filename: str) -> tuple[str, tuple[str, ...]]:
    """The URL of a post whose pattern is written under Hugo's key (posts:), from its names (as
    hugo_names takes them) and its day; and Hugo's URLs of it that differ, as Hugo linked them
    (hugo_link): its own where a sitegen folder cannot hold it (safe_path), and the one Hugo gave
    before 0.166 to a title with a slash."""
    values = {"year": str(day.year), "month": f"{day.month:02d}", "day": f"{day.day:02d}", **hugo_dates(day)}
    hugo = _hugo_path(pattern, {**values, **hugo_names(title=title, slug=slug, filename=filename)})
    url = safe_path(hugo)
    olds = [hugo]
    if "/" in title or "\\" in title:
        olds.append(_hugo_path(pattern, {**values, **hugo_names(title=title, slug=slug, filename=filename,
                                                                 slashes=True)}))
    return url, tuple(hugo_link(old) for old in dict.fromkeys(olds) if old != url)


def _hugo_path(pattern: str, values: Mapping[str, str]) -> str:
    path = _hugo_finished(expand(pattern, values))
    return path + "/" if pattern.endswith("/") and path != "/" else path


def hugo_value(urlized: str) -> str:
    """A value of hugo_names as Hugo finishes it in a URL (_hugo_finished) and a sitegen folder can
    hold it (safe_path): for one placeholder, in a pattern under post: or in a term's URL."""
    finished = _go_lower(_go_sanitize(unquote_plus(urlized))) if not _GO_KEPT.fullmatch(urlized) \
        or "+" in urlized else urlized
    return safe_path(finished.strip("/")) if finished else ""


def hugo_term_slug(name: str) -> str:
    """A tag's or a category's :slug under Hugo's key (tags:, categories:): its urlized name as
    Hugo finishes it ("Machine Learning" -> machine-learning, "Node.js" -> node.js, "R&D" -> rd,
    "C++" -> c: a '+' is a space there), in folders sitegen can write; "" when nothing is left."""
    return hugo_value(hugo_urlize(name))


def safe_path(path: str) -> str:
    """A URL path whose every folder a sitegen output can hold (urls.folder_name: no '#', '%' or
    '\\', no hidden or reserved name, NFC), slashes kept where they are."""
    inner = "/".join(filter(None, map(folder_name, path.split("/"))))
    return ("/" if path.startswith("/") else "") + inner + ("/" if path.endswith("/") and inner else "")


def hugo_link(path: str) -> str:
    """A URL as Hugo linked it: '#' (which would start a fragment), '%' and '\\' escaped."""
    return path.replace("%", "%25").replace("#", "%23").replace("\\", "%5C") \
        if any(c in path for c in "%#\\") else path


def written_slug(value: object) -> str | None:
    """A front-matter `slug:` as text (slug: 2013 too), or None when there is none to use."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return (value.strip() or None) if isinstance(value, str) else None


def post_names(uses: frozenset[str], *, hugo: bool, title: str, slug: str | None,
               filename: str) -> dict[str, str]:
    """The values of the placeholders that name a post beyond Jekyll's, for a pattern that uses
    `uses`: under Hugo's key (`hugo`) all of them, urlized (hugo_names; the rest of the URL is
    finished with them, hugo_post_url); under sitegen's own, Hugo's own as Hugo finishes them
    (hugo_value), and :filename as written, case kept, as Eleventy's URL has it."""
    names = hugo_names(title=title, slug=slug, filename=filename)
    if hugo:
        return names
    own = {name: hugo_value(value) for name, value in names.items() if name in uses and name in HUGO_ONLY}
    return {**own, "filename": title_segment(filename)} if "filename" in uses else own


def missing_name(names: Mapping[str, str], uses: frozenset[str], *, hugo: bool) -> str | None:
    """The first placeholder of post_names the URL uses that leaves no folder name, if one does."""
    return next((name for name in sorted(uses & names.keys())
                 if not names[name] or (hugo and not hugo_value(names[name]))), None)
