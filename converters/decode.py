"""Bytes to text: pick the encoding the way browsers do, then tell HTML from plain text.

Order (the HTML5 sniffing order, as features.md 3.9 recommends): byte-order mark, the HTTP
charset, a `<meta charset>` / `http-equiv` declaration near the top, UTF-8 if the bytes are valid
UTF-8, then charset-normalizer's detection. A declared charset is trusted only if the whole
document decodes with it, because servers and pages lie about their encoding.
"""

from __future__ import annotations

import codecs
import itertools
import re
from typing import Literal

from newsdown.converters.errors import InputError, NoArticleError
from newsdown.converters.model import Document, InputFormat, Source

# Browsers look for <meta charset> in the first 1024 bytes; pages in the wild put it later
# (after long comments or scripts), so we look a little further.
META_SCAN_BYTES = 4096
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.I)
BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# A few magic numbers of formats people save with a .html name by mistake.
BINARY_SIGNATURES = (
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"RIFF", "a RIFF media file"),
)
HTML_HINT = re.compile(
    r"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<(?:p|div|article|meta|title|h1|br)[\s/>]",
    re.I,
)
EMPTY = "no article found (the input is empty)"
SNIFF_CHARS = 20000
CLOSING_TAG = re.compile(r"</[a-zA-Z][a-zA-Z0-9]{0,9}\s*>")
MIN_CLOSING_TAGS = 2  # markup in a text is a mention; markup that closes is a page
# Share of control characters above which text is binary data, not a page.
MAX_CONTROL_SHARE = 0.05
# C0 controls but tab, newline and carriage return, which XML 1.0 forbids.
XML_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
XML_FORBIDDEN_BYTES = bytes(range(0x20)).translate(None, b"\t\n\r")
XML_FORBIDDEN_SINGLE_BYTES = tuple(bytes([byte]) for byte in XML_FORBIDDEN_BYTES)
CONTROLS_AS_BYTES = ("utf-8", "ascii", "latin-1", "iso8859-", "cp125", "koi8-")
DISALLOWED_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")  # C0 controls but \t \n \f \r


def decode(source: Source, input_format: InputFormat = "auto") -> Document:
    """Decode the source's bytes and decide whether they are HTML or plain text.

    The text is not NFC-normalised here: the outputs are (the Markdown, the metadata, the removals),
    and normalising the whole page, scripts and all, cost more than any other part of decoding.
    """
    data = source.data
    if not data or data.isspace():  # not strip(): that would copy the whole page
        raise NoArticleError(EMPTY)
    _reject_binary_signature(data)
    text, encoding, strict_utf8 = _decode_bytes(data, source.charset)
    decoded = text
    # In these encodings a control character is its own byte, and looking for the bytes is many times
    # cheaper than looking for the characters: most pages have none, and skip the three searches.
    no_controls = _codec_name(encoding).startswith(CONTROLS_AS_BYTES) and _no_forbidden_bytes(data)
    if not no_controls:
        text = text.replace("\x00", "")  # NUL breaks lxml and is never meaningful in a page
    if not text or text.isspace():  # UTF-16 whitespace, or nothing but NUL bytes
        raise NoArticleError(EMPTY)
    if _looks_binary(text, may_have_controls=not no_controls):
        raise InputError("the input is binary data, not a web page or text")
    kind = sniff_kind(text, source.media_type) if input_format == "auto" else input_format
    if kind == "html" and not no_controls:
        # Some CMSs leak control characters into pages, and lxml refuses the ones XML forbids in any
        # text set through its API (as readability does).
        text = XML_FORBIDDEN.sub("", text)
    # The same object: nothing was removed, so the bytes are still exactly the text.
    utf8 = data if kind == "html" and strict_utf8 and text is decoded else None
    return Document(source=source, text=text, encoding=encoding, kind=kind, utf8=utf8)


def _no_forbidden_bytes(data: bytes) -> bool:
    # One memchr per byte value is faster than one pass that tests every byte (bytes.translate).
    return not any(byte in data for byte in XML_FORBIDDEN_SINGLE_BYTES)


def _codec_name(encoding: str) -> str:
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        return encoding


