"""Keys of the build cache: what decides that an earlier result still stands. The settings a
cache belongs to, the configuration a build used, and the fingerprint of each page's inputs.

Imports models. PageKeys answers, for the build cache's seam, which pages need not be rendered again.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import importlib.util
import os
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from sitegen import __version__
from sitegen.models import EPOCH, Config, Page, Pagination, Post, Site, Tag

# A page's cache key, the parts of the site it read, the posts it shows (their places in the
# site's order of sources, see site_shape) and the terms it shows (term_ids)
PageState = tuple[str | None, list[str], list[int], list[str]]
UNKNOWN_TERM = "?"  # a term in a page's context that the site does not hold: always taken as changed


def digest(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def settings_fingerprint(config: Config) -> str:
    """What, besides a file's bytes, decides how it parses: this code, its libraries and the
    configuration, wherever the site folder is and whichever posts are shown (drafts, future)."""
    shown = dataclasses.replace(config, root=Path("."), drafts=False, future=False)
    return digest(f"{__version__}\n{_code_digest()}\n{_library_versions()}\n{config_digest(shown)}")


@functools.cache
def _code_digest() -> str:
    """sitegen's own code and built-in theme, by their bytes: the version number stays the same
    while a developer or a git checkout changes them, and a cache made by other code must not
    stand in for what this code makes. Read once per process (about 2 ms), as the code is."""
    package = Path(__file__).parent.parent
    files = sorted([*package.rglob("*.py"), *(p for p in (package / "theme").rglob("*") if p.is_file())])
    whole = hashlib.sha256()
    for path in files:
        data = path.read_bytes()
        whole.update(f"{path.relative_to(package).as_posix()}\0{len(data)}\0".encode())
        whole.update(data)
    return whole.hexdigest()


@functools.cache
def _library_versions() -> str:
    """Another Markdown, Pygments, pymdown-extensions or Jinja may write other HTML from the same
    text: each library's installed files, by path, size and time (cheaper than reading package
    metadata)."""
    found = []
    for name in ("markdown", "pygments", "pymdownx", "jinja2", "yaml", "nh3"):
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec is not None and spec.origin else ""
        try:
            info = os.stat(origin)
            found.append(f"{origin}:{info.st_mtime_ns}:{info.st_size}")
        except OSError:
            found.append(f"{name}=?")
    return ",".join(found)


def config_digest(config: Config) -> str:
    """Everything in the configuration that can change the output (not where it goes, nor the
    clock: future posts are judged separately)."""
    return digest(repr(dataclasses.replace(config, output_dir=Path("."), jobs=1, now=EPOCH)))


class Fingerprints:
    """Hashes of everything a page's output can depend on, each computed once per build."""

    def __init__(self, site: Site, templates: Mapping[str, str], sources: Mapping[str, str]) -> None:
        self.site = site
        self.templates = templates  # template name -> hash of it and what it extends or includes
        self.sources = sources  # source file -> hash of its bytes, for posts parsed from them
        self._posts: dict[int, str] = {}
        self._tags: dict[int, str] = {}
        self._site: dict[str, str] = {}
        self._contexts: dict[int, str] = {}  # by the page's id: the pages live as long as the build
        self.config = config_digest(site.config)

    def of_post(self, post: Post) -> str:
        known = self._posts.get(id(post))
        if known is None:
            tags = [self._of_tag(t) for t in post.tags]
            if post.categories:  # told apart from the tags: a page may show one and not the other
                tags.append("categories:" + ",".join([self._of_tag(t) for t in post.categories]))
            if post.authors:  # linked to their pages once the site has a second author
                tags.append("authors:" + ",".join([self._of_tag(t) for t in post.authors]))
            source = self.sources.get(str(post.source))
            if source is not None:
                # A post is its file's bytes read under the cache's settings, but for what the
                # site stage changes: its tags and categories (shared objects) and its HTML
                # (links rewritten).
                fields: tuple[object, ...] = (str(post.source), source, tags, post.html.digest)
            else:
                # The two dates by their text: a fresh parse and the cache give different tz objects.
                dates = (post.date and post.date.isoformat(), post.updated and post.updated.isoformat())
                fields = (str(post.source), post.url, post.title, dates, tags, post.aliases,
                          post.moved_from, post.links, post.summary, post.html.digest, post.cut, post.words,
                          post.reading_minutes, post.draft, post.author, post.description,
                          self.of_value(post.extra), post.id, post.image)
            known = digest(repr(fields))
            self._posts[id(post)] = known
        return known

    def _of_tag(self, tag: Tag) -> str:
        known = self._tags.get(id(tag))
        if known is None:
            # one Tag object is shared by all its posts; its digest keeps their texts short
            self._tags[id(tag)] = known = digest(repr(tag))
        return known

    def of_value(self, value: object) -> str:
        """A stable text standing for any value found in a page's context."""
        kind = type(value)
        if kind is Post:
            return "post:" + self.of_post(value)  # type: ignore[arg-type]
        if kind is Tag:
            return self._of_tag(value)  # type: ignore[arg-type]
        if kind is str or kind is int or value is None or kind is bool:
            return repr(value)
        if kind is tuple or kind is list:
            known = self._posts  # posts and strings by far the most common items: without a call
            return "[" + ",".join([("post:" + known[id(v)]) if id(v) in known
                                   else repr(v) if type(v) is str else self.of_value(v)
                                   for v in value]) + "]"  # type: ignore[attr-defined]
        if isinstance(value, Pagination):
            items = ",".join([self.of_post(p) for p in value.items])
            return f"pagination:{value.number}/{value.count}:{value.prev_url}:{value.next_url}:{items}"
        if isinstance(value, Mapping):
            return "{" + ",".join([f"{k!r}:{self.of_value(v)}" for k, v in sorted(value.items())]) + "}"
        if isinstance(value, date):  # the same moment from a fresh parse and from the cache
            return value.isoformat()
        return repr(value)

    def of_site(self, name: str) -> str:
        known = self._site.get(name)
        if known is None:
            value = self.site.config if name == "config" else getattr(self.site, name, None)
            known = self.config if name == "config" else digest(self.of_value(value))
            self._site[name] = known
        return known

    def shown(self, page: Page) -> tuple[set[str], set[str]]:
        """The source of every post a page's context holds, however deep, and every term it
        holds outside those posts (a post's own terms are in its digest)."""
        posts: set[str] = set()
        terms: set[str] = set()
        todo: list[object] = list(page.context.values())
        while todo:
            value = todo.pop()
            kind = type(value)
            if kind is Post:
                posts.add(str(value.source))  # type: ignore[attr-defined]
            elif kind is Tag:
                terms.add(self.term_ids.get(id(value), UNKNOWN_TERM))
            elif isinstance(value, (tuple, list)):  # named tuples too
                todo.extend(value)
            elif kind is Pagination:
                posts.update(str(p.source) for p in value.items)  # type: ignore[attr-defined]
            elif isinstance(value, Mapping):
                todo.extend(value.values())
            elif dataclasses.is_dataclass(value):  # whatever it may hold
                todo.extend(getattr(value, f.name) for f in dataclasses.fields(value))
        return posts, terms

    @functools.cached_property
    def term_ids(self) -> dict[int, str]:
        return term_ids(self.site)

    def of_page(self, page: Page, site_names: Iterable[str], *, again: bool = False) -> str:
        """The page's key; `again`: it may be asked once more, after the page is rendered."""
        # A page whose key is not the last build's is keyed twice, before and after rendering: its
        # context (all 100,000 posts of the archive) is hashed once, and its hash kept until then
        context = self._contexts.pop(id(page), None)
        if context is None:
            context = digest(",".join(
                [f"{key}:{self.of_value(value)}" for key, value in sorted(page.context.items())]))
        if again:
            self._contexts[id(page)] = context
        parts = [self.templates.get(page.template, "?"), self.config, page.url, str(page.path), context]
        parts += [f"{name}={self.of_site(name)}" for name in sorted(site_names)]
        return digest("\x00".join(parts))


