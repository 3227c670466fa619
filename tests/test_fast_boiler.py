"""The boilerplate filter's fast paths give the same answers as the code they replaced.

The reference below is the filter as first written: a walk over every element of the article, each
block's parts (leaves, captions, zones) found the obvious way, and the rules without the cheap tests
that now settle most blocks before a regex or a word split. It must remove the same blocks, in the
same order, for the same reasons, on random fragments and on the sample and fixture pages.
"""

from __future__ import annotations

import copy
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeAlias

import lxml.html
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import newsdown.converters.extract as extract
from newsdown.converters import boilerplate
from newsdown.converters.boilerplate import (
    BLOCKS,
    CAPTION_CLASS,
    CAPTION_DEPTH,
    CAPTION_TAGS,
    COMMENT_POLICY_MAX_CHARS,
    COMMENT_WORD,
    HEADINGS,
    LINK_DENSE,
    MODERATION,
    MODERATION_PART,
    NEWSLETTER_ASK,
    NEWSLETTER_CHANNEL,
    NEWSLETTER_CHANNEL_PARTS,
    NEWSLETTER_LEAD,
    NEWSLETTER_MAX_CHARS,
    READ_MORE_MAX_CHARS,
    RELATED_BLOCK_MAX_CHARS,
    RELATED_LEAD,
    SHARE_MAX_WORDS,
    SHARE_WORDS,
    TAG_LEAD,
    TAG_LIST,
    TAG_REL,
    TAIL_BLOCKS,
    TOP_BLOCKS,
    TRAILING_LIST_DENSITY,
    _Cleaner,
    _ends_article,
    _is_link_list,
    _same_caption,
    _text_with_breaks,
    clean_article,
    first_word,
    link_density,
    normalized,
    words,
)
from newsdown.converters.extract import extract_article, parse_html
from newsdown.converters.model import Removal
from tests.helpers import SAMPLES

PAGES = sorted([*SAMPLES.glob("*.html"), *(Path(__file__).parent / "fixtures").rglob("*.html")])
Element: TypeAlias = lxml.html.HtmlElement
Rule = Callable[[_Cleaner, Element, str], str | None]


# --- The reference: the filter as first written ------------------------------------------------


def reference_has_text(element: Element) -> bool:
    return any(not text.isspace() for text in element.itertext())


def reference_zone(leaves: list[Element]) -> set[Element]:
    zone = set(leaves)
    for leaf in leaves:
        zone.update(leaf.iterancestors())
    return zone


def reference_is_caption(element: Element) -> bool:
    if element.tag not in CAPTION_TAGS or any(child.tag in BLOCKS for child in element):
        return False
    for level, node in enumerate((element, *element.iterancestors())):
        if level > CAPTION_DEPTH:
            break
        if node.tag == "figcaption" or CAPTION_CLASS.search(node.get("class") or ""):
            return True
    return False


def reference_share_bar(cleaner: _Cleaner, element: Element, text: str) -> str | None:
    tokens = cleaner.few_words(text, SHARE_MAX_WORDS)
    if not tokens:
        return None
    return "share-bar" if all(token in SHARE_WORDS for token in tokens) else None


def reference_repeated_headline(cleaner: _Cleaner, element: Element, text: str) -> str | None:
    if cleaner.headline and cleaner.few_words(text, len(cleaner.headline)) == cleaner.headline:
        return "repeated-headline"
    return None


def reference_repeated_caption(cleaner: _Cleaner, element: Element, text: str) -> str | None:
    if not cleaner.seen or not reference_is_caption(element):
        return None
    key = tuple(cleaner.words(text))
    repeated = key and any(_same_caption(key, seen) for seen in cleaner.seen)
    return "repeated-caption" if repeated else None


def reference_leads_to_links(element: Element, text: str) -> bool:
    if RELATED_LEAD.match(text):
        return True
    return element.find(".//br") is not None and RELATED_LEAD.match(_text_with_breaks(element)) is not None


