"""The conversion pipeline: decode -> parse -> metadata -> extract/filter -> Markdown -> Article.

Pure: it never prints and never exits; failures are NewsdownError subclasses.
"""

from __future__ import annotations

import itertools
import re
import unicodedata

from newsdown.converters.decode import decode
from newsdown.converters.errors import NoArticleError
from newsdown.converters.model import Article, Document, Metadata, Options, Removal, Source

WORD = re.compile(r"\w+")
# Origins that name no file: stdin, and strings handed to the library. Never written as `source`.
ANONYMOUS_ORIGINS = frozenset({"-", "<html>", "<text>"})
# The title of an error page, or one part of it ("Page not found | Daily Harbour"): the whole part,
# so that a headline such as "Missing hiker not found" or "Route 404 closes" is not one.
ERROR_TITLE_PART = re.compile(
    r"(?:(?:error|http)\s*)?404(?:\s*[:-]?\s*(?:error|(?:page\s+)?not\s+found))?"
    r"|(?:(?:the\s+)?page|file)\s+(?:was\s+)?not\s+found(?:\s*[:-]?\s*404)?|not\s+found"
    r"|seite nicht gefunden|page introuvable|página no encontrada|pagina non trovata"
    r"|pagina niet gevonden|página não encontrada",
    re.IGNORECASE,
)
TITLE_SEPARATOR = re.compile(r"\s+[|\u2013\u2014-]\s+|\s*::\s*")
ERROR_PAGE_MAX_WORDS = 80
FIRST_HEADING = re.compile(r"\A(#{1,6}) +(.+?)\s*(?:\n+|\Z)")


def convert_source(source: Source, options: Options | None = None) -> Article:
    """Convert raw input bytes (file, stdin or HTTP body) into an Article."""
    options = options or Options()
    document = decode(source, options.input_format)
    if document.kind == "text":
        from newsdown.converters.text import convert_text_document

        return convert_text_document(document, options)
    return convert_html_document(document, options)


def convert_html(html: str | bytes, url: str | None = None, options: Options | None = None) -> Article:
    """Convert one HTML page (text or bytes) to an Article; `url` resolves links and fills `source`."""
    data = html.encode("utf-8") if isinstance(html, str) else html
    origin = url or "<html>"
    html_options = options or Options(input_format="html")
    return convert_source(Source(origin=origin, data=data, url=url), html_options)


def convert_text(text: str, url: str | None = None, options: Options | None = None) -> Article:
    """Convert a plain-text dump of a news page (copied, saved as text, lynx -dump) to an Article."""
    text_options = options or Options(input_format="text")
    return convert_source(Source(origin=url or "<text>", data=text.encode("utf-8"), url=url), text_options)


def convert_html_document(document: Document, options: Options) -> Article:
    from newsdown.converters.extract import extract_article, link_base, parse_html
    from newsdown.converters.limits import bound_tree
    from newsdown.converters.markdown import article_to_markdown, shift_headings
    from newsdown.converters.metadata import read_metadata

    tree = parse_html(document.text, document.utf8)
    tree = bound_tree(tree, document.text)
    metadata = read_metadata(tree, document.source.url)
    # A saved page has no URL of its own, but its declared canonical URL resolves its links.
    url = document.source.url or metadata.canonical_url
    base_url = link_base(tree, url)
    extracted = extract_article(tree)
    body = article_to_markdown(
        extracted.article, base_url=base_url, images=options.include_images, links=options.include_links
    )
    body = shift_headings(drop_title_heading(body, metadata.title))
    return build_article(document, metadata, body, extracted.removed, options)


def build_article(
    document: Document,
    metadata: Metadata,
    body: str,
    removed: tuple[Removal, ...],
    options: Options,
) -> Article:
    """Join metadata and body; an article without words is an error unless --allow-empty."""
    if not options.allow_empty:
        if not WORD.search(body):
            raise NoArticleError("no article found")
        if is_error_page(metadata.title, body):
            raise NoArticleError("no article found (the page says it was not found)")
    source = document.source
    return Article(
        title=metadata.title,
        authors=metadata.authors,
        published=metadata.published,
        modified=metadata.modified,
        publisher=metadata.publisher,
        credit=metadata.credit,
        source=metadata.canonical_url
        or source.url
        or (None if source.origin in ANONYMOUS_ORIGINS else source.origin),
        description=metadata.description,
        image=metadata.image,
        language=metadata.language,
        tags=metadata.tags,
        section=metadata.section,
        body_markdown=body,
        removed=removed,
    )


def is_error_page(title: str | None, body: str) -> bool:
    """A "page not found" page saved or served with status 200: its title says so, and there is
    next to nothing else on it (an article about a "not found" subject has a body)."""
    if not title:
        return False
    if not any(ERROR_TITLE_PART.fullmatch(part.strip(" .!")) for part in TITLE_SEPARATOR.split(title)):
        return False
    # Counted only as far as the limit, and only for such a title: most bodies are long.
    words = itertools.islice(WORD.finditer(body), ERROR_PAGE_MAX_WORDS)
    return sum(1 for _ in words) < ERROR_PAGE_MAX_WORDS


def drop_title_heading(body: str, title: str | None) -> str:
    """The headline is in the front matter, so a first heading that repeats it goes."""
    match = FIRST_HEADING.match(body)
    if title and match and _same_text(match.group(2), title):
        return body[match.end() :]
    return body


def _same_text(a: str, b: str) -> bool:
    def words(text: str) -> list[str]:
        return WORD.findall(unicodedata.normalize("NFKC", text).casefold())

    return words(a) == words(b)
