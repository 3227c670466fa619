"""Meta tags for the metadata stage: the names sites use, and the fields read mostly from them.

The `<meta name|property>` spellings of OpenGraph, Twitter cards, Dublin Core, Parse.ly, Sailthru
and CMS themes are listed here, best first.  The secondary fields (canonical URL, description,
image, language, tags, section) are picked here too: each is a short chain of JSON-LD and metas.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import lxml.html

from newsdown.converters.jsonld import item_name, json_strings, micro_value
from newsdown.converters.metapage import Page, absolute, elements

PUBLISHED_METAS = (
    "article:published_time",
    "og:article:published_time",
    "article:published",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "published_time",
    "published-date",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date.created",
    "dcterms.created",
    "dc.date",
    "dcterms.date",
    "citation_publication_date",
    "citation_date",
    "article.published",
    "original-publish-date",
    "og:published_time",
    "date",
)
MODIFIED_METAS = (
    "article:modified_time",
    "og:updated_time",
    "datemodified",
    "dc.date.modified",
    "dcterms.modified",
    "last-modified",
    "article.updated",
)
AUTHOR_METAS = (
    "author",
    "byl",
    "dc.creator",
    "dcterms.creator",
    "parsely-author",
    "sailthru.author",
    "citation_author",
    "article.author",
)
TITLE_METAS = ("og:title", "twitter:title", "dc.title", "parsely-title", "sailthru.title", "title")

# Tags beyond this are SEO keyword stuffing.
MAX_TAGS = 20
MAX_TAG_LENGTH = 60
LANGUAGE = re.compile(r"([A-Za-z]{2,3})(?:[-_]([A-Za-z]{4}))?(?:[-_]([A-Za-z]{2}|\d{3}))?(?:[-_].*)?")


def pick_canonical(page: Page) -> str | None:
    hrefs = [link.get("href") or "" for link in page.links.get("canonical", []) if link.tag == "link"]
    hrefs += page.meta("og:url")
    return next((url for href in hrefs if (url := absolute(href, page.url))), None)


def pick_descriptions(page: Page) -> Iterator[str]:
    yield from json_strings(page, page.article.get("description"))
    yield from page.meta("og:description", "twitter:description", "description", "dc.description")
    element = page.micro.get("description")
    if element is not None:
        yield micro_value(element)


def pick_image(page: Page, base: str | None) -> str | None:
    candidates = json_strings(page, page.article.get("image"), "url", "contentUrl", "@id")
    candidates += json_strings(page, page.article.get("thumbnailUrl"), "url")
    candidates += page.meta(
        "og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src"
    )
    element = page.micro.get("image")
    if element is not None:
        candidates.append(item_name(element) if element.get("itemscope") is None else _micro_image(element))
    candidates += [link.get("href") or "" for link in page.links.get("image_src", [])]
    return next((url for href in candidates if (url := absolute(href, base))), None)


def _micro_image(element: lxml.html.HtmlElement) -> str:
    for child in elements(element.xpath(".//*[@itemprop='url' or @itemprop='contentUrl']")):
        return micro_value(child)
    return ""


def pick_language(page: Page) -> str | None:
    candidates = [
        page.tree.get("lang") or "",
        page.tree.get("{http://www.w3.org/XML/1998/namespace}lang") or "",
        *json_strings(page, page.article.get("inLanguage"), "name", "alternateName"),
        *page.meta("og:locale", "content-language", "language", "dc.language"),
    ]
    for candidate in candidates:
        language = normalise_language(candidate.split(",")[0])
        if language:
            return language
    return None


def normalise_language(value: str) -> str | None:
    """BCP 47 casing: "en_us" -> "en-US", "zh_hant_tw" -> "zh-Hant-TW"."""
    match = LANGUAGE.fullmatch(value.strip())
    if match is None:
        return None
    language, script, region = match.groups()
    parts = [language.lower()]
    if script:
        parts.append(script.title())
    if region:
        parts.append(region.upper())
    return "-".join(parts)


def pick_tags(page: Page) -> tuple[str, ...]:
    sources = [
        json_strings(page, page.article.get("keywords"), "name"),
        list(page.meta("article:tag")),
        list(page.meta("news_keywords")),
        list(page.meta("keywords", "parsely-tags", "sailthru.tags")),
    ]
    for raw in sources:
        tags = split_tags(raw)
        if tags:
            return tags
    return ()


def split_tags(values: list[str]) -> tuple[str, ...]:
    seen: set[str] = set()
    tags: list[str] = []
    for value in values:
        for piece in re.split(r"[,;]", value):
            tag = piece.strip()
            if tag and len(tag) <= MAX_TAG_LENGTH and tag.casefold() not in seen:
                seen.add(tag.casefold())
                tags.append(tag)
    return tuple(tags[:MAX_TAGS])


def pick_sections(page: Page) -> Iterator[str]:
    yield from page.meta("article:section")
    yield from json_strings(page, page.article.get("articleSection"), "name")[:1]
    yield from page.meta("parsely-section", "section")
    element = page.micro.get("articleSection")
    if element is not None:
        yield micro_value(element)
