"""WordPress shortcodes as the HTML they stand for, read as WordPress reads them.

`[caption]` becomes a figure with its caption, `[gallery]` the images it names (attachments in
the export), `[audio]` and `[video]` media elements, `[embed]`, `[youtube]`, `[vimeo]` and a
YouTube or Vimeo address alone on a line a player the sanitizer allows, and `[code]`,
`[sourcecode]` and SyntaxHighlighter's language shortcodes (`[python]`) a <pre> block that
becomes fenced code. Shortcodes with no equivalent stay as text and are reported. Pure: text in,
text and what was done out. Imports nothing from sitegen.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

# [name attributes], [name attributes /], [[escaped]]; attributes never hold ']' (as in WordPress)
_OPEN = re.compile(r"\[(?P<escaped>\[?)(?P<name>[A-Za-z][\w-]*)(?![\w-])(?P<attributes>(?:[^\]\[/]|/(?!\]))*)"
                   r"(?P<closed>/?)\](?P<escaped_end>\]?)")
_ATTRIBUTE = re.compile(r"""([\w-]+)\s*=\s*"([^"]*)"|([\w-]+)\s*=\s*'([^']*)'|([\w-]+)\s*=\s*([^\s'"]+)"""
                        r"""|"([^"]*)"|'([^']*)'|(\S+)""")
_IMAGE = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_LINKED_IMAGE = re.compile(r"(?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?", re.IGNORECASE)
_YOUTUBE_ID = re.compile(r"[\w-]{11}")
_ALONE_URL = re.compile(r"^(?P<lead>[ \t]*(?:<div class=\"wp-block-embed__wrapper\">\s*)?)"
                        r"(?P<url>https?://(?:www\.|m\.)?(?:youtube\.com|youtu\.be|vimeo\.com)/\S+?)"
                        r"(?P<trail>\s*(?:</div>)?[ \t]*)$", re.MULTILINE)
CODE_NAMES = frozenset({"code", "sourcecode", "source"})
# SyntaxHighlighter Evolved's shortcodes named after their language; enclosing only
CODE_LANGUAGES = frozenset({"bash", "c", "cpp", "csharp", "css", "diff", "go", "html", "java", "javascript",
                            "js", "json", "perl", "php", "plain", "powershell", "python", "py", "ruby",
                            "rust", "scala", "shell", "sql", "text", "typescript", "vb", "xml", "yaml"})
CONVERTED = frozenset({"caption", "wp_caption", "gallery", "audio", "video", "embed", "youtube", "vimeo"})


@dataclass(frozen=True, slots=True)
class Attachment:
    url: str
    caption: str = ""
    title: str = ""
    alt: str = ""
    parent: str = ""
    order: tuple[int, int] = (0, 0)  # menu order, then id: WordPress's default gallery order


@dataclass
class Done:
    """What a post's shortcodes became: converted names, and those kept as text (with why)."""

    converted: list[str] = field(default_factory=list)
    left: list[tuple[str, str]] = field(default_factory=list)  # (the shortcode as written, why)


def code_blocks(text: str, done: Done) -> str:
    """`[code]`, `[sourcecode lang=x]`, `[python]`... as <pre><code class="language-x">, before
    wpautop (which leaves <pre> alone), so the code keeps its lines."""
    names = CODE_NAMES | CODE_LANGUAGES
    if "[" not in text:
        return text

    def block(name: str, attributes: Mapping[str, str], content: str | None) -> str | None:
        if content is None:
            return None
        language = attributes.get("language") or attributes.get("lang") or (
            "" if name in CODE_NAMES else name)
        language = "" if language.lower() in ("plain", "text") else re.sub(r"[^\w+#.-]", "", language.lower())
        code = html.unescape(content.strip("\n")).replace("\r\n", "\n")
        label = f' class="language-{language}"' if language else ""
        done.converted.append(name)
        return f"\n\n<pre><code{label}>{html.escape(code, quote=False)}</code></pre>\n\n"

    return _rewrite(text, names, block, enclosing_only=CODE_LANGUAGES)


def media(text: str, attachments: Mapping[str, Attachment], post_id: str, done: Done) -> str:
    """The other shortcodes this module knows as HTML; unknown ones left as text and recorded."""
    if "[" not in text:
        return text

    def convert(name: str, attributes: Mapping[str, str], content: str | None) -> str | None:
        made = {"caption": _caption, "wp_caption": _caption, "gallery": _gallery, "audio": _audio,
                "video": _video, "embed": _embed, "youtube": _youtube, "vimeo": _vimeo}[name](
                    attributes, content or "", attachments, post_id, done)
        if made is not None:
            done.converted.append(name)
        return made

    return _rewrite(text, CONVERTED, convert, enclosing_only=frozenset(), unknown=done)


