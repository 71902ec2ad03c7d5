"""Turn names into slugs, URLs and output paths: the only place URLs are built.

Support module: imports nothing from sitegen. The one place that imports slugify.
URLs inside the pipeline are site-relative and start with "/"; `site_url` and `absolute_url`
add the base URL's path or the whole base URL at the very end, in templates.
"""

from __future__ import annotations

import functools
import posixpath
import re
import unicodedata
from collections.abc import Mapping
from datetime import date
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


# Unicode's Default_Ignorable_Code_Point property (DerivedCoreProperties.txt; unicodedata has no
# lookup for it): characters shown as nothing, such as U+200B ZERO WIDTH SPACE. "A\u200bI" looks
# like "AI" and must be the same tag, at the same URL.
_DEFAULT_IGNORABLE = (
    (0x00AD, 0x00AD),  # soft hyphen
    (0x034F, 0x034F),  # combining grapheme joiner
    (0x061C, 0x061C),  # Arabic letter mark
    (0x115F, 0x1160),  # Hangul fillers
    (0x17B4, 0x17B5),  # Khmer inherent vowels
    (0x180B, 0x180F),  # Mongolian variation selectors and vowel separator
    (0x200B, 0x200F),  # zero width space, non-joiner, joiner; left-to-right and right-to-left marks
    (0x202A, 0x202E),  # bidirectional embeddings and overrides
    (0x2060, 0x206F),  # word joiner, invisible operators, bidirectional isolates, deprecated formats
    (0x3164, 0x3164),  # Hangul filler
    (0xFE00, 0xFE0F),  # variation selectors 1-16
    (0xFEFF, 0xFEFF),  # zero width no-break space (byte order mark)
    (0xFFA0, 0xFFA0),  # halfwidth Hangul filler
    (0xFFF0, 0xFFF8),  # unassigned
    (0x1BCA0, 0x1BCA3),  # shorthand format controls
    (0x1D173, 0x1D17A),  # musical symbol beam and phrase controls
    (0xE0000, 0xE0FFF),  # tag characters, variation selectors 17-256, unassigned
)
_IGNORABLE = re.compile("[" + "".join(f"{chr(a)}-{chr(b)}" for a, b in _DEFAULT_IGNORABLE) + "]")
# Of those, the ones that join or style an emoji: 👩‍💻 is one picture, 👩💻 two
_EMOJI_GLUE = re.compile("[\u200d\ufe00-\ufe0f\U000e0020-\U000e007f\U000e0100-\U000e01ef]")


# Quotes and brackets that wrap a whole name, as left by a list split at the wrong place
_WRAPPERS = {'"': '"', "'": "'", "`": "`", "\u201c": "\u201d", "\u2018": "\u2019", "\u00ab": "\u00bb",
             "(": ")", "[": "]", "{": "}"}
_LONE_QUOTES = "\"\u201c\u201d\u00ab\u00bb"  # not the apostrophe: '90s, rock 'n' roll


def _trimmed(name: str) -> str:
    """A name without stray punctuation at its ends: `virtualbox,` `"15.2"` `(draft` `done.` `x;`.
    Punctuation that means something stays: C++, C#, .NET, Node.js, R&D, U.S., Yahoo!, ':)'."""
    written = name
    while True:
        trimmed = name.strip()
        if not trimmed:
            return trimmed
        if len(trimmed) > 1 and _WRAPPERS.get(trimmed[0]) == trimmed[-1] and _wraps(trimmed):
            trimmed = trimmed[1:-1]
        elif trimmed[-1:] in (",", ";", ":") or trimmed[:1] in (",", ";", ":"):
            trimmed = trimmed[1:] if trimmed[:1] in (",", ";", ":") else trimmed[:-1]
        elif trimmed.endswith(".") and "." not in trimmed[:-1]:  # a full stop, not U.S. or 15.2.
            trimmed = trimmed[:-1]
        elif trimmed[:1] in _LONE_QUOTES and trimmed.count(trimmed[0]) == 1:
            trimmed = trimmed[1:]
        elif trimmed[-1:] in _LONE_QUOTES and trimmed.count(trimmed[-1]) == 1:
            trimmed = trimmed[:-1]
        elif trimmed[-1:] in ")]}" and not _balanced(trimmed):
            trimmed = trimmed[:-1]
        elif trimmed[:1] in "([{" and not _balanced(trimmed):
            trimmed = trimmed[1:]
        if not trimmed.strip():  # nothing but punctuation: left as it is (tags.yaml can give it a slug)
            return written.strip()
        if trimmed == name:
            return name
        name = trimmed


def _wraps(text: str) -> bool:
    """True when the first and last characters are a pair around all the rest: not '"a" or "b"'."""
    inner = text[1:-1]
    return _balanced(inner) if text[0] in "([{" else text[0] not in inner and text[-1] not in inner


