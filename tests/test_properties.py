"""Properties over open-ended input: error locations, tag identity, escaping."""

from __future__ import annotations

import random
import re
import string
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta, timezone
from html import unescape
from pathlib import Path, PurePosixPath
from zoneinfo import ZoneInfo

from hypothesis import example, given
from hypothesis import strategies as st

from sitegen.builder import read_posts
from sitegen.errors import Problems
from sitegen.markup import render
from sitegen.models import Config, Post, Site
from sitegen.pages import plan_pages
from sitegen.parser import parse_post
from sitegen.renderer import make_environment, render_page
from sitegen.site import collect_site
from sitegen.urls import is_safe_slug, slugify, tag_key, tag_name
from tests.conftest import NOW
from tests.test_parser import config
from tests.test_site import make

BREAKERS = ["title: a: b", "\ttags: [x]", 'summary: "unterminated', "date: 2024-02-30",
            "tags: [a, [b]]", "slug: [x]", "draft: maybe", "tags: 5"]


@given(pad=st.integers(0, 20), breaker=st.sampled_from(BREAKERS), bom=st.booleans(),
       crlf=st.booleans())
def test_error_points_at_the_breaking_line(tmp_path_factory, pad, breaker, bom, crlf):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("site")
    lines = ["---", "title: ok", "date: 2024-01-01"] + ["# pad"] * pad + [breaker, "---", "body"]
    data = (b"\xef\xbb\xbf" if bom else b"") + ("\r\n" if crlf else "\n").join(lines).encode()
    (root / "content/posts").mkdir(parents=True)
    (root / "content/posts/p.md").write_bytes(data)
    cfg = Config(root=root, output_dir=root / "public", now=NOW)
    posts, problems = read_posts(cfg)
    assert posts == [] and len(problems.errors) == 1
    error = problems.errors[0]
    assert error.path == "content/posts/p.md"
    assert error.line == 4 + pad
    assert error.col is not None and error.col >= 1


def quoted(text: str) -> str:
    """`text` as a double-quoted YAML scalar, every character escaped: YAML reads back `text`."""
    return '"' + "".join(f"\\U{ord(c):08X}" for c in text) + '"'


# Characters XML 1.0 forbids: a title holding one is an error
FORBIDDEN = st.one_of(st.integers(0, 8), st.sampled_from([0xB, 0xC, 0xFFFE, 0xFFFF]),
                      st.integers(0xE, 0x1F)).map(chr)
# Any character a page may hold, markup and traversal characters included
PRINTABLE = st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\ufffe\uffff")
TITLES = st.text(PRINTABLE, min_size=1, max_size=60).filter(str.strip)
# A letter or digit somewhere, so every name has a URL; around it, anything a page may hold
TAG_NAMES = st.tuples(st.text(PRINTABLE, max_size=15), st.sampled_from("aZ09"),
                      st.text(PRINTABLE, max_size=15)).map("".join)


def parsed(front_matter: str) -> tuple[Post | None, Problems]:
    problems = Problems()
    result = parse_post(PurePosixPath("content/posts/x.md"), f"---\n{front_matter}\n---\nbody\n",
                        config(), section="posts", problems=problems)
    return result, problems


@given(TITLES)
def test_any_title_is_escaped(title: str) -> None:
    result, problems = parsed(f"title: {quoted(title)}\ndate: 2025-01-01")
    assert result is not None, problems.errors
    site, _, _ = collect_site(config(), [result])
    page = next(p for p in plan_pages(site) if p.template == "post.html")
    cfg = replace(config(), root=Path("/nonexistent"))
    html = render_page(make_environment(cfg), page, site).decode()
    head = html.split("<title>")[1].split("</title>")[0]
    assert "<" not in head and ">" not in head
    assert not re.search(r"&(?!#?\w+;)", head), head  # every & starts a reference
    assert unescape(head) == f"{title.strip()} \N{EN DASH} {config().title}"


@given(TITLES, FORBIDDEN, st.integers(0, 60))
def test_a_title_holding_a_forbidden_character_is_rejected_at_its_line(title: str, character: str,
                                                                       at: int) -> None:
    title = title[:at] + character + title[at:]
    result, problems = parsed(f"date: 2025-01-01\ntitle: {quoted(title)}")
    assert result is None
    assert problems.errors and {e.line for e in problems.errors} == {3}, problems.errors


