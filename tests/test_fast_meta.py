"""The metadata stage's fast paths give the same answers as the code they replaced (property tests).

Each reference below is the earlier, obvious version, kept as the specification: the page scan's
three searches for links and Microdata, `find_credit` testing every paragraph, `is_elsewhere`
testing every ancestor's class with the regex, `credit_in` without its precheck, `parse_json`
unwrapping every block before parsing it, and the byline searches walking each scope in full every
time (the outer container's walk repeating its header's, `printed_date` repeating both).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from collections.abc import Iterator
from difflib import SequenceMatcher
from pathlib import Path

import lxml.html
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from lxml import etree

from newsdown.converters.authors import CREDIT_LINE, WIRE_AGENCIES, credit_in, org_key
from newsdown.converters.byline import (
    BEM_ELEMENT,
    ELSEWHERE,
    ELSEWHERE_TAGS,
    MAX_BYLINE_LENGTH,
    UPDATED_WORD,
    Header,
    Replay,
    article_scope,
    by_lines,
    byline_elements,
    byline_texts,
    date_elements,
    find_credit,
    is_elsewhere,
    is_noise,
    own_text,
    printed_date,
)
from newsdown.converters.dates import DateValue, find_prose_date
from newsdown.converters.extract import parse_html
from newsdown.converters.jsonld import JSON_WRAPPERS, TRAILING_COMMA, parse_json, read_json_ld
from newsdown.converters.metadata import scan_page
from newsdown.converters.metapage import Page, clean, key_of, text_of
from newsdown.converters.titles import similar
from tests.helpers import SAMPLES

PAGES = sorted([*SAMPLES.glob("*.html"), *(Path(__file__).parent / "fixtures").rglob("*.html")])

Links = dict[str, list[lxml.html.HtmlElement]]
Micro = dict[str, lxml.html.HtmlElement]


def reference_links_and_microdata(
    tree: lxml.html.HtmlElement,
) -> tuple[Links, Micro, list[lxml.html.HtmlElement]]:
    """The page scan's links and Microdata as first written: three searches of the tree."""
    links: Links = {}
    for link in tree.xpath("//link[@rel] | //a[@rel]"):
        for rel in (link.get("rel") or "").lower().split():
            links.setdefault(rel, []).append(link)
    items = tree.xpath(
        "//*[@itemscope][contains(@itemtype,'Article') or contains(@itemtype,'BlogPosting')"
        " or contains(@itemtype,'article')]"
    )
    root = items[0] if items else tree
    micro: Micro = {}
    authors = []
    for element in root.xpath("descendant-or-self::*[@itemprop]"):
        for prop in (element.get("itemprop") or "").split():
            if prop in ("author", "creator"):
                authors.append(element)
            else:
                micro.setdefault(prop, element)
    return links, micro, authors


def reference_is_elsewhere(element: lxml.html.HtmlElement, scope: lxml.html.HtmlElement) -> bool:
    node: lxml.html.HtmlElement | None = element
    while node is not None and node is not scope:
        if node.tag in ELSEWHERE_TAGS:
            return True
        marker = f"{node.get('class') or ''} {node.get('id') or ''}"
        if "__" in marker:
            marker = BEM_ELEMENT.sub("", marker)
        if marker.strip() and ELSEWHERE.search(marker):
            return True
        node = node.getparent()
    return False


def reference_credit_in(text: str) -> str | None:
    match = CREDIT_LINE.search(text)
    if match is None:
        return None
    return WIRE_AGENCIES.get((match.group(1) or match.group(2)).lower())


def reference_find_credit(scope: lxml.html.HtmlElement) -> str | None:
    paragraphs = [p for p in scope.iter("p", "small", "em") if not reference_is_elsewhere(p, scope)]
    for paragraph in paragraphs[:4] + paragraphs[-3:]:
        text = text_of(paragraph, 2000)
        found = reference_credit_in(text) if text else None
        if found:
            return found
    return None


