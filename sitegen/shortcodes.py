"""Other generators' template syntax in a post, as that generator would have rendered it.

Jekyll's common Liquid tags ({% highlight %}, {% raw %}, {% post_url %}, {% link %},
{{ site.baseurl }}, {{ "/x" | relative_url }}), Eleventy's ({{ "/x" | url }},
{% image "src", "alt" %}) and Hugo's common shortcodes ({{< figure >}}, {{< ref >}},
{{< relref >}}, {{< youtube >}}, {{< vimeo >}}, {{< highlight >}}) are rewritten into
the Markdown or HTML they stand for, before the Markdown is converted. Nothing is ever run:
anything else stays visible text, with one warning per post. Code (fenced or in backticks) is
left as it is. Links to other posts become links to their files, which the site stage resolves
(and warns about) like any link to a .md file. Line numbers do not move.

Imports prose (to tell code from the text around it).
"""

from __future__ import annotations

import html
import posixpath
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from sitegen.prose import prose_lines

_BLOCK_OPEN = re.compile(r"^\s*(?:\{%-?\s*highlight\s+([\w+#.-]+)[^%]*-?%\}"
                         r"|\{\{<\s*highlight\s+([\w+#.-]+)[^>]*>\}\})\s*$")
_BLOCK_CLOSE = re.compile(r"^\s*(?:\{%-?\s*endhighlight\s*-?%\}|\{\{<\s*/highlight\s*>\}\})\s*$")
_TOKEN = re.compile(
    r"\{%-?\s*(?P<tag>\w+)(?P<args>(?:[^%]|%(?!\}))*?)\s*-?%\}"  # {% tag args %}
    r"|\{\{(?P<open>[<%])\s*(?P<code>/?[\w-]+)(?P<params>(?:[^>%]|[>%](?!\}\}))*?)\s*[>%]\}\}"  # {{< x >}}
    r"|\{\{-?\s*(?P<expr>(?:[^}]|\}(?!\}))*?)\s*-?\}\}")  # {{ expression }}
_END_RAW = re.compile(r"\{%-?\s*endraw\s*-?%\}")
# {{ site.url }}{{ site.baseurl }}: the whole base URL
_SITE_ADDRESS = re.compile(r"\{\{-?\s*site\.url\s*-?\}\}\{\{-?\s*site\.baseurl\s*-?\}\}")
_FILTERED = re.compile(r"""^(["'])(?P<path>[^"']*)\1\s*\|\s*(?P<filter>relative_url|absolute_url|url)$""")
_YOUTUBE_ID = re.compile(r"[\w-]{6,20}")
_VIMEO_ID = re.compile(r"\d{3,12}")
_FIGURE_KEYS = ("src", "link", "alt", "title", "caption", "width", "height", "class")


@dataclass
class _Post:
    """What a rewrite needs to know about the post it is in."""

    source: PurePosixPath
    base_url: str
    shown: list[tuple[int, str]] = field(default_factory=list)  # unknown syntax: (line, text)


def rewrite(text: str, source: PurePosixPath, base_url: str) -> tuple[str, list[tuple[int, str]]]:
    """`text` with the syntax this module knows rewritten; and, for the first piece of syntax it
    does not know, its line index in `text` and the piece (none: empty list)."""
    if "{%" not in text and "{{" not in text:
        return text, []
    post = _Post(source, base_url)
    lines = _blocks(text.split("\n"))
    text = "\n".join(lines)
    closings = [index for index, line in enumerate(lines) if _END_RAW.search(line)]
    raw = False
    for index, parts in prose_lines(text):
        if "{" not in lines[index] and not raw:
            continue
        closed_later = bool(closings) and closings[-1] >= index  # on this line or a later one
        for n in range(0, len(parts), 2):  # the even parts are prose, the odd ones code
            parts[n], raw = _inline(parts[n], index, post, raw, closed_later)
        lines[index] = "".join(parts)
    return "\n".join(lines), post.shown[:1]


def _blocks(lines: list[str]) -> list[str]:
    """{% highlight lang %} ... {% endhighlight %} (and Hugo's) as fenced code, outside fences."""
    text = "\n".join(lines)
    if "highlight" not in text:
        return lines
    out = list(lines)
    prose = {index for index, parts in prose_lines(text) if len(parts) == 1}
    index = 0
    while index < len(lines):
        opening = _BLOCK_OPEN.match(lines[index]) if index in prose else None
        close = next((i for i in range(index + 1, len(lines)) if _BLOCK_CLOSE.match(lines[i])), None) \
            if opening else None
        if opening and close is not None:
            fence = "~~~" if any("```" in line for line in lines[index:close]) else "```"
            out[index] = fence + (opening.group(1) or opening.group(2))
            out[close] = fence
            index = close
        index += 1
    return out


def _inline(prose: str, index: int, post: _Post, raw: bool, closed_later: bool) -> tuple[str, bool]:
    """A piece of prose with its tags rewritten; whether a {% raw %} is still open after it.
    `closed_later`: an {% endraw %} follows on a later line."""
    out, at = [], 0
    prose = _SITE_ADDRESS.sub(lambda _: post.base_url.rstrip("/"), prose)
    for token in _TOKEN.finditer(prose):
        out.append(prose[at:token.start()])
        at = token.end()
        tag = token.group("tag")
        if raw:
            out.append("" if tag == "endraw" else token.group())
            raw = tag != "endraw"
            continue
        if tag == "raw" and closed_later:  # an unclosed one stays text
            raw = True
            continue
        made = _rewritten(token, post)
        if made is None:
            post.shown.append((index, token.group()))
            made = token.group()
        out.append(made)
    out.append(prose[at:])
    return "".join(out), raw


