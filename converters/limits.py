"""Bounds on the parsed tree, so every later stage (readability, markdownify, BeautifulSoup) stays bounded.

Two hazards of hostile pages:

- Depth. libxml2 stops parsing at 256 open elements and silently drops the rest of the page, and the
  recursive stages (markdownify, BeautifulSoup, readability) overflow the Python stack a few hundred
  levels down. A tree that reached libxml2's ceiling is re-parsed from markup whose excess nesting was
  removed (the tags go, their text stays); any element still deeper than MAX_DEPTH is unwrapped.
- Size. Every stage is linear in the number of elements but slow per element (~30 µs), so a page with
  a million sibling elements would take most of a minute; past MAX_ELEMENTS it is refused.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from typing import cast

import lxml.html
from lxml import etree

from newsdown.converters.errors import InputError

MAX_DEPTH = 150  # levels kept in the tree; deeper elements are unwrapped, their text kept
MAX_ELEMENTS = 200_000  # real news pages have a few thousand; the biggest seen, ~50,000
# libxml2 halts at 256 open elements (without XML_PARSE_HUGE); a tree this deep may be cut off.
LIBXML_CEILING = 254
# Nesting kept by the markup pre-pass: below libxml2's ceiling with room for the html/body it implies.
FLATTEN_DEPTH = 200

VOID_ELEMENTS = frozenset(
    [
        "area",
        "base",
        "basefont",
        "bgsound",
        "br",
        "col",
        "embed",
        "frame",
        "hr",
        "image",
        "img",
        "input",
        "isindex",
        "keygen",
        "link",
        "meta",
        "nextid",
        "param",
        "source",
        "spacer",
        "track",
        "wbr",
    ]
)
INLINE_ELEMENTS = frozenset(
    [
        "a",
        "abbr",
        "b",
        "big",
        "cite",
        "code",
        "del",
        "em",
        "font",
        "i",
        "ins",
        "kbd",
        "mark",
        "q",
        "s",
        "small",
        "span",
        "strike",
        "strong",
        "sub",
        "sup",
        "tt",
        "u",
    ]
)
# Elements a start tag of the same name closes (<li>one<li>two are siblings), and block elements
# whose start tag closes an open <p>.
SIBLING_ELEMENTS = frozenset(["dd", "dt", "li", "option", "p", "td", "th", "tr"])
CLOSES_P = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "dd",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "ul",
    ]
)
# Comments, raw-text elements (their content holds no tags), and tags.
MARKUP_TOKEN = re.compile(
    r"<!--.*?(?:-->|\Z)"
    r"|<(?P<raw>script|style|textarea|title|xmp|noembed|noframes|iframe)\b[^>]*>.*?(?:</(?P=raw)\s*>|\Z)"
    r"|<(?P<end>/?)(?P<name>[a-zA-Z][^\s/>]*)[^>]*?(?P<self>/?)>",
    re.S | re.I,
)


def bound_tree(tree: lxml.html.HtmlElement, text: str) -> lxml.html.HtmlElement:
    """The tree, within MAX_DEPTH and MAX_ELEMENTS; `text` is the markup it was parsed from.

    Raises InputError for a page with too many elements or nested too deeply to recover.
    """
    _check_size(tree)
    if not deeper_than(tree, MAX_DEPTH):
        return tree  # the common case: one cheap check
    if deeper_than(tree, LIBXML_CEILING - 1):
        from newsdown.converters.extract import parse_html

        tree = parse_html(flatten_markup(text, FLATTEN_DEPTH))
        if deeper_than(tree, LIBXML_CEILING - 1):
            raise InputError("the page is nested too deeply to convert")
        _check_size(tree)
    unwrap_deeper_than(tree, MAX_DEPTH)
    return tree


# XPath counts and searches in C; a Python walk creates a proxy object for every element and costs
# several times more on a page of ordinary size.
COUNT_NODES = etree.XPath("count(//*|//comment()|//processing-instruction())")
# Every node, text too: more than COUNT_NODES counts, in half the time (no union for libxml2 to sort).
COUNT_ALL_NODES = etree.XPath("count(//node())")


def _check_size(tree: lxml.html.HtmlElement) -> None:
    # XPath count() is a number. The upper bound clears every page of ordinary size in one quick pass;
    # only a page it does not clear is counted exactly.
    if cast(float, COUNT_ALL_NODES(tree)) <= MAX_ELEMENTS:
        return
    count = int(cast(float, COUNT_NODES(tree)))
    if count > MAX_ELEMENTS:
        raise InputError(f"the page has too many elements ({count:,}; the limit is {MAX_ELEMENTS:,})")


def deeper_than(tree: lxml.html.HtmlElement, depth: int) -> bool:
    """Whether any element lies more than `depth` levels below the root element (depth 0)."""
    return bool(_path_to_depth(depth + 1)(tree))


@functools.lru_cache(maxsize=8)
def _path_to_depth(depth: int) -> etree.XPath:
    return etree.XPath("boolean(/*" + "/*" * depth + ")")


def unwrap_deeper_than(tree: lxml.html.HtmlElement, limit: int) -> None:
    """Replace each element at depth `limit` by its text content, so nothing deeper remains."""
    cut: list[lxml.html.HtmlElement] = []
    stack = [(tree, 0)]
    while stack:
        element, depth = stack.pop()
        if depth == limit:
            cut.append(element)
            continue
        stack.extend((child, depth + 1) for child in element)
    for element in cut:
        text = " ".join(_texts(element))
        tail = element.tail
        # Comments and processing instructions are elements too, but carry no page text.
        content = text if isinstance(element.tag, str) else ""
        # Iterative clear: dropping a deep subtree in one go would recurse in libxml2's free.
        _clear_iteratively(element)
        previous = element.getprevious()
        parent = element.getparent()
        joined = content + (tail or "")
        if previous is not None:
            previous.tail = (previous.tail or "") + joined
        elif parent is not None:
            parent.text = (parent.text or "") + joined
        if parent is not None:
            parent.remove(element)


def _texts(element: lxml.html.HtmlElement) -> list[str]:
    """Text of the subtree in document order, without recursion; comments' text left out."""
    parts: list[str] = []
    # An element's text comes before its children, its tail after them: phase 1 emits the tail.
    stack: list[tuple[lxml.html.HtmlElement, int]] = [(element, 0)]
    while stack:
        node, phase = stack.pop()
        if phase == 1:
            if node is not element and node.tail and node.tail.strip():
                parts.append(node.tail.strip())
            continue
        stack.append((node, 1))
        if isinstance(node.tag, str) and node.text and node.text.strip():
            parts.append(node.text.strip())
        stack.extend((child, 0) for child in reversed(node))
    return parts


