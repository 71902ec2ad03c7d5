"""Dates written as text the way Jekyll (Ruby's Time.parse), Hugo (Go's layouts) and Eleventy
(JavaScript's Date) read them, for front matter that is not ISO 8601.

Support module: imports nothing from sitegen.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

# Once _tidy has put the time after the day and made the offset +hhmm: the day written with
# numbers or a month's name, then a time or none, then an offset or none (the site's timezone then,
# as for ISO dates). 03/05/2014 is left out: Ruby and JavaScript read it as two different days.
DAY_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%B %d, %Y", "%B %d %Y", "%b %d, %Y", "%b %d %Y", "%d %B %Y",
               "%d %b %Y")
_CLOCK = r"\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?: ?[AaPp][Mm])?"
_PARTS = re.compile(r"(?P<day>.*?)(?: (?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})"
                    r"(?:\.(?P<fraction>\d+))?)?(?: ?(?P<half>[AaPp][Mm]))?)?(?: (?P<zone>[+-]\d{4}))?")
_ZONE_HOURS = {"UT": 0, "UTC": 0, "GMT": 0, "Z": 0, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5,
               "MST": -7, "MDT": -6, "PST": -8, "PDT": -7}  # the names RFC 822 gives an offset
_TIDY = (
    (re.compile(r"\s+"), " "),
    (re.compile(r"^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,? ", re.I), ""),  # weekday: never checked
    (re.compile(r" ?\([^()]*\)$"), ""),  # JavaScript's "(Coordinated Universal Time)"
    (re.compile(r"(?<=\d)(st|nd|rd|th)\b", re.I), ""),  # March 5th
    (re.compile(r"(?<=\d)T(?=\d)"), " "),
    (re.compile(rf"^([A-Za-z]+ \d{{1,2}}) ({_CLOCK}(?: [+-]\d{{4}}| [A-Z]{{1,5}})?) (\d{{4}})$"),
     r"\1 \3 \2"),  # the year last: Go's ANSIC, UnixDate and RubyDate
    (re.compile(rf"^(\d{{4}})([-/]\d{{1,2}}[-/]\d{{1,2}} {_CLOCK}) \1\b"), r"\1\2"),  # a year said twice
)
# An offset after the time, in any of the ways they write it (GMT+0000, -08:00, -5), then maybe
# the zone's name, which the offset already says
_OFFSET = re.compile(rf"({_CLOCK}) ?(?:(?:GMT|UTC|UT|Z) ?)?([+-])(\d{{1,2}})(?::?(\d{{2}}))?"
                     r"(?: [A-Z]{1,5})?(?![\d:])")
_NAMED_ZONE = re.compile(rf"({_CLOCK}) ?({'|'.join(_ZONE_HOURS)})\b")

def read_date(text: str) -> tuple[datetime, bool] | None:
    """The moment a date written as text stands for (naive when it names no offset), and whether
    it is ISO 8601; None when Jekyll, Hugo and Eleventy would not have read it either."""
    text = text.strip()
    try:
        return datetime.fromisoformat(text), True
    except ValueError:
        pass
    for pattern, replacement in _TIDY:
        text = pattern.sub(replacement, text)
    text = _OFFSET.sub(lambda m: f"{m[1]} {m[2]}{int(m[3]):02d}{m[4] or '00'}", text, count=1)
    text = _NAMED_ZONE.sub(lambda m: f"{m[1]} {_ZONE_HOURS[m[2]]:+03d}00", text, count=1)
    parts = _PARTS.fullmatch(text)
    assert parts is not None  # every part may be left out
    for form in DAY_FORMATS:
        try:
            day = datetime.strptime(parts["day"], form)
        except ValueError:
            continue
        when = _at(day, parts)
        return None if when is None else (when, False)
    return None


def _at(day: datetime, parts: re.Match[str]) -> datetime | None:
    """The day at the time and offset that follow it, if they are real."""
    hour = int(parts["hour"] or 0)
    if parts["half"]:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if parts["half"].lower() == "pm" else 0)
    zone = parts["zone"]
    try:
        offset = None if zone is None else timezone(
            (-1 if zone[0] == "-" else 1) * timedelta(hours=int(zone[1:3]), minutes=int(zone[3:])))
        return day.replace(hour=hour, minute=int(parts["minute"] or 0), second=int(parts["second"] or 0),
                           microsecond=int((parts["fraction"] or "0")[:6].ljust(6, "0")), tzinfo=offset)
    except ValueError:
        return None
