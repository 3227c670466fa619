"""Extraction on small pages, one per failure class found on the benchmark: what survives, what goes."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsdown.converters import convert_html
from newsdown.converters.extract import extract_article, parse_html

FIXTURES = Path(__file__).parent / "fixtures" / "boilerplate"
LEAD = "The council met on Thursday evening to debate the new harbour budget"


def extract(name: str) -> tuple[str, dict[str, list[str]]]:
    tree = parse_html((FIXTURES / name).read_text(encoding="utf-8"))
    extracted = extract_article(tree)
    text = " ".join(parse_html(extracted.html).text_content().split())
    rules: dict[str, list[str]] = {}
    for removal in extracted.removed:
        rules.setdefault(removal.rule, []).append(removal.text)
    return text, rules


@pytest.mark.parametrize(
    ("fixture", "kept", "gone"),
    [
        ("form-wrapper.html", [LEAD, "seven to two"], ["Search the site"]),
        ("embedded-post.html", [LEAD, "quoted post from a resident", "Officials declined"], []),
        (
            "hover-card.html",
            ["threatening Rep. Jane Roe on Tuesday", LEAD],
            ["Other headline", "Second teaser"],
        ),
        ("captions.html", [LEAD, "Work is due to start", "Waves break over the old wall"], ["Image credit"]),
        (
            "related-list.html",
            [LEAD, "seven to two"],
            ["You may also like", "Hall of Fame", "worst inductees"],
        ),
        ("share-and-bio.html", [LEAD], ["WhatsApp", "Advertisement", "newsletter", "Have a tip"]),
        ("wrong-container.html", ["Viver uma verdadeira", "únic"], ["A vida requer", "une uma família"]),
        ("teaser-list.html", [LEAD, "seven to two"], ["Storm surge", "ferry timetable", "Lifeboat crew"]),
        ("lead-outside.html", [LEAD, "Residents packed", "reserves instead"], []),
        (
            "dateline-byline.html",
            [LEAD, "By the end of the night", "autumn of next year"],
            ["Jane Roe", "5:27", "min read", "Ann Poe"],
        ),
        (
            "press-release.html",
            ["The council met on Thursday evening to see", "first ten"],
            ["About Harbourtech", "global provider", "Northern Exchange", "Quayside is a leading"],
        ),
        (
            "caption-variants.html",
            [LEAD, "Waves break over the old sea wall", "CLICK FOR THE FULL VOTE RESULTS"],
            ["STORM SURGE"],
        ),
    ],
)
def test_failure_class_fixture(fixture: str, kept: list[str], gone: list[str]) -> None:
    text, _ = extract(fixture)
    for phrase in kept:
        assert phrase in text
    for phrase in gone:
        assert phrase not in text


def test_removals_name_their_rules() -> None:
    _, rules = extract("share-and-bio.html")
    assert {"share-bar", "advertisement-label", "newsletter-prompt", "author-bio"} <= set(rules)
    assert any("Have a tip" in text for text in rules["author-bio"])


def test_script_and_style_removals_are_not_reported() -> None:
    html = (
        "<html><body><script>var x = 1;</script><style>p{}</style><div><p>"
        + LEAD * 5
        + "</p></div></body></html>"
    )
    extracted = extract_article(parse_html(html))
    assert all("var x" not in removal.text and "p{}" not in removal.text for removal in extracted.removed)


def test_related_and_tags_removed_with_link_dense_list_rule() -> None:
    _, rules = extract("related-list.html")
    assert any("Hall of Fame" in text for text in rules["link-dense-list"])


def test_whole_page_through_the_library() -> None:
    article = convert_html((FIXTURES / "captions.html").read_text(encoding="utf-8"))
    assert LEAD in article.body_markdown
    assert "Image credit" not in article.body_markdown
    assert article.body_markdown.count("Waves break over the old wall") == 1  # the caption, kept once
    assert {removal.rule for removal in article.removed} >= {"repeated-caption", "photo-credit"}


def test_lead_is_put_back_once_and_first() -> None:
    text, _ = extract("lead-outside.html")
    assert text.count(LEAD) == 1
    assert text.index(LEAD) < text.index("Residents packed")


def test_caption_variants_keep_one_caption() -> None:
    text, rules = extract("caption-variants.html")
    assert text.count("Waves break over the old sea wall") == 1
    assert "repeated-caption" in rules


def test_teaser_list_is_not_taken_for_the_article_when_it_is_the_story() -> None:
    # A live page of updates: the items are the article, and the headline sits inside their container.
    updates = "".join(
        f"<article><h2>Update {n}</h2><p>{LEAD}, and the harbour master gave update number {n}.</p></article>"
        for n in range(5)
    )
    html = f"<html><body><main><h1>Live: the harbour storm</h1>{updates}</main></body></html>"
    extracted = extract_article(parse_html(html))
    assert extracted.html.count("harbour master gave update") == 5
