"""The headline for the metadata stage, and the names a site calls itself by.

Declared titles (JSON-LD, OpenGraph, metas, `<title>`) often carry the site name ("Headline | Site")
or are the site name alone; the visible `<h1>` is the article's headline when it matches one of
them.  The `<h1>` found is also where the byline and date are looked for (see `byline`).
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

import lxml.html

from newsdown.converters.authors import org_key
from newsdown.converters.jsonld import ORG_TYPES, json_strings, micro_name, micro_value, node_types
from newsdown.converters.metapage import MAX_TITLE_LENGTH, Page, clean, host_of, key_of, text_of
from newsdown.converters.metatags import TITLE_METAS

# Site names are short; longer "names" are headlines that themes put in application-name.
MAX_SITE_NAME_LENGTH = 80
MAX_SITE_NAME_WORDS = 8

# How alike (difflib's ratio) a declared title and a heading must be to be the same headline.
SIMILAR = 0.85
# Punctuation inside a headline that a kicker <span> in the <h1> loses ("Exclusive: ...").
HEADLINE_MARKS = (":", ";", " - ", " \u2013 ", " \u2014 ")
# A <title> of at most this many words, beside a longer <h1>, is a generic label, not the headline.
LABEL_WORDS = 2
# Second-level labels under a country code: the site's own label is the one before them.
SECOND_LEVEL_LABELS = frozenset({"co", "com", "org", "net", "ac", "gov", "edu", "ne", "or", "go"})

# <title>/og:title separators between headline and site name (spaced dashes only: "e-mail").
TITLE_SEPARATOR = re.compile(
    r"(\s+[|\-\u2013\u2014\u00b7\u2022:/\u00bb\u00ab]\s+|\s*[|\u00b7\u2022\u00bb\u00ab]\s*|:\s+)"
)


def pick_site_names(page: Page, base: str | None) -> list[str]:
    """Every name the site calls itself by, for stripping from titles and filtering authors."""
    names = [*page.meta("og:site_name", "application-name", "apple-mobile-web-app-title")]
    names += json_strings(page, page.article.get("publisher"), "name")
    for node in page.json_nodes:
        if node_types(node) & ({"website"} | ORG_TYPES):
            names += json_strings(page, node.get("name"), "name")
    micro = micro_name(page, "publisher")
    if micro:
        names.append(micro)
    names += [handle.lstrip("@") for handle in page.meta("twitter:site") if handle.startswith("@")]
    host = host_of(base)
    if host:
        names += [host, domain_label(host)]
    return [name for name in names if is_plausible_site_name(name)]


def is_plausible_site_name(name: str) -> bool:
    """Some themes put the headline in application-name; a site name is short."""
    return bool(name) and len(name) <= MAX_SITE_NAME_LENGTH and len(name.split()) <= MAX_SITE_NAME_WORDS


def domain_label(host: str) -> str:
    """The name-like label of a host: "riversidegazette" for news.riversidegazette.co.uk."""
    labels = host.split(".")
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in SECOND_LEVEL_LABELS:
        return labels[-3]
    return labels[-2] if len(labels) >= 2 else labels[0]


def is_site_name(text: str, site_names: list[str]) -> bool:
    key = org_key(text)
    return bool(key) and any(key == org_key(name) for name in site_names)


def strip_site(title: str, site_names: list[str], section: str | None) -> str:
    """Remove leading/trailing " | Site" segments (and the section next to them) from a title."""
    parts = TITLE_SEPARATOR.split(title)
    segments = parts[0::2]
    removable = [*site_names, section] if section else site_names
    start, end = 0, len(segments)
    while end - start > 1 and is_site_name(segments[end - 1], removable):
        end -= 1
    while end - start > 1 and is_site_name(segments[start], removable):
        start += 1
    if (start, end) == (0, len(segments)):
        return title.strip()
    return "".join(parts[start * 2 : end * 2 - 1]).strip()


def similar(candidate: str, heading: str) -> bool:
    """Whether a declared title and a visible heading are the same headline."""
    a, b = key_of(candidate), key_of(heading)
    if not a or not b:
        return False
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    if long.startswith(short) and len(short) >= 30:
        return True  # JSON-LD headlines are often cut at 110 characters
    if short in long and len(short) >= 0.75 * len(long):
        return True
    if len(long) > 2 * len(short):
        return False
    matcher = SequenceMatcher(None, a, b)
    # quick_ratio() is an upper bound of ratio() found in linear time: most pairs of different
    # headlines fail it and skip the full matching (which was a quarter of picking the title).
    return matcher.quick_ratio() >= SIMILAR and matcher.ratio() >= SIMILAR


def title_candidates(page: Page, site_names: list[str], section: str | None) -> list[str]:
    """Declared titles, best first, each without its site name; site names alone are dropped."""
    raw: list[str] = []
    raw += json_strings(page, page.article.get("headline"))
    raw += json_strings(page, page.article.get("name"))
    raw += page.meta(*TITLE_METAS)
    micro = page.micro.get("headline")
    if micro is not None:
        raw.append(micro_value(micro))
    raw += json_strings(page, page.page_node.get("name"))
    result: list[str] = []
    for text in raw:
        stripped = strip_site(text, site_names, section)
        if stripped and len(stripped) <= MAX_TITLE_LENGTH and not is_site_name(stripped, site_names):
            result.append(stripped)
    return result


def pick_title(
    page: Page, site_names: list[str], section: str | None
) -> tuple[str | None, lxml.html.HtmlElement | None]:
    """The headline, and the <h1> it was read from or matched (used to find the byline)."""
    headings = [
        (element, text)
        for element in page.headings
        if (text := text_of(element, MAX_TITLE_LENGTH)) and not is_site_name(text, site_names)
    ]
    declared = title_candidates(page, site_names, section)
    title_tag = page.title_tag
    page_title = clean(title_tag.text_content()) if title_tag is not None else ""
    stripped_title = strip_site(page_title, site_names, section) if page_title else ""
    for candidate in [*declared, stripped_title]:
        for element, text in headings:
            if candidate and similar(candidate, text):
                # Same words: the declared spelling keeps the punctuation that markup inside the
                # heading loses ("<span>Exclusive</span> Hospital..." for "Exclusive: Hospital...").
                return (candidate if keeps_punctuation(candidate, text) else text), element
    if page_title:
        # A <title> with an unknown site suffix: the heading is one of its leading segments.
        segments = TITLE_SEPARATOR.split(page_title)[0::2]
        prefixes = {
            key_of("".join(TITLE_SEPARATOR.split(page_title)[: n * 2 - 1])) for n in range(1, len(segments))
        }
        for element, text in headings:
            if key_of(text) in prefixes:
                return text, element
    heading = headings[0][1] if headings else None
    if declared:
        return declared[0], headings[0][0] if headings else None
    if stripped_title and not (is_site_name(stripped_title, site_names) or is_label(stripped_title, heading)):
        return guess_suffix(stripped_title), headings[0][0] if headings else None
    return heading, headings[0][0] if headings else None


def keeps_punctuation(candidate: str, heading: str) -> bool:
    """The same words as the heading, plus a colon or dash that the heading's markup dropped."""
    if candidate.isupper() or key_of(candidate) != key_of(heading):
        return False
    return any(mark in candidate and mark not in heading for mark in HEADLINE_MARKS)


def is_label(title: str, heading: str | None) -> bool:
    """A <title> of a word or two ("News | Site") beside a sentence-long <h1> is the section's label."""
    return heading is not None and len(title.split()) <= LABEL_WORDS < len(heading.split())


def guess_suffix(title: str) -> str:
    """Drop a short last " | Segment" from a title whose site name we could not identify."""
    head, separator, tail = title.rpartition(" | ")
    if separator and len(tail.split()) <= 5 and len(head.split()) >= 3:
        return head.strip()
    return title
