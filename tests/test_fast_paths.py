"""The fast paths give the same answers as the slower code they replaced (property tests).

Speed work replaced XPath searches and readability-lxml internals with quicker equivalents; each
is checked here against the original, on random trees built to hit their edge cases.
"""

from __future__ import annotations

import copy
import logging
import re
from pathlib import Path

import lxml.etree
import lxml.html
import pytest
import readability.readability
from bs4 import BeautifulSoup
from hypothesis import example, given, settings
from hypothesis import strategies as st
from markdownify import MarkdownConverter
from readability import Document
from readability.readability import Unparseable, clean

from newsdown.converters.byline import by_lines, byline_elements, date_elements
from newsdown.converters.caseless import Caseless
from newsdown.converters.decode import decode
from newsdown.converters.extract import parse_html
from newsdown.converters.markdown import (
    ENTITY_LIKE,
    HTML_LIKE,
    LINK_CLOSE,
    LITERAL_BACKSLASH,
    MARK,
    MAY_START_BLOCK,
    _NewsMarkdown,
    to_soup,
)
from newsdown.converters.model import Source
from newsdown.converters.readable import Readability, cleaned_length, text_length
from tests.helpers import SAMPLES

PAGES = sorted([*SAMPLES.glob("*.html"), *(Path(__file__).parent / "fixtures").rglob("*.html")])

# The XPath expressions the byline searches replaced: the specification they must keep.
BYLINE_XPATH = (
    ".//*[contains(@class,'byline') or contains(@class,'Byline') or contains(@class,'author')"
    " or contains(@class,'Author') or contains(@id,'byline') or contains(@id,'author')"
    " or contains(@class,'autor') or contains(@class,'auteur') or contains(@class,'writer')"
    " or @rel='author' or contains(@itemprop,'author') or self::address]"
)
BY_LINE_XPATH = ".//*[not(self::script or self::style)][{}]".format(
    " or ".join(
        f"starts-with(normalize-space(text()),'{word} ') or normalize-space(text())='{word}'"
        for word in ("By", "BY", "by", "Par", "Von", "Por", "Door", "Posted by", "Submitted by", "Written by")
    )
)
DATE_CLASS_XPATH = (
    ".//*[contains(@class,'date') or contains(@class,'Date') or contains(@class,'time')"
    " or contains(@class,'publish') or contains(@class,'posted') or contains(@class,'dateline')"
    " or contains(@class,'fecha') or contains(@class,'datum') or contains(concat(' ',@class,' '),' data ')]"
)

TAGS = ["div", "p", "span", "a", "address", "script", "style", "section", "time", "b"]
WORDS = ["byline", "Byline", "author", "AUTHOR", "autor", "writer", "date", "Date", "time", "data", "x", ""]
TEXTS = st.one_of(
    st.sampled_from(
        ["", " ", "\n", "By", "by ", " By\n Jane", "BY", "Posted  by x", "Par\tMarie", "Byron", "Door"]
    ),
    st.text(alphabet=" \t\n\xa0BbyPosted", max_size=14),
)


@st.composite
def markup(draw: st.DrawFn, depth: int = 0) -> str:
    tag = draw(st.sampled_from(TAGS))
    attributes = ""
    for name in draw(st.lists(st.sampled_from(["class", "id", "rel", "itemprop"]), max_size=2, unique=True)):
        value = " ".join(draw(st.lists(st.sampled_from(WORDS), max_size=3)))
        attributes += f' {name}="{value}"'
    parts = [draw(TEXTS)]
    if depth < 3:
        for _ in range(draw(st.integers(0, 3))):
            child = draw(markup(depth + 1)) if draw(st.booleans()) else "<!-- note -->"
            parts += [child, draw(TEXTS)]
    return f"<{tag}{attributes}>{''.join(parts)}</{tag}>"


def _tree(fragment: str) -> lxml.html.HtmlElement:
    return parse_html(f"<html><body>{fragment}</body></html>")


@settings(max_examples=300, deadline=None)
@given(markup())
def test_byline_searches_match_their_xpath_originals(fragment: str) -> None:
    tree = _tree(fragment)
    assert byline_elements(tree) == tree.xpath(BYLINE_XPATH)
    assert by_lines(tree) == tree.xpath(BY_LINE_XPATH)
    assert date_elements(tree) == tree.xpath(DATE_CLASS_XPATH)


