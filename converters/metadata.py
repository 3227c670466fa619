"""The metadata stage: facts about the article (title, authors, dates, publisher...) from the page.

`read_metadata` reads the parsed page once, before extraction changes the tree, and never
mutates it.  Each field takes the first usable value from its sources, in this priority:

- title: the page's `<h1>` when it matches a declared title, else JSON-LD `headline`, `og:title`,
  `twitter:title`, Microdata `headline`, title metas, then `<title>` without the site name
  (" | Site", " - Site"), then the first `<h1>`.  A site name alone is never a title.
- authors: JSON-LD `author` (people before organisations), Microdata `author`, `article:author`,
  `<meta name=author|byl|dc.creator|parsely-author|sailthru.author|citation_author>`,
  `rel=author` links, byline elements near the headline, then a "By ..." line near the headline.
  The publisher is never an author; a wire agency becomes `credit`.
- published / modified: JSON-LD, Microdata, `article:*_time` and Dublin Core / Parse.ly /
  Sailthru metas, `<time>` near the headline, a printed date near the headline, then the URL path.
- publisher: JSON-LD `publisher`, `og:site_name`, Microdata `publisher`, JSON-LD WebSite or
  Organization name, `application-name`, the `<title>` suffix naming the domain, then the domain.
- canonical_url: `<link rel=canonical>`, then `og:url`; description: JSON-LD, `og:description`,
  `twitter:description`, `<meta name=description>`; image: JSON-LD `image`, `og:image`,
  `twitter:image`, `rel=image_src`; language: `<html lang>`, JSON-LD `inLanguage`, `og:locale`,
  `Content-Language`; tags: JSON-LD `keywords`, `article:tag`, `news_keywords`, `keywords`;
  section: `article:section`, JSON-LD `articleSection`, Parse.ly section.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from urllib.parse import urljoin, urlsplit

import lxml.html

from newsdown.converters.authors import (
    AuthorName,
    credit_in,
    dedupe_names,
    org_key,
    same_organisation,
    split_byline,
    wire_agency,
)
from newsdown.converters.dates import DateValue, date_from_url, find_prose_date, parse_date
from newsdown.converters.model import Metadata

JsonDict = dict[str, object]

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

# Headline and name strings longer than this are paragraphs, not titles.
MAX_TITLE_LENGTH = 400
# Byline elements longer than this are author bios or whole articles.
MAX_BYLINE_LENGTH = 160
# Site names are short; longer "names" are headlines that themes put in application-name.
MAX_SITE_NAME_LENGTH = 80
MAX_SITE_NAME_WORDS = 8
# Second-level labels under a country code: the site's own label is the one before them.
SECOND_LEVEL_LABELS = frozenset({"co", "com", "org", "net", "ac", "gov", "edu", "ne", "or", "go"})
# Bylines are shallow; markup nested deeper than this inside one is not read.
MAX_BYLINE_DEPTH = 12
# Tags beyond this are SEO keyword stuffing.
MAX_TAGS = 20
MAX_TAG_LENGTH = 60

# <title>/og:title separators between headline and site name (spaced dashes only: "e-mail").
TITLE_SEPARATOR = re.compile(
    r"(\s+[|\-\u2013\u2014\u00b7\u2022:/\u00bb\u00ab]\s+|\s*[|\u00b7\u2022\u00bb\u00ab]\s*|:\s+)"
)
ELLIPSIS = re.compile(r"(?:\.\.\.|\u2026)\s*$")
TAG_MARKUP = re.compile(r"<[^>]{0,500}>")
WORDS = re.compile(r"\w+")
LANGUAGE = re.compile(r"([A-Za-z]{2,3})(?:[-_]([A-Za-z]{4}))?(?:[-_]([A-Za-z]{2}|\d{3}))?(?:[-_].*)?")
TRAILING_COMMA = re.compile(r",\s*([}\]])")
# Wrappers some CMSes leave around JSON-LD: HTML comments, CDATA, a trailing semicolon.
JSON_WRAPPERS = re.compile(r"^\s*(?:<!--|//\s*<!\[CDATA\[|<!\[CDATA\[)|(?:-->|//\s*\]\]>|\]\]>|;)\s*$")
# When a JSON-LD block will not parse even after repairs, these keys are salvaged by pattern.
_JSON_STRING = r'"((?:[^"\\]|\\.){1,500})"'
SALVAGE_KEYS = ("headline", "datePublished", "dateModified", "description", "articleSection")
SALVAGE = {key: re.compile(rf'"{key}"\s*:\s*{_JSON_STRING}') for key in SALVAGE_KEYS}
SALVAGE_AUTHOR = re.compile(rf'"author"\s*:\s*(?:\[\s*)?(?:\{{[^{{}}]*?"name"\s*:\s*)?{_JSON_STRING}')
SALVAGE_PUBLISHER = re.compile(rf'"publisher"\s*:\s*\{{[^{{}}]*?"name"\s*:\s*{_JSON_STRING}')

# Containers whose bylines and dates belong to other stories (newspaper4k#180, defuddle#295).
ELSEWHERE = re.compile(
    r"related|sidebar|recommend|promo|more-?from|newsletter|comment|teaser|trending|popular|most-?read|"
    r"widget|footer|card|outbrain|taboola",
    re.IGNORECASE,
)
ELSEWHERE_TAGS = frozenset({"aside", "nav", "footer"})
UPDATED_WORD = re.compile(
    r"\b(?:updated|modified|last\s+updated|aktualisiert|mis\s+à\s+jour)\b", re.IGNORECASE
)
PUBLISHED_HINT = re.compile(r"publish|posted|pubdate|created|dateline", re.IGNORECASE)
MODIFIED_HINT = re.compile(r"updat|modif", re.IGNORECASE)

BYLINE_XPATH = (
    ".//*[contains(@class,'byline') or contains(@class,'Byline') or contains(@class,'author')"
    " or contains(@class,'Author') or contains(@id,'byline') or contains(@id,'author')"
    " or @rel='author' or contains(@itemprop,'author') or self::address]"
)
# Elements whose own text opens with "By" (or its French, German, Spanish, Dutch forms, or the
# "Posted by" / "Submitted by" of blog and Drupal themes).
BY_LINE_XPATH = ".//*[not(self::script or self::style)][{}]".format(
    " or ".join(
        f"starts-with(normalize-space(text()),'{word} ') or normalize-space(text())='{word}'"
        for word in ("By", "BY", "by", "Par", "Von", "Por", "Door", "Posted by", "Submitted by", "Written by")
    )
)
# Parts of an author box that are not the name: a role, a bio, a photo, social links.
BYLINE_NOISE = re.compile(r"role|title|bio|avatar|image|photo|social|twitter|email|job|position|desc", re.I)
DATE_CLASS_XPATH = (
    ".//*[contains(@class,'date') or contains(@class,'Date') or contains(@class,'time')"
    " or contains(@class,'publish') or contains(@class,'posted') or contains(@class,'dateline')]"
)

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


@dataclass(slots=True)
class Page:
    """Everything read from the tree in one go, so the field pickers never walk it again."""

    tree: lxml.html.HtmlElement
    url: str | None
    metas: dict[str, list[str]] = field(default_factory=dict)
    links: dict[str, list[lxml.html.HtmlElement]] = field(default_factory=dict)
    article: JsonDict = field(default_factory=dict)  # the JSON-LD article node, if any
    page_node: JsonDict = field(default_factory=dict)  # the JSON-LD WebPage node, if any
    json_nodes: list[JsonDict] = field(default_factory=list)
    json_ids: dict[str, JsonDict] = field(default_factory=dict)
    micro: dict[str, lxml.html.HtmlElement] = field(default_factory=dict)
    micro_authors: list[lxml.html.HtmlElement] = field(default_factory=list)

    def meta(self, *names: str) -> Iterator[str]:
        """Contents of the named metas, in the order of `names`, non-empty and cleaned."""
        for name in names:
            for value in self.metas.get(name, ()):
                text = clean(value)
                if text:
                    yield text


def read_metadata(tree: lxml.html.HtmlElement, url: str | None = None) -> Metadata:
    """Read the article's metadata from a parsed page; never raises, never changes the tree."""
    try:
        return collect_metadata(tree, url)
    except Exception:  # noqa: BLE001 - metadata is optional: a bug on an odd page must not lose the article
        return Metadata()


