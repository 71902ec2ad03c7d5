"""The theme's words in the site's language: one table per language, every one complete, dates in
the language's own order, a site's own words in sitegen.yaml, and English for any other language."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from sitegen.builder import build
from sitegen.errors import BuildError, TemplateError
from sitegen.languages import ENGLISH, TABLES
from sitegen.translations import fields, format_date, og_locale, plural, words
from tests.conftest import WriteSite, config_for, post

SITE = {
    "content/posts/a.md": post("Alpha", date="2025-01-28", tags="[python, web]",
                               body="Teaser.\n\n<!--more-->\n\nThe rest.", updated="2025-02-01",
                               categories="[Notes/Short]"),
    "content/posts/b.md": post("Beta", date="2025-03-01", tags="[python]",
                               body="## One\n\nA.\n\n## Two\n\nB."),
    "content/posts/c.md": post("Gamma", date="2024-12-24", tags="[python]", draft="true"),
    "content/pages/about.md": "---\ntitle: About\n---\nAbout us.\n",
    "sitegen.yaml": "title: Blog\nauthor: Ann\nbase_url: https://blog.test.dev/\nposts_per_page: 1\n"
                    "categories: {hierarchy: true}\n",
}


def built(write_site: WriteSite, settings: str = "", **more: str) -> dict[str, str]:
    root = write_site({**SITE, "sitegen.yaml": SITE["sitegen.yaml"] + settings, **more})
    build(config_for(root), use_cache=False, strict=False)
    out = root / "public"
    return {p.relative_to(out).as_posix(): p.read_text("utf-8") for p in out.rglob("*.html")}


# --- the tables -------------------------------------------------------------------------------

@pytest.mark.parametrize("language", sorted(TABLES))
def test_every_table_has_every_string_with_its_placeholders(language: str) -> None:
    table = TABLES[language]
    assert set(table) == set(ENGLISH), f"{language}: {set(table) ^ set(ENGLISH)}"
    for key, english in ENGLISH.items():
        found = fields(table[key])
        assert found is not None, (language, key)
        if key.startswith("date_"):
            assert found <= {"day", "month", "month_short", "year"}, (language, key)
        else:
            assert found == fields(english), (language, key, table[key])


@pytest.mark.parametrize(("language", "long", "short", "month", "first"), [
    ("en", "28 January 2025", "28 Jan", "January 2025", "1 March 2025"),
    ("fr", "28 janvier 2025", "28 janv.", "janvier 2025", "1er mars 2025"),
    ("de", "28. Januar 2025", "28. Jan.", "Januar 2025", "1. März 2025"),
    ("es", "28 de enero de 2025", "28 ene", "enero de 2025", "1 de marzo de 2025"),
])
def test_dates_follow_the_language(language: str, long: str, short: str, month: str, first: str) -> None:
    table = words(language, {})
    when = datetime(2025, 1, 28, 23, 30, tzinfo=UTC)
    assert format_date(when, "long", table) == long
    assert format_date(when, "short", table) == short
    assert format_date(when, "month", table) == month
    assert format_date(date(2025, 3, 1), "long", table) == first


def test_languages_are_matched_by_their_base_and_others_read_english() -> None:
    assert words("fr-CA", {})["continue_reading"] == words("FR_ca", {})["continue_reading"] == "Lire la suite"
    assert words("nl", {}) == dict(ENGLISH)
    assert words("de", {"continue_reading": "Mehr"})["continue_reading"] == "Mehr"
    assert [plural(language, count) for language, count in (("fr", 0), ("fr", 1), ("en", 0), ("de", 1))] \
        == ["one", "one", "other", "one"]
    assert [og_locale(code) for code in ("en", "fr", "fr-CA", "de_at", "nl", "es")] == \
        ["en_US", "fr_FR", "fr_CA", "de_AT", "nl", "es_ES"]


# --- a built site -----------------------------------------------------------------------------

def _visible(html: str) -> str:
    """The page's words, tags and attribute values apart from what a reader sees or hears."""
    return re.sub(r"<[^>]*>", " ", html) + " ".join(re.findall(r'(?:aria-label|content)="([^"]*)"', html))


# The English words of the theme that no other language writes the same way
_ENGLISH_ONLY = ("Skip to content", "Continue reading", "Posts tagged", "Posts in category", "min read",
                 "Related posts", "Previous post", "Next post", "Newer posts", "Older posts", "Page 1 of",
                 "Subscribe to the feed", "Feed for this", "All tags", "Narrower", "Page not found",
                 "There is nothing", "January", "February", "March", "updated", "Breadcrumbs",
                 "Every post", "Every tag", "Every category", "Latest posts", "Contents", "Archive")


