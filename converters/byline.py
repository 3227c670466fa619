"""The article header as printed in the page: byline elements, "By ..." lines, `<time>` and dates.

Everything here is read inside the article's scope (the `<article>`/`<main>` around the headline,
else a few levels above it), and never inside related-story boxes, asides or comment threads,
whose bylines and dates belong to other stories.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import re
from collections.abc import Iterable, Iterator
from typing import Generic, TypeVar

import lxml.html
from lxml import etree

from newsdown.converters.authors import credit_in
from newsdown.converters.caseless import Caseless
from newsdown.converters.dates import DateValue, find_prose_date, parse_date
from newsdown.converters.metapage import clean, text_of

# Byline elements longer than this are author bios or whole articles.
MAX_BYLINE_LENGTH = 160

# Without an <article> or <main>, the header is this many levels above the headline.
HEADER_LEVELS = 3
# Bylines are shallow; markup nested deeper than this inside one is not read.
MAX_BYLINE_DEPTH = 12

# Containers whose bylines and dates belong to other stories (newspaper4k#180, defuddle#295).
# Matched at the start of a class or id word ("vcard" is no card), on the BEM block only: a
# "headline__footer" is part of the headline, while "site-footer__links" is in the footer.
ELSEWHERE = Caseless(
    r"(?:^|[\s_-])(?:related|sidebar|recommend|promo|more-?from|newsletter|comment|teaser|trending|"
    r"popular|most-?read|widget|footer|card|outbrain|taboola|embed|read-?also|see-?also|also-?read)"
)
BEM_ELEMENT = re.compile(r"__\S*")
# Figures hold photo credits ("By Kevin Marsh"), never the story's byline or date.
ELSEWHERE_TAGS = frozenset({"aside", "nav", "footer", "figure", "figcaption"})
UPDATED_WORD = re.compile(
    r"\b(?:updated|modified|last\s+updated|aktualisiert|mis\s+à\s+jour|actualizado|aggiornato|atualizado|"
    r"bijgewerkt)\b",
    re.IGNORECASE,
)
PUBLISHED_WORD = re.compile(
    r"\b(?:published|posted|publié|veröffentlicht|publicado|pubblicato|gepubliceerd)\b", re.IGNORECASE
)
# How much text just before a <time> is read for its label ("Updated <time>").
LABEL_REACH = 30
PUBLISHED_HINT = re.compile(r"publish|posted|pubdate|created|dateline", re.IGNORECASE)
MODIFIED_HINT = re.compile(r"updat|modif", re.IGNORECASE)
# Byline elements: marked by class, id, rel or itemprop (case-sensitive, as pages write them), or an
# <address>.
BYLINE_CLASS = re.compile(r"byline|Byline|author|Author|autor|auteur|writer")
BYLINE_ID = re.compile(r"byline|author")
# Elements whose own first text opens with "By" (or its French, German, Spanish, Dutch forms, or the
# "Posted by" / "Submitted by" of blog and Drupal themes).
BY_WORDS = ("By", "BY", "by", "Par", "Von", "Por", "Door", "Posted by", "Submitted by", "Written by")
BY_INITIALS = frozenset(word[0] for word in BY_WORDS)
XML_SPACE = re.compile(r"[ \t\r\n]+")
DATE_CLASS = re.compile(r"date|Date|time|publish|posted|dateline|fecha|datum")
# Parts of an author box that are not the name: a role, a bio, a photo, social links.
BYLINE_NOISE = Caseless(r"role|title|bio|avatar|image|photo|social|twitter|email|job|position|desc")

# These searches were XPath expressions; evaluating a dozen contains() per element made libxml2's
# XPath the slowest part of reading metadata, and one Python pass over the elements is ~4x faster.


def byline_elements(scope: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """Descendants marked as bylines, in document order."""
    return list(marked_as_byline(scope.iterdescendants(etree.Element)))


def marked_as_byline(elements: Iterable[lxml.html.HtmlElement]) -> Iterator[lxml.html.HtmlElement]:
    """The elements marked as bylines, in their order."""
    for element in elements:
        get = element.get
        css, ident = get("class"), get("id")
        if (
            (css is not None and BYLINE_CLASS.search(css))
            or (ident is not None and BYLINE_ID.search(ident))
            or get("rel") == "author"
            or "author" in (get("itemprop") or "")
            or element.tag == "address"
        ):
            yield element


def by_lines(scope: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """Descendants whose first text node reads "By ..." (or one of BY_WORDS), in document order."""
    return list(opening_with_by(scope.iterdescendants(etree.Element)))


def opening_with_by(elements: Iterable[lxml.html.HtmlElement]) -> Iterator[lxml.html.HtmlElement]:
    """The elements whose first text node reads "By ...", in their order."""
    for element in elements:
        # Most elements fail on their first character: test it before anything else.
        text = element.text
        if text is None:
            text = _first_tail(element)
        text = text.lstrip(" \t\r\n")
        if not text or text[0] not in BY_INITIALS or element.tag in ("script", "style"):
            continue
        opening = XML_SPACE.sub(" ", text[:40]).rstrip(" ")
        if any(opening == word or opening.startswith(word + " ") for word in BY_WORDS):
            yield element


def date_elements(scope: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """Descendants whose class names a date (or is the "data" of Portuguese and Italian themes)."""
    found = []
    for element in scope.iterdescendants(etree.Element):
        css = element.get("class")
        if css is not None and (DATE_CLASS.search(css) or " data " in f" {css} "):
            found.append(element)
    return found


def _first_tail(element: lxml.html.HtmlElement) -> str:
    """The first text node of an element without text of its own: the tail of its first child that
    has one."""
    for child in element:
        tail: str | None = child.tail
        if tail is not None:
            return tail
    return ""


def article_scope(
    tree: lxml.html.HtmlElement, headline: lxml.html.HtmlElement | None
) -> lxml.html.HtmlElement:
    """The part of the page that belongs to the article's header: where its byline and date are."""
    if headline is None:
        for tag in ("article", "main"):
            found = next(tree.iter(tag), None)
            if found is not None:
                return found
        return tree
    for ancestor in headline.iterancestors():
        if ancestor.tag in ("article", "main") or ancestor.get("role") == "main":
            return ancestor
    scope = headline
    for _ in range(HEADER_LEVELS):
        parent = scope.getparent()
        if parent is None or parent.tag in ("body", "html"):
            break
        scope = parent
    return scope


