"""The theme's fixed words in each language it ships: one table per language, chosen by
`language:` in sitegen.yaml, each entry of which `strings:` there can replace.

Support module: imports nothing from sitegen. Every table has the keys of the English one, with
the same {placeholders} (a test holds them to it); a language without a table reads English.
Dates are written with the language's month names and word order, never the process locale.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from datetime import date

ENGLISH: Mapping[str, str] = {
    # every page: the skip link, the menu, the footer
    "skip_link": "Skip to content",
    "main_menu": "Main",
    "home": "Home",
    "tags": "Tags",
    "categories": "Categories",
    "archive": "Archive",
    "search": "Search",
    "feed": "Feed",
    "by": "by",
    "subscribe": "Subscribe to the feed",
    # a post's line of facts, and lists of posts
    "updated": "updated",
    "min_read": "{minutes} min read",
    "draft": "Draft",
    "continue_reading": "Continue reading",
    "pages": "Pages",
    "newer_posts": "Newer posts",
    "older_posts": "Older posts",
    "page_of": "Page {number} of {count}",
    "page_number": "Page {number}",
    "posts_page": "Posts, page {number}",
    "page_suffix": "page {number}",
    "latest_posts": "Latest posts",
    "no_posts": "No posts yet.",
    # a post
    "contents": "Contents",
    "related_posts": "Related posts",
    "more_posts": "More posts",
    "previous_post": "Previous post",
    "next_post": "Next post",
    # tags and categories
    "posts_tagged": "Posts tagged",
    "posts_in_category": "Posts in category",
    "term_description": "{heading} {name} on {site}",
    "breadcrumbs": "Breadcrumbs",
    "tag_feed": "Feed for this tag",
    "category_feed": "Feed for this category",
    "all_tags": "All tags",
    "all_categories": "All categories",
    "narrower_tags": "Narrower tags:",
    "narrower_categories": "Narrower categories:",
    "tags_description": "Every tag on {site}, with its number of posts",
    "categories_description": "Every category on {site}, with its number of posts",
    "post_count_one": "{count} post",
    "post_count_other": "{count} posts",
    "no_tags": "No tags yet.",
    "no_categories": "No categories yet.",
    # the archive, and the archives of a year or a month
    "archive_description": "Every post on {site}, by year",
    "posts_from": "Posts from {period}",
    "period_description": "Every post from {period} on {site}",
    "months": "Months:",
    "other_periods": "Other periods",
    "newer": "Newer",
    "older": "Older",
    # the not-found page, the search page, a moved page
    "not_found": "Page not found",
    "not_found_text": "There is nothing at this address. Try the {home}, the {archive} or the {tags}.",
    "not_found_home": "home page",
    "not_found_archive": "archive",
    "not_found_tags": "tags",
    "search_description": "Search the posts of {site}",
    "search_needs_script": "Search needs JavaScript. The {tags} and the {archive} list every post.",
    "search_tags": "tags",
    "search_archive": "archive",
    "moved": "Moved",
    "moved_text": "This page has moved to {link}.",
    # dates: "28 January 2025", "28 Jan", "January 2025"
    "date_long": "{day} {month} {year}",
    "date_short": "{day} {month_short}",
    "date_month": "{month} {year}",
    "day_1": "1",
    "month_1": "January", "month_2": "February", "month_3": "March", "month_4": "April",
    "month_5": "May", "month_6": "June", "month_7": "July", "month_8": "August",
    "month_9": "September", "month_10": "October", "month_11": "November", "month_12": "December",
    "month_short_1": "Jan", "month_short_2": "Feb", "month_short_3": "Mar", "month_short_4": "Apr",
    "month_short_5": "May", "month_short_6": "Jun", "month_short_7": "Jul", "month_short_8": "Aug",
    "month_short_9": "Sep", "month_short_10": "Oct", "month_short_11": "Nov", "month_short_12": "Dec",
}

_NBSP = "\u00a0"  # French sets a colon apart from its word with a space that never breaks

FRENCH: Mapping[str, str] = {
    "skip_link": "Aller au contenu",
    "main_menu": "Menu principal",
    "home": "Accueil",
    "tags": "Étiquettes",
    "categories": "Catégories",
    "archive": "Archives",
    "search": "Recherche",
    "feed": "Flux",
    "by": "par",
    "subscribe": "S’abonner au flux",
    "updated": "mis à jour le",
    "min_read": "{minutes} min de lecture",
    "draft": "Brouillon",
    "continue_reading": "Lire la suite",
    "pages": "Pages",
    "newer_posts": "Articles plus récents",
    "older_posts": "Articles plus anciens",
    "page_of": "Page {number} sur {count}",
    "page_number": "Page {number}",
    "posts_page": "Articles, page {number}",
    "page_suffix": "page {number}",
    "latest_posts": "Derniers articles",
    "no_posts": "Pas encore d’articles.",
    "contents": "Sommaire",
    "related_posts": "Articles similaires",
    "more_posts": "Autres articles",
    "previous_post": "Article précédent",
    "next_post": "Article suivant",
    "posts_tagged": "Articles avec l’étiquette",
    "posts_in_category": "Articles de la catégorie",
    "term_description": "{heading} {name} sur {site}",
    "breadcrumbs": "Fil d’Ariane",
    "tag_feed": "Flux de cette étiquette",
    "category_feed": "Flux de cette catégorie",
    "all_tags": "Toutes les étiquettes",
    "all_categories": "Toutes les catégories",
    "narrower_tags": f"Étiquettes plus précises{_NBSP}:",
    "narrower_categories": f"Sous-catégories{_NBSP}:",
    "tags_description": "Toutes les étiquettes de {site}, avec leur nombre d’articles",
    "categories_description": "Toutes les catégories de {site}, avec leur nombre d’articles",
    "post_count_one": "{count} article",
    "post_count_other": "{count} articles",
    "no_tags": "Pas encore d’étiquettes.",
    "no_categories": "Pas encore de catégories.",
    "archive_description": "Tous les articles de {site}, par année",
    "posts_from": "Articles de {period}",
    "period_description": "Tous les articles de {period} sur {site}",
    "months": f"Mois{_NBSP}:",
    "other_periods": "Autres périodes",
    "newer": "Plus récent",
    "older": "Plus ancien",
    "not_found": "Page introuvable",
    "not_found_text": "Il n’y a rien à cette adresse. Essayez la {home}, les {archive} ou les {tags}.",
    "not_found_home": "page d’accueil",
    "not_found_archive": "archives",
    "not_found_tags": "étiquettes",
    "search_description": "Rechercher dans les articles de {site}",
    "search_needs_script": "La recherche a besoin de JavaScript. Les {tags} et les {archive} "
                           "mènent à chaque article.",
    "search_tags": "étiquettes",
    "search_archive": "archives",
    "moved": "Page déplacée",
    "moved_text": "Cette page se trouve désormais à l’adresse {link}.",
    "date_long": "{day} {month} {year}",
    "date_short": "{day} {month_short}",
    "date_month": "{month} {year}",
    "day_1": "1er",
    "month_1": "janvier", "month_2": "février", "month_3": "mars", "month_4": "avril",
    "month_5": "mai", "month_6": "juin", "month_7": "juillet", "month_8": "août",
    "month_9": "septembre", "month_10": "octobre", "month_11": "novembre", "month_12": "décembre",
    "month_short_1": "janv.", "month_short_2": "févr.", "month_short_3": "mars", "month_short_4": "avr.",
    "month_short_5": "mai", "month_short_6": "juin", "month_short_7": "juil.", "month_short_8": "août",
    "month_short_9": "sept.", "month_short_10": "oct.", "month_short_11": "nov.", "month_short_12": "déc.",
}

GERMAN: Mapping[str, str] = {
    "skip_link": "Zum Inhalt springen",
    "main_menu": "Hauptmenü",
    "home": "Startseite",
    "tags": "Schlagwörter",
    "categories": "Kategorien",
    "archive": "Archiv",
    "search": "Suche",
    "feed": "Feed",
    "by": "von",
    "subscribe": "Feed abonnieren",
    "updated": "aktualisiert am",
    "min_read": "{minutes} Min. Lesezeit",
    "draft": "Entwurf",
    "continue_reading": "Weiterlesen",
    "pages": "Seiten",
    "newer_posts": "Neuere Beiträge",
    "older_posts": "Ältere Beiträge",
    "page_of": "Seite {number} von {count}",
    "page_number": "Seite {number}",
    "posts_page": "Beiträge, Seite {number}",
    "page_suffix": "Seite {number}",
    "latest_posts": "Neueste Beiträge",
    "no_posts": "Noch keine Beiträge.",
    "contents": "Inhalt",
    "related_posts": "Ähnliche Beiträge",
    "more_posts": "Weitere Beiträge",
    "previous_post": "Vorheriger Beitrag",
    "next_post": "Nächster Beitrag",
    "posts_tagged": "Beiträge mit dem Schlagwort",
    "posts_in_category": "Beiträge in der Kategorie",
    "term_description": "{heading} {name} auf {site}",
    "breadcrumbs": "Brotkrümelnavigation",
    "tag_feed": "Feed zu diesem Schlagwort",
    "category_feed": "Feed zu dieser Kategorie",
    "all_tags": "Alle Schlagwörter",
    "all_categories": "Alle Kategorien",
    "narrower_tags": "Untergeordnete Schlagwörter:",
    "narrower_categories": "Unterkategorien:",
    "tags_description": "Alle Schlagwörter auf {site} mit der Zahl ihrer Beiträge",
    "categories_description": "Alle Kategorien auf {site} mit der Zahl ihrer Beiträge",
    "post_count_one": "{count} Beitrag",
    "post_count_other": "{count} Beiträge",
    "no_tags": "Noch keine Schlagwörter.",
    "no_categories": "Noch keine Kategorien.",
    "archive_description": "Alle Beiträge auf {site}, nach Jahren",
    "posts_from": "Archiv {period}",
    "period_description": "Alle Beiträge aus {period} auf {site}",
    "months": "Monate:",
    "other_periods": "Andere Zeiträume",
    "newer": "Neuer",
    "older": "Älter",
    "not_found": "Seite nicht gefunden",
    "not_found_text": "Unter dieser Adresse gibt es nichts. Versuchen Sie es mit der {home}, dem "
                      "{archive} oder den {tags}.",
    "not_found_home": "Startseite",
    "not_found_archive": "Archiv",
    "not_found_tags": "Schlagwörtern",
    "search_description": "Die Beiträge von {site} durchsuchen",
    "search_needs_script": "Die Suche braucht JavaScript. Die {tags} und das {archive} führen zu "
                           "jedem Beitrag.",
    "search_tags": "Schlagwörter",
    "search_archive": "Archiv",
    "moved": "Umgezogen",
    "moved_text": "Diese Seite ist umgezogen: {link}.",
    "date_long": "{day}. {month} {year}",
    "date_short": "{day}. {month_short}",
    "date_month": "{month} {year}",
    "day_1": "1",
    "month_1": "Januar", "month_2": "Februar", "month_3": "März", "month_4": "April",
    "month_5": "Mai", "month_6": "Juni", "month_7": "Juli", "month_8": "August",
    "month_9": "September", "month_10": "Oktober", "month_11": "November", "month_12": "Dezember",
    "month_short_1": "Jan.", "month_short_2": "Feb.", "month_short_3": "März", "month_short_4": "Apr.",
    "month_short_5": "Mai", "month_short_6": "Juni", "month_short_7": "Juli", "month_short_8": "Aug.",
    "month_short_9": "Sept.", "month_short_10": "Okt.", "month_short_11": "Nov.", "month_short_12": "Dez.",
}

SPANISH: Mapping[str, str] = {
    "skip_link": "Ir al contenido",
    "main_menu": "Menú principal",
    "home": "Inicio",
    "tags": "Etiquetas",
    "categories": "Categorías",
    "archive": "Archivo",
    "search": "Buscar",
    "feed": "Feed",
    "by": "por",
    "subscribe": "Suscribirse al feed",
    "updated": "actualizado el",
    "min_read": "{minutes} min de lectura",
    "draft": "Borrador",
    "continue_reading": "Seguir leyendo",
    "pages": "Páginas",
    "newer_posts": "Entradas más recientes",
    "older_posts": "Entradas anteriores",
    "page_of": "Página {number} de {count}",
    "page_number": "Página {number}",
    "posts_page": "Entradas, página {number}",
    "page_suffix": "página {number}",
    "latest_posts": "Últimas entradas",
    "no_posts": "Todavía no hay entradas.",
    "contents": "Contenido",
    "related_posts": "Entradas relacionadas",
    "more_posts": "Más entradas",
    "previous_post": "Entrada anterior",
    "next_post": "Entrada siguiente",
    "posts_tagged": "Entradas con la etiqueta",
    "posts_in_category": "Entradas en la categoría",
    "term_description": "{heading} {name} en {site}",
    "breadcrumbs": "Ruta de navegación",
    "tag_feed": "Feed de esta etiqueta",
    "category_feed": "Feed de esta categoría",
    "all_tags": "Todas las etiquetas",
    "all_categories": "Todas las categorías",
    "narrower_tags": "Etiquetas más específicas:",
    "narrower_categories": "Subcategorías:",
    "tags_description": "Todas las etiquetas de {site}, con su número de entradas",
    "categories_description": "Todas las categorías de {site}, con su número de entradas",
    "post_count_one": "{count} entrada",
    "post_count_other": "{count} entradas",
    "no_tags": "Todavía no hay etiquetas.",
    "no_categories": "Todavía no hay categorías.",
    "archive_description": "Todas las entradas de {site}, por año",
    "posts_from": "Entradas de {period}",
    "period_description": "Todas las entradas de {period} en {site}",
    "months": "Meses:",
    "other_periods": "Otros períodos",
    "newer": "Más reciente",
    "older": "Más antiguo",
    "not_found": "Página no encontrada",
    "not_found_text": "No hay nada en esta dirección. Pruebe la {home}, el {archive} o las {tags}.",
    "not_found_home": "página de inicio",
    "not_found_archive": "archivo",
    "not_found_tags": "etiquetas",
    "search_description": "Buscar en las entradas de {site}",
    "search_needs_script": "La búsqueda necesita JavaScript. Las {tags} y el {archive} llevan a "
                           "cada entrada.",
    "search_tags": "etiquetas",
    "search_archive": "archivo",
    "moved": "Página trasladada",
    "moved_text": "Esta página se ha trasladado a {link}.",
    "date_long": "{day} de {month} de {year}",
    "date_short": "{day} {month_short}",
    "date_month": "{month} de {year}",
    "day_1": "1",
    "month_1": "enero", "month_2": "febrero", "month_3": "marzo", "month_4": "abril",
    "month_5": "mayo", "month_6": "junio", "month_7": "julio", "month_8": "agosto",
    "month_9": "septiembre", "month_10": "octubre", "month_11": "noviembre", "month_12": "diciembre",
    "month_short_1": "ene", "month_short_2": "feb", "month_short_3": "mar", "month_short_4": "abr",
    "month_short_5": "may", "month_short_6": "jun", "month_short_7": "jul", "month_short_8": "ago",
    "month_short_9": "sept", "month_short_10": "oct", "month_short_11": "nov", "month_short_12": "dic",
}

TABLES: Mapping[str, Mapping[str, str]] = {"en": ENGLISH, "fr": FRENCH, "de": GERMAN, "es": SPANISH}
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
