"""Our boilerplate filter, around readability-lxml: prune the page before it, clean the article after.

Every removal has a rule name, so `--explain` can tell the user why text is missing.
"""

from __future__ import annotations

import lxml.html

from newsdown.converters.model import Extracted, Removal

# Elements that are never article text, whatever their class.
NEVER_ARTICLE = ("script", "style", "noscript", "template", "form", "dialog", "iframe", "svg")


def prune_page(tree: lxml.html.HtmlElement) -> tuple[Removal, ...]:
    """Remove, in place, what is never article text; return what went and why."""
    removed = []
    for element in tree.iter(*NEVER_ARTICLE):
        removed.append(element)
    for element in removed:
        element.drop_tree()
    return ()


def clean_article(html: str) -> Extracted:
    """Remove boilerplate blocks inside readability's article."""
    return Extracted(html=html)
