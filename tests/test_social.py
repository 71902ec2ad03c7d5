"""What a shared link and a search engine read: Open Graph and Twitter card tags, and schema.org
JSON-LD, on a site served under a subpath; a title can never end the script that holds it."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import html5lib
import pytest

from sitegen.builder import build
from sitegen.errors import BuildError
from sitegen.social import first_image, json_ld
from tests.conftest import WriteSite, config_for, post

BASE = "https://blog.test.dev/sub/"
HOSTILE = "</script><script>alert(1)</script>"
SITE = {
    "sitegen.yaml": f"title: Notes & <Co>\ndescription: A blog\nauthor: Ann\nbase_url: {BASE}\n"
                    "image: images/site.png\ntags: {hierarchy: true}\n",
    "content/posts/own.md": post("Own picture", date="2025-01-28 10:00", updated="2025-02-01",
                                 tags="[Python, Web/CSS]", categories="[Notes, Essays]",
                                 image="/images/own.png", body="Text.\n\n![Later](/images/later.png)"),
    "content/posts/first.md": post("First in text", date="2025-01-29", description="Its own words.",
                                   body='Words.\n\n![A](data:image/png;base64,AAAA)\n\n![B](/img/b.png?v=1&amp;w=2)\n\n'
                                        "![C](/img/c.png)"),
    "content/posts/beside.md": post("Beside", date="2025-01-30", body="![Here](pic.png)"),
    "content/posts/none.md": post("Nothing", date="2025-01-31", author="Bob"),
    "content/posts/hostile.md": post(json.dumps(HOSTILE), date="2025-02-02",
                                     image="https://cdn.test.dev/x.png?a=1&b=2",
                                     summary=json.dumps("</SCRIPT> <!-- & ")),
    "content/posts/trip/index.md": post("Trip", date="2025-02-03", image="cover.jpg",
                                        body="![Other](other.jpg)"),
    "content/posts/trip/cover.jpg": "jpeg",
    "content/pages/about.md": "---\ntitle: About\nimage: team.png\n---\nAbout us.\n",
}


def build_site(write_site: WriteSite, files: dict[str, str] = SITE) -> Path:
    root = write_site(files)
    build(config_for(root), use_cache=False)
    return root / "public"


class Head:
    """A page's meta tags (property or name -> every content) and its JSON-LD, as parsed."""

    def __init__(self, path: Path) -> None:
        tree = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(path.read_bytes())
        self.meta: dict[str, list[str]] = defaultdict(list)
        for element in tree.iter("meta"):
            name = element.get("property") or element.get("name")
            if name:
                self.meta[name].append(element.get("content"))
        self.scripts = [element for element in tree.iter("script")]
        self.data = [json.loads(e.text) for e in self.scripts if e.get("type") == "application/ld+json"]

    def one(self, name: str) -> str | None:
        found = self.meta.get(name, [])
        assert len(found) <= 1, (name, found)
        return found[0] if found else None


@pytest.fixture
def out(write_site: WriteSite) -> Path:
    return build_site(write_site)


def test_a_post_has_its_open_graph_twitter_and_article_tags(out: Path) -> None:
    head = Head(out / "posts/own/index.html")
    url = BASE + "posts/own/"
    assert {name: head.one(name) for name in (
        "og:title", "og:description", "og:url", "og:type", "og:image", "og:site_name", "og:locale",
        "article:published_time", "article:modified_time", "twitter:card", "twitter:title",
        "twitter:description", "twitter:image")} == {
        "og:title": "Own picture", "og:description": "Text.", "og:url": url, "og:type": "article",
        "og:image": BASE + "images/own.png", "og:site_name": "Notes & <Co>", "og:locale": "en_US",
        "article:published_time": "2025-01-28T10:00:00+00:00",
        "article:modified_time": "2025-02-01T00:00:00+00:00",
        "twitter:card": "summary_large_image", "twitter:title": "Own picture",
        "twitter:description": "Text.", "twitter:image": BASE + "images/own.png"}
    assert head.meta["article:tag"] == ["Python", "Web/CSS"]
    assert head.meta["article:section"] == ["Notes", "Essays"]


def test_a_post_is_a_blog_posting(out: Path) -> None:
    [data] = Head(out / "posts/own/index.html").data
    url = BASE + "posts/own/"
    assert data == {
        "@context": "https://schema.org", "@type": "BlogPosting", "headline": "Own picture", "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url}, "inLanguage": "en",
        "datePublished": "2025-01-28T10:00:00+00:00", "dateModified": "2025-02-01T00:00:00+00:00",
        "description": "Text.", "author": {"@type": "Person", "name": "Ann"},
        "keywords": ["Python", "Web/CSS"], "articleSection": ["Notes", "Essays"],
        "image": BASE + "images/own.png",
        "publisher": {"@type": "Organization", "name": "Notes & <Co>", "url": BASE}}


@pytest.mark.parametrize(("page", "image"), [
    ("posts/first/index.html", BASE + "img/b.png?v=1&w=2"),  # the first that is an address
    ("posts/beside/index.html", BASE + "posts/beside/pic.png"),
    ("posts/none/index.html", BASE + "images/site.png"),  # the site's
    ("posts/hostile/index.html", "https://cdn.test.dev/x.png?a=1&b=2"),
    ("posts/trip/index.html", BASE + "posts/trip/cover.jpg"),  # beside the post in its bundle
    ("about/index.html", BASE + "team.png"),  # a page: from the site's root
    ("index.html", BASE + "images/site.png"),
    ("tags/python/index.html", BASE + "images/site.png"),
])
def test_the_picture_is_the_posts_own_else_its_first_else_the_sites(out: Path, page: str, image: str) -> None:
    head = Head(out / page)
    assert (head.one("og:image"), head.one("twitter:image"), head.one("twitter:card")) == \
        (image, image, "summary_large_image")
    if page.startswith("posts/"):
        assert head.data[0]["image"] == image


