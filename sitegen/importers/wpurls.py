"""What an export says about its site's addresses and clock: the post permalink structure most
posts' links follow, as a sitegen pattern; each old link as a site path; where a post's link to
an old address leads now; the time zone that explains every post's offset between post_date and
post_date_gmt.

Pure, but for reading the system's zone table to rank time zones by country. Imports urls and
fields (the rule for what an alias can hold).
"""

from __future__ import annotations

import re
import zoneinfo
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urljoin, urlsplit

from sitegen.permalinks import permalink_problem
from sitegen.urls import url_key

DEFAULT_POST = "/posts/:slug/"
_COMMENTS = re.compile(r"comments|respond|comment-\d+")
_DATE_PARTS = ("year", "month", "day")
_WORDPRESS = {":year": "%year%", ":month": "%monthnum%", ":day": "%day%", ":slug": "%postname%"}


@dataclass(frozen=True, slots=True)
class Sample:
    """One published post, as the permalink structure is inferred from it."""

    path: str  # the old link's path below the site's, percent-decoded: /2020/01/hello/
    slug: str
    day: date  # the post's local date, as WordPress put it in the link
    post_id: str


@dataclass(frozen=True, slots=True)
class Inferred:
    pattern: str  # sitegen's: /:year/:month/:slug/
    wordpress: str  # WordPress's: /%year%/%monthnum%/%postname%/
    fits: int  # posts whose link it gives
    total: int


@dataclass(frozen=True, slots=True)
class Zone:
    name: str
    why: str
    misses: int  # posts whose offset the zone does not give


@dataclass(frozen=True, slots=True)
class OldSite:
    """The old site's addresses the import knows, and where each leads now: a site path, which
    a build gives the new base URL's path, or why nothing is there."""

    base_url: str
    addresses: Mapping[str, tuple[str, str]]  # key -> (site path now, "") or ("", why none)

    @staticmethod
    def key(path: str) -> str:
        """The key of an old path (percent-decoded, below the site's): /x and /X/ are /x/."""
        last = path.rsplit("/", 1)[-1]
        return url_key(path if path.endswith("/") or "." in last else path + "/")

    @staticmethod
    def id_key(post_id: str) -> str:
        return f"?{post_id}"

    def relink(self, href: str, page: str) -> tuple[str, str] | None:
        """A link of the page at `page` (its old address): (the site path it leads to now, "") for
        an address the import knows, (href, why) for another of the old site's, None for a link
        elsewhere (or to an upload, which --uploads moves)."""
        href = href.strip()
        parts = urlsplit(href)
        if not href or href.startswith("#") or parts.scheme.lower() not in ("", "http", "https"):
            return None
        target, base = urlsplit(urljoin(page or self.base_url, href)), urlsplit(self.base_url)
        host = (base.hostname or "").removeprefix("www.")
        if not host or (target.hostname or "").removeprefix("www.") != host:
            return None
        on_site = target._replace(scheme=base.scheme, netloc=base.netloc, query="", fragment="")
        path = site_path(on_site.geturl(), self.base_url)
        if path is None:
            return href, "it is on the old site's host, outside the blog"
        if "/wp-content/" in f"{path}/":
            return None
        # the old site's comments had these anchors; the new one has no comments
        kept = target.fragment and not _COMMENTS.fullmatch(target.fragment)
        fragment = f"#{target.fragment}" if kept else ""
        if target.query:
            query = parse_qs(target.query)
            post_id = (query.get("p") or query.get("page_id") or [""])[0]
            if path != "/" or not post_id or len(query) > 1:
                return href, "an address with a query, which no static page answers"
            new, why = self.addresses.get(self.id_key(post_id),
                                          ("", f"the export has no post or page {post_id}"))
        else:
            new, why = self.addresses.get(self.key(path), ("", "not an address the import knows"))
        if not new:
            return href, why
        return quote(new, safe="/-._~!$&'*+,;=:@%") + fragment, ""


def base_url(link: str) -> str:
    """The site's address from the channel's link, its path kept: https://x.org/blog/."""
    parts = urlsplit(link.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}/"


def site_path(link: str, base_url: str) -> str | None:
    """An item's link as a path below the site (the base URL's path taken off), percent-decoded;
    None for a link to another host, one outside the site's path, or one with a query string."""
    if not link:
        return None
    parts = urlsplit(urljoin(base_url, link.strip()))
    base = urlsplit(base_url)
    if parts.query or (parts.hostname or "") != (base.hostname or ""):
        return None
    root = base.path if base.path.endswith("/") else base.path + "/"
    path = parts.path or "/"
    if not (path + ("/" if not path.endswith("/") else "")).startswith(root):
        return None
    return "/" + unquote(path[len(root):])