def collect_metadata(tree: lxml.html.HtmlElement, url: str | None = None) -> Metadata:
    """The work behind `read_metadata`, without its safety net (the property tests call this)."""
    page = scan_page(tree, url)
    canonical = pick_canonical(page)
    base = url or canonical
    site_names = pick_site_names(page, base)
    section = first(pick_sections(page))
    title, headline = pick_title(page, site_names, section)
    scope = article_scope(page.tree, headline)
    publisher = pick_publisher(page, base)
    names = [*site_names, publisher] if publisher else site_names
    authors, credit = pick_authors(page, scope, names)
    published, modified = pick_dates(page, scope, base)
    return Metadata(
        title=title,
        authors=authors,
        published=published,
        modified=modified,
        publisher=publisher,
        credit=credit,
        canonical_url=canonical,
        description=first(pick_descriptions(page)),
        image=pick_image(page, base),
        language=pick_language(page),
        tags=pick_tags(page),
        section=section,
    )


# --- reading the page -------------------------------------------------------------------------


def scan_page(tree: lxml.html.HtmlElement, url: str | None) -> Page:
    page = Page(tree=tree, url=url)
    for meta in tree.iter("meta"):
        content = meta.get("content")
        if content is None:
            continue
        for attribute in ("name", "property", "http-equiv"):
            key = (meta.get(attribute) or "").strip().lower()
            if key:
                page.metas.setdefault(key, []).append(content)
    # xpath, not iter(): pages hold thousands of <a> and only a few carry a rel.
    for link in elements(tree.xpath("//link[@rel] | //a[@rel]")):
        for rel in (link.get("rel") or "").lower().split():
            page.links.setdefault(rel, []).append(link)
    read_json_ld(page)
    read_microdata(page)
    return page


