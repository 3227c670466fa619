"""The boilerplate filter's rules, one at a time, on small fragments: what each removes, what it keeps."""

from __future__ import annotations

import html

import lxml.html
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsdown.converters.boilerplate import clean_article
from newsdown.converters.extract import extract_article, parse_html
from newsdown.converters.prune import prune_page

PROSE = "<p>Councillors voted seven to two in favour of the plan shortly before midnight on Thursday.</p>"


def clean(fragment: str, headline: str | None = None) -> tuple[str, list[tuple[str, str]]]:
    article = lxml.html.fragment_fromstring(f"<div>{PROSE}{fragment}{PROSE}</div>")
    cleaned, removed = clean_article(article, headline)
    return " ".join(cleaned.text_content().split()), [(r.rule, r.text) for r in removed]


def prune(body: str) -> tuple[str, list[tuple[str, str]]]:
    tree = parse_html(f"<html><body>{body}</body></html>")
    removed = prune_page(tree)
    return " ".join(tree.text_content().split()), [(r.rule, r.text) for r in removed]


@pytest.mark.parametrize(
    ("fragment", "rule"),
    [
        ("<h2> </h2>", "empty-heading"),
        ("<p>Advertisement</p>", "advertisement-label"),
        ("<div>Story continues below advertisement</div>", "advertisement-label"),
        ("<span>Close</span>", "interface-label"),
        ("<p>Share this on WhatsApp</p>", "share-bar"),
        ("<div>Facebook Twitter Email Print</div>", "share-bar"),
        ("<p>Harbour council approves budget</p>", "repeated-headline"),
        ("<p>Photo: Tom Ellery/Reuters</p>", "photo-credit"),
        ("<p>(Getty Images)</p>", "photo-credit"),
        ("<h3>Comments</h3>", "comments"),
        ("<p>Tags: budget, harbour, flooding</p>", "tag-list"),
        ("<p>Sign up for our daily newsletter to get the news in your inbox.</p>", "newsletter-prompt"),
        ("<p>Read more: <a href='/x'>Storm surge floods 300 homes</a></p>", "link-dense-list"),
        ("<div class='author-bio'>Priya writes about local politics.</div>", "author-bio"),
        ("<p>Updated 5:27 am CST, Wednesday, November 20, 2019</p>", "dateline"),
        ("<p>JANIE HAR Nov. 20, 2019</p>", "dateline"),
        ("<p>Tempo de leitura: 2 minutos</p>", "dateline"),
        ("<p>By Jane Roe and Sam Lee</p>", "byline"),
        ("<p>Von Jürgen Weiß</p>", "byline"),
        ("<p>Robert Burns, AP National Security Writer</p>", "byline"),
        ("<p>Reporting by Jane Roe; Editing by Sam Lee</p>", "contributor-note"),
        ("<p>Associated Press writer Ann Poe contributed to this report.</p>", "contributor-note"),
        ("<p>Write to Al Root at al.root@example.com</p>", "contributor-note"),
        (
            "<p>Harbourtech is a global provider of coastal monitoring systems, with 400 staff.</p>",
            "about-company",
        ),
        (
            "<p><strong><a href='https://x.example/news/storm-surge-floods-three-hundred-homes'>"
            "STORM SURGE FLOODS THREE HUNDRED HOMES</a></strong></p>",
            "link-dense-list",
        ),
        (
            "<p><strong>DON'T MISS</strong><br><a href='/a'>Storm surge floods 300 homes in town</a>"
            "<br><a href='/b'>Insurers warn seafront owners</a></p>",
            "link-dense-list",
        ),
        ("<p>Note: comments are moderated and may take a while to appear.</p>", "comments"),
        ("<span>Image copyright</span>", "interface-label"),
        ("<div>Media playback is unsupported on your device</div>", "interface-label"),
        ("<li>Order Reprints</li>", "interface-label"),
        (
            "<p><a rel='category tag' href='/c/a'>Budget</a>, "
            "<a rel='category tag' href='/c/b'>Harbour</a></p>",
            "tag-list",
        ),
        ("<p>Subscribe to the Courier and stay on top of the news.</p>", "newsletter-prompt"),
        ("<p>Need more news? Get a subscription to our sister magazine.</p>", "newsletter-prompt"),
    ],
)
def test_rule_removes_its_block(fragment: str, rule: str) -> None:
    text, removed = clean(fragment, headline="Harbour council approves budget")
    assert [r for r, _ in removed] == [rule]
    assert text.count("Councillors voted") == 2