class Header:
    """The article header (its scope) and the byline elements and "By" lines in it, each searched
    for once: the author sources read them, then `printed_date` may read them again.

    The searches run lazily, as far as their readers go: the author sources keep only the first
    few bylines, and on most pages the walk can stop there.
    """

    def __init__(self, scope: lxml.html.HtmlElement) -> None:
        self.scope = scope
        self.bylines = Replay(marked_as_byline(scope.iterdescendants(etree.Element)))
        self.by_lines = Replay(opening_with_by(scope.iterdescendants(etree.Element)))

    def bylines_in(self, outer: lxml.html.HtmlElement) -> Iterator[lxml.html.HtmlElement]:
        """The byline elements of a container around the header, in document order.  The header's
        own are reused and only the rest of the container is walked: walking all of it repeated
        the header's walk, a sixth of the elements the byline searches visited."""
        path = path_between(outer, self.scope)
        if path is None:
            return marked_as_byline(outer.iterdescendants(etree.Element))
        return itertools.chain(
            marked_as_byline(elements_before(path)), self.bylines, marked_as_byline(elements_after(path))
        )


T = TypeVar("T")


class Replay(Generic[T]):
    """An iterator's items, produced on demand and kept: each loop over it starts from the first
    item, and the iterator itself is advanced only as far as the furthest loop has gone."""

    def __init__(self, items: Iterator[T]) -> None:
        self._items = items
        self._produced: list[T] = []

    def __iter__(self) -> Iterator[T]:
        index = 0
        while True:
            if index == len(self._produced):
                try:
                    self._produced.append(next(self._items))
                except StopIteration:
                    return
            yield self._produced[index]
            index += 1


