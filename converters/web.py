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
MAX_ROBOTS_REDIRECTS = 5  # RFC 9309 asks crawlers to follow at least five
MAX_BACKOFF = 10.0  # seconds between two tries at most, however many --retries
BAD_REDIRECT = "redirected to a URL that is not http(s) or not valid"


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
        # No single phase may outlast the whole URL's time.
        self._connect_timeout = min(self.settings.connect_timeout, self.settings.timeout)
        self._read_timeout = min(self.settings.read_timeout, self.settings.timeout)
        self._client: httpx.AsyncClient | None = None
        self._overall = asyncio.Semaphore(self.settings.concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._robots: dict[str, RobotFileParser | str] = {}  # a str: why nothing may be fetched
        self._robots_locks: dict[str, asyncio.Lock] = {}
        self._delays: dict[str, float] = {}
        self._next_request: dict[str, float] = {}

    async def __aenter__(self) -> Fetcher:
        s = self.settings
        connect, read = self._connect_timeout, self._read_timeout
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
        if problem := url_problem(url):
            raise InputError(problem)
        try:
            async with asyncio.timeout(self.settings.timeout) as scope:
                deadline = scope.when()
                assert deadline is not None
                return await self._follow(url, deadline)
        except TimeoutError:
            raise FetchError(f"timed out after {self.settings.timeout:g} s") from None

    async def _follow(self, url: str, deadline: float) -> Source:
        current = url
        for _hop in range(self.settings.max_redirects + 1):
            if self.settings.respect_robots:
                await self._check_robots(current)
            got = await self._get_with_retries(current, deadline)
            if isinstance(got, Source):
                return Source(
                    origin=url, data=got.data, url=got.url, media_type=got.media_type, charset=got.charset
                )
            if not is_url(got.location):
                raise FetchError(f"redirected to a URL that is not http(s): {got.location[:200]}")
            if problem := url_problem(got.location):
                raise FetchError(f"redirected to {problem}")
            current = got.location
        raise FetchError(f"too many redirects (more than {self.settings.max_redirects})")

    async def _get_with_retries(self, url: str, deadline: float) -> Source | _Redirect:
        attempt = 0
        while True:
            try:
                async with self._slot(url):
                    return await self._get_once(url)
            except _RetryableError as problem:
                attempt += 1
                if attempt > self.settings.retries:
                    raise FetchError(problem.message) from None
                await asyncio.sleep(self._pause(problem, attempt, deadline))

    def _pause(self, problem: _RetryableError, attempt: int, deadline: float) -> float:
        """Seconds to wait before the next try: the server's Retry-After, else an exponential backoff
        with jitter. A FetchError, at once, if the wait would outlast the URL's time anyway."""
        if problem.retry_after is not None:
            delay, give_up = problem.retry_after, f"{problem.message}, retry after {problem.retry_after:g} s"
            if delay > self.settings.max_retry_after:
                raise FetchError(give_up)
        else:
            exponent = min(attempt - 1, 30)  # 2.0 ** 1100 overflows; the cap is reached long before
            delay = min(self.settings.backoff * 2.0**exponent, MAX_BACKOFF) * random.uniform(1.0, 1.25)
            give_up = problem.message
        if asyncio.get_running_loop().time() + delay >= deadline:
            raise FetchError(give_up)  # better the reason than "timed out" after a useless wait
        return delay

    async def _get_once(self, url: str) -> Source | _Redirect:
        try:
            async with self.client.stream("GET", url) as response:
                status = response.status_code
                if status in REDIRECT_STATUSES:
                    location = response.headers.get("location", "").strip()
                    if not location:
                        raise FetchError(f"HTTP {status} redirect without a Location")
                    return _Redirect(join_url(url, location))
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
                raise _RetryableError(f"could not connect within {self._connect_timeout:g} s") from None
            raise FetchError(f"timed out after {self._read_timeout:g} s without data") from None
        except httpx.RemoteProtocolError as error:
            if str(error).startswith("Invalid URL in location header"):  # httpx parses every Location
                raise FetchError(BAD_REDIRECT) from None
            raise _RetryableError(f"the connection broke: {describe_http_error(error)}") from None
        except (httpx.ConnectError, httpx.ReadError, httpx.WriteError) as error:
            raise _RetryableError(describe_http_error(error)) from None
        except httpx.HTTPError as error:
            raise FetchError(describe_http_error(error)) from None
        except (httpx.InvalidURL, ValueError):
            # httpx reads the Location of every redirect (the URL itself passed url_problem() already);
            # one it cannot even parse lands here, as InvalidURL or as one of idna's ValueErrors.
            raise FetchError(BAD_REDIRECT) from None

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

    async def _check_robots(self, url: str) -> None:
        """Raise FetchError if the host's robots.txt keeps us from `url`."""
        host = host_key(url)
        async with self._robots_locks.setdefault(host, asyncio.Lock()):
            rules = self._robots.get(host)
            if rules is None:
                rules = self._robots[host] = await self._read_robots(host)
                delay = rules.crawl_delay(self.user_agent) if isinstance(rules, RobotFileParser) else None
                if delay:
                    self._delays[host] = min(float(delay), MAX_CRAWL_DELAY)
        if isinstance(rules, str):
            raise FetchError(f"{rules} (--no-respect-robots to fetch anyway)")
        if not rules.can_fetch(self.user_agent, url):
            raise FetchError("disallowed by the site's robots.txt (--no-respect-robots to fetch anyway)")

    async def _read_robots(self, host: str) -> RobotFileParser | str:
        """The host's rules; none (everything allowed) if it has no robots.txt or cannot be reached.
        Redirects are followed, as RFC 9309 asks: sites move http to https, or to www. A server error
        instead of the file is a refusal (a string saying why): RFC 9309 asks crawlers to assume
        complete disallow then, as the site may be struggling."""
        url = f"{host}/robots.txt"
        rules: list[str] = []
        try:
            for _hop in range(MAX_ROBOTS_REDIRECTS + 1):
                got = await self._get_robots(url)
                if isinstance(got, str):
                    return got
                if not isinstance(got, _Redirect):
                    rules = got
                    break
                url = got.location
        except (httpx.HTTPError, httpx.InvalidURL, ValueError, InputError, FetchError):  # ValueError: idna
            rules = []
        return parse_robots(rules)

    async def _get_robots(self, url: str) -> list[str] | _Redirect | str:
        async with self._slot(url), self.client.stream("GET", url) as response:
            status = response.status_code
            location = response.headers.get("location", "").strip()
            if status in REDIRECT_STATUSES and location:
                target = join_url(url, location)
                return [] if url_problem(target) else _Redirect(target)
            if status in (401, 403):
                return ["User-agent: *", "Disallow: /"]
            if 200 <= status < 300:
                body = await read_capped_body(response, MAX_ROBOTS_BYTES, truncate=True)
                return body.decode("utf-8", "replace").splitlines()
            if status >= 500:
                return f"the site's robots.txt answered HTTP {status}, so nothing is fetched from it"
            return []  # 404 and the like: no rules to follow


def parse_robots(lines: list[str]) -> RobotFileParser:
    parser = RobotFileParser()
    try:
        parser.parse(lines)
    except ValueError:  # robotparser int()s a Crawl-delay that isdigit() lets through, such as "²"
        parser = RobotFileParser()
        parser.parse([line for line in lines if line.isascii()])
    return parser


def url_problem(url: str) -> str | None:
    """Why `url` cannot be requested, said before httpx (or urlsplit, for robots.txt) fails on it
    with an exception of its own; None if it can be."""
    try:
        host = httpx.URL(url).host
        urlsplit(url).port  # noqa: B018  # raises ValueError for a port out of range, which httpx lets by
    except (httpx.InvalidURL, ValueError) as error:  # idna's errors are ValueErrors
        return f"not a valid URL ({error})"
    return None if host else "not a valid URL (no host name)"


def join_url(base: str, location: str) -> str:
    """A redirect's target; FetchError if the Location is past parsing (urljoin raises ValueError)."""
    try:
        return urljoin(base, location)
    except ValueError:
        raise FetchError(f"redirected to an invalid URL: {location[:200]}") from None


def host_key(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After as seconds to wait: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():  # not "²", which isdigit() too but float() refuses
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
    if inflater is not None and not truncate:
        inflater.finish()
    return b"".join(parts)[:max_bytes] if truncate else b"".join(parts)


GZIP_MAGIC = b"\x1f\x8b"


class Inflater:
    """Incremental gzip/zlib decompression that refuses to produce more than `limit` bytes.

    Lenient the way browsers are: "deflate" sent raw, without its zlib header, and gzip in several
    concatenated members are both read, bytes after the end ignored; a stream that stops before its
    end is an error (`finish`).
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self._inflater = zlib.decompressobj(32 + zlib.MAX_WBITS)  # gzip or zlib header, detected
        self._started = False  # some input has been accepted: too late to try raw deflate
        # After a gzip member: the first bytes of what follows, too few to tell another member's
        # magic number from trailing junk; they wait for the next chunk.
        self._pending = b""

    def feed(self, data: bytes) -> bytes:
        out: list[bytes] = []
        data, self._pending = self._pending + data, b""
        try:
            while data:
                data = self._inflate(data, out)
        except zlib.error:
            raise FetchError("the compressed response is corrupt") from None
        return b"".join(out)

    def finish(self) -> None:
        """Raise if the compressed stream ended early (a dropped connection or a cut file)."""
        if self._started and not self._inflater.eof:
            raise FetchError("the compressed response was cut off")

    def _inflate(self, data: bytes, out: list[bytes]) -> bytes:
        """Decompress some of `data` into `out`; return what is left to decompress."""
        if self._inflater.eof:
            if len(data) < len(GZIP_MAGIC) and GZIP_MAGIC.startswith(data):
                self._pending = data
                return b""
            if not data.startswith(GZIP_MAGIC):
                return b""  # bytes after the end of the stream: ignored, as browsers do
            self._inflater = zlib.decompressobj(32 + zlib.MAX_WBITS)  # another gzip member
        try:
            piece = self._inflater.decompress(data, self.limit - self.size + 1)
        except zlib.error:
            if self._started:
                raise
            self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate, as some servers send
            piece = self._inflater.decompress(data, self.limit - self.size + 1)
        self._started = True
        self.size += len(piece)
        out.append(piece)
        if self.size > self.limit:
            raise InputError(f"the page is larger than {self.limit} bytes once decompressed")
        return self._inflater.unconsumed_tail or self._inflater.unused_data


async def fetch_one(url: str, settings: WebSettings | None = None) -> Source:
    """Fetch a single URL with a client of its own."""
    async with Fetcher(settings) as fetcher:
        return await fetcher.fetch(url)
