"""The theme's fixed words in each language it ships: one table per language, chosen by
`language:` in sitegen.yaml, each entry of which `strings:` there can replace.

Support module: imports languages (the tables). Every table has the keys of the English one, with
the same {placeholders} (a test holds them to it); a language without a table reads English.
Dates are written with the language's month names and word order, never the process locale.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from datetime import date

from sitegen.languages import ENGLISH, TABLES

# The country a bare language code most often stands for, for og:locale (language_TERRITORY)
_TERRITORIES = {"en": "US", "fr": "FR", "de": "DE", "es": "ES"}
_ONE_BELOW_TWO = frozenset({"fr"})  # French counts 0 and 1 as one ("0 article"); the others 1 only
# The placeholders each date pattern may use
_DATE_FIELDS = frozenset({"day", "month", "month_short", "year"})


def _base(language: str) -> str:
    return language.lower().replace("_", "-").split("-")[0]


def table_for(language: str) -> Mapping[str, str]:
    """The table of a language code (`fr`, `fr-CA`, `de_AT`): its own, else English."""
    return TABLES.get(_base(language), ENGLISH)


def words(language: str, overrides: Mapping[str, str]) -> dict[str, str]:
    """Every string the theme uses, in the site's language, with the site's own in their place."""
    return {**ENGLISH, **table_for(language), **overrides}


def fields(text: str) -> frozenset[str] | None:
    """The {placeholders} of a string; None when its braces do not pair up ({{ is a brace)."""
    try:
        return frozenset(name for _, name, _, _ in string.Formatter().parse(text) if name is not None)
    except ValueError:
        return None


def override_problem(key: str, value: object) -> tuple[str, str] | None:
    """What is wrong with `strings: {key: value}` in sitegen.yaml, and a hint; None when it can be
    used. The key is a known one (the caller checks); the value is text whose placeholders are
    those of the English string."""
    english = ENGLISH[key]
    if not isinstance(value, str):
        return f"must be text, got {value!r}", f'{key}: "{english}"'
    found, wanted = fields(value), fields(english)
    assert wanted is not None
    allowed = _DATE_FIELDS if key.startswith("date_") else wanted
    if found is None:
        return "has a { or } that does not pair up", "write {{ or }} for a brace itself"
    if found - allowed:
        unknown = sorted(found - allowed)[0]
        known = ", ".join(f"{{{name}}}" for name in sorted(allowed)) or "none"
        return f"has the unknown placeholder {{{unknown}}}", f"the placeholders are {known}"
    return None


def plural(language: str, count: int) -> str:
    """"one" or "other": which form of a counted noun a language uses for `count`."""
    if _base(language) in _ONE_BELOW_TWO:
        return "one" if count < 2 else "other"
    return "one" if count == 1 else "other"


def og_locale(language: str) -> str:
    """Open Graph's locale, language_TERRITORY: "en" -> en_US, "fr-CA" -> fr_CA."""
    parts = language.replace("_", "-").split("-")
    base = parts[0].lower()
    if len(parts) > 1 and len(parts[1]) == 2:
        return f"{base}_{parts[1].upper()}"
    return f"{base}_{_TERRITORIES[base]}" if base in _TERRITORIES else base


def format_date(when: date, style: str = "long", strings: Mapping[str, str] = ENGLISH) -> str:
    """A date in words, without the process locale: "28 January 2025" (long), "28 Jan" (short),
    "January 2025" (month), in the language of `strings`."""
    day = strings["day_1"] if when.day == 1 else str(when.day)
    pattern = strings["date_short" if style == "short" else "date_month" if style == "month" else "date_long"]
    return pattern.format(day=day, month=strings[f"month_{when.month}"],
                          month_short=strings[f"month_short_{when.month}"], year=when.year)