def _balanced(text: str) -> bool:
    """True when every bracket in text closes one opened before it, and every quote is paired."""
    depth = {")": 0, "]": 0, "}": 0}
    closing = {"(": ")", "[": "]", "{": "}"}
    for char in text:
        if char in closing:
            depth[closing[char]] += 1
        elif char in depth:
            depth[char] -= 1
            if depth[char] < 0:
                return False
    return not any(depth.values()) and text.count('"') % 2 == 0


def tag_key(name: str) -> str:
    """Identity of a tag as written: "AI", "ai", " ai ", "A\u200bI" and "ai," are one tag."""
    return _trimmed(" ".join(unicodedata.normalize("NFKC", _IGNORABLE.sub("", name)).casefold().split()))


def tag_name(written: str) -> str:
    """A tag's name as shown: spaces made single, stray punctuation at the ends and characters
    that show nothing left out, except where they join or style an emoji."""
    if _IGNORABLE.search(written) is None:
        return _trimmed(" ".join(written.split()))
    kept: list[str] = []
    for index, char in enumerate(written):
        if _IGNORABLE.match(char) is None:
            kept.append(char)
            continue
        after_emoji = bool(kept) and (unicodedata.category(kept[-1]) in ("So", "Sk")
                                      or _EMOJI_GLUE.match(kept[-1]) is not None)
        before_emoji = char != "\u200d" or unicodedata.category(written[index + 1:index + 2] or " ") == "So"
        if _EMOJI_GLUE.match(char) and after_emoji and before_emoji:
            kept.append(char)
    return _trimmed(" ".join("".join(kept).split()))


@functools.lru_cache(maxsize=4096)  # tags repeat from post to post
def slugify(text: str) -> str:
    """Lowercase ASCII slug with readable symbols: C++ -> cpp, C# -> csharp, .NET -> dotnet."""
    text = unicodedata.normalize("NFKC", _IGNORABLE.sub("", text))
    for pattern, spelling in _SYMBOLS:
        text = pattern.sub(spelling, text)
    slug = str(_slugify(text, max_length=MAX_SLUG, word_boundary=True))
    return f"{slug}-1" if slug.split(".")[0] in _RESERVED else slug


def is_safe_slug(slug: str) -> bool:
    """True for a slug that is one harmless path segment (no '/', '..', spaces or capitals).
    Lowercase letters of any script count (WordPress keeps Greek or Cyrillic slugs), written in
    the one Unicode form (NFC) so that a slug names one file on every disk."""
    if slug.isascii():
        safe = _SAFE_SLUG.fullmatch(slug) is not None
    else:
        safe = slug.lower() == slug and unicodedata.is_normalized("NFC", slug) and all(
            run[:1].isalnum() and all(c.isalnum() or unicodedata.category(c)[0] == "M" for c in run)
            for run in re.split("[-_.]", slug))
    return safe and len(slug) <= MAX_SLUG and len(slug.encode()) <= MAX_SEGMENT \
        and slug.split(".")[0] not in _RESERVED


def is_safe_slug_path(path: str) -> bool:
    """True for safe slugs joined by '/': the part of a tag URL after /tags/ (`ai/llm`), or of a
    category URL after /categories/."""
    return all(is_safe_slug(segment) for segment in path.split("/"))


def is_external(url: str) -> bool:
    """True for links that leave the site: a scheme (https:, mailto:) or a network path (//)."""
    return url.startswith("//") or re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", url) is not None


def linked_source(folder: PurePosixPath, path: str) -> str:
    """The content file a relative link names: (content/posts, ../pages/a.md) -> content/pages/a.md."""
    return posixpath.normpath(posixpath.join(str(folder), path))


def in_bundle(source: PurePosixPath, linked: str) -> bool:
    """Whether a content file (`linked`, as linked_source gives it) is one of the files of the
    page bundle whose text is `source` (content/posts/trip/index.md): copied beside the post."""
    return len(source.parts) > 3 and source.name.lower().startswith("index.") \
        and linked.startswith(f"{source.parent}/")


# Permalink patterns, written as Jekyll and Hugo write them: "/:year/:month/:day/:title/".
POST_PERMALINK = "/posts/:slug/"
TAG_PERMALINK = "/tags/:slug/"
AUTHOR_PERMALINK = "/authors/:slug/"
POST_PLACEHOLDERS = ("year", "month", "day", "i_month", "i_day", "short_year", "title", "slug",
                     "output_ext")
TAG_PLACEHOLDERS = ("slug",)
_PLACEHOLDER = re.compile(r":([a-z_]+)")
_URL_EXTRA = "._~!$&'()+,;=@-"  # besides letters, digits and marks of any script, as Jekyll keeps
# Jekyll's named styles; its :categories (a post's categories in its URL) is left out
_STYLES = {"date": "/:year/:month/:day/:title:output_ext", "pretty": "/:year/:month/:day/:title/",
           "none": "/:title:output_ext"}
MAX_SEGMENT = 200  # bytes of one slug in a URL: file names stop at 255 bytes on most file systems


