"""The values that flow through the pipeline: Config -> Post -> Site -> Page -> BuildReport.

Every dataclass is frozen and built complete by one stage; later stages make new values with
dataclasses.replace. Html is the one class that is not a dataclass: it may read its text
later (from the build cache) and remembers its digest once computed, but its text never changes.
Mappings inside Config and Post are plain dicts so that both can travel to worker processes;
treat them as read-only. Imports only errors.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from sitegen.errors import SourceError

DEFAULT_BASE_URL = "http://localhost:8000/"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # stands for "no date" where posts are ordered by date
_THEME_DIR = Path(__file__).parent / "theme"


def _empty() -> Mapping[str, object]:
    return {}


# Whose iframes a post keeps by default: video players that embed as iframes and nothing else
IFRAME_HOSTS = ("youtube.com", "youtube-nocookie.com", "player.vimeo.com")

@dataclass(frozen=True, slots=True, kw_only=True)
class TagSpec:
    """One entry of tags.yaml (or categories.yaml): what the site owner says about a tag."""

    name: str
    slug: str | None = None
    description: str = ""
    aliases: tuple[str, ...] = ()  # other spellings that mean this tag; their old URLs redirect
    old_slugs: tuple[str, ...] = ()  # earlier URLs after /tags/ (ai-shift, ai/llm-old); they redirect here
    line: int | None = None
    links: tuple[str, ...] = ()  # an author's pages elsewhere (authors.yaml)


@dataclass(frozen=True, slots=True, kw_only=True)
class TermSettings:
    """The `categories:` block of sitegen.yaml, and what the `tags:` block has of it."""

    min_posts: int = 1  # terms with fewer posts get no page and are shown as plain text
    noindex: bool = False  # ask search engines not to index the terms' pages
    hierarchy: bool = False  # "ai/llm" is the child "llm" of "ai"


@dataclass(frozen=True, slots=True, kw_only=True)
class TagSettings(TermSettings):
    """The `tags:` block of sitegen.yaml."""

    related: int = 3  # related posts shown on each post page


@dataclass(frozen=True, slots=True, kw_only=True)
class Permalinks:
    """The `permalinks:` block of sitegen.yaml: URL patterns, as Jekyll and Hugo write them."""

    post: str = "/posts/:slug/"
    tag: str = "/tags/:slug/"
    category: str = "/categories/:slug/"
    # The kinds ("post", "tag", "category") whose pattern is written under Hugo's key (posts:,
    # tags:, categories:): its placeholders mean what they mean in Hugo (hugourls)
    hugo: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Archives:
    """The `archives:` block of sitegen.yaml: which periods get pages listing their posts."""

    year: bool = True  # /2025/, beside the posts' URLs
    month: bool = True  # /2025/01/


class FeedFormat(NamedTuple):
    """A feed format: its name in sitegen.yaml, its file beside the others, its media type."""

    name: str
    file: str
    type: str
    label: str


# Atom's file name is the one sitegen always wrote; every format's file sits in the same folder
FEED_FORMATS = {
    "atom": FeedFormat("atom", "feed.xml", "application/atom+xml", "Atom"),
    "rss": FeedFormat("rss", "rss.xml", "application/rss+xml", "RSS"),
    "json": FeedFormat("json", "feed.json", "application/feed+json", "JSON Feed"),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Config:
    root: Path
    title: str = "My blog"
    description: str = ""
    author: str = ""
    base_url: str = DEFAULT_BASE_URL
    language: str = "en"
    timezone: str = "UTC"
    posts_per_page: int = 10
    feed_limit: int = 20
    feeds: tuple[str, ...] = tuple(FEED_FORMATS)  # the formats written, each beside the others
    # Copies of a feed at its old addresses (feed_aliases: {/feed/: rss}): (path, format); a path
    # without a leading / is under every feed's folder (feed/: /feed/, /tags/x/feed/)
    feed_aliases: tuple[tuple[str, str], ...] = ()
    extra: Mapping[str, object] = field(default_factory=_empty)
    tags: TagSettings = field(default_factory=TagSettings)
    categories: TermSettings = field(default_factory=TermSettings)
    permalinks: Permalinks = field(default_factory=Permalinks)
    archives: Archives = field(default_factory=Archives)
    unsafe_html: bool = False  # let raw HTML in posts through (markdown: {unsafe_html: true})
    markdown_flavor: str = "sitegen"  # whose reading of Markdown posts follow (markdown: {flavor: ...})
    # hosts whose iframes raw HTML keeps, with their subdomains (markdown: {iframe_hosts: [...]})
    iframe_hosts: tuple[str, ...] = IFRAME_HOSTS
    keep_files: tuple[str, ...] = ()  # output entries kept across builds (CNAME, .git)
    search: bool = False  # a /search/ page and an index built by Pagefind (sitegen[search])
    strings: Mapping[str, str] = field(default_factory=dict)  # the theme's words the site replaces
    image: str = ""  # the picture of shared links to pages without one of their own: URL or site path
    tag_specs: Mapping[str, TagSpec] = field(default_factory=dict)
    tag_aliases: Mapping[str, str] = field(default_factory=dict)
    category_specs: Mapping[str, TagSpec] = field(default_factory=dict)  # categories.yaml, as tags.yaml
    category_aliases: Mapping[str, str] = field(default_factory=dict)
    author_specs: Mapping[str, TagSpec] = field(default_factory=dict)  # authors.yaml, as tags.yaml
    author_aliases: Mapping[str, str] = field(default_factory=dict)
    # Where base_url was given, for the warning about an unset or example address:
    # ("sitegen.yaml", line, column), ("--base-url", None, None), or None when it was not.
    # Not part of the settings the cache keys on: where a value stands changes no page.
    base_url_at: tuple[str, int | None, int | None] | None = field(default=None, repr=False,
                                                                   compare=False)
    # The line of each feed_aliases entry in sitegen.yaml, for errors: changes no page
    feed_aliases_at: Mapping[str, int] = field(default_factory=dict, repr=False, compare=False)
    preview: bool = False  # built by sitegen serve, whose own address is the base_url
    output_dir: Path
    drafts: bool = False
    future: bool = False
    jobs: int = 1  # worker processes for reading posts (--jobs)
    now: datetime

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def static_dir(self) -> Path:
        return self.root / "static"

    @property
    def feed_formats(self) -> tuple[FeedFormat, ...]:
        """The formats the site's feeds are written in, in the order sitegen.yaml gives them."""
        return tuple(FEED_FORMATS[name] for name in self.feeds)

    @property
    def theme_dir(self) -> Path:
        """The built-in theme: its templates sit under the site's, its static files under static/."""
        return _THEME_DIR