def sniff_kind(text: str, media_type: str | None = None) -> Literal["html", "text"]:
    """HTML when the content says so; a text/plain server type alone does not decide it.

    Markup at the start (a doctype, a comment, <html>, <p>, ...) or closing tags further on make HTML;
    a text that only mentions a tag ("the <html> element opens a page") stays text.
    """
    if media_type in {"text/html", "application/xhtml+xml"}:
        return "html"
    head = text[:SNIFF_CHARS].lstrip()
    if head.startswith(("<!--", "<?xml")) or HTML_HINT.match(head):
        return "html"
    closing_tags = CLOSING_TAG.finditer(head)
    return (
        "html"
        if sum(1 for _ in itertools.islice(closing_tags, MIN_CLOSING_TAGS)) == MIN_CLOSING_TAGS
        else "text"
    )


def _reject_binary_signature(data: bytes) -> None:
    for magic, what in BINARY_SIGNATURES:
        if data.startswith(magic):
            raise InputError(f"the input is {what}, not a web page")


def _decode_bytes(data: bytes, http_charset: str | None) -> tuple[str, str, bool]:
    """The text, its encoding, and whether the text is the bytes read as strict UTF-8."""
    for bom, codec in BOMS:
        if data.startswith(bom):
            return data.decode(codec, errors="replace"), codec.removesuffix("-sig"), False
    utf8 = _try_decode(data, "utf-8")
    for declared in (http_charset, _meta_charset(data)):
        decoded = utf8 if utf8 is not None and _is_utf8(declared) else _try_decode(data, declared)
        if decoded is not None:
            # A page declared as a legacy charset that is valid UTF-8 with non-ASCII characters is
            # UTF-8: the declaration is a stale template or a server default (real legacy text is
            # practically never valid UTF-8).
            if utf8 is not None and not data.isascii() and decoded[1] not in UTF8_NAMES:
                return (*utf8, True)
            return (*decoded, decoded[1] == "utf-8")
    if utf8 is not None:
        return (*utf8, True)
    mixed = _decode_mixed(data)
    if mixed is not None:
        return (*mixed, False)
    return (*_detect(data), False)


def _decode_mixed(data: bytes) -> tuple[str, str] | None:
    """UTF-8 with stray windows-1252 bytes (a pasted quote, a legacy footer): each stray byte is read
    as windows-1252, if proper UTF-8 characters are at least as common as stray bytes."""
    replaced = data.decode("utf-8", errors="replace")
    stray = replaced.count("\ufffd") - data.count("\ufffd".encode())
    non_ascii = len(replaced) - len(replaced.encode("ascii", errors="ignore"))
    if 0 < stray <= non_ascii - stray:
        return data.decode("utf-8", errors=MIXED_HANDLER), "utf-8"
    return None


def _cp1252_fallback(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeDecodeError)
    bad = error.object[error.start : error.end]
    return bad.decode("cp1252", errors="replace"), error.end


MIXED_HANDLER = "newsdown-cp1252-fallback"
codecs.register_error(MIXED_HANDLER, _cp1252_fallback)
UTF8_NAMES = frozenset({"utf-8", "utf-8-sig"})


def _meta_charset(data: bytes) -> str | None:
    match = META_CHARSET.search(data[:META_SCAN_BYTES])
    return match.group(1).decode("ascii", "replace") if match else None


def _is_utf8(charset: str | None) -> bool:
    return charset is not None and charset.strip().lower() in {"utf-8", "utf8"}


def _try_decode(data: bytes, charset: str | None) -> tuple[str, str] | None:
    if not charset:
        return None
    try:
        codec = codecs.lookup(charset.strip().lower()).name
    except LookupError:  # a bogus declaration such as "utf-8, ie=edge"
        return None
    # Pages declared as latin-1 are in practice windows-1252 (the WHATWG encoding standard).
    if codec in {"latin-1", "iso8859-1", "ascii"}:
        codec = "cp1252"
    if codec.startswith(("utf-16", "utf-32")):
        return None  # a UTF-16 page without a BOM declaring itself is almost always lying
    try:
        return data.decode(codec), codec
    except (UnicodeDecodeError, LookupError):
        return None


def _detect(data: bytes) -> tuple[str, str]:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None:
        return str(best), best.encoding
    return data.decode("utf-8", errors="replace"), "utf-8"


def _looks_binary(text: str, *, may_have_controls: bool) -> bool:
    """Control characters and undecodable bytes (U+FFFD) are more than MAX_CONTROL_SHARE of the start."""
    sample = text[:8192]
    controls = len(DISALLOWED_CONTROLS.findall(sample)) if may_have_controls else 0
    replaced = sample.count("\ufffd")
    return (controls + replaced) > MAX_CONTROL_SHARE * max(1, len(sample))
