"""Fetching URLs against a local server: timeouts, errors, retries, redirects, size caps, content
types, charsets, broken connections, robots.txt, politeness, and URL safety."""

from __future__ import annotations

import gzip
import json
import time
import zlib
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from newsdown.cli.exitcodes import ExitCode
from newsdown.cli.run import Settings
from newsdown.converters.errors import FetchError, InputError
from newsdown.converters.fetch import fetch_url
from newsdown.converters.model import Source
from newsdown.converters.web import Inflater, WebSettings, parse_retry_after
from tests.conftest import LocalServer
from tests.helpers import SAMPLES, fetch_with, in_process, newsdown, split_front_matter

PAGE = (SAMPLES / "ridgeline-transit-strike.html").read_bytes()
TITLE = "Transit workers vote to strike as contract talks collapse"
HTML = {"Content-Type": "text/html; charset=utf-8"}
FAST = WebSettings(backoff=0.01, timeout=10)


def fetch(url: str, settings: WebSettings = FAST) -> Source:
    return fetch_with(url, settings)


def test_a_page_is_fetched_with_its_final_url_and_charset(http_server: LocalServer) -> None:
    http_server.route("/old", status=301, headers={"Location": "/news/strike"})
    http_server.route("/news/strike", body=PAGE, headers={"Content-Type": "text/html; charset=ISO-8859-1"})
    source = fetch(http_server.url("/old"))
    assert source.data == PAGE
    assert source.origin == http_server.url("/old")
    assert source.url == http_server.url("/news/strike")
    assert (source.media_type, source.charset) == ("text/html", "ISO-8859-1")


def test_slow_response_times_out(http_server: LocalServer) -> None:
    url = http_server.route("/slow", body=PAGE, delay=5)
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"timed out after 0\.5 s"):
        fetch(url, WebSettings(timeout=0.5))
    assert time.monotonic() - started < 4


def test_not_found_fails_at_once_without_retrying(http_server: LocalServer) -> None:
    url = http_server.route("/gone", status=404, body=b"nope")
    with pytest.raises(FetchError, match=r"^HTTP 404 Not Found$"):
        fetch(url)
    assert http_server.paths() == ["/gone"]


def test_server_errors_are_retried_then_succeed(http_server: LocalServer) -> None:
    http_server.route("/flaky", status=500)
    http_server.route("/flaky", status=503)
    http_server.route("/flaky", body=PAGE, headers=HTML)
    assert fetch(http_server.url("/flaky")).data == PAGE
    assert http_server.paths() == ["/flaky"] * 3


def test_persistent_server_error_fails_after_the_retries(http_server: LocalServer) -> None:
    url = http_server.route("/down", status=503)
    with pytest.raises(FetchError, match="HTTP 503 Service Unavailable"):
        fetch(url, WebSettings(backoff=0.01, retries=2))
    assert len(http_server.requests) == 3


def test_429_honours_retry_after(http_server: LocalServer) -> None:
    http_server.route("/busy", status=429, headers={"Retry-After": "1"})
    http_server.route("/busy", body=PAGE, headers=HTML)
    started = time.monotonic()
    assert fetch(http_server.url("/busy")).data == PAGE
    assert time.monotonic() - started >= 0.9  # waited as asked (a lower bound: never flaky)


def test_429_asking_for_too_long_a_wait_fails_at_once(http_server: LocalServer) -> None:
    url = http_server.route("/busy", status=429, headers={"Retry-After": "3600"})
    with pytest.raises(FetchError, match="HTTP 429 Too Many Requests, retry after 3600 s"):
        fetch(url)
    assert len(http_server.requests) == 1


def test_retry_after_forms() -> None:
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past: no wait


def test_redirect_loop_fails(http_server: LocalServer) -> None:
    url = http_server.route("/loop", status=302, headers={"Location": "/loop"})
    with pytest.raises(FetchError, match=r"too many redirects \(more than 3\)"):
        fetch(url, WebSettings(max_redirects=3))
    assert len(http_server.requests) == 4


@pytest.mark.parametrize("target", ["file:///etc/passwd", "ftp://127.0.0.1/x", "javascript:alert(1)"])
def test_redirect_to_another_scheme_is_refused(http_server: LocalServer, target: str) -> None:
    url = http_server.route("/jump", status=302, headers={"Location": target})
    with pytest.raises(FetchError, match="redirected to a URL that is not http"):
        fetch(url)
    code, _, stderr = in_process([url], Settings())
    assert code == ExitCode.NETWORK
    assert "redirected to a URL that is not http(s)" in stderr


@pytest.mark.parametrize("with_length", [True, False])
def test_response_over_the_size_limit_is_refused(http_server: LocalServer, with_length: bool) -> None:
    url = http_server.route("/big", body=b"<p>" + b"x" * 300_000, content_length=with_length)
    with pytest.raises(InputError, match="larger than 100000 bytes"):
        fetch(url, WebSettings(max_bytes=100_000))