def permalink_problem(pattern: str, kind: str) -> tuple[str, str] | None:
    """What is wrong with a permalink pattern, and a hint; None when it can be used.

    `kind`: "post", "tag" or "category" for a pattern of sitegen.yaml, "own" for one post's own
    permalink.
    A pattern starts with "/", holds :slug or :title (or two posts of a day would share an
    address), and ends with "/" (a folder) or ".html" (that file): a bare name would be a file
    no host serves as a page. A tag's or a category's pattern ends with "/": its further pages and
    feed go under it.
    """
    term = kind in ("tag", "category")
    placeholders = TAG_PLACEHOLDERS if term else POST_PLACEHOLDERS
    if pattern in _STYLES and kind != "own":
        return (f"the named style {pattern!r} is not supported",
                f"write the pattern itself: {_STYLES[pattern]}")
    if not pattern.startswith("/") or pattern.startswith("//"):
        return "must start with a single /", "/" + pattern.lstrip("/")
    used = _PLACEHOLDER.findall(pattern)
    unknown = [name for name in used if name not in placeholders]
    if unknown:
        known = " ".join(f":{name}" for name in placeholders)
        later = " (a post's URL cannot hold its categories)" if unknown[0] == "categories" else ""
        return f"unknown placeholder :{unknown[0]}{later}", f"use {known}"
    if kind != "own" and not set(used) & {"slug", "title"}:
        return ("holds neither :slug nor :title, so posts would share an address",
                "end it with :slug/" if term else "end it with :slug/ or :title/")
    literal = _PLACEHOLDER.sub("x", pattern)
    parts = literal.split("/")[1:]
    if not all(c.isalnum() or c in _URL_EXTRA or c in "_/" or unicodedata.category(c)[0] == "M"
               for c in literal) or "//" in literal \
            or any(part.strip(".") == "" for part in parts[:-1]) \
            or any(part.split(".")[0].lower() in _RESERVED for part in parts):
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


def placeholders(pattern: str) -> frozenset[str]:
    """The placeholders a pattern uses: "/:year/:title/" -> {"year", "title"}."""
    return frozenset(_PLACEHOLDER.findall(pattern))


def expand(pattern: str, values: Mapping[str, str]) -> str:
    """The URL a pattern gives for these placeholder values (every placeholder has one)."""
    url = _PLACEHOLDER.sub(lambda match: values[match[1]], pattern)
    return re.sub(r"/{2,}", "/", url)  # an empty value leaves no empty folder


def post_url(pattern: str, *, slug: str, title: str, day: date) -> str:
    """A post's URL: `slug` for :slug, `title` (Jekyll's, case kept) for :title, `day` (in the
    site's time zone) for the date placeholders."""
    return expand(pattern, {
        "slug": slug, "title": title, "output_ext": ".html",
        "year": f"{day.year:04d}", "month": f"{day.month:02d}", "day": f"{day.day:02d}",
        "i_month": str(day.month), "i_day": str(day.day), "short_year": f"{day.year % 100:02d}"})


def page_url(slug: str) -> str:
    return f"/{slug}/"


def tag_url(slug: str, pattern: str = TAG_PERMALINK) -> str:
    return pattern.replace(":slug", slug)


def folder_url(url: str) -> str:
    """The folder a relative link on the page at `url` starts from: "/a/b.html" -> "/a/"."""
    return url if url.endswith("/") else url[: url.rfind("/") + 1]


def url_key(path: str) -> str:
    """Two output paths with one key are one file on macOS and Windows, which ignore case and
    (macOS) Unicode normalisation."""
    return unicodedata.normalize("NFC", path).lower()


def _segment(text: str, keep: str) -> str:
    """One folder name made of `text`: each run of other characters made one dash, as Jekyll's
    slugify does, and cut at MAX_SEGMENT bytes; "" when nothing is left."""
    text = unicodedata.normalize("NFC", _IGNORABLE.sub("", text))
    marked = "".join(c if c.isalnum() or c in keep or unicodedata.category(c)[0] == "M" else "\0"
                     for c in text)
    # A name starting with "." is hidden (many hosts skip it) or a step up ("..")
    cleaned = re.sub("\0+", "-", marked).lstrip("-.").rstrip("-")
    if len(cleaned.encode()) > MAX_SEGMENT:
        cleaned = cleaned.encode()[:MAX_SEGMENT].decode(errors="ignore").rstrip("-")
    return f"{cleaned}-1" if cleaned.split(".")[0].lower() in _RESERVED else cleaned


def title_segment(text: str) -> str:
    """Jekyll's :title: the file name without its date, or the slug, with case and the characters
    Jekyll keeps; "" when nothing is left to make a URL from."""
    return _segment(text, _URL_EXTRA.removesuffix("-"))


def slug_segment(text: str) -> str:
    """Hugo's :slug for a slug as written: lowercased, other characters made dashes."""
    return _segment(text.lower(), "._~-")


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
