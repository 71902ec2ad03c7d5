"""Jekyll's :categories: the names it puts in a post's URL, and that URL as Jekyll writes it.

Support module: imports nothing of sitegen's. (urls.category_folders says what sitegen writes
for them where a folder cannot hold what Jekyll's URL holds.)
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_RUBY_SPACE = re.compile("[ \t\n\v\f\r]+")


def url_categories(values: dict[str, object]) -> list[str]:
    """The categories Jekyll puts in a post's URL (Document#populate_categories,
    Utils.pluralized_array_from_hash), from front matter Checker.categories accepted: a
    `categories:` text is split at whitespace, as Ruby's String#split splits it (the taxonomy
    splits it at commas); a `category:` text is one name, spaces and all; list items as written."""
    if "category" in values:
        value = values["category"]
        items = [value] if isinstance(value, str) else value
    else:
        value = values.get("categories")
        items = _RUBY_SPACE.split(value.strip(" \t\n\v\f\r")) if isinstance(value, str) else value
    return [item for item in items if isinstance(item, str) and item] if isinstance(items, list) else []


# Jekyll escapes these in a URL (lib/jekyll/url.rb, escape_path); sitegen's URLs hold every other
# character as it is, and links escape them (site_url)
_JEKYLL_ESCAPES = {"%": "%25", "#": "%23", "?": "%3F"}


def jekyll_categories(names: Iterable[str]) -> str:
    """Jekyll's :categories (lib/jekyll/drops/url_drop.rb): the names lowercased, each once, in
    order, joined by "/". A name is not slugified: "Sci-Fi Movies" stays "sci-fi movies"."""
    return "/".join(dict.fromkeys(map(_downcased, names)))


def _downcased(name: str) -> str:
    """Lowercase as Ruby's String#downcase: letter by letter, so a final capital sigma becomes σ,
    not the ς Python's str.lower gives at the end of a word."""
    return name.lower() if "\u03a3" not in name else "".join(c.lower() for c in name)


def jekyll_url(url: str) -> str:
    """A URL as Jekyll writes it (lib/jekyll/url.rb): % # ? escaped; then cleaned as its
    sanitize_url does, ".." made "/", "./" dropped, slashes made single."""
    if any(c in url for c in _JEKYLL_ESCAPES):
        url = "".join(_JEKYLL_ESCAPES.get(c, c) for c in url)
    return sanitized(url)


def sanitized(url: str) -> str:
    """A URL cleaned as Jekyll's sanitize_url does: ".." made "/", "./" dropped, slashes single."""
    return re.sub("/{2,}", "/", f"/{url}".replace("..", "/").replace("./", ""))