def test_gzip_bomb_is_stopped_after_decompression(http_server: LocalServer) -> None:
    bomb = gzip.compress(b"<p>" + b"a" * 50_000_000)
    assert len(bomb) < 100_000
    url = http_server.route("/bomb", body=bomb, headers={"Content-Encoding": "gzip"})
    with pytest.raises(InputError, match="larger than 1000000 bytes once decompressed"):
        fetch(url, WebSettings(max_bytes=1_000_000))


def test_gzip_response_is_decoded(http_server: LocalServer) -> None:
    url = http_server.route("/z", body=gzip.compress(PAGE), headers={"Content-Encoding": "gzip", **HTML})
    assert fetch(url).data == PAGE


def test_inflater_caps_output_of_each_chunk() -> None:
    inflater = Inflater(1000)
    with pytest.raises(InputError, match="once decompressed"):
        inflater.feed(gzip.compress(b"z" * 10_000))


def test_pdf_is_refused_with_a_clear_message(http_server: LocalServer) -> None:
    url = http_server.route("/paper.pdf", body=b"%PDF-1.7 ...", headers={"Content-Type": "application/pdf"})
    with pytest.raises(InputError, match="not an HTML page: application/pdf"):
        fetch(url)
    code, _, stderr = in_process([url], Settings())
    assert code == ExitCode.INPUT
    assert stderr == f"newsdown: {url}: not an HTML page: application/pdf\n"


@pytest.mark.parametrize("header", ["text/html; charset=utf-8", "text/html; charset=no-such-charset"])
def test_wrong_charset_header_still_converts(http_server: LocalServer, header: str) -> None:
    latin1 = (SAMPLES / "abendblatt-strassenbahn-latin1.html").read_bytes()
    url = http_server.route("/de", body=latin1, headers={"Content-Type": header})
    code, stdout, stderr = in_process([url], Settings())
    assert code == ExitCode.OK, stderr
    front, body = split_front_matter(stdout)
    assert "Straßenbahn" in str(front["title"]) + body
    assert "\ufffd" not in body


def test_connection_dropped_mid_body_fails_after_retries(http_server: LocalServer) -> None:
    url = http_server.route("/cut", body=PAGE, drop_after=200)
    with pytest.raises(FetchError, match="connection broke"):
        fetch(url, WebSettings(backoff=0.01, retries=1))
    assert len(http_server.requests) == 2


def test_user_agent_names_newsdown_and_can_be_overridden(http_server: LocalServer) -> None:
    url = http_server.route("/ua", body=PAGE, headers=HTML)
    fetch(url)
    fetch(url, WebSettings(user_agent="my-archiver/2.0"))
    agents = [request.headers["user-agent"] for request in http_server.requests]
    assert agents[0].startswith("newsdown/")
    assert agents[0].split("/")[1].split()[0][0].isdigit() or "dev" in agents[0]
    assert agents[1] == "my-archiver/2.0"


def test_cli_user_agent_option(http_server: LocalServer) -> None:
    url = http_server.route("/ua", body=PAGE, headers=HTML)
    result = newsdown(url, "--user-agent", "tester/1")
    assert result.returncode == 0, result.stderr
    assert http_server.requests[0].headers["user-agent"] == "tester/1"


def test_robots_txt_is_respected_for_lists_of_urls(http_server: LocalServer) -> None:
    http_server.route(
        "/robots.txt", body=b"User-agent: *\nDisallow: /private/\n", headers={"Content-Type": "text/plain"}
    )
    public = http_server.route("/news/strike", body=PAGE, headers=HTML)
    private = http_server.route("/private/strike", body=PAGE, headers=HTML)
    code, stdout, _ = in_process([public, private], Settings(format="json"))
    assert code == ExitCode.PARTIAL
    records = [json.loads(line) for line in stdout.splitlines()]
    assert [r["ok"] for r in records] == [True, False]
    assert records[1]["error"]["code"] == 5
    assert "robots.txt" in records[1]["error"]["message"]
    assert "/private/strike" not in http_server.paths()
    assert http_server.paths().count("/robots.txt") == 1


def test_robots_txt_can_be_ignored_and_is_not_read_for_one_url(http_server: LocalServer) -> None:
    http_server.route(
        "/robots.txt", body=b"User-agent: *\nDisallow: /\n", headers={"Content-Type": "text/plain"}
    )
    one = http_server.route("/a", body=PAGE, headers=HTML)
    two = http_server.route("/b", body=PAGE, headers=HTML)
    code, _, stderr = in_process([one, two], Settings(format="json", respect_robots=False))
    assert code == ExitCode.OK, stderr
    code, _, stderr = in_process([one], Settings())
    assert code == ExitCode.OK, stderr
    assert "/robots.txt" not in http_server.paths()


