"""Converting documents: the pure part of one input (convert and render), in this process or in
worker processes with a time limit per document.

A worker is a process of its own with a pipe; the parent sends it one Job at a time and waits
at most --doc-timeout for the Result. A worker that takes longer is killed and replaced, and
the document fails with "took longer than N s"; the batch goes on. Only the parent writes files
and stdout, so naming and output order stay deterministic.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import multiprocessing
import queue
import signal
import threading
import traceback
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Literal

from newsdown.cli.deadline import DocumentTimeoutError, time_limit
from newsdown.cli.exitcodes import ExitCode
from newsdown.converters.errors import InputError, NewsdownError
from newsdown.converters.model import Article, Options, Source

OutputFormat = Literal["markdown", "json", "text"]
# Modules a fresh worker needs; the fork server imports them once, so workers start warm.
PRELOAD = [
    "newsdown.cli.pool",
    "newsdown.converters.pipeline",
    "newsdown.converters.decode",
    "newsdown.converters.extract",
    "newsdown.converters.markdown",
    "newsdown.converters.metadata",
    "newsdown.converters.frontmatter",
    "newsdown.converters.text",
]
TASKS_PER_WORKER = 2000  # then the worker is replaced, so a slow leak in a parser cannot grow forever
DEPTH = 2  # jobs a worker holds: the one it converts and the next, so it never waits for the parent
WATCHDOG_GRACE = 2.0  # seconds past --doc-timeout before the parent kills a worker that did not stop
CRASHED = "the converter crashed on this page"


@dataclass(frozen=True, slots=True, kw_only=True)
class Job:
    """One document to convert: a file the worker reads itself, or bytes already read or fetched."""

    origin: str
    path: str | None = None
    source: Source | None = None
    options: Options
    base_url: str | None = None
    format: OutputFormat = "markdown"
    front_matter: bool = True
    explain: bool = False
    debug: bool = False  # keep the traceback of an internal error (-vv)


@dataclass(frozen=True, slots=True, kw_only=True)
class Result:
    """What became of a Job: the rendered text, or an exit code and a one-line reason."""

    text: str | None = None
    title: str | None = None
    removed: tuple[tuple[str, str], ...] = ()  # (rule, text) for --explain
    code: ExitCode = ExitCode.OK
    message: str = ""
    details: str = ""  # a traceback, with -vv

    @property
    def ok(self) -> bool:
        return self.text is not None


Pending = tuple[Job, "asyncio.Future[Result]"]


def timed_out(seconds: float) -> Result:
    return Result(code=ExitCode.INPUT, message=f"took longer than {seconds:g} s to convert (--doc-timeout)")


def convert_job(job: Job) -> Result:
    """Read (if a file), convert and render one document; every failure becomes a Result."""
    try:
        article = convert_article(job)
        removed = tuple((r.rule, r.text) for r in article.removed) if job.explain else ()
        return Result(text=render(article, job), title=article.title, removed=removed)
    except NewsdownError as error:
        return Result(code=ExitCode(error.exit_code), message=str(error))
    except RecursionError:
        return Result(code=ExitCode.INPUT, message="the page is nested too deeply to convert")
    except MemoryError:
        return Result(code=ExitCode.INPUT, message="the page needs more memory than there is")
    except Exception as error:  # noqa: BLE001  # a bug: one line, the traceback only with -vv
        reason = f"internal error ({type(error).__name__}: {error}); run with -vv for details"
        details = traceback.format_exc() if job.debug else ""
        return Result(code=ExitCode.PARTIAL, message=reason, details=details)


def convert_article(job: Job) -> Article:
    from pathlib import Path

    from newsdown.converters import fetch
    from newsdown.converters.pipeline import convert_source

    if job.source is not None:
        source = job.source
    elif job.path is not None:
        source = fetch.read_path(Path(job.path), job.origin)
    else:
        raise InputError("nothing to read")
    if job.base_url and source.url is None:
        source = Source(origin=source.origin, data=source.data, url=job.base_url)
    return convert_source(source, job.options)


def render(article: Article, job: Job) -> str:
    if job.format == "json":
        record = {**article.to_dict(), "input": job.origin, "ok": True}
        return json.dumps(record, ensure_ascii=False) + "\n"
    if job.format == "text":
        from newsdown.converters.markdown import markdown_to_text

        body = markdown_to_text(article.body_markdown)
        return f"{article.title}\n\n{body}" if article.title else body
    return article.to_markdown(front_matter=job.front_matter)


def convert_within(job: Job, seconds: float) -> Result:
    """convert_job, cut off after `seconds` (0: no limit) by an alarm in this process."""
    try:
        with time_limit(seconds):
            return convert_job(job)
    except DocumentTimeoutError as error:
        return Result(code=ExitCode(error.exit_code), message=str(error))


def worker_main(connection: Connection, doc_timeout: float) -> None:
    """A worker's life: convert jobs from the pipe until told to stop (None) or the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's business
    while True:
        try:
            job = connection.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            connection.send(convert_within(job, doc_timeout))
        except (BrokenPipeError, OSError):
            return