@pytest.mark.parametrize(
    "fragment",
    [
        "<h2>Parking charges</h2>",
        "<p>Share prices fell sharply on Friday after the company warned about its profits for the year.</p>",
        "<p>Advertisement spending fell by a third last year, the industry body said on Monday.</p>",
        "<p>The newsletter industry grew quickly as writers left newspapers for independent work.</p>"
        "<p>Many of them now earn more from subscriptions than they did from salaries, a survey found.</p>",
        "<p>Eat 60 minutes before your workout</p><p>Oats</p><p>Eat 60 minutes before your workout</p>",
        "<p>Related parties must declare their interests before the vote, the council's rules say.</p>",
        "<ul><li><a href='/a'>First source</a> for the figures</li><li>A list item without links</li></ul>",
        "<figure><img src='/wall.jpg' alt=''><figcaption>The old sea wall.</figcaption></figure>",
        "<p>In May 2019 the council first proposed the sea wall, and the plan has grown since then.</p>",
        "<p>You may also like the new timetable</p>",
        "<p>By Monday the harbour had been cleared and the ferries were running again as normal.</p>",
        "<p>Meanwhile, regulators want to know why people could not get emergency alerts in the outage.</p>",
        "<p>The service continued to sign up additional subscribers throughout the week, it said.</p>",
        "<p><a href='https://x.example/results/Vote.pdf'>CLICK FOR THE FULL VOTE RESULTS</a></p>",
        "<p>The company is a global provider of coastal sensors, the report said.</p>",
        "<p>About 300 homes flooded</p><p>The water rose quickly in the lower town.</p>",
        "<p>Comments from the public were collected by the council until Friday.</p>",
    ],
)
def test_rules_keep_article_text(fragment: str) -> None:
    expected = " ".join(lxml.html.fragment_fromstring(f"<div>{fragment}</div>").text_content().split())
    text, removed = clean(fragment)
    assert removed == []
    assert expected in text


def test_related_lead_takes_its_link_list() -> None:
    links = "<li><a href='/a'>Storm surge</a></li><li><a href='/b'>Insurers</a></li>"
    text, removed = clean(f"<h3>More on flooding</h3><ul>{links}</ul>")
    assert "Storm surge" not in text
    assert "More on flooding" not in text
    assert {rule for rule, _ in removed} == {"link-dense-list"}


def test_repeated_caption_keeps_the_first() -> None:
    fragment = (
        "<div class='caption'>Waves over the wall.</div><div class='caption'>Waves over the wall.</div>"
    )
    _, removed = clean(fragment)
    assert ("repeated-caption", "Waves over the wall.") in removed


def test_caption_printed_full_and_truncated_is_kept_once() -> None:
    fragment = (
        "<div class='caption'><div class='caption-full'><p>Waves break over the old sea wall in January."
        "<a> less</a></p></div><div class='caption-truncated'><p>Waves break over the old sea wall in"
        "<a> ... more</a></p></div></div>"
    )
    text, removed = clean(fragment)
    assert text.count("Waves break") == 1
    assert [rule for rule, _ in removed] == ["repeated-caption"]


def test_byline_and_dateline_only_at_the_top() -> None:
    lines = "<p>By Jane Roe</p><p>Updated 5:27 am CST, November 20, 2019</p>"
    article = lxml.html.fragment_fromstring(f"<div>{PROSE * 5}{lines}{PROSE * 5}</div>")
    _, removed = clean_article(article)
    assert removed == ()


def test_date_line_of_a_quoted_post_stays() -> None:
    quote = "<blockquote><p>Big news today.</p><p>— Jane Roe (@janeroe) November 18, 2019</p></blockquote>"
    text, removed = clean(quote)
    assert "November 18, 2019" in text
    assert removed == []


def test_about_heading_takes_the_rest_of_the_coda() -> None:
    coda = "<h3>About Harbourtech</h3><p>Harbourtech makes sensors.</p><p>Its shares are listed.</p>"
    article = lxml.html.fragment_fromstring(f"<div>{PROSE * 6}{coda}</div>")
    cleaned, removed = clean_article(article)
    assert "Harbourtech" not in cleaned.text_content()
    assert [removal.rule for removal in removed] == ["about-company"] * 3


def test_author_note_only_at_the_end() -> None:
    note = "<p>Have a tip? Amy may be reached at amy@example.com.</p>"
    article = lxml.html.fragment_fromstring(f"<div>{note}{PROSE * 6}</div>")
    _, removed = clean_article(article)
    assert removed == ()
    _, removed_at_end = clean(note)
    assert [r for r, _ in removed_at_end] == ["author-bio"]