def site_of(front_matter: str) -> Site:
    """The site of one post that must build: it parses, and the site stage finds no error."""
    result, problems = parsed(front_matter)
    assert result is not None, problems.errors
    site, errors, _ = collect_site(config(), [result])
    assert not errors, errors
    return site


@given(TAG_NAMES)
def test_tag_urls_stay_inside_tags(name: str) -> None:
    (post,) = site_of(f"title: t\ndate: 2025-01-01\ntags: [{quoted(name)}]").posts
    (tag,) = post.tags
    assert tag.url == f"/tags/{tag.slug}/" and is_safe_slug(tag.slug)


# Punctuation with no spelled-out name (C++ -> cpp, C# -> csharp, R&D -> r-and-d, @ -> at), spaces
# and an invisible character
NAMELESS = [c for c in string.punctuation if c not in "+#&@"] + [" ", "\u200b", "\u3000"]


@given(st.text(st.sampled_from(NAMELESS), min_size=1, max_size=15))
@example("._")  # a dot before an underscore is not .NET's
def test_a_tag_without_letters_or_digits_is_rejected_at_its_line(name: str) -> None:
    result, problems = parsed(f"title: t\ndate: 2025-01-01\ntags: [{quoted(name)}]")
    errors = problems.errors
    if result is not None:  # a name of invisible characters only is refused as it is read
        site, errors, _ = collect_site(config(), [result])
        assert site.posts == ()
    assert errors and {e.line for e in errors} == {4}, errors


@given(st.lists(st.sampled_from(["AI", "ai", " Ai", "AI ", "aI"]), min_size=1, max_size=8),
       st.randoms(use_true_random=False))
def test_tag_display_name_does_not_depend_on_read_order(spellings: list[str], rng: random.Random) -> None:
    posts = [make(f"p{i}", tags=f"['{name}']", date=f"2025-01-{i + 1:02d}")
             for i, name in enumerate(spellings)]
    first, _, _ = collect_site(config(), posts)
    shuffled = posts[:]
    rng.shuffle(shuffled)
    second, _, _ = collect_site(config(), shuffled)
    assert [t.name for t in first.tags] == [t.name for t in second.tags]
    assert len(first.tags) == 1 and first.tags[0].slug == "ai"


# Words of letters and digits only, written plain or inside inline markup, apart or joined by
# dashes and bullets, in paragraphs, headings, list items and quotes: markup adds no word and
# hides none, and a dash or a bullet standing alone is not a word.
WORDS = st.text(st.characters(whitelist_categories=("L", "N")), min_size=1, max_size=10)
INLINE = ["{} ", "*{}* ", "**{}** ", "`{}` ", "[{}](/posts/y/) ", "~~{}~~ ", "{}, ", "{} \N{EM DASH} ",
          "{} - ", "{} \N{MIDDLE DOT} "]
BLOCKS = ["", "# ", "## ", "- ", "1. ", "> "]


@given(st.lists(st.tuples(st.sampled_from(BLOCKS),
                          st.lists(st.tuples(st.sampled_from(INLINE), WORDS), min_size=1, max_size=8)),
                min_size=1, max_size=6))
def test_words_are_counted_through_the_markup(blocks: list[tuple[str, list[tuple[str, str]]]]) -> None:
    text = "\n\n".join(block + "".join(form.format(word) for form, word in words).rstrip()
                        for block, words in blocks)
    expected = sum(len(words) for _, words in blocks)
    assert render(text, url="/posts/x/", base_path="/").words == expected, text


@given(st.text(max_size=200))
def test_a_paragraph_of_one_word_adds_one_word_to_any_text(text: str) -> None:
    before = render(text, url="/posts/x/", base_path="/").words
    after = render(text + "\n\nword\n", url="/posts/x/", base_path="/").words
    assert after == before + 1


# Unicode's Default_Ignorable_Code_Point property, from DerivedCoreProperties.txt
DEFAULT_IGNORABLE = st.sampled_from([
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
    (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164),
    (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF),
]).flatmap(lambda r: st.integers(*r)).map(chr)
NAMES = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=20)


