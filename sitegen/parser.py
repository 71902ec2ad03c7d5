"""Stage 1: read posts and pages, check their front matter, render their Markdown.

`parse_post` is pure (text in, Post out), `parse_file` too (bytes in); `listing` lists what a
build reads. Reading the files, and in how many processes, is the builder's business.
Imports errors, models, fields, frontmatter, htmllinks, hugourls, jekyll, listing, markup, prose,
sanitize, shortcodes, social, tomlmatter, urls.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import PurePosixPath
from zoneinfo import ZoneInfo

from sitegen import htmllinks, shortcodes
from sitegen.errors import ContentError, Problems, SourceError
from sitegen.fields import KNOWN_KEYS, Checker
from sitegen.frontmatter import load_mapping, split
from sitegen.hugourls import hugo_dates, hugo_post_url, missing_name, post_names, written_slug
from sitegen.jekyll import jekyll_categories, jekyll_url, url_categories
from sitegen.listing import BUNDLE_INDEX
from sitegen.markup import MORE, render
from sitegen.models import Config, Html, Post
from sitegen.prose import prose_lines
from sitegen.sanitize import KINDS, removals
from sitegen.social import first_image, front_image
from sitegen.tomlmatter import load_toml, split_toml
from sitegen.urls import (
    HUGO_ONLY,
    base_path,
    category_folders,
    output_path,
    page_url,
    placeholders,
    post_url,
    url_key,
)

MAX_FILE_SIZE = 10 * 1024 * 1024
# Keys other generators write, read here where they mean the same (excerpt, redirect_from...)
# and otherwise kept for templates without a "did you mean" warning.
FOREIGN_KEYS = ("published", "excerpt", "excerpt_separator", "redirect_from", "authors", "layout",
                "lang", "weight", "comments", "id")
_DATED_NAME = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})-(.+)$")
_NEW_NAMES = frozenset({"filename", *HUGO_ONLY})  # what post_url is given as names
_HUGO_DATES = frozenset(hugo_dates(date.min))
_LINK_PATTERNS = (
    re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'(][^)]*)?\)"),  # [text](target "title")
    re.compile(r"^\s{0,3}\[(?!\^)[^\]]+\]:\s*<?([^\s>]+)"),  # [ref]: target, not [^note]:
    re.compile(r"\s(?:href|src)\s*=\s*[\"']([^\"']+)[\"']"),  # raw HTML
)
_PARAGRAPH = re.compile(r"(?:[^\n]+\n?)+")
_BRACKET_RUN = re.compile(r"\[{1000,}|\]{1000,}|\({1000,}|<{1000,}")


def parse_file(source: PurePosixPath, data: bytes, config: Config) -> tuple[Post | None, Problems]:
    """Decode and parse one file's bytes; worker processes run this for a share of the files."""
    problems = Problems()
    try:
        text = decode(data, source)
    except ContentError as error:
        problems.errors.append(error)
        return None, problems
    return parse_post(source, text, config, section=source.parts[1], problems=problems), problems


