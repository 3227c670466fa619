"""URL input against a local HTTP server started by the test, and the per-document time limit."""

from __future__ import annotations

import gc
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from newsdown.cli.deadline import DocumentTimeoutError, time_limit
from tests.helpers import SAMPLES, newsdown, split_front_matter

PAGE = (SAMPLES / "ridgeline-transit-strike.html").read_bytes()
ROUTES: dict[str, tuple[int, str, bytes]] = {
    "/news/strike": (200, "text/html; charset=utf-8", PAGE),
    "/missing": (404, "text/html", b"<html><body>Not found</body></html>"),
    "/photo.jpg": (200, "image/jpeg", b"\xff\xd8\xff\xe0 not really a jpeg"),
}


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/news/strike")
            self.end_headers()
            return
        status, content_type, body = ROUTES.get(self.path, (404, "text/plain", b"no route"))
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # keep test output clean
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """A threaded HTTP server on 127.0.0.1 (port chosen by the OS), stopped after the tests."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_url_input_converts_the_page(server: str) -> None:
    result = newsdown(f"{server}/news/strike")
    assert result.returncode == 0, result.stderr
    front, body = split_front_matter(result.stdout.decode())
    assert front["title"] == "Transit workers vote to strike as contract talks collapse"
    assert "Bus and light-rail operators voted" in body


def test_redirects_are_followed(server: str) -> None:
    result = newsdown(f"{server}/moved", "-f", "json")
    assert result.returncode == 0, result.stderr
    assert b'"ok": true' in result.stdout


def test_http_error_exits_5(server: str) -> None:
    result = newsdown(f"{server}/missing")
    assert result.returncode == 5
    assert result.stderr.decode() == f"newsdown: {server}/missing: HTTP 404 Not Found\n"


def test_non_html_content_type_is_refused_with_exit_4(server: str) -> None:
    result = newsdown(f"{server}/photo.jpg")
    assert result.returncode == 4
    assert b"not an HTML page: image/jpeg" in result.stderr


def test_url_output_is_named_by_headline_slug(server: str, tmp_path: Path) -> None:
    result = newsdown(f"{server}/news/strike", "--output-dir", tmp_path)
    assert result.returncode == 0, result.stderr
    assert [p.name for p in tmp_path.iterdir()] == [
        "transit-workers-vote-to-strike-as-contract-talks-collapse.md"
    ]


@pytest.mark.parametrize("scheme", ["file:///etc/passwd", "javascript:alert(1)", "data:text/html,<p>x</p>"])
def test_other_schemes_are_refused(scheme: str) -> None:
    result = newsdown(scheme)
    assert result.returncode == 4
    assert b"URLs are not supported" in result.stderr


def test_time_limit_interrupts_a_long_computation() -> None:
    def spin_inside_a_safety_net() -> None:
        try:
            while True:
                pass
        except Exception:  # noqa: BLE001  # like the stages' last-resort nets: must not swallow the limit
            return

    started = time.monotonic()
    with pytest.raises(DocumentTimeoutError):
        run_limited(spin_inside_a_safety_net, 0.05)
    assert time.monotonic() - started < 5


def run_limited(work: Callable[[], None], seconds: float) -> None:
    with time_limit(seconds):
        work()


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_time_limit_holds_when_its_first_alarm_lands_where_python_drops_exceptions() -> None:
    """An exception raised in a garbage-collector callback is only printed; the alarm must fire again.
    (hypothesis installs such a callback, and in a full test run the first alarm landed in it.)"""

    def slow_callback(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            time.sleep(0.3)  # the first alarm goes off in here

    def collect_then_wait() -> None:
        gc.collect()
        gc.callbacks.remove(slow_callback)
        time.sleep(3)

    dropped: list[object] = []
    # The dropped exception goes to a hook that only keeps it: pytest's own formats a traceback,
    # long enough for the alarm's next shot to land inside that hook, which pytest then reports.
    hook, sys.unraisablehook = sys.unraisablehook, dropped.append
    gc.callbacks.append(slow_callback)
    try:
        with pytest.raises(DocumentTimeoutError):
            run_limited(collect_then_wait, 0.1)
    finally:
        sys.unraisablehook = hook
        if slow_callback in gc.callbacks:
            gc.callbacks.remove(slow_callback)
    assert dropped  # the first alarm did land where Python drops exceptions


def test_time_limit_zero_means_none() -> None:
    with time_limit(0):
        time.sleep(0.01)


def test_slow_document_fails_and_the_batch_goes_on(tmp_path: Path) -> None:
    slow = tmp_path / "slow.html"
    # 45,000 small link-bearing blocks: about 15 s of readability scoring on our machine.
    block = (
        '<div class="c"><p>Words of a long page, with <a href="/x">a link</a> in it.</p><span>x</span></div>'
    )
    slow.write_text("<html><body>" + block * 45_000 + "</body></html>")
    fast = tmp_path / "fast.html"
    fast.write_bytes(PAGE)
    out = tmp_path / "out"
    result = newsdown(slow, fast, "--output-dir", out, "--doc-timeout", "1")
    assert result.returncode == 1
    assert b"slow.html: took longer than 1 s to convert" in result.stderr
    assert [p.name for p in out.iterdir()] == ["fast.md"]