class _CrashedError(Exception):
    pass


class _TimedOutError(Exception):
    pass


class Worker:
    """One worker process and the parent's end of its pipe."""

    def __init__(self, context: multiprocessing.context.BaseContext, doc_timeout: float) -> None:
        parent_end, child_end = context.Pipe(duplex=True)
        self.connection: Connection = parent_end
        self.process: BaseProcess = context.Process(  # type: ignore[attr-defined]
            target=worker_main, args=(child_end, doc_timeout), daemon=True, name="newsdown-worker"
        )
        self.process.start()
        child_end.close()
        self.sent = 0

    def send(self, job: Job) -> None:
        try:
            self.connection.send(job)
        except OSError:  # the process is gone
            raise _CrashedError from None
        self.sent += 1

    def receive(self, timeout: float | None) -> Result:
        """Blocking: the result of the oldest job sent (run in a thread, off the event loop)."""
        try:
            if not self.connection.poll(timeout):
                raise _TimedOutError
            result = self.connection.recv()
        except (EOFError, OSError):
            raise _CrashedError from None
        if not isinstance(result, Result):
            raise _CrashedError
        return result

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.connection.send(None)
        self.process.join(1)
        self.kill()

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.connection.close()

    def interrupt(self) -> None:
        """Kill the process only, from any thread: the thread serving this worker then sees its pipe
        break and retires the worker, closing the pipe itself."""
        with contextlib.suppress(OSError, ValueError):  # gone already
            self.process.kill()


