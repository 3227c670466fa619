"""Author names for the metadata stage: from raw byline strings to a clean list of people.

A byline is noisy ("By JANE DOE and John Roe, Staff Writers | Updated 3:45 p.m. EST (AP)"), so a
string goes through: cut at "Updated"/dates, drop e-mails, handles and URLs, drop the "By"
prefix, split on commas and "and", strip roles and "for <paper>" tails, then keep only pieces that
look like a person's name.  Wire agencies found on the way are reported separately as the credit.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

# Wire agencies: named by a page as a source ("(AP)", "Source: Reuters", "By Associated Press"),
# they are a credit, not an author.  Keys are lowercase spellings, values the name we report.
WIRE_AGENCIES: dict[str, str] = {
    "ap": "Associated Press",
    "associated press": "Associated Press",
    "the associated press": "Associated Press",
    "reuters": "Reuters",
    "thomson reuters": "Reuters",
    "afp": "AFP",
    "agence france-presse": "AFP",
    "agence france presse": "AFP",
    "dpa": "dpa",
    "deutsche presse-agentur": "dpa",
    "efe": "EFE",
    "ansa": "ANSA",
    "upi": "UPI",
    "united press international": "UPI",
    "pa": "PA Media",
    "pa media": "PA Media",
    "press association": "PA Media",
    "the canadian press": "The Canadian Press",
    "canadian press": "The Canadian Press",
    "aap": "AAP",
    "australian associated press": "AAP",
    "kyodo": "Kyodo News",
    "kyodo news": "Kyodo News",
    "xinhua": "Xinhua",
    "yonhap": "Yonhap",
    "tass": "TASS",
    "bloomberg news": "Bloomberg News",
    "cnn wire": "CNN Wire",
    "pti": "PTI",
    "press trust of india": "PTI",
    "ians": "IANS",
    "ani": "ANI",
}
_AGENCY_NAMES = "|".join(sorted((re.escape(name) for name in WIRE_AGENCIES), key=len, reverse=True))
# An agency anywhere in a byline, as a whole word, with the job title AP style puts after it
# ("AP Auto Writer", "AP National Security Writer") so that the title is not read as a name.
AGENCY_IN_TEXT = re.compile(
    rf"(?:\(|\b)({_AGENCY_NAMES})"
    r"(?:\s+(?:[\w-]+\s+){0,3}?(?:staff|wire|reporters?|writers?|correspondents?|editors?))?(?:\)|\b)",
    re.IGNORECASE,
)
# Phrases that name the agency as the source of the whole story: a dateline "LONDON (Reuters) -"
# or a credit line "Source: AFP".  A bare "AP" elsewhere in prose must not count.
CREDIT_LINE = re.compile(
    rf"^[^()\n]{{0,60}}\(({_AGENCY_NAMES})\)\s*[-\u2013\u2014:]"
    rf"|\b(?:source|sources|credit|quelle|fuente|fonte)\s*:\s*({_AGENCY_NAMES})\b",
    re.IGNORECASE,
)

# Words that introduce a byline, in the languages we see most.
# One word may precede it ("Analysis by", "Written by"); a one-word label with a colon is also a
# prefix ("Text: Jane Doe").
BY_PREFIX = re.compile(
    r"^(?:(?:[^\W\d_]+\s+)?(?:by|von|par|por|door|av|(?-i:di))\s*:?\s+|[^\W\d_]+\s*:\s+)", re.IGNORECASE
)
# Everything from "Updated"/"Published"/a date onwards is time stamp, not name.
TIMESTAMP_TAIL = re.compile(
    r"\s*(?:\b(?:last\s+)?(?:updated|published|posted|modified|created)\b"
    r"|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d"
    r"|\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b|\b(?:mon|tue|wed|thu|fri|sat|sun)\.?,\s"
    r"|\d{1,2}[/.:-]\d{1,2}|\b(?:19|20)\d{2}\b|\b\d+\s+(?:hours?|minutes?|days?|mins?|hrs?)\s+ago\b).*$",
    re.IGNORECASE | re.DOTALL,
)
FULL_URL = re.compile(r"(?:https?://|www\.)\S*", re.IGNORECASE)
EMAIL = re.compile(r"\S+@\S+\.\w+")
HANDLE = re.compile(r"(?:^|\s)@\w+")
URL_LIKE = re.compile(r"https?://|www\.|\.(?:com|org|net|co\.uk|html?)\b|/", re.IGNORECASE)
# Link labels that byline boxes put next to the name.
LINK_LABELS = re.compile(
    r"\b(?:e-?mail(?:\s+the\s+author)?|follow(?:\s+on\s+\w+)?|twitter|facebook|instagram|linkedin|"
    r"view\s+all\s+(?:posts|articles|stories)(?:\s+by)?|more\s+(?:from|by)|contact|bio|"
    r"read\s+more|see\s+all)\b\s*:?",
    re.IGNORECASE,
)
# Separators between several authors; "|" and "·" also separate name from role or time stamp.
# Captured, because what follows a comma may be an affiliation rather than another name.
NAME_SEPARATORS = re.compile(
    r"(\s*(?:[,;|/\u00b7\u2022&+]|\s(?:and|und|et|y|e|og|en|och)\s)\s*)", re.IGNORECASE
)
# Job titles: a piece made only of these words is a role, and a name ending in them loses them.
ROLE_WORDS = (
    r"(?:senior|chief|staff|contributing|special|political|business|sports?|tech(?:nology)?|science|"
    r"health|foreign|national|local|investigative|white\s+house|washington|europe|economics?|"
    r"data|news|managing|executive|deputy|associate|assistant|digital|multimedia|freelance|guest|"
    r"editor-at-large|at-large|opinion|features|global|the)"
)
ROLE_NOUNS = (
    r"(?:editor-at-large|writers?|reporters?|correspondents?|editors?|columnists?|contributors?|journalists?|"
    r"photographers?|producers?|critic|analyst|staff|team|desk|bureau|intern|reports|"
    r"redakteur(?:in)?|redaktion|korrespondent(?:in)?|journaliste|periodista|redacci[oó]n)"
)
ROLE_ONLY = re.compile(rf"(?:{ROLE_WORDS}\s+)*{ROLE_NOUNS}(?:\s+(?:for|at|of)\b.*)?", re.IGNORECASE)
# A collective byline ("Herald Staff", "Staff Report", "Metro Desk") names no person.
COLLECTIVE = re.compile(
    r"^staff\b|\b(?:staff|team|desk|bureau|newsroom|reports?|redaktion|redazione|rédaction|redacción)$",
    re.IGNORECASE,
)
# After a comma, a piece ending in a job noun is a role however it starts ("Senior Environment
# Reporter"); ROLE_ONLY only knows the usual words before the noun.
ROLE_AFTER_COMMA = re.compile(rf"\b{ROLE_NOUNS}$", re.IGNORECASE)
ROLE_TAIL = re.compile(rf"\s+(?:{ROLE_WORDS}\s+)*{ROLE_NOUNS}$", re.IGNORECASE)
# "Jane Doe for The Daily Mail", "Jane Doe in London", "Jane Doe, special to the Post".
AFFILIATION_TAIL = re.compile(
    r"\s+(?i:for|in|special\s+to|at)\s+(?i:the\s+)?[A-Z\u00c0-\u024f].*$|\s+(?:on|at)$"
)
# Name suffixes that a comma split cuts off and that belong to the previous name.
# (Academic and medical letters, "PhD", "MD", are credentials and are dropped instead.)
NAME_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})
# Lowercase words allowed inside a Latin-script name (particles); any other one marks a sentence.
NAME_PARTICLES = frozenset(
    {"van", "von", "der", "den", "de", "da", "das", "do", "dos", "du", "del", "della", "di", "la", "le"}
    | {"bin", "bint", "al", "el", "ben", "ter", "ten", "zu", "y", "e", "st.", "mac", "ibn", "af"}
)
# Accounts and labels that CMSes put in author fields; never a person.
NOT_PEOPLE = frozenset(
    {
        "admin",
        "administrator",
        "staff",
        "editor",
        "editors",
        "guest",
        "user",
        "webmaster",
        "team",
        "anonymous",
    }
    | {"unknown", "newsroom", "news desk", "web desk", "redaktion", "desk", "[no-author]", "none", "null"}
    | {"by", "von", "par", "por", "door", "av", "di"}
    | {"redazione", "redacción", "redaccion", "rédaction", "redaction", "redactie", "redação", "redacao"}
)
# Words that mark a name as an organisation rather than a person.
ORG_WORD = re.compile(
    r"\b(?:news|media|press|staff|times|post|herald|gazette|tribune|journal|daily|agency|group|"
    r"team|desk|newsroom|editorial|magazine|inc|ltd|llc|corp|network|radio|tv|television|"
    r"broadcasting|online|reports|wire|bureau|board)\b",
    re.IGNORECASE,
)
NAME_CHARS = re.compile(r"[^\W\d_]", re.UNICODE)  # a letter in any script
MAX_NAME_WORDS = 5  # longer pieces are sentences or titles, not names
MAX_NAME_LENGTH = 60
MAX_AUTHORS = 12  # bylines with more names are credit rolls, not the story's authors


@dataclass(frozen=True, slots=True)
class AuthorName:
    """One cleaned name and whether it reads as an organisation rather than a person."""

    name: str
    is_org: bool = False


def wire_agency(text: str) -> str | None:
    """The canonical agency name if `text` is exactly an agency ("The Associated Press", "AFP")."""
    key = re.sub(r"\s+(?:staff|wire|reporters?|writers?)$", "", text.strip().lower())
    return WIRE_AGENCIES.get(key.strip(" ()."))


def credit_in(text: str) -> str | None:
    """The agency a dateline or credit line names ("WASHINGTON (AP) -", "Source: Reuters")."""
    if "(" not in text and ":" not in text:
        return None  # both forms need one; most paragraphs have neither, and the search is slow
    match = CREDIT_LINE.search(text)
    if match is None:
        return None
    found = match.group(1) or match.group(2)
    return WIRE_AGENCIES.get(found.lower())


def split_byline(raw: str) -> tuple[list[AuthorName], str | None]:
    """Clean one raw author string into names, plus the wire agency it names (if any)."""
    text = LINK_LABELS.sub(" ", EMAIL.sub(" ", HANDLE.sub(" ", FULL_URL.sub(" ", raw))))
    text = " ".join(text.split())
    credit = wire_agency(text)
    if credit is not None:
        return [], credit
    agency = AGENCY_IN_TEXT.search(text)
    if agency is not None:
        credit = WIRE_AGENCIES.get(agency.group(1).lower())
        text = (text[: agency.start()] + " | " + text[agency.end() :]).strip()
    text = TIMESTAMP_TAIL.sub("", text)
    text = BY_PREFIX.sub("", text.strip(" -\u2013\u2014:|,"))
    names: list[AuthorName] = []
    parts = NAME_SEPARATORS.split(text)
    separators = ["", *(part.strip() for part in parts[1::2])]
    for separator, piece in _merge_suffixes(list(zip(separators, parts[0::2], strict=True))):
        if separator == "," and names and ROLE_AFTER_COMMA.search(piece.strip(" .")):
            continue
        name = clean_name(piece)
        if name is None or _is_affiliation(name, separator, names, after_agency=credit is not None):
            continue
        names.append(AuthorName(name, is_org=bool(ORG_WORD.search(name))))
    return names, credit


def _is_affiliation(name: str, separator: str, previous: list[AuthorName], *, after_agency: bool) -> bool:
    """One word after a comma or a bar is a place or an outlet ("Jane Doe, Washington", "PTI, Washington"),
    and a short all-capitals token is a credential or an outlet code ("MS", "RDN"), not a person."""
    if len(name) <= 4 and name.isupper():
        return True
    if " " in name:
        return False
    return after_agency or (separator in (",", "|") and bool(previous) and " " in previous[-1].name)


def clean_name(piece: str) -> str | None:
    """One candidate name, tidied; None if it is a role, a URL, a label or a sentence."""
    text = BY_PREFIX.sub("", piece.strip(" -\u2013\u2014:|,()[]\"'"))
    if text.endswith(".") and not _keeps_dot(text):
        text = text[:-1]
    if not text or URL_LIKE.search(text) or ROLE_ONLY.fullmatch(text) or COLLECTIVE.search(text):
        return None
    text = AFFILIATION_TAIL.sub("", text)
    text = ROLE_TAIL.sub("", text).strip(" ,-")
    if not text or text.lower() in NOT_PEOPLE or not _looks_like_name(text):
        return None
    if text.isupper() and len(text) > 3:
        text = text.title()  # "ABBY GOODNOUGH" -> "Abby Goodnough", never a mangled lowercase
    return text


def _keeps_dot(text: str) -> bool:
    """A final dot that belongs to the name: an initial ("John Q.") or a suffix ("Jr.")."""
    last = text.split()[-1]
    return len(last) == 2 or last.lower() in NAME_SUFFIXES


def _looks_like_name(text: str) -> bool:
    if len(text) > MAX_NAME_LENGTH or any(char.isdigit() for char in text):
        return False
    words = text.split()
    if len(words) > MAX_NAME_WORDS or not NAME_CHARS.search(text):
        return False
    for word in words:
        first = word[0]
        if first.isalpha() and first.islower() and word.lower() not in NAME_PARTICLES:
            return False  # a lowercase word that is not a particle: a phrase, not a name
    return True


def _merge_suffixes(pieces: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Glue "Jr."/"III" back onto the name a comma split separated them from."""
    merged: list[tuple[str, str]] = []
    for separator, piece in pieces:
        stripped = piece.strip()
        if merged and stripped.lower() in NAME_SUFFIXES:
            merged[-1] = (merged[-1][0], f"{merged[-1][1]} {stripped}")
        elif stripped:
            merged.append((separator, stripped))
    return merged


