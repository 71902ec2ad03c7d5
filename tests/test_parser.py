from __future__ import annotations

import gc
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path, PurePosixPath

import pytest

from sitegen.builder import read_posts
from sitegen.errors import Problems
from sitegen.listing import Listing, list_content
from sitegen.models import Config, Post
from sitegen.parser import parse_post
from tests.conftest import NOW, WriteSite, config_for, post

SOURCE = PurePosixPath("content/posts/a-post.md")


def config(**changes: object) -> Config:
    return Config(root=Path("/site"), output_dir=Path("/site/public"), now=NOW, **changes)  # type: ignore[arg-type]


def parse(text: str, source: PurePosixPath = SOURCE, section: str = "posts",
          **settings: object) -> tuple[Post | None, Problems]:
    problems = Problems()
    return parse_post(source, text, config(**settings), section=section, problems=problems), problems


def test_a_complete_post() -> None:
    result, problems = parse(post(title='"Hello & <world>"', tags="[paradigm shift in AI, C++]",
                                  author="Ann", body="Intro.\n\n<!--more-->\n\nMore."))
    assert problems.errors == [] and result is not None
    assert result.title == "Hello & <world>"
    assert result.slug == "a-post" and result.url == "/posts/a-post/"
    assert result.tag_names == ("paradigm shift in AI", "C++") and result.tag_places == ((4, 8), (4, 30))
    assert result.tags == ()  # what the names mean is the site stage's to say
    assert result.date == datetime(2025, 1, 28, tzinfo=UTC)
    assert result.cut and result.summary == "Intro."
    assert result.author == "Ann"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-01-28", datetime(2025, 1, 28, tzinfo=UTC)),
        ("2025-01-28 14:30", datetime(2025, 1, 28, 14, 30, tzinfo=UTC)),
        ("2025-01-28T14:30:00+02:00", datetime(2025, 1, 28, 12, 30, tzinfo=UTC)),
        ("2025-01-28 14:30:00 +0200", datetime(2025, 1, 28, 12, 30, tzinfo=UTC)),
    ],
)
def test_date_forms(value: str, expected: datetime) -> None:
    result, problems = parse(post(date=value))
    assert problems.errors == [] and result is not None and result.date == expected


def test_iso_dates_give_no_warning() -> None:
    for value in ("2025-01-28", "2025-01-28 14:30", "2025-01-28T14:30:00Z", "2025-01-28 14:30:00 +0200"):
        result, problems = parse(post(date=value))
        assert result is not None and problems.warnings == [], value


MINUS_8 = timezone(timedelta(hours=-8))


@pytest.mark.parametrize(
    ("value", "expected", "written"),
    [
        ("2023-01-29 18:30:22 2023 -0800", datetime(2023, 1, 29, 18, 30, 22, tzinfo=MINUS_8),
         "2023-01-29T18:30:22-08:00"),
        ("Fri Nov 24 2023 11:49:41 GMT+0000 (Coordinated Universal Time)",
         datetime(2023, 11, 24, 11, 49, 41, tzinfo=UTC), "2023-11-24T11:49:41+00:00"),
        ("2014-3-5", datetime(2014, 3, 5, tzinfo=UTC), "2014-03-05"),
        ("March 5, 2014", datetime(2014, 3, 5, tzinfo=UTC), "2014-03-05"),
        ("5 March 2014", datetime(2014, 3, 5, tzinfo=UTC), "2014-03-05"),
        ("2014/03/05", datetime(2014, 3, 5, tzinfo=UTC), "2014-03-05"),
        ("2016-03-04 10:00:00 -8", datetime(2016, 3, 4, 10, tzinfo=MINUS_8), "2016-03-04T10:00:00-08:00"),
        ("Wed, 05 Mar 2014 10:00:00 PST", datetime(2014, 3, 5, 10, tzinfo=MINUS_8),
         "2014-03-05T10:00:00-08:00"),
        ("2014-03-05 10:00:00.123456789 -0800 PST", datetime(2014, 3, 5, 10, 0, 0, 123456, tzinfo=MINUS_8),
         "2014-03-05T10:00:00.123456-08:00"),
        ("Wed Mar  5 10:00:00 -0800 2014", datetime(2014, 3, 5, 10, tzinfo=MINUS_8),
         "2014-03-05T10:00:00-08:00"),
        ("March 5th, 2014 3:30 pm", datetime(2014, 3, 5, 15, 30, tzinfo=UTC), "2014-03-05T15:30:00"),
    ],
)
def test_dates_other_generators_read_are_read_with_a_warning(value: str, expected: datetime,
                                                             written: str) -> None:
    result, problems = parse(post(date=f'"{value}"'))
    assert problems.errors == [] and result is not None and result.date == expected
    [warning] = problems.warnings
    assert (warning.path, warning.line, warning.col) == (str(SOURCE), 3, 7)
    assert "is not an ISO 8601 date" in warning.message
    assert warning.hint == f"write date: {written}"


