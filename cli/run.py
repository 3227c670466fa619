"""One run of the command: expand inputs, convert each, write results, report. No Typer here.

run() takes its streams as arguments so tests can drive it without a terminal or subprocess.

One input is converted right here. A batch (several inputs) runs on one event loop: inputs are
read lazily (a folder walk or --input-list never held whole), URLs fetched concurrently and
politely (converters/web.py), documents converted in worker processes with --jobs above 1
(cli/pool.py), and at most a window of inputs is in flight, so memory stays bounded. Names are
claimed here, in input order, so they are deterministic: a file's before it is converted, if no
input ahead of it still waits for its name (a URL's comes from its headline), so whoever converts
the file writes it; the rest at the end, here, where stdout is written too, in input order.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import dataclasses
import io
import itertools
import json
import os
import queue
import sys
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Final, Literal, TextIO

from newsdown.cli.console import Messages
from newsdown.cli.deadline import interruptible
from newsdown.cli.exitcodes import ExitCode
from newsdown.cli.inputs import InputSpec, expand_inputs
from newsdown.cli.output import EXTENSIONS, OutputPlan, TargetExistsError, relative_output, write_atomically
from newsdown.cli.pool import Job, Result, WorkerPool, run_job
from newsdown.cli.report import Outcome, Report
from newsdown.cli.summary import FailedList, ProgressLine, print_summary
from newsdown.converters.errors import InputError, NewsdownError, OutputError
from newsdown.converters.fetch import MAX_BYTES
from newsdown.converters.model import Options, Source

if TYPE_CHECKING:
    from newsdown.converters.web import Fetcher

OutputFormat = Literal["markdown", "json", "text"]
WINDOW_PER_JOB = 4  # inputs in flight per worker: enough to keep workers busy, few enough to stay small
MIN_WINDOW = 16  # at least this many, so URL lists are fetched concurrently


class UsageError(Exception):
    """Options that do not fit together; the CLI turns it into exit code 2."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """Everything the command line decided, in one frozen object."""

    options: Options = field(default_factory=Options)
    output_file: Path | None = None
    output_dir: Path | None = None
    format: OutputFormat = "markdown"
    front_matter: bool = True
    force: bool = False
    explain: bool = False
    base_url: str | None = None
    verbosity: int = 0
    progress: bool = False  # stderr is a terminal: progress line and the summary as a table
    timeout: float = 30.0
    doc_timeout: float = 60.0  # seconds per document, fetching excluded; 0 for no limit
    jobs: int = 1  # worker processes for a batch; 1 converts in this process
    failed_list: Path | None = None  # write the inputs that failed here
    user_agent: str | None = None
    respect_robots: bool | None = None  # None: only for batches
    max_bytes: int = MAX_BYTES
    retries: int = 3


@dataclass(frozen=True, slots=True)
class Streams:
    stdin: BinaryIO
    stdout: TextIO
    stderr: TextIO


# A file input's output name, claimed before converting it; an OutputError if it cannot have one
# (a symlink out of --output-dir); None if it is claimed afterwards, or it has no name at all.
EarlyName = Path | OutputError | None


def run(arguments: Iterable[str], settings: Settings, streams: Streams) -> ExitCode:
    """Convert every input; return the exit code. Raises UsageError for conflicting options."""
    with contextlib.ExitStack() as closing:
        specs = expand_inputs(arguments)
        first_two = list(itertools.islice(specs, 2))
        several = len(first_two) > 1 or any(spec.relative is not None for spec in first_two)
        check_usage(settings, several)
        messages = Messages(streams.stderr, settings.verbosity)
        report = Report()
        plan = output_plan(settings)
        failures = closing.enter_context(open_failed_list(settings, messages))
        all_specs = itertools.chain(first_two, specs)
        try:
            if not several:
                return run_single(all_specs, settings, streams, messages, report, plan, failures)
            return run_batch(Batch(settings, streams, messages, report, plan, failures), all_specs)
        except BrokenPipeError:
            # The reader of stdout went away (`newsdown ... | head -1`): stop quietly, like other tools.
            silence(streams.stdout)
            return ExitCode.BROKEN_PIPE


def output_plan(settings: Settings) -> OutputPlan | None:
    try:
        return OutputPlan(settings.output_dir) if settings.output_dir else None
    except OutputError as error:
        raise UsageError(f"--output-dir: {error}") from None


def open_failed_list(settings: Settings, messages: Messages) -> FailedList:
    try:
        return FailedList(settings.failed_list, messages)
    except OutputError as error:
        raise UsageError(f"--failed-list: {error}") from None


def run_batch(batch: Batch, specs: Iterator[InputSpec]) -> ExitCode:
    settings, report, stderr = batch.settings, batch.report, batch.streams.stderr
    try:
        asyncio.run(batch.run(specs))
    except KeyboardInterrupt:
        print_summary(report, stderr, table=settings.progress, interrupted=True)
        return ExitCode.INTERRUPTED
    if settings.verbosity >= 0:
        print_summary(report, stderr, table=settings.progress)
    return report.exit_code()


def silence(stdout: TextIO) -> None:
    """Point a closed stdout's descriptor at /dev/null: the interpreter's last flush then succeeds
    instead of printing an error (and Click no longer turns the broken pipe into exit code 1)."""
    with contextlib.suppress(OSError, ValueError):  # not a real file (tests): nothing to silence
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stdout.fileno())
        os.close(devnull)


def check_usage(settings: Settings, several: bool) -> None:
    agent = settings.user_agent
    if agent is not None and not (agent.isascii() and agent.isprintable()):
        raise UsageError("--user-agent must be printable ASCII (it is sent as an HTTP header)")
    if settings.output_file and settings.output_dir:
        raise UsageError("use either -o/--output FILE or --output-dir DIR, not both")
    if several and settings.output_file:
        raise UsageError("several inputs need --output-dir DIR, not -o FILE")
    if several and not settings.output_dir and settings.format != "json":
        raise UsageError("several inputs need --output-dir DIR (or --format json for JSON Lines on stdout)")


def run_single(
    specs: Iterable[InputSpec],
    settings: Settings,
    streams: Streams,
    messages: Messages,
    report: Report,
    plan: OutputPlan | None,
    failures: FailedList,
) -> ExitCode:
    """One input (or none): in this process, no workers, no summary."""
    try:
        for spec in specs:
            outcome = convert_one(spec, settings, streams, messages, plan)
            report.add(outcome)
            describe(outcome, messages)
            if outcome.status == "failed":
                failures.add(outcome.origin)
    except KeyboardInterrupt:
        messages.error("interrupted", report.summary())
        return ExitCode.INTERRUPTED
    return report.exit_code()


def convert_one(
    spec: InputSpec, settings: Settings, streams: Streams, messages: Messages, plan: OutputPlan | None
) -> Outcome:
    """Read, convert and write one input in this process; every expected failure becomes an Outcome."""
    early = name_early(spec, settings, plan)
    result = convert_here(spec, settings, streams, early)
    return finish(spec, result, settings, streams, messages, plan, early)


def convert_here(spec: InputSpec, settings: Settings, streams: Streams, early: EarlyName) -> Result:
    """Read or fetch, then convert, all in this process (the time limit by SIGALRM)."""
    from newsdown.converters import fetch

    try:
        source = None
        if isinstance(early, OutputError):
            raise early
        if spec.kind == "invalid":
            raise InputError(spec.problem)
        if spec.kind == "url":
            robots = bool(settings.respect_robots)
            source = fetch.fetch_url(
                spec.origin,
                timeout=settings.timeout,
                user_agent=settings.user_agent,
                max_bytes=settings.max_bytes,
                respect_robots=robots,
                retries=settings.retries,
            )
        elif spec.kind == "stdin":
            source = fetch.read_stream(streams.stdin, max_bytes=settings.max_bytes)
    except NewsdownError as error:
        return Result(code=ExitCode(error.exit_code), message=str(error))
    return convert_with_limit(make_job(spec, settings, source, early), settings)


def convert_with_limit(job: Job, settings: Settings) -> Result:
    """Convert in this process: at most --doc-timeout, and at once stoppable by Ctrl-C."""
    with interruptible():
        return run_job(job, settings.doc_timeout)


def make_job(spec: InputSpec, settings: Settings, source: Source | None, early: EarlyName) -> Job:
    return Job(
        origin=spec.origin,
        path=str(spec.path) if source is None and spec.path is not None else None,
        source=source,
        options=settings.options,
        base_url=settings.base_url,
        format=settings.format,
        front_matter=settings.front_matter,
        explain=settings.explain,
        debug=settings.verbosity >= 2,
        target=str(early) if isinstance(early, Path) else None,
        force=settings.force,
    )


def name_early(spec: InputSpec, settings: Settings, plan: OutputPlan | None) -> EarlyName:
    """A file's output name does not depend on its result: claimed before converting it, the name
    goes with the job, and a resumed batch skips the file without converting it. Claimed even if
    the file then fails, so the inputs after it get the same names in every run."""
    if plan is None or spec.kind != "file":
        return None
    try:
        return plan.claim(relative_output(spec, None, EXTENSIONS[settings.format]))
    except OutputError as error:
        return error


def finish(
    spec: InputSpec,
    result: Result,
    settings: Settings,
    streams: Streams,
    messages: Messages,
    plan: OutputPlan | None,
    early: EarlyName,
) -> Outcome:
    """Name, write or print one input's result, in input order; say what became of it."""
    target = early if isinstance(early, Path) else None
    try:
        if early is None and spec.kind == "file":
            target = name_late_file(spec, settings, plan)
        if result.skipped:
            raise TargetExistsError(result.message)
        if not result.ok:
            if result.details:
                messages.debug(result.details)  # above the progress line, like the other messages
            return failed(spec, result.code, result.message, settings, streams)
        if settings.explain:
            for rule, text in result.removed:
                messages.explain(spec.origin, rule, text)
        if result.text is not None:  # not written by whoever converted it
            if plan is not None and target is None:
                target = plan.claim(relative_output(spec, result.title, EXTENSIONS[settings.format]))
            deliver(result.text, settings, streams, target)
    except TargetExistsError as error:
        return Outcome(origin=spec.origin, status="skipped", message=str(error), output=target)
    except NewsdownError as error:
        return failed(spec, ExitCode(error.exit_code), str(error), settings, streams)
    return Outcome(origin=spec.origin, status="converted", output=target or settings.output_file)


