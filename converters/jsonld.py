"""Structured data for the metadata stage: JSON-LD blocks and schema.org Microdata.

JSON-LD is read leniently (arrays, `@graph`, nested `mainEntity`, `@id` references, HTML comment
and CDATA wrappers, trailing commas, several objects in one block), and a block that is not JSON at
all still yields its headline, dates, author and publisher by pattern.  The article node is the
first node of an Article type, whatever comes before it in the page.
"""

from __future__ import annotations

import json
import re

import lxml.html

from newsdown.converters.metapage import MAX_TITLE_LENGTH, JsonDict, Page, clean, elements, text_of

# schema.org types whose node describes the article itself (the `@type` may also be a list).
ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "blogposting",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "reviewnewsarticle",
        "backgroundnewsarticle",
        "askpublicnewsarticle",
        "livebloggposting",
        "liveblogposting",
        "socialmediaposting",
        "techarticle",
        "scholarlyarticle",
        "report",
        "satiricalarticle",
        "posting",
    }
)

# Page-level nodes: a fallback for dates when no article node exists (many CMS themes).
PAGE_TYPES = frozenset({"webpage", "itempage", "collectionpage", "aboutpage"})
ORG_TYPES = frozenset({"organization", "newsmediaorganization", "corporation", "localbusiness"})

# JSON-LD nests objects; real pages never need more depth, and bounding it defuses hostile input.
MAX_JSON_DEPTH = 12

# Real JSON-LD blocks are a few kB; multi-megabyte blobs are app state, not metadata.
MAX_JSON_LENGTH = 500_000
TRAILING_COMMA = re.compile(r",\s*([}\]])")

# Wrappers some CMSes leave around JSON-LD: HTML comments, CDATA, a trailing semicolon.
JSON_WRAPPERS = re.compile(r"^\s*(?:<!--|//\s*<!\[CDATA\[|<!\[CDATA\[)|(?:-->|//\s*\]\]>|\]\]>|;)\s*$")

# When a JSON-LD block will not parse even after repairs, these keys are salvaged by pattern.
_JSON_STRING = r'"((?:[^"\\]|\\.){1,500})"'
SALVAGE_KEYS = ("headline", "datePublished", "dateModified", "description", "articleSection")
SALVAGE = {key: re.compile(rf'"{key}"\s*:\s*{_JSON_STRING}') for key in SALVAGE_KEYS}
SALVAGE_AUTHOR = re.compile(rf'"author"\s*:\s*(?:\[\s*)?(?:\{{[^{{}}]*?"name"\s*:\s*)?{_JSON_STRING}')
SALVAGE_PUBLISHER = re.compile(rf'"publisher"\s*:\s*\{{[^{{}}]*?"name"\s*:\s*{_JSON_STRING}')


def read_json_ld(page: Page, scripts: list[lxml.html.HtmlElement]) -> None:
    """Parse every JSON-LD block among the page's `<script>`s, index nodes by @id and pick the
    article and page nodes."""
    salvaged: list[JsonDict] = []
    for script in scripts:
        if "ld+json" not in (script.get("type") or "").lower():
            continue
        text = script.text or ""
        if len(text) > MAX_JSON_LENGTH:
            continue
        data = parse_json(text)
        if data is None:
            salvaged.append(salvage_json(text))
            continue
        walk_json(data, page, 0)
    for node in page.json_nodes:
        types = node_types(node)
        if not page.article and types & ARTICLE_TYPES:
            page.article = node
        if not page.page_node and types & PAGE_TYPES:
            page.page_node = node
    if not page.article:
        page.article = next((node for node in salvaged if node), {})


def parse_json(text: str) -> object | None:
    """json.loads with the repairs real pages need; None when it still fails."""
    try:
        parsed: object = json.loads(text, strict=False)
    except (ValueError, RecursionError):
        pass
    else:
        return parsed
    # Only a block that fails is unwrapped: the search for wrappers costs more than parsing.
    unwrapped = JSON_WRAPPERS.sub("", text)
    try:
        parsed = json.loads(unwrapped, strict=False)
    except (ValueError, RecursionError):
        pass
    else:
        return parsed
    repaired = TRAILING_COMMA.sub(r"\1", unwrapped).strip()
    # Several objects back to back ("{...}{...}") or a trailing stray brace.
    decoder = json.JSONDecoder(strict=False)
    found: list[object] = []
    position = 0
    while position < len(repaired):
        try:
            value, end = decoder.raw_decode(repaired, position)
        except (ValueError, RecursionError):
            break
        found.append(value)
        position = end
        while position < len(repaired) and repaired[position] in " \t\r\n,;":
            position += 1
    return found or None


def salvage_json(text: str) -> JsonDict:
    """A pseudo article node from a block that is not JSON at all (unescaped quotes, cut off)."""
    if '"@type"' not in text or not re.search(r"Article|BlogPosting|Posting", text):
        return {}
    node: JsonDict = {}
    for key, pattern in SALVAGE.items():
        match = pattern.search(text)
        if match:
            node[key] = json_unescape(match.group(1))
    author = SALVAGE_AUTHOR.search(text)
    if author:
        node["author"] = json_unescape(author.group(1))
    publisher = SALVAGE_PUBLISHER.search(text)
    if publisher:
        node["publisher"] = {"name": json_unescape(publisher.group(1))}
    return node


