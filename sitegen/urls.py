"""Turn names into slugs, URLs and output paths: the only place URLs are built.

Support module: imports jekyll (its URL clean-up) only. The one place that imports slugify.
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

from sitegen.jekyll import sanitized

# Readable spellings for symbols that would otherwise vanish ("C++" and "C" both -> "c").
_SYMBOLS = (
    (re.compile(r"\+\+"), "pp"),
    (re.compile(r"\+"), " plus "),
    (re.compile(r"#"), "sharp"),
    (re.compile(r"(?:(?<=^)|(?<=\s))\.(?=[^\W_])"), "dot"),  # .NET, not ._
    (re.compile(r"&"), " and "),
    (re.compile(r"@"), " at "),
)
_SAFE_SLUG = re.compile(r"[a-z0-9]+(?:[-_.][a-z0-9]+)*")
MAX_SLUG = 80  # characters: file names stay far below the 255-byte limit of file systems
# Names Windows refuses for files and folders: a site built here must also check out there.
RESERVED = frozenset({"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
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
    return f"{slug}-1" if slug.split(".")[0] in RESERVED else slug


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
        and slug.split(".")[0] not in RESERVED


def is_safe_slug_path(path: str) -> bool:
    """True for safe slugs joined by '/': the part of a tag URL after /tags/ (`ai/llm`), or of a
    category URL after /categories/."""
    return all(is_safe_slug(segment) for segment in path.split("/"))


def image_link(value: str) -> str | None:
    """An image's address as sitegen.yaml or front matter write it: an absolute http(s) URL, or a
    path on the site (from its root when it starts with "/"); None for anything else: another
    scheme (data:, javascript:), a network path (//host/x), spaces, or nothing."""
    value = value.strip()
    if not value or any(c.isspace() or ord(c) < 32 for c in value):
        return None
    if re.match(r"https?://", value, re.IGNORECASE):
        return value if urlsplit(value).hostname else None
    if value.startswith("//") or is_external(value):
        return None
    return value


def is_external(url: str) -> bool:
    """True for links that leave the site: a scheme (https:, mailto:) or a network path (//)."""
    return url.startswith("//") or re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", url) is not None


def is_source_link(target: str) -> bool:
    """True for a link written as the path of another Markdown file (`../2024/post.md#part`),
    which a build turns into that post's URL."""
    return ".md" in target and target.partition("#")[0].endswith(".md") and not is_external(target)


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
# Hugo's that Jekyll has not (resources/page/permalinks.go; its Go date layouts, :sections[...]
# and :sectionslug(s) are not read): under sitegen's own key post: too, they mean Hugo's
HUGO_ONLY = ("monthname", "weekday", "weekdayname", "yearday", "section", "sections", "slugorfilename",
             "contentbasename", "slugorcontentbasename")
HUGO_PLACEHOLDERS = ("year", "month", "day", "title", "slug", "filename", *HUGO_ONLY)  # under posts:
AUTHOR_PERMALINK = "/authors/:slug/"
POST_PLACEHOLDERS = ("year", "month", "day", "i_month", "i_day", "short_year", "title", "slug",
                     "output_ext", "categories", "filename", *HUGO_ONLY)
TAG_PLACEHOLDERS = ("slug",)
PLACEHOLDER = re.compile(r":([a-z_]+)")
URL_EXTRA = "._~!$&'()+,;=@-"  # besides letters, digits and marks of any script, as Jekyll keeps
MAX_SEGMENT = 200  # bytes of one slug in a URL: file names stop at 255 bytes on most file systems


def placeholders(pattern: str) -> frozenset[str]:
    """The placeholders a pattern uses: "/:year/:title/" -> {"year", "title"}."""
    return frozenset(PLACEHOLDER.findall(pattern))


def expand(pattern: str, values: Mapping[str, str]) -> str:
    """The URL a pattern gives for these placeholder values (every placeholder has one)."""
    url = PLACEHOLDER.sub(lambda match: values[match[1]], pattern)
    return re.sub(r"/{2,}", "/", url)  # an empty value leaves no empty folder


def post_url(pattern: str, *, slug: str, title: str, day: date, categories: str = "",
             names: Mapping[str, str] | None = None) -> str:
    """A post's URL: `slug` for :slug, `title` (Jekyll's, case kept) for :title, `day` (in the
    site's time zone) for the date placeholders, `categories` (category_folders) for :categories,
    `names` for the others it holds (:filename, Hugo's: hugourls.post_names)."""
    return expand(pattern, {
        "slug": slug, "title": title, "output_ext": ".html", "categories": categories,
        "year": f"{day.year:04d}", "month": f"{day.month:02d}", "day": f"{day.day:02d}",
        "i_month": str(day.month), "i_day": str(day.day), "short_year": f"{day.year % 100:02d}",
        **(names or {})})


# What no folder name may hold on every disk (controls; Windows refuses "*:<>?\\|), or what a
# sitegen URL cannot hold as it is (# and % mean something in a link)
_UNSAFE_IN_FOLDER = re.compile('[\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029"#%*:<>?\\\\|]+')


def category_folders(categories: str) -> str:
    """The folders sitegen writes for Jekyll's :categories (jekyll_categories): those of Jekyll's
    URL ("a/b" is two; a space stays), but for what a folder cannot be (nothing, ".", "..",
    a name starting with "." or ending with "." or a space, a name Windows reserves, more than
    MAX_SEGMENT bytes) or hold (_UNSAFE_IN_FOLDER: each run made one "-"; characters that show
    nothing), and in the one Unicode form (NFC)."""
    cleaned = sanitized(f"/{categories}/") if "." in categories else categories
    return "/".join(filter(None, map(folder_name, cleaned.split("/"))))


def folder_name(name: str) -> str:
    """One folder of a URL as a sitegen output can hold it (see category_folders)."""
    if name.isascii() and _SAFE_SLUG.fullmatch(name) and len(name) <= MAX_SEGMENT:
        return f"{name}-1" if name.split(".")[0] in RESERVED else name  # the common case, quickly
    text = _UNSAFE_IN_FOLDER.sub("-", unicodedata.normalize("NFC", _IGNORABLE.sub("", name))).strip(" .")
    if len(text.encode()) > MAX_SEGMENT:
        text = text.encode()[:MAX_SEGMENT].decode(errors="ignore").rstrip(" .")
    return f"{text}-1" if text.split(".")[0].lower() in RESERVED else text


def archive_patterns(post: str) -> tuple[str, str]:
    """Where a year's and a month's archives live: under the posts' folders up to their year (and
    month) when the post pattern has them as folders of their own ("/blog/:year/:month/:day/:slug/"
    gives "/blog/:year/" and "/blog/:year/:month/"), else at "/:year/" and "/:year/:month/"."""
    segments = post.split("/")
    for index, segment in enumerate(segments[:-1]):
        if PLACEHOLDER.search(segment) is None:
            continue
        if segment not in (":year", ":short_year"):
            break  # a slug or a day before the year: the archives cannot sit under it
        year = "/".join(segments[: index + 1]) + "/"
        month = segments[index + 1] if index + 2 < len(segments) else ""
        return year, year + (month if month in (":month", ":i_month") else ":month") + "/"
    return "/:year/", "/:year/:month/"


def archive_url(pattern: str, year: int, month: int | None = None) -> str:
    """The URL of a year's (or a month's) archive, from archive_patterns' pattern."""
    values = {"year": f"{year:04d}", "short_year": f"{year % 100:02d}"}
    if month is not None:
        values.update(month=f"{month:02d}", i_month=str(month))
    return expand(pattern, values)


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
    return f"{cleaned}-1" if cleaned.split(".")[0].lower() in RESERVED else cleaned


def title_segment(text: str) -> str:
    """Jekyll's :title: the file name without its date, or the slug, with case and the characters
    Jekyll keeps; "" when nothing is left to make a URL from."""
    return _segment(text, URL_EXTRA.removesuffix("-"))


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
    return _origin(base_url) + site_url(base_url, url)


@functools.lru_cache(maxsize=8)  # one base URL a build, asked for each feed entry and sitemap line
def _origin(base_url: str) -> str:
    parts = urlsplit(base_url)
    return f"{parts.scheme}://{parts.netloc}"
