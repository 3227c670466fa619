"""Converting documents: the pure part of one input (convert and render), in this process or in
worker processes with a time limit per document.

A worker is a process of its own with a pipe, which the parent's event loop keeps fed with up to
DEPTH jobs (a _Lane). The worker cuts a document off at --doc-timeout itself; one that does
not answer a little after that is killed and replaced, and the document fails with "took longer
than N s"; the batch goes on. The parent names every output, in input order, so names stay
deterministic; a job whose name it settled before sending it (a file under --output-dir) carries
that name, and the worker writes the file itself, which keeps the parent, on a core the workers
need, to a small share of the work. Everything else (stdout, names from headlines) the parent
writes, in input order.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import multiprocessing
import os
import signal
import traceback
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Literal

from newsdown.cli.deadline import DocumentTimeoutError, time_limit
from newsdown.cli.exitcodes import ExitCode
from newsdown.cli.output import TargetExistsError, remove_temporaries, write_atomically
from newsdown.converters.errors import InputError, NewsdownError, OutputError
from newsdown.converters.model import Article, Options, Source, pickled_as_tuple

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
    "newsdown.converters.readable",  # readability and lxml's cleaner, imported at the first page
    "newsdown.converters.limits",
    "newsdown.converters.fetch",  # reads the file a job names (and imports http.client, email)
]
TASKS_PER_WORKER = 2000  # then the worker is replaced, so a slow leak in a parser cannot grow forever
DEPTH = 2  # jobs a worker holds: the one it converts and the next, so it never waits for the parent
WATCHDOG_GRACE = 2.0  # seconds past --doc-timeout before the parent kills a worker that did not stop
CRASHED = "the converter crashed on this page"


@pickled_as_tuple
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
    target: str | None = None  # the output file, if named before converting: written where converted
    force: bool = False  # replace an existing target


@pickled_as_tuple
@dataclass(frozen=True, slots=True, kw_only=True)
class Result:
    """What became of a Job: the rendered text (or its target written), or an exit code and a
    one-line reason; a target that exists already without --force is skipped, not converted."""

    text: str | None = None
    written: bool = False
    skipped: bool = False
    title: str | None = None
    removed: tuple[tuple[str, str], ...] = ()  # (rule, text) for --explain
    code: ExitCode = ExitCode.OK
    message: str = ""
    details: str = ""  # a traceback, with -vv

    @property
    def ok(self) -> bool:
        return self.text is not None or self.written


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


def run_job(job: Job, seconds: float) -> Result:
    """convert_within, and the result written to the job's target if it has one (after the time
    limit: an alarm between publishing the file and returning would fail a written document)."""
    if job.target is not None and not job.force and os.path.exists(job.target):
        return Result(skipped=True, message=f"{job.target} exists (use --force to overwrite)")
    result = convert_within(job, seconds)
    if job.target is None or result.text is None:
        return result
    try:
        write_atomically(Path(job.target), result.text, force=job.force)
    except TargetExistsError as error:  # created since the check above
        return Result(skipped=True, message=str(error))
    except OutputError as error:
        return Result(code=ExitCode(error.exit_code), message=str(error))
    return replace(result, text=None, written=True)


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
            connection.send(run_job(job, doc_timeout))
        except (BrokenPipeError, OSError):
            return


class _CrashedError(Exception):
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

    def receive(self) -> Result:
        """The result of the oldest job sent; called when the pipe is readable, so it does not wait
        (a big result is read to its end while the worker is still writing it)."""
        try:
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


def start_context() -> multiprocessing.context.BaseContext:
    """A fork server where there is one: workers fork from a clean, single-threaded, warm process."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        return context
    return multiprocessing.get_context("spawn")


class WorkerPool:
    """`size` workers driven from the event loop, with no threads: `await pool.convert(job)` queues
    the job, a lane with room sends it, and the loop, watching each worker's pipe, settles the
    job's future when the result comes back."""

    def __init__(self, size: int, doc_timeout: float) -> None:
        self.size = max(1, size)
        self.doc_timeout = max(doc_timeout, 0.0)
        # The worker cuts a document off itself, at doc_timeout; the parent kills it only if that
        # alarm cannot fire (stuck in C code), a little later.
        self.watchdog = self.doc_timeout + WATCHDOG_GRACE if self.doc_timeout else None
        self._context = start_context()
        self.waiting: collections.deque[Pending] = collections.deque()  # not yet sent, in input order
        self._lanes: list[_Lane] = []
        self._alive: set[Worker] = set()
        self.closed = False

    async def convert(self, job: Job) -> Result:
        return await self.submit(job)

    def submit(self, job: Job) -> asyncio.Future[Result]:
        """Queue the job; the future gets its Result, never an exception. (A future, not a task:
        a batch submits every file it converts, and a task per file costs the parent a few turns
        of the event loop.)"""
        loop = asyncio.get_running_loop()
        if not self._lanes:
            self._lanes = [_Lane(self, loop) for _ in range(self.size)]
        future: asyncio.Future[Result] = loop.create_future()
        self.waiting.append((job, future))
        self.dispatch()
        return future

    def dispatch(self) -> None:
        """Send waiting jobs, each to the least busy lane that can take it."""
        while self.waiting and not self.closed:
            job, future = self.waiting[0]
            if future.cancelled():
                self.waiting.popleft()
                continue
            least_busy = None
            for lane in self._lanes:
                if lane.can_take(job) and (least_busy is None or len(lane.sent) < len(least_busy.sent)):
                    least_busy = lane
            if least_busy is None:
                return
            least_busy.send(self.waiting.popleft())

    def start(self) -> Worker:
        if self.closed:
            raise RuntimeError("the pool is closed")
        worker = Worker(self._context, self.doc_timeout)
        self._alive.add(worker)
        return worker

    def retire(self, worker: Worker, *, gently: bool) -> None:
        self._alive.discard(worker)
        worker.stop() if gently else worker.kill()

    def close(self) -> None:
        """Stop every worker; the documents still in them are abandoned."""
        self.closed = True
        for lane in self._lanes:
            lane.close()
        for worker in list(self._alive):
            self.retire(worker, gently=False)