def segments(sample: Sample) -> str:
    """The permalink pattern one post's link follows, in sitegen's placeholders; WordPress's
    %post_id% as :post_id, which sitegen has not (so such a pattern is never chosen)."""
    parts = sample.path.strip("/").split("/")
    found: list[str] = []
    day = sample.day
    dated = {"year": f"{day.year:04d}", "month": f"{day.month:02d}", "day": f"{day.day:02d}"}
    used: set[str] = set()
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        token = part
        if last and sample.slug and part == sample.slug:
            token = ":slug"
        elif last and sample.slug and part in (f"{sample.slug}.html", f"{sample.slug}.htm"):
            token = ":slug" + part[len(sample.slug):]
        else:
            for name in _DATE_PARTS:
                if name not in used and part == dated[name]:
                    token = f":{name}"
                    used.add(name)
                    break
            else:
                if sample.post_id and part == sample.post_id:
                    token = ":post_id"
        found.append(token)
    pattern = "/" + "/".join(found)
    return pattern if pattern.endswith((".html", ".htm")) or pattern == "/" else pattern + "/"


def infer_post_pattern(samples: Sequence[Sample]) -> Inferred:
    """The pattern most posts' links follow, among those sitegen can write; ties go to the
    pattern first in sorted order. With no usable pattern, the default."""
    votes = Counter(segments(s) for s in samples)
    usable = [(-n, p) for p, n in votes.items() if ":slug" in p and ":post_id" not in p
              and permalink_problem(p, "post") is None]
    if not usable:
        return Inferred(DEFAULT_POST, "", 0, len(samples))
    fits, pattern = min(usable)
    wordpress = pattern
    for placeholder, structure in _WORDPRESS.items():
        wordpress = wordpress.replace(placeholder, structure)
    return Inferred(pattern, wordpress, -fits, len(samples))


def infer_timezone(pairs: Sequence[tuple[datetime, datetime]], language: str) -> Zone:
    """The time zone of the site: from each item's (post_date, post_date_gmt). One offset all
    along is a fixed zone (WordPress's "UTC+2" setting, or a place without summer time in the
    export's years); offsets that change are the IANA zone that gives every one of them on its
    day, one in the language's country first (de-DE: Germany's)."""
    moments = Counter((gmt.replace(minute=0, second=0, microsecond=0), local - gmt) for local, gmt in pairs)
    weights = Counter[timedelta]()
    for (_, offset), times in moments.items():
        weights[offset] += times
    if not weights:
        return Zone("UTC", "the export has no post with both its local and its UTC time", 0)
    shown = ", ".join(_offset(o) for o in sorted(weights))
    fixed = [name for offset, _ in weights.most_common() if (name := _fixed(offset)) is not None]
    if len(weights) == 1 and fixed:
        return Zone(fixed[0], f"every post is at UTC{_offset(next(iter(weights)))}", 0)
    best, misses = "UTC", sum(moments.values()) + 1
    # the first of equals wins: a fixed offset (the simplest account), then the language's country
    for name in [*fixed, *_ranked_zones(language)]:
        zone = zoneinfo.ZoneInfo(name)
        missed = 0
        for (gmt, offset), times in moments.items():
            if gmt.replace(tzinfo=UTC).astimezone(zone).utcoffset() != offset:
                missed += times
                if missed >= misses:
                    break
        if missed < misses:
            best, misses = name, missed
            if not misses:
                break
    if misses == 0:
        return Zone(best, f"its offsets ({shown}) are those of every post on its day", 0)
    return Zone(best, f"it gives the offset of most posts ({shown} in the export); no zone gives all", misses)


def _offset(delta: timedelta) -> str:
    minutes = int(delta.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _fixed(delta: timedelta) -> str | None:
    """The IANA name of a fixed offset (Etc/GMT-2 is UTC+2: POSIX signs are reversed)."""
    seconds = int(delta.total_seconds())
    if seconds == 0:
        return "UTC"
    if seconds % 3600 or not -12 <= seconds // 3600 <= 14:
        return None
    return f"Etc/GMT{-seconds // 3600:+d}"


def _ranked_zones(language: str) -> list[str]:
    """Every IANA zone: the language's country's first (de-DE: DE), then the zone table's, then the rest."""
    country = language.replace("_", "-").split("-")[1].upper() if "-" in language.replace("_", "-") else ""
    table = _zone_table()
    known = sorted(name for name in zoneinfo.available_timezones()
                   if not name.startswith(("posix/", "right/")) and name not in ("localtime", "Factory"))
    order = {name: index for index, (_, name) in enumerate(table)}
    local = {name for code, name in table if code == country}
    return sorted(known, key=lambda name: (name not in local, name not in order, order.get(name, 0), name))


def _zone_table() -> list[tuple[str, str]]:
    """(country code, zone) from the system's zone.tab, in its order; empty where there is none."""
    for folder in zoneinfo.TZPATH:
        path = Path(folder) / "zone.tab"
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError:
            continue
        rows = [line.split("\t") for line in lines if line and not line.startswith("#")]
        return [(row[0], row[2]) for row in rows if len(row) >= 3]
    return []