TAGS = [
    "div",
    "p",
    "small",
    "em",
    "span",
    "a",
    "link",
    "aside",
    "figure",
    "section",
    "article",
    "h1",
    "title",
]
ATTRIBUTES = {
    "class": ["related", "related__x", "story__related", "card", "vcard", "x", "", "Sidebar widget"],
    "id": ["comments", "main", "", "promo-1"],
    "rel": ["author", "canonical", "Author nofollow", "", "image_src"],
    "itemscope": [""],
    "itemtype": ["http://schema.org/NewsArticle", "https://schema.org/Person", "BlogPosting", "article", ""],
    "itemprop": ["author", "name", "headline author", "creator", "datePublished", ""],
}
TEXTS = st.sampled_from(
    ["", " ", "Plain words.", "LONDON (Reuters) - Talks resumed.", "Source: AFP", "(AP) photo", "a: b", "x"]
)


@st.composite
def markup(draw: st.DrawFn, depth: int = 0) -> str:
    tag = draw(st.sampled_from(TAGS))
    attributes = ""
    for name in draw(st.lists(st.sampled_from(sorted(ATTRIBUTES)), max_size=3, unique=True)):
        attributes += f' {name}="{draw(st.sampled_from(ATTRIBUTES[name]))}"'
    parts = [draw(TEXTS)]
    if depth < 3:
        for _ in range(draw(st.integers(0, 4))):
            parts += [draw(markup(depth + 1)), draw(TEXTS)]
    return f"<{tag}{attributes}>{''.join(parts)}</{tag}>"


def _tree(fragments: list[str]) -> lxml.html.HtmlElement:
    return parse_html(
        f"<html><head><link rel=canonical href=/x></head><body>{''.join(fragments)}</body></html>"
    )


def assert_scan_matches_reference(tree: lxml.html.HtmlElement) -> None:
    page = scan_page(tree, None)
    assert (page.links, page.micro, page.micro_authors) == reference_links_and_microdata(tree)
    # The tags found in the scan's one walk are those that a walk for each finds.
    assert page.headings == list(tree.iter("h1"))
    assert page.title_tag is next(tree.iter("title"), None)
    reference = Page(tree=tree, url=None)
    read_json_ld(reference, list(tree.iter("script")))
    assert (page.article, page.page_node, page.json_nodes) == (
        reference.article,
        reference.page_node,
        reference.json_nodes,
    )


def assert_credit_matches_reference(tree: lxml.html.HtmlElement) -> None:
    for scope in tree.iter("body", "article", "section", "div"):
        assert find_credit(scope) == reference_find_credit(scope)
        for element in scope.iter():
            assert is_elsewhere(element, scope) == reference_is_elsewhere(element, scope)


@settings(max_examples=300, deadline=None)
@given(st.lists(markup(), min_size=1, max_size=4))
def test_one_search_finds_the_links_and_microdata_of_three(fragments: list[str]) -> None:
    assert_scan_matches_reference(_tree(fragments))


@settings(max_examples=300, deadline=None)
@given(st.lists(markup(), min_size=1, max_size=6))
def test_lazy_find_credit_matches_testing_every_paragraph(fragments: list[str]) -> None:
    assert_credit_matches_reference(_tree(fragments))


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_fast_metadata_paths_match_their_references_on_the_samples(page: Path) -> None:
    tree = parse_html(page.read_text(encoding="utf-8", errors="replace"))
    assert_scan_matches_reference(tree)
    headline = next(tree.iter("h1"), None)
    scope = article_scope(tree, headline)
    assert find_credit(scope) == reference_find_credit(scope)
    for element in scope.iter("p", "time", "a", "span"):
        assert is_elsewhere(element, scope) == reference_is_elsewhere(element, scope)
        assert is_elsewhere(element, tree) == reference_is_elsewhere(element, tree)


@given(st.text(alphabet="(): -APReutersSourceafp\u2014", max_size=30))
def test_credit_precheck_keeps_every_match(text: str) -> None:
    assert credit_in(text) == reference_credit_in(text)


@given(st.text(max_size=20))
def test_cached_org_key_is_the_plain_one(name: str) -> None:
    key = re.sub(r"[\W_]+", "", name.lower())
    assert org_key(name) == (key.removeprefix("the") if len(key) > 6 else key)


