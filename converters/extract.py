"""Parse HTML once and find the article in it with readability-lxml, around our boilerplate filter."""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from newsdown.converters.boilerplate import clean_article, prune_page
from newsdown.converters.errors import InputError, NoArticleError
from newsdown.converters.model import Extracted

# lxml refuses str input that carries an XML encoding declaration; the text is already decoded.
XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)


def parse_html(text: str) -> lxml.html.HtmlElement:
    """Parse a whole page; the tree is shared by the metadata and extraction stages."""
    text = XML_DECLARATION.sub("", text, count=1)
    try:
        return lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as error:
        raise InputError(f"cannot parse the HTML: {error}") from None


def extract_article(tree: lxml.html.HtmlElement, url: str | None = None) -> Extracted:
    """Find the article: prune page boilerplate, run readability, clean what it returns."""
    from readability import Document
    from readability.readability import Unparseable

    pruned = prune_page(tree)
    try:
        summary = Document(tree, url=url).summary(html_partial=True)
    except Unparseable as error:
        raise NoArticleError(f"no article found ({error})") from None
    cleaned = clean_article(summary)
    return Extracted(html=cleaned.html, removed=pruned + cleaned.removed)
