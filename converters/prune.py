"""The boilerplate filter, first stage: prune the page before readability-lxml scores it.

Every removal has a rule name, so `--explain` can tell the user why text is missing. The rules are
general (tags, roles, class words, link density, short stock phrases); none knows a site or a page.
"""

from __future__ import annotations

import functools
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
# "share-bar" and "relatedPosts" match but "timeshare" or "unrelated" do not (see BOILERPLATE_NAME).
BOILERPLATE_WORDS = (
    "cookie",
    "consent",
    "gdpr",
    "newsletter",
    "subscribe",
    "subscription",
    "paywall",
    "share",
    "sharing",
    "social",
    "related",
    "recommend",
    "promo",
    "advert",
    "sponsor",
    r"comments?(?:$|[\s_-]|list|area|section|wrap)",
    "disqus",
    "breadcrumb",
    "outbrain",
    "taboola",
    "popular",
    "trending",
    "most-?read",
    "read-?more",
    "more-?stories",
    "signup",
    "sign-up",
    "tooltip",
    "popover",
    "popup",
    "rollover",
    "hovercard",
    "modal",
    r"ad(?:s|slot|unit|box|container|wrapper)?(?:$|[\s_-])",
)


def _after_separator(words: tuple[str, ...]) -> Caseless:
    r"""A pattern matching one of `words` (each starting with a plain letter) right after a separator:
    search it in " " + names, the space standing for the start. The words are grouped by their first
    letter, and the separator leads: re then jumps from separator to separator, and tries at each one
    only the words of the letter that follows (twice as fast as `(?:^|[\s_-])(?:cookie|consent|...)`,
    which tries every word at every separator, with the same matches)."""
    groups: dict[str, list[str]] = {}
    for word in words:
        groups.setdefault(word[0], []).append(word[1:])
    return Caseless(
        r"[\s_-](?:" + "|".join(f"{letter}(?:{'|'.join(rests)})" for letter, rests in groups.items()) + ")"
    )


BOILERPLATE_NAME = _after_separator(BOILERPLATE_WORDS)
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


def normalized_text(element: lxml.html.HtmlElement) -> str:
    return " ".join(element.text_content().split())  # split(): the whitespace \s means, in C


def prose_length(element: lxml.html.HtmlElement) -> int:
    """Characters of paragraph text under `element`: the part of a page an article is made of."""
    return sum(_paragraph_length(p) for p in element.iter("p"))


def _paragraph_length(paragraph: lxml.html.HtmlElement) -> int:
    return len(paragraph.text_content().strip())


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
    guard = _ArticleGuard(tree)
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

    def __init__(self, tree: lxml.html.HtmlElement) -> None:
        self.tree = tree
        self.page_prose: int | None = None  # measured when first needed (see holds_article)

    def holds_article(self, element: lxml.html.HtmlElement) -> bool:
        """Whether `element` has itemprop=articleBody, an <article> or <main> inside, or prose of at
        least ARTICLE_MIN_CHARS and ARTICLE_SHARE of the page's."""
        if element.get("itemprop") == "articleBody":
            return True
        prose = 0
        # One walk for both searches, which the first <article> or <main> ends.
        for inner in element.iter("p", "article", "main"):
            if inner.tag == "p":
                prose += _paragraph_length(inner)
            elif inner is not element:  # iter() yields the element itself, which does not count
                return True
        # Most elements a rule wants to remove fall short of ARTICLE_MIN_CHARS: only for the others is
        # the page's prose worth measuring, on two pages in three never.
        return prose >= ARTICLE_MIN_CHARS and prose >= ARTICLE_SHARE * self._page_prose()

    def _page_prose(self) -> int:
        if self.page_prose is None:
            body = self.tree.find("body")
            self.page_prose = prose_length(body if body is not None else self.tree)
        return self.page_prose


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
    style = attributes.get("style")
    if "hidden" in attributes or (style and HIDDEN_STYLE.search(style)):
        return "hidden"
    if tag in NEVER_ARTICLE_TAGS and tag not in GUARDED_TAGS:
        return "never-article-tag"
    rule = _named_rule(element, tag, attributes)
    if rule is None or guard.holds_article(element):
        return None
    return rule


def _named_rule(element: lxml.html.HtmlElement, tag: str, attributes: dict[str, str]) -> str | None:
    """Rules that an element's tag, role or names trigger, subject to the article guard."""
    if tag in GUARDED_TAGS or attributes.get("role") in ARIA_ROLES:
        return "never-article-tag"
    if attributes.get("aria-hidden") == "true":
        return "hidden"
    rule = _names_rule(attributes.get("class"), attributes.get("id"), attributes.get("aria-label"))
    if rule == "boilerplate-class" and tag in INLINE_TAGS and not _is_inline_card(element):
        return None
    return rule


# Memoized: pages repeat the same names on many elements (a page has a third as many distinct ones
# as elements with names), and sites share many ("menu-item", "row"); the regex search is the costly
# part of a verdict.
@functools.lru_cache(maxsize=4096)
def _names_rule(classes: str | None, identifier: str | None, label: str | None) -> str | None:
    """The rule that an element's class, id and aria-label trigger by themselves."""
    if classes and not HIDDEN_CLASSES.isdisjoint(classes.split()):
        return "hidden"
    if _boilerplate_names(classes, identifier, label):
        return "boilerplate-class"
    return None


def _names_boilerplate(attributes: Mapping[str, str]) -> bool:
    return _boilerplate_names(attributes.get("class"), attributes.get("id"), attributes.get("aria-label"))


def _boilerplate_names(classes: str | None, identifier: str | None, label: str | None) -> bool:
    names = " ".join(filter(None, (classes, identifier, label)))
    return bool(names) and BOILERPLATE_NAME.search(" " + names) is not None


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
