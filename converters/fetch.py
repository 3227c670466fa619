"""Reading inputs: local files (also .gz), standard input, and http(s) URLs."""

from __future__ import annotations

import zlib
from pathlib import Path
from typing import BinaryIO

from newsdown.converters.errors import InputError
from newsdown.converters.model import Source

MAX_BYTES = 20 * 1024 * 1024  # the same cap as trafilatura; no news page is bigger
ALLOWED_SCHEMES = ("http://", "https://")


def is_url(text: str) -> bool:
    return text.lower().startswith(ALLOWED_SCHEMES)


def read_path(path: Path, origin: str | None = None, max_bytes: int = MAX_BYTES) -> Source:
    """Read a local file; `.gz` files are decompressed, with the size cap applied after."""
    origin = origin or str(path)
    try:
        if path.stat().st_size > max_bytes and path.suffix != ".gz":
            raise InputError(f"the file is larger than {max_bytes} bytes")
        with path.open("rb") as stream:
            data = _read_capped(stream, max_bytes)
    except IsADirectoryError:
        raise InputError("is a directory") from None
    except FileNotFoundError:
        raise InputError("no such file") from None
    except PermissionError:
        raise InputError("permission denied") from None
    except OSError as error:
        raise InputError(error.strerror or str(error)) from None
    if path.suffix == ".gz" or data.startswith(b"\x1f\x8b"):
        data = gunzip(data, max_bytes)
    return Source(origin=origin, data=data)


def read_stream(stream: BinaryIO, origin: str = "-", max_bytes: int = MAX_BYTES) -> Source:
    """Read standard input (or any binary stream) completely, up to the size cap."""
    data = _read_capped(stream, max_bytes)
    if data.startswith(b"\x1f\x8b"):
        data = gunzip(data, max_bytes)
    return Source(origin=origin, data=data)


def gunzip(data: bytes, max_bytes: int = MAX_BYTES) -> bytes:
    """Decompress gzip data, refusing output over the cap (a gzip bomb stops early)."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, max_bytes + 1)
    except zlib.error:
        raise InputError("the gzip data is corrupt") from None
    if len(out) > max_bytes or inflater.unconsumed_tail:
        raise InputError(f"the page is larger than {max_bytes} bytes once decompressed")
    return out


def _read_capped(stream: BinaryIO, max_bytes: int) -> bytes:
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InputError(f"the input is larger than {max_bytes} bytes")
    return data


def fetch_url(
    url: str,
    *,
    timeout: float = 30.0,
    user_agent: str | None = None,
    max_bytes: int = MAX_BYTES,
    respect_robots: bool = False,
    retries: int = 3,
) -> Source:
    """Fetch one page (see converters/web.py): redirects checked hop by hop, size capped, HTML only."""
    import asyncio

    from newsdown.converters.web import WebSettings, fetch_one

    if not is_url(url):
        raise InputError("only http:// and https:// URLs are supported")
    settings = WebSettings(
        user_agent=user_agent,
        timeout=timeout,
        max_bytes=max_bytes,
        respect_robots=respect_robots,
        retries=retries,
    )
    return asyncio.run(fetch_one(url, settings))


ACCEPT = "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.8,*/*;q=0.1"
ACCEPTED_MEDIA_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain", ""})


def default_user_agent() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        ours = version("newsdown")
    except PackageNotFoundError:
        ours = "dev"
    return f"newsdown/{ours} (+https://pypi.org/project/newsdown/)"


def parse_content_type(value: str) -> tuple[str, str | None]:
    """'text/html; charset=ISO-8859-1' -> ('text/html', 'ISO-8859-1')."""
    media_type, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset":
            charset = val.strip().strip("\"'") or None
    return media_type.strip().lower(), charset


def check_media_type(media_type: str) -> None:
    if media_type not in ACCEPTED_MEDIA_TYPES and not media_type.endswith("+xml"):
        raise InputError(f"not an HTML page: {media_type}")


def describe_http_error(error: Exception) -> str:
    """One line for a connection-level failure, without httpx's internals."""
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]