def _terms(site: Site) -> Iterable[tuple[str, tuple[Tag, ...], Mapping[str, tuple[Post, ...]]]]:
    return (("tag", site.tags, site.posts_by_tag), ("category", site.categories, site.posts_by_category),
            ("author", site.authors, site.posts_by_author))


def term_id(kind: str, term: Tag) -> str:
    """A term as page records and the site's shape name it: its kind and key ("tag:ai")."""
    return f"{kind}:{term.key}"


def term_ids(site: Site) -> dict[int, str]:
    """Each term of the site's term_id, by the identity of its object."""
    return {id(term): term_id(kind, term) for kind, terms, _ in _terms(site) for term in terms}


def site_shape(site: Site) -> tuple[list[str], str, dict[str, list[str]]]:
    """The sources of the site's posts and pages, in order; a hash of all that decides which
    pages the site has and what they show besides the posts themselves and the terms: each post's
    place (its date, URL, section), its authors, its old addresses and its feed id, and the terms
    of a standalone page as written (a term only pages have is named after their spellings alone,
    and is none of the site's terms); and for each term of the site (term_ids) a hash of the term
    itself and one of the posts its pages list, in order.

    Under the same shape, configuration and templates, a page's output can change only through a
    post its context holds or a part of the site it read: what the site and page stages read of
    a post (its dates for a page's last change, its URL for a link to it) is in the shape. When
    only the terms' hashes differ, see steady_pages.
    """
    every = (*site.posts, *site.pages)
    # dates as written, offset included: the sitemap and the feeds show a page's last change
    shape = [(str(p.source), p.section, p.url, p.slug, p.date and p.date.isoformat(),
              p.updated and p.updated.isoformat(), p.draft, p.author_names, p.author, p.aliases,
              p.moved_from, p.id, (p.tag_names, p.category_names) if p.section == "pages" else ())
             for p in every]
    places = {id(post): place for place, post in enumerate(every)}
    terms = {term_id(kind, term): [digest(repr(term)), digest(repr([places[id(p)] for p in by[term.key]]))]
             for kind, all_terms, by in _terms(site) for term in all_terms}
    return [entry[0] for entry in shape], digest(repr(shape)), terms