def decode(data: bytes, source: PurePosixPath) -> str:
    """A source file's bytes as the text its front matter and Markdown are read from (LF line ends)."""
    if len(data) > MAX_FILE_SIZE:
        raise ContentError(source, f"file is {len(data)} bytes; the limit is {MAX_FILE_SIZE}",
                           hint="split it into several posts")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ContentError(source, "is UTF-16 text, which is not supported", line=1, col=1,
                           hint="save the file as UTF-8 in your editor")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ContentError(source, f"is not valid UTF-8 (byte 0x{data[exc.start]:02X})", line=line,
                           col=col, hint="save the file as UTF-8 in your editor") from None
    if "\x00" in text:
        at = text.index("\x00")
        line = text.count("\n", 0, at) + 1
        raise ContentError(source, "is a binary file (it holds a NUL byte)", line=line,
                           col=at - text.rfind("\n", 0, at), hint="only Markdown text goes in content/")
    if not text.strip():
        raise ContentError(source, "is empty", line=1, col=1,
                           hint="start it with ---, title: and date: lines, then ---, or delete it")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_post(
    source: PurePosixPath, text: str, config: Config, *, section: str, problems: Problems
) -> Post | None:
    """Turn one document's text into a Post, or record why it cannot be one."""
    try:
        toml = split_toml(text, source)
        document = toml or split(text, source)
    except SourceError as error:
        problems.errors.append(error)
        return None
    if document.yaml_text is None:
        problems.errors.append(ContentError(
            source, "has no front matter", line=1, col=1,
            hint="start the file with ---, then title: and date: lines, then ---"))
        return None
    load = load_toml if toml else load_mapping
    data, yaml_errors = load(document.yaml_text, source, document.yaml_line)
    checker = Checker(source, data.positions, config, problems, invalid=data.invalid)
    problems.errors.extend(yaml_errors)
    if yaml_errors and not data.invalid:  # the YAML itself is broken: nothing else can be read
        return None
    values = data.values
    title = checker.text(values, "title", required=True)
    name_date, name_slug = _name_parts(source)
    raw_date = values.get("date", name_date)
    when = checker.date(raw_date, "date", required=section == "posts", fallback=name_date)
    updated = checker.date(values.get("updated"), "updated", required=False)
    own = checker.permalink(values.get("permalink"), dated=when is not None)
    pattern = own or (config.permalinks.post if section == "posts" else page_url(":slug"))
    hugo = own is None and section == "posts" and "post" in config.permalinks.hugo  # Hugo's meanings
    uses = placeholders(pattern)
    named = checker.slug(values.get("slug"), name_slug, uses=frozenset() if hugo else uses)
    written, filename = written_slug(values.get("slug")), _file_name(source)
    names = None
    if title is not None and (hugo or uses & _NEW_NAMES):
        names = post_names(uses, hugo=hugo, title=title, slug=written, filename=filename)
        if (missing := missing_name(names, uses, hugo=hugo)) is not None:
            what = f"slug {written!r}" if written and missing.startswith("slug") else \
                f"the file name {filename!r}" if "name" in missing else f"the title {title!r}"
            checker.error("slug" if what.startswith("slug") else "title", f"cannot make a URL from {what} "
                          f"(:{missing} in permalinks:)",
                          hint="rename the file" if "file" in what else "slug: my-post")
    tag_names, tag_places = checker.tags(values.get("tags"), data.item_positions.get("tags", ()))
    category_names, category_places = checker.categories(values, data.item_positions)
    draft = checker.draft(values)
    aliases = checker.aliases(values.get("aliases", values.get("redirect_from")))
    strings = {key: checker.text(values, key) for key in ("summary", "description", "excerpt")}
    written_by = "author" if "author" in values else "authors"
    author_names, author_places = checker.authors(values.get(written_by),
                                                  data.item_positions.get(written_by, ()))
    author = ", ".join(author_names)
    if not author_names and config.author.strip():  # the site's author wrote it
        author_names, author_places = (" ".join(config.author.split()),), ((1, 1),)
    image = checker.image(values.get("image"))
    separator = checker.text(values, "excerpt_separator") or MORE
    # The feed entry's id when it is text; a number (the post number Jekyll's importers write)
    # stays a value for templates, as it was: it would make every entry new to feed readers.
    written_id = values.get("id")
    feed_id = written_id.strip() if isinstance(written_id, str) else ""
    extra = {k: v for k, v in values.items() if k not in KNOWN_KEYS or (k == "id" and not feed_id)}
    checker.warn_typos([k for k in extra if k not in FOREIGN_KEYS])
    if yaml_errors or checker.failed or title is None or named is None:
        return None
    slug, title_part = named
    day = when.astimezone(ZoneInfo(config.timezone)).date() if when else date.min
    exact = folders = ""
    if "categories" in uses:
        exact = jekyll_categories(url_categories(values))
        folders = category_folders(exact) if exact else ""
    moved_from: tuple[str, ...] = ()
    if hugo:
        url, moved_from = hugo_post_url(pattern, day=day, title=title, slug=written, filename=filename)
    else:
        if uses & _HUGO_DATES:
            names = {**(names or {}), **hugo_dates(day)}
        url = post_url(pattern, slug=slug, title=title_part, day=day, categories=folders, names=names)
    if exact != folders:  # where sitegen had to change a character, a _redirects line keeps Jekyll's URL
        old = jekyll_url(post_url(pattern, slug=slug, title=title_part, day=day, categories=exact,
                                  names=names))
        moved_from = (old,) if old != url else ()
    key = "aliases" if "aliases" in values else "redirect_from"
    places = data.item_positions.get(key) or (data.positions.get(key, (1, 1)),) * len(aliases)
    aliases = _other_addresses(source, url, aliases, places, problems)
    if _too_costly(source, document.body, document.body_line, problems):
        return None
    body, shown = shortcodes.rewrite(document.body, source, config.base_url)
    for index, text in shown:  # the first only: one warning a post
        problems.warnings.append(ContentError(
            source, f"{text[:60]} is shown as text: sitegen never runs the template syntax of "
            "another generator", line=document.body_line + index,
            hint="write it as Markdown or HTML, or delete it"))
    rendered = render(body, url=url, base_path=base_path(config.base_url),
                      unsafe_html=config.unsafe_html, iframe_hosts=config.iframe_hosts, more=separator,
                      flavor=config.markdown_flavor)
    links = find_links(body, document.body_line)
    link_warnings = _content_warnings(source, links)
    removed = tuple(k for k in rendered.removed if k != "javascript" or not link_warnings)
    problems.warnings.extend(link_warnings)
    problems.warnings.extend(_removal_warnings(source, body, document.body_line, config, removed))
    return Post(
        source=source, section=section, slug=slug, url=url, title=title, date=when,
        updated=updated, tag_names=tag_names, tag_places=tag_places, category_names=category_names,
        category_places=category_places, aliases=aliases, moved_from=moved_from, draft=draft,
        links=links,
        key_lines={k: pos[0] for k, pos in data.positions.items()},
        summary=strings["summary"] or strings["excerpt"] or rendered.summary,
        html=Html(rendered.body_html, rendered.excerpt_html, rendered.toc_html), cut=rendered.cut,
        words=rendered.words, reading_minutes=rendered.reading_minutes,
        author=author or config.author, author_names=author_names,
        author_places=author_places, description=strings["description"] or "",
        extra=extra, id=feed_id, image=front_image(image, url, bundled=_bundled(source)) if image
        else first_image(rendered.body_html, url, base_path(config.base_url)),
    )


