"""Hostile and broken input (issue 7): a converted article or a one-line error, never a traceback."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from newsdown.converters.errors import InputError, NewsdownError, NoArticleError
from newsdown.converters.limits import MAX_DEPTH, deeper_than, flatten_markup
from newsdown.converters.pipeline import convert_html
from tests.helpers import SAMPLES, newsdown

PAGE = SAMPLES / "harbour-council-budget.html"
SENTENCE = "Council members debated the harbour budget for hours before the final vote was taken. "
PARAGRAPH = f"<p>{SENTENCE * 4}</p>"
HEAD = "<html><head><title>Harbour vote</title></head><body><article><h1>Harbour vote</h1>"
TAIL = "</article></body></html>"


def _one_line_error(result_stderr: bytes) -> str:
    text = result_stderr.decode()
    assert "Traceback" not in text
    assert text.count("\n") == 1, text
    return text


@pytest.mark.parametrize(
    ("data", "code", "message"),
    [
        (b"", 3, "no article found (the input is empty)"),
        (b"  \n\t \r\n", 3, "no article found (the input is empty)"),
        ("  \n ".encode("utf-16"), 3, "no article found (the input is empty)"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", 4, "the input is a PDF document, not a web page"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, 4, "the input is a PNG image, not a web page"),
        (bytes(range(256)) * 40, 4, "binary data"),
        (b"<html><head><title>Home</title></head><body><nav><a href='/a'>A</a></nav></body></html>", 3, ""),
        (b"<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1></body></html>", 3, ""),
    ],
    ids=["empty", "whitespace", "utf16-whitespace", "pdf", "png", "random-bytes", "home-page", "404"],
)
def test_unusable_inputs_exit_with_one_line(tmp_path: Path, data: bytes, code: int, message: str) -> None:
    page = tmp_path / "page.html"
    page.write_bytes(data)
    result = newsdown(page)
    assert result.returncode == code
    assert result.stdout == b""
    assert message in _one_line_error(result.stderr)


def test_allow_empty_writes_what_there_is_for_a_page_without_article(tmp_path: Path) -> None:
    page = tmp_path / "home.html"
    page.write_bytes(
        b"<html><head><title>Home | Coastal Courier</title></head><body><nav>x</nav></body></html>"
    )
    result = newsdown(page, "--allow-empty")
    assert result.returncode == 0
    assert b"title: Home | Coastal Courier" in result.stdout


def test_one_failure_among_several_exits_1_and_the_batch_finishes(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a-empty.html").write_bytes(b"")
    (tmp_path / "in" / "b-good.html").write_bytes(PAGE.read_bytes())
    (tmp_path / "in" / "c-pdf.html").write_bytes(b"%PDF-1.4")
    result = newsdown(tmp_path / "in", "--output-dir", tmp_path / "out")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr.decode()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["b-good.md"]


def test_a_truncated_page_converts_what_is_there() -> None:
    html = PAGE.read_text(encoding="utf-8")
    cut = html[: int(len(html) * 0.6)]
    try:
        article = convert_html(cut)
    except NoArticleError:
        return
    assert "Harbour District Council" in article.body_markdown


def test_a_page_over_the_size_cap_fails_fast_with_exit_4(tmp_path: Path) -> None:
    page = tmp_path / "huge.html"
    with page.open("wb") as stream:
        stream.write(b"<html><body><article><p>")
        stream.write(b"lorem ipsum " * (50 * 1024 * 1024 // 12))
    started = time.monotonic()
    result = newsdown(page)
    assert time.monotonic() - started < 20
    assert result.returncode == 4
    assert "larger than 20971520 bytes" in _one_line_error(result.stderr)


S = SENTENCE.encode() * 3


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"<p>caf\xe9 " + S + b"</p>", "café"),  # Latin-1 bytes, no declaration
        ('<meta charset="iso-8859-1"><p>Café '.encode() + S + b"</p>", "Café"),  # UTF-8 declared Latin-1
        (b'<meta charset="utf-8"><p>Caf\xe9 ' + S + b"</p>", "Café"),  # declared UTF-8, is Latin-1
        ("<p>Café déjà ".encode() + b"na\xefve \x93quoted\x94 " + S + b"</p>", "naïve “quoted”"),  # mixed
        (b"<p>NUL\x00 bytes\x00 " + S + b"</p>", "NUL bytes"),
        (b"<p>bad \xff\xfe\xc3 utf-8 " + S + b"</p>", "utf-8"),
    ],
    ids=["invalid-utf8", "wrong-declared-latin1", "wrong-declared-utf8", "mixed", "nul", "junk"],
)
def test_broken_encodings_still_convert(data: bytes, expected: str) -> None:
    article = convert_html(b"<html><body><article>" + data + b"</article></body></html>")
    assert expected in article.body_markdown
    assert "\x00" not in article.body_markdown


def test_utf16_with_bom_decodes() -> None:
    data = f"<html><body><article><p>Café déjà {SENTENCE * 3}</p></article></body></html>".encode("utf-16")
    assert "Café déjà" in convert_html(data).body_markdown


def _timed(html: str, budget: float = 20.0) -> str:
    started = time.monotonic()
    try:
        body = convert_html(html).body_markdown
    except NewsdownError as error:
        body = f"error: {error}"
    assert time.monotonic() - started < budget
    return body


@pytest.mark.parametrize("count", [300, 100_000])
def test_deeply_nested_divs_convert_and_keep_their_text(count: int) -> None:
    inner = "<p>The innermost paragraph survives the flattening of its containers.</p>"
    after = "<p>The paragraph after the nesting survives as well, with all of its words.</p>"
    html = HEAD + PARAGRAPH + "<div>" * count + inner + "</div>" * count + after + PARAGRAPH + TAIL
    body = _timed(html)
    assert "innermost paragraph survives" in body
    assert "paragraph after the nesting" in body


def test_unclosed_tags_nested_100000_deep_convert() -> None:
    body = _timed(HEAD + PARAGRAPH + "<div><span>" * 100_000 + "The deepest words. " + PARAGRAPH + TAIL)
    assert "The deepest words." in body


def test_tables_nested_1000_deep_convert() -> None:
    cell = f"<p>Deep cell text. {SENTENCE * 3}</p>"
    body = _timed(HEAD + "<table><tr><td>" * 1000 + PARAGRAPH + cell + "</td></tr></table>" * 1000 + TAIL)
    assert "Deep cell text." in body


def test_a_million_sibling_elements_are_refused_quickly() -> None:
    body = _timed(HEAD + PARAGRAPH + "<i>x</i>" * 1_000_000 + TAIL)
    assert body.startswith("error: the page has too many elements (1,000,")


def test_a_nesting_the_parser_cannot_follow_fails_clearly() -> None:
    with pytest.raises(InputError, match="nested too deeply"):
        convert_html(HEAD + "<b><div>words</b>" * 400 + PARAGRAPH + TAIL)


def test_one_long_paragraph_converts() -> None:
    body = _timed(HEAD + "<p>" + "lorem ipsum " * 400_000 + "</p>" + TAIL)
    assert body.count("lorem ipsum") == 400_000


def test_flatten_markup_keeps_text_and_limits_depth() -> None:
    flat = flatten_markup("<div>" * 10 + "<!-- <div> -->text<script>'<div>'</script>" + "</div>" * 10, 3)
    assert flat.count("<div>") == 3 + 2  # three kept, one in the comment, one in the script
    assert flat.count("</div>") == 3
    assert "text" in flat
    assert "<!-- <div> -->" in flat


def test_unwrapped_tree_is_within_max_depth() -> None:
    from newsdown.converters.extract import parse_html
    from newsdown.converters.limits import bound_tree

    text = "<html><body>" + "<div>" * 240 + "deep" + "</div>" * 240 + "</body></html>"
    tree = bound_tree(parse_html(text), text)
    assert not deeper_than(tree, MAX_DEPTH)
    assert "deep" in tree.text_content()


def test_markdown_and_rich_markup_in_titles_reach_the_terminal_inert(tmp_path: Path) -> None:
    title = "[bold red]Alert[/] \x1b[31mred\x1b[0m \x1b]0;pwned\x07 done"
    page = tmp_path / "page.html"
    page.write_text(f"<html><head><title>{title}</title></head><body><nav>x</nav></body></html>")
    result = newsdown(page, "--allow-empty", "--format", "text")
    assert b"\x1b" not in result.stdout
    assert b"[bold red]Alert[/]" in result.stdout


def test_control_characters_from_pages_never_reach_output() -> None:
    html = HEAD + "<p>red \x1b[31mtext\x1b[0m and a CSI \u009b2J " + SENTENCE * 3 + "</p>" + TAIL
    body = convert_html(html).body_markdown
    assert "\x1b" not in body
    assert "\u009b" not in body


def test_error_messages_are_one_line_without_escapes(tmp_path: Path) -> None:
    page = tmp_path / "evil\x1b[2J\nname.html"
    page.write_bytes(b"")
    result = newsdown(page)
    assert result.returncode == 3
    line = _one_line_error(result.stderr)
    assert "\x1b" not in line


@pytest.mark.parametrize("nesting", [0, 1, 5, 12])
def test_deeper_than_counts_levels_below_the_root_element(nesting: int) -> None:
    from newsdown.converters.extract import parse_html

    tree = parse_html("<html><body>" + "<div>" * nesting + "x" + "</div>" * nesting + "</body></html>")
    deepest = nesting + 1  # html is level 0, body level 1
    assert deeper_than(tree, deepest - 1)
    assert not deeper_than(tree, deepest)