def path_between(
    outer: lxml.html.HtmlElement, inner: lxml.html.HtmlElement
) -> list[lxml.html.HtmlElement] | None:
    """The elements from below `outer` down to `inner`, both included; None unless `outer` is an
    ancestor of `inner`."""
    path = [inner]
    for ancestor in inner.iterancestors():
        if ancestor is outer:
            return path[::-1]
        path.append(ancestor)
    return None


def elements_before(path: list[lxml.html.HtmlElement]) -> Iterator[lxml.html.HtmlElement]:
    """The descendants of the path's parent that come before the descendants of its last element,
    in document order: each step's earlier siblings (with all they hold), then the step itself."""
    for step in path:
        for sibling in reversed(list(step.itersiblings(preceding=True))):
            yield from sibling.iter(etree.Element)
        yield step


def elements_after(path: list[lxml.html.HtmlElement]) -> Iterator[lxml.html.HtmlElement]:
    """The descendants of the path's parent that come after everything in its last element, in
    document order: each step's later siblings (with all they hold), from the deepest step up."""
    for step in reversed(path):
        for sibling in step.itersiblings():
            yield from sibling.iter(etree.Element)


def is_elsewhere(element: lxml.html.HtmlElement, scope: lxml.html.HtmlElement) -> bool:
    """Inside an aside, a related-stories box or a comment thread, between element and scope."""
    node: lxml.html.HtmlElement | None = element
    while node is not None and node is not scope:
        if node.tag in ELSEWHERE_TAGS:
            return True
        css, ident = node.get("class"), node.get("id")
        if (css or ident) and names_elsewhere(css or "", ident or ""):
            return True
        node = node.getparent()
    return False


@functools.lru_cache(maxsize=4096)
def names_elsewhere(css: str, ident: str) -> bool:
    """Whether a class and id name a box of other stories.  Cached: the ancestors tested for one
    element are tested again for its neighbours, and a page repeats its class names."""
    marker = f"{css} {ident}"
    if "__" in marker:
        marker = BEM_ELEMENT.sub("", marker)
    return bool(marker.strip() and ELSEWHERE.search(marker))


def byline_texts(
    found: Iterable[lxml.html.HtmlElement], scope: lxml.html.HtmlElement, limit: int
) -> list[str]:
    """The first `limit` texts of byline elements outside related boxes, without their role, bio or
    photo parts.  `found` is read no further than needed."""
    texts: list[str] = []
    for element in found:
        if is_noise(element) or is_elsewhere(element, scope):
            continue
        text = clean(" ".join(own_text(element)))
        if text and len(text) <= MAX_BYLINE_LENGTH:
            texts.append(text)
            if len(texts) == limit:
                break
    return texts


def is_noise(element: lxml.html.HtmlElement) -> bool:
    return bool(BYLINE_NOISE.search(f"{element.get('class') or ''} {element.get('id') or ''}"))


def own_text(element: lxml.html.HtmlElement, depth: int = 0) -> Iterator[str]:
    """The element's text pieces in order, skipping comments and noise children (a role span
    beside the name: "<span>By Naomi Fields</span><span class=author-role>Gardener</span>")."""
    yield element.text or ""
    for child in element:
        if isinstance(child.tag, str) and not is_noise(child) and depth < MAX_BYLINE_DEPTH:
            yield from own_text(child, depth + 1)
        yield child.tail or ""


