"""The Python API: convert_html / convert_text return a frozen Article and never print or exit."""

from __future__ import annotations

import dataclasses
import unicodedata

import pytest

from newsdown.converters import Article, NewsdownError, NoArticleError, convert_html
from newsdown.converters.pipeline import is_error_page
from tests.helpers import SAMPLES

PAGE = SAMPLES / "ridgeline-transit-strike.html"


def test_convert_html_accepts_bytes_and_str_alike() -> None:
    data = PAGE.read_bytes()
    from_bytes = convert_html(data, url="https://ridgelinetribune.example/x")
    from_str = convert_html(data.decode("utf-8"), url="https://ridgelinetribune.example/x")
    assert from_bytes == from_str
    assert isinstance(from_bytes, Article)


def test_article_is_frozen() -> None:
    article = convert_html(PAGE.read_bytes())
    with pytest.raises(dataclasses.FrozenInstanceError):
        article.title = "changed"  # type: ignore[misc]


def test_to_markdown_and_to_dict_carry_the_same_fields() -> None:
    article = convert_html(PAGE.read_bytes())
    fields = article.to_dict()
    assert fields["title"] == article.title
    assert fields["markdown"] == article.body_markdown
    assert article.to_markdown().endswith(article.body_markdown)
    assert article.to_markdown(front_matter=False) == article.body_markdown


def test_no_article_raises_newsdown_error_and_prints_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(NoArticleError) as caught:
        convert_html("<html><body><nav><a href='/'>Home</a></nav></body></html>")
    assert isinstance(caught.value, NewsdownError)
    assert caught.value.exit_code == 3
    assert capsys.readouterr() == ("", "")


def test_strings_without_a_url_have_no_placeholder_source() -> None:
    assert convert_html(PAGE.read_bytes().replace(b'rel="canonical"', b'rel="x"')).source is None


ARTICLE_WITH_LINK = (
    "<html><head>{base}<title>Ferry timetable changes</title></head><body><article>"
    "<h1>Ferry timetable changes</h1>"
    "<p>The harbour authority published the new winter timetable on Monday, with two fewer crossings "
    "each weekday and a later first sailing; the <a href='{href}'>full timetable</a> lists every stop.</p>"
    "<p>Commuters told the council that the later first sailing would make them late for work, and the "
    "authority promised to review the change after a month of passenger counts.</p>"
    "</article></body></html>"
)


@pytest.mark.parametrize(
    ("base", "url", "expected"),
    [
        ("", "https://news.example/a/story.html", "https://news.example/a/timetable.pdf"),
        ('<base href="https://cdn.example/files/">', None, "https://cdn.example/files/timetable.pdf"),
        (
            '<base href="/docs/">',
            "https://news.example/a/story.html",
            "https://news.example/docs/timetable.pdf",
        ),
        ("", None, "timetable.pdf"),
    ],
)
def test_relative_links_resolve_against_base_href_and_page_url(
    base: str, url: str | None, expected: str
) -> None:
    article = convert_html(ARTICLE_WITH_LINK.format(base=base, href="timetable.pdf"), url=url)
    assert f"[full timetable]({expected})" in article.body_markdown


NOT_FOUND_PAGE = (
    "<html><head><title>{title}</title></head><body><nav><a href='/'>Home</a></nav><h1>Sorry.</h1>"
    "<p>The page you requested could not be found. It may have been moved or deleted.</p>{more}"
    "<p><a href='/'>Go to the home page</a></p></body></html>"
)


@pytest.mark.parametrize(
    "title",
    [
        "Page not found | Daily Harbour",
        "404",
        "Error 404 - Daily Harbour",
        "404 Not Found",
        "Seite nicht gefunden",
    ],
)
def test_a_not_found_page_served_as_a_page_has_no_article(title: str) -> None:
    with pytest.raises(NoArticleError, match="not found"):
        convert_html(NOT_FOUND_PAGE.format(title=title, more=""))


def test_an_article_about_something_not_found_is_still_an_article() -> None:
    story = "<p>Divers searched the harbour for a third day on Wednesday without finding the wreck. " * 12
    article = convert_html(NOT_FOUND_PAGE.format(title="Lost ferry not found after three days", more=story))
    assert article.title == "Lost ferry not found after three days"
    assert "Divers searched the harbour" in article.body_markdown


@pytest.mark.parametrize(
    "title", ["Missing hiker not found", "Small page 404", "Route 404 closes for repairs"]
)
def test_a_short_brief_whose_headline_mentions_404_or_not_found_is_an_article(title: str) -> None:
    brief = "<p>Rescue teams searched the hills above the harbour until dark; they go on at dawn.</p>"
    article = convert_html(NOT_FOUND_PAGE.format(title=title, more=brief).replace("<h1>Sorry.</h1>", ""))
    assert article.title == title


def test_decomposed_accents_come_out_composed_everywhere() -> None:
    """Pages may spell "é" as "e" plus a combining accent; every output field is NFC."""
    decomposed = "Cafe\u0301 re\u0301ouvert"
    page = (
        f"<html><head><title>{decomposed}</title><meta name=author content='Ame\u0301lie Roy'></head>"
        f"<body><article><h1>{decomposed}</h1><p>{decomposed} apre\u0300s des mois de travaux, "
        "annonce la mairie. " * 3 + "</p><nav>Accueil Re\u0301gion Sports</nav></article></body></html>"
    )
    article = convert_html(page)
    composed = "Caf\u00e9 r\u00e9ouvert"
    assert article.title == composed
    assert article.authors == ("Am\u00e9lie Roy",)
    assert composed in article.body_markdown
    assert "apr\u00e8s" in article.body_markdown
    removed = [removal.text for removal in article.removed]
    assert "Accueil R\u00e9gion Sports" in removed
    assert all(unicodedata.is_normalized("NFC", text) for text in removed)


@pytest.mark.parametrize(("words", "error_page"), [(79, True), (80, False), (400, False)])
def test_a_not_found_title_makes_an_error_page_only_under_eighty_words(words: int, error_page: bool) -> None:
    body = " ".join(["word"] * words) + "\n"
    assert is_error_page("Page not found | Daily Harbour", body) is error_page
    assert is_error_page("Harbour wall repaired", body) is False