def _other_addresses(source: PurePosixPath, url: str, aliases: tuple[str, ...],
                     places: tuple[tuple[int, int], ...], problems: Problems) -> tuple[str, ...]:
    """The aliases but those naming the post's own file: its URL, or its URL in other case
    (a redirect page there would replace the post where case is not told apart)."""
    own = url_key(str(output_path(url)))
    kept = tuple(a for a in aliases if url_key(str(output_path(a))) != own)
    for alias, place in zip(aliases, places, strict=False):
        if alias not in kept:
            problems.warnings.append(ContentError(
                source, f"alias {alias} is the post's own address{'' if alias == url else ' but for case'}"
                f" ({url}): no redirect page is written there", line=place[0], col=place[1],
                hint="delete it: on macOS and Windows a page there would replace the post"))
    return kept


def _prose(markdown: str, first_line: int) -> Iterator[tuple[int, str]]:
    """Each line of Markdown outside fenced code, with code spans blanked, and its file line."""
    for index, parts in prose_lines(markdown):
        yield first_line + index, "".join(parts[::2])


def find_links(markdown: str, first_line: int) -> tuple[tuple[str, int], ...]:
    """Every link and image target in Markdown (code excluded), with its line in the file."""
    return tuple((match.group(1), number) for number, line in _prose(markdown, first_line)
                 if "]" in line or "=" in line  # each pattern needs one: most lines have neither
                 for pattern in _LINK_PATTERNS for match in pattern.finditer(line))


