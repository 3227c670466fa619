"""The boilerplate filter, first stage: prune the page before readability-lxml scores it.

Every removal has a rule name, so `--explain` can tell the user why text is missing. The rules are
general (tags, roles, class words, link density, short stock phrases); none knows a site or a page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import lxml.html
from lxml import etree

from newsdown.converters.caseless import Caseless
from newsdown.converters.model import Removal

# Removed silently: nobody needs a script or a stylesheet explained.
SILENT_TAGS = ("script", "style", "link", "meta", "template")
# Never article text, whatever their class; reported as `never-article-tag`.
NEVER_ARTICLE_TAGS = frozenset(
    {"noscript", "iframe", "svg", "button", "select", "textarea", "input", "object", "embed"}
)
# A <form> is usually a search box or a sign-up, but some CMSs wrap the whole page in one: it goes only
# when it does not hold the article (see _holds_article).
GUARDED_TAGS = frozenset({"form", "nav", "aside", "footer", "dialog"})
ARIA_ROLES = frozenset(
    {"navigation", "complementary", "contentinfo", "dialog", "alertdialog", "search", "menu"}
)

# Words that name boilerplate in a class, id or aria-label, matched at the start of a word so that
# "share-bar" and "relatedPosts" match but "timeshare" or "unrelated" do not.
BOILERPLATE_WORDS = Caseless(
    r"(?:^|[\s_-])(?:cookie|consent|gdpr|newsletter|subscribe|subscription|paywall|share|sharing|social"
    r"|related|recommend|promo|advert|sponsor|comments?(?:$|[\s_-]|list|area|section|wrap)|disqus"
    r"|breadcrumb|outbrain|taboola|popular|trending|most-?read|read-?more|more-?stories|signup|sign-up"
    r"|tooltip|popover|popup|rollover|hovercard|modal"
    r"|ad(?:s|slot|unit|box|container|wrapper)?(?:$|[\s_-]))"
)
# Class words that hide an element with JavaScript off (Bootstrap, Tailwind, WordPress, a11y kits).
HIDDEN_CLASSES = frozenset(
    {"hidden", "d-none", "is-hidden", "visually-hidden", "sr-only", "screen-reader-text"}
)
EMBEDDED_POST = re.compile(r"twitter|tweet|instagram|tiktok|facebook|reddit|threads|bluesky|mastodon", re.I)
INLINE_TAGS = frozenset({"span", "a", "em", "strong", "b", "i", "small", "sup", "sub", "label", "font"})
INLINE_CARD_LINKS = 2  # a card of teasers has two links or more; a name link has one
HIDDEN_STYLE = Caseless(r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden)")

# An element holding this share of the page's paragraph text is the article (or wraps it), whatever
# its name says: the oddly named container must survive.
ARTICLE_SHARE = 0.4
# ... unless that text is too short to be an article at all (a sign-up blurb on an empty page).
ARTICLE_MIN_CHARS = 200
PROTECTED_TAGS = frozenset({"html", "body", "article", "main"})

WORD = re.compile(r"\w", re.U)


def normalized_text(element: lxml.html.HtmlElement) -> str:
    return " ".join(element.text_content().split())  # split(): the whitespace \s means, in C


def prose_length(element: lxml.html.HtmlElement) -> int:
    """Characters of paragraph text under `element`: the part of a page an article is made of."""
    return sum(len(p.text_content().strip()) for p in element.iter("p"))


def headline_of(tree: lxml.html.HtmlElement) -> str | None:
    """The page's headline: its first <h1>, else its <title>."""
    for element in tree.iter("h1", "title"):
        text = normalized_text(element)
        if text:
            return text
    return None


