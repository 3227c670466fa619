"""readability-lxml, run on the tree we parsed and pruned, with its hot spots made fast.

readability-lxml's scoring is the same as upstream's; what changes is how some of its steps find
their answer, each checked against the original by tests/test_fast_paths.py:

- `_parse` copies our tree instead of re-parsing and re-cleaning the page, and leaves links alone;
- finding a div's block descendants walks the subtree instead of serialising it and running a regex
  over the markup (the original costs a serialisation per div, so nested pages paid n * depth);
- unlikely candidates are looked for only among elements that have a class or an id;
- class and id words are matched case-insensitively by lowercasing them (caseless.py);
- text lengths are counted from the words and the whitespace runs between them, without `clean`'s
  three regexes over the whole text unless a run mixes in tabs or other whitespace;
- paragraph scoring, and the rest of `summary` while debug logging is off, leave out the debug
  descriptions upstream formats for every candidate, logged or not.
"""

from __future__ import annotations

import copy
import functools
import logging
import re
from typing import Any

import lxml.html
import readability.readability
from lxml import etree
from readability import Document
from readability.readability import REGEXES

from newsdown.converters.caseless import Caseless
from newsdown.converters.extract import HTML_PARSER

# What readability's divToPElementsRe ("<(blockquote|dl|div|img|ol|p|pre|table|ul)") finds in
# serialised markup: a descendant tag whose name starts with one of these.
BLOCK_TAG_PREFIXES = ("blockquote", "dl", "div", "img", "ol", "p", "pre", "table", "ul")
INLINE_TAGS = frozenset(
    ["a", "b", "cite", "code", "em", "font", "i", "small", "span", "strong", "sub", "sup", "u"]
)
UNLIKELY = Caseless(REGEXES["unlikelyCandidatesRe"])
MAYBE_CANDIDATE = Caseless(REGEXES["okMaybeItsACandidateRe"])
POSITIVE = Caseless(REGEXES["positiveRe"])
NEGATIVE = Caseless(REGEXES["negativeRe"])
IN_CODE = etree.XPath("ancestor-or-self::pre | ancestor-or-self::code")
HOLDS_CONTENT = etree.XPath(
    "descendant-or-self::main | descendant-or-self::article | descendant-or-self::math"
)
# Past this length readability's first regex (runs of 255 spaces) could apply.
SHORT_TEXT = 255
# Whitespace that `clean` does not fold into a single space with its neighbours: all but space and
# newline (a tab is folded only after a space). str.split() and the regex \s agree on what is whitespace.
ODD_SPACES = "".join(  # U+3000, the ideographic space, is the last whitespace character
    char for char in map(chr, range(0x3001)) if char.isspace() and char not in " \n"
)
ASCII_ODD_SPACES = "".join(char for char in ODD_SPACES if char.isascii())
SPACE_RUN = re.compile(r"[^\S\n]{2,}")  # two or more whitespace characters, no newline
# What `clean` does to a run without a newline (its third regex).
TABS_AND_SPACES = re.compile(r"\t|[ \t]{2,}")


def text_length(element: lxml.html.HtmlElement) -> int:
    """readability's text_length: the length of the element's text after `clean`."""
    return cleaned_length(element.text_content() or "")


def cleaned_length(text: str) -> int:
    """len(clean(text)), without clean's three regexes over the whole text.

    clean() turns each run of whitespace that holds a newline (or is 255 long) into one character, a
    run of spaces into one space, and strips the ends; so the length is the non-space characters plus
    one per run between them. Only a run without a newline that holds a tab or other odd whitespace
    (a no-break space, say) can keep more than one character: such runs are looked for only in texts
    that have odd whitespace at all, and only inside lines, so tab-indented markup costs no regex.
    """
    if len(text) < SHORT_TEXT and "\n" not in text and "\t" not in text and "  " not in text:
        return len(text.strip())
    words = text.split()
    if not words:
        return 0
    length = sum(map(len, words)) + len(words) - 1
    odd_spaces = ASCII_ODD_SPACES if text.isascii() else ODD_SPACES
    if not any(char in text for char in odd_spaces):
        return length
    # Runs that hold a newline are one character whatever else they hold: strip them off each line.
    inside_lines = "\n".join(line.strip() for line in text.split("\n"))
    for run in SPACE_RUN.finditer(inside_lines):
        if len(run.group()) < SHORT_TEXT:
            length += len(TABS_AND_SPACES.sub(" ", run.group())) - 1
    return length


def holds_block(element: lxml.html.HtmlElement) -> bool:
    """Whether readability's divToPElementsRe would match the element's serialised children."""
    for descendant in element.iterdescendants(etree.Element):
        if descendant.tag.lower().startswith(BLOCK_TAG_PREFIXES):
            return True
    return False


# Class and id verdicts depend on the string only, and pages (all the more a site's pages, in a batch)
# repeat their class names: each distinct string is judged once.
@functools.lru_cache(maxsize=4096)
def _unlikely(features: str) -> bool:
    return len(features) >= 2 and bool(UNLIKELY.search(features)) and not MAYBE_CANDIDATE.search(features)


@functools.lru_cache(maxsize=4096)
def _feature_weight(feature: str) -> int:
    return 25 * (bool(POSITIVE.search(feature)) - bool(NEGATIVE.search(feature)))


def _undescribed(element: lxml.html.HtmlElement) -> str:
    return ""


