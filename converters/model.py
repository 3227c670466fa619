"""The frozen dataclasses that flow between the pipeline stages."""

from __future__ import annotations

import dataclasses
import datetime as dt
import operator
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeVar

if TYPE_CHECKING:
    import lxml.html

InputFormat = Literal["auto", "html", "text"]
Pickled = TypeVar("Pickled", bound=type)


def pickled_as_tuple(cls: Pickled) -> Pickled:
    """Pickle a frozen, slotted dataclass as one tuple of its fields, taken in C. A batch pickles
    such objects for every document it sends to a worker and back; the dataclass default walks
    fields() in Python each time, which the parent process pays for on a core the workers need."""
    names = tuple(field.name for field in dataclasses.fields(cls))
    if len(names) < 2:  # attrgetter of one name gives the value itself, not a tuple
        raise TypeError(f"{cls.__name__} needs two fields or more to be pickled as a tuple")
    values = operator.attrgetter(*names)

    def getstate(self: Any) -> tuple[Any, ...]:
        return values(self)

    def setstate(self: Any, state: tuple[Any, ...]) -> None:
        for name, value in zip(names, state, strict=True):
            object.__setattr__(self, name, value)  # frozen: the only way in

    setattr(cls, "__getstate__", getstate)  # noqa: B010  # mypy knows no __setstate__ on a type
    setattr(cls, "__setstate__", setstate)  # noqa: B010
    return cls


@pickled_as_tuple
@dataclass(frozen=True, slots=True, kw_only=True)
class Options:
    """How to convert; built once by the caller (the CLI or a library user)."""

    input_format: InputFormat = "auto"
    include_images: bool = True
    include_links: bool = True
    # Write what there is instead of failing when no article is found.
    allow_empty: bool = False


@pickled_as_tuple
@dataclass(frozen=True, slots=True, kw_only=True)
class Source:
    """Raw input, before it is decoded: what was read and where from."""

    origin: str  # the argument as the user typed it: a path, a URL or "-"
    data: bytes
    url: str | None = None  # final URL after redirects, for resolving links
    media_type: str | None = None  # from the HTTP Content-Type header
    charset: str | None = None  # from the HTTP Content-Type header


@dataclass(frozen=True, slots=True, kw_only=True)
class Document:
    """Decoded input: text plus what kind of text it is."""

    source: Source
    text: str
    encoding: str
    kind: Literal["html", "text"]
    # The input bytes, for HTML that is exactly them read as UTF-8: lxml parses UTF-8 bytes faster
    # than a str, which it must convert from Python's internal form.
    utf8: bytes | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Removal:
    """One block the boilerplate filter removed, and the named rule that removed it (--explain)."""

    rule: str
    text: str

    def __post_init__(self) -> None:
        # Page text is NFC-normalised where it leaves the pipeline; the removed text leaves here.
        object.__setattr__(self, "text", unicodedata.normalize("NFC", self.text))


@dataclass(frozen=True, slots=True, kw_only=True)
class Metadata:
    """Facts about the article, every one optional; what the front matter is made of."""

    title: str | None = None
    authors: tuple[str, ...] = ()
    published: dt.datetime | dt.date | None = None
    modified: dt.datetime | dt.date | None = None
    publisher: str | None = None
    credit: str | None = None  # a wire agency named by the page ("Source: Reuters")
    canonical_url: str | None = None
    description: str | None = None
    image: str | None = None
    language: str | None = None
    tags: tuple[str, ...] = ()
    section: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Article:
    """A converted article: its metadata, its Markdown body and what was filtered out."""

    title: str | None = None
    authors: tuple[str, ...] = ()
    published: dt.datetime | dt.date | None = None
    modified: dt.datetime | dt.date | None = None
    publisher: str | None = None
    credit: str | None = None
    source: str | None = None  # canonical URL if declared, else the URL or path given
    description: str | None = None
    image: str | None = None
    language: str | None = None
    tags: tuple[str, ...] = ()
    section: str | None = None
    body_markdown: str = ""
    removed: tuple[Removal, ...] = field(default=(), compare=False)

    def front_matter(self) -> dict[str, object]:
        """The front matter keys in their fixed order; unknown values are left out."""
        from newsdown.converters.frontmatter import front_matter_fields

        return front_matter_fields(self)

    def to_markdown(self, *, front_matter: bool = True) -> str:
        """The whole document: YAML front matter (unless turned off), then the body."""
        from newsdown.converters.frontmatter import render_document

        return render_document(self, front_matter=front_matter)

    def to_dict(self) -> dict[str, object]:
        """The front matter fields plus the Markdown body, JSON-ready (dates as ISO strings)."""
        from newsdown.converters.frontmatter import json_fields

        return json_fields(self)


@dataclass(frozen=True, slots=True, kw_only=True)
class Extracted:
    """What the extraction stage hands to the Markdown stage: the article's element (the Markdown stage
    reads the tree itself rather than its serialisation) and the removals."""

    article: lxml.html.HtmlElement
    removed: tuple[Removal, ...] = ()

    @property
    def html(self) -> str:
        """The article as HTML, for tests and debugging."""
        import lxml.html

        return str(lxml.html.tostring(self.article, encoding="unicode", method="html"))
