"""The Markdown stage's fast paths give the answers of the markdownify code they replaced.

Our converter walks the bs4 tree with its own process_tag and process_text; markdownify's, restored in
a subclass, are the specification, checked on random trees built to hit the whitespace and newline
edge cases and on every sample and fixture page.
"""

from __future__ import annotations

from pathlib import Path

import lxml.html
import markdownify
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from markdownify import MarkdownConverter

from newsdown.converters.decode import decode
from newsdown.converters.extract import parse_html
from newsdown.converters.markdown import (
    HTML_HEADING,
    NEWLINE_WHITESPACE,
    SPACES_AND_TABS,
    _collapse_whitespace,
    _join_collapsing_newlines,
    _NewsMarkdown,
    _split_newlines,
    _tag_rules,
    to_soup,
)
from newsdown.converters.model import Source
from tests.helpers import SAMPLES

PAGES = sorted([*SAMPLES.glob("*.html"), *(Path(__file__).parent / "fixtures").rglob("*.html")])


class MarkdownifyWalk(_NewsMarkdown):
    """Our flavour with markdownify's own tree walk: the specification."""

    process_tag = MarkdownConverter.process_tag  # type: ignore[attr-defined]
    process_text = MarkdownConverter.process_text  # type: ignore[attr-defined]


def both_conversions(root: lxml.html.HtmlElement, **options: bool) -> tuple[str, str]:
    """(markdownify's walk, ours), each on a soup of its own: conversion rewrites link attributes."""
    results = []
    for kind in (MarkdownifyWalk, _NewsMarkdown):
        converter = kind(base_url="http://example.com/a/", images=options.get("images", True), links=True)
        results.append(converter.convert_soup(to_soup(root)))
    return results[0], results[1]


# Blocks, headings (and names that only look like one), inline tags, cells, <pre> and its relatives.
WALK_TAGS = [
    *("div", "p", "li", "ul", "ol", "blockquote", "section", "dl", "dt", "dd", "h1", "h3", "h7"),
    *("hgroup", "header", "span", "a", "em", "strong", "table", "tr", "td", "th", "pre", "code"),
    *("kbd", "q", "figure", "figcaption", "img", "br"),
]
WALK_TEXT = st.one_of(
    st.sampled_from(["", " ", "\n", "\n  \n", "\t", "\xa0", " x ", "a  b", "a\tb", "a\r\nb", "<!-- c -->"]),
    st.text(alphabet=" \t\n\xa0x#*_-1.[]", max_size=10).map(lambda text: text.replace("<", "")),
)


@st.composite
def walk_markup(draw: st.DrawFn, depth: int = 0) -> str:
    tag = draw(st.sampled_from(WALK_TAGS))
    attributes = {"a": ' href="/p q"', "img": ' src="i.png" alt="i"', "code": ' class="language-py"'}
    opening = f"<{tag}{attributes.get(tag, '')}>"
    if tag in ("img", "br"):
        return opening + draw(WALK_TEXT)
    parts = [draw(WALK_TEXT)]
    if depth < 3:
        for _ in range(draw(st.integers(0, 4))):
            parts += [draw(walk_markup(depth + 1)), draw(WALK_TEXT)]
    return f"{opening}{''.join(parts)}</{tag}>"


@settings(max_examples=400, deadline=None)
@given(st.lists(walk_markup(), min_size=1, max_size=3), st.booleans())
@example(["<div>\n<p>a</p>\n\n<pre>\n x\n\n</pre> <h1x>b</h1x></div>"], True)
@example(["<pre><code><span>x\n\n\n</span><span>\n\ny</span></code></pre>"], True)  # newlines kept
def test_our_tree_walk_converts_as_markdownifys(fragments: list[str], images: bool) -> None:
    root = lxml.html.document_fromstring(f"<html><body>{''.join(fragments)}</body></html>")
    expected, ours = both_conversions(root, images=images)
    assert ours == expected


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_our_tree_walk_converts_the_pages_as_markdownifys(page: Path) -> None:
    root = parse_html(decode(Source(origin=page.name, data=page.read_bytes())).text)
    expected, ours = both_conversions(root)
    assert ours == expected


def test_the_rules_we_copied_are_markdownifys() -> None:
    assert NEWLINE_WHITESPACE.pattern == markdownify.re_newline_whitespace.pattern  # type: ignore[attr-defined]
    assert SPACES_AND_TABS.pattern == markdownify.re_whitespace.pattern  # type: ignore[attr-defined]
    assert HTML_HEADING.pattern == markdownify.re_html_heading.pattern  # type: ignore[attr-defined]


class NamedOnly:
    def __init__(self, name: str) -> None:
        self.name = name


@given(st.one_of(st.sampled_from([*WALK_TAGS, "", "h", "h10", "h1x", "pre", "td"]), st.text(max_size=4)))
def test_the_rules_per_tag_name_are_markdownifys(name: str) -> None:
    inside = markdownify.should_remove_whitespace_inside  # type: ignore[attr-defined]
    outside = markdownify.should_remove_whitespace_outside  # type: ignore[attr-defined]
    tag = NamedOnly(name)
    # process_tag's test for converting the children inline
    inline = markdownify.re_html_heading.match(name) is not None or name in {"td", "th"}  # type: ignore[attr-defined]
    assert _tag_rules(name) == (bool(inside(tag)), bool(outside(tag)), inline)


@given(st.text(alphabet=" \t\r\n\xa0x", max_size=12))
def test_whitespace_collapses_as_markdownify_collapses_it(text: str) -> None:
    expected = SPACES_AND_TABS.sub(" ", NEWLINE_WHITESPACE.sub("\n", text))
    assert _collapse_whitespace(text) == expected


@given(st.text(alphabet="\nx ", min_size=1, max_size=8))
def test_newlines_split_off_as_markdownify_splits_them(string: str) -> None:
    match = markdownify.re_extract_newlines.match(string)  # type: ignore[attr-defined]
    assert match is not None
    assert _split_newlines(string) == match.groups()


def markdownify_join(strings: list[str]) -> str:
    """markdownify's process_tag collapsing newlines at child boundaries, as it has it."""
    updated_child_strings = [""]
    for child_string in strings:
        match = markdownify.re_extract_newlines.match(child_string)  # type: ignore[attr-defined]
        leading_nl, content, trailing_nl = match.groups()
        if updated_child_strings[-1] and leading_nl:
            prev_trailing_nl = updated_child_strings.pop()
            num_newlines = min(2, max(len(prev_trailing_nl), len(leading_nl)))
            leading_nl = "\n" * num_newlines
        updated_child_strings.extend([leading_nl, content, trailing_nl])
    return "".join(updated_child_strings)


@given(st.lists(st.text(alphabet="\nx", min_size=1, max_size=6), max_size=5))
@example(["a\n", "\nb"])
@example(["a\n\n\n", "\n", "\n\nb"])
def test_children_join_as_markdownify_joins_them(strings: list[str]) -> None:
    assert _join_collapsing_newlines(strings) == markdownify_join(strings)