def steady_pages(records: Mapping[str, dict[str, Any]], changed: set[int], parts: set[str], site: Site,
                 last: Mapping[str, list[str]], now: Mapping[str, list[str]],
                 related: set[str]) -> set[str] | None:
    """The pages of the last build known unchanged without hashing them, under the same shape
    (site_shape), configuration and templates: none of the posts they show (`changed`: places)
    nor of the parts of the site they read changed, and not the page of a post whose related
    posts changed (`related`: paths).

    When the terms' hashes differ (`last`, `now`: a tag added to a post, or taken away), a term's
    pages change with the posts they list, and the pages of a post with its terms: a page is also
    hashed when it shows a term whose hashes differ, or a post carrying a term that itself changed
    (its name, its page), or neither posts nor terms (the sitemap, which lists every page). None
    when a term came or went: a list of terms (the tags index, a term's children) changes with
    none of the terms it showed.
    """
    if last.keys() != now.keys():
        return None
    moved = {name for name in last if last[name] != now[name]}
    itself = {name for name in moved if last[name][0] != now[name][0]}
    if itself:
        changed = changed | {place for place, post in enumerate((*site.posts, *site.pages))
                             if any(term_id(kind, term) in itself for kind, terms in _terms_of(post)
                                    for term in terms)}
    if moved:
        moved.add(UNKNOWN_TERM)
    return {name for name, record in records.items() if "posts" in record and name not in related
            and changed.isdisjoint(record["posts"]) and parts.isdisjoint(record["site"])
            and (not moved or ((record["posts"] or "terms" in record)
                               and moved.isdisjoint(record.get("terms", ()))))}


def _terms_of(post: Post) -> tuple[tuple[str, tuple[Tag, ...]], ...]:
    return ("tag", post.tags), ("category", post.categories), ("author", post.authors)


class PageKeys:
    """Each page's cache key, from the hashes of everything its output can depend on."""

    def __init__(self, prints: Fingerprints | None, previous: dict[str, dict[str, Any]],
                 sources: list[str], steady: set[str] | None, same_places: bool = False) -> None:
        self.prints, self.previous, self.steady = prints, previous, steady
        self.places = {source: index for index, source in enumerate(sources)}
        self.same_places = same_places  # the posts' places as in the last build's records

    def unchanged(self, page: Page) -> PageState | None:
        """The last build's key for a page whose inputs are all as they were then."""
        name = str(page.path)
        record = self.previous.get(name)
        if self.prints is None or record is None or "key" not in record:
            return None
        if self.steady is not None and name in self.steady:
            return record["key"], record["site"], record["posts"], record.get("terms", [])
        # the same posts and terms too; keyed again after rendering when not
        if self.prints.of_page(page, record["site"], again=True) == record["key"]:
            if self.same_places and "posts" in record:
                return record["key"], record["site"], record["posts"], record.get("terms", [])
            return record["key"], record["site"], *self._shown(page)
        return None

    def of(self, page: Page, read: set[str]) -> PageState:
        """A page just rendered, which read `read` of the site."""
        if self.prints is None:
            return None, sorted(read), [], []
        return self.prints.of_page(page, read), sorted(read), *self._shown(page)

    def _shown(self, page: Page) -> tuple[list[int], list[str]]:
        assert self.prints is not None
        posts, terms = self.prints.shown(page)
        return sorted(self.places[source] for source in posts), sorted(terms)