def _too_costly(source: PurePosixPath, markdown: str, first_line: int, problems: Problems) -> bool:
    """Refuse text that would make Python-Markdown work for minutes (it is quadratic in '[')."""
    if max(markdown.count("["), markdown.count("]"), markdown.count("("), markdown.count("<")) < 1000:
        return False  # too few for a run or a paragraph of them: no need to look
    run = _BRACKET_RUN.search(markdown) or next(  # quadratic per paragraph, not per line
        (m for m in _PARAGRAPH.finditer(markdown) if m.group().count("[") > 1000), None)
    if run is None:
        return False
    line = first_line + markdown.count("\n", 0, run.start())
    problems.errors.append(ContentError(
        source, f"{run.group().count(run.group()[0])} '{run.group()[0]}' characters in one place "
        "would take minutes to render",
        line=line, col=run.start() - markdown.rfind("\n", 0, run.start()),
        hint="put it in a code block, or shorten it"))
    return True


def _content_warnings(source: PurePosixPath, links: tuple[tuple[str, int], ...]) -> list[SourceError]:
    """Links that lose an executable target."""
    return [ContentError(source, f"link to {target[:40]!r} removed: it would run code", line=line,
                         hint="link to an http(s) address instead")
            for target, line in links if htmllinks.is_dangerous_url(target)]


def _removal_warnings(source: PurePosixPath, markdown: str, first_line: int, config: Config,
                      removed: tuple[str, ...]) -> list[SourceError]:
    """One warning for each kind of raw HTML the allow-list took out, at the first place the
    Markdown holds it (outside code). A kind not found in raw HTML came from Markdown itself (a
    link to javascript:), warned about with the links."""
    if not removed:
        return []
    lines = markdown.split("\n")
    prose = [""] * len(lines)
    for index, parts in prose_lines(markdown):  # code blanked, so columns stay where they are
        prose[index] = "".join(part if n % 2 == 0 else " " * len(part) for n, part in enumerate(parts))
    text = "\n".join(prose)
    first: dict[str, tuple[int, int, str]] = {}
    for removal in removals(text, config.iframe_hosts):
        if removal.kind in removed and removal.kind not in first:
            start = text.rfind("\n", 0, removal.offset) + 1
            first[removal.kind] = (text.count("\n", 0, removal.offset), removal.offset - start,
                                   removal.detail)
    warnings: list[SourceError] = []
    for kind, (index, col, detail) in sorted(first.items(), key=lambda item: item[1]):
        message, hint = KINDS[kind]
        warnings.append(ContentError(source, message.format(detail), line=first_line + index,
                                     col=col + 1, hint=hint))
    return warnings


def _bundled(source: PurePosixPath) -> bool:
    return len(source.parts) > 3 and BUNDLE_INDEX.fullmatch(source.name) is not None


def _file_name(source: PurePosixPath) -> str:
    """The file's name without its extension, date and all; a bundle's folder name (Hugo's
    :filename, Eleventy's URL)."""
    return source.parent.name if _bundled(source) else source.stem


def _name_parts(source: PurePosixPath) -> tuple[date | None, str]:
    """Date and slug from the file name: 2025-01-28-my-post.md, or a bundle's my-post/index.md."""
    stem = _file_name(source)
    match = _DATED_NAME.match(stem)
    if not match:
        return None, stem
    try:
        return date(int(match[1]), int(match[2]), int(match[3])), match[4]
    except ValueError:
        return None, stem