def same_organisation(name: str, others: list[str]) -> bool:
    """True if `name` is one of the site's own names (publisher, site name, domain label)."""
    key = org_key(name)
    if not key:
        return False
    for other in others:
        other_key = org_key(other)
        if not other_key:
            continue
        if key == other_key or (
            min(len(key), len(other_key)) >= 4 and (key in other_key or other_key in key)
        ):
            return True
        if len(other_key) >= 3 and org_key(name.split()[0]) == other_key:
            return True  # "CNN Business", "BBC Sport": a desk of the site itself
    return False


NOT_LETTERS_OR_DIGITS = re.compile(r"[\W_]+")


# Cached: every title candidate and author is compared with each of the site's names, whose keys
# would otherwise be recomputed for every comparison.
@functools.lru_cache(maxsize=1024)
def org_key(name: str) -> str:
    """A comparison key for organisation names: lowercase letters and digits, no leading "the"."""
    key = NOT_LETTERS_OR_DIGITS.sub("", name.lower())
    return key.removeprefix("the") if len(key) > 6 else key


def dedupe_names(names: list[AuthorName]) -> list[AuthorName]:
    """Drop repeats (case-insensitively) and cap the list."""
    seen: set[str] = set()
    kept: list[AuthorName] = []
    for entry in names:
        key = entry.name.casefold()
        if key not in seen:
            seen.add(key)
            kept.append(entry)
    return kept[:MAX_AUTHORS]