def test_a_date_without_offset_from_another_generator_is_in_the_site_timezone() -> None:
    result, _ = parse(post(date="March 5, 2014 14:30"), timezone="Europe/Paris")
    assert result is not None and result.date is not None
    assert result.date.astimezone(UTC) == datetime(2014, 3, 5, 13, 30, tzinfo=UTC)


@pytest.mark.parametrize("value", ["yesterday", "05/03/2014", "2014-02-30 10:00", "[2014]", "March 32, 2014",
                                   "2014-03-05 13:00 PM", "2023-01-29 18:30:22 2022 -0800"])
def test_an_unreadable_date_is_an_error_as_before(value: str) -> None:
    result, problems = parse(post(date=value))
    assert result is None
    [error] = problems.errors
    assert (error.line, error.col) == (3, 7)
    assert error.message.startswith("date must be a date like 2025-01-28")
    assert error.hint == "write the date as YYYY-MM-DD"


@pytest.mark.parametrize("value", ["yesterday", "05/03/2014", "''", "[2014]"])
def test_an_unreadable_date_gives_way_to_the_file_name_date_with_a_warning(value: str) -> None:
    result, problems = parse(post(date=value), PurePosixPath("content/posts/2014-03-05-launch.md"))
    assert problems.errors == [] and result is not None
    assert result.date == datetime(2014, 3, 5, tzinfo=UTC) and result.slug == "launch"
    [warning] = problems.warnings
    assert (warning.line, warning.col) == (3, 7)
    assert "is not a date; the file name's 2014-03-05 is used" in warning.message


def test_an_empty_date_gives_way_to_the_file_name_date_with_a_warning() -> None:
    result, problems = parse(post(date=""), PurePosixPath("content/posts/2014-03-05-launch.md"))
    assert problems.errors == [] and result is not None and result.date == datetime(2014, 3, 5, tzinfo=UTC)
    assert [w.line for w in problems.warnings] == [3]


def test_an_updated_date_from_another_generator_is_read_with_a_warning() -> None:
    result, problems = parse(post(updated="March 6, 2014"))
    assert result is not None and result.updated == datetime(2014, 3, 6, tzinfo=UTC)
    assert [(w.line, w.hint) for w in problems.warnings] == [(4, "write updated: 2014-03-06")]


def test_zoneless_dates_are_read_in_the_site_timezone() -> None:
    result, _ = parse(post(date="2025-01-28 14:30"), timezone="Europe/Paris")
    assert result is not None and result.date is not None
    assert result.date.utcoffset() == timedelta(hours=1)
    assert result.date.astimezone(UTC).hour == 13


def test_date_and_slug_from_the_file_name() -> None:
    text = "---\ntitle: Pi\n---\nbody\n"
    result, problems = parse(text, PurePosixPath("content/posts/2025-03-14-pi-day.md"))
    assert problems.errors == [] and result is not None
    assert result.slug == "pi-day"
    assert result.date == datetime(2025, 3, 14, tzinfo=UTC)


def test_page_bundle_takes_its_folder_name() -> None:
    result, _ = parse(post(), PurePosixPath("content/posts/my-trip/index.md"))
    assert result is not None and result.slug == "my-trip"


def test_a_single_string_of_tags_is_comma_separated() -> None:
    result, _ = parse(post(tags="paradigm shift in AI"))
    assert result is not None and result.tag_names == ("paradigm shift in AI",)
    result, _ = parse(post(tags="python, web ,  open   source"))
    assert result is not None and result.tag_names == ("python", "web", "open source")


def test_tag_names_are_kept_as_written_each_with_its_place() -> None:
    result, _ = parse(post(tags="[AI, ai, ' AI ', ai/llm, \"A\\u200bI\"]"))
    assert result is not None and result.tag_names == ("AI", "ai", "AI", "ai/llm", "AI")
    assert [col for _, col in result.tag_places] == [8, 12, 16, 24, 32]


