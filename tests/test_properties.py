"""Property tests: random HTML trees and random bytes through the whole pipeline (issue 7).

The pipeline returns an Article or raises one of newsdown's own errors; nothing else, ever. The same
strategies drive the long fuzz run, `python bench/fuzz.py` (10,000 documents by default).
"""

from __future__ import annotations

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsdown.converters.errors import NewsdownError
from newsdown.converters.model import Article, Options, Source
from newsdown.converters.pipeline import convert_source

TAGS = [
    "div",
    "p",
    "span",
    "a",
    "b",
    "i",
    "em",
    "strong",
    "h1",
    "h2",
    "h3",
    "h6",
    "ul",
    "ol",
    "li",
    "table",
    "tr",
    "td",
    "th",
    "tbody",
    "blockquote",
    "pre",
    "code",
    "figure",
    "figcaption",
    "img",
    "br",
    "hr",
    "article",
    "section",
    "nav",
    "header",
    "footer",
    "aside",
    "main",
    "script",
    "style",
    "noscript",
    "iframe",
    "form",
    "input",
    "select",
    "option",
    "textarea",
    "title",
    "meta",
    "link",
    "svg",
    "math",
    "template",
    "time",
    "font",
    "center",
]
ATTRIBUTES = ("class", "id", "href", "src", "alt", "title", "style", "itemprop", "rel", "hidden", "lang")
TEXTS = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "Council members debated the harbour budget for hours before the vote. " * 3,
            "# heading?",
            "- item",
            "1. first",
            "> quote",
            "```",
            "---",
            "===",
            "| a | b |",
            "[x](javascript:1)",
            "<script>",
            "&amp;",
            "&#0;",
            "&#xD800;",
            "\x1b[31m",
            "\u202e",
            "\ufeff",
            "\x00",
            "]]>",
            "<!--",
            "By Jane Doe",
            "Published 2024-03-05",
            "!!python/object:os.system",
            "\r\n",
        ]
    ),
)


def _attributes() -> st.SearchStrategy[str]:
    pair = st.tuples(st.sampled_from(ATTRIBUTES), st.text(max_size=30))
    return st.lists(pair, max_size=3).map(
        lambda pairs: "".join(f' {name}="{value.replace(chr(34), "&quot;")}"' for name, value in pairs)
    )


def _element(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    def build(tag: str, attributes: str, inner: list[str], closed: bool) -> str:
        return f"<{tag}{attributes}>{''.join(inner)}" + (f"</{tag}>" if closed else "")

    return st.builds(
        build, st.sampled_from(TAGS), _attributes(), st.lists(children, max_size=5), st.booleans()
    )


FRAGMENTS = st.recursive(TEXTS, _element, max_leaves=40)


@st.composite
def html_documents(draw: st.DrawFn) -> bytes:
    """A page: random head (title, meta, JSON-LD), a random body tree, maybe cut short or re-encoded."""
    title = draw(TEXTS)
    meta = draw(
        st.sampled_from(["", '<meta charset="utf-8">', '<meta charset="iso-8859-1">', "<meta charset=x>"])
    )
    json_ld = draw(
        st.sampled_from(
            [
                "",
                '<script type="application/ld+json">'
                '{"@type":"NewsArticle","headline":"H","author":"\\u0000"}</script>',
            ]
        )
    )
    nesting = draw(st.sampled_from([0, 0, 0, 300, 2000]))
    body = "".join(draw(st.lists(FRAGMENTS, max_size=6)))
    head = f"<head>{meta}<title>{title}</title>{json_ld}</head>"
    page = f"<html>{head}<body>{'<div>' * nesting}{body}</body></html>"
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-16", "cp1252", "latin-1"]))
    data = page.encode(encoding, errors="replace")
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    return data


ANY_BYTES = st.one_of(st.binary(max_size=2000), html_documents())


def convert_anything(data: bytes, input_format: str = "auto") -> Article | NewsdownError:
    """Run the pipeline; return the Article or newsdown's error; anything else propagates (a bug)."""
    options = Options(input_format=input_format)  # type: ignore[arg-type]
    try:
        article = convert_source(Source(origin="fuzz.html", data=data), options)
    except NewsdownError as error:
        message = str(error)
        assert "\n" not in message  # the error's message is the property under test
        return error
    rendered = article.to_markdown()
    if rendered.startswith("---\n"):
        head = rendered[4 : rendered.index("\n---\n", 3) + 1]
        assert isinstance(yaml.safe_load(head), dict)
    assert "\x1b" not in rendered
    return article


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(html_documents())
def test_random_pages_convert_or_fail_with_our_errors(data: bytes) -> None:
    convert_anything(data)


@FUZZ
@given(ANY_BYTES, st.sampled_from(["auto", "html", "text"]))
def test_random_bytes_convert_or_fail_with_our_errors(data: bytes, input_format: str) -> None:
    convert_anything(data, input_format)
