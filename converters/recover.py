"""The boilerplate filter, middle stage: recover the article when readability picked the wrong container.

The evidence is the page's own JSON-LD `articleBody`: when the page declares its article text and
readability's choice shares little of it, the declared text is the article.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import lxml.html

WORD = re.compile(r"\w+")
PARAGRAPH_BREAK = re.compile(r"\n\s*\n|\n|\r\n?")
# A declared body shorter than this is a teaser or a description, not the article.
MIN_BODY_WORDS = 80
# Below this share of the declared body's words, readability's container is another text (a list of
# teasers, a comment thread); above it, readability's HTML is kept for its links and structure.
MIN_AGREEMENT = 0.5
MAX_JSON_CHARS = 2_000_000  # do not decode huge data islands


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