def test_unknown_keys_go_to_extra_and_typos_warn() -> None:
    result, problems = parse(post(tag="x", mood="happy"))
    assert result is not None and dict(result.extra) == {"tag": "x", "mood": "happy"}
    assert len(problems.warnings) == 1
    warning = problems.warnings[0]
    assert warning.line == 4 and "did you mean 'tags'" in (warning.hint or "")


def test_draft_and_published_false() -> None:
    assert parse(post(draft="true"))[0].draft  # type: ignore[union-attr]
    assert parse(post(published="false"))[0].draft  # type: ignore[union-attr]
    assert not parse(post())[0].draft  # type: ignore[union-attr]


def test_pages_need_no_date() -> None:
    result, problems = parse("---\ntitle: About\n---\nMe.\n",
                             PurePosixPath("content/pages/about.md"), section="pages")
    assert problems.errors == [] and result is not None
    assert result.url == "/about/" and result.date is None


def test_aliases_are_normalised_paths() -> None:
    result, _ = parse(post(aliases="[/2019/old-name, /old.html]"))
    assert result is not None and result.aliases == ("/2019/old-name/", "/old.html")


@pytest.mark.parametrize(
    ("text", "line", "col", "fragment", "hint"),
    [
        (post(tags="5"), 4, 7, "got a number (5)", 'tags: ["5"]'),
        (post(tags="[a, 2025]"), 4, 11, "got a number (2025) in it", 'tags: ["2025"]'),
        (post(tags="[a, [b]]"), 4, 11, "got a list in it", None),
        (post(tags="{a: 1}"), 4, 7, "got a mapping", None),
        ("---\ndate: 2025-01-01\n---\n", 1, 1, "missing title", "title:"),
        (post(title="2024"), 2, 8, "title must be text", 'title: "2024"'),
        (post(date="2024-02-30"), 3, 7, "not a real date", "YYYY-MM-DD"),
        (post(date="yesterday"), 3, 7, "date must be a date", None),
        ("---\ntitle: x\n---\n", 1, 1, "missing date", "2025-01-28-slug.md"),
        (post(slug="'..'"), 4, 7, "cannot make a URL from slug", "slug: my-post"),
        (post(draft="maybe"), 4, 8, "draft must be true or false", None),
        (post(aliases="[/../x]"), 4, 10, "not a usable old URL", None),
        ("no front matter\n", 1, 1, "has no front matter", "start the file with ---"),
        ("---\ntitle: x\n", 1, 1, "never closed", "---"),
        ("---\ntitle: x\n\tdate: 2024-01-01\n---\n", 3, 1, "tab", "spaces"),
        (post(tags="\n\t- ai"), 5, 1, "tab", "replace the tab with spaces"),
        (post(tags="[meta"), 4, 7, "list opened with [ is never closed", "add the ]"),
        (post(title='"a\\0b"'), 2, 8, "U+0000", "delete the escape \\0"),
        (post(tags="\n  - a\n  - 7"), 6, 5, "got a number (7) in it", 'tags: ["7"]'),
    ],
)
def test_bad_front_matter_is_located(text: str, line: int, col: int, fragment: str,
                                     hint: str | None) -> None:
    result, problems = parse(text)
    assert result is None
    assert len(problems.errors) == 1, problems.errors
    error = problems.errors[0]
    assert (error.path, error.line, error.col) == (str(SOURCE), line, col)
    assert fragment in error.message
    if hint:
        assert error.hint and hint in error.hint


def test_every_bad_key_of_one_post_is_reported() -> None:
    _, problems = parse(post(title="1", tags="5", draft="maybe"))
    assert [e.line for e in problems.errors] == [2, 4, 5]


def test_read_posts_reads_both_sections_in_path_order(write_site: WriteSite) -> None:
    root = write_site({
        "content/posts/b.md": post("B"),
        "content/posts/2024/a.md": post("A"),
        "content/pages/about.md": "---\ntitle: About\n---\nMe.\n",
        "content/posts/.hidden.md": "not read",
        "content/posts/_draft-notes.md": "not read",
        "content/stray.md": post("Stray"),
    })
    posts, problems = read_posts(config_for(root))
    assert [str(p.source) for p in posts] == [
        "content/pages/about.md", "content/posts/2024/a.md", "content/posts/b.md"]
    assert [w.path for w in problems.warnings] == ["content/stray.md"]