def start_context() -> multiprocessing.context.BaseContext:
    """A fork server where there is one: workers fork from a clean, single-threaded, warm process."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        return context
    return multiprocessing.get_context("spawn")


class WorkerPool:
    """`size` workers, each driven by a thread of its own (a _Lane): `await pool.convert(job)` queues
    the job, a lane with room sends it to its worker, and the result comes back off the event loop."""

    def __init__(self, size: int, doc_timeout: float) -> None:
        self.size = max(1, size)
        self.doc_timeout = max(doc_timeout, 0.0)
        # The worker cuts a document off itself, at doc_timeout; the parent kills it only if that
        # alarm cannot fire (stuck in C code), a little later.
        self.watchdog = self.doc_timeout + WATCHDOG_GRACE if self.doc_timeout else None
        self._context = start_context()
        self.jobs: queue.SimpleQueue[Pending | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._alive: set[Worker] = set()
        self._lock = threading.Lock()
        self.closed = threading.Event()
        self.loop: asyncio.AbstractEventLoop | None = None

    async def convert(self, job: Job) -> Result:
        self.loop = asyncio.get_running_loop()
        if not self._threads:
            for number in range(self.size):
                lane = _Lane(self)
                thread = threading.Thread(target=lane.serve, daemon=True, name=f"newsdown-pool-{number}")
                thread.start()
                self._threads.append(thread)
        future: asyncio.Future[Result] = self.loop.create_future()
        self.jobs.put((job, future))
        return await future

    def start(self) -> Worker:
        with self._lock:
            if self.closed.is_set():
                raise RuntimeError("the pool is closed")
            worker = Worker(self._context, self.doc_timeout)
            self._alive.add(worker)
            return worker

    def retire(self, worker: Worker, *, gently: bool) -> None:
        with self._lock:
            self._alive.discard(worker)
        worker.stop() if gently else worker.kill()

    def settle(self, future: asyncio.Future[Result], result: Result) -> None:
        assert self.loop is not None
        self.loop.call_soon_threadsafe(_settle, future, result)

    def close(self) -> None:
        """Stop every worker (busy ones at once: their documents are abandoned) and the threads.

        Only a worker's own thread closes its pipe. Closed here as well, while that thread still uses
        it, a descriptor could be closed twice: the second time, whichever file took its number.
        """
        self.closed.set()
        with self._lock:
            alive = list(self._alive)
        for worker in alive:
            worker.interrupt()
        for _ in self._threads:
            self.jobs.put(None)
        for thread in self._threads:
            thread.join(10)


class _Lane:
    """One pool thread: its worker, and the jobs sent to it whose results have not come back.

    The worker holds up to DEPTH jobs, so it starts the next as soon as it has sent a result,
    without waiting for this thread to wake up and answer. Only a job that carries no bytes (a file
    the worker reads itself) goes to a busy worker: a big one could fill the pipe while the worker
    fills the other way with its result, and both would wait forever.
    """

    def __init__(self, pool: WorkerPool) -> None:
        self.pool = pool
        self.worker: Worker | None = None
        self.sent: collections.deque[Pending] = collections.deque()  # in the worker, oldest first
        self.waiting: collections.deque[Pending] = collections.deque()  # taken, not yet sent

    def serve(self) -> None:
        try:
            while self._fill():
                if self.sent:
                    self._receive()
        except RuntimeError:  # the event loop is closed: the run is over
            pass
        finally:
            if self.worker is not None:
                self.pool.retire(self.worker, gently=not self.sent)

    def _fill(self) -> bool:
        """Send jobs while the worker has room; False once the pool closes."""
        while len(self.sent) < DEPTH and not self.pool.closed.is_set():
            if self.worker is not None and self.worker.sent >= TASKS_PER_WORKER:
                if self.sent:
                    return True  # its last results first, then a fresh worker
                self.pool.retire(self.worker, gently=True)
                self.worker = None
            item = self._next()
            if item is None:
                return bool(self.sent) or not self.pool.closed.is_set()
            if self.sent and item[0].source is not None:
                self.waiting.appendleft(item)  # for an idle worker
                return True
            self._send(item)
        return not self.pool.closed.is_set()

    def _next(self) -> Pending | None:
        """The next job to send: one left over, else from the queue (waiting only if idle)."""
        while True:
            if self.waiting:
                item: Pending | None = self.waiting.popleft()
            elif self.sent:
                try:
                    item = self.pool.jobs.get_nowait()
                except queue.Empty:
                    return None
            else:
                item = self.pool.jobs.get()
            if item is None:  # close(): the pool stops
                return None
            if not item[1].cancelled():
                return item

    def _send(self, item: Pending) -> None:
        try:
            self.worker = self.worker or self.pool.start()
        except OSError as error:  # cannot fork: too many processes, no memory
            reason = f"cannot start a worker process: {error.strerror or error}"
            self.pool.settle(item[1], Result(code=ExitCode.PARTIAL, message=reason))
            return
        self.sent.append(item)
        try:
            self.worker.send(item[0])
        except _CrashedError:
            self._lose_worker(Result(code=ExitCode.INPUT, message=CRASHED))

    def _receive(self) -> None:
        """Wait for the oldest job's result. Every failure becomes a Result: an unsettled future
        would stall the batch."""
        assert self.worker is not None
        try:
            result = self.worker.receive(self.pool.watchdog)
        except _TimedOutError:
            self._lose_worker(timed_out(self.pool.doc_timeout))
        except _CrashedError:
            self._lose_worker(Result(code=ExitCode.INPUT, message=CRASHED))
        except Exception as error:  # noqa: BLE001  # a bug here must fail one document, not hang the run
            self._lose_worker(Result(code=ExitCode.PARTIAL, message=f"internal error ({error!r})"))
        else:
            self.pool.settle(self.sent.popleft()[1], result)

    def _lose_worker(self, result: Result) -> None:
        """The worker died or hung on its oldest job, which gets `result`; the jobs behind it go to
        the next worker."""
        assert self.worker is not None
        self.pool.retire(self.worker, gently=False)
        self.worker = None
        self.pool.settle(self.sent.popleft()[1], result)
        self.waiting.extendleft(reversed(self.sent))
        self.sent.clear()


def _settle(future: asyncio.Future[Result], result: Result) -> None:
    if not future.done():
        future.set_result(result)
