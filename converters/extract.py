"""Parse HTML once and find the article in it with readability-lxml, around our boilerplate filter.

prune_page (prune.py) -> readability on the pruned tree -> recovery of what readability missed
(recover.py: the JSON-LD articleBody, a dropped lead paragraph; teasers.py: the headline's container when
readability picked a list of stories) -> clean_article (boilerplate.py) -> the article's HTML.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

import lxml.html
from lxml import etree

from newsdown.converters.boilerplate import clean_article
from newsdown.converters.errors import InputError, NoArticleError
from newsdown.converters.model import Extracted
from newsdown.converters.prune import headline_of, prune_page
from newsdown.converters.recover import json_ld_bodies, recover_article, recover_lead
from newsdown.converters.teasers import recover_from_teasers

# lxml refuses str input that carries an XML encoding declaration; the text is already decoded.
XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)


def _html_parser(encoding: str | None = None) -> etree.HTMLParser:
    """lxml.html's parser without its per-element Python class lookup.

    lxml.html picks form classes (FormElement, InputElement, ...) through a lookup written in Python,
    called each time an element is touched from Python; nothing here uses those classes, and the
    C-level default lookup makes every stage's tree walks faster (about a tenth of the conversion time).
    Nor does anything look elements up by id through libxml2's id table (XPath id()), so the parser
    does not build one.
    """
    parser = etree.HTMLParser(encoding=encoding, collect_ids=False)
    lookup = etree.ElementDefaultClassLookup(
        element=lxml.html.HtmlElement,
        comment=lxml.html.HtmlComment,
        pi=lxml.html.HtmlProcessingInstruction,
        entity=lxml.html.HtmlEntity,
    )
    parser.set_element_class_lookup(lookup)
    return parser


HTML_PARSER = _html_parser()
UTF8_PARSER = _html_parser("utf-8")


def parse_html(text: str, utf8: bytes | None = None) -> lxml.html.HtmlElement:
    """Parse a whole page (decoded by decode(), which removed the control characters XML forbids); the
    tree is shared by the metadata and extraction stages. `utf8`, the page's bytes when they are
    exactly `text` in UTF-8, is parsed instead, about a tenth faster."""
    try:
        if utf8 is not None:
            # The encoding is given: a <meta charset> or XML declaration in the page cannot override it.
            return lxml.html.document_fromstring(utf8, parser=UTF8_PARSER)
        return lxml.html.document_fromstring(XML_DECLARATION.sub("", text, count=1), parser=HTML_PARSER)
    except etree.ParserError:  # lxml's "Document is empty": nothing but comments or whitespace
        raise NoArticleError("no article found (the page has no content)") from None
    except ValueError as error:
        raise InputError(f"cannot parse the HTML: {error}") from None


def link_base(tree: lxml.html.HtmlElement, url: str | None) -> str | None:
    """The URL the page's relative links resolve against: its `<base href>`, itself relative to the
    page's URL, or the page's URL."""
    # iter() filters by tag in C; an ElementPath predicate ("//base[@href]") tests every element in Python.
    base = next((element for element in tree.iter("base") if element.get("href") is not None), None)
    href = (base.get("href") or "").strip() if base is not None else ""
    if not href:
        return url
    try:
        return urljoin(url, href) if url else href
    except ValueError:
        return url


def extract_article(tree: lxml.html.HtmlElement) -> Extracted:
    """Find the article: prune page boilerplate, run readability, recover and clean what it returns.

    The tree is pruned in place (the metadata stage has read it already).
    """
    bodies = json_ld_bodies(tree)  # before pruning: JSON-LD sits in <script>
    headline = headline_of(tree)
    pruned = prune_page(tree)
    article = _readability(tree)
    article = _recover(article, tree, bodies)
    cleaned, removed = clean_article(article, headline)
    return Extracted(article=cleaned, removed=pruned + removed)


def _recover(
    article: lxml.html.HtmlElement, tree: lxml.html.HtmlElement, bodies: list[str]
) -> lxml.html.HtmlElement:
    """The declared JSON-LD body when it disagrees with readability; else readability's article, or the
    headline's container when readability picked a list of stories, with any lead it dropped."""
    declared = recover_article(article, bodies)
    if declared is not article:
        return declared
    return recover_lead(recover_from_teasers(article, tree), tree)


def _readability(tree: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    from readability.readability import Unparseable

    from newsdown.converters.readable import Readability

    document = Readability(tree)
    try:
        document.summary(html_partial=True)
    except Unparseable as error:
        raise NoArticleError(f"no article found ({error})") from None
    article = document.article
    if article is None:
        raise NoArticleError("no article found")
    return article