def read_json_ld(page: Page) -> None:
    """Parse every JSON-LD block, index nodes by @id and pick the article and page nodes."""
    salvaged: list[JsonDict] = []
    for script in page.tree.iter("script"):
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
    candidates = (text, JSON_WRAPPERS.sub("", text))
    for candidate in candidates:
        try:
            parsed: object = json.loads(candidate, strict=False)
        except (ValueError, RecursionError):
            continue
        return parsed
    repaired = TRAILING_COMMA.sub(r"\1", candidates[1]).strip()
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


def read_microdata(page: Page) -> None:
    """Microdata properties of the first Article-typed item (or the page when there is none)."""
    items = page.tree.xpath(
        "//*[@itemscope][contains(@itemtype,'Article') or contains(@itemtype,'BlogPosting')"
        " or contains(@itemtype,'article')]"
    )
    root = next(iter(elements(items)), page.tree)
    for element in elements(root.xpath("descendant-or-self::*[@itemprop]")):
        for prop in (element.get("itemprop") or "").split():
            if prop in ("author", "creator"):
                page.micro_authors.append(element)
            else:
                page.micro.setdefault(prop, element)


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


# --- strings ----------------------------------------------------------------------------------


def clean(text: str) -> str:
    """Unescape entities left in metas and JSON, drop stray tags, NFC, collapse whitespace."""
    if "&" in text:
        text = html.unescape(text)
    if "<" in text:
        text = TAG_MARKUP.sub(" ", text)
    return " ".join(unicodedata.normalize("NFC", text).split())


def text_of(element: lxml.html.HtmlElement, limit: int, *, spaced: bool = False) -> str:
    """Cleaned visible text of an element; empty if it is longer than `limit` (not a label).

    `spaced` puts a space between child elements: byline widgets set name and role in adjacent
    spans ("<span>By Tom Hale</span><span>Political reporter</span>") that must not run together.
    """
    raw = " ".join(element.itertext()) if spaced else element.text_content()
    text = clean(raw)
    return text if len(text) <= limit else ""


