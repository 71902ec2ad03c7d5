"""Stage 4: fill Jinja templates: the site's templates/ first, then the built-in theme, which
stays reachable as "theme/<name>" so an override can extend it. A page rendered with `read=`
notes which parts of the site it used, and each template has a fingerprint of what it includes:
what the builder needs to tell the pages whose inputs did not change. The last environment is
kept while no template changes, so the preview's rebuilds do not compile them again.

A JSON feed is no template: feeds.json_feed builds it, so that JSON's escaping is json.dumps's.
Imports errors, feeds, htmllinks (links made absolute), listing (which file names can be used),
models, social, translations, urls. The one place that imports jinja2 (and markupsafe).
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import re
import traceback
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta
import markupsafe

from sitegen import social
from sitegen.errors import SitegenError, TemplateError, did_you_mean
from sitegen.feeds import JSON_FEED, format_rfc822, json_feed
from sitegen.htmllinks import absolute_links
from sitegen.listing import utf8
from sitegen.models import Config, Page, Post, Site, Tag
from sitegen.translations import format_date, og_locale, plural, words
from sitegen.urls import absolute_url, site_url

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class _Missing(jinja2.UndefinedError):
    """An undefined value used in a template, keeping what was asked of what, for "did you mean"."""

    def __init__(self, message: str | None = None, *, owner: object, name: object) -> None:
        super().__init__(message)
        self.owner, self.name = owner, name


class _Undefined(jinja2.StrictUndefined):
    """StrictUndefined whose error is a _Missing."""

    __slots__ = ()

    def __init__(self, hint: str | None = None, obj: object = jinja2.utils.missing, name: str | None = None,
                 exc: type[jinja2.TemplateRuntimeError] = jinja2.UndefinedError) -> None:
        super().__init__(hint, obj, name, exc)
        # Jinja raises self._undefined_exception(message): any callable making the error will do
        self._undefined_exception = functools.partial(_Missing, owner=obj, name=name)  # type: ignore[assignment]


# The last environment made, with its templates' sources and, once asked for, their fingerprints
_LAST: dict[str, Any] = {}


def make_environment(config: Config) -> jinja2.Environment:
    """The build's Jinja environment; the last one is reused while no template has changed, so
    the preview's rebuilds do not parse and compile the templates again."""
    env = _new_environment(config)
    sources = _sources(env)
    key = (str(config.templates_dir), config.base_url, config.language, tuple(config.strings.items()),
           tuple(sources.items()))
    if _LAST.get("key") == key:
        return _LAST["env"]  # type: ignore[no-any-return]
    _LAST.clear()
    _LAST.update(key=key, env=env, sources=sources, prints=None)
    return env


def _sources(env: jinja2.Environment) -> dict[str, str]:
    loader = env.loader
    assert loader is not None
    # a file whose name is not UTF-8 can be named in no template: it is never used
    return {name: loader.get_source(env, name)[0] for name in sorted(set(env.list_templates()))
            if utf8(name)}