@pytest.mark.parametrize(
    ("body", "rule", "gone"),
    [
        ("<nav><a href='/'>Home</a> <a href='/news'>News</a></nav>", "never-article-tag", "Home"),
        ("<div hidden>Secret offer</div>", "hidden", "Secret"),
        ("<div style='display: none'>Secret offer</div>", "hidden", "Secret"),
        ("<div class='sr-only'>Skip to content</div>", "hidden", "Skip"),
        ("<div id='cookie-banner'>We use cookies</div>", "boilerplate-class", "cookies"),
        ("<div class='related-stories'><a href='/a'>Other story</a></div>", "boilerplate-class", "Other"),
        ("<div role='complementary'>Most read today</div>", "never-article-tag", "Most read"),
    ],
)
def test_prune_removes(body: str, rule: str, gone: str) -> None:
    text, removed = prune(body + PROSE)
    assert gone not in text
    assert [r for r, _ in removed] == [rule]
    assert "Councillors voted" in text


def test_prune_keeps_an_article_in_an_oddly_named_container() -> None:
    body = f"<div class='share-wrapper'><h1>Budget</h1>{PROSE * 4}</div><div class='share-bar'>Share</div>"
    text, removed = prune(body)
    assert text.count("Councillors voted") == 4
    assert removed == [("boilerplate-class", "Share")]


def test_prune_keeps_a_page_wrapped_in_a_form() -> None:
    text, _ = prune(f"<form method='post'><div>{PROSE * 4}</div><form><input> Search</form></form>")
    assert text.count("Councillors voted") == 4


def test_prune_does_not_report_scripts() -> None:
    _, removed = prune(f"<script>var a = 1;</script><style>p {{}}</style>{PROSE}")
    assert removed == []


def test_hover_card_goes_but_the_name_stays() -> None:
    body = (
        "<p>Threats against Rep. <span class='rollover'><a href='/p'>Jane Roe</a><span class='rollover-card'>"
        "<img src='/j.jpg'><a href='/1'>Teaser one</a> <a href='/2'>Teaser two</a></span></span> grew.</p>"
    )
    text, _ = prune(body)
    assert "Rep. Jane Roe grew." in text
    assert "Teaser" not in text


TAGS = st.sampled_from(
    ["p", "div", "ul", "li", "span", "a", "h2", "figure", "figcaption", "nav", "form", "section"]
)
CLASSES = st.sampled_from(["", "share", "related", "caption", "content", "hidden", "author-bio", "ad"])
TEXTS = st.sampled_from(
    ["", "Share", "Advertisement", "Read more", "Photo: AP", "Comments", "Tags:", "x y z"]
)


@st.composite
def html_fragments(draw: st.DrawFn, depth: int = 3) -> str:
    children = draw(st.lists(html_fragments(depth - 1), max_size=3)) if depth else []
    tag, cls = draw(TAGS), draw(CLASSES)
    words = draw(st.one_of(TEXTS, st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=40)))
    attributes = f' class="{cls}"' if cls else ""
    inner = html.escape(words)
    return f"<{tag}{attributes}>{inner}{''.join(children)}</{tag}>{draw(TEXTS)}"


def word_count(text: str) -> int:
    return len(text.split())


@settings(max_examples=150, deadline=None)
@given(html_fragments())
def test_clean_never_raises_nor_adds_text(fragment: str) -> None:
    article = lxml.html.fragment_fromstring(f"<div>{fragment}</div>")
    before = len(article.text_content())
    cleaned, _ = clean_article(article, "Read more")
    assert len(cleaned.text_content()) <= before


@settings(max_examples=100, deadline=None)
@given(html_fragments(), st.text(max_size=300))
def test_extract_never_raises_unexpectedly_nor_adds_text(fragment: str, prose: str) -> None:
    from newsdown.converters.errors import NoArticleError

    body = f"<html><body>{fragment}<p>{html.escape(prose)}</p></body></html>"
    tree = parse_html(body)
    given_words = word_count(tree.text_content())
    try:
        extracted = extract_article(tree)
    except NoArticleError:
        return
    assert word_count(parse_html(extracted.html or "<p></p>").text_content()) <= given_words


def test_a_comment_after_an_about_heading_is_dropped_with_the_coda() -> None:
    """The library can be handed a tree with comments (the pipeline prunes them first)."""
    story = "<p>The council approved the harbour budget on Tuesday after a long debate.</p>" * 6
    coda = "<h3>About Ascom</h3><!-- press kit --><p>Ascom makes radios.</p>"
    html, removed = clean(f"{story}{coda}")
    assert "Ascom" not in html
    assert ("about-company", "About Ascom") in removed
    assert ("about-company", "Ascom makes radios.") in removed