class Readability(Document):  # type: ignore[misc]
    """readability-lxml's Document on a parsed tree, keeping the article element."""

    article: lxml.html.HtmlElement | None = None

    def _parse(self, input: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
        # prune_page has dropped hidden elements, scripts, styles and comments already; a copy it
        # must be, since `summary` mutates the tree and parses again on retry.
        return copy.deepcopy(input)

    def get_article(
        self,
        candidates: dict[Any, dict[str, Any]],
        best_candidate: dict[str, Any],
        html_partial: bool = False,
    ) -> lxml.html.HtmlElement:
        output = super().get_article(candidates, best_candidate, html_partial=html_partial)
        # Upstream builds the article in a document of lxml.html's own parser, whose element class
        # lookup is Python code run each time an element is touched; in one of our parser's documents
        # it is C (extract.HTML_PARSER), which makes every later walk over the article faster.
        container = HTML_PARSER.makeelement(output.tag, dict(output.attrib))
        container.extend(output)
        return container

    def summary(self, html_partial: bool = False, keep_all_images: bool = False) -> str:
        # Upstream's steps (sanitize, the semantic candidates, ...) measure text with its module's
        # text_length, which runs clean()'s three regexes over the whole text; ours gives the same
        # lengths (tests/test_fast_paths.py), so it stands in while summary runs. Any other caller
        # meanwhile gets the same answers.
        #
        # Upstream also formats a debug message for most elements it weighs (a description of the
        # element and its parent, its text), logged or not: while debug logging is off, the
        # describing functions, whose results only go into those messages, return nothing.
        stand_ins: dict[str, Any] = {"text_length": text_length}
        if not readability.readability.log.isEnabledFor(logging.DEBUG):
            stand_ins |= {"describe": _undescribed, "text_content": _undescribed}
        upstream = {name: getattr(readability.readability, name) for name in stand_ins}
        vars(readability.readability).update(stand_ins)
        try:
            return str(super().summary(html_partial, keep_all_images))
        finally:
            vars(readability.readability).update(upstream)

    def get_clean_html(self) -> str:
        self.article = self.html
        return str(lxml.html.tostring(self.html, encoding="unicode", method="html"))

    def get_link_density(self, elem: lxml.html.HtmlElement) -> float:
        link_length = sum(text_length(link) for link in elem.iterdescendants("a"))
        return float(link_length) / max(text_length(elem), 1)

    def class_weight(self, e: lxml.html.HtmlElement) -> int:
        if self.positive_keywords or self.negative_keywords:
            return int(super().class_weight(e))
        css, ident = e.get("class"), e.get("id")
        return (_feature_weight(css) if css else 0) + (_feature_weight(ident) if ident else 0)

    def remove_unlikely_candidates(self) -> None:
        # A Python pass over the elements (a snapshot: elements are dropped on the way) is about
        # twice as fast as an XPath predicate picking those with a class or an id.
        for elem in list(self.html.iterdescendants(etree.Element)):
            css, ident = elem.get("class"), elem.get("id")
            if css is None and ident is None:
                continue
            if (
                _unlikely(f"{css or ''} {ident or ''}")
                and elem.tag not in ("html", "body")
                and not IN_CODE(elem)
                and not HOLDS_CONTENT(elem)
            ):
                elem.drop_tree()

    def transform_misused_divs_into_paragraphs(self) -> None:
        for elem in list(self.html.iterdescendants("div")):
            if not holds_block(elem):
                elem.tag = "p"
        for elem in list(self.html.iterdescendants("div")):
            self._wrap_inline_runs(elem)

    def _wrap_inline_runs(self, elem: lxml.html.HtmlElement) -> None:
        """Upstream's second pass: loose text and runs of inline children become paragraphs (made
        directly, where upstream parses "<p/>" for each, ten times the cost)."""
        children = list(elem)
        paragraph = None
        if elem.text and elem.text.strip():
            paragraph = HTML_PARSER.makeelement("p")
            paragraph.text = elem.text
            elem.text = None
            elem.insert(0, paragraph)
        for child in children:
            if child.tag == "br" or child.tag not in INLINE_TAGS or holds_block(child):
                paragraph = None
                continue
            if paragraph is None:
                paragraph = HTML_PARSER.makeelement("p")
                child.addprevious(paragraph)
            paragraph.append(child)
        for position, child in reversed(list(enumerate(elem))):
            if child.tail and child.tail.strip():
                loose = HTML_PARSER.makeelement("p")
                loose.text = child.tail
                child.tail = None
                elem.insert(position + 1, loose)
            if child.tag == "br":
                child.drop_tree()

    def score_paragraphs(self) -> dict[Any, dict[str, Any]]:
        candidates: dict[Any, dict[str, Any]] = {}
        ordered = []
        for elem in self.tags(self._html(), "p", "pre", "td", "blockquote"):
            parent = elem.getparent()
            if parent is None:
                continue
            grandparent = parent.getparent()
            inner_text = elem.text_content() or ""
            inner_length = cleaned_length(inner_text)
            if inner_length < self.min_text_length:
                continue
            for node in (parent, grandparent):
                if node is not None and node not in candidates:
                    candidates[node] = self.score_node(node)
                    ordered.append(node)
            # clean() changes only whitespace, so the raw text has the cleaned text's commas.
            score = 1 + (inner_text.count(",") + 1) + min(inner_length / 100, 3)
            candidates[parent]["content_score"] += score
            if grandparent is not None:
                candidates[grandparent]["content_score"] += score / 2.0
        # Good content has a low link density; scale each candidate's score by it.
        for node in ordered:
            candidates[node]["content_score"] *= 1 - self.get_link_density(node)
        return candidates
