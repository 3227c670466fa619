"""The page as the metadata stage reads it: one scan's worth of metas, links, JSON-LD and Microdata.

`Page` is filled once (by `metadata.scan_page`) so that the field pickers never walk the tree again;
the string helpers here are the ones every source shares (cleaning, visible text, URLs).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import lxml.html

JsonDict = dict[str, object]

# Headline and name strings longer than this are paragraphs, not titles.
MAX_TITLE_LENGTH = 400
ELLIPSIS = re.compile(r"(?:\.\.\.|\u2026)\s*$")
TAG_MARKUP = re.compile(r"<[^>]{0,500}>")
WORDS = re.compile(r"\w+")


@dataclass(slots=True)
class Page:
    """Everything read from the tree in one go, so the field pickers never walk it again."""

    tree: lxml.html.HtmlElement
    url: str | None
    metas: dict[str, list[str]] = field(default_factory=dict)
    links: dict[str, list[lxml.html.HtmlElement]] = field(default_factory=dict)
    article: JsonDict = field(default_factory=dict)  # the JSON-LD article node, if any
    page_node: JsonDict = field(default_factory=dict)  # the JSON-LD WebPage node, if any
    json_nodes: list[JsonDict] = field(default_factory=list)
    json_ids: dict[str, JsonDict] = field(default_factory=dict)
    micro: dict[str, lxml.html.HtmlElement] = field(default_factory=dict)
    micro_authors: list[lxml.html.HtmlElement] = field(default_factory=list)
    headings: list[lxml.html.HtmlElement] = field(default_factory=list)  # the <h1>s
    title_tag: lxml.html.HtmlElement | None = None  # the first <title>

    def meta(self, *names: str) -> Iterator[str]:
        """Contents of the named metas, in the order of `names`, non-empty and cleaned."""
        for name in names:
            for value in self.metas.get(name, ()):
                text = clean(value)
                if text:
                    yield text


def clean(text: str) -> str:
    """Unescape entities left in metas and JSON, drop stray tags, NFC, collapse whitespace."""
    if "&" in text:
        text = html.unescape(text)
    if "<" in text:
        text = TAG_MARKUP.sub(" ", text)
    return " ".join(unicodedata.normalize("NFC", text).split())


def text_of(element: lxml.html.HtmlElement, limit: int, *, spaced: bool = False) -> str:
    """Cleaned visible text of an element; empty if it is longer than `limit` (not a label).

    `spaced` puts a space between child elements: byline widgets set name and role in adjacent
    spans ("<span>By Tom Hale</span><span>Political reporter</span>") that must not run together.
    """
    raw = " ".join(element.itertext()) if spaced else element.text_content()
    text = clean(raw)
    return text if len(text) <= limit else ""


def first(values: Iterable[str]) -> str | None:
    return next((value for value in values if value), None)


def elements(result: object) -> list[lxml.html.HtmlElement]:
    """The elements of an xpath result (which may also hold strings or numbers)."""
    if not isinstance(result, list):
        return []
    return [item for item in result if isinstance(item, lxml.html.HtmlElement)]


def key_of(text: str) -> str:
    """Comparison key for titles: lowercase words, no punctuation, no trailing ellipsis."""
    return " ".join(WORDS.findall(ELLIPSIS.sub("", text).casefold()))


def absolute(href: str, base: str | None) -> str | None:
    """An absolute http(s) URL, or None (relative without a base, data:, javascript:)."""
    href = href.strip()
    if not href or href.startswith(("data:", "javascript:")):
        return None
    try:
        resolved = urljoin(base, href) if base else href
    except ValueError:
        return None
    return resolved if resolved.startswith(("http://", "https://")) else None


def host_of(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return host.removeprefix("www.") if host else None
