"""newsdown's conversion library: news pages (HTML or plain text) to Markdown with front matter.

It never prints and never exits; failures raise NewsdownError subclasses.

    >>> from newsdown.converters import convert_html
    >>> article = convert_html(html, url="https://example.com/news/1")
    >>> print(article.to_markdown())
"""

from newsdown.converters.errors import (
    FetchError,
    InputError,
    NewsdownError,
    NoArticleError,
    OutputError,
)
from newsdown.converters.model import Article, Metadata, Options, Removal, Source
from newsdown.converters.pipeline import convert_html, convert_source, convert_text

__all__ = [
    "Article",
    "FetchError",
    "InputError",
    "Metadata",
    "NewsdownError",
    "NoArticleError",
    "Options",
    "OutputError",
    "Removal",
    "Source",
    "convert_html",
    "convert_source",
    "convert_text",
]
