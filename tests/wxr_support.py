"""Small WordPress exports written inline, and the shared real ones (read in place, never copied)."""

from __future__ import annotations

import html
from pathlib import Path

import pytest

from tests.conftest import REPO

SHARED = (REPO.parent / "shared" / "wxr", Path("/work/shared/wxr"))
EXPORTS = ("nikola-wordpress_export_example.xml", "jekyll-import-wordpressdotcom-2025.xml",
           "ghost-migrate-sample-malformed.xml")


def shared_export(name: str) -> Path:
    """A real export from shared/wxr; the test is skipped where it is absent."""
    for folder in SHARED:
        if (folder / name).is_file():
            return folder / name
    pytest.skip(f"{name} not found in {', '.join(map(str, SHARED))}")


def item(title: str = "A post", name: str = "a-post", *, date: str = "2020-01-02 10:00:00",
         gmt: str | None = "2020-01-02 09:00:00", link: str | None = None, kind: str = "post",
         status: str = "publish", content: str = "Hello.", excerpt: str = "", terms: tuple[str, ...] = (),
         post_id: str = "1", guid: str | None = None, modified_gmt: str = "", parent: str = "0",
         attachment: str = "", more: str = "") -> str:
    """One <item>; `terms`: "tag:slug:Name" or "category:slug:Name"."""
    day = date[:10].replace("-", "/")
    link = link if link is not None else f"http://blog.test/{day}/{name}/"
    categories = ""
    for term in terms:
        taxonomy, slug, term_name = term.split(":", 2)
        domain = "post_tag" if taxonomy == "tag" else "category"
        categories += (f'<category domain="{domain}" nicename="{slug}">'
                       f"<![CDATA[{term_name}]]></category>")
    return f"""<item>
<title>{html.escape(title)}</title>
<link>{html.escape(link)}</link>
<dc:creator><![CDATA[ann]]></dc:creator>
<guid isPermaLink="false">{html.escape(guid or f"http://blog.test/?p={post_id}")}</guid>
<content:encoded><![CDATA[{content}]]></content:encoded>
<excerpt:encoded><![CDATA[{excerpt}]]></excerpt:encoded>
<wp:post_id>{post_id}</wp:post_id>
<wp:post_date>{date}</wp:post_date>
<wp:post_date_gmt>{gmt if gmt is not None else "0000-00-00 00:00:00"}</wp:post_date_gmt>
<wp:post_modified_gmt>{modified_gmt}</wp:post_modified_gmt>
<wp:post_name>{name}</wp:post_name>
<wp:status>{status}</wp:status>
<wp:post_parent>{parent}</wp:post_parent>
<wp:post_type>{kind}</wp:post_type>
{f"<wp:attachment_url>{attachment}</wp:attachment_url>" if attachment else ""}
{categories}{more}
</item>"""


def export(*items: str, terms: str = "", link: str = "http://blog.test", language: str = "en-US",
           version: str = "1.2") -> str:
    """A whole export around `items`; `terms`: <wp:category> and <wp:tag> elements."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/{version}/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:wp="http://wordpress.org/export/{version}/">
<channel>
<title>A blog</title>
<link>{link}</link>
<description>Notes</description>
<language>{language}</language>
<wp:wxr_version>{version}</wp:wxr_version>
<wp:author><wp:author_login>ann</wp:author_login>
<wp:author_display_name><![CDATA[Ann Author]]></wp:author_display_name></wp:author>
{terms}
{"".join(items)}
</channel>
</rss>
"""


def tag(slug: str, name: str, description: str = "") -> str:
    return (f"<wp:tag><wp:tag_slug>{slug}</wp:tag_slug><wp:tag_name><![CDATA[{name}]]></wp:tag_name>"
            f"<wp:tag_description><![CDATA[{description}]]></wp:tag_description></wp:tag>")


def category(slug: str, name: str, parent: str = "", description: str = "") -> str:
    return (f"<wp:category><wp:category_nicename>{slug}</wp:category_nicename>"
            f"<wp:category_parent>{parent}</wp:category_parent><wp:cat_name><![CDATA[{name}]]></wp:cat_name>"
            f"<wp:category_description><![CDATA[{description}]]></wp:category_description></wp:category>")