def inserted(name: str, where: list[tuple[int, str]]) -> str:
    for at, char in where:
        name = name[:at % (len(name) + 1)] + char + name[at % (len(name) + 1):]
    return name


@given(NAMES, st.lists(st.tuples(st.integers(0, 40), DEFAULT_IGNORABLE), min_size=1, max_size=4))
def test_invisible_characters_never_change_a_tag_key_or_slug(name: str, where: list[tuple[int, str]]) -> None:
    written = inserted(name, where)
    assert tag_key(written) == tag_key(name) and slugify(written) == slugify(name)


@given(TAG_NAMES, st.lists(st.tuples(st.integers(0, 40), DEFAULT_IGNORABLE), min_size=1, max_size=4))
def test_invisible_characters_never_change_a_tag(name: str, where: list[tuple[int, str]]) -> None:
    """Characters shown as nothing, anywhere in a tag: the same tag, at the same URL."""
    tags = []
    for spelling in (name, inserted(name, where)):
        (post,) = site_of(f"title: t\ndate: 2025-01-01\ntags: [{quoted(spelling)}]").posts
        tags.append([(t.key, t.slug) for t in post.tags])
    assert tags[0] == tags[1] and len(tags[0]) == 1


@given(st.text(st.characters(whitelist_categories=("L", "N", "Zs")), min_size=1, max_size=20),
       st.lists(st.tuples(st.integers(0, 40), DEFAULT_IGNORABLE), min_size=1, max_size=4))
def test_a_tag_is_shown_without_its_invisible_characters(name: str, where: list[tuple[int, str]]) -> None:
    assert tag_name(inserted(name, where)) == tag_name(name) == " ".join(name.split())


# Each way a date is accepted, as strftime writes it; None: it names its offset with %z
NEW_YORK = ZoneInfo("America/New_York")
WRITTEN_DATES = [
    ("%Y-%m-%d", NEW_YORK), ("%Y-%m-%dT%H:%M:%S.%f%z", None), ("%Y-%m-%d %H:%M:%S %z", None),
    ("%Y/%m/%d %H:%M", NEW_YORK), ("%Y-%m-%d %H:%M:%S %Y %z", None),  # the year twice, as Jekyll took it
    ("%a %b %d %Y %H:%M:%S GMT%z (Coordinated Universal Time)", None),  # JavaScript's Date
    ("%a, %d %b %Y %H:%M:%S %z", None), ("%a, %d %b %Y %H:%M:%S GMT", UTC),  # RFC 1123
    ("%Y-%m-%d %H:%M:%S.%f %z ABC", None),  # Go's Time.String
    ("%a %b %d %H:%M:%S %Y", NEW_YORK), ("%a %b %d %H:%M:%S %z %Y", None),  # Go's ANSIC, RubyDate
    ("%B %d, %Y", NEW_YORK), ("%d %B %Y", NEW_YORK), ("%b %d %Y %I:%M %p", NEW_YORK),
    ("%A, %B %d, %Y %I:%M:%S %p", NEW_YORK), ("%d %b %Y %H:%M:%S %z", None),
]


@given(st.sampled_from(WRITTEN_DATES), st.datetimes(datetime(1900, 1, 1), datetime(2200, 12, 31)),
       st.integers(-14 * 60, 14 * 60))
def test_a_date_in_any_accepted_form_reads_back_as_the_same_moment(
        written: tuple[str, ZoneInfo | timezone | None], moment: datetime, minutes: int) -> None:
    form, zone = written
    moment = moment.replace(microsecond=moment.microsecond if "%f" in form else 0,
                            second=moment.second if "%S" in form else 0)
    if "%H" not in form and "%I" not in form:
        moment = datetime.combine(moment.date(), time())
    moment = moment.replace(tzinfo=zone or timezone(timedelta(minutes=minutes)))
    problems = Problems()
    result = parse_post(PurePosixPath("content/posts/x.md"),
                        f"---\ntitle: t\ndate: \"{moment.strftime(form)}\"\n---\nbody\n",
                        config(timezone="America/New_York"), section="posts", problems=problems)
    assert result is not None and result.date == moment, (moment.strftime(form), problems)
