"""Review of URL fetching (issue 6): each test here failed before the fix it names.

Malformed URLs and redirect targets, hostile Retry-After and Crawl-delay values, robots.txt behind
a redirect, retries that cannot outlast the URL's time, and --retries for a single URL.
"""

from __future__ import annotations

import json
import socket
import time

import pytest

from newsdown.cli.exitcodes import ExitCode
from newsdown.cli.run import Settings
from newsdown.converters import web
from newsdown.converters.errors import FetchError, InputError
from newsdown.converters.web import WebSettings
from tests.conftest import LocalServer
from tests.helpers import SAMPLES, fetch_with, in_process

PAGE = (SAMPLES / "ridgeline-transit-strike.html").read_bytes()
HTML = {"Content-Type": "text/html; charset=utf-8"}
TEXT = {"Content-Type": "text/plain"}


fetch = fetch_with


# Bug: "http://[::1" raised ValueError out of urlsplit (a traceback; a batch stopped), and a port
# that is not a number was reported as "redirected to a URL that is not http(s)" with no redirect.
@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://[::1", "not a valid URL (Invalid port: ':1')"),
        ("http://127.0.0.1:abc/", "not a valid URL (Invalid port: 'abc')"),
        ("http://127.0.0.1:99999/", "not a valid URL (Port out of range 0-65535)"),
        ("http://", "not a valid URL (no host name)"),
        ("http://xn--ls8h.la/", "not a valid URL (Codepoint U+1F4A9 at position 1 of '💩' not allowed)"),
    ],
)
def test_malformed_urls_fail_with_a_clear_reason(url: str, reason: str) -> None:
    with pytest.raises(InputError) as raised:
        fetch(url, WebSettings())
    assert str(raised.value) == reason
    code, stdout, _ = in_process([url, url], Settings(format="json"))
    assert code == ExitCode.INPUT
    records = [json.loads(line) for line in stdout.splitlines()]
    assert records[0]["error"] == {"code": 4, "message": reason}


# Bug: the same from a redirect's Location: idna's ValueError escaped (a traceback), and httpx's
# "Invalid URL in location header" was retried as a broken connection.
@pytest.mark.parametrize("location", ["http://[::1/x", "http://xn--ls8h.la/"])
def test_redirect_to_an_unparsable_location_fails_at_once(http_server: LocalServer, location: str) -> None:
    url = http_server.route("/jump", status=302, headers={"Location": location})
    with pytest.raises(FetchError, match=r"^redirected to a URL that is not http\(s\) or not valid$"):
        fetch(url, WebSettings())
    assert http_server.paths() == ["/jump"]


# Bug: "²".isdigit() is true but float("²") raises: a server's Retry-After crashed the run.
def test_retry_after_that_is_not_an_ascii_number_falls_back_to_backoff(http_server: LocalServer) -> None:
    http_server.route("/busy", status=503, headers={"Retry-After": "²"})
    http_server.route("/busy", body=PAGE, headers=HTML)
    assert fetch(http_server.url("/busy"), WebSettings(backoff=0.01)).data == PAGE


# Bug: the same in urllib.robotparser, for a Crawl-delay of "²": the batch stopped with a traceback.
def test_robots_txt_with_a_hostile_crawl_delay_still_applies(http_server: LocalServer) -> None:
    rules = "User-agent: *\nCrawl-delay: ²\nDisallow: /private/\n".encode()
    http_server.route("/robots.txt", body=rules, headers={"Content-Type": "text/plain; charset=utf-8"})
    public = http_server.route("/news", body=PAGE, headers=HTML)
    private = http_server.route("/private/news", body=PAGE, headers=HTML)
    code, stdout, _ = in_process([public, private], Settings(format="json"))
    assert code == ExitCode.PARTIAL
    assert [json.loads(line)["ok"] for line in stdout.splitlines()] == [True, False]


# Bug: a redirected robots.txt (http to https, or to www, is common) was taken as "no rules".
def test_robots_txt_behind_a_redirect_is_followed(http_server: LocalServer) -> None:
    http_server.route("/robots.txt", status=301, headers={"Location": "/site/robots.txt"})
    http_server.route("/site/robots.txt", body=b"User-agent: *\nDisallow: /private/\n", headers=TEXT)
    public = http_server.route("/news", body=PAGE, headers=HTML)
    private = http_server.route("/private/news", body=PAGE, headers=HTML)
    code, stdout, _ = in_process([public, private], Settings(format="json"))
    assert code == ExitCode.PARTIAL
    records = [json.loads(line) for line in stdout.splitlines()]
    assert [r["ok"] for r in records] == [True, False]
    assert "robots.txt" in records[1]["error"]["message"]
    assert "/private/news" not in http_server.paths()


# Bug: retries went on sleeping past the URL's time (--timeout), so the user read "timed out after
# N s" instead of what the server said.
def test_retries_stop_with_the_reason_before_the_time_runs_out(http_server: LocalServer) -> None:
    url = http_server.route("/down", status=503)
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"^HTTP 503 Service Unavailable$"):
        fetch(url, WebSettings(retries=50, backoff=0.3, timeout=2))
    assert time.monotonic() - started < 2
    busy = http_server.route("/busy", status=429, headers={"Retry-After": "5"})
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"^HTTP 429 Too Many Requests, retry after 5 s$"):
        fetch(busy, WebSettings(timeout=2))
    assert time.monotonic() - started < 1


# Bug: backoff * 2 ** (attempt - 1) overflowed a float after about 1,000 tries: a traceback for a
# large --retries and --timeout. The wait between tries is now capped.
def test_many_retries_neither_overflow_nor_wait_long(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]  # nothing listens there once closed: connection refused
    waits: list[float] = []

    async def no_wait(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr("asyncio.sleep", no_wait)  # only the waits between tries sleep here
    settings = WebSettings(retries=1100, timeout=10_000, connect_timeout=5)
    with pytest.raises(FetchError):
        fetch(f"http://127.0.0.1:{port}/", settings)
    assert len(waits) == 1100
    assert max(waits) <= web.MAX_BACKOFF * 1.25


# Bug: a single URL (fetch_url) always retried 3 times, whatever --retries said.
def test_retries_option_holds_for_a_single_url(http_server: LocalServer) -> None:
    http_server.route("/flaky", status=503)
    url = http_server.route("/flaky", body=PAGE, headers=HTML)
    code, _, stderr = in_process([url], Settings(retries=0))
    assert code == ExitCode.NETWORK
    assert stderr == f"newsdown: {url}: HTTP 503 Service Unavailable\n"
    assert http_server.paths() == ["/flaky"]


# Bug: httpx parses a redirect's Location even when not following it; idna's ValueError for a
# robots.txt redirect escaped _read_robots and stopped the batch.
def test_robots_txt_redirect_to_an_unparsable_location_means_no_rules(http_server: LocalServer) -> None:
    http_server.route("/robots.txt", status=301, headers={"Location": "http://xn--ls8h.la/robots.txt"})
    urls = [http_server.route(f"/news/{n}", body=PAGE, headers=HTML) for n in range(2)]
    code, stdout, stderr = in_process(urls, Settings(format="json"))
    assert code == ExitCode.OK, stderr
    assert [json.loads(line)["ok"] for line in stdout.splitlines()] == [True, True]
