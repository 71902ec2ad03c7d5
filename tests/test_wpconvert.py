"""WordPress content as Markdown: wpautop, each shortcode, the HTML kept as HTML, and what an
export says about its URLs and time zone."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from sitegen.importers.wphtml import to_markdown, wpautop
from sitegen.importers.wpshortcodes import Attachment, Done, attributes, code_blocks, media
from sitegen.importers.wpurls import OldSite, Sample, infer_post_pattern, infer_timezone, segments, site_path
from sitegen.markup import render


def markdown(content: str, attachments: dict[str, Attachment] | None = None, post_id: str = "7") -> str:
    return to_markdown(content, attachments=attachments or {}, post_id=post_id).markdown


def html_of(content: str, flavor: str = "sitegen") -> str:
    """What a build makes of the converted post."""
    return render(markdown(content), url="/x/", base_path="/", flavor=flavor).body_html


# --- wpautop ------------------------------------------------------------------------------------

def test_wpautop_makes_paragraphs_and_line_breaks() -> None:
    assert wpautop("One\nline two\n\nThree") == "<p>One<br />\nline two</p>\n<p>Three</p>\n"


def test_wpautop_leaves_blocks_and_pre_alone() -> None:
    text = "Intro\n<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n<pre>x\n\ny</pre>\nAfter"
    made = wpautop(text)
    assert "<p>Intro</p>" in made and "<p>After</p>" in made
    assert "<pre>x\n\ny</pre>" in made
    assert "<p><li>" not in made and "<br />\n<li>" not in made


def test_wpautop_turns_two_breaks_into_a_paragraph() -> None:
    assert wpautop("a<br /><br />b") == "<p>a</p>\n<p>b</p>\n"


def test_wpautop_of_nothing_is_nothing() -> None:
    assert wpautop(" \n ") == ""


def test_classic_text_is_paragraphs_and_block_text_is_left_as_blocks() -> None:
    assert markdown("First line\nsecond line\n\nNext") == "First line  \nsecond line\n\nNext\n"
    block = "<!-- wp:paragraph -->\n<p>One\ntwo</p>\n<!-- /wp:paragraph -->"
    assert markdown(block) == "One\ntwo\n"


def test_block_comments_go_and_the_cut_stays() -> None:
    text = ("<!-- wp:paragraph -->\n<p>Above</p>\n<!-- /wp:paragraph -->\n<!-- wp:more -->\n<!--more-->\n"
            "<!-- /wp:more -->\n<!-- wp:paragraph {\"align\":\"center\"} -->\n<p>Below</p>\n"
            "<!-- /wp:paragraph -->")
    assert markdown(text) == "Above\n\n<!--more-->\n\nBelow\n"
    assert markdown("Above\n<!--more Read on-->\nBelow") == "Above\n\n<!--more-->\n\nBelow\n"


# --- structure kept -----------------------------------------------------------------------------

def test_lists_headings_links_code_tables_and_quotes_keep_their_structure() -> None:
    html = html_of('<h2>Title</h2>\n<ol><li>one<ul><li>inner</li></ul></li><li>two</li></ol>\n'
                   '<blockquote>Quoted</blockquote>\n<table><tr><th>k</th><th>v</th></tr><tr><td>a</td>'
                   '<td>1</td></tr></table>\n<pre class="brush: python">def f():\n    return 1</pre>\n'
                   '<a href="http://e.org/">link</a> <img src="http://e.org/i.png" alt="i">')
    for part in ("<h2", "<ol>", "<li>one<ul>", "<blockquote>", "<table", "<th>k</th>", '<a href="http://e.org/">',
                 '<img alt="i" src="http://e.org/i.png"', 'class="highlight"', '<span class="k">def</span>'):
        assert part in html, part


def test_what_markdown_cannot_write_stays_html() -> None:
    made = markdown('x<sup>2</sup> <del>old</del>\n\n<table><tr><td colspan="2">wide</td></tr></table>'
                    '\n\n<figure><img src="a.png"><figcaption>Cap</figcaption></figure>')
    assert "<sup>2</sup>" in made and "<del>old</del>" in made
    assert '<td colspan="2">wide</td>' in made and "<figcaption>Cap</figcaption>" in made
    details = html_of("<details><summary>More</summary><p>Hidden</p></details>", "commonmark")
    assert "<details>" in details and "<summary>More</summary>" in details and "<p>Hidden</p>" in details


def test_a_figure_that_is_only_an_image_is_a_markdown_image() -> None:
    assert markdown('<!-- wp:image -->\n<figure class="wp-block-image"><img src="a.png" alt="A"/></figure>\n'
                    '<!-- /wp:image -->') == "![A](a.png)\n"


def test_text_that_looks_like_markup_stays_text() -> None:
    assert markdown("<p>1. not a list</p><p># not a heading</p><p>a &lt;b&gt; c</p>") == \
        "1\\. not a list\n\n\\# not a heading\n\na &lt;b> c\n"
    assert "<b>" not in html_of("<p>a &lt;b&gt; c</p>")


LITERAL = ("Some *stars* and _underscores_ in snake_case_names and __dunder__ methods, a backtick ` and "
           "a backslash \\ here; C:\\_x, [not a link](really), [ref][x], `not code` and &amp;copy;")


@pytest.mark.parametrize("flavor", ["sitegen", "commonmark"])
def test_text_that_reads_as_emphasis_links_or_code_stays_text(flavor: str) -> None:
    html = html_of(f"<p>{LITERAL}</p>", flavor)
    assert html == f"<p>{LITERAL}</p>", html


def test_escaping_leaves_ordinary_text_as_it_is() -> None:
    plain = "snake_case_names, [sic], [1], 3 + 4 = 7 | a ~ b, R&D, e-mail > post, #hashtag, x_1"
    assert markdown(f"<p>{plain}</p>") == plain + "\n"
    assert markdown("<p>_lead and trail_ [a](b)</p>") == "\\_lead and trail\\_ [a]\\(b)\n"


def test_a_nested_list_stays_tight() -> None:
    """The block editor's nested list, under the import's commonmark flavor."""
    html = html_of("<!-- wp:list -->\n<ul><li>A camera</li><li>Two lenses<ul><li>35mm</li><li>85mm</li></ul>"
                   "</li><li>Far too many snacks</li></ul>\n<!-- /wp:list -->", "commonmark")
    assert "<p>" not in html and "<li>Far too many snacks</li>" in html, html
    ordered = html_of("<ol><li>one<ul><li>inner</li></ul></li><li>two</li></ol>", "commonmark")
    assert "<p>" not in ordered and "<li>two</li>" in ordered, ordered


def test_a_quotes_source_stays_a_cite() -> None:
    made = markdown('<blockquote class="wp-block-quote"><p>The sea.</p><cite>Jacques Cousteau</cite>'
                    "</blockquote>")
    assert made == "> The sea.\n>\n> <cite>Jacques Cousteau</cite>\n"


def test_what_the_import_drops_and_the_build_cleans_is_listed() -> None:
    converted = to_markdown(
        '<script src="https://platform.twitter.com/widgets.js"></script><p style="text-align: right">R</p>'
        '<span style="color: red">Red</span> <a href="javascript:alert(1)">bad</a> <center>C</center>'
        '<figure style="display: none"><img src="a.png"><figcaption>Cap</figcaption></figure>'
        '<figure><object data="x.swf"></object><figcaption>Flash</figcaption></figure>',
        attachments={}, post_id="1")
    assert converted.dropped == ("<script>", "style attributes", "style attributes", "<center>")
    assert converted.cleaned == ("javascript: links", "style display", "<object>")
    assert to_markdown("<p><em>Fine</em> text</p>", attachments={}, post_id="1").dropped == ()


# --- shortcodes ---------------------------------------------------------------------------------

def test_caption_becomes_a_figure_with_its_caption() -> None:
    for written in ('[caption id="attachment_16" align="alignnone" width="739" caption="A cat"]'
                    '<img src="http://blog.test/wp-content/uploads/cat.jpg" alt="cat" />[/caption]',
                    '[caption id="" align="alignright" width="300"]<a href="http://blog.test/c.jpg">'
                    '<img src="http://blog.test/wp-content/uploads/cat.jpg" alt="cat" /></a> A cat'
                    '[/caption]'):
        html = html_of(written)
        assert "<figure" in html and "<figcaption>A cat</figcaption>" in html and "[caption" not in html


def test_gallery_shows_the_attachments_it_names() -> None:
    uploads = "http://blog.test/wp-content/uploads"
    attachments = {"3": Attachment(url=f"{uploads}/a.jpg", caption="First", parent="7"),
                   "4": Attachment(url=f"{uploads}/b.jpg", parent="7", order=(0, 4)),
                   "5": Attachment(url=f"{uploads}/c.pdf", parent="7")}
    named = to_markdown('[gallery ids="4,3"]', attachments=attachments, post_id="7").markdown
    assert named.index("b.jpg") < named.index("a.jpg") and "<figcaption>First</figcaption>" in named
    children = to_markdown("[gallery]", attachments=attachments, post_id="7").markdown
    assert "a.jpg" in children and "b.jpg" in children and "c.pdf" not in children
    missing = to_markdown('[gallery ids="3,99"]', attachments=attachments, post_id="7")
    assert "a.jpg" in missing.markdown and "[gallery" not in missing.markdown
    assert missing.left == (("[gallery] image 99", "the export has no such attachment"),)


def test_audio_and_video_become_players() -> None:
    audio = html_of('[audio mp3="http://blog.test/a.mp3"]')
    assert '<audio controls=""><source src="http://blog.test/a.mp3">' in audio
    video = html_of('[video width="640" height="360" mp4="http://blog.test/v.mp4"][/video]')
    assert '<video controls="" height="360" width="640"><source src="http://blog.test/v.mp4">' in video


@pytest.mark.parametrize("written", [
    "[youtube https://www.youtube.com/watch?v=dQw4w9WgXcQ]",
    "[youtube=http://www.youtube.com/watch?v=dQw4w9WgXcQ&amp;w=320&amp;h=240]",
    "[youtube dQw4w9WgXcQ]",
    "[embed]https://youtu.be/dQw4w9WgXcQ[/embed]",
    "[video src=\"https://www.youtube.com/watch?v=dQw4w9WgXcQ\"]",
    "Before\n\nhttps://www.youtube.com/watch?v=dQw4w9WgXcQ\n\nAfter",
    '<!-- wp:embed {"url":"https://youtu.be/dQw4w9WgXcQ"} -->\n<figure class="wp-block-embed"><div '
    'class="wp-block-embed__wrapper">\nhttps://youtu.be/dQw4w9WgXcQ\n</div></figure>\n<!-- /wp:embed -->',
])
def test_youtube_in_any_form_becomes_a_player_the_sanitizer_keeps(written: str) -> None:
    html = html_of(written)
    assert '<iframe' in html and 'src="https://www.youtube.com/embed/dQw4w9WgXcQ"' in html, html


def test_vimeo_and_other_embeds() -> None:
    assert 'src="https://player.vimeo.com/video/123456"' in html_of("[vimeo 123456]")
    assert '<a href="https://example.net/talk">https://example.net/talk</a>' in html_of(
        "[embed]https://example.net/talk[/embed]")


def test_code_shortcodes_become_fenced_code_with_their_language() -> None:
    assert markdown('[sourcecode language="Python"]\nif a &lt; b:\n    pass\n[/sourcecode]') == \
        "```python\nif a < b:\n    pass\n```\n"
    assert markdown("[code]x = 1\n\ny = 2[/code]") == "```\nx = 1\n\ny = 2\n```\n"
    assert markdown("[ruby]puts 1[/ruby]") == "```ruby\nputs 1\n```\n"
    assert markdown("[php]") == "[php]\n"  # a language name alone is text


def test_unknown_shortcodes_stay_text_and_are_reported() -> None:
    converted = to_markdown('Write to me: [contact-form-7 id="12" title="Contact"] or [sic] [1].',
                            attachments={}, post_id="1")
    assert '[contact-form-7 id="12" title="Contact"]' in converted.markdown
    assert converted.left == (('[contact-form-7 id="12" title="Contact"]', "sitegen has no equivalent"),)


def test_escaped_shortcodes_are_text() -> None:
    done = Done()
    assert media("[[caption]] shows how", {}, "1", done) == "[caption] shows how"
    assert done.left == [] and done.converted == []
    assert code_blocks("[[code]]", Done()) == "[code]"
    escaped = to_markdown("Type [[gallery]] or [[contact-form-7 id=1]]", attachments={}, post_id="1")
    assert escaped.markdown == "Type [gallery] or [contact-form-7 id=1]\n" and escaped.left == ()


def test_attributes_are_read_as_wordpress_reads_them() -> None:
    assert attributes(' ids="1,2" columns=3 link=\'file\' "loose" bare') == \
        {"ids": "1,2", "columns": "3", "link": "file", "0": "loose", "1": "bare"}
    assert attributes("=http://x.test/?v=1&amp;w=2") == {"0": "http://x.test/?v=1&w=2"}


# --- URLs and time ------------------------------------------------------------------------------

def sample(path: str, slug: str, day: str = "2020-01-02", post_id: str = "9") -> Sample:
    return Sample(path, slug, date.fromisoformat(day), post_id)


def test_each_wordpress_structure_becomes_its_pattern() -> None:
    assert segments(sample("/2020/01/02/hello/", "hello")) == "/:year/:month/:day/:slug/"
    assert segments(sample("/2020/01/hello/", "hello")) == "/:year/:month/:slug/"
    assert segments(sample("/blog/hello.html", "hello")) == "/blog/:slug.html"
    assert segments(sample("/hello", "hello")) == "/:slug/"  # hosts answer /hello with /hello/
    assert segments(sample("/archives/9", "hello")) == "/archives/:post_id/"
    assert segments(sample("/2020/02/02/hello/", "hello", "2020-02-02")) == "/:year/:month/:day/:slug/"


def test_the_pattern_most_posts_follow_wins() -> None:
    inferred = infer_post_pattern([sample("/2020/01/a/", "a"), sample("/2020/01/b/", "b"),
                                   sample("/2020/01/odd_one/", "c"), sample("/x/d/", "d")])
    assert (inferred.pattern, inferred.wordpress, inferred.fits, inferred.total) == \
        ("/:year/:month/:slug/", "/%year%/%monthnum%/%postname%/", 2, 4)


def test_a_structure_sitegen_cannot_write_falls_back_to_its_default() -> None:
    inferred = infer_post_pattern([sample("/archives/9", "a", post_id="9"),
                                   sample("/archives/10", "b", post_id="10")])
    assert inferred.pattern == "/posts/:slug/" and inferred.fits == 0


def test_old_links_as_site_paths() -> None:
    assert site_path("https://x.test/blog/2020/01/%ce%b1/", "https://x.test/blog/") == "/2020/01/α/"
    assert site_path("/blog/a.html", "https://x.test/") == "/blog/a.html"
    assert site_path("https://x.test/?p=12", "https://x.test/") is None
    assert site_path("https://other.test/a/", "https://x.test/") is None
    assert site_path("https://x.test/elsewhere/a/", "https://x.test/blog/") is None


OLD = OldSite("http://blog.test/", {
    OldSite.key("/2015/02/hello-world/"): ("/2015/02/hello-world/", ""),
    OldSite.key("/about/team/"): ("/about/team/", ""), OldSite.id_key("123"): ("/2016/08/quick-note/", ""),
    OldSite.id_key("3"): ("/about/team/", ""), OldSite.key("/2021/05/secret/"): ("", "it is a draft"),
    OldSite.key("/category/greece/"): ("/category/travel/greece/", "")})


@pytest.mark.parametrize(("href", "now"), [
    ("http://blog.test/2015/02/hello-world/", "/2015/02/hello-world/"),
    ("https://blog.test/2015/02/hello-world", "/2015/02/hello-world/"),
    ("//www.blog.test/2015/02/hello-world/#more-5", "/2015/02/hello-world/#more-5"),
    ("http://WWW.blog.test/2015/02/hello-world/#comments", "/2015/02/hello-world/"),
    ("/about/team/", "/about/team/"), ("../../../about/team/", "/about/team/"),
    ("http://blog.test/?p=123", "/2016/08/quick-note/"), ("http://blog.test/?page_id=3#x", "/about/team/#x"),
    ("http://blog.test/category/greece/", "/category/travel/greece/"),
])
def test_links_to_the_old_site_lead_where_its_addresses_are_now(href: str, now: str) -> None:
    assert OLD.relink(href, "http://blog.test/2020/01/a-post/") == (now, "")


def test_links_the_import_cannot_place_are_said_and_others_left_alone() -> None:
    page = "http://blog.test/2020/01/a-post/"
    assert OLD.relink("http://blog.test/2019/03/", page) == ("http://blog.test/2019/03/",
                                                             "not an address the import knows")
    assert OLD.relink("http://blog.test/?p=99", page)[1] == "the export has no post or page 99"  # type: ignore[index]
    assert OLD.relink("/2021/05/secret/", page) == ("/2021/05/secret/", "it is a draft")
    assert OLD.relink("http://blog.test/?s=ferry", page)[1].startswith("an address with a query")  # type: ignore[index]
    for elsewhere in ("https://other.test/2015/02/hello-world/", "mailto:a@blog.test", "#top",
                      "http://blog.test/wp-content/uploads/a.jpg", "javascript:alert(1)"):
        assert OLD.relink(elsewhere, page) is None, elsewhere


def moments(*pairs: tuple[str, str]) -> list[tuple[datetime, datetime]]:
    return [(datetime.fromisoformat(local), datetime.fromisoformat(gmt)) for local, gmt in pairs]


def test_one_offset_is_a_fixed_zone() -> None:
    assert infer_timezone(moments(("2025-01-18 18:26", "2025-01-19 02:26"),
                                  ("2025-07-18 18:26", "2025-07-19 02:26")), "en").name == "Etc/GMT+8"
    assert infer_timezone(moments(("2025-01-18 18:26", "2025-01-18 18:26")), "en").name == "UTC"
    assert infer_timezone([], "en").name == "UTC"


def test_summer_time_is_the_zone_of_the_language_country() -> None:
    pairs = moments(("2009-07-16 21:40", "2009-07-16 19:40"), ("2012-12-19 14:53", "2012-12-19 13:53"))
    assert infer_timezone(pairs, "de-DE").name == "Europe/Berlin"
    assert infer_timezone(pairs, "fr-FR").name == "Europe/Paris"
    zone = infer_timezone(pairs + moments(("2012-12-20 14:53", "2012-12-20 14:53")), "de-DE")
    assert (zone.name, zone.misses) == ("Europe/Berlin", 1)


def test_a_half_hour_offset_is_a_place() -> None:
    assert infer_timezone(moments(("2025-01-18 18:26", "2025-01-18 12:56")), "en-IN").name == "Asia/Kolkata"