def test_the_listing_is_in_path_order_where_text_order_differs(write_site: WriteSite) -> None:
    """'-' and '.' sort before '/' as text, after it as path parts: the folder a-b/ comes after
    the file a.md and the folder a/ before both, as Path order has them (and as the cache's
    records and the property tests expect a clean build to list them)."""
    names = ["a-b/x.md", "a.md", "a/b.md", "a.b.md", "a/b-c.md", "a/b/c.md", "B.md", "trip/index.md",
             "z.md"]
    root = write_site({f"content/posts/{name}": post(name) for name in names})
    files = list_content(config_for(root)).files
    assert list(files) == sorted(files, key=lambda path: Path(path).parts)
    assert len(files) == len(names) and files != tuple(sorted(files))


def test_read_posts_handles_bom_crlf_and_bad_utf8(write_site: WriteSite) -> None:
    root = write_site({})
    folder = root / "content" / "posts"
    folder.mkdir(parents=True)
    (folder / "bom.md").write_bytes(b"\xef\xbb\xbf---\r\ntitle: Bom\r\ndate: 2025-01-01\r\n---\r\nx\r\n")
    (folder / "latin.md").write_bytes(b"---\ntitle: caf\xe9\ndate: 2025-01-01\n---\n")
    posts, problems = read_posts(config_for(root))
    assert [p.title for p in posts] == ["Bom"]
    assert [(e.path, e.line, e.col) for e in problems.errors] == [("content/posts/latin.md", 2, 11)]


def test_offsets_are_kept() -> None:
    result, _ = parse(post(date="2025-01-28T09:15:00+02:00"))
    assert result is not None and result.date is not None
    assert result.date.tzinfo == timezone(timedelta(hours=2))


def test_posts_are_converted_with_the_cycle_collector_on(write_site: WriteSite,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A build turns the collector off for its own long-lived objects; converting posts makes
    garbage cycles (Python-Markdown's recursive helpers), in this process and in workers."""
    from sitegen import parser, workers

    config = config_for(write_site({"content/posts/a.md": post()}))
    seen = []
    real = parser.parse_file
    monkeypatch.setattr(parser, "parse_file", lambda *args: seen.append(gc.isenabled()) or real(*args))
    gc.disable()
    try:
        read_posts(config)
        assert seen == [True] and not gc.isenabled()
        pool = workers.worker_pool(1, fork_only=False)
        assert pool is not None
        with pool:
            assert pool.submit(gc.isenabled).result()
    finally:
        gc.enable()


def test_a_value_yaml_cannot_load_does_not_hide_the_other_problems_of_the_post() -> None:
    result, problems = parse("---\ntitel: X\ndate: 2024-02-30\ntags: 2025\n---\nText.\n")
    assert result is None
    assert sorted((e.line, e.message.split(":")[0]) for e in problems.errors) == [
        (1, "missing title"), (3, "date"), (4, "tags must be a list of strings, got a number (2025)")]
    assert [w.line for w in problems.warnings] == [2]  # titel: did you mean title?


def test_broken_yaml_is_one_error_not_a_cascade() -> None:
    result, problems = parse("---\ntitle: [open\ndate: 2024-01-01\n---\nText.\n")
    assert result is None and len(problems.errors) == 1


def test_a_listing_kept_as_a_record_is_the_listing_again(write_site: WriteSite) -> None:
    """What the build cache keeps of a listing gives it back whole, bundles' resources and
    translations included, and each folder listed with its time; never for other files."""
    root = write_site({
        "content/posts/a.md": post("A"), "content/posts/2024/b.md": post("B"),
        "content/posts/trip/index.md": post("Trip"), "content/posts/trip/index.fr.md": post("Voyage"),
        "content/posts/trip/photo.jpg": "jpeg", "content/posts/trip/raw/day1.txt": "one",
        "content/pages/about.md": post("About"),
    })
    listing = list_content(config_for(root))
    names = [Path(path).relative_to(root).as_posix() for path in listing.files]
    record = listing.record(root)
    assert Listing.from_record(root, names, record) == listing
    assert {Path(folder).relative_to(root).as_posix() for folder, _ in listing.folders} == {
        "content", "content/posts", "content/posts/2024", "content/posts/trip",
        "content/posts/trip/raw", "content/pages"}
    assert Listing.from_record(root, names[:-1], record) is None
