"""Fetching pages politely with one async HTTP client: bounded concurrency overall and per host,
retries with backoff, a redirect limit checked hop by hop, a size cap checked while streaming (and
again after decompression), HTML only, and robots.txt when asked.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import random
import time
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from types import TracebackType
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from newsdown.converters.errors import FetchError, InputError
from newsdown.converters.fetch import (
    ACCEPT,
    MAX_BYTES,
    check_media_type,
    default_user_agent,
    describe_http_error,
    is_url,
    parse_content_type,
)
from newsdown.converters.model import Source

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_ROBOTS_BYTES = 512 * 1024  # Google reads the first 500 KiB of a robots.txt
MAX_CRAWL_DELAY = 10.0  # seconds; a larger Crawl-delay is honoured only up to this


@dataclass(frozen=True, slots=True, kw_only=True)
class WebSettings:
    """How to fetch. `timeout` bounds one URL as a whole, retries and redirects included."""

    user_agent: str | None = None
    timeout: float = 30.0
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    max_bytes: int = MAX_BYTES
    max_redirects: int = 10
    retries: int = 3
    backoff: float = 0.5  # seconds before the first retry, doubled for each next one
    max_retry_after: float = 60.0  # a server asking for a longer wait fails the URL instead
    concurrency: int = 8
    per_host: int = 2
    respect_robots: bool = False


class _RetryableError(Exception):
    """A failure worth another try (connection error, 429, 5xx), with the server's wish if any."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class _Redirect:
    location: str