def test_without_any_picture_the_card_is_a_summary(write_site: WriteSite) -> None:
    files = {**SITE, "sitegen.yaml": SITE["sitegen.yaml"].replace("image: images/site.png\n", "")}
    head = Head(build_site(write_site, files) / "posts/none/index.html")
    assert head.one("twitter:card") == "summary"
    assert head.one("og:image") is head.one("twitter:image") is None and "image" not in head.data[0]
    assert head.data[0]["author"] == {"@type": "Person", "name": "Bob"}


def test_a_hostile_title_never_ends_the_script(out: Path) -> None:
    page = out / "posts/hostile/index.html"
    text = page.read_text("utf-8")
    head = Head(page)
    assert len(head.scripts) == 1, "a title closed the JSON-LD and opened a script of its own"
    [data] = head.data
    assert data["headline"] == HOSTILE and data["description"] == "</SCRIPT> <!-- &"
    script = text[text.index('<script type="application/ld+json">'):]
    script = script[:script.index("</script>")]
    assert "<" not in script[1:] and "&" not in script
    assert head.one("og:title") == HOSTILE


def test_tag_pages_are_collection_pages_with_their_breadcrumbs(out: Path) -> None:
    [data] = Head(out / "tags/web/css/index.html").data
    assert (data["@type"], data["name"], data["url"]) == \
        ("CollectionPage", "Posts tagged Web/CSS", BASE + "tags/web/css/")
    assert data["isPartOf"] == {"@type": "WebSite", "name": "Notes & <Co>", "url": BASE}
    trail = data["breadcrumb"]["itemListElement"]
    assert data["breadcrumb"]["@type"] == "BreadcrumbList"
    assert [(i["@type"], i["position"], i["name"], i["item"]) for i in trail] == [
        ("ListItem", 1, "Home", BASE), ("ListItem", 2, "Tags", BASE + "tags/"),
        ("ListItem", 3, "Web", BASE + "tags/web/"), ("ListItem", 4, "CSS", BASE + "tags/web/css/")]
    [category] = Head(out / "categories/notes/index.html").data
    assert [i["name"] for i in category["breadcrumb"]["itemListElement"]] == ["Home", "Categories", "Notes"]
    assert category["breadcrumb"]["itemListElement"][1]["item"] == BASE + "categories/"


def test_the_home_page_is_the_web_site(out: Path) -> None:
    assert Head(out / "index.html").data == [{
        "@context": "https://schema.org", "@type": "WebSite", "name": "Notes & <Co>", "url": BASE,
        "inLanguage": "en", "description": "A blog", "image": BASE + "images/site.png"}]


def test_the_breadcrumbs_and_the_locale_follow_the_language(write_site: WriteSite) -> None:
    files = {**SITE, "sitegen.yaml": SITE["sitegen.yaml"] + "language: de-AT\n"}
    out = build_site(write_site, files)
    [data] = Head(out / "tags/python/index.html").data
    assert [i["name"] for i in data["breadcrumb"]["itemListElement"]] == \
        ["Startseite", "Schlagwörter", "Python"]
    assert (data["name"], data["inLanguage"]) == ("Beiträge mit dem Schlagwort Python", "de-AT")
    assert Head(out / "index.html").one("og:locale") == "de_AT"


@pytest.mark.parametrize(("value", "shown"), [
    ("javascript:alert(1)", "'javascript:alert(1)'"), ("//cdn.test.dev/x.png", "'//cdn.test.dev/x.png'"),
    ("a picture.png", "'a picture.png'"), ("3", "a number (3)"), ("[a.png]", "a list"), ("'https://'", "'https://'"),
])
def test_a_wrong_image_is_an_error_at_its_line(write_site: WriteSite, value: str, shown: str) -> None:
    root = write_site({"content/posts/a.md": post(image=value), "sitegen.yaml": f"base_url: {BASE}\n"})
    with pytest.raises(BuildError) as caught:
        build(config_for(root), use_cache=False)
    [error] = caught.value.errors
    assert (error.path, error.line, error.col) == ("content/posts/a.md", 4, 8)
    assert error.message == f"image must be an http(s) URL or a path on the site, got {shown}"
    assert error.hint is not None and "image: /images/cover.jpg" in error.hint


def test_a_wrong_site_image_is_an_error(write_site: WriteSite) -> None:
    root = write_site({"sitegen.yaml": "image: data:image/png;base64,AAAA\n"})
    with pytest.raises(BuildError) as caught:
        config_for(root)
    [error] = caught.value.errors
    assert (error.path, error.line, error.col) == ("sitegen.yaml", 1, 8)
    assert error.message.startswith("image must be an image's URL or its path on the site")


def test_the_first_image_of_html() -> None:
    html = ('<p><code>&lt;img src="/no.png"&gt;</code></p><img alt="x" src="data:,x">'
            '<img\nclass="a" src=\'../up.png\'>')
    assert first_image(html, "/posts/a/", "/sub/") == "/posts/up.png"
    assert first_image('<img src="//cdn.test.dev/a.png">', "/x/", "/") == "https://cdn.test.dev/a.png"
    assert first_image('<img src="/sub/a.png"><img src="/b.png">', "/x/", "/sub/") == "/a.png"
    assert first_image('<img src="b.png">', "/2025/a.html", "/") == "/2025/b.png"
    assert first_image("<p>none</p>", "/x/", "/") == ""


def test_json_ld_is_json_without_a_less_than_sign() -> None:
    data: dict[str, Any] = {"a": "</script><!-- & >", "b": ["é", 1]}
    text = json_ld(data)
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == data