@dataclass(frozen=True, slots=True, kw_only=True)
class Tag:
    """A tag (or a category) as shown to readers; `key` is its identity (NFKC, case-folded,
    spaces collapsed)."""

    key: str
    name: str
    slug: str
    url: str
    description_html: str = ""
    has_page: bool = True
    parent: str | None = None  # key of the parent tag, with tags: {hierarchy: true}
    old_slugs: tuple[str, ...] = ()  # earlier slugs and aliases' slugs; their URLs redirect here
    links: tuple[str, ...] = ()  # an author's pages elsewhere, from authors.yaml

    @property
    def feed_url(self) -> str:
        return self.url + "feed.xml"

    @property
    def short_name(self) -> str:
        """The name under its parent: "usability" for "design/research/usability"."""
        return self.name.rsplit("/", 1)[-1] if self.parent is not None else self.name


class Html:
    """A post's HTML: body, excerpt and table of contents.

    Posts from the build cache carry only a way to read it and its digest, so a rebuild holds in
    memory just the HTML of the pages it renders again.
    """

    __slots__ = ("_parts", "_load", "_digest")

    def __init__(self, body: str, summary: str, toc: str) -> None:
        self._parts: tuple[str, str, str] | None = (body, summary, toc)
        self._load: Callable[[], tuple[str, str, str]] | None = None
        self._digest: str | None = None

    @classmethod
    def later(cls, load: Callable[[], tuple[str, str, str]], digest: str) -> Html:
        html = cls.__new__(cls)
        html._parts, html._load, html._digest = None, load, digest
        return html

    @property
    def parts(self) -> tuple[str, str, str]:
        if self._parts is not None:
            return self._parts
        assert self._load is not None
        return self._load()  # not kept: the loader keeps what is read often

    @property
    def digest(self) -> str:
        """Stands for the three texts: equal digests, equal HTML."""
        if self._digest is None:
            self._digest = hashlib.sha256("\x00".join(self.parts).encode()).hexdigest()
        return self._digest

    def map(self, rewrite: Callable[[str], str], key: str) -> Html:
        """The body and excerpt rewritten; `key` names the rewrite, for the digest."""
        def load() -> tuple[str, str, str]:
            body, summary, toc = self.parts  # one read of a cached post's HTML, not three
            return rewrite(body), rewrite(summary), toc

        return Html.later(load, hashlib.sha256(f"{self.digest}\x00{key}".encode()).hexdigest())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Html) and self.digest == other.digest

    def __hash__(self) -> int:
        return hash(self.digest)

    def __reduce__(self) -> tuple[Callable[..., Html], tuple[tuple[str, str, str], str]]:
        return _html_with_digest, (self.parts, self.digest)  # workers hash it, not the build

    def __repr__(self) -> str:
        return f"Html({self.digest[:12]})"


def _html_with_digest(parts: tuple[str, str, str], digest: str) -> Html:
    html = Html(*parts)
    html._digest = digest
    return html