class Fetcher:
    """One client for a whole run: `async with Fetcher(settings) as f: source = await f.fetch(url)`."""

    def __init__(self, settings: WebSettings | None = None) -> None:
        self.settings = settings or WebSettings()
        self.user_agent = self.settings.user_agent or default_user_agent()
        self._client: httpx.AsyncClient | None = None
        self._overall = asyncio.Semaphore(self.settings.concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._robots: dict[str, RobotFileParser] = {}
        self._robots_locks: dict[str, asyncio.Lock] = {}
        self._delays: dict[str, float] = {}
        self._next_request: dict[str, float] = {}

    async def __aenter__(self) -> Fetcher:
        s = self.settings
        connect = min(s.connect_timeout, s.timeout)
        read = min(s.read_timeout, s.timeout)
        self._client = httpx.AsyncClient(
            follow_redirects=False,  # followed here, hop by hop, so every hop is checked
            timeout=httpx.Timeout(connect=connect, read=read, write=read, pool=None),
            limits=httpx.Limits(max_connections=s.concurrency, max_keepalive_connections=s.concurrency),
            headers={"User-Agent": self.user_agent, "Accept": ACCEPT, "Accept-Encoding": "gzip, deflate"},
        )
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            raise RuntimeError("use the Fetcher in an `async with` block")
        return self._client

    async def fetch(self, url: str) -> Source:
        """The page at `url`, or a FetchError (exit 5) / InputError (exit 4) saying why not."""
        if not is_url(url):
            raise InputError("only http:// and https:// URLs are supported")
        try:
            async with asyncio.timeout(self.settings.timeout):
                return await self._follow(url)
        except TimeoutError:
            raise FetchError(f"timed out after {self.settings.timeout:g} s") from None

    async def _follow(self, url: str) -> Source:
        current = url
        for _hop in range(self.settings.max_redirects + 1):
            if self.settings.respect_robots and not await self._allowed(current):
                raise FetchError("disallowed by the site's robots.txt (--no-respect-robots to fetch anyway)")
            got = await self._get_with_retries(current)
            if isinstance(got, Source):
                return Source(
                    origin=url, data=got.data, url=got.url, media_type=got.media_type, charset=got.charset
                )
            if not is_url(got.location):
                raise FetchError(f"redirected to a URL that is not http(s): {got.location[:200]}")
            current = got.location
        raise FetchError(f"too many redirects (more than {self.settings.max_redirects})")

    async def _get_with_retries(self, url: str) -> Source | _Redirect:
        attempt = 0
        while True:
            try:
                async with self._slot(url):
                    return await self._get_once(url)
            except _RetryableError as problem:
                attempt += 1
                if attempt > self.settings.retries:
                    raise FetchError(problem.message) from None
                if problem.retry_after is not None:
                    delay = problem.retry_after
                    if delay > self.settings.max_retry_after:
                        raise FetchError(f"{problem.message}, retry after {delay:g} s") from None
                else:
                    delay = self.settings.backoff * 2 ** (attempt - 1) * random.uniform(1.0, 1.25)
                await asyncio.sleep(delay)

    async def _get_once(self, url: str) -> Source | _Redirect:
        try:
            async with self.client.stream("GET", url) as response:
                status = response.status_code
                if status in REDIRECT_STATUSES:
                    location = response.headers.get("location", "").strip()
                    if not location:
                        raise FetchError(f"HTTP {status} redirect without a Location")
                    return _Redirect(urljoin(url, location))
                reason = f"HTTP {status} {response.reason_phrase}".rstrip()
                if status == 429 or status >= 500:
                    raise _RetryableError(reason, parse_retry_after(response.headers.get("retry-after")))
                if status >= 300:
                    raise FetchError(reason)
                media_type, charset = parse_content_type(response.headers.get("content-type", ""))
                check_media_type(media_type)
                body = await read_capped_body(response, self.settings.max_bytes)
                return Source(
                    origin=url, data=body, url=str(response.url), media_type=media_type, charset=charset
                )
        except httpx.TimeoutException as error:
            if isinstance(error, httpx.ConnectTimeout):
                raise _RetryableError(
                    f"could not connect within {self.settings.connect_timeout:g} s"
                ) from None
            raise FetchError(f"timed out after {self.settings.read_timeout:g} s without data") from None
        except httpx.RemoteProtocolError as error:
            raise _RetryableError(f"the connection broke: {describe_http_error(error)}") from None
        except (httpx.ConnectError, httpx.ReadError, httpx.WriteError) as error:
            raise _RetryableError(describe_http_error(error)) from None
        except httpx.HTTPError as error:
            raise FetchError(describe_http_error(error)) from None
        except httpx.InvalidURL:
            # httpx reads the Location of every redirect; one it cannot even parse lands here.
            raise FetchError("redirected to a URL that is not http(s) or not valid") from None

    @contextlib.asynccontextmanager
    async def _slot(self, url: str) -> AsyncIterator[None]:
        """At most `concurrency` requests at once, `per_host` per host, Crawl-delay apart."""
        host = host_key(url)
        per_host = self._hosts.setdefault(host, asyncio.Semaphore(self.settings.per_host))
        async with self._overall, per_host:
            delay = self._delays.get(host, 0.0)
            if delay:
                now = time.monotonic()
                start = max(now, self._next_request.get(host, now))
                self._next_request[host] = start + delay
                await asyncio.sleep(start - now)
            yield

    async def _allowed(self, url: str) -> bool:
        host = host_key(url)
        async with self._robots_locks.setdefault(host, asyncio.Lock()):
            parser = self._robots.get(host)
            if parser is None:
                parser = await self._read_robots(host)
                self._robots[host] = parser
                delay = parser.crawl_delay(self.user_agent)
                if delay:
                    self._delays[host] = min(float(delay), MAX_CRAWL_DELAY)
        return parser.can_fetch(self.user_agent, url)

    async def _read_robots(self, host: str) -> RobotFileParser:
        """The host's rules; none (everything allowed) if it has no robots.txt or cannot serve it."""
        parser = RobotFileParser(f"{host}/robots.txt")
        try:
            async with self._slot(host), self.client.stream("GET", f"{host}/robots.txt") as response:
                status = response.status_code
                if status in (401, 403):
                    rules = ["User-agent: *", "Disallow: /"]
                elif 200 <= status < 300:
                    body = await read_capped_body(response, MAX_ROBOTS_BYTES, truncate=True)
                    rules = body.decode("utf-8", "replace").splitlines()
                else:  # 404, redirects, server errors: no rules to follow
                    rules = []
        except (httpx.HTTPError, InputError, FetchError):
            rules = []
        parser.parse(rules)
        return parser


def host_key(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After as seconds to wait: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


async def read_capped_body(response: httpx.Response, max_bytes: int, *, truncate: bool = False) -> bytes:
    """The body, decompressed here (gzip, deflate) so the cap holds before and after decompression."""
    length = response.headers.get("content-length", "")
    if length.isdigit() and int(length) > max_bytes and not truncate:
        raise InputError(f"the page is larger than {max_bytes} bytes")
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    inflater = Inflater(max_bytes) if encoding in ("gzip", "x-gzip", "deflate") else None
    if inflater is None and encoding not in ("identity", ""):
        raise FetchError(f"unsupported content encoding: {encoding[:40]}")
    parts: list[bytes] = []
    received = size = 0
    async for chunk in response.aiter_raw():
        received += len(chunk)
        data = inflater.feed(chunk) if inflater is not None else chunk
        size += len(data)
        parts.append(data)
        if received > max_bytes or size > max_bytes:
            if truncate:
                break
            raise InputError(f"the page is larger than {max_bytes} bytes")
    return b"".join(parts)[:max_bytes] if truncate else b"".join(parts)


class Inflater:
    """Incremental gzip/zlib decompression that refuses to produce more than `limit` bytes."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self._inflater = zlib.decompressobj(32 + zlib.MAX_WBITS)  # gzip or zlib header, detected

    def feed(self, data: bytes) -> bytes:
        out: list[bytes] = []
        try:
            while data:
                piece = self._inflater.decompress(data, self.limit - self.size + 1)
                self.size += len(piece)
                out.append(piece)
                if self.size > self.limit:
                    raise InputError(f"the page is larger than {self.limit} bytes once decompressed")
                data = self._inflater.unconsumed_tail
        except zlib.error:
            raise FetchError("the compressed response is corrupt") from None
        return b"".join(out)


async def fetch_one(url: str, settings: WebSettings | None = None) -> Source:
    """Fetch a single URL with a client of its own."""
    async with Fetcher(settings) as fetcher:
        return await fetcher.fetch(url)
