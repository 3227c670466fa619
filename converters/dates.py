"""Date parsing for the metadata stage: ISO strings, epochs, prose dates and dates in URL paths.

Every parser returns a `datetime` when the source gives a time of day (aware when it also gives a
zone), a `date` when it gives a day only, and None for anything unparseable or implausible.  A
missing day or time is never invented: "March 2024" is not a date, and "2024-03-05" stays a date.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings

from dateutil import parser as dateutil_parser
from dateutil.tz import tzoffset

DateValue = dt.datetime | dt.date

# Older "publication dates" are nearly always junk (epoch zero, a founding year, a copyright line);
# the web news archive barely predates this.
DATE_FLOOR = dt.date(1990, 1, 1)
# A page in UTC+14 can legitimately be dated "tomorrow" from our clock; anything later is an error.
FUTURE_SLACK = dt.timedelta(days=1)
# Longer strings are sentences, not dates; dateutil would happily find a "date" in them.
MAX_DATE_LENGTH = 80

# Zone abbreviations news sites print; dateutil drops unknown ones (with a warning) and would
# return a naive time, which loses the offset the page did give.
_HOUR = 3600
TZ_ABBREVIATIONS: dict[str, tzoffset] = {
    name: tzoffset(name, hours * _HOUR)
    for name, hours in {
        "UTC": 0,
        "GMT": 0,
        "Z": 0,
        "BST": 1,
        "CET": 1,
        "CEST": 2,
        "EET": 2,
        "EEST": 3,
        "MSK": 3,
        "IST": 5.5,
        "JST": 9,
        "KST": 9,
        "AEST": 10,
        "AEDT": 11,
        "EST": -5,
        "EDT": -4,
        "CST": -6,
        "CDT": -5,
        "MST": -7,
        "MDT": -6,
        "PST": -8,
        "PDT": -7,
        "ET": -5,
        "PT": -8,
    }.items()
}

EPOCH = re.compile(r"\d{10}(?:\d{3})?")  # seconds or milliseconds since 1970 (both occur in metas)
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
HAS_TIME = re.compile(r"\d{1,2}:\d{2}|\d{1,2}\s*[ap]\.?m\b", re.IGNORECASE)
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_YEAR = r"(?:19|20)\d{2}"
# Month names of the other languages news pages are most often in (French, German, Spanish,
# Italian, Portuguese, Dutch); dateutil knows English only.  Names English shares are read there.
FOREIGN_MONTHS: dict[str, int] = {
    name: number
    for number, names in enumerate(
        (
            "janvier januar jänner enero gennaio janeiro januari",
            "février fevrier februar febrero febbraio fevereiro februari",
            "mars märz maerz marzo março marco maart",
            "avril abril aprile",
            "mai mayo maggio maio mei",
            "juin juni junio giugno junho",
            "juillet juli julio luglio julho",
            "août aout agosto augustus",
            "septembre septiembre setiembre settembre setembro",
            "octobre oktober octubre ottobre outubro",
            "novembre noviembre novembro",
            "décembre decembre dezember diciembre dicembre dezembro",
        ),
        start=1,
    )
    for name in names.split()
}
_FOREIGN_MONTH = "|".join(sorted(FOREIGN_MONTHS, key=len, reverse=True))
# "5 mars 2024", "1er mai 2023", "14. März 2023", "3 de octubre de 2023", "12 settembre 2022".
FOREIGN_DATE = re.compile(
    rf"([0-3]?\d)(?:er|º|o)?\.?\s+(?:de\s+)?({_FOREIGN_MONTH})\.?,?\s+(?:de\s+|del\s+)?({_YEAR})",
    re.IGNORECASE,
)
# Dates as bylines print them; only forms that name the day, month and year unambiguously
# (a bare 03/04/2024 is March or April depending on the country, so it is not read).
PROSE_DATE = re.compile(
    rf"\b(?:{_YEAR}-[01]\d-[0-3]\d(?:[T ][0-2]\d:[0-5]\d(?::[0-5]\d(?:\.\d+)?)?(?:Z|[+-][0-2]\d:?\d\d)?)?"
    rf"|{_MONTH}\.?\s+[0-3]?\d(?:st|nd|rd|th)?,?\s+{_YEAR}"
    rf"|[0-3]?\d(?:st|nd|rd|th)?\.?\s+{_MONTH}\.?,?\s+{_YEAR}"
    rf"|[0-3]?\d\.[01]?\d\.{_YEAR}"
    rf"|{FOREIGN_DATE.pattern})\b",
    re.IGNORECASE,
)
DOTTED_DAY_FIRST = re.compile(r"[0-3]?\d\.[01]?\d\.\d{4}")
# /2024/03/05/, /2024-03-05-slug, /20240305/ : the day must be present, a month folder is not a date.
URL_DATE = re.compile(
    rf"[/_-]({_YEAR})[/_-]([01]?\d)[/_-]([0-3]?\d)(?=[/_.-]|$)|[/_-]({_YEAR})([01]\d)([0-3]\d)(?=[/_.-]|$)"
)

# How far before a date a label such as "Updated" still applies to it.
LABEL_REACH = 25
# Two different defaults reveal which fields dateutil filled in itself rather than read.
_DEFAULT_A = dt.datetime(2000, 1, 1)
_DEFAULT_B = dt.datetime(2001, 2, 2)


def parse_date(value: str, *, today: dt.date | None = None) -> DateValue | None:
    """Parse one date string from metadata; None if it is not a plausible full date."""
    text = value.strip()
    if not text or len(text) > MAX_DATE_LENGTH:
        return None
    parsed = _parse_epoch(text) or _parse_iso(text) or _parse_foreign(text) or _parse_loose(text)
    if parsed is None or not is_plausible(parsed, today=today):
        return None
    return parsed


def is_plausible(value: DateValue, *, today: dt.date | None = None) -> bool:
    """Reject dates before the floor or in the future (with a day of slack for time zones)."""
    day = value.date() if isinstance(value, dt.datetime) else value
    limit = (today or dt.date.today()) + FUTURE_SLACK
    return DATE_FLOOR <= day <= limit


def find_prose_date(
    text: str, *, today: dt.date | None = None, skip_after: re.Pattern[str] | None = None
) -> DateValue | None:
    """The first full date printed in running text ("Published March 5, 2024 at 9:00").

    A date shortly after a `skip_after` match ("Updated March 6, 2024") is passed over.
    """
    for match in PROSE_DATE.finditer(text):
        found = match.group(0)
        if skip_after is not None and skip_after.search(
            text[max(0, match.start() - LABEL_REACH) : match.start()]
        ):
            continue
        if FOREIGN_DATE.fullmatch(found):
            parsed = _parse_foreign(found)
        elif DOTTED_DAY_FIRST.fullmatch(found):
            parsed = _parse_loose(found, dayfirst=True)
        else:
            parsed = parse_date(found, today=today)
        if parsed is not None and is_plausible(parsed, today=today):
            return parsed
    return None


def date_from_url(url: str, *, today: dt.date | None = None) -> dt.date | None:
    """A calendar day encoded in a URL path (/2024/03/05/ or /20240305/), if there is one."""
    path = url.split("?", 1)[0].split("#", 1)[0]
    for match in URL_DATE.finditer(path):
        year, month, day = (group for group in match.groups() if group is not None)
        try:
            found = dt.date(int(year), int(month), int(day))
        except ValueError:
            continue
        if is_plausible(found, today=today):
            return found
    return None


def _parse_epoch(text: str) -> dt.datetime | None:
    if not EPOCH.fullmatch(text):
        return None
    seconds = int(text) / 1000 if len(text) == 13 else int(text)
    try:
        return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _parse_iso(text: str) -> DateValue | None:
    if ISO_DAY.fullmatch(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return None
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return None


def _parse_foreign(text: str) -> dt.date | None:
    """A day-first date with a French, German, Spanish, Italian, Portuguese or Dutch month name."""
    match = FOREIGN_DATE.fullmatch(text)
    if match is None:
        return None
    day, month, year = match.groups()
    try:
        return dt.date(int(year), FOREIGN_MONTHS[month.lower()], int(day))
    except ValueError:
        return None


def _parse_loose(text: str, *, dayfirst: bool = False) -> DateValue | None:
    """dateutil for everything else, refusing strings that lack a year, month or day."""
    try:
        with warnings.catch_warnings():
            # dateutil warns about zone names it does not know; the value is still usable.
            warnings.simplefilter("ignore")
            first = dateutil_parser.parse(
                text, default=_DEFAULT_A, tzinfos=TZ_ABBREVIATIONS, dayfirst=dayfirst
            )
            second = dateutil_parser.parse(
                text, default=_DEFAULT_B, tzinfos=TZ_ABBREVIATIONS, dayfirst=dayfirst
            )
    except (ValueError, OverflowError, TypeError, LookupError):
        return None
    if first.date() != second.date():
        return None  # the string did not give all of year, month and day
    if not HAS_TIME.search(text):
        return first.date()
    return first
