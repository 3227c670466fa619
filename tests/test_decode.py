"""Bytes to text for broken and hostile input: encodings, BOMs, NUL bytes, binary and empty data."""

from __future__ import annotations

import codecs

import pytest

from newsdown.converters.decode import decode, sniff_kind
from newsdown.converters.errors import InputError, NoArticleError
from newsdown.converters.model import Source
from newsdown.converters.pipeline import convert_html

FRENCH = (
    "Le conseil municipal a approuvé à l'unanimité le budget de la défense côtière, après un débat "
    "très animé où les élus ont évoqué “l'été dernier” et les dégâts causés par la tempête."
)


def _decode(data: bytes, charset: str | None = None) -> tuple[str, str]:
    document = decode(Source(origin="x", data=data, charset=charset))
    return document.text, document.encoding


@pytest.mark.parametrize("data", [b"", b" \r\n\t ", "  ".encode("utf-16"), b"\x00\x00"])
def test_empty_input_is_no_article(data: bytes) -> None:
    with pytest.raises(NoArticleError, match=r"^no article found \(the input is empty\)$"):
        decode(Source(origin="x", data=data))


@pytest.mark.parametrize(
    ("data", "what"),
    [(b"%PDF-1.5", "a PDF document"), (b"\xff\xd8\xff\xe0JFIF", "a JPEG image"), (b"GIF89a", "a GIF image")],
)
def test_binary_formats_are_named(data: bytes, what: str) -> None:
    with pytest.raises(InputError, match=f"^the input is {what}, not a web page$"):
        decode(Source(origin="x", data=data + bytes(range(256))))


def test_declared_legacy_charset_on_utf8_bytes_reads_utf8() -> None:
    text, encoding = _decode(f'<meta charset="iso-8859-1"><p>{FRENCH}</p>'.encode())
    assert FRENCH in text
    assert encoding == "utf-8"


def test_http_charset_lying_about_utf8_bytes_reads_utf8() -> None:
    text, _ = _decode(f"<p>{FRENCH}</p>".encode(), charset="ISO-8859-1")
    assert FRENCH in text


def test_declared_utf8_on_cp1252_bytes_is_detected() -> None:
    text, _ = _decode(f'<meta charset="utf-8"><p>{FRENCH}</p>'.encode("cp1252"))
    assert FRENCH in text


def test_true_legacy_charset_declaration_is_kept() -> None:
    text, encoding = _decode(f'<meta charset="windows-1252"><p>{FRENCH}</p>'.encode("cp1252"))
    assert FRENCH in text
    assert encoding == "cp1252"


def test_utf8_with_stray_cp1252_bytes_reads_both() -> None:
    data = f"<p>{FRENCH}</p>".encode() + b"<p>na\xefve \x93quoted\x94</p>"
    text, encoding = _decode(data)
    assert FRENCH in text
    assert "naïve “quoted”" in text
    assert encoding == "utf-8"


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-8-sig"])
def test_byte_order_marks(codec: str) -> None:
    page = f"<p>{FRENCH}</p>"
    data = page.encode(codec)
    if codec in ("utf-16-le", "utf-16-be"):
        data = "\ufeff".encode(codec) + data
    text, _ = _decode(data)
    assert text.lstrip("\ufeff") == page


@pytest.mark.parametrize("codec", ["utf-8", "cp1252", "utf-16"])
def test_nul_characters_are_removed_in_any_encoding(codec: str) -> None:
    page = f"<meta charset={codec}><p>caf\u00e9 one\x00two\x00</p>"
    text, _ = _decode(page.encode(codec))  # utf-16 with its byte-order mark
    assert text.lstrip("\ufeff") == page.replace("\x00", "")


def test_invalid_utf8_never_raises() -> None:
    text, _ = _decode(b"<p>ok \xff\xfe\xc3\x28 \xed\xa0\x80 end</p>")
    assert text.startswith("<p>ok ")
    assert text.endswith(" end</p>")


def test_chinese_legacy_page_is_not_mistaken_for_mixed_utf8() -> None:
    page = "<html><p>中文新闻报道，今天天气很好。北京市政府宣布新的政策，市民表示欢迎。</p></html>"
    text, _ = _decode(page.encode("gbk"))
    assert text == page


@pytest.mark.parametrize("codec", ["utf-8", "cp1252", "utf-16", "cp037"])
def test_html_loses_the_control_characters_xml_forbids_in_any_encoding(codec: str) -> None:
    page = "<html><body><p>one\x01two\x0bthree\x0cfour\ttab\r\nline, déjà vu à la mairie</p></body></html>"
    data = page.encode(codec)
    if codec == "utf-16":
        assert data.startswith(b"\xff\xfe")  # a BOM: decoded without a declaration
    document = decode(Source(origin="x", data=data, charset=codec), "html")
    assert "onetwothreefour\ttab" in document.text
    assert "\r\nline" in document.text or "\nline" in document.text


def test_plain_text_keeps_its_form_feeds() -> None:
    document = decode(Source(origin="x", data=f"{FRENCH}\x0cpage two".encode()), "text")
    assert "\x0cpage two" in document.text


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("<!DOCTYPE html><html><body><p>x</p></body></html>", "html"),
        ("\n  <!-- saved by a browser -->\n<html><p>x</p></html>", "html"),
        ("<p>A fragment from a clipboard</p>", "html"),
        ("Warning: a PHP notice before the page\n<html><body><p>x</p><div>y</div></body></html>", "html"),
        ("Hello <b>world</b>, and <i>goodbye</i>.", "html"),
        ("The <html> element opens a page, and <p> a paragraph.\n\nA plain text about markup.", "text"),
        ("Council approves the harbour budget\n\nBy Jane Roe\n\nThe council voted on Tuesday.", "text"),
    ],
)
def test_html_is_told_from_text_that_only_mentions_tags(text: str, kind: str) -> None:
    assert sniff_kind(text) == kind


def test_comment_only_html_has_no_article() -> None:
    with pytest.raises(NoArticleError, match="no content"):
        convert_html("<!-- nothing here -->")


@pytest.mark.parametrize(
    ("data", "exact"),
    [
        (f"<p>{FRENCH}</p>".encode(), True),
        (f'<meta charset="iso-8859-1"><p>{FRENCH}</p>'.encode(), True),  # valid UTF-8 wins
        (codecs.BOM_UTF8 + f"<p>{FRENCH}</p>".encode(), False),
        (f"<p>{FRENCH}</p>".encode("cp1252"), False),
        (f"<p>{FRENCH}</p>".encode() + b"<p>na\xefve</p>", False),  # stray windows-1252 byte
        (b"<p>one\x00two</p><p>three</p>", False),  # NUL removed
        (b"<p>bell\x07</p><p>three</p>", False),  # control character removed
    ],
)
def test_html_keeps_its_bytes_only_when_they_are_exactly_the_text(data: bytes, exact: bool) -> None:
    document = decode(Source(origin="x", data=data))
    assert (document.utf8 is not None) == exact
    if document.utf8 is not None:
        assert document.utf8.decode("utf-8") == document.text


def test_plain_text_does_not_keep_its_bytes() -> None:
    assert decode(Source(origin="x", data=f"{FRENCH}\n\nSecond paragraph.".encode())).utf8 is None
