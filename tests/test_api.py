"""The Python API: convert_html / convert_text return a frozen Article and never print or exit."""

from __future__ import annotations

import dataclasses

import pytest

from newsdown.converters import Article, NewsdownError, NoArticleError, convert_html
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