@dataclass(frozen=True, slots=True, kw_only=True)
class Post:
    """A post (section "posts") or a standalone page (section "pages")."""

    source: PurePosixPath
    section: str
    key_lines: Mapping[str, int]
    slug: str
    url: str
    title: str
    date: datetime | None
    updated: datetime | None
    tag_names: tuple[str, ...]  # the tags as written (cleaned by urls.tag_name), in order
    tag_places: tuple[tuple[int, int], ...]  # the line and column of each in the front matter
    tags: tuple[Tag, ...] = ()  # what the names mean, one Tag each, set by the site stage
    # `categories:` (or `category:`), as the tags are
    category_names: tuple[str, ...] = ()
    category_places: tuple[tuple[int, int], ...] = ()
    categories: tuple[Tag, ...] = ()
    # `author:` or `authors:` (else the site's author), one name each, as the tags are
    author_names: tuple[str, ...] = ()
    author_places: tuple[tuple[int, int], ...] = ()
    authors: tuple[Tag, ...] = ()  # with author pages only: a site of one author has none
    aliases: tuple[str, ...]
    # Jekyll's URL of the post where sitegen had to change a category's character in it
    # (urls.category_folders): a _redirects line leads from it, as a redirect page there could
    # not be written on every disk, or would be hidden
    moved_from: tuple[str, ...] = ()
    # Every link target in the Markdown, with its line, as parsed (`sitegen check` reads them all);
    # a post the build cache gives holds only those a build reads (urls.is_source_link)
    links: tuple[tuple[str, int], ...]
    summary: str
    html: Html
    cut: bool
    words: int
    reading_minutes: int
    draft: bool
    author: str
    description: str
    extra: Mapping[str, object]
    # The feed entry's id; empty: its URL. An imported post keeps its old feed's id (WordPress's
    # guid), so feed readers do not show it again as new.
    id: str = ""
    # The picture a shared link shows: front matter's `image`, else the first in the text; a site
    # URL or an absolute one, "" when there is none
    image: str = ""

    @property
    def lastmod(self) -> datetime | None:
        return self.updated or self.date

    def with_terms(self, tags: tuple[Tag, ...], categories: tuple[Tag, ...] = (),
                   authors: tuple[Tag, ...] = ()) -> Post:
        """This post with the tags and categories its names mean. Every build gives every post
        its terms, so the copy is made slot by slot: dataclasses.replace goes through __init__
        and costs twice as much (35 ms at 10,000 posts)."""
        post = object.__new__(Post)
        for name in Post.__slots__:
            object.__setattr__(post, name, getattr(self, name))
        object.__setattr__(post, "tags", tags)
        object.__setattr__(post, "categories", categories)
        object.__setattr__(post, "authors", authors)
        return post

    @property
    def body_html(self) -> str:
        return self.html.parts[0]

    @property
    def summary_html(self) -> str:
        """The excerpt above <!--more-->, or the whole body: safe to repeat on list pages."""
        return self.html.parts[1]

    @property
    def toc_html(self) -> str:
        return self.html.parts[2]


@dataclass(frozen=True, slots=True, kw_only=True)
class Site:
    config: Config
    posts: tuple[Post, ...]
    pages: tuple[Post, ...]
    tags: tuple[Tag, ...]
    posts_by_tag: Mapping[str, tuple[Post, ...]]
    spellings: Mapping[str, tuple[str, ...]]
    categories: tuple[Tag, ...]  # () when no post has a category
    posts_by_category: Mapping[str, tuple[Post, ...]]
    category_spellings: Mapping[str, tuple[str, ...]]
    related: Mapping[str, tuple[Post, ...]]  # source path -> related posts, best first
    authors: tuple[Tag, ...] = ()  # () unless posts have two authors or more: then each has a page
    posts_by_author: Mapping[str, tuple[Post, ...]] = field(default_factory=dict)
    updated: datetime
    drafts_skipped: int
    future_skipped: int
    next_future: datetime | None = None  # when the first post left out as future comes out

    @property
    def has_categories(self) -> bool:
        """Whether the site has a categories index: a page that asks only this (the menu) is
        not made again when a category changes."""
        return bool(self.categories)


@dataclass(frozen=True, slots=True, kw_only=True)
class Period:
    """A year, or a month of a year, with posts: its archive page lists them."""

    year: int
    month: int | None  # None for the whole year
    url: str

    @property
    def start(self) -> date:
        """The period's first day, for the date filter: {{ period.start | date("month") }}."""
        return date(self.year, self.month or 1, 1)


@dataclass(frozen=True, slots=True, kw_only=True)
class Pagination:
    number: int
    count: int
    items: tuple[Post, ...]
    prev_url: str | None
    next_url: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Page:
    """One output file, before rendering."""

    path: PurePosixPath
    url: str
    template: str
    context: Mapping[str, object]
    origin: str  # what asked for this file: a source path, or "tag 'C++'"
    origin_line: int | None = None
    lastmod: datetime | None = None
    in_sitemap: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildReport:
    output_dir: Path
    pages: int
    posts: int
    tags: int
    static_files: int
    drafts_skipped: int
    future_skipped: int
    kinds: Mapping[str, int]  # template -> number of pages made with it
    rendered: int = 0  # pages rendered this time; the others were unchanged since the last build
    changed: int = 0  # output files new, changed or removed compared with the last build
    warnings: tuple[SourceError, ...]
    seconds: float
