"""Converting documents: the pure part of one input (convert and render), in this process or in
worker processes with a time limit per document.

A worker is a process of its own with a pipe; the parent sends it one Job at a time and waits
at most --doc-timeout for the Result. A worker that takes longer is killed and replaced, and
the document fails with "took longer than N s"; the batch goes on. Only the parent writes files
and stdout, so naming and output order stay deterministic.
"""

from __future__ import annotations

import asyncio
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


def worker_main(connection: Connection) -> None:
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
            connection.send(convert_job(job))
        except (BrokenPipeError, OSError):
            return


class _CrashedError(Exception):
    pass


class _TimedOutError(Exception):
    pass


class Worker:
    """One worker process and the parent's end of its pipe."""

    def __init__(self, context: multiprocessing.context.BaseContext) -> None:
        parent_end, child_end = context.Pipe(duplex=True)
        self.connection: Connection = parent_end
        self.process: BaseProcess = context.Process(  # type: ignore[attr-defined]
            target=worker_main, args=(child_end,), daemon=True, name="newsdown-worker"
        )
        self.process.start()
        child_end.close()
        self.tasks = 0

    def call(self, job: Job, timeout: float | None) -> Result:
        """Blocking: send the job, wait for its result (run in a thread, off the event loop)."""
        try:
            self.connection.send(job)
            if not self.connection.poll(timeout):
                raise _TimedOutError
            result = self.connection.recv()
        except (EOFError, OSError):
            raise _CrashedError from None
        self.tasks += 1
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
    """`size` workers, each driven by a thread of its own: `await pool.convert(job)` queues the job,
    the next free thread sends it to its worker and waits for the result, off the event loop."""

    def __init__(self, size: int, doc_timeout: float) -> None:
        self.size = max(1, size)
        self.doc_timeout = doc_timeout if doc_timeout > 0 else None
        self._context = start_context()
        self._jobs: queue.SimpleQueue[tuple[Job, asyncio.Future[Result]] | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._alive: set[Worker] = set()
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None

    async def convert(self, job: Job) -> Result:
        self._loop = asyncio.get_running_loop()
        if not self._threads:
            for number in range(self.size):
                thread = threading.Thread(target=self._serve, daemon=True, name=f"newsdown-pool-{number}")
                thread.start()
                self._threads.append(thread)
        future: asyncio.Future[Result] = self._loop.create_future()
        self._jobs.put((job, future))
        return await future

    def _serve(self) -> None:
        worker: Worker | None = None
        try:
            while (item := self._jobs.get()) is not None and not self._closed.is_set():
                job, future = item
                if future.cancelled():
                    continue
                result, worker = self._run(worker, job)
                assert self._loop is not None
                self._loop.call_soon_threadsafe(_settle, future, result)
        except RuntimeError:  # the event loop is closed: the run is over
            pass
        finally:
            if worker is not None:
                self._retire(worker, gently=True)

    def _run(self, worker: Worker | None, job: Job) -> tuple[Result, Worker | None]:
        """The job's result, and the worker for the next job (None: start a fresh one).

        Every failure here becomes the job's Result: a future left unsettled would stall the batch.
        """
        try:
            worker = worker or self._start()
        except OSError as error:  # cannot fork: too many processes, no memory
            reason = f"cannot start a worker process: {error.strerror or error}"
            return Result(code=ExitCode.PARTIAL, message=reason), None
        try:
            result, keep = self._call(worker, job)
        except Exception as error:  # noqa: BLE001  # a bug here must fail one document, not hang the run
            result, keep = Result(code=ExitCode.PARTIAL, message=f"internal error ({error!r})"), False
        if keep:
            return result, worker
        self._retire(worker, gently=result.ok)
        return result, None

    def _call(self, worker: Worker, job: Job) -> tuple[Result, bool]:
        """The job's result, and whether the worker can take another job."""
        try:
            result = worker.call(job, self.doc_timeout)
        except _TimedOutError:
            return timed_out(self.doc_timeout or 0), False
        except _CrashedError:
            return Result(code=ExitCode.INPUT, message="the converter crashed on this page"), False
        return result, worker.tasks < TASKS_PER_WORKER

    def _start(self) -> Worker:
        with self._lock:
            if self._closed.is_set():
                raise RuntimeError("the pool is closed")
            worker = Worker(self._context)
            self._alive.add(worker)
            return worker

    def _retire(self, worker: Worker, *, gently: bool) -> None:
        with self._lock:
            self._alive.discard(worker)
        worker.stop() if gently else worker.kill()

    def close(self) -> None:
        """Stop every worker (busy ones at once: their documents are abandoned) and the threads.

        Only a worker's own thread closes its pipe. Closed here as well, while that thread still uses
        it, a descriptor could be closed twice: the second time, whichever file took its number.
        """
        self._closed.set()
        with self._lock:
            alive = list(self._alive)
        for worker in alive:
            worker.interrupt()
        for _ in self._threads:
            self._jobs.put(None)
        for thread in self._threads:
            thread.join(10)


def _settle(future: asyncio.Future[Result], result: Result) -> None:
    if not future.done():
        future.set_result(result)