def reference_link_dense_list(cleaner: _Cleaner, element: Element, text: str) -> str | None:
    if not text:
        return None
    density = link_density(element, text)
    if element.tag in HEADINGS or element.tag == "p":
        limit = RELATED_BLOCK_MAX_CHARS if density >= LINK_DENSE else READ_MORE_MAX_CHARS
        if len(text) <= limit and (reference_leads_to_links(element, text) or TAG_LEAD.match(text)):
            if density >= LINK_DENSE / 2:
                return "link-dense-list"
            following = element.getnext()
            if not _is_link_list(following):
                return None
            while following is not None and _is_link_list(following):
                after = following.getnext()
                cleaner.remove(following, "link-dense-list", normalized(following))
                following = after
            return "link-dense-list"
        return None
    if element.tag in ("ul", "ol") and density >= TRAILING_LIST_DENSITY and _ends_article(cleaner, element):
        return "link-dense-list"
    return None


def reference_tag_list(cleaner: _Cleaner, element: Element, text: str) -> str | None:
    if TAG_LIST.match(text) and len(text) <= READ_MORE_MAX_CHARS:
        return "tag-list"
    links = list(element.iter("a"))
    if not text or not links or not all(TAG_REL.search(link.get("rel") or "") for link in links):
        return None
    return "tag-list" if link_density(element, text) >= LINK_DENSE else None


def reference_newsletter_prompt(cleaner: _Cleaner, element: Element, text: str) -> str | None:
    if not text or len(text) > NEWSLETTER_MAX_CHARS:
        return None
    if NEWSLETTER_LEAD.match(text):
        return "newsletter-prompt"
    if (
        NEWSLETTER_ASK.search(text)
        and NEWSLETTER_CHANNEL.search(text)
        and boilerplate.NEWSLETTER_READER.search(text)
    ):
        return "newsletter-prompt"
    return None


def reference_comment_policy(cleaner: _Cleaner, element: Element, text: str) -> str | None:
    if not text or len(text) > COMMENT_POLICY_MAX_CHARS:
        return None
    return "comments" if COMMENT_WORD.search(text) and MODERATION.search(text) else None


REPLACED: dict[str, Rule] = {
    "_share_bar": reference_share_bar,
    "_repeated_headline": reference_repeated_headline,
    "_repeated_caption": reference_repeated_caption,
    "_link_dense_list": reference_link_dense_list,
    "_tag_list": reference_tag_list,
    "_newsletter_prompt": reference_newsletter_prompt,
    "_comment_policy": reference_comment_policy,
}
REFERENCE_RULES: tuple[Rule, ...] = tuple(REPLACED.get(rule.__name__, rule) for rule in boilerplate.RULES)