def json_unescape(text: str) -> str:
    try:
        value = json.loads(f'"{text}"', strict=False)
    except ValueError:
        return text
    return value if isinstance(value, str) else text


def walk_json(data: object, page: Page, depth: int) -> None:
    if depth > MAX_JSON_DEPTH:
        return
    if isinstance(data, list):
        for item in data:
            walk_json(item, page, depth + 1)
        return
    if not isinstance(data, dict):
        return
    node: JsonDict = {str(key): value for key, value in data.items()}
    identifier = node.get("@id")
    if isinstance(identifier, str) and len(node) > 1:
        page.json_ids.setdefault(identifier, node)
    if "@type" in node:
        page.json_nodes.append(node)
    for key, value in node.items():
        if key in ("@graph", "mainEntity", "mainEntityOfPage", "itemListElement", "hasPart", "about"):
            walk_json(value, page, depth + 1)


def node_types(node: JsonDict) -> set[str]:
    """Lowercase type names, without a schema.org prefix ("http://schema.org/NewsArticle")."""
    raw = node.get("@type")
    values = raw if isinstance(raw, list) else [raw]
    return {value.rsplit("/", 1)[-1].lower() for value in values if isinstance(value, str)}


def resolve(page: Page, value: object) -> object:
    """Follow a {"@id": ...} reference to the full node, as Yoast's @graph needs."""
    if isinstance(value, dict) and set(value) <= {"@id", "@type"}:
        identifier = value.get("@id")
        if isinstance(identifier, str) and identifier in page.json_ids:
            return page.json_ids[identifier]
    return value


def json_strings(page: Page, value: object, *keys: str) -> list[str]:
    """The strings in a JSON-LD value: a string, a list, or objects carrying one of `keys`."""
    value = resolve(page, value)
    if isinstance(value, str):
        text = clean(value)
        return [text] if text else []
    if isinstance(value, list):
        return [text for item in value[:50] for text in json_strings(page, item, *keys)]
    if isinstance(value, dict):
        for key in keys:
            if key in value:
                return json_strings(page, value[key], *keys)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return [str(value)]
    return []


def json_authors(page: Page, value: object) -> list[tuple[str, bool]]:
    """Author names from JSON-LD: strings, Person/Organization objects (resolved), or lists."""
    value = resolve(page, value)
    if isinstance(value, list):
        return [name for item in value[:50] for name in json_authors(page, item)]
    if isinstance(value, str):
        return [(value, False)]
    if not isinstance(value, dict):
        return []
    names = json_strings(page, value.get("name"))
    if not names:
        # trafilatura#362: a Person with givenName/familyName and no name (or additionalName).
        given = " ".join(json_strings(page, value.get("givenName")))
        family = " ".join(json_strings(page, value.get("familyName")))
        names = [f"{given} {family}".strip()]
    is_org = bool(node_types(value) & ORG_TYPES)
    return [(name, is_org) for name in names if name]


def read_microdata(page: Page, marked: list[lxml.html.HtmlElement]) -> None:
    """Microdata properties of the first Article-typed item (or the page when there is none).

    `marked` holds the page's elements that carry an itemscope or itemprop (others are ignored), in
    document order: the page scan finds them together with its links, in one walk of the tree.
    """
    item = next((element for element in marked if is_article_item(element)), None)
    # The item's own properties need a second search, but only inside the item, and only on the
    # pages that have one.
    properties = marked if item is None else elements(item.xpath("descendant-or-self::*[@itemprop]"))
    for element in properties:
        for prop in (element.get("itemprop") or "").split():
            if prop in ("author", "creator"):
                page.micro_authors.append(element)
            else:
                page.micro.setdefault(prop, element)


def is_article_item(element: lxml.html.HtmlElement) -> bool:
    """An itemscope whose itemtype names an Article or a BlogPosting (any vocabulary, any prefix)."""
    if element.get("itemscope") is None:
        return False
    itemtype = element.get("itemtype") or ""
    return "Article" in itemtype or "BlogPosting" in itemtype or "article" in itemtype


def micro_value(element: lxml.html.HtmlElement) -> str:
    """An itemprop's value the way Microdata defines it (content, datetime, href, src, text)."""
    for attribute in ("content", "datetime"):
        value = element.get(attribute)
        if value is not None:
            return clean(value)
    if element.tag in ("a", "link", "area") and element.get("href"):
        return (element.get("href") or "").strip()
    if element.tag in ("img", "source", "video", "audio") and element.get("src"):
        return (element.get("src") or "").strip()
    return text_of(element, MAX_TITLE_LENGTH)


def micro_name(page: Page, prop: str) -> str:
    element = page.micro.get(prop)
    return item_name(element) if element is not None else ""


def item_name(element: lxml.html.HtmlElement) -> str:
    """The name of an itemscope (its itemprop=name), or the element's own value."""
    if element.get("itemscope") is not None:
        for child in elements(element.xpath(".//*[@itemprop='name']")):
            return micro_value(child)
        return ""
    return micro_value(element)
