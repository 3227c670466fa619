"""Plain-text news pages: the text rules one by one, the golden pages, stdin, --input-format, --explain."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsdown.converters import convert_source, convert_text
from newsdown.converters.fetch import read_path
from newsdown.converters.text import escape_block_start, split_blocks
from newsdown.converters.textfilter import TextFilter, words
from tests.helpers import REPO, SAMPLES, newsdown, split_front_matter

TEXT_PAGES = sorted([*SAMPLES.glob("*.txt"), *(REPO / "tests" / "fixtures" / "text").glob("*.txt")])
SEED = SAMPLES / "cgtn-armenia-border.txt"
ARTICLE = (
    "The council met on Thursday evening to debate the new harbour budget, which had been delayed twice "
    "by arguments over parking."
)


def filtered(*blocks: str) -> tuple[list[str], list[tuple[str, str]]]:
    text_filter = TextFilter(list(blocks))
    text_filter.run_line_rules()
    return text_filter.blocks, [(r.rule, r.text) for r in text_filter.removed]


@pytest.mark.parametrize(
    ("block", "rule"),
    [
        ("By continuing to browse our site you agree to our use of cookies.", "cookie-consent"),
        ("Nous utilisons des cookies. En poursuivant votre navigation, vous acceptez.", "cookie-consent"),
        ("I agree", "button-label"),
        ("Advertisement", "advertisement-label"),
        ("Source(s): Reuters", "credit-line"),
        ("Europe;Armenia", "section-line"),
        ("© 2024 Valley Gazette. All rights reserved.", "copyright-footer"),
        ("Facebook Twitter Email", "share-bar"),
        (
            "Subscribe to Storyboard: A weekly newsletter bringing you the best every Friday",
            "newsletter-prompt",
        ),
    ],
)
def test_line_rule_removes_its_block(block: str, rule: str) -> None:
    kept, removed = filtered(ARTICLE, block, ARTICLE + " Again.")
    assert removed == [(rule, block)]
    assert kept == [ARTICLE, ARTICLE + " Again."]


@pytest.mark.parametrize(
    ("label", "rule", "items"),
    [
        ("MORE ON EUROPEAN DRAGONS", "related-links", ["What's the story with St George?", "Fire-breathers"]),
        ("À lire aussi", "related-links", ["Paris a dit non aux trottinettes"]),
        ("Search Trends", "trending-list", ["Armenia", "Elections"]),
        ("Contents", "table-of-contents", ["What is the price cap?", "Who gets extra help?"]),
    ],
)
def test_label_rule_removes_the_run_it_starts(label: str, rule: str, items: list[str]) -> None:
    kept, removed = filtered(ARTICLE, label, *items, ARTICLE + " Again.")
    assert removed == [(rule, text) for text in (label, *items)]
    assert kept == [ARTICLE, ARTICLE + " Again."]


def test_comments_section_goes_only_in_the_second_half() -> None:
    _, removed = filtered(ARTICLE, ARTICLE + " Two.", "37 Comments", "reader_1", "Great piece!")
    assert [rule for rule, _ in removed] == ["comments"] * 3
    early_kept, early_removed = filtered("Comments", ARTICLE, ARTICLE + " Two.")
    assert early_removed == []
    assert len(early_kept) == 3


def test_lynx_link_references_go() -> None:
    kept, removed = filtered(ARTICLE, "References", "1. https://example.com/", "2. https://example.com/news")
    assert kept == [ARTICLE]
    assert {rule for rule, _ in removed} == {"link-references"}


@pytest.mark.parametrize(
    "block",
    [
        "Share prices fell sharply on Friday after the company warned about its profits for the year.",
        "The newsletter industry grew quickly as writers left newspapers to start their own publications, "
        "many of them earning more from subscriptions than they did from salaries.",
        "Cookies and cakes were on sale at the fair, which raised 2,000 pounds for the school.",
        "Related parties must declare their interests before the vote, the council's rules say.",
    ],
)
def test_line_rules_keep_article_text(block: str) -> None:
    kept, removed = filtered(ARTICLE, block)
    assert removed == []
    assert kept == [ARTICLE, block]


def test_wrapped_lines_are_joined_into_paragraphs() -> None:
    text = (
        "   Trains will run again on the Carrow Valley line from Monday, six weeks\n"
        "   after a landslide buried the track near Hollins Bridge and forced the\n"
        "   operator to replace services with buses.\n\n"
        "Menu\nNews\nSport\n"
    )
    assert split_blocks(text) == [
        "Trains will run again on the Carrow Valley line from Monday, six weeks after a landslide "
        "buried the track near Hollins Bridge and forced the operator to replace services with buses.",
        "Menu",
        "News",
        "Sport",
    ]


@pytest.mark.parametrize(
    ("line", "escaped"),
    [("# not a heading", "\\# not a heading"), ("1. not a list", "1\\. not a list"), ("> no", "\\> no")],
)
def test_markdown_syntax_at_line_start_is_escaped(line: str, escaped: str) -> None:
    assert escape_block_start(line) == escaped
    assert escape_block_start("A line with # and 1. inside") == "A line with # and 1. inside"


def test_seed_front_matter() -> None:
    front, body = split_front_matter(convert_source(read_path(SEED)).to_markdown())
    assert front["title"] == "Four Armenian soldiers killed in new border flare-up with Azerbaijan"
    assert front["author"] == ["Louise Greenwood"]
    assert front["tags"] == ["Europe", "Armenia"]
    assert front["credit"] == "Reuters"
    assert body.count("Drone footage of what Azerbaijani forces say") == 1
    assert "*Drone footage" in body
    subheadings = [line for line in body.splitlines() if line.startswith("## ")]
    assert subheadings == ["## 'Provocation'", "## Southern corridor", "## 'Restraint'"]


def test_seed_keeps_every_article_paragraph_and_no_boilerplate() -> None:
    body = convert_source(read_path(SEED)).body_markdown
    seed_lines = [line.strip() for line in SEED.read_text(encoding="utf-8").splitlines()]
    article = [line for line in seed_lines if len(words(line)) >= 12 and "cookies" not in line]
    article = [line for line in article if not line.startswith("Subscribe")]
    assert article
    assert all(line in body for line in article)
    for boilerplate in (
        "Cookie",
        "I agree",
        "MORE ON",
        "St George",
        "Subscribe",
        "Search Trends",
        "Source(s)",
    ):
        assert boilerplate not in body
    assert "Four Armenian soldiers killed" not in body  # the headline lives in the front matter


@pytest.mark.parametrize("page", TEXT_PAGES, ids=lambda p: p.name)
def test_text_page_matches_golden(page: Path) -> None:
    expected = page.with_suffix(".md")
    assert expected.exists(), f"missing golden {expected.name}"
    article = convert_source(read_path(page, page.name))
    assert article.to_markdown() == expected.read_text(encoding="utf-8")


@pytest.mark.parametrize("page", TEXT_PAGES, ids=lambda p: p.name)
def test_cli_and_stdin_give_the_golden(page: Path) -> None:
    expected = page.with_suffix(".md").read_text(encoding="utf-8")
    by_name = newsdown(page.name, cwd=page.parent)
    assert by_name.returncode == 0, by_name.stderr
    assert by_name.stdout.decode() == expected
    piped = newsdown("-", stdin=page.read_bytes())
    assert piped.returncode == 0
    # From stdin there is no file name to record as the source; all else is the same.
    assert piped.stdout.decode() == expected.replace(f"source: {page.name}\n", "")


def test_input_format_text_forces_the_text_path(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_bytes(SEED.read_bytes())
    result = newsdown(page, "--input-format", "text")
    assert result.returncode == 0
    assert split_front_matter(result.stdout.decode())[0]["author"] == ["Louise Greenwood"]


def test_explain_names_the_text_rules() -> None:
    result = newsdown(SEED, "--explain")
    rules = {line.split("removed by ")[1].split(":")[0] for line in result.stderr.decode().splitlines()}
    assert {"cookie-consent", "button-label", "related-links", "newsletter-prompt", "credit-line"} <= rules


def test_convert_text_api() -> None:
    article = convert_text(SEED.read_text(encoding="utf-8"))
    assert article.credit == "Reuters"
    assert article.tags == ("Europe", "Armenia")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=200), max_size=30))
def test_text_filter_never_raises_nor_adds_text(blocks: list[str]) -> None:
    text_filter = TextFilter([" ".join(b.split()) for b in blocks])
    text_filter.run_line_rules()
    given_words = sum(len(words(b)) for b in blocks)
    assert sum(len(words(b)) for b in text_filter.blocks) <= given_words
    assert all(block in [" ".join(b.split()) for b in blocks] for block in text_filter.blocks)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=3000))
def test_text_conversion_returns_an_article_or_a_newsdown_error(text: str) -> None:
    from newsdown.converters import NewsdownError

    with contextlib.suppress(NewsdownError):
        convert_text(text)