def _rewritten(token: re.Match[str], post: _Post) -> str | None:
    if token.group("tag"):
        liquid = _LIQUID.get(token.group("tag"))
        return liquid(token.group("args").strip(), post) if liquid else None
    if token.group("code"):
        shortcode = _HUGO.get(token.group("code"))
        if shortcode is None:
            return None
        try:
            words = shlex.split(token.group("params"))
        except ValueError:
            return None
        named = dict(word.split("=", 1) for word in words if "=" in word)
        return shortcode([w for w in words if "=" not in w], named, post)
    return _expression(token.group("expr"), post)


def _expression(expression: str, post: _Post) -> str | None:
    site_path = posixpath.normpath("/" + post.base_url.split("://", 1)[-1].partition("/")[2]).rstrip("/")
    if expression == "site.baseurl":
        return ""  # root-relative links get the site's path when the Markdown is converted
    if expression == "site.url":
        return post.base_url.rstrip("/").removesuffix(site_path) if site_path else post.base_url.rstrip("/")
    filtered = _FILTERED.match(expression)
    if filtered is None:
        return None
    path = filtered.group("path")
    if re.match(r"[A-Za-z][A-Za-z0-9+.-]*:|//", path):  # an address elsewhere: as it is
        return path
    path = "/" + path.lstrip("/")
    return post.base_url.rstrip("/") + path if filtered.group("filter") == "absolute_url" else path


def _post_url(args: str, post: _Post) -> str | None:
    name = args.strip().strip("\"'").strip("/")
    if not name:
        return None
    return _link_to(f"content/posts/{name}.md", post)


def _link(args: str, post: _Post) -> str | None:
    path = args.strip().strip("\"'").lstrip("/")
    if not path or "{" in path:
        return None
    if path.startswith("_posts/"):
        return _link_to("content/posts/" + path.removeprefix("_posts/"), post)
    if path.endswith((".md", ".markdown")):
        return _link_to("content/pages/" + path, post)
    return "/" + path  # a file of the site (static/): root-relative, the base path added later


def _image(args: str, post: _Post) -> str | None:
    """Eleventy's image shortcode as its documentation writes it: {% image "src", "alt" %}."""
    try:
        words = [w.rstrip(",") for w in shlex.split(args.replace(",", " , ")) if w != ","]
    except ValueError:
        return None
    if len(words) != 2 or not words[0]:
        return None
    src, alt = words
    if not re.match(r"[A-Za-z][A-Za-z0-9+.-]*:|/", src):  # the site's root, as Eleventy reads it
        src = "/" + src.removeprefix("./")
    return f'<img src="{html.escape(src, quote=True)}" alt="{html.escape(alt, quote=True)}">'


def _link_to(path: str, post: _Post) -> str:
    """A link from the post to another content file, as the site stage resolves it."""
    return posixpath.relpath(path, str(post.source.parent))


def _ref(words: list[str], named: dict[str, str], post: _Post) -> str | None:
    target = words[0] if words else named.get("path", "")
    path, _, fragment = target.partition("#")
    if not path:
        return f"#{fragment}" if fragment else None
    path = path.rstrip("/")
    if not path.endswith(".md"):
        path += ".md"
    full = "content/" + path.lstrip("/") if "/" in path else str(post.source.parent / path)
    return _link_to(full, post) + (f"#{fragment}" if fragment else "")


def _figure(words: list[str], named: dict[str, str], post: _Post) -> str | None:
    if "src" not in named or set(named) - set(_FIGURE_KEYS) or words:
        return None

    def attr(name: str) -> str:
        return html.escape(named[name], quote=True)

    image = f'<img src="{attr("src")}" alt="{attr("alt") if "alt" in named else ""}"' + "".join(
        f' {k}="{attr(k)}"' for k in ("width", "height") if k in named) + ">"
    if "link" in named:
        image = f'<a href="{attr("link")}">{image}</a>'
    caption = "".join(f"<{tag}>{attr(key)}</{tag}>" for key, tag in (("title", "h4"), ("caption", "p"))
                      if key in named)
    cls = f' class="{attr("class")}"' if "class" in named else ""
    return f"<figure{cls}>{image}" + (f"<figcaption>{caption}</figcaption>" if caption else "") + "</figure>"


def _video(host: str, pattern: re.Pattern[str]) -> Callable[[list[str], dict[str, str], _Post], str | None]:
    def embed(words: list[str], named: dict[str, str], post: _Post) -> str | None:
        video = named.get("id") or (words[0] if words else "")
        if not pattern.fullmatch(video):
            return None
        title = html.escape(named.get("title", "Video"), quote=True)
        return (f'<iframe src="{host}{video}" title="{title}" width="560" height="315" '
                'allowfullscreen loading="lazy"></iframe>')
    return embed


_LIQUID: dict[str, Callable[[str, _Post], str | None]] = {"post_url": _post_url, "link": _link,
                                                          "image": _image}
_HUGO: dict[str, Callable[[list[str], dict[str, str], _Post], str | None]] = {
    "ref": _ref, "relref": _ref, "figure": _figure,
    "youtube": _video("https://www.youtube-nocookie.com/embed/", _YOUTUBE_ID),
    "vimeo": _video("https://player.vimeo.com/video/", _VIMEO_ID),
}