def prune_page(tree: lxml.html.HtmlElement) -> tuple[Removal, ...]:
    """Remove, in place, what is never article text; return what went and why."""
    _unmask_embedded_posts(tree)
    # In one call, in C; their tails (the text after them) stay, as with _drop.
    etree.strip_elements(tree, *SILENT_TAGS, etree.Comment, etree.PI, with_tail=False)
    body = tree.find("body")
    guard = _ArticleGuard(prose_length(body if body is not None else tree))
    removed: list[Removal] = []
    doomed: list[lxml.html.HtmlElement] = []
    # lxml's own walk, twice as fast as a Python stack; the removal of a subtree waits until the walk is
    # over (the walker needs the tree intact), and the subtree is skipped meanwhile, so no rule ever
    # sees a part of the page that goes.
    walker = etree.iterwalk(tree, events=("start",))
    for _, element in walker:
        rule = _prune_rule(element, guard)
        if rule is None:
            continue
        walker.skip_subtree()
        text = normalized_text(element)
        if text:
            removed.append(Removal(rule=rule, text=text))
        doomed.append(element)
    for element in doomed:
        _drop(element)
    return tuple(removed)


class _ArticleGuard:
    """Says whether an element holds the article, so that no class word can remove it."""

    def __init__(self, page_prose: int) -> None:
        self.threshold = max(ARTICLE_MIN_CHARS, ARTICLE_SHARE * page_prose)

    def holds_article(self, element: lxml.html.HtmlElement) -> bool:
        if element.get("itemprop") == "articleBody":
            return True
        if next(element.iterdescendants("article", "main"), None) is not None:
            return True
        return prose_length(element) >= self.threshold


def _prune_rule(element: lxml.html.HtmlElement, guard: _ArticleGuard) -> str | None:
    """The name of the rule that removes `element` before extraction, or None to keep it."""
    tag = element.tag
    if not isinstance(tag, str) or tag in PROTECTED_TAGS:
        return None
    # Read the attributes once: most elements have none, and each get() is a call into lxml.
    attributes = dict(element.items())
    if not attributes and tag not in NEVER_ARTICLE_TAGS and tag not in GUARDED_TAGS:
        return None
    # The `hidden` attribute and inline display:none are what a browser hides for certain.
    if "hidden" in attributes or HIDDEN_STYLE.search(attributes.get("style") or ""):
        return "hidden"
    if tag in NEVER_ARTICLE_TAGS and tag not in GUARDED_TAGS:
        return "never-article-tag"
    rule = _named_rule(element, attributes)
    if rule is None or guard.holds_article(element):
        return None
    return rule


def _named_rule(element: lxml.html.HtmlElement, attributes: dict[str, str]) -> str | None:
    """Rules that an element's tag, role or names trigger, subject to the article guard."""
    if element.tag in GUARDED_TAGS or attributes.get("role") in ARIA_ROLES:
        return "never-article-tag"
    classes = attributes.get("class") or ""
    if attributes.get("aria-hidden") == "true" or not HIDDEN_CLASSES.isdisjoint(classes.split()):
        return "hidden"
    if not _names_boilerplate(attributes):
        return None
    if element.tag in INLINE_TAGS and not _is_inline_card(element):
        return None
    return "boilerplate-class"


def _names_boilerplate(attributes: Mapping[str, str]) -> bool:
    names = " ".join(
        filter(None, (attributes.get("class"), attributes.get("id"), attributes.get("aria-label")))
    )
    return bool(names) and BOILERPLATE_WORDS.search(names) is not None


def _is_inline_card(element: lxml.html.HtmlElement) -> bool:
    """An inline element goes only as a whole card (an image or several links) and only as the innermost
    one: a hover card's wrapper also holds the name it pops up from, which is article text."""
    links = sum(1 for _ in element.iter("a"))
    if links < INLINE_CARD_LINKS and next(element.iter("img"), None) is None:
        return False
    return not any(_names_boilerplate(child.attrib) for child in element.iterdescendants(etree.Element))


def _unmask_embedded_posts(tree: lxml.html.HtmlElement) -> None:
    """Quoted posts (tweets, Instagram) are article text, but their class names ("twitter-tweet") are
    what readability removes as unlikely candidates: rename them to a neutral class."""
    for element in tree.iter("blockquote"):
        if EMBEDDED_POST.search(element.get("class") or ""):
            element.set("class", "embedded-post")


def _drop(element: lxml.html.HtmlElement) -> None:
    """Remove an element but keep the text that follows it (its tail) in place."""
    if element.getparent() is not None:
        element.drop_tree()