def test_at_most_two_requests_per_host_at_a_time(http_server: LocalServer) -> None:
    urls = [http_server.route(f"/p{i}", body=PAGE, headers=HTML, delay=0.3) for i in range(6)]
    code, stdout, stderr = in_process(urls, Settings(format="json", respect_robots=False))
    assert code == ExitCode.OK, stderr
    assert http_server.max_in_flight == 2
    # JSON Lines come in input order, whatever order the fetches finished in.
    assert [json.loads(line)["input"] for line in stdout.splitlines()] == urls


def test_results_follow_input_order_even_when_the_first_is_slowest(http_server: LocalServer) -> None:
    slow = http_server.route("/slow", body=PAGE, headers=HTML, delay=0.5)
    fast = [http_server.route(f"/f{i}", body=PAGE, headers=HTML) for i in range(3)]
    code, stdout, _ = in_process([slow, *fast], Settings(format="json", respect_robots=False))
    assert code == ExitCode.OK
    assert [json.loads(line)["input"] for line in stdout.splitlines()] == [slow, *fast]


@pytest.mark.parametrize("url", ["file:///etc/passwd", "javascript:alert(1)", "data:text/html,<p>x</p>"])
def test_other_schemes_are_refused_as_inputs(url: str) -> None:
    with pytest.raises(InputError, match="only http"):
        fetch_url(url)
    code, _, stderr = in_process([url], Settings())
    assert code == ExitCode.INPUT
    assert "URLs are not supported" in stderr


def test_urls_in_a_batch_are_written_by_headline(http_server: LocalServer, tmp_path: Path) -> None:
    one = http_server.route("/a", body=PAGE, headers=HTML)
    missing = http_server.route("/missing", status=404)
    out = tmp_path / "out"
    failed = tmp_path / "failed.txt"
    settings = Settings(output_dir=out, failed_list=failed, respect_robots=False)
    code, stdout, stderr = in_process([one, missing], settings)
    assert code == ExitCode.PARTIAL
    assert stdout == ""
    assert [p.name for p in out.iterdir()] == ["transit-workers-vote-to-strike-as-contract-talks-collapse.md"]
    assert failed.read_text() == f"{missing}\n"
    assert f"newsdown: {missing}: HTTP 404 Not Found" in stderr
    assert stderr.splitlines()[-1].startswith("newsdown: done: converted 1, skipped 0, failed 1 in ")


def test_fetch_url_title_round_trip(http_server: LocalServer) -> None:
    url = http_server.route("/news/strike", body=PAGE, headers=HTML)
    result = newsdown(url)
    assert result.returncode == 0, result.stderr
    front, _ = split_front_matter(result.stdout.decode())
    assert front["title"] == TITLE


def test_a_robots_txt_answering_a_server_error_means_fetch_nothing(http_server: LocalServer) -> None:
    http_server.route("/robots.txt", status=503, body=b"busy")
    pages = [http_server.route(f"/news/{n}", body=PAGE, headers=HTML) for n in range(2)]
    code, _, stderr = in_process(pages, Settings(format="json"))
    assert code == ExitCode.NETWORK
    assert "robots.txt answered HTTP 503" in stderr
    assert "--no-respect-robots" in stderr
    assert not [path for path in http_server.paths() if path.startswith("/news/")]
    assert http_server.paths().count("/robots.txt") == 1  # asked once for the host, not once a page


def test_a_missing_robots_txt_allows_everything(http_server: LocalServer) -> None:
    pages = [http_server.route(f"/news/{n}", body=PAGE, headers=HTML) for n in range(2)]
    code, _, stderr = in_process(pages, Settings(format="json"))
    assert code == ExitCode.OK, stderr
    assert "/robots.txt" in http_server.paths()


def _raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


BODY = b"<p>Harbour news</p>" * 200
ENCODED = {
    "gzip": gzip.compress(BODY),
    "zlib deflate": zlib.compress(BODY),
    "raw deflate": _raw_deflate(BODY),
    "two gzip members": gzip.compress(BODY[:1000]) + gzip.compress(BODY[1000:]),
    "trailing bytes": gzip.compress(BODY) + b"\x00\x00junk",
}


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(ENCODED)), st.integers(min_value=2, max_value=4096))
@example("two gzip members", len(gzip.compress(BODY[:1000])) + 1)  # the second magic number split
def test_inflater_reads_what_browsers_read_in_any_chunking(kind: str, chunk: int) -> None:
    data, inflater = ENCODED[kind], Inflater(1_000_000)
    out = b"".join(inflater.feed(data[at : at + chunk]) for at in range(0, len(data), chunk))
    inflater.finish()
    assert out == BODY


def test_inflater_says_when_a_stream_was_cut_off() -> None:
    inflater = Inflater(1_000_000)
    inflater.feed(gzip.compress(BODY)[:-20])
    with pytest.raises(FetchError, match="cut off"):
        inflater.finish()


def test_raw_deflate_response_is_decoded(http_server: LocalServer) -> None:
    url = http_server.route("/raw", body=_raw_deflate(PAGE), headers={**HTML, "Content-Encoding": "deflate"})
    assert fetch(url).data == PAGE