def auto_embeds(text: str, done: Done) -> str:
    """A YouTube or Vimeo address alone on its line as the player WordPress shows there."""
    return _ALONE_URL.sub(lambda m: _auto_embed(m, done), text)


def _rewrite(text: str, names: frozenset[str],
             convert: Callable[[str, Mapping[str, str], str | None], str | None],
             enclosing_only: frozenset[str], unknown: Done | None = None) -> str:
    out: list[str] = []
    at = 0
    while (match := _OPEN.search(text, at)) is not None:
        name = match["name"].lower()
        out.append(text[at:match.start()])
        at = match.end()
        if match["escaped"] and match["escaped_end"]:  # [[name]] is how WordPress writes [name] as text
            # a pass unescapes only its own names: [[gallery]] made [gallery] here would be a
            # gallery to the pass after (the last pass, which reports, unescapes every name)
            out.append(match[0][1:-1] if name in names or unknown is not None else match[0])
            continue
        content = None
        closing = re.compile(rf"\[/{re.escape(match['name'])}\]", re.IGNORECASE)
        end = closing.search(text, match.end()) if not match["closed"] else None
        if end is not None:
            content = text[match.end():end.start()]
        if name not in names or (name in enclosing_only and content is None):
            if unknown is not None and name not in CODE_NAMES | CODE_LANGUAGES \
                    and _looks_like_shortcode(match, end):
                unknown.left.append((match[0], "sitegen has no equivalent"))
            out.append(match[0][:-1] if match["escaped_end"] else match[0])
            at = match.end() - (1 if match["escaped_end"] else 0)
            continue
        made = convert(name, attributes(match["attributes"]), content)
        whole_end = end.end() if end is not None else match.end()
        if made is None:
            if unknown is not None:
                unknown.left.append((text[match.start():whole_end][:80], "it names nothing the export has"))
            out.append(text[match.start():whole_end])
        else:
            out.append(made)
        at = whole_end
    out.append(text[at:])
    return "".join(out)


def _looks_like_shortcode(match: re.Match[str], closing: re.Match[str] | None) -> bool:
    """Brackets around a word are often plain text ([sic], [1]); a shortcode has attributes, a
    closing tag, a slash before its ']', or a name with '_' or '-'."""
    return closing is not None or "=" in match["attributes"] or bool(match["closed"]) \
        or any(c in match["name"] for c in "_-")


def attributes(text: str) -> dict[str, str]:
    """A shortcode's attributes as WordPress parses them: named ones by lowercased name, the
    others by position ("0", "1"...). `[youtube=URL]` gives its URL at "0"."""
    found: dict[str, str] = {}
    text = text.strip()
    if text.startswith("="):
        return {"0": html.unescape(text[1:].strip())}
    position = 0
    for match in _ATTRIBUTE.finditer(text):
        name = match[1] or match[3] or match[5]
        if name:
            found[name.lower()] = html.unescape(match[2] if match[1] else match[4] if match[3] else match[6])
        else:
            found[str(position)] = html.unescape(match[7] if match[7] is not None else
                                                 match[8] if match[8] is not None else match[9])
            position += 1
    return found


def _escape(value: str) -> str:
    return html.escape(value, quote=True)


def _caption(attributes: Mapping[str, str], content: str, attachments: Mapping[str, Attachment],
             post_id: str, done: Done) -> str | None:
    image = _LINKED_IMAGE.search(content)
    if image is None:
        return None
    caption = attributes.get("caption") or (content[:image.start()] + content[image.end():]).strip()
    align = attributes.get("align", "")
    classes = " ".join(filter(None, ("wp-caption", re.sub(r"[^\w -]", "", align))))
    figcaption = f"<figcaption>{caption}</figcaption>" if caption else ""
    return f'\n\n<figure class="{classes}">{image[0].strip()}{figcaption}</figure>\n\n'


def _gallery(attributes: Mapping[str, str], content: str, attachments: Mapping[str, Attachment],
             post_id: str, done: Done) -> str | None:
    listed = attributes.get("ids") or attributes.get("include") or ""
    ids = [i.strip() for i in listed.split(",") if i.strip()]
    if not ids:
        excluded = {i.strip() for i in attributes.get("exclude", "").split(",")}
        children = [(a.order, key) for key, a in attachments.items()
                    if a.parent == post_id and key not in excluded and _is_image(a.url)]
        ids = [key for _, key in sorted(children)]
    missing = [i for i in ids if i not in attachments]
    if missing:
        done.left.append((f"[gallery] image {', '.join(missing)}", "the export has no such attachment"))
    found = [attachments[i] for i in ids if i in attachments]
    if not found:
        return None
    linked = attributes.get("link", "") != "none"
    figures = []
    for image in found:
        img = f'<img src="{_escape(image.url)}" alt="{_escape(image.alt or image.title)}">'
        if linked:
            img = f'<a href="{_escape(image.url)}">{img}</a>'
        caption = f"<figcaption>{_escape(image.caption)}</figcaption>" if image.caption else ""
        figures.append(f"<figure>{img}{caption}</figure>")
    return '\n\n<figure class="gallery">' + "".join(figures) + "</figure>\n\n"


