"""The fast pruning gives the same answers as the code it replaced (property tests).

prune_page remembers its verdicts on names, searches the boilerplate words with a regex grouped by
first letter, and its article guard walks an element once and measures the page's prose only when it
must; bound_tree clears a page's size with a cheaper count first. The original code is kept here as
the specification, and checked against the new on random pages and on every fixture page.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from pathlib import Path
from typing import cast

import lxml.html
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from newsdown.converters import limits, prune
from newsdown.converters.caseless import Caseless
from newsdown.converters.errors import InputError
from newsdown.converters.extract import parse_html
from newsdown.converters.model import Removal
from tests.helpers import SAMPLES

PAGES = sorted([*SAMPLES.glob("*.html"), *(Path(__file__).parent / "fixtures").rglob("*.html")])

# The specification: prune.py before the speed work.
SPEC_BOILERPLATE_WORDS = Caseless(
    r"(?:^|[\s_-])(?:cookie|consent|gdpr|newsletter|subscribe|subscription|paywall|share|sharing|social"
    r"|related|recommend|promo|advert|sponsor|comments?(?:$|[\s_-]|list|area|section|wrap)|disqus"
    r"|breadcrumb|outbrain|taboola|popular|trending|most-?read|read-?more|more-?stories|signup|sign-up"
    r"|tooltip|popover|popup|rollover|hovercard|modal"
    r"|ad(?:s|slot|unit|box|container|wrapper)?(?:$|[\s_-]))"
)


def spec_prose_length(element: lxml.html.HtmlElement) -> int:
    return sum(len(p.text_content().strip()) for p in element.iter("p"))


def spec_prune_page(tree: lxml.html.HtmlElement) -> tuple[Removal, ...]:
    prune._unmask_embedded_posts(tree)
    etree.strip_elements(tree, *prune.SILENT_TAGS, etree.Comment, etree.PI, with_tail=False)
    body = tree.find("body")
    page_prose = spec_prose_length(body if body is not None else tree)
    threshold = max(prune.ARTICLE_MIN_CHARS, prune.ARTICLE_SHARE * page_prose)
    removed: list[Removal] = []
    doomed: list[lxml.html.HtmlElement] = []
    walker = etree.iterwalk(tree, events=("start",))
    for _, element in walker:
        rule = spec_prune_rule(element, threshold)
        if rule is None:
            continue
        walker.skip_subtree()
        text = prune.normalized_text(element)
        if text:
            removed.append(Removal(rule=rule, text=text))
        doomed.append(element)
    for element in doomed:
        prune._drop(element)
    return tuple(removed)


def spec_holds_article(element: lxml.html.HtmlElement, threshold: float) -> bool:
    if element.get("itemprop") == "articleBody":
        return True
    if next(element.iterdescendants("article", "main"), None) is not None:
        return True
    return spec_prose_length(element) >= threshold


def spec_prune_rule(element: lxml.html.HtmlElement, threshold: float) -> str | None:
    tag = element.tag
    if not isinstance(tag, str) or tag in prune.PROTECTED_TAGS:
        return None
    attributes = dict(element.items())
    if not attributes and tag not in prune.NEVER_ARTICLE_TAGS and tag not in prune.GUARDED_TAGS:
        return None
    if "hidden" in attributes or prune.HIDDEN_STYLE.search(attributes.get("style") or ""):
        return "hidden"
    if tag in prune.NEVER_ARTICLE_TAGS and tag not in prune.GUARDED_TAGS:
        return "never-article-tag"
    rule = spec_named_rule(element, attributes)
    if rule is None or spec_holds_article(element, threshold):
        return None
    return rule


def spec_named_rule(element: lxml.html.HtmlElement, attributes: dict[str, str]) -> str | None:
    if element.tag in prune.GUARDED_TAGS or attributes.get("role") in prune.ARIA_ROLES:
        return "never-article-tag"
    classes = attributes.get("class") or ""
    if attributes.get("aria-hidden") == "true" or not prune.HIDDEN_CLASSES.isdisjoint(classes.split()):
        return "hidden"
    if not spec_names_boilerplate(attributes):
        return None
    if element.tag in prune.INLINE_TAGS and not spec_is_inline_card(element):
        return None
    return "boilerplate-class"


def spec_names_boilerplate(attributes: Mapping[str, str]) -> bool:
    names = " ".join(
        filter(None, (attributes.get("class"), attributes.get("id"), attributes.get("aria-label")))
    )
    return bool(names) and SPEC_BOILERPLATE_WORDS.search(names) is not None


def spec_is_inline_card(element: lxml.html.HtmlElement) -> bool:
    links = sum(1 for _ in element.iter("a"))
    if links < prune.INLINE_CARD_LINKS and next(element.iter("img"), None) is None:
        return False
    return not any(spec_names_boilerplate(child.attrib) for child in element.iterdescendants(etree.Element))


# Random pages built to reach every rule: boilerplate and hiding names in every case and with the
# Unicode letters case folding maps to ASCII, article containers, and prose on both sides of the guard's
# thresholds.
NAME_PARTS = [
    "ad", "Ads", "adbox", "share", "SHARE", "ſhare", "related", "comment", "comments", "list", "most", "read",
    "more", "stories", "sign", "up", "modal", "hidden", "sr-only", "d-none", "twitter-tweet", "post", "K",
    "timeshare", "unrelated", "x", "-", "_", " ", "\n", "\xa0",
]  # fmt: skip
NAMES = st.lists(st.sampled_from(NAME_PARTS), max_size=5).map("".join)
TAGS = [
    "div", "p", "span", "a", "img", "section", "blockquote", "article", "main", "nav", "aside", "form",
    "footer", "iframe", "noscript", "svg", "button", "ul", "li", "em", "script", "style",
]  # fmt: skip
PROSE = st.sampled_from(
    [
        "",
        " ",
        "Short.",
        "A line of article text, long enough to count. " * 3,
        " " + "x" * 199,
        "y" * 200,
        "z" * 300,
    ]
)


@st.composite
def attributes(draw: st.DrawFn) -> str:
    chosen = []
    for name in draw(st.lists(st.sampled_from(["class", "id", "aria-label"]), max_size=2, unique=True)):
        chosen.append(f'{name}="{draw(NAMES)}"')
    extra = draw(
        st.lists(
            st.sampled_from(
                [
                    "hidden",
                    'style="display: none"',
                    'style="color: red"',
                    'STYLE="Visibility:Hidden"',
                    'role="navigation"',
                    'role="main"',
                    'aria-hidden="true"',
                    'aria-hidden="false"',
                    'itemprop="articleBody"',
                    'href="/x"',
                ]
            ),
            max_size=2,
        )
    )
    return "".join(" " + attribute for attribute in chosen + extra)


@st.composite
def page_markup(draw: st.DrawFn, depth: int = 0) -> str:
    tag = draw(st.sampled_from(TAGS))
    parts = [draw(PROSE)]
    if depth < 4:
        for _ in range(draw(st.integers(0, 4))):
            parts += [draw(page_markup(depth + 1)), draw(PROSE)]
    return f"<{tag}{draw(attributes())}>{''.join(parts)}</{tag}>"


def _pruned_both_ways(tree: lxml.html.HtmlElement) -> tuple[tuple[object, bytes], tuple[object, bytes]]:
    spec_tree, fast_tree = copy.deepcopy(tree), copy.deepcopy(tree)
    spec = (spec_prune_page(spec_tree), lxml.html.tostring(spec_tree))
    fast = (prune.prune_page(fast_tree), lxml.html.tostring(fast_tree))
    return spec, fast


@settings(max_examples=400, deadline=None)
@given(st.lists(page_markup(), min_size=1, max_size=4))
def test_prune_page_matches_the_original_on_random_pages(fragments: list[str]) -> None:
    spec, fast = _pruned_both_ways(parse_html(f"<html><body>{''.join(fragments)}</body></html>"))
    assert fast == spec


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_prune_page_matches_the_original_on_the_samples(page: Path) -> None:
    spec, fast = _pruned_both_ways(parse_html(page.read_text(encoding="utf-8", errors="replace")))
    assert fast == spec


@given(NAMES)
def test_grouped_boilerplate_regex_matches_the_flat_original(names: str) -> None:
    fast = prune.BOILERPLATE_NAME.search(" " + names) is not None
    assert fast == (SPEC_BOILERPLATE_WORDS.search(names) is not None)


OPTIONAL_NAMES = st.one_of(st.none(), NAMES)


@given(OPTIONAL_NAMES, OPTIONAL_NAMES, OPTIONAL_NAMES)
def test_names_rule_gives_the_originals_verdict_fresh_or_remembered(
    classes: str | None, identifier: str | None, label: str | None
) -> None:
    names = {
        key: value
        for key, value in (("class", classes), ("id", identifier), ("aria-label", label))
        if value is not None
    }
    if not prune.HIDDEN_CLASSES.isdisjoint((classes or "").split()):
        expected: str | None = "hidden"
    else:
        expected = "boilerplate-class" if spec_names_boilerplate(names) else None
    prune._names_rule.cache_clear()
    assert prune._names_rule(classes, identifier, label) == expected
    assert prune._names_rule(classes, identifier, label) == expected  # remembered
    assert prune._names_boilerplate(names) == spec_names_boilerplate(names)


def test_boilerplate_words_start_with_a_plain_letter() -> None:
    # The grouping of BOILERPLATE_WORDS by first letter relies on it.
    assert all(word[0].isalpha() for word in prune.BOILERPLATE_WORDS)


@settings(max_examples=100, deadline=None)
@given(st.lists(page_markup(), min_size=1, max_size=3), st.integers(-2, 2))
def test_size_check_refuses_exactly_what_the_exact_count_refuses(fragments: list[str], margin: int) -> None:
    tree = parse_html(f"<html><body><!-- a note -->{''.join(fragments)}</body></html>")
    exact = int(cast(float, limits.COUNT_NODES(tree)))
    assert cast(float, limits.COUNT_ALL_NODES(tree)) >= exact  # the bound holds
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(limits, "MAX_ELEMENTS", exact + margin)  # the page at, under or over the limit
        if margin < 0:
            with pytest.raises(InputError, match=f"too many elements \\({exact:,};"):
                limits._check_size(tree)
        else:
            limits._check_size(tree)
