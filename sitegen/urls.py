"""Turn names into slugs, URLs and output paths: the only place URLs are built.

Support module: imports models. The one place that imports slugify.
URLs inside the pipeline are site-relative and start with "/"; `site_url` and `absolute_url`
add the base URL's path or the whole base URL at the very end, in templates.
"""

from __future__ import annotations

import functools
import posixpath
import re
import unicodedata
from pathlib import PurePosixPath
from urllib.parse import quote, urlsplit

from slugify import slugify as _slugify

# Readable spellings for symbols that would otherwise vanish ("C++" and "C" both -> "c").
_SYMBOLS = (
    (re.compile(r"\+\+"), "pp"),
    (re.compile(r"\+"), " plus "),
    (re.compile(r"#"), "sharp"),
    (re.compile(r"(?:(?<=^)|(?<=\s))\.(?=\w)"), "dot"),
    (re.compile(r"&"), " and "),
    (re.compile(r"@"), " at "),
)
_SAFE_SLUG = re.compile(r"[a-z0-9]+(?:[-_.][a-z0-9]+)*")
MAX_SLUG = 80  # characters: file names stay far below the 255-byte limit of file systems
# Names Windows refuses for files and folders: a site built here must also check out there.
_RESERVED = frozenset({"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
                       *(f"lpt{i}" for i in range(10))})


def tag_key(name: str) -> str:
    """Identity of a tag: "AI", "ai" and " ai " are one tag."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


@functools.lru_cache(maxsize=4096)  # tags repeat from post to post
def slugify(text: str) -> str:
    """Lowercase ASCII slug with readable symbols: C++ -> cpp, C# -> csharp, .NET -> dotnet."""
    text = unicodedata.normalize("NFKC", text)
    for pattern, spelling in _SYMBOLS:
        text = pattern.sub(spelling, text)
    slug = str(_slugify(text, max_length=MAX_SLUG, word_boundary=True))
    return f"{slug}-1" if slug.split(".")[0] in _RESERVED else slug


def is_safe_slug(slug: str) -> bool:
    """True for a slug that is one harmless path segment (no '/', '..', spaces or capitals)."""
    return (_SAFE_SLUG.fullmatch(slug) is not None and len(slug) <= MAX_SLUG
            and slug.split(".")[0] not in _RESERVED)


def is_safe_slug_path(path: str) -> bool:
    """True for safe slugs joined by '/': the part of a tag URL after /tags/ (`ai/llm`)."""
    return all(is_safe_slug(segment) for segment in path.split("/"))


def is_external(url: str) -> bool:
    """True for links that leave the site: a scheme (https:, mailto:) or a network path (//)."""
    return url.startswith("//") or re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", url) is not None


def linked_source(folder: PurePosixPath, path: str) -> str:
    """The content file a relative link names: (content/posts, ../pages/a.md) -> content/pages/a.md."""
    return posixpath.normpath(posixpath.join(str(folder), path))


def post_url(slug: str) -> str:
    return f"/posts/{slug}/"


def page_url(slug: str) -> str:
    return f"/{slug}/"


def tag_url(slug: str) -> str:
    return f"/tags/{slug}/"


def paginated_url(url: str, number: int) -> str:
    """URL of page `number` of a list that starts at `url` (a folder URL)."""
    return url if number == 1 else f"{url}page/{number}/"


def output_path(url: str) -> PurePosixPath:
    """Output file for a site URL: "/" -> index.html, "/x/" -> x/index.html, "/a.xml" -> a.xml."""
    relative = url.lstrip("/")
    if relative == "" or relative.endswith("/"):
        relative += "index.html"
    return PurePosixPath(relative)


def base_path(base_url: str) -> str:
    """The path part of the base URL, always ending with "/": "https://x.org/blog" -> "/blog/"."""
    path = urlsplit(base_url).path or "/"
    return path if path.endswith("/") else path + "/"


@functools.lru_cache(maxsize=1 << 16)  # templates ask for the same few URLs on many pages
def site_url(base_url: str, url: str) -> str:
    """A site URL as a root-relative link that works under a subpath: "/x/" -> "/blog/x/"."""
    if not url.startswith("/") or url.startswith("//"):
        return url
    return quote(base_path(base_url) + url.lstrip("/"), safe="/#%?=&:@!$'()*+,;~-._")


def absolute_url(base_url: str, url: str) -> str:
    """A site URL as an absolute URL, for feeds, the sitemap and canonical links."""
    if not url.startswith("/") or url.startswith("//"):
        return url
    parts = urlsplit(base_url)
    return f"{parts.scheme}://{parts.netloc}{site_url(base_url, url)}"