def _clear_iteratively(element: lxml.html.HtmlElement) -> None:
    while len(element):
        deepest = element
        while len(deepest):
            deepest = deepest[-1]
        parent = deepest.getparent()
        if parent is None:
            break
        parent.remove(deepest)


def flatten_markup(text: str, limit: int) -> str:
    """Markup whose nesting never exceeds `limit`: start tags deeper than that, and their end tags, are
    removed (block-level ones become a space), their text kept.

    Nesting is counted as an HTML parser would, roughly: void and self-closed elements do not nest, an
    end tag closes the nearest open element of its name and everything opened after it, an end tag with
    no open element of its name is ignored. Comments and raw-text elements (script, style) are skipped.
    """
    out: list[str] = []
    stack: list[tuple[str, bool]] = []  # (name, kept)
    open_names: Counter[str] = Counter()
    kept_depth = 0
    position = 0
    for match in MARKUP_TOKEN.finditer(text):
        name = (match.group("name") or "").lower()
        if not name:
            continue  # a comment or a raw-text element: copied as it is
        out.append(text[position : match.start()])
        position = match.end()
        token = match.group()
        if match.group("end"):
            if not open_names[name]:
                out.append(token)  # a stray end tag: the parser ignores it, and so does the depth
                continue
            while stack:
                top, kept = stack.pop()
                open_names[top] -= 1
                kept_depth -= kept
                if top == name:
                    out.append(token if kept else _replacement(name))
                    break
            continue
        if name in VOID_ELEMENTS or match.group("self"):
            out.append(token)
            continue
        if stack and (stack[-1][0] == name in SIBLING_ELEMENTS or (stack[-1][0] == "p" and name in CLOSES_P)):
            top, was_kept = stack.pop()  # <p>one<p>two: the parser closes the first <p>
            open_names[top] -= 1
            kept_depth -= was_kept
        kept = kept_depth < limit
        stack.append((name, kept))
        open_names[name] += 1
        kept_depth += kept
        out.append(token if kept else _replacement(name))
    out.append(text[position:])
    return "".join(out)


def _replacement(name: str) -> str:
    return "" if name in INLINE_ELEMENTS else " "
