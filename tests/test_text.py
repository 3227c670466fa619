"""Plain-text news pages: the text rules one by one, the golden pages, stdin, --input-format, --explain."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsdown.converters import convert_source, convert_text
from newsdown.converters.fetch import read_path
from newsdown.converters.model import Article
from newsdown.converters.text import escape_paragraph, split_blocks
from newsdown.converters.textfilter import TextFilter, words
from tests.helpers import REPO, SAMPLES, newsdown, split_front_matter

TEXT_PAGES = sorted([*SAMPLES.glob("*.txt"), *(REPO / "tests" / "fixtures" / "text").glob("*.txt")])
SEED = SAMPLES / "cgtn-armenia-border.txt"
HEADLINE = "Harbour council agrees budget after two delays"
ARTICLE = (
    "The council met on Thursday evening to debate the new harbour budget, which had been delayed twice "
    "by arguments over parking."
)
ARTICLE2 = (
    "Councillors agreed to spend more on the ferry terminal, while the road repairs promised last year "
    "were put off again."
)
ARTICLE3 = (
    "The opposition said the budget relied on optimistic forecasts of tourist numbers and would have to "
    "be revised by the autumn."
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
        ("(BUTTON) Accept all", "button-label"),
        ("Photo: Kieran Lowe/AFP", "photo-credit"),
        ("Inscrivez-vous à notre newsletter", "newsletter-prompt"),
        (
            "Subscribe to Storyboard: A weekly newsletter bringing you the best every Friday",
            "newsletter-prompt",
        ),
    ],
)
def test_line_rule_removes_its_block(block: str, rule: str) -> None:
    kept, removed = filtered(ARTICLE, block, ARTICLE2)
    assert removed == [(rule, block)]
    assert kept == [ARTICLE, ARTICLE2]


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
    kept, removed = filtered(ARTICLE, label, *items, ARTICLE2)
    assert removed == [(rule, text) for text in (label, *items)]
    assert kept == [ARTICLE, ARTICLE2]


def test_comments_section_goes_only_in_the_second_half() -> None:
    _, removed = filtered(ARTICLE, ARTICLE2, "37 Comments", "reader_1", "Great piece!")
    assert [rule for rule, _ in removed] == ["comments"] * 3
    early_kept, early_removed = filtered("Comments", ARTICLE, ARTICLE2)
    assert early_removed == []
    assert len(early_kept) == 3


def test_lynx_link_references_go() -> None:
    refs = "1. https://example.com/\n2. https://example.com/news"
    kept, removed = filtered(ARTICLE, "References", "Visible links", refs)
    assert kept == [ARTICLE]
    assert removed == [("link-references", b) for b in ("References", "Visible links", refs)]
    kept, removed = filtered(ARTICLE, "References", "The book lists many sources.")
    assert removed == []


def test_section_and_tag_lines_become_tags() -> None:
    text_filter = TextFilter(["Home > Europe > Armenia", ARTICLE, "Tags: Energy, Bills"])
    text_filter.run_line_rules()
    assert text_filter.tags == ["Europe", "Armenia", "Energy", "Bills"]
    assert [r.rule for r in text_filter.removed] == ["section-line", "tag-list"]


def test_credit_line_becomes_the_credit() -> None:
    text_filter = TextFilter([ARTICLE, "Source(s): Reuters"])
    text_filter.run_line_rules()
    assert text_filter.credit == "Reuters"


def test_list_rules_read_each_item() -> None:
    _, removed = filtered(
        ARTICLE, "Related", "- Pier owners fear for the future\n- Council leader quits", ARTICLE
    )
    assert [rule for rule, _ in removed] == ["related-links", "related-links"]
    _, removed = filtered(ARTICLE, "- Share\n- Facebook\n- Email", ARTICLE)
    assert removed == [("share-bar", "- Share\n- Facebook\n- Email")]


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
    [
        ("# not a heading", "\\# not a heading"),
        ("1. not a list", "1\\. not a list"),
        ("> no", "\\> no"),
        ("- not a list either", "\\- not a list either"),
        ("A line with # and 1. inside", "A line with # and 1. inside"),
        ("Use <script> and *stars* and a_b", "Use \\<script> and \\*stars\\* and a\\_b"),
        ("See [the ruling](http://x.example)", "See [the ruling\\](http://x.example)"),
        ("Prices rose 3 < 4 & more", "Prices rose 3 < 4 & more"),
    ],
)
def test_markdown_syntax_is_escaped_only_where_it_would_change_the_text(line: str, escaped: str) -> None:
    assert escape_paragraph(line) == escaped


def test_bulleted_and_numbered_lines_become_lists() -> None:
    text = (
        "Intro line\n  * first item\n  * second item that wraps\n    onto a second line\n\n1. one\n2) two\n"
    )
    assert split_blocks(text) == [
        "Intro line",
        "- first item\n- second item that wraps onto a second line",
        "1. one\n2. two",
    ]
    assert split_blocks("- Yes, he said, it is over.\n") == ["- Yes, he said, it is over."]


def test_lists_render_as_markdown_lists_in_the_body() -> None:
    page = "\n\n".join([HEADLINE, ARTICLE, "- Schools closed\n- Buses late\n- Bins on Friday", ARTICLE2])
    body = convert_text(page).body_markdown
    assert "\n- Schools closed\n- Buses late\n- Bins on Friday\n" in body


def test_lynx_markers_go_only_with_a_reference_list() -> None:
    lynx = (
        "[1]Home\n\nThe [2]court said no[3].\n\nReferences\n\n1. https://a.example/\n2. mailto:x@a.example\n"
    )
    assert split_blocks(lynx)[:2] == ["Home", "The court said no."]
    assert split_blocks("The court said no [1].\n") == ["The court said no [1]."]


def test_headline_and_byline_in_one_chunk_are_not_joined() -> None:
    text = "Council approves a budget after months of wrangling over parking\nBy Jane Doe\n"
    assert split_blocks(text) == [
        "Council approves a budget after months of wrangling over parking",
        "By Jane Doe",
    ]


def page_of(*blocks: str) -> tuple[Article, list[tuple[str, str]]]:
    article = convert_text("\n\n".join(blocks))
    return article, [(r.rule, r.text) for r in article.removed]


def test_headline_is_the_line_repeated_further_down() -> None:
    article, removed = page_of("Short kicker line", HEADLINE, ARTICLE, ARTICLE2, HEADLINE)
    assert article.title == HEADLINE
    assert ("repeated-headline", HEADLINE) in removed
    assert ("menu-label", "Short kicker line") in removed


def test_a_short_headline_is_found_when_nothing_longer_stands_before_the_story() -> None:
    article, removed = page_of("News", "Storm hits coast", "By Jane Smith", ARTICLE, ARTICLE2)
    assert article.title == "Storm hits coast"
    assert article.authors == ("Jane Smith",)
    assert ("menu-label", "News") in removed


def test_a_page_without_a_headline_keeps_its_subheadings() -> None:
    article, _ = page_of(ARTICLE, "Where the money goes", ARTICLE2)
    assert article.title is None
    assert "## Where the money goes" in article.body_markdown


def test_long_lines_above_the_headline_are_the_page_header() -> None:
    _, removed = page_of("The Valley Gazette. All the news from the valley since 1880.", HEADLINE, ARTICLE)
    assert removed[0] == ("page-header", "The Valley Gazette. All the news from the valley since 1880.")


@pytest.mark.parametrize(
    ("byline", "authors", "date"),
    [
        ("By Tom Ashworth and Megan Price | March 5, 2024", ("Tom Ashworth", "Megan Price"), "2024-03-05"),
        ("Louise Greenwood", ("Louise Greenwood",), None),
        ("By Jane Smith | 12 June 2091", ("Jane Smith",), None),  # a future date is not believed
        ("By Jane Smith | 12 June 1985", ("Jane Smith",), None),  # nor one before 1990
        ("Par Camille Berthier", ("Camille Berthier",), None),
    ],
)
def test_byline_gives_authors_and_date(byline: str, authors: tuple[str, ...], date: str | None) -> None:
    article, removed = page_of(HEADLINE, byline, ARTICLE)
    assert article.authors == authors
    assert (str(article.published) if article.published else None) == date
    assert ("byline", byline) in removed
    assert byline not in article.body_markdown


def test_one_word_under_the_headline_is_not_an_author() -> None:
    article, _ = page_of(HEADLINE, "Explainer", ARTICLE)
    assert article.authors == ()


@pytest.mark.parametrize(
    ("line", "date"),
    [
        ("Published 12 March 2024", "2024-03-12"),
        ("Updated 3 hours ago", None),
        ("March 5, 2024", "2024-03-05"),
    ],
)
def test_dateline_under_the_headline(line: str, date: str | None) -> None:
    article, removed = page_of(HEADLINE, line, ARTICLE)
    assert (str(article.published) if article.published else None) == date
    assert ("dateline", line) in removed


def test_published_line_above_the_headline_gives_the_date() -> None:
    article, removed = page_of("Published 14 May 2024", HEADLINE, ARTICLE)
    assert str(article.published) == "2024-05-14"
    assert ("dateline", "Published 14 May 2024") in removed


def test_caption_copies_close_together_are_kept_once_in_italics() -> None:
    caption = "The new gates at Wendmouth during the test"
    article, removed = page_of(HEADLINE, ARTICLE, caption, caption + " /via AFP", ARTICLE2)
    assert f"*{caption} /via AFP*" in article.body_markdown
    assert article.body_markdown.count(caption) == 1
    assert ("repeated-caption", caption + " /via AFP") in removed


def test_a_line_repeated_far_away_goes_without_becoming_a_caption() -> None:
    line = "The council will vote again in June"
    article, removed = page_of(HEADLINE, ARTICLE, line, ARTICLE2, ARTICLE3, line)
    assert ("repeated-line", line) in removed
    assert f"*{line}*" not in article.body_markdown
    assert article.body_markdown.count(line) == 1


def test_menu_labels_after_the_story_are_the_footer() -> None:
    article, removed = page_of(HEADLINE, ARTICLE, ARTICLE2, "- About us\n- Contact\n- Privacy", "Jobs")
    assert ("menu-label", "Jobs") in removed
    assert ("menu-label", "- About us\n- Contact\n- Privacy") in removed
    assert "About us" not in article.body_markdown


def test_a_list_inside_the_story_stays() -> None:
    article, _ = page_of(HEADLINE, ARTICLE, "- About us\n- Contact\n- Privacy", ARTICLE2)
    assert "- About us" in article.body_markdown


@pytest.mark.parametrize(
    ("block", "kind"),
    [
        ("'Restraint'", True),
        ("Southern corridor", True),
        ("he said, adding more", False),
        ("It ended.", False),
    ],
)
def test_short_title_like_lines_between_paragraphs_are_subheadings(block: str, kind: bool) -> None:
    article, _ = page_of(HEADLINE, ARTICLE, block, ARTICLE2)
    assert (f"## {block}" in article.body_markdown) is kind
    assert block.strip("'") in article.body_markdown


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
    from_api = convert_text(page.read_text(encoding="utf-8"), url=page.name)
    assert from_api.to_markdown() == expected.read_text(encoding="utf-8")


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


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab C-*1.#>|[]\n \t"), max_size=400))
def test_split_and_filter_never_add_words(text: str) -> None:
    text_filter = TextFilter(split_blocks(text))
    text_filter.run_line_rules()
    assert sum(len(words(b)) for b in text_filter.blocks) <= len(words(text))