def _new_environment(config: Config) -> jinja2.Environment:
    theme = jinja2.FileSystemLoader(config.theme_dir / "templates")
    loader = jinja2.ChoiceLoader([
        jinja2.FileSystemLoader(config.templates_dir),
        jinja2.PrefixLoader({"theme": theme}),
        theme,
    ])
    env = jinja2.Environment(
        loader=loader,
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        undefined=_Undefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    base = config.base_url
    table = words(config.language, config.strings)
    env.filters.update(
        url=lambda url: site_url(base, url),
        absolute=lambda url: absolute_url(base, url),
        date=lambda when, style="long": format_date(when, style, table),
        iso=lambda when: when.isoformat(timespec="seconds"),
        rfc822=format_rfc822,
        # links inside a page's HTML made absolute, for RSS readers that ignore xml:base
        absolute_links=lambda html, url: absolute_links(str(html), absolute_url(base, url)),
        xml_safe=lambda text: _XML_ILLEGAL.sub("", str(text)),
    )
    t = Words(table, config.language)
    env.globals.update(t=t, og_locale=og_locale(config.language), **_structured_data(t))
    env.filters["json_ld"] = lambda data: markupsafe.Markup(social.json_ld(data))
    return env


def _structured_data(t: Words) -> dict[str, Any]:
    """What templates call to describe a page to search engines and shared links: each takes the
    site's settings from the page being rendered (the environment outlives a change of them)."""

    @jinja2.pass_context
    def card_image(context: jinja2.runtime.Context, post: Post | None = None) -> str:
        return social.card_image(context["config"], post)

    @jinja2.pass_context
    def website(context: jinja2.runtime.Context) -> dict[str, Any]:
        return social.website(context["config"])

    @jinja2.pass_context
    def blog_posting(context: jinja2.runtime.Context, post: Post) -> dict[str, Any]:
        return social.blog_posting(context["config"], post)

    @jinja2.pass_context
    def term_page(context: jinja2.runtime.Context, title: str, term: Tag, ancestors: tuple[Tag, ...],
                  index: tuple[str, str]) -> dict[str, Any]:
        trail = social.term_trail(t("home"), index, ancestors, term)
        return social.collection_page(context["config"], title, context["page"].url, trail)

    @jinja2.pass_context
    def collection_page(context: jinja2.runtime.Context, title: str,
                        trail: list[tuple[str, str]]) -> dict[str, Any]:
        return social.collection_page(context["config"], title, context["page"].url, trail)

    return {"card_image": card_image, "website": website, "blog_posting": blog_posting,
            "term_page": term_page, "collection_page": collection_page}


class UnknownString(Exception):
    """t("key") with a key no table has."""

    def __init__(self, key: str, known: Mapping[str, str]) -> None:
        super().__init__(f"t({key!r}): the theme has no string '{key}'")
        self.message = str(self)
        self.hint = did_you_mean(key, known, "the keys are those of sitegen/translations.py")


class Words:
    """t("continue_reading"), t("page_of", number=2, count=5): the theme's words in the site's
    language. A string counted with `count` has two forms, key_one and key_other. A value that
    is markup (a link) stays markup and the string around it is escaped."""

    __slots__ = ("table", "language")

    def __init__(self, table: Mapping[str, str], language: str) -> None:
        self.table, self.language = table, language

    def __call__(self, key: str, **values: object) -> str:
        text = self.table.get(key)
        if text is None:
            count = values.get("count")
            if not isinstance(count, int) or f"{key}_one" not in self.table:
                raise UnknownString(key, self.table)
            text = self.table[f"{key}_{plural(self.language, count)}"]
        if not values:
            return text
        if any(isinstance(value, markupsafe.Markup) for value in values.values()):
            return markupsafe.escape(text).format(**values)
        return text.format(**values)


def template_fingerprints(env: jinja2.Environment,
                          known: dict[str, list[str] | None] | None = None) -> dict[str, str]:
    """For each template, a hash of its source and of every template it extends or includes.

    `known`: what each template source (by its hash) refers to, from an earlier build, so that
    only new sources are parsed; left holding this build's templates.
    """
    if _LAST.get("env") is not env:
        return _fingerprints(env, _sources(env), known)
    if _LAST["prints"] is None:
        _LAST["prints"] = _fingerprints(env, _LAST["sources"], known)
    return _LAST["prints"]  # type: ignore[no-any-return]


def _is_references(value: object) -> bool:
    return value is None or isinstance(value, list) and all(isinstance(v, str) for v in value)


def _fingerprints(env: jinja2.Environment, sources: dict[str, str],
                  known: dict[str, list[str] | None] | None) -> dict[str, str]:
    references: dict[str, set[str] | None] = {}
    used: dict[str, list[str] | None] = {}
    for name, source in sources.items():
        key = hashlib.sha256(source.encode()).hexdigest()
        if known is not None and key in known and _is_references(known[key]):
            found: list[str] | None = known[key]
        else:
            try:
                named = set(jinja2.meta.find_referenced_templates(env.parse(source)))
                found = None if None in named else sorted(str(n) for n in named)
            except jinja2.TemplateSyntaxError:
                found = None  # reported when rendered; hash it with everything
        used[key] = found
        references[name] = None if found is None else set(found)
    if known is not None:
        known.clear()
        known.update(used)
    everything = hashlib.sha256("".join(f"{n}\0{s}\0" for n, s in sources.items()).encode()).hexdigest()
    prints = {}
    for name in sources:
        closure, todo, dynamic = set(), [name], False
        while todo:
            current = todo.pop()
            if current in closure:
                continue
            closure.add(current)
            refs = references.get(current, set())
            if refs is None:
                dynamic = True
                break
            todo.extend(refs)
        text = "".join(f"{n}\0{sources.get(n, '')}\0" for n in sorted(closure))
        prints[name] = everything if dynamic else hashlib.sha256(text.encode()).hexdigest()
    return prints


class SiteReader:
    """Stands for `site` in templates and notes which of its parts a page reads.

    A page is rendered again only when one of the parts it read has changed; a page that shows
    site.posts depends on every post, one that shows only site.pages does not.
    """

    __slots__ = ("_site", "_read")

    def __init__(self, site: Site, read: set[str]) -> None:
        self._site, self._read = site, read

    def __getattribute__(self, name: str) -> object:
        # Every name passes here, not only the names the reader lacks: `site._site` must not
        # reach the site without being noted (the page would keep what it showed then)
        if name.startswith("__"):
            return object.__getattribute__(self, name)
        if name.startswith("_"):
            raise AttributeError(name)
        object.__getattribute__(self, "_read").add(name)
        return getattr(object.__getattribute__(self, "_site"), name)


def render_page(env: jinja2.Environment, page: Page, site: Site, *,
                read: set[str] | None = None) -> bytes:
    """Render one planned page; any template problem becomes a TemplateError at template:line.

    `read`, when given, collects the names of the parts of `site` the page used.
    """
    if page.template == JSON_FEED:
        return json_feed(page.context, site.config).encode("utf-8")
    try:
        template = env.get_template(page.template)
        shown: object = site if read is None else SiteReader(site, read)
        text = template.render(site=shown, config=site.config, page=page, **page.context)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(_template_path(exc.filename or exc.name or page.template, site.config),
                            f"{exc.message}", line=exc.lineno,
                            hint="fix the template syntax") from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(page.origin, f"template '{exc.name}' not found (rendering {page.url})",
                            hint=f"add templates/{exc.name}, or remove the reference") from None
    except SitegenError:  # sitegen's own, from a value the page read (the cache's HTML): not the template's
        raise
    except Exception as exc:  # any runtime error inside a template: locate it in the template
        filename, line, code = _template_frame(exc)
        message, hint = f"{type(exc).__name__}: {exc}", None
        if isinstance(exc, _Missing):
            message, hint = _undefined(exc, code, ["site", "config", "page", *page.context])
        elif isinstance(exc, UnknownString):
            message, hint = exc.message, exc.hint
        raise TemplateError(_template_path(filename or page.template, site.config),
                            f"{message} (while rendering {page.url} for {page.origin})",
                            line=line, hint=hint) from None
    return text.encode("utf-8")


def _template_frame(exc: BaseException) -> tuple[str | None, int | None, str]:
    """The template file, line and that line's text where the error was raised."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith((".html", ".xml", ".txt")):
            return frame.filename, frame.lineno, frame.line or ""
    return None, None, ""


def _undefined(exc: _Missing, code: str, names: list[str]) -> tuple[str, str | None]:
    """What an undefined value in a template was, and the close name meant, if one exists:
    `post.titel` -> ("post.titel is undefined: ...", "did you mean post.title?")."""
    owner, name = exc.owner, exc.name
    if not isinstance(name, str):
        return str(exc), None
    if owner is jinja2.utils.missing:
        meant = difflib.get_close_matches(name, names, n=1)
        return f"'{name}' is undefined", f"did you mean {meant[0]}?" if meant else None
    if isinstance(owner, SiteReader):  # the site it stands for, read around its noting
        owner = object.__getattribute__(owner, "_site")
    if isinstance(owner, Mapping):
        kind, known = "the mapping", [str(key) for key in owner]
    else:
        kind, known = f"a {type(owner).__name__}", [n for n in dir(owner) if not n.startswith("_")]
    written = re.search(rf"([A-Za-z_][\w.]*)\.{re.escape(name)}\b", code)  # as the template spells it
    asked = f"{written[1]}.{name}" if written else name
    meant = difflib.get_close_matches(name, known, n=1)
    hint = None
    if meant:
        hint = f"did you mean {written[1]}.{meant[0]}?" if written else f"did you mean '{meant[0]}'?"
    return f"{asked} is undefined: {kind} has no attribute '{name}'", hint


def _template_path(filename: str, config: Config) -> str:
    path = Path(filename)
    if path.is_absolute():
        if path.is_relative_to(config.root):
            return path.relative_to(config.root).as_posix()
        if path.is_relative_to(config.theme_dir):
            return "(built-in theme)/" + path.relative_to(config.theme_dir / "templates").as_posix()
    return filename