@pytest.mark.parametrize("count", range(1, 11))
def test_find_credit_reads_the_same_paragraphs_at_every_position(count: int) -> None:
    """The credit line in each position in turn, with a related box (skipped) before it or after it."""
    for credit_at in range(count):
        for box_at in (None, *range(count)):
            paragraphs = [
                "<p>LONDON (Reuters) - Talks resumed.</p>" if index == credit_at else "<p>Plain words.</p>"
                for index in range(count)
            ]
            if box_at is not None:
                paragraphs.insert(box_at, "<div class=related><p>Source: AFP</p></div>")
            tree = _tree(paragraphs)
            body = next(tree.iter("body"))
            assert find_credit(body) == reference_find_credit(body)


def reference_parse_json(text: str) -> object | None:
    candidates = (text, JSON_WRAPPERS.sub("", text))
    for candidate in candidates:
        try:
            parsed: object = json.loads(candidate, strict=False)
        except (ValueError, RecursionError):
            continue
        return parsed
    repaired = TRAILING_COMMA.sub(r"\1", candidates[1]).strip()
    decoder = json.JSONDecoder(strict=False)
    found: list[object] = []
    position = 0
    while position < len(repaired):
        try:
            value, end = decoder.raw_decode(repaired, position)
        except (ValueError, RecursionError):
            break
        found.append(value)
        position = end
        while position < len(repaired) and repaired[position] in " \t\r\n,;":
            position += 1
    return found or None


JSON_PIECES = st.sampled_from(
    [
        '{"a": 1}',
        "[1, 2,]",
        "null",
        "<!--",
        "-->",
        "<![CDATA[",
        "]]>",
        "// ",
        ";",
        ",",
        " ",
        "\n",
        "{",
        "}",
        '"x"',
    ]
)