def _is_image(url: str) -> bool:
    return urlsplit(url).path.lower().endswith((".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".svg"))


def _audio(attributes: Mapping[str, str], content: str, attachments: Mapping[str, Attachment],
           post_id: str, done: Done) -> str | None:
    sources = [attributes[k] for k in ("src", "mp3", "m4a", "ogg", "wav", "wma") if attributes.get(k)]
    if not sources:
        return None
    inner = "".join(f'<source src="{_escape(s)}">' for s in sources)
    link = f'<a href="{_escape(sources[0])}">{_escape(_file_name(sources[0]))}</a>'
    return f"\n\n<figure><audio controls>{inner}{link}</audio></figure>\n\n"


def _video(attributes: Mapping[str, str], content: str, attachments: Mapping[str, Attachment],
           post_id: str, done: Done) -> str | None:
    sources = [attributes[k] for k in ("src", "mp4", "m4v", "webm", "ogv", "wmv", "flv") if attributes.get(k)]
    if not sources:
        return None
    player = _player(sources[0], attributes)
    if player is not None:
        return player
    size = "".join(f' {k}="{_escape(attributes[k])}"' for k in ("width", "height", "poster")
                   if attributes.get(k))
    inner = "".join(f'<source src="{_escape(s)}">' for s in sources)
    link = f'<a href="{_escape(sources[0])}">{_escape(_file_name(sources[0]))}</a>'
    return f"\n\n<figure><video controls{size}>{inner}{link}</video></figure>\n\n"


def _embed(attributes: Mapping[str, str], content: str, attachments: Mapping[str, Attachment],
           post_id: str, done: Done) -> str | None:
    url = html.unescape(content.strip() or attributes.get("src", "") or attributes.get("0", ""))
    if not url.startswith(("http://", "https://")):
        return None
    player = _player(url, attributes)
    return player if player is not None else f'\n\n<p><a href="{_escape(url)}">{_escape(url)}</a></p>\n\n'


def _youtube(attributes: Mapping[str, str], content: str, attachments: Mapping[str, Attachment],
             post_id: str, done: Done) -> str | None:
    given = attributes.get("0") or attributes.get("id") or attributes.get("url") or content.strip()
    if _YOUTUBE_ID.fullmatch(given):
        given = f"https://www.youtube.com/watch?v={given}"
    return _player(given, attributes)


def _vimeo(attributes: Mapping[str, str], content: str, attachments: Mapping[str, Attachment],
           post_id: str, done: Done) -> str | None:
    given = attributes.get("0") or attributes.get("id") or attributes.get("url") or content.strip()
    if given.isdigit():
        given = f"https://vimeo.com/{given}"
    return _player(given, attributes)


def _auto_embed(match: re.Match[str], done: Done) -> str:
    """A YouTube or Vimeo address alone on its line, which WordPress shows as the player."""
    player = _player(html.unescape(match["url"]), {})
    if player is None:
        return match[0]
    done.converted.append("embed")
    return match["lead"].replace('<div class="wp-block-embed__wrapper">', "") + player.strip() \
        + match["trail"].replace("</div>", "")


def _player(url: str, attributes: Mapping[str, str]) -> str | None:
    """The iframe of a YouTube or Vimeo address (hosts the sanitizer allows by default)."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").removeprefix("www.").removeprefix("m.")
    video = None
    if host in ("youtube.com", "youtube-nocookie.com"):
        query = parse_qs(parts.query)
        video = query["v"][0] if "v" in query else parts.path.rstrip("/").rsplit("/", 1)[-1]
        source = "https://www.youtube.com/embed/"
    elif host == "youtu.be":
        video, source = parts.path.strip("/"), "https://www.youtube.com/embed/"
    elif host in ("vimeo.com", "player.vimeo.com"):
        video, source = parts.path.rstrip("/").rsplit("/", 1)[-1], "https://player.vimeo.com/video/"
    if not video or not re.fullmatch(r"[\w-]+", video):
        return None
    width = attributes.get("width") or attributes.get("w") or "560"
    height = attributes.get("height") or attributes.get("h") or "315"
    size = f' width="{width}" height="{height}"' if width.isdigit() and height.isdigit() else ""
    return (f'\n\n<figure class="wp-embed"><iframe src="{source}{video}"{size} title="Video" '
            'allowfullscreen loading="lazy"></iframe></figure>\n\n')


def _file_name(url: str) -> str:
    return urlsplit(url).path.rsplit("/", 1)[-1] or url
