"""Shared fixtures. `http_server`: a local HTTP server on 127.0.0.1 serving routes the test registers.

    def test_x(http_server):
        http_server.route("/a", body=b"<html>...</html>", headers={"Content-Type": "text/html"})
        http_server.route("/slow", body=b"...", delay=2.0)           # wait before answering
        http_server.route("/cut", body=b"x" * 5000, drop_after=100)  # close the connection mid-body
        http_server.route("/loop", status=302, headers={"Location": "/loop"})  # a redirect loop
        http_server.route("/flaky", status=503)                      # the first request gets 503,
        http_server.route("/flaky", body=b"<p>ok</p>")               # later ones 200
        url = f"{http_server}/a"                                     # the fixture is the base URL
        http_server.requests                                         # what was asked, in order

Routes registered twice for one path answer in turn; the last one keeps answering. A path with no
route gets 404. Tests never touch the network: the server binds 127.0.0.1 on a free port.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass(frozen=True, slots=True)
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the response starts
    drop_after: int | None = None  # send only this many body bytes, then drop the connection
    content_length: bool = True  # False: no Content-Length, the body ends when the connection closes


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]


class LocalServer(str):
    """The base URL ("http://127.0.0.1:PORT"), plus the routes and the requests seen."""

    _routes: dict[str, list[Route]]
    _lock: threading.Lock
    requests: list[Request]
    in_flight: int
    max_in_flight: int  # the most requests handled at the same time
    stopping: threading.Event

    def route(
        self,
        path: str,
        *,
        status: int = 200,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
        delay: float = 0.0,
        drop_after: int | None = None,
        content_length: bool = True,
    ) -> str:
        """Register a response for `path` (with its query string, if the test asks with one); returns
        the full URL."""
        answer = Route(status, body, dict(headers or {}), delay, drop_after, content_length)
        with self._lock:
            self._routes.setdefault(path, []).append(answer)
        return f"{self}{path}"

    def url(self, path: str) -> str:
        return f"{self}{path}"

    def paths(self) -> list[str]:
        with self._lock:
            return [request.path for request in self.requests]

    def _answer(self, request: Request) -> Route | None:
        with self._lock:
            self.requests.append(request)
            answers = self._routes.get(request.path) or self._routes.get(request.path.split("?")[0])
            if not answers:
                return None
            return answers.pop(0) if len(answers) > 1 else answers[0]

    def _enter(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def _leave(self) -> None:
        with self._lock:
            self.in_flight -= 1


def make_handler(holder: list[LocalServer]) -> type[BaseHTTPRequestHandler]:
    """The handler class; `holder` gets the server object once the socket (and port) exists."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            server = holder[0]
            server._enter()
            try:
                self._respond()
            finally:
                server._leave()

        def do_HEAD(self) -> None:
            self.do_GET()

        def _respond(self) -> None:
            server = holder[0]
            request = Request(self.command, self.path, {k.lower(): v for k, v in self.headers.items()})
            answer = server._answer(request) or Route(404, b"no such route", {"Content-Type": "text/plain"})
            if answer.delay and server.stopping.wait(answer.delay):
                return
            self.send_response(answer.status)
            headers = {k.lower(): v for k, v in answer.headers.items()}
            for name, value in answer.headers.items():
                self.send_header(name, value)
            if "content-type" not in headers:
                self.send_header("Content-Type", "text/html; charset=utf-8")
            if answer.content_length and "content-length" not in headers:
                self.send_header("Content-Length", str(len(answer.body)))
            if not answer.content_length or answer.drop_after is not None:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            if self.command == "HEAD":
                return
            if answer.drop_after is not None:
                self.wfile.write(answer.body[: answer.drop_after])
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            self.wfile.write(answer.body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients that time out and hang up are what several tests are about


@pytest.fixture
def http_server() -> Iterator[LocalServer]:
    """A threaded HTTP server on 127.0.0.1 (a free port), stopped after the test."""
    holder: list[LocalServer] = []
    httpd = _QuietServer(("127.0.0.1", 0), make_handler(holder))
    server = LocalServer(f"http://127.0.0.1:{httpd.server_address[1]}")
    server._routes = {}
    server._lock = threading.Lock()
    server.requests = []
    server.in_flight = 0
    server.max_in_flight = 0
    server.stopping = threading.Event()
    holder.append(server)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stopping.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)