class _Lane:
    """One worker and the jobs sent to it whose results have not come back, oldest first.

    The worker holds up to DEPTH jobs, so it starts the next as soon as it has sent a result,
    without waiting for the parent to answer. Only a job that carries no bytes (a file the worker
    reads itself, a few hundred bytes) goes to a busy worker: a big job could fill the pipe while
    the worker fills it the other way with its result, and both would wait forever.
    """

    def __init__(self, pool: WorkerPool, loop: asyncio.AbstractEventLoop) -> None:
        self.pool = pool
        self.loop = loop
        self.worker: Worker | None = None
        self.sent: collections.deque[Pending] = collections.deque()
        self._watchdog: asyncio.TimerHandle | None = None
        self._since = 0.0  # when the oldest job sent started converting (loop time)

    def can_take(self, job: Job) -> bool:
        if not self.sent:
            return True
        assert self.worker is not None
        return len(self.sent) < DEPTH and job.source is None and self.worker.sent < TASKS_PER_WORKER

    def send(self, item: Pending) -> None:
        if self.worker is not None and self.worker.sent >= TASKS_PER_WORKER:
            self._retire(gently=True)  # idle, since can_take() said so: replaced by a fresh one
        try:
            worker = self.worker or self._start()
        except OSError as error:  # cannot fork: too many processes, no memory
            reason = f"cannot start a worker process: {error.strerror or error}"
            _settle(item[1], Result(code=ExitCode.PARTIAL, message=reason))
            return
        self.sent.append(item)
        try:
            worker.send(item[0])
        except _CrashedError:
            self._lose_worker(Result(code=ExitCode.INPUT, message=CRASHED))
            return
        if len(self.sent) == 1:
            self._arm()

    def _start(self) -> Worker:
        worker = self.worker = self.pool.start()
        self.loop.add_reader(worker.connection.fileno(), self._readable)
        return worker

    def _readable(self) -> None:
        """The oldest job's result has come, or the worker died. Every failure becomes a Result:
        an unsettled future would stall the batch."""
        assert self.worker is not None
        try:
            result = self.worker.receive()
        except _CrashedError:
            self._lose_worker(Result(code=ExitCode.INPUT, message=CRASHED))
        except Exception as error:  # noqa: BLE001  # a bug here must fail one document, not hang the run
            self._lose_worker(Result(code=ExitCode.PARTIAL, message=f"internal error ({error!r})"))
        else:
            _settle(self.sent.popleft()[1], result)
            if self.sent:
                self._arm()  # the next job started when this result was sent: before now
        self.pool.dispatch()

    def _arm(self) -> None:
        """Watch the oldest job sent, from now. The timer is not moved for every job (a timer
        handle made and cancelled per document): when it fires, it looks at the job then oldest."""
        if self.pool.watchdog is None:
            return
        self._since = self.loop.time()
        if self._watchdog is None:
            self._watchdog = self.loop.call_at(self._since + self.pool.watchdog, self._check)

    def _check(self) -> None:
        self._watchdog = None
        if not self.sent or self.pool.watchdog is None:
            return  # idle: the next job sent arms it again
        due = self._since + self.pool.watchdog
        if self.loop.time() < due:
            self._watchdog = self.loop.call_at(due, self._check)
            return
        self._lose_worker(timed_out(self.pool.doc_timeout))
        self.pool.dispatch()

    def _disarm(self) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
            self._watchdog = None

    def _lose_worker(self, result: Result) -> None:
        """The worker died or hung on its oldest job, which gets `result`; the jobs behind it go
        back to the front of the queue, for the next worker."""
        self._retire(gently=False)
        _settle(self.sent.popleft()[1], result)
        self.pool.waiting.extendleft(reversed(self.sent))
        self.sent.clear()

    def _retire(self, *, gently: bool) -> None:
        self._disarm()
        if self.worker is not None:
            self.loop.remove_reader(self.worker.connection.fileno())
            pid = self.worker.process.pid
            self.pool.retire(self.worker, gently=gently)
            self.worker = None
            if not gently and pid is not None:
                # Killed, perhaps in the middle of writing an output: no half-written file stays.
                for job, _ in self.sent:
                    if job.target is not None:
                        remove_temporaries(Path(job.target), pid)

    def close(self) -> None:
        self._retire(gently=not self.sent)


def _settle(future: asyncio.Future[Result], result: Result) -> None:
    if not future.done():
        future.set_result(result)