@given(st.lists(JSON_PIECES, max_size=8))
def test_parse_json_unwrapping_only_failures_matches_unwrapping_first(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert parse_json(text) == reference_parse_json(text)


def reference_byline_texts(found: list[lxml.html.HtmlElement], scope: lxml.html.HtmlElement) -> list[str]:
    """All the texts of the byline elements found (the callers kept the first two or three)."""
    texts = []
    for element in found:
        if is_noise(element) or is_elsewhere(element, scope):
            continue
        text = clean(" ".join(own_text(element)))
        if text and len(text) <= MAX_BYLINE_LENGTH:
            texts.append(text)
    return texts


def reference_printed_date(scope: lxml.html.HtmlElement, today: dt.date) -> DateValue | None:
    bylines = byline_elements(scope)
    candidates = date_elements(scope) + bylines + by_lines(scope)
    candidates += [parent for byline in bylines if (parent := byline.getparent()) is not None]
    for element in candidates:
        if is_elsewhere(element, scope):
            continue
        text = text_of(element, MAX_BYLINE_LENGTH * 2, spaced=True)
        found = find_prose_date(text, today=today, skip_after=UPDATED_WORD) if text else None
        if found is not None:
            return found
    return None


BYLINE_TAGS = ["div", "p", "span", "a", "address", "aside", "section", "header", "b"]
BYLINE_ATTRIBUTES = {
    "class": ["byline", "author-role", "related", "date", "x", "Byline writer", ""],
    "id": ["author", "main", ""],
    "rel": ["author", "nofollow"],
    "itemprop": ["author", "name"],
}
BYLINE_TEXTS = st.sampled_from(
    [
        "",
        " ",
        "By Jane Doe",
        "by John Roe and Ann Lee",
        "Posted by admin on April 23, 2019",
        "Updated May 2, 2020",
        "Tom Hale",
        "x" * 170,
        "Plain words.",
    ]
)


@st.composite
def byline_markup(draw: st.DrawFn, depth: int = 0) -> str:
    tag = draw(st.sampled_from(BYLINE_TAGS))
    attributes = ""
    for name in draw(st.lists(st.sampled_from(sorted(BYLINE_ATTRIBUTES)), max_size=2, unique=True)):
        attributes += f' {name}="{draw(st.sampled_from(BYLINE_ATTRIBUTES[name]))}"'
    parts = [draw(BYLINE_TEXTS)]
    if depth < 3:
        for _ in range(draw(st.integers(0, 4))):
            child = draw(byline_markup(depth + 1)) if draw(st.integers(0, 4)) else "<!-- note -->"
            parts += [child, draw(BYLINE_TEXTS)]
    return f"<{tag}{attributes}>{''.join(parts)}</{tag}>"


def assert_header_matches_reference(tree: lxml.html.HtmlElement) -> None:
    """Every element as the header's scope: its searches, read partly and again, give the full walks'
    answers; and so does every container around it."""
    today = dt.date(2024, 1, 1)
    for scope in tree.iter(etree.Element):
        header = Header(scope)
        full = reference_byline_texts(byline_elements(scope), scope)
        assert byline_texts(header.bylines, scope, limit=1) == full[:1]
        assert (
            byline_texts(header.by_lines, scope, limit=2)
            == reference_byline_texts(by_lines(scope), scope)[:2]
        )
        for outer in [*scope.iterancestors(), *scope.iterdescendants(etree.Element)]:
            assert list(header.bylines_in(outer)) == byline_elements(outer)
            expected = reference_byline_texts(byline_elements(outer), outer)[:3]
            assert byline_texts(header.bylines_in(outer), outer, limit=3) == expected
        assert list(header.bylines) == byline_elements(scope)
        assert list(header.by_lines) == by_lines(scope)
        assert printed_date(header, today) == reference_printed_date(scope, today)


@settings(max_examples=200, deadline=None)
@given(st.lists(byline_markup(), min_size=1, max_size=3))
def test_header_searches_match_walking_each_scope_in_full(fragments: list[str]) -> None:
    assert_header_matches_reference(_tree(fragments))


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_header_searches_match_walking_each_scope_in_full_on_the_samples(page: Path) -> None:
    tree = parse_html(page.read_text(encoding="utf-8", errors="replace"))
    headline = next(tree.iter("h1"), None)
    scope = article_scope(tree, headline)
    header = Header(scope)
    for outer in [*scope.iterancestors(), scope]:
        assert list(header.bylines_in(outer)) == byline_elements(outer)
    assert printed_date(header, dt.date(2024, 1, 1)) == reference_printed_date(scope, dt.date(2024, 1, 1))


@given(st.lists(st.integers(), max_size=8), st.lists(st.integers(0, 9), max_size=6))
def test_replay_gives_every_loop_all_the_items_and_advances_once(items: list[int], stops: list[int]) -> None:
    pulled: list[int] = []

    def source() -> Iterator[int]:
        for item in items:
            pulled.append(item)
            yield item

    replay = Replay(source())
    for stop in stops:  # loops that stop early, each starting again from the first item
        assert list(itertools.islice(replay, stop)) == items[:stop]
    assert pulled == items[: max(stops, default=0)]
    assert list(replay) == list(replay) == items
    assert pulled == items


def reference_similar(candidate: str, heading: str) -> bool:
    a, b = key_of(candidate), key_of(heading)
    if not a or not b:
        return False
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    if long.startswith(short) and len(short) >= 30:
        return True
    if short in long and len(short) >= 0.75 * len(long):
        return True
    return len(long) <= 2 * len(short) and SequenceMatcher(None, a, b).ratio() >= 0.85


HEADLINE_WORDS = st.sampled_from(
    ["Council", "votes", "vote", "on", "new", "bus", "buses", "plan", "Plan", "a", "the"]
)


@given(st.lists(HEADLINE_WORDS, max_size=8), st.lists(HEADLINE_WORDS, max_size=8))
@example(["Council", "votes", "on", "new", "bus", "plan"], ["Council", "vote", "on", "new", "buses", "plan"])
def test_similar_with_the_quick_bound_first_matches_the_full_ratio(
    first: list[str], second: list[str]
) -> None:
    candidate, heading = " ".join(first), " ".join(second)
    assert similar(candidate, heading) == reference_similar(candidate, heading)


@given(st.text(alphabet="abcde ", max_size=40), st.text(alphabet="abcde ", max_size=40))
def test_similar_matches_the_full_ratio_on_any_text(candidate: str, heading: str) -> None:
    assert similar(candidate, heading) == reference_similar(candidate, heading)
