"""Permalink patterns checked: what is wrong with one, with a hint, and Jekyll's style names.

Imports urls (the placeholders each kind of pattern holds).
"""

from __future__ import annotations

import re
import unicodedata

from sitegen.urls import (
    HUGO_PLACEHOLDERS,
    MAX_SEGMENT,
    PLACEHOLDER,
    POST_PLACEHOLDERS,
    RESERVED,
    TAG_PLACEHOLDERS,
    URL_EXTRA,
)

_HUGO_ATTRIBUTE = re.compile(r":(\w+)")  # as Hugo finds one: :Monday (a Go date layout) is one
_NAMING = ("slug", "title", "filename", "slugorfilename", "contentbasename", "slugorcontentbasename")
# Jekyll's named styles (lib/jekyll/configuration.rb); "date" is its default. Its other two need
# placeholders sitegen does not have (:y_day, :week, :short_day).
_STYLES = {"date": "/:categories/:year/:month/:day/:title:output_ext",
           "pretty": "/:categories/:year/:month/:day/:title/", "none": "/:categories/:title:output_ext"}
_OTHER_STYLES = ("ordinal", "weekdate")


def permalink_problem(pattern: str, kind: str, *, hugo: bool = False) -> tuple[str, str] | None:
    """What is wrong with a permalink pattern, and a hint; None when it can be used.

    `kind`: "post", "tag" or "category" for a pattern of sitegen.yaml, "own" for one post's own
    permalink; `hugo`: a post's under Hugo's key posts:, which holds Hugo's placeholders.
    A pattern starts with "/", holds a name (:slug, :title...; or two posts of a day would share
    an address), and ends with "/" (a folder) or ".html" (that file): a bare name would be a file
    no host serves as a page. A tag's or a category's pattern ends with "/": its further pages and
    feed go under it. A post's pattern may be one of Jekyll's style names (named_pattern).
    """
    term = kind in ("tag", "category")
    placeholders = TAG_PLACEHOLDERS if term else HUGO_PLACEHOLDERS if hugo else POST_PLACEHOLDERS
    if pattern in _STYLES and term:
        return "is one of Jekyll's styles of post URLs", f"write the pattern itself: /{kind}/:slug/"
    if pattern in (*_STYLES, *_OTHER_STYLES) and hugo:
        return "is one of Jekyll's styles, which Hugo's key posts: does not read", f"post: {pattern}"
    if pattern in _OTHER_STYLES and kind == "post":
        return ("is one of Jekyll's styles that sitegen does not have",
                f"use date, pretty or none, or write the pattern itself, e.g. {_STYLES['date']}")
    pattern = named_pattern(pattern, kind)
    if not pattern.startswith("/") or pattern.startswith("//"):
        return "must start with a single /", "/" + pattern.lstrip("/")
    used = (_HUGO_ATTRIBUTE if hugo else PLACEHOLDER).findall(pattern)
    unknown = [name for name in used if name not in placeholders]
    if unknown:
        jekyll = hugo and unknown[0] in POST_PLACEHOLDERS
        return f"unknown placeholder :{unknown[0]}", f"Jekyll's :{unknown[0]} is read under post:, " \
            "sitegen's own key" if jekyll else "use " + " ".join(f":{name}" for name in placeholders)
    if kind != "own" and not set(used) & set(_NAMING):
        return ("holds neither :slug nor :title, so posts would share an address",
                "end it with :slug/" if term else "end it with :slug/ or :title/")
    literal = PLACEHOLDER.sub("x", pattern)
    parts = literal.split("/")[1:]
    if not all(c.isalnum() or c in URL_EXTRA or c in "_/" or unicodedata.category(c)[0] == "M"
               for c in literal) or "//" in literal \
            or any(part.strip(".") == "" for part in parts[:-1]) \
            or any(part.split(".")[0].lower() in RESERVED for part in parts):
        return ("may hold only letters, digits, placeholders and - _ . ~ between single slashes",
                "e.g. /:year/:month/:day/:title/")
    if any(len(part.encode()) > MAX_SEGMENT for part in parts):
        return f"has a folder or file name longer than {MAX_SEGMENT} bytes", "shorten it"
    if term and not pattern.endswith("/"):
        return "must end with / (its further pages and feed go under it)", pattern + "/"
    if not pattern.endswith(("/", ".html", ":output_ext")):
        return ("must end with / or .html: a page written to a file without an extension is not "
                "served as a page", pattern + "/")
    return None


def named_pattern(written: str, kind: str) -> str:
    """The pattern a `permalinks:` value means: Jekyll's style names date, pretty and none stand
    for its patterns of post URLs; anything else is a pattern itself."""
    return _STYLES.get(written, written) if kind == "post" else written


def hugo_pattern(written: str, kind: str) -> str:
    """A pattern under Hugo's key as Hugo reads it: every URL a folder from the root, whether the
    pattern starts and ends with "/" or not (/:year/:slug is /2024/my-post/, and /:year/:slug.html
    /2024/my-post.html/); a term's lowercased, as Hugo lowercases a whole URL (a post's is once
    expanded: hugourls.hugo_post_url). A bare word (Jekyll's style names) is left to be refused."""
    inner = written.strip().strip("/")
    if "/" not in inner and ":" not in inner:
        return written.strip()
    return f"/{inner}/" if kind == "post" else f"/{inner}/".lower()