def outer_container(
    tree: lxml.html.HtmlElement, headline: lxml.html.HtmlElement | None
) -> lxml.html.HtmlElement | None:
    """The headline's outermost container below <body>: where an author box placed after the story
    body sits when the header holds no byline (and no <article> marks the story)."""
    if headline is None:
        return None
    outer: lxml.html.HtmlElement | None = None
    for ancestor in headline.iterancestors():
        if ancestor.tag in ("body", "html"):
            break
        outer = ancestor
    return outer


# A dateline or credit line sits in one of the article's first or last few paragraphs.
CREDIT_HEAD = 4
CREDIT_TAIL = 3


def find_credit(scope: lxml.html.HtmlElement) -> str | None:
    """A wire agency named in a dateline or credit line of the article's first or last paragraphs."""
    paragraphs = list(scope.iter("p", "small", "em"))
    # Paragraphs in related boxes do not count; testing only as many from each end as are read
    # (not every paragraph of a long article) was most of this function's time.
    head = outside_boxes(paragraphs, scope, CREDIT_HEAD)
    tail = outside_boxes(reversed(paragraphs), scope, CREDIT_TAIL)[::-1]
    for paragraph in head + tail:
        text = text_of(paragraph, 2000)
        found = credit_in(text) if text else None
        if found:
            return found
    return None


def outside_boxes(
    elements: Iterable[lxml.html.HtmlElement], scope: lxml.html.HtmlElement, count: int
) -> list[lxml.html.HtmlElement]:
    """The first `count` of `elements` that are not elsewhere (see is_elsewhere), in their order."""
    kept: list[lxml.html.HtmlElement] = []
    for element in elements:
        if len(kept) == count:
            break
        if not is_elsewhere(element, scope):
            kept.append(element)
    return kept


def time_in_scope(scope: lxml.html.HtmlElement, today: dt.date, *, modified: bool) -> DateValue | None:
    """A <time> of the article header: marked published (or updated), else the first plain one."""
    plain: list[DateValue] = []
    for element in scope.iter("time"):
        if is_elsewhere(element, scope):
            continue
        value = element.get("datetime") or element.text_content()
        found = parse_date(value, today=today) or find_prose_date(value, today=today)
        if found is None:
            continue
        marker = " ".join(
            filter(None, (element.get("class"), element.get("itemprop"), _parent_class(element)))
        )
        if element.get("pubdate") is not None:
            marker += " pubdate"
        label = text_before(element)
        if (
            MODIFIED_HINT.search(marker)
            or UPDATED_WORD.search(element.text_content())
            or UPDATED_WORD.search(label)
        ):
            if modified:
                return found
        elif PUBLISHED_HINT.search(marker) or PUBLISHED_WORD.search(label):
            if not modified:
                return found
        else:
            plain.append(found)
    return plain[0] if plain and not modified else None


def _parent_class(element: lxml.html.HtmlElement) -> str:
    parent = element.getparent()
    return (parent.get("class") or "") if parent is not None else ""


def text_before(element: lxml.html.HtmlElement) -> str:
    """The text just before an element, where a label such as "Updated" or "Published" sits."""
    previous = element.getprevious()
    if previous is not None:
        text = f"{previous.text_content()} {previous.tail or ''}"
    else:
        parent = element.getparent()
        text = (parent.text or "") if parent is not None else ""
    return text[-LABEL_REACH:]


def printed_date(header: Header, today: dt.date) -> DateValue | None:
    """A date printed in a date-classed element or a byline ("Posted by admin on April 23, 2019"),
    never the one labelled "Updated"."""
    scope = header.scope
    bylines = list(header.bylines)
    candidates = date_elements(scope) + bylines + list(header.by_lines)
    # The line that holds a byline element often prints the date beside it.
    candidates += [parent for byline in bylines if (parent := byline.getparent()) is not None]
    for element in candidates:
        if is_elsewhere(element, scope):
            continue
        text = text_of(element, MAX_BYLINE_LENGTH * 2, spaced=True)
        found = find_prose_date(text, today=today, skip_after=UPDATED_WORD) if text else None
        if found is not None:
            return found
    return None