@pytest.mark.parametrize(("language", "expected"), [
    ("fr", ["Aller au contenu", "Lire la suite", "Articles avec l’étiquette python", "28 janvier 2025",
            "mis à jour le", "1 min de lecture", "Page 1 sur 2", "Articles de la catégorie"]),
    ("de", ["Zum Inhalt springen", "Weiterlesen", "Beiträge mit dem Schlagwort python", "28. Januar 2025",
            "1 Min. Lesezeit", "Seite 1 von 2", "Ältere Beiträge"]),
    ("es", ["Ir al contenido", "Seguir leyendo", "Entradas con la etiqueta python",
            "28 de enero de 2025", "Página 1 de 2", "Entradas anteriores"]),
])
def test_a_site_in_another_language_shows_no_english_word_of_the_theme(
        write_site: WriteSite, language: str, expected: list[str]) -> None:
    pages = built(write_site, f"language: {language}\n")
    everything = "\n".join(_visible(text) for text in pages.values())
    for text in expected:
        assert text in everything, text
    left = {word for word in _ENGLISH_ONLY for text in pages.values()
            if re.search(rf"\b{word}\b", _visible(text))}
    assert not left, f"English left in the {language} theme: {sorted(left)}"


def test_the_english_check_finds_english(write_site: WriteSite) -> None:
    pages = built(write_site, "language: nl\n")  # no table: English, without an error
    everything = "\n".join(_visible(text) for text in pages.values())
    assert all(word in everything for word in _ENGLISH_ONLY)


def test_a_site_replaces_any_string(write_site: WriteSite) -> None:
    pages = built(write_site, 'language: de\nstrings:\n  continue_reading: "Read on"\n'
                              '  date_long: "{year}-{month}-{day}"\n  post_count_one: "{count} Text"\n')
    assert "Read on" in pages["page/2/index.html"] and "Weiterlesen" not in pages["page/2/index.html"]
    assert "2025-Januar-28" in pages["posts/a/index.html"]
    assert "1 Text" in pages["categories/index.html"]


@pytest.mark.parametrize(("settings", "line", "col", "message", "hint"), [
    ("strings:\n  continue_readin: x\n", 2, 3, "unknown key 'continue_readin' under strings:",
     "did you mean 'continue_reading'?"),
    ("strings:\n  page_of: 'Page {nmber} of {count}'\n", 2, 3,
     "strings: page_of has the unknown placeholder {nmber}", "the placeholders are {count}, {number}"),
    ("strings: {min_read: '{minutes min'}\n", 1, 11, "strings: min_read has a { or } that does not pair up",
     "write {{ or }} for a brace itself"),
    ("strings: {draft: 3}\n", 1, 11, "strings: draft must be text, got 3", 'draft: "Draft"'),
    ("strings: [a]\n", 1, 10, "strings must be a mapping of the theme's words, e.g. strings: "
     '{continue_reading: "Read on"}, got [\'a\']', None),
])
def test_a_wrong_string_is_located(write_site: WriteSite, settings: str, line: int, col: int,
                                   message: str, hint: str | None) -> None:
    root = write_site({"sitegen.yaml": settings})
    with pytest.raises(BuildError) as caught:
        config_for(root)
    assert [(e.path, e.line, e.col, e.message, e.hint) for e in caught.value.errors] == \
        [("sitegen.yaml", line, col, message, hint)]


def test_an_unknown_string_in_a_template_is_located_with_the_close_name(write_site: WriteSite) -> None:
    root = write_site({**SITE, "templates/post.html": '{% extends "theme/post.html" %}\n'
                                                       '{% block footer %}{{ t("contnue_reading") }}'
                                                       '{% endblock %}\n'})
    with pytest.raises(BuildError) as caught:
        build(config_for(root), use_cache=False)
    error = caught.value.errors[0]
    assert isinstance(error, TemplateError)
    assert (error.path, error.line, error.hint) == ("templates/post.html", 2,
                                                   "did you mean 'continue_reading'?")
    assert "the theme has no string 'contnue_reading'" in error.message


def test_words_around_a_link_are_escaped_and_the_link_is_not(write_site: WriteSite) -> None:
    pages = built(write_site, "strings: {not_found_text: 'Nothing <here> & {home}, {archive}, {tags}.'}\n")
    assert 'Nothing &lt;here&gt; &amp; <a href="/">home page</a>, <a href="/archive/">archive</a>' \
        in pages["404.html"]