def first(values: Iterable[str]) -> str | None:
    return next((value for value in values if value), None)


def elements(result: object) -> list[lxml.html.HtmlElement]:
    """The elements of an xpath result (which may also hold strings or numbers)."""
    if not isinstance(result, list):
        return []
    return [item for item in result if isinstance(item, lxml.html.HtmlElement)]


def key_of(text: str) -> str:
    """Comparison key for titles: lowercase words, no punctuation, no trailing ellipsis."""
    return " ".join(WORDS.findall(ELLIPSIS.sub("", text).casefold()))


def absolute(href: str, base: str | None) -> str | None:
    """An absolute http(s) URL, or None (relative without a base, data:, javascript:)."""
    href = href.strip()
    if not href or href.startswith(("data:", "javascript:")):
        return None
    try:
        resolved = urljoin(base, href) if base else href
    except ValueError:
        return None
    return resolved if resolved.startswith(("http://", "https://")) else None


def host_of(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return host.removeprefix("www.") if host else None


# --- title ------------------------------------------------------------------------------------


def pick_site_names(page: Page, base: str | None) -> list[str]:
    """Every name the site calls itself by, for stripping from titles and filtering authors."""
    names = [*page.meta("og:site_name", "application-name", "apple-mobile-web-app-title")]
    names += json_strings(page, page.article.get("publisher"), "name")
    for node in page.json_nodes:
        if node_types(node) & ({"website"} | ORG_TYPES):
            names += json_strings(page, node.get("name"), "name")
    micro = micro_name(page, "publisher")
    if micro:
        names.append(micro)
    names += [handle.lstrip("@") for handle in page.meta("twitter:site") if handle.startswith("@")]
    host = host_of(base)
    if host:
        names += [host, domain_label(host)]
    return [name for name in names if is_plausible_site_name(name)]


def is_plausible_site_name(name: str) -> bool:
    """Some themes put the headline in application-name; a site name is short."""
    return bool(name) and len(name) <= MAX_SITE_NAME_LENGTH and len(name.split()) <= MAX_SITE_NAME_WORDS


def domain_label(host: str) -> str:
    """The name-like label of a host: "riversidegazette" for news.riversidegazette.co.uk."""
    labels = host.split(".")
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in SECOND_LEVEL_LABELS:
        return labels[-3]
    return labels[-2] if len(labels) >= 2 else labels[0]


def is_site_name(text: str, site_names: list[str]) -> bool:
    key = org_key(text)
    return bool(key) and any(key == org_key(name) for name in site_names)


def strip_site(title: str, site_names: list[str], section: str | None) -> str:
    """Remove leading/trailing " | Site" segments (and the section next to them) from a title."""
    parts = TITLE_SEPARATOR.split(title)
    segments = parts[0::2]
    removable = [*site_names, section] if section else site_names
    start, end = 0, len(segments)
    while end - start > 1 and is_site_name(segments[end - 1], removable):
        end -= 1
    while end - start > 1 and is_site_name(segments[start], removable):
        start += 1
    if (start, end) == (0, len(segments)):
        return title.strip()
    return "".join(parts[start * 2 : end * 2 - 1]).strip()


def similar(candidate: str, heading: str) -> bool:
    """Whether a declared title and a visible heading are the same headline."""
    a, b = key_of(candidate), key_of(heading)
    if not a or not b:
        return False
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    if long.startswith(short) and len(short) >= 30:
        return True  # JSON-LD headlines are often cut at 110 characters
    if short in long and len(short) >= 0.75 * len(long):
        return True
    return len(long) <= 2 * len(short) and SequenceMatcher(None, a, b).ratio() >= 0.85


def title_candidates(page: Page, site_names: list[str], section: str | None) -> list[str]:
    """Declared titles, best first, each without its site name; site names alone are dropped."""
    raw: list[str] = []
    raw += json_strings(page, page.article.get("headline"))
    raw += json_strings(page, page.article.get("name"))
    raw += page.meta(*TITLE_METAS)
    micro = page.micro.get("headline")
    if micro is not None:
        raw.append(micro_value(micro))
    raw += json_strings(page, page.page_node.get("name"))
    result: list[str] = []
    for text in raw:
        stripped = strip_site(text, site_names, section)
        if stripped and len(stripped) <= MAX_TITLE_LENGTH and not is_site_name(stripped, site_names):
            result.append(stripped)
    return result


def pick_title(
    page: Page, site_names: list[str], section: str | None
) -> tuple[str | None, lxml.html.HtmlElement | None]:
    """The headline, and the <h1> it was read from or matched (used to find the byline)."""
    headings = [
        (element, text)
        for element in page.tree.iter("h1")
        if (text := text_of(element, MAX_TITLE_LENGTH)) and not is_site_name(text, site_names)
    ]
    declared = title_candidates(page, site_names, section)
    title_tag = next(page.tree.iter("title"), None)
    page_title = clean(title_tag.text_content()) if title_tag is not None else ""
    stripped_title = strip_site(page_title, site_names, section) if page_title else ""
    for candidate in [*declared, stripped_title]:
        for element, text in headings:
            if candidate and similar(candidate, text):
                return text, element
    if page_title:
        # A <title> with an unknown site suffix: the heading is one of its leading segments.
        segments = TITLE_SEPARATOR.split(page_title)[0::2]
        prefixes = {
            key_of("".join(TITLE_SEPARATOR.split(page_title)[: n * 2 - 1])) for n in range(1, len(segments))
        }
        for element, text in headings:
            if key_of(text) in prefixes:
                return text, element
    heading = headings[0][1] if headings else None
    if declared:
        return declared[0], headings[0][0] if headings else None
    if stripped_title and not is_site_name(stripped_title, site_names):
        return guess_suffix(stripped_title), headings[0][0] if headings else None
    return heading, headings[0][0] if headings else None


def guess_suffix(title: str) -> str:
    """Drop a short last " | Segment" from a title whose site name we could not identify."""
    head, separator, tail = title.rpartition(" | ")
    if separator and len(tail.split()) <= 5 and len(head.split()) >= 3:
        return head.strip()
    return title


# --- authors ----------------------------------------------------------------------------------


def article_scope(
    tree: lxml.html.HtmlElement, headline: lxml.html.HtmlElement | None
) -> lxml.html.HtmlElement:
    """The part of the page that belongs to the article's header: where its byline and date are."""
    if headline is None:
        for tag in ("article", "main"):
            found = next(tree.iter(tag), None)
            if found is not None:
                return found
        return tree
    for ancestor in headline.iterancestors():
        if ancestor.tag in ("article", "main") or ancestor.get("role") == "main":
            return ancestor
    scope = headline
    for _ in range(3):
        parent = scope.getparent()
        if parent is None or parent.tag in ("body", "html"):
            break
        scope = parent
    return scope


def is_elsewhere(element: lxml.html.HtmlElement, scope: lxml.html.HtmlElement) -> bool:
    """Inside an aside, a related-stories box or a comment thread, between element and scope."""
    node: lxml.html.HtmlElement | None = element
    while node is not None and node is not scope:
        if node.tag in ELSEWHERE_TAGS:
            return True
        marker = f"{node.get('class') or ''} {node.get('id') or ''}"
        if marker.strip() and ELSEWHERE.search(marker):
            return True
        node = node.getparent()
    return False


def author_sources(page: Page, scope: lxml.html.HtmlElement) -> Iterator[list[tuple[str, bool]]]:
    """Raw author strings with "declared an organisation", one list per source, best first."""
    yield json_authors(page, page.article.get("author"))
    yield people(item_name(element) for element in page.micro_authors if not is_elsewhere(element, page.tree))
    yield people(page.meta("article:author"))
    yield people(page.meta(*AUTHOR_METAS))
    yield people(
        text_of(link, MAX_BYLINE_LENGTH, spaced=True)
        for link in page.links.get("author", [])
        if link.tag == "a" and not is_elsewhere(link, page.tree)
    )
    for xpath, limit in ((BYLINE_XPATH, 3), (BY_LINE_XPATH, 2)):
        yield people(byline_texts(elements(scope.xpath(xpath)), scope)[:limit])


def byline_texts(found: list[lxml.html.HtmlElement], scope: lxml.html.HtmlElement) -> list[str]:
    """Texts of byline elements outside related boxes, without their role, bio or photo parts."""
    texts: list[str] = []
    for element in found:
        if is_noise(element) or is_elsewhere(element, scope):
            continue
        text = clean(" ".join(own_text(element)))
        if text and len(text) <= MAX_BYLINE_LENGTH:
            texts.append(text)
    return texts


def is_noise(element: lxml.html.HtmlElement) -> bool:
    return bool(BYLINE_NOISE.search(f"{element.get('class') or ''} {element.get('id') or ''}"))


def own_text(element: lxml.html.HtmlElement, depth: int = 0) -> Iterator[str]:
    """The element's text pieces in order, skipping comments and noise children (a role span
    beside the name: "<span>By Naomi Fields</span><span class=author-role>Gardener</span>")."""
    yield element.text or ""
    for child in element:
        if isinstance(child.tag, str) and not is_noise(child) and depth < MAX_BYLINE_DEPTH:
            yield from own_text(child, depth + 1)
        yield child.tail or ""


def people(names: Iterable[str]) -> list[tuple[str, bool]]:
    return [(name, False) for name in names if name]


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


def pick_authors(
    page: Page, scope: lxml.html.HtmlElement, site_names: list[str]
) -> tuple[tuple[str, ...], str | None]:
    """People first: the first source that names a person wins; organisations only as a fallback."""
    credit: str | None = None
    fallback: list[AuthorName] = []
    for raw_names in author_sources(page, scope):
        found: list[AuthorName] = []
        for raw, declared_org in raw_names:
            names, agency = split_byline(raw)
            credit = credit or agency
            for name in names:
                if same_organisation(name.name, site_names) or wire_agency(name.name):
                    continue
                if declared_org or name.is_org:
                    fallback.append(AuthorName(name.name, is_org=True))
                else:
                    found.append(name)
        if found:
            return tuple(entry.name for entry in dedupe_names(found)), credit or find_credit(scope)
    organisations = dedupe_names(fallback)[:1]
    return tuple(entry.name for entry in organisations), credit or find_credit(scope)


def find_credit(scope: lxml.html.HtmlElement) -> str | None:
    """A wire agency named in a dateline or credit line of the article's first or last paragraphs."""
    paragraphs = [p for p in scope.iter("p", "small", "em") if not is_elsewhere(p, scope)]
    for paragraph in paragraphs[:4] + paragraphs[-3:]:
        text = text_of(paragraph, 2000)
        found = credit_in(text) if text else None
        if found:
            return found
    return None


# --- dates ------------------------------------------------------------------------------------


def pick_dates(
    page: Page, scope: lxml.html.HtmlElement, base: str | None
) -> tuple[DateValue | None, DateValue | None]:
    """Published and modified; a modified date before the published day is dropped as junk."""
    today = dt.date.today()
    published = first_date(published_sources(page, scope, base), today)
    modified = first_date(modified_sources(page, scope), today)
    if published is not None and modified is not None and day_of(modified) < day_of(published):
        modified = None
    return published, modified


def day_of(value: DateValue) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def first_date(sources: Iterator[Callable[[dt.date], DateValue | None]], today: dt.date) -> DateValue | None:
    for source in sources:
        value = source(today)
        if value is not None:
            return value
    return None


def parsed_from(values: Iterable[str]) -> Callable[[dt.date], DateValue | None]:
    def parse(today: dt.date) -> DateValue | None:
        for value in values:
            found = parse_date(value, today=today)
            if found is not None:
                return found
        return None

    return parse


def published_sources(
    page: Page, scope: lxml.html.HtmlElement, base: str | None
) -> Iterator[Callable[[dt.date], DateValue | None]]:
    yield parsed_from(json_strings(page, page.article.get("datePublished")))
    yield parsed_from(json_strings(page, page.article.get("dateCreated")))
    element = page.micro.get("datePublished")
    yield parsed_from([micro_value(element)] if element is not None else [])
    yield parsed_from(page.meta(*PUBLISHED_METAS))
    yield parsed_from(json_strings(page, page.page_node.get("datePublished")))
    yield lambda today: time_in_scope(scope, today, modified=False)
    yield lambda today: printed_date(scope, today)
    urls = [
        page.url or "",
        *page.meta("og:url"),
        *(link.get("href") or "" for link in page.links.get("canonical", [])),
    ]
    yield lambda today: next((found for url in urls if (found := date_from_url(url, today=today))), None)


def modified_sources(
    page: Page, scope: lxml.html.HtmlElement
) -> Iterator[Callable[[dt.date], DateValue | None]]:
    yield parsed_from(json_strings(page, page.article.get("dateModified")))
    element = page.micro.get("dateModified")
    yield parsed_from([micro_value(element)] if element is not None else [])
    yield parsed_from(page.meta(*MODIFIED_METAS))
    yield parsed_from(json_strings(page, page.page_node.get("dateModified")))
    yield lambda today: time_in_scope(scope, today, modified=True)


def time_in_scope(scope: lxml.html.HtmlElement, today: dt.date, *, modified: bool) -> DateValue | None:
    """A <time> of the article header: marked published (or updated), else the first plain one."""
    plain: list[DateValue] = []
    for element in scope.iter("time"):
        if is_elsewhere(element, scope):
            continue
        value = element.get("datetime") or element.text_content()
        found = parse_date(value, today=today) or find_prose_date(value, today=today)
        if found is None:
            continue
        marker = " ".join(
            filter(None, (element.get("class"), element.get("itemprop"), _parent_class(element)))
        )
        if element.get("pubdate") is not None:
            marker += " pubdate"
        if MODIFIED_HINT.search(marker) or UPDATED_WORD.search(element.text_content()):
            if modified:
                return found
        elif PUBLISHED_HINT.search(marker):
            if not modified:
                return found
        else:
            plain.append(found)
    return plain[0] if plain and not modified else None


def _parent_class(element: lxml.html.HtmlElement) -> str:
    parent = element.getparent()
    return (parent.get("class") or "") if parent is not None else ""


def printed_date(scope: lxml.html.HtmlElement, today: dt.date) -> DateValue | None:
    """A date printed in the byline or a date-classed element, never the one labelled "Updated"."""
    candidates = elements(scope.xpath(DATE_CLASS_XPATH)) + elements(scope.xpath(BYLINE_XPATH))
    for element in candidates:
        if is_elsewhere(element, scope):
            continue
        text = text_of(element, MAX_BYLINE_LENGTH * 2, spaced=True)
        found = find_prose_date(text, today=today, skip_after=UPDATED_WORD) if text else None
        if found is not None:
            return found
    return None


# --- publisher, links, language, tags ---------------------------------------------------------


def pick_publisher(page: Page, base: str | None) -> str | None:
    declared = [
        *json_strings(page, page.article.get("publisher"), "name"),
        *page.meta("og:site_name"),
        micro_name(page, "publisher"),
    ]
    for node in page.json_nodes:
        if node_types(node) & ({"website"} | ORG_TYPES):
            declared += json_strings(page, node.get("name"))
    declared += page.meta("application-name")
    for name in declared:
        # "The Jerusalem Post | JPost.com", "@politifact": the first part is the name.
        name = name.split(" | ", 1)[0].lstrip("@").strip()
        if is_plausible_site_name(name) and not name.startswith("http"):
            return name
    host = host_of(base)
    if not host:
        return None
    return title_site_name(page, host) or host


def title_site_name(page: Page, host: str) -> str | None:
    """The <title> segment that spells the domain ("Riverside Gazette" for riversidegazette.com)."""
    title_tag = next(page.tree.iter("title"), None)
    if title_tag is None:
        return None
    label = org_key(domain_label(host))
    for segment in TITLE_SEPARATOR.split(clean(title_tag.text_content()))[0::2]:
        if label and org_key(segment) == label:
            return segment.strip()
    return None


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