class UpstreamReadability(Document):  # type: ignore[misc]
    """readability-lxml as released, reading our tree and returning the article the way our subclass
    does (a plain copy in, the article's markup out without upstream's attribute cleaning)."""

    def _parse(self, input: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
        return copy.deepcopy(input)

    def get_clean_html(self) -> str:
        return str(lxml.html.tostring(self.html, encoding="unicode", method="html"))


READABLE_TAGS = ["div", "p", "span", "a", "b", "em", "img", "ul", "li", "br", "td", "table", "tr", "pre"]
READABLE_CLASSES = ["comment", "sidebar", "content", "article", "footer-menu", "post", "x", ""]
PROSE = st.sampled_from(
    [
        "",
        " ",
        "\n  \n",
        "Short.",
        "The council met on Tuesday, and the vote, after hours of debate, was close.",
        "Residents  asked\tfor more buses, later trains and, above all, a reliable timetable for the winter.",
        " " * 300 + "spaced out",
        "word, " * 60,
    ]
)


@st.composite
def readable_markup(draw: st.DrawFn, depth: int = 0) -> str:
    tag = draw(st.sampled_from(READABLE_TAGS))
    css = draw(st.sampled_from(READABLE_CLASSES))
    attributes = f' class="{css}"' if css else ""
    if tag in ("img", "br"):
        return f"<{tag}{attributes}>{draw(PROSE)}"
    parts = [draw(PROSE)]
    if depth < 4:
        for _ in range(draw(st.integers(0, 4))):
            parts += [draw(readable_markup(depth + 1)), draw(PROSE)]
    return f"<{tag}{attributes}>{''.join(parts)}</{tag}>"


def _summaries(page: str) -> tuple[object, object]:
    results = []
    for kind in (UpstreamReadability, Readability):
        try:
            results.append(kind(parse_html(page)).summary(html_partial=True))
        except Unparseable as error:
            results.append(("unparseable", str(error)))
    return results[0], results[1]


@settings(max_examples=200, deadline=None)
@given(st.lists(readable_markup(), min_size=1, max_size=4))
def test_fast_readability_picks_the_same_article_as_upstream(fragments: list[str]) -> None:
    upstream, ours = _summaries(f"<html><body>{''.join(fragments)}</body></html>")
    assert ours == upstream


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_fast_readability_matches_upstream_on_the_samples(page: Path) -> None:
    upstream, ours = _summaries(page.read_text(encoding="utf-8", errors="replace"))
    assert ours == upstream


SPACE_RUNS = st.one_of(
    st.text(alphabet=" \t\n\r\xa0\u2009\x0c\x1f", min_size=1, max_size=4),
    st.text(alphabet=" \n\t", min_size=250, max_size=300),
    st.sampled_from([" ", "  ", "\t\t", " \t", "\t ", "\xa0 ", "\n\t\t", " " * 255, " " * 254 + "\t"]),
)
RUNS_AND_WORDS = st.lists(st.one_of(SPACE_RUNS, st.sampled_from(["a", "word,", "é", "x.y"])), max_size=40)


@given(RUNS_AND_WORDS)
@example(["a", "\xa0 ", "b", "\n", "c"])  # odd whitespace inside a line of a text with no tab
@example(["\u00e9", " \u2009", "word,", "\n\t\t", "a", "\t ", "b"])
@example(["a", " \xa0\n ", "b", "\t\t\n", "c"])  # odd runs that hold a newline are one character
def test_cleaned_length_matches_readabilitys_clean(parts: list[str]) -> None:
    text = "".join(parts)
    assert cleaned_length(text) == len(clean(text))


SOUP_TAGS = [
    "p",
    "div",
    "pre",
    "code",
    "textarea",
    "a",
    "em",
    "table",
    "tr",
    "td",
    "ul",
    "li",
    "h2",
    "br",
    "img",
]
SOUP_ATTRIBUTES = [
    "",
    ' class="a  b"',
    ' class=""',
    ' rel="nofollow me"',
    ' href="/x?a=1&amp;b=2"',
    ' id="i"',
]
SOUP_TEXT = st.sampled_from(
    ["", " ", "\n  \n", "\t", "x", " two words ", "a&amp;b", "<!-- note -->", "<?pi x?>"]
)


@st.composite
def soup_markup(draw: st.DrawFn, depth: int = 0) -> str:
    tag = draw(st.sampled_from([*SOUP_TAGS, "img"]))
    attributes = draw(st.sampled_from(SOUP_ATTRIBUTES))
    if tag in ("img", "br"):
        return f"<{tag}{attributes}>{draw(SOUP_TEXT)}"
    parts = [draw(SOUP_TEXT)]
    if depth < 3:
        for _ in range(draw(st.integers(0, 3))):
            parts += [draw(soup_markup(depth + 1)), draw(SOUP_TEXT)]
    return f"<{tag}{attributes}>{''.join(parts)}</{tag}>"


@settings(max_examples=200, deadline=None)
@given(st.lists(soup_markup(), min_size=1, max_size=3))
def test_the_soup_built_from_lxml_is_the_soup_bs4_parses(fragments: list[str]) -> None:
    html = "".join(fragments)
    parsed = BeautifulSoup(html, "lxml")
    built = to_soup(lxml.html.document_fromstring(html))
    assert built.decode() == parsed.decode()
    # The links markdownify follows: document order (find_all) and siblings.
    assert [str(node) for node in built.descendants] == [str(node) for node in parsed.descendants]
    for node_built, node_parsed in zip(built.descendants, parsed.descendants, strict=True):
        assert str(node_built.next_sibling) == str(node_parsed.next_sibling)
        assert str(node_built.previous_sibling) == str(node_parsed.previous_sibling)
    converter = _NewsMarkdown(base_url=None, images=True, links=True)
    plain = MarkdownConverter(bs4_options="lxml")  # markdownify as it comes, without our flavour
    assert converter.convert_soup(built) == converter.convert_soup(BeautifulSoup(html, "lxml"))
    assert plain.convert_soup(to_soup(lxml.html.document_fromstring(html))) == plain.convert(html)


CLASS_TEXT = st.text(alphabet="abcdeimnorstuwxADEMNOST -_:;ſKİı", max_size=30)


@given(
    CLASS_TEXT,
    st.sampled_from([r"(?:^|[\s_-])(?:ad|share|comment)s?(?:$|[\s_-])", r"display\s*:\s*none", r"mi"]),
)
def test_caseless_search_finds_what_ignorecase_finds(text: str, pattern: str) -> None:
    assert bool(Caseless(pattern).search(text)) == bool(re.compile(pattern, re.IGNORECASE).search(text))


def test_caseless_patterns_must_be_written_in_lowercase() -> None:
    with pytest.raises(ValueError, match="lowercase"):
        Caseless(r"Share\s")


def reference_escape(converter: _NewsMarkdown, text: str, parent_tags: set[str]) -> str:
    """The escaping as first written: every substitution on every text node."""
    text = LITERAL_BACKSLASH.sub(r"\\\\", text)
    escaped: str = MarkdownConverter.escape(converter, text, parent_tags)  # type: ignore[attr-defined]
    escaped = HTML_LIKE.sub(r"\\<", escaped)
    escaped = ENTITY_LIKE.sub(r"\\&", escaped).replace("`", "\\`").replace("~~", "\\~\\~")
    if "a" in parent_tags:
        escaped = escaped.replace("[", "\\[").replace("]", "\\]")
    else:
        escaped = LINK_CLOSE.sub(r"\\]", escaped)
    if parent_tags & {"td", "th"}:
        escaped = escaped.replace("|", "\\|")
    return MAY_START_BLOCK.sub(rf"\1{MARK}", escaped)


@given(
    st.text(alphabet=" \t\nab1٣#>+-=`~[]()<>&;\\*_|!:", max_size=24),
    st.sets(st.sampled_from(["a", "td", "p", "th", "em"])),
)
def test_escape_with_guards_matches_the_reference(text: str, parent_tags: set[str]) -> None:
    converter = _NewsMarkdown(base_url=None, images=True, links=True)
    assert converter.escape(text, parent_tags) == reference_escape(converter, text, parent_tags)


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_parsing_the_utf8_bytes_gives_the_tree_parsing_the_text_gives(page: Path) -> None:
    document = decode(Source(origin=page.name, data=page.read_bytes()))
    utf8 = document.text.encode("utf-8")  # as if the page had come as UTF-8, whatever it came as
    from_text = lxml.html.tostring(parse_html(document.text))
    assert lxml.html.tostring(parse_html(document.text, utf8)) == from_text
    # A declaration of another charset in the bytes changes nothing: the parser is told UTF-8.
    declared = b'<?xml version="1.0" encoding="iso-8859-1"?><meta charset="windows-1252">' + utf8
    body = parse_html("", declared).find("body")
    assert body is not None
    original = parse_html(document.text).find("body")
    assert original is not None
    assert body.text_content().split() == original.text_content().split()


UPSTREAM_TEXT_LENGTH = readability.readability.text_length
UPSTREAM_DESCRIBE = readability.readability.describe


@pytest.mark.parametrize("page", PAGES[:20], ids=lambda page: page.name)
def test_text_length_is_upstreams_on_every_element(page: Path) -> None:
    tree = parse_html(page.read_text(encoding="utf-8", errors="replace"))
    for element in tree.iter(lxml.etree.Element):
        assert text_length(element) == UPSTREAM_TEXT_LENGTH(element)


def test_summary_puts_upstreams_text_length_back() -> None:
    page = PAGES[-1].read_text(encoding="utf-8", errors="replace")
    Readability(parse_html(page)).summary(html_partial=True)
    assert readability.readability.text_length is UPSTREAM_TEXT_LENGTH


def test_summary_puts_upstreams_debug_descriptions_back() -> None:
    page = PAGES[-1].read_text(encoding="utf-8", errors="replace")
    Readability(parse_html(page)).summary(html_partial=True)
    assert readability.readability.describe is UPSTREAM_DESCRIBE


def test_debug_logging_still_describes_the_candidates(caplog: pytest.LogCaptureFixture) -> None:
    page = "<html><body><div id='story'>" + "<p>A sentence, and more, to score it.</p>" * 5
    with caplog.at_level(logging.DEBUG, logger="readability.readability"):
        Readability(parse_html(page + "</div></body></html>")).summary(html_partial=True)
    assert any("Top 5" in message and ">#story" in message for message in caplog.messages)
