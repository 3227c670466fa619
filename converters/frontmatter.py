"""Article -> YAML front matter and JSON fields, always through PyYAML, never by formatting strings.

Keys come in a fixed order and are left out when unknown (no nulls, no empty lists), so the output
is deterministic and diff-friendly. Dates are written unquoted as ISO 8601 (with `T`), so static
site generators read them as dates; every other value is a string PyYAML quotes as needed.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from newsdown.converters.model import Article

# Control characters (other than tab) would force PyYAML into escaped double-quoted scalars or,
# for some, make the document unreadable; a title never needs them.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\ufeff]")
# PyYAML folds long scalars at 80 columns; a wide line keeps each value on one line.
NO_WRAP = 1 << 30


# libyaml's emitter, where PyYAML was built with it (its wheels are), is several times faster than
# the pure-Python one and writes the same text for the plain mappings we dump.
_SafeDumper: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _FrontMatterDumper(_SafeDumper):  # type: ignore[valid-type,misc]
    """SafeDumper that writes datetimes as ISO 8601 with a `T`, as SSGs and humans expect."""


def _represent_datetime(dumper: yaml.SafeDumper, value: dt.datetime) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:timestamp", value.isoformat())


_FrontMatterDumper.add_representer(dt.datetime, _represent_datetime)


def clean_scalar(text: str) -> str:
    """One line of text: control characters and line breaks become spaces."""
    return " ".join(CONTROL_CHARS.sub(" ", text).split())


def front_matter_fields(article: Article) -> dict[str, Any]:
    """The front matter keys in order, unknown ones left out."""
    fields: dict[str, Any] = {
        "title": _text(article.title),
        "author": [name for name in map(_text, article.authors) if name],
        "date": article.published,
        "modified": article.modified,
        "publisher": _text(article.publisher),
        "credit": _text(article.credit),
        "source": _text(article.source),
        "description": _text(article.description),
        "image": _text(article.image),
        "lang": _text(article.language),
        "tags": [tag for tag in map(_text, article.tags) if tag],
        "section": _text(article.section),
    }
    return {key: value for key, value in fields.items() if value not in (None, "", [])}


def render_front_matter(article: Article) -> str:
    fields = front_matter_fields(article)
    if not fields:
        return ""
    body = yaml.dump(
        fields,
        Dumper=_FrontMatterDumper,
        sort_keys=False,
        allow_unicode=True,
        width=NO_WRAP,
        default_flow_style=False,
    )
    return f"---\n{body}---\n"


def render_document(article: Article, *, front_matter: bool = True) -> str:
    """Front matter (if any and wanted), a blank line, then the Markdown body."""
    head = render_front_matter(article) if front_matter else ""
    if head and article.body_markdown:
        return f"{head}\n{article.body_markdown}"
    return head or article.body_markdown


def json_fields(article: Article) -> dict[str, Any]:
    """Front matter fields with dates as ISO strings, plus the Markdown body."""
    fields = {
        key: value.isoformat() if isinstance(value, dt.date) else value
        for key, value in front_matter_fields(article).items()
    }
    fields["markdown"] = article.body_markdown
    return fields


def _text(value: str | None) -> str | None:
    return clean_scalar(value) if value else None