def name_late_file(spec: InputSpec, settings: Settings, plan: OutputPlan | None) -> Path | None:
    """The name of a file converted before it could have one, claimed now, failed or not."""
    early = name_early(spec, settings, plan)
    if isinstance(early, OutputError):
        raise early
    return early


@dataclass(frozen=True, slots=True)
class InFlight:
    """An input of a batch on its way: read, fetched or converted by its task (for a file with
    worker processes, the pool's future: nothing to read or fetch here first)."""

    spec: InputSpec
    early: EarlyName
    named_late: bool  # its name is claimed once it is converted (from its headline, for a URL)
    task: asyncio.Future[Result]


class Batch:
    """Several inputs on one event loop; see the module docstring."""

    def __init__(
        self,
        settings: Settings,
        streams: Streams,
        messages: Messages,
        report: Report,
        plan: OutputPlan | None,
        failures: FailedList,
    ) -> None:
        self.settings = settings
        self.streams = streams
        self.messages = messages
        self.report = report
        self.plan = plan
        self.failures = failures
        self.pool = WorkerPool(settings.jobs, settings.doc_timeout) if settings.jobs > 1 else None
        self.window = max(WINDOW_PER_JOB * settings.jobs, MIN_WINDOW)
        self._exits = contextlib.AsyncExitStack()
        self._fetcher: Fetcher | None = None
        self._unnamed = 0  # inputs in flight whose names are claimed only once they are converted

    async def run(self, specs: Iterator[InputSpec]) -> None:
        feed = Feed(specs, self.window)
        pending: asyncio.Queue[InFlight | None] = asyncio.Queue(self.window)
        producer = asyncio.create_task(self._produce(feed, pending))
        try:
            with ProgressLine(self.streams.stderr, self.settings.progress) as progress:
                self.messages = dataclasses.replace(self.messages, stream=progress.stream)
                while (item := await pending.get()) is not None:
                    self._record(await self._finish(item))
                    progress.advance()
            await producer
        finally:
            feed.stop()
            producer.cancel()
            while not pending.empty():
                left = pending.get_nowait()
                if left is not None:
                    left.task.cancel()
            with contextlib.suppress(BaseException):
                await self._exits.aclose()
            if self.pool is not None:
                self.pool.close()

    async def _produce(self, feed: Feed, pending: asyncio.Queue[InFlight | None]) -> None:
        try:
            while (spec := await feed.get()) is not None:
                await pending.put(self._start(spec))
        except asyncio.CancelledError:
            raise
        except BaseException:
            await pending.put(None)  # the consumer stops, then `await producer` raises this
            raise
        await pending.put(None)

    async def _finish(self, item: InFlight) -> Outcome:
        result = await item.task
        outcome = finish(item.spec, result, self.settings, self.streams, self.messages, self.plan, item.early)
        self._unnamed -= item.named_late
        return outcome

    def _start(self, spec: InputSpec) -> InFlight:
        """Name the input now if it can be (in input order: every input ahead of it has its name),
        and start reading and converting it."""
        early = name_early(spec, self.settings, self.plan) if not self._unnamed else None
        named_late = early is None and self.plan is not None and spec.kind != "invalid"
        self._unnamed += named_late
        if self.pool is not None and spec.kind == "file" and not isinstance(early, OutputError):
            return InFlight(
                spec, early, named_late, self.pool.submit(make_job(spec, self.settings, None, early))
            )
        return InFlight(spec, early, named_late, asyncio.create_task(self._prepare(spec, early)))

    async def _prepare(self, spec: InputSpec, early: EarlyName) -> Result:
        source = None
        try:
            if isinstance(early, OutputError):
                raise early
            if spec.kind == "invalid":
                raise InputError(spec.problem)
            if spec.kind == "url":
                source = await (await self._web()).fetch(spec.origin)
            elif spec.kind == "stdin":
                source = await read_stdin(self.streams.stdin, self.settings.max_bytes)
        except NewsdownError as error:
            return Result(code=ExitCode(error.exit_code), message=str(error))
        job = make_job(spec, self.settings, source, early)
        if self.pool is not None:
            return await self.pool.convert(job)
        return convert_with_limit(job, self.settings)

    async def _web(self) -> Fetcher:
        from newsdown.converters.web import Fetcher, WebSettings

        if self._fetcher is None:
            s = self.settings
            web = WebSettings(
                user_agent=s.user_agent,
                timeout=s.timeout,
                max_bytes=s.max_bytes,
                retries=s.retries,
                respect_robots=s.respect_robots is not False,  # on by default for batches
            )
            self._fetcher = await self._exits.enter_async_context(Fetcher(web))
        return self._fetcher

    def _record(self, outcome: Outcome) -> None:
        self.report.add(outcome)
        describe(outcome, self.messages)
        if outcome.status == "failed":
            self.failures.add(outcome.origin)


