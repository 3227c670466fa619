"""The boilerplate filter, middle stage: recover the article when readability picked a list of teasers.

On a page with a short article (one long paragraph) and a long "you may also like" list, the list
has more paragraphs and wins readability's scoring. The evidence against it is structural: the
winner is a list of stories (several `<article>` items, none of them holding most of the text), and
the page's headline sits in another container that holds prose of its own. That container is the
article. No JSON-LD is needed; recover.py uses it first when the page has it.
"""

from __future__ import annotations

import copy
import re

import lxml.html

from newsdown.converters.prune import prose_length

WORD = re.compile(r"\w+")
# Three items make a list; two can be an article and the one story it quotes.
STORY_LIST_ITEMS = 3
# ... and in a list no item holds this share of the text: an article with a few embedded cards does.
STORY_ITEM_SHARE = 0.5
# The headline's container must hold at least this much paragraph text to be an article at all.
MIN_ARTICLE_PROSE = 200
# Below this share of the list's words found in the headline's container, the list lies outside it:
# the container is another text, not a wrapper around the list.
MAX_SHARED = 0.5
STOP_TAGS = frozenset({"body", "html"})


def recover_from_teasers(
    article: lxml.html.HtmlElement, tree: lxml.html.HtmlElement
) -> lxml.html.HtmlElement:
    """Readability's article, or the headline's container when readability picked a list of stories."""
    if not is_story_list(article):
        return article
    container = headline_container(tree)
    if container is None or is_story_list(container):
        return article
    if _shared(article.text_content(), container.text_content()) >= MAX_SHARED:
        return article
    return copy.deepcopy(container)


def is_story_list(element: lxml.html.HtmlElement) -> bool:
    """Several `<article>` items, none of which holds most of the text: a list, not a story."""
    items = [
        item
        for item in element.iterdescendants("article")
        if next(item.iterdescendants("article"), None) is None
    ]
    if len(items) < STORY_LIST_ITEMS:
        return False
    total = len(element.text_content())
    return max(len(item.text_content()) for item in items) < STORY_ITEM_SHARE * total


def headline_container(tree: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    """The nearest ancestor of the page's first <h1> that holds prose, short of the whole page."""
    headline = next(tree.iter("h1"), None)
    if headline is None:
        return None
    for ancestor in headline.iterancestors():
        if ancestor.tag in STOP_TAGS:
            return None
        if prose_length(ancestor) >= MIN_ARTICLE_PROSE:
            return ancestor
    return None


def _shared(text: str, container: str) -> float:
    """The share of `text`'s words that `container` also has."""
    wanted = [word.casefold() for word in WORD.findall(text)]
    have = {word.casefold() for word in WORD.findall(container)}
    return sum(word in have for word in wanted) / max(len(wanted), 1)
