"""The boilerplate filter, middle stage: recover what readability missed.

The wrong container: when the page declares its article text in JSON-LD `articleBody` and
readability's choice shares little of it, the declared text is the article.
The lead: readability drops a paragraph whose wrapper has a class it dislikes ("media", "meta"); a
prose paragraph just before the article's first one, in the same container, is put back.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator

import lxml.html

from newsdown.converters.prune import normalized_text

WORD = re.compile(r"\w+")
PARAGRAPH_BREAK = re.compile(r"\n\s*\n|\n|\r\n?")
# A declared body shorter than this is a teaser or a description, not the article.
MIN_BODY_WORDS = 80
# Below this share of the declared body's words, readability's container is another text (a list of
# teasers, a comment thread); above it, readability's HTML is kept for its links and structure.
MIN_AGREEMENT = 0.5
MAX_JSON_CHARS = 2_000_000  # do not decode huge data islands
# The article's first paragraph is found in the page by the opening of its text.
KEY_CHARS = 40
# A lead is prose: a sentence or more, few links; not a caption, a byline or a "Read more" line.
LEAD_MIN_CHARS = 80
LEAD_MAX_LINK_DENSITY = 0.5
# The lead shares a container with the first paragraph within this many levels up from it; farther
# out are the page's header, teasers and sidebars.
LEAD_DEPTH = 2
LEAD_PARAGRAPHS = 2  # a lead and a standfirst at most
NOT_LEAD = re.compile(r"caption|credit|byline|author|dateline|timestamp|summary|teaser|related", re.I)


def json_ld_bodies(tree: lxml.html.HtmlElement) -> list[str]:
    """Every `articleBody` declared in the page's JSON-LD, longest first."""
    bodies: list[str] = []
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        text = script.text or ""
        if len(text) > MAX_JSON_CHARS:
            continue
        try:
            data = json.loads(text)
        except ValueError:
            continue
        bodies.extend(body for body in _article_bodies(data) if len(WORD.findall(body)) >= MIN_BODY_WORDS)
    return sorted(bodies, key=len, reverse=True)


def _article_bodies(data: object) -> Iterator[str]:
    if isinstance(data, list):
        for item in data:
            yield from _article_bodies(item)
    elif isinstance(data, dict):
        body = data.get("articleBody")
        if isinstance(body, str):
            yield body
        for key in ("@graph", "mainEntity", "mainEntityOfPage"):
            if key in data:
                yield from _article_bodies(data[key])


def recover_article(article: lxml.html.HtmlElement, bodies: list[str]) -> lxml.html.HtmlElement:
    """Readability's article, or the declared body as paragraphs when the two clearly disagree."""
    if not bodies:
        return article
    declared = bodies[0]
    if _agreement(declared, article.text_content()) >= MIN_AGREEMENT:
        return article
    return _paragraphs(declared)


def _agreement(declared: str, extracted: str) -> float:
    """The share of the declared body's words that the extracted text also has."""
    wanted = [word.casefold() for word in WORD.findall(declared)]
    have = {word.casefold() for word in WORD.findall(extracted)}
    return sum(word in have for word in wanted) / max(len(wanted), 1)


def _paragraphs(text: str) -> lxml.html.HtmlElement:
    container = lxml.html.Element("div")
    for block in PARAGRAPH_BREAK.split(
        lxml.html.fragment_fromstring(text, create_parent="div").text_content()
    ):
        block = " ".join(block.split())
        if block:
            paragraph = lxml.html.Element("p")
            paragraph.text = block
            container.append(paragraph)
    return container


def recover_lead(article: lxml.html.HtmlElement, tree: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """Put back, in place, the lead paragraphs readability dropped just before the article's first one."""
    first = _first_paragraph(article)
    original = _find(tree, normalized_text(first)) if first is not None else None
    if first is None or original is None:
        return article
    leads = _leads_before(original)
    have = normalized_text(article) if leads else ""
    for lead in leads:
        if normalized_text(lead) not in have:
            first.addprevious(copy.deepcopy(lead))
            first = first.getprevious()
    return article


def _first_paragraph(article: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    return next((p for p in article.iter("p") if normalized_text(p)), None)


def _find(tree: lxml.html.HtmlElement, text: str) -> lxml.html.HtmlElement | None:
    """The page's element with this text: readability keeps a paragraph's text but may rename it."""
    for element in tree.iter("p", "div"):
        own = element.text
        if not own or own.isspace() or not text.startswith(own.split(None, 1)[0]):
            continue  # a cheap first test: the first word
        if text.startswith(" ".join(own.split())[:KEY_CHARS]) and normalized_text(element) == text:
            return element
    return None


def _leads_before(original: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """Prose paragraphs right before `original` in a container it shares with them, nearest first."""
    container = original
    for _ in range(LEAD_DEPTH):
        parent = container.getparent()
        if parent is None:
            break
        container = parent
    before: list[lxml.html.HtmlElement] = []
    for element in container.iter("p", original.tag):
        if element is original:
            break
        if element.tag == "p":
            before.append(element)
    leads: list[lxml.html.HtmlElement] = []
    for paragraph in reversed(before):
        if len(leads) == LEAD_PARAGRAPHS or not _is_lead(paragraph, container):
            break
        leads.append(paragraph)
    return leads


def _is_lead(paragraph: lxml.html.HtmlElement, container: lxml.html.HtmlElement) -> bool:
    text = normalized_text(paragraph)
    if len(text) < LEAD_MIN_CHARS:
        return False
    linked = sum(len(normalized_text(link)) for link in paragraph.iter("a"))
    if linked > LEAD_MAX_LINK_DENSITY * len(text):
        return False
    for element in (paragraph, *paragraph.iterancestors()):
        if element is container:
            return True
        if element.tag in ("figure", "figcaption") or NOT_LEAD.search(element.get("class") or ""):
            return False
    return True
