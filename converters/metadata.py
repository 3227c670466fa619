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

This module holds the priority merge; the sources live beside it: `metapage` (the scanned page
and shared string helpers), `jsonld` (JSON-LD and Microdata), `metatags` (meta names and the
secondary fields), `titles` (headline and site names), `byline` (the printed byline and dates),
`authors` (cleaning names) and `dates` (parsing dates).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator

import lxml.html
from lxml import etree

from newsdown.converters.authors import (
    AuthorName,
    dedupe_names,
    org_key,
    same_organisation,
    split_byline,
    wire_agency,
)
from newsdown.converters.byline import (
    MAX_BYLINE_LENGTH,
    Header,
    article_scope,
    byline_texts,
    find_credit,
    is_elsewhere,
    outer_container,
    printed_date,
    time_in_scope,
)
from newsdown.converters.dates import DateValue, date_from_url, parse_date
from newsdown.converters.jsonld import (
    ORG_TYPES,
    item_name,
    json_authors,
    json_strings,
    micro_name,
    micro_value,
    node_types,
    read_json_ld,
    read_microdata,
)
from newsdown.converters.metapage import Page, clean, elements, first, host_of, text_of
from newsdown.converters.metatags import (
    AUTHOR_METAS,
    MODIFIED_METAS,
    PUBLISHED_METAS,
    pick_canonical,
    pick_descriptions,
    pick_image,
    pick_language,
    pick_sections,
    pick_tags,
)
from newsdown.converters.model import Metadata
from newsdown.converters.titles import (
    TITLE_SEPARATOR,
    domain_label,
    is_plausible_site_name,
    pick_site_names,
    pick_title,
)


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
    header = Header(article_scope(page.tree, headline))
    publisher = pick_publisher(page, base)
    names = [*site_names, publisher] if publisher else site_names
    outer = outer_container(page.tree, headline)
    authors, credit = pick_authors(page, header, names, outer)
    published, modified = pick_dates(page, header, base)
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


# The elements the scan reads besides the tags it walks for: links (rel), Microdata items (itemscope) and
# properties (itemprop), found in one search.  Each search walks the whole tree, and libxml2 runs an
# attribute step ("/descendant::*/@rel/..") much faster than an element test ("//*[@rel]"): this
# one XPath costs less than half of the three it replaced ("//link[@rel] | //a[@rel]" and
# Microdata's two).  "/descendant::*" rather than "//": the same elements, without visiting text.
MARKED_ELEMENTS = etree.XPath(
    "/descendant::*/@rel/.. | /descendant::*/@itemscope/.. | /descendant::*/@itemprop/.."
)


def scan_page(tree: lxml.html.HtmlElement, url: str | None) -> Page:
    page = Page(tree=tree, url=url)
    scripts = []
    # One walk for the four tags read (a tag-filtered walk runs in libxml2, and four of them cost
    # nearly four times one).
    for element in tree.iter("meta", "script", "h1", "title"):
        tag = element.tag
        if tag == "meta":
            read_meta(page, element)
        elif tag == "script":
            scripts.append(element)
        elif tag == "h1":
            page.headings.append(element)
        elif page.title_tag is None:
            page.title_tag = element
    # xpath, not iter(): pages hold thousands of <a> and only a few carry a rel.  (The tree is the
    # document's root element: "/descendant::*" searches no more than the tree itself.)
    marked = elements(MARKED_ELEMENTS(tree))
    for element in marked:
        if element.tag in ("link", "a"):
            for rel in (element.get("rel") or "").lower().split():
                page.links.setdefault(rel, []).append(element)
    read_json_ld(page, scripts)
    read_microdata(page, marked)
    return page


def read_meta(page: Page, meta: lxml.html.HtmlElement) -> None:
    content = meta.get("content")
    if content is None:
        return
    for attribute in ("name", "property", "http-equiv"):
        key = (meta.get(attribute) or "").strip().lower()
        if key:
            page.metas.setdefault(key, []).append(content)


def author_sources(
    page: Page, header: Header, outer: lxml.html.HtmlElement | None
) -> Iterator[list[tuple[str, bool]]]:
    """Raw author strings with "declared an organisation", one list per source, best first; the
    page's bylines are read near the headline, then in its outer container (an author box below)."""
    yield json_authors(page, page.article.get("author"))
    yield people(item_name(element) for element in page.micro_authors if not is_elsewhere(element, page.tree))
    yield people(page.meta("article:author"))
    yield people(page.meta(*AUTHOR_METAS))
    yield people(
        text_of(link, MAX_BYLINE_LENGTH, spaced=True)
        for link in page.links.get("author", [])
        if link.tag == "a" and not is_elsewhere(link, page.tree)
    )
    scope = header.scope
    yield people(byline_texts(header.bylines, scope, limit=3))
    yield people(byline_texts(header.by_lines, scope, limit=2))
    if outer is not None and outer is not scope:
        # Only marked byline elements out there: a "By ..." sentence far from the headline is prose.
        yield people(byline_texts(header.bylines_in(outer), outer, limit=3))


def people(names: Iterable[str]) -> list[tuple[str, bool]]:
    return [(name, False) for name in names if name]


def pick_authors(
    page: Page,
    header: Header,
    site_names: list[str],
    outer: lxml.html.HtmlElement | None = None,
) -> tuple[tuple[str, ...], str | None]:
    """People first: the first source that names a person wins; organisations only as a fallback."""
    credit: str | None = None
    fallback: list[AuthorName] = []
    for raw_names in author_sources(page, header, outer):
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
            return tuple(entry.name for entry in dedupe_names(found)), credit or find_credit(header.scope)
    organisations = dedupe_names(fallback)[:1]
    return tuple(entry.name for entry in organisations), credit or find_credit(header.scope)


def pick_dates(page: Page, header: Header, base: str | None) -> tuple[DateValue | None, DateValue | None]:
    """Published and modified; a modified date before the published day is dropped as junk."""
    today = dt.date.today()
    published = first_date(published_sources(page, header, base), today)
    modified = first_date(modified_sources(page, header.scope), today)
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
    page: Page, header: Header, base: str | None
) -> Iterator[Callable[[dt.date], DateValue | None]]:
    yield parsed_from(json_strings(page, page.article.get("datePublished")))
    yield parsed_from(json_strings(page, page.article.get("dateCreated")))
    element = page.micro.get("datePublished")
    yield parsed_from([micro_value(element)] if element is not None else [])
    yield parsed_from(page.meta(*PUBLISHED_METAS))
    yield parsed_from(json_strings(page, page.page_node.get("datePublished")))
    yield lambda today: time_in_scope(header.scope, today, modified=False)
    yield lambda today: printed_date(header, today)
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
    title_tag = page.title_tag
    if title_tag is None:
        return None
    label = org_key(domain_label(host))
    for segment in TITLE_SEPARATOR.split(clean(title_tag.text_content()))[0::2]:
        if label and org_key(segment) == label:
            return segment.strip()
    return None