class ReferenceCleaner(_Cleaner):
    """The cleaner as first written; the caches it shares with the fast one (words, few_words) were
    there already."""

    def __init__(self, article: Element, headline: str | None) -> None:
        super().__init__(article, headline)
        blocks = [el for el in article.iterdescendants() if el.tag in BLOCKS]
        leaves = [
            el for el in blocks if not any(child.tag in BLOCKS for child in el) and reference_has_text(el)
        ]
        self.top = reference_zone(leaves[:TOP_BLOCKS])
        self.tail = reference_zone(leaves[-TAIL_BLOCKS:])
        self.last_leaf = leaves[-1] if leaves else None
        self.latter_half = reference_zone(leaves[len(leaves) // 2 :])
        self.captions = set()  # the reference asks reference_is_caption instead

    def run(self) -> None:
        stack = list(reversed(self.article))
        while stack:
            element = stack.pop()
            if not isinstance(element.tag, str) or element.getparent() is None:
                continue
            if element.tag in BLOCKS:
                text = normalized(element)
                rule = self.rule(element, text)
                if rule:
                    self.remove(element, rule, text)
                    continue
                self.remember(element, text)
            stack.extend(reversed(element))

    def remove(self, element: Element, rule: str, text: str) -> None:
        self.removed.append(Removal(rule=rule, text=text))
        if element.getparent() is not None:
            element.drop_tree()

    def remember(self, element: Element, text: str) -> None:
        if reference_is_caption(element):
            key = tuple(self.words(text))
            if key:
                self.seen.add(key)

    def remove_following(self, element: Element, rule: str) -> None:
        for following in list(element.itersiblings()):
            text = normalized(following) if isinstance(following.tag, str) else ""
            if text:
                self.removed.append(Removal(rule=rule, text=text))
            following.drop_tree()

    def rule(self, element: Element, text: str) -> str | None:
        for check in REFERENCE_RULES:
            rule = check(self, element, text)
            if rule:
                return rule
        return None


def reference_clean(article: Element, headline: str | None) -> tuple[Element, tuple[Removal, ...]]:
    cleaner = ReferenceCleaner(article, headline)
    cleaner.run()
    return article, tuple(cleaner.removed)


def outcome(
    clean: Callable[[Element, str | None], tuple[Element, tuple[Removal, ...]]],
    article: Element,
    headline: str | None,
) -> tuple[str, tuple[Removal, ...]] | str:
    """The cleaned HTML and the removals."""
    cleaned, removed = clean(copy.deepcopy(article), headline)
    return lxml.html.tostring(cleaned, encoding="unicode"), removed


def assert_same_cleaning(article: Element, headline: str | None) -> None:
    assert outcome(clean_article, article, headline) == outcome(reference_clean, article, headline)


def assert_same_parts(article: Element, headline: str | None) -> None:
    """The leaves, zones and captions the fast cleaner finds at the start are the reference's."""
    fast, reference = _Cleaner(article, headline), ReferenceCleaner(article, headline)
    assert (fast.top, fast.tail, fast.latter_half) == (reference.top, reference.tail, reference.latter_half)
    assert fast.last_leaf is reference.last_leaf
    assert fast.captions == {el for el in article.iterdescendants() if reference_is_caption(el)}
    assert fast.blocks == [el for el in article.iterdescendants() if el.tag in BLOCKS]


# --- Random fragments built to reach every rule -------------------------------------------------

TEXTS = st.sampled_from(
    [
        "",
        " ",
        "\n\t",
        "Share",
        "Facebook Twitter Email",
        "share this on whatsapp",
        "Harbour council approves budget",
        "HARBOUR COUNCIL APPROVES THE BUDGET",
        "Read more:",
        "Related stories",
        "DON'T MISS",
        "Tags:",
        "Comments",
        "Comments are moderated before they appear.",
        "Sign up for our newsletter",
        "Get breaking news alerts in your inbox.",
        "Photo: Tom Ellery/Reuters",
        "By Jane Roe",
        "Updated 5:27 am CST, Nov 20, 2019",
        "Reporting by Jane Roe",
        "About Harbourtech",
        "Harbourtech is a global provider of systems.",
        "Advertisement",
        "Close",
        "A storm surge flooded 300 homes on the coast overnight, the council said on Thursday. " * 3,
        "İstanbul ſhare ıt",
    ]
)
TAGS = ["p", "div", "span", "li", "ul", "h2", "figure", "figcaption", "section", "a", "strong", "blockquote"]
CLASSES = st.sampled_from(["", "caption", "photo-credit", "author-bio", "x"])


@st.composite
def markup(draw: st.DrawFn, depth: int = 0) -> str:
    tag = draw(st.sampled_from(TAGS))
    attributes = f' class="{draw(CLASSES)}"'
    if tag == "a":
        href = draw(st.sampled_from(["/taylor-swift-cleared-perform-amas", "/a", "/tag/budget"]))
        attributes += f' href="{href}" rel="{draw(st.sampled_from(["", "tag", "category tag"]))}"'
    parts = [draw(TEXTS)]
    if depth < 3:
        for _ in range(draw(st.integers(0, 3))):
            child = (
                draw(markup(depth + 1))
                if draw(st.booleans())
                else draw(st.sampled_from(["<br>", "<!-- c -->"]))
            )
            parts += [child, draw(TEXTS)]
    return f"<{tag}{attributes}>{''.join(parts)}</{tag}>"


HEADLINES = st.sampled_from([None, "Harbour council approves budget", "Share", "Comments"])


@settings(max_examples=400, deadline=None)
@given(st.lists(markup(), min_size=1, max_size=6), HEADLINES)
def test_fast_cleaner_matches_the_reference_on_random_fragments(
    fragments: list[str], headline: str | None
) -> None:
    article = lxml.html.fragment_fromstring(f"<div>{''.join(fragments)}</div>")
    assert_same_parts(article, headline)
    assert_same_cleaning(article, headline)


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_fast_cleaner_matches_the_reference_on_the_pages(page: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On the whole page, and on the article the extraction hands the filter."""
    tree = parse_html(page.read_text(encoding="utf-8", errors="replace"))
    assert_same_parts(tree, "Harbour council approves budget")
    assert_same_cleaning(tree, "Harbour council approves budget")

    def checked(article: Element, headline: str | None = None) -> Any:
        assert_same_parts(article, headline)
        assert_same_cleaning(article, headline)
        return clean_article(article, headline)

    monkeypatch.setattr(extract, "clean_article", checked)
    extract_article(tree)


# --- The cheap tests -----------------------------------------------------------------------------

WORDY_TEXT = st.text(alphabet="aBz İıß\u0307\u017f-.,\n\t1", max_size=90)


@given(st.one_of(WORDY_TEXT, st.text(max_size=90)))
def test_first_word_is_the_first_of_the_words(text: str) -> None:
    found = words(text)
    assert first_word(text) == (found[0] if found else None)


def test_first_word_reads_past_an_opening_without_words() -> None:
    assert first_word("-" * 60 + "Harbour") == "harbour"
    assert first_word("x" * 39 + "yz more") == "x" * 39 + "yz"


ALL_CHARACTERS = "".join(chr(code) for code in range(sys.maxunicode + 1) if not 0xD800 <= code <= 0xDFFF)


@pytest.mark.parametrize("character", sorted(set("".join(NEWSLETTER_CHANNEL_PARTS) + MODERATION_PART)))
def test_casefold_turns_what_ignorecase_matches_into_the_parts_characters(character: str) -> None:
    """What makes the substring tests safe: each character a re.I pattern matches to a character of
    the parts casefolds to exactly that character (this is false for "i": "İ" and "ı" match it)."""
    matched = re.compile(re.escape(character), re.IGNORECASE).findall(ALL_CHARACTERS)
    assert {other.casefold() for other in matched} == {character}


@settings(max_examples=300)
@given(st.from_regex(NEWSLETTER_CHANNEL))
def test_every_channel_the_regex_finds_holds_a_part(text: str) -> None:
    assert any(part in text.casefold() for part in NEWSLETTER_CHANNEL_PARTS)


@given(st.from_regex(MODERATION))
def test_every_moderation_the_regex_finds_holds_the_part(text: str) -> None:
    assert MODERATION_PART in text.casefold()


def test_the_parts_can_miss() -> None:
    """The substring tests do reject: without a channel word no regex runs."""
    assert not any(part in "councillors voted seven to two" for part in NEWSLETTER_CHANNEL_PARTS)
    assert MODERATION_PART not in "comments are welcome"


PROMPT_TEXT = st.lists(
    st.one_of(
        st.from_regex(NEWSLETTER_ASK),
        st.from_regex(NEWSLETTER_CHANNEL),
        st.from_regex(boilerplate.NEWSLETTER_READER),
        st.from_regex(COMMENT_WORD),
        st.from_regex(MODERATION),
    ),
    max_size=4,
).map(" ".join)


@settings(max_examples=300)
@given(PROMPT_TEXT)
def test_gated_rules_answer_as_the_reference_does(text: str) -> None:
    """The rules with a substring test before their regexes, on texts the regexes match."""
    element = lxml.html.fragment_fromstring("<p></p>")  # neither rule looks at the element
    text = " ".join(text.split())  # a block's text, as normalized() gives it
    cleaner = _Cleaner(lxml.html.fragment_fromstring("<div></div>"), None)
    assert boilerplate._newsletter_prompt(cleaner, element, text) == reference_newsletter_prompt(
        cleaner, element, text
    )
    assert boilerplate._comment_policy(cleaner, element, text) == reference_comment_policy(
        cleaner, element, text
    )
