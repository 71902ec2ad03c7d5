"""New things from nothing: a site folder (sitegen init) and a post file (sitegen new).

Imports config, errors, models, urls.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

from sitegen.config import CONFIG_FILE
from sitegen.errors import SitegenError
from sitegen.models import Config
from sitegen.urls import slugify

_CONFIG_TEXT = """title: My blog
description: Notes and essays
author: ""
# Set base_url to the address the site will be published at before you
# publish it: feeds, the sitemap and canonical links are built on it, and
# sitegen build warns until it is set.
# base_url: https://your.domain/
timezone: UTC
posts_per_page: 10
"""


def init_site(directory: Path, today: date) -> None:
    """A new site in `directory`: sitegen.yaml, one post, templates/, static/ and content/pages/."""
    if (directory / CONFIG_FILE).exists():
        raise SitegenError(f"{directory / CONFIG_FILE} already exists; nothing was changed")
    files = {
        CONFIG_FILE: _CONFIG_TEXT,
        # named as `sitegen new` names posts, so a second "Hello, world" is refused, not a clash
        "content/posts/hello-world.md": (
            f"---\ntitle: Hello, world\ndate: {today.isoformat()}\ntags: [meta]\n---\n\nThis is the "
            "first post of the blog. Edit it in content/posts/, then run `sitegen build`.\n"),
        ".gitignore": "public/\n.public.lock\n.sitegen-cache/\n",
    }
    for name, text in files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for folder in ("templates", "static", "content/pages"):
        (directory / folder).mkdir(parents=True, exist_ok=True)


def new_post(config: Config, title: str, tags: str, *, draft: bool, now: datetime) -> Path:
    """Write content/posts/<slug>.md with front matter for `title` and the comma-separated
    `tags`, dated `now`; return its path. ValueError for a title with nothing to make a URL of."""
    slug = slugify(title)
    if not slug:
        raise ValueError("the title needs at least one letter or digit")
    path = config.content_dir / "posts" / f"{slug}.md"
    if path.exists():
        raise SitegenError(f"{path} already exists; choose another title")
    names = [" ".join(t.split()) for t in tags.split(",") if t.strip()]
    lines = ["---", f"title: {json.dumps(title, ensure_ascii=False)}", f"date: {now:%Y-%m-%d %H:%M}"]
    if names:
        lines.append("tags: [" + ", ".join(json.dumps(n, ensure_ascii=False) for n in names) + "]")
    if draft:
        lines.append("draft: true")
    # A comment in the front matter, not a sentence in the body: left in, it is never published
    lines += ["# Write the post below the closing ---. A line holding only <!--more--> ends the",
              "# summary shown on the home and tag pages.", "---", "", ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