async def read_stdin(stream: BinaryIO, max_bytes: int) -> Source:
    """Standard input, read in a daemon thread of its own: with asyncio.to_thread the end of the run
    (after Ctrl-C too) would wait for the executor's thread, blocked on a pipe that may never close."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[Source] = loop.create_future()

    def read() -> None:
        try:
            outcome: Source | BaseException = read_own_stream(stream, max_bytes)
        except BaseException as error:  # noqa: BLE001  # raised in the awaiting task instead
            outcome = error
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits any more
            loop.call_soon_threadsafe(_settle_read, done, outcome)

    threading.Thread(target=read, daemon=True, name="newsdown-stdin").start()
    return await done


def read_own_stream(stream: BinaryIO, max_bytes: int) -> Source:
    """Read through a buffer of our own on the same descriptor: a daemon thread blocked in
    sys.stdin.buffer.read() holds its lock, which the interpreter takes at exit (a fatal error)."""
    from newsdown.converters.fetch import read_stream

    try:
        own = io.BufferedReader(io.FileIO(os.dup(stream.fileno()), "rb"))
    except (OSError, ValueError):  # not a real file (tests): nothing to fear at exit
        return read_stream(stream, max_bytes=max_bytes)
    with own:
        return read_stream(own, max_bytes=max_bytes)


def _settle_read(done: asyncio.Future[Source], outcome: Source | BaseException) -> None:
    if done.done():
        return
    if isinstance(outcome, BaseException):
        done.set_exception(outcome)
    else:
        done.set_result(outcome)


class Feed:
    """Inputs from a blocking iterator (a folder walk, lines of a pipe) read in a thread of their
    own, at most `limit` ahead of the consumer, so a slow pipe never stalls the event loop."""

    _END: Final = object()

    def __init__(self, specs: Iterator[InputSpec], limit: int) -> None:
        self._loop = asyncio.get_running_loop()
        # Inputs read, not yet taken. The reading thread wakes the event loop only when the consumer
        # waits on an empty feed: a wake-up is a system call and a turn of the loop, which on a
        # machine whose cores are busy converting cost more than reading the input.
        self._ready: collections.deque[object] = collections.deque()
        self._waiter: asyncio.Future[None] | None = None
        # Room to read ahead goes back to the reading thread in handfuls, not one input at a time,
        # for the same reason. A SimpleQueue (in C) of counts, rather than a Semaphore, whose
        # Python-level Condition cost as much per input as the rest of the hand-over.
        self._room: queue.SimpleQueue[int] = queue.SimpleQueue()
        self._room.put(limit)
        self._handful = max(1, limit // 2)
        self._taken = 0  # inputs handed to the consumer whose room has not gone back yet
        self._stopped = threading.Event()
        self._specs = specs
        threading.Thread(target=self._pump, daemon=True, name="newsdown-inputs").start()

    def _pump(self) -> None:
        room = 0
        try:
            for spec in self._specs:
                while not room:
                    room = self._take_room()
                    if self._stopped.is_set():
                        return
                if self._stopped.is_set():
                    return
                room -= 1
                self._hand_over(spec)
            self._hand_over(self._END)
        except RuntimeError:  # the loop is closed: the run is over
            return
        except BaseException as error:  # noqa: BLE001  # handed to the consumer, raised there
            with contextlib.suppress(RuntimeError):
                self._hand_over(error)

    def _hand_over(self, item: object) -> None:
        self._ready.append(item)
        # Appended first, then the waiter looked at; get() sets its waiter first, then looks at
        # the inputs again: one of the two sees the other, so no input is left unnoticed.
        if self._waiter is not None:
            self._loop.call_soon_threadsafe(self._wake)

    def _wake(self) -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _take_room(self) -> int:
        try:
            return self._room.get(timeout=0.2)
        except queue.Empty:
            return 0

    async def get(self) -> InputSpec | None:
        while not self._ready:
            waiter = self._waiter = self._loop.create_future()
            if self._ready:  # handed over just before the waiter was there
                self._waiter = None
                break
            try:
                await waiter
            finally:
                self._waiter = None
        item = self._ready.popleft()
        if item is self._END:
            return None
        self._taken += 1
        if self._taken >= self._handful:
            self._room.put(self._taken)
            self._taken = 0
        if isinstance(item, BaseException):
            raise item
        assert isinstance(item, InputSpec)
        return item

    def stop(self) -> None:
        self._stopped.set()


def deliver(text: str, settings: Settings, streams: Streams, target: Path | None) -> None:
    if target is not None:
        write_atomically(target, text, force=settings.force)
    elif settings.output_file is not None:
        write_atomically(settings.output_file, text, force=settings.force)
    else:
        streams.stdout.write(text)
        streams.stdout.flush()


def failed(spec: InputSpec, code: ExitCode, reason: str, settings: Settings, streams: Streams) -> Outcome:
    if settings.format == "json" and settings.output_dir is None and settings.output_file is None:
        # JSON Lines consumers of stdout get one record per input, failures included.
        record = {"input": spec.origin, "ok": False, "error": {"code": int(code), "message": reason}}
        streams.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    return Outcome(origin=spec.origin, status="failed", code=code, message=reason)


def describe(outcome: Outcome, messages: Messages) -> None:
    if outcome.status == "failed":
        messages.error(outcome.origin, outcome.message)
    elif outcome.status == "skipped":
        messages.warning(outcome.origin, f"skipped: {outcome.message}")
    elif messages.verbosity >= 1:  # asked first: formatted for every input of a batch, else
        where = f" -> {outcome.output}" if outcome.output else ""
        messages.info(f"{outcome.origin}: converted{where}")


def default_streams() -> Streams:
    # Markdown is UTF-8 whatever the locale (Windows consoles, LANG=C).
    stdout = sys.stdout
    if hasattr(stdout, "reconfigure"):
        stdout.reconfigure(encoding="utf-8", errors="replace")
    return Streams(stdin=sys.stdin.buffer, stdout=stdout, stderr=sys.stderr)
