"""Review of the batch code (issue 6): each test here failed before the fix it names.

Time limits and Ctrl-C for conversions in this process, broken pipes, a --failed-list that is also
the --input-list, stable output names when an input fails, a pool worker that cannot start, input
names no file system takes, symlink loops in --output-dir, and the JSON failure record with -o.
"""

from __future__ import annotations

import asyncio
import errno
import io
import json
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from multiprocessing.connection import Connection
from pathlib import Path

import pytest

from newsdown.cli import pool
from newsdown.cli.exitcodes import ExitCode
from newsdown.cli.output import OutputPlan
from newsdown.cli.run import Settings, Streams, UsageError, run
from newsdown.converters.model import Options
from tests.helpers import SAMPLES, in_process, newsdown, outputs

PAGE = SAMPLES / "harbour-council-budget.html"
OTHER = SAMPLES / "ridgeline-transit-strike.html"
# About 15 s of readability scoring: far longer than any time limit or wait below.
SLOW_BLOCK = (
    '<div class="c"><p>Words of a long page, with <a href="/x">a link</a> in it.</p><span>x</span></div>'
)
SLOW_PAGE = "<html><body>" + SLOW_BLOCK * 45_000 + "</body></html>"


def small_pages(folder: Path, count: int) -> Path:
    folder.mkdir()
    for number in range(count):
        (folder / f"p{number:04d}.html").write_text(
            f"<html><head><title>Story {number}</title></head><body><article><h1>Story {number}</h1>"
            f"<p>The council met on day {number} and agreed a budget for the harbour wall, after a "
            "long debate about the cost of the work and who should pay for it.</p></article></body></html>"
        )
    return folder


@pytest.fixture
def slow(tmp_path: Path) -> Path:
    path = tmp_path / "slow.html"
    path.write_text(SLOW_PAGE)
    return path


# Bug: convert_with_limit() let DocumentTimeoutError escape: a traceback for one input, and a whole
# --jobs 1 batch stopped by its first slow page.
def test_time_limit_in_this_process_fails_the_document_not_the_run(slow: Path, tmp_path: Path) -> None:
    code, _, stderr = in_process([str(slow)], Settings(doc_timeout=0.5))
    assert code == ExitCode.INPUT
    assert stderr == f"newsdown: {slow}: took longer than 0.5 s to convert (--doc-timeout)\n"
    out = tmp_path / "out"
    code, _, stderr = in_process([str(slow), str(PAGE)], Settings(output_dir=out, jobs=1, doc_timeout=0.5))
    assert code == ExitCode.PARTIAL
    assert outputs(out) == ["harbour-council-budget.md"]
    assert "converted 1, skipped 0, failed 1" in stderr


# Bug: with --jobs 1 a batch converts on the event loop, and asyncio's SIGINT handler only cancels
# the main task at its next await: Ctrl-C waited for the slow page to finish (about 13 s).
def test_ctrl_c_stops_a_one_job_batch_at_once(slow: Path, tmp_path: Path) -> None:
    command = [sys.executable, "-m", "newsdown.cli", str(slow), str(PAGE), "-d", str(tmp_path / "out")]
    command += ["--jobs", "1", "--doc-timeout", "0"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        time.sleep(2.5)  # started, and deep in the slow page
        process.send_signal(signal.SIGINT)
        interrupted = time.monotonic()
        _, stderr = process.communicate(timeout=30)
    finally:
        process.kill()
        process.wait()
    assert time.monotonic() - interrupted < 4
    assert process.returncode == ExitCode.INTERRUPTED
    assert b"newsdown: interrupted: converted 0, skipped 0, failed 0" in stderr
    assert b"Traceback" not in stderr
    assert not (tmp_path / "out").exists()


# Bug: a batch read stdin with asyncio.to_thread, and asyncio.run's end waits for that executor:
# after Ctrl-C, the run hung until the pipe was closed (and reading sys.stdin.buffer in a daemon
# thread instead aborts the interpreter at exit: "could not acquire lock ... <stdin>").
def test_ctrl_c_ends_a_batch_that_waits_for_stdin() -> None:
    command = [sys.executable, "-m", "newsdown.cli", str(PAGE), "-", "-f", "json"]
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        time.sleep(2)  # PAGE converted; "-" waits for a writer that says nothing and stays
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=15) == ExitCode.INTERRUPTED
        assert process.stderr is not None
        stderr = process.stderr.read()
    finally:
        process.kill()
        process.wait()
    assert stderr.startswith(b"newsdown: interrupted: converted 1, skipped 0, failed 0")
    assert b"Fatal" not in stderr


# Bug: Click turns a broken pipe into exit code 1; README promises 141, quietly.
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_batch_into_a_closed_pipe_ends_quietly_with_141(tmp_path: Path, jobs: str) -> None:
    pages = small_pages(tmp_path / "pages", 400)  # far more JSON than a pipe buffer holds
    command = [sys.executable, "-m", "newsdown.cli", str(pages), "-f", "json", "--jobs", jobs]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None
    assert process.stderr is not None
    first = process.stdout.readline()
    process.stdout.close()  # `| head -1`
    stderr = process.stderr.read()
    assert process.wait(timeout=60) == ExitCode.BROKEN_PIPE
    assert json.loads(first)["title"] == "Story 0"
    assert stderr == b""


# Bug: FailedList opened FILE with "wb" at the start, truncating it while the run still read it as
# its --input-list: of 600 inputs, 164 were tried (the last one cut mid-name), the rest lost unsaid.
def test_failed_list_can_be_the_input_list_it_retries(tmp_path: Path) -> None:
    listing = tmp_path / "failed.txt"
    missing = [f"/nonexistent/some/long/path/number/{n:04d}/page.html" for n in range(600)]
    listing.write_text("".join(f"{name}\n" for name in missing))
    result = newsdown("-i", listing, "--failed-list", listing, "-f", "json", "-q")
    assert result.returncode == ExitCode.INPUT
    records = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert [r["input"] for r in records] == missing
    assert listing.read_text().splitlines() == missing
    assert [p.name for p in tmp_path.iterdir()] == ["failed.txt"]  # no temporary file left


def test_failed_list_that_cannot_be_written_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="--failed-list: cannot write"):
        in_process([str(PAGE), str(OTHER)], Settings(format="json", failed_list=tmp_path))


# Bug: a file that failed did not claim its output name, so the next input with the same stem took
# it; once the first was repaired, a re-run skipped it ("a.md exists") and copied the second to a-2.md.
def test_a_failing_file_keeps_its_output_name_for_the_rerun(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "y").mkdir()
    first, second = tmp_path / "x" / "a.html", tmp_path / "y" / "a.html"
    first.write_bytes(b"%PDF-1.4 not a page")
    shutil.copy(OTHER, second)
    out = tmp_path / "out"
    code, _, _ = in_process([str(first), str(second)], Settings(output_dir=out))
    assert code == ExitCode.PARTIAL
    assert outputs(out) == ["a-2.md"]
    shutil.copy(PAGE, first)  # repaired by the user; the same command again
    code, _, stderr = in_process([str(first), str(second)], Settings(output_dir=out))
    assert code == ExitCode.OK, stderr
    assert "converted 1, skipped 1, failed 0" in stderr
    assert "Harbour" in (out / "a.md").read_text()
    assert "Transit" in (out / "a-2.md").read_text()


# Bug: a worker that could not start (fork failing: EAGAIN, ENOMEM) killed its pool thread and left
# the document's future unsettled: the batch waited for it forever.
def test_a_worker_that_cannot_start_fails_the_document(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: pool.Worker, *args: object) -> None:
        raise OSError(errno.EAGAIN, "Resource temporarily unavailable")

    monkeypatch.setattr(pool.Worker, "__init__", refuse)
    workers = pool.WorkerPool(2, doc_timeout=5)
    job = pool.Job(origin=str(PAGE), path=str(PAGE), options=Options())

    async def convert() -> pool.Result:
        return await asyncio.wait_for(workers.convert(job), 10)

    try:
        result = asyncio.run(convert())
    finally:
        workers.close()
    assert not result.ok
    assert result.message == "cannot start a worker process: Resource temporarily unavailable"


def test_a_worker_killed_mid_document_fails_it_and_is_replaced(slow: Path) -> None:
    workers = pool.WorkerPool(1, doc_timeout=0)

    def job(path: Path) -> pool.Job:
        return pool.Job(origin=str(path), path=str(path), options=Options())

    async def convert() -> tuple[pool.Result, pool.Result]:
        pending = asyncio.ensure_future(workers.convert(job(slow)))
        await asyncio.sleep(1.5)
        for worker in list(workers._alive):  # as the OOM killer would
            worker.process.kill()
        return await asyncio.wait_for(pending, 10), await asyncio.wait_for(workers.convert(job(PAGE)), 30)

    try:
        killed, after = asyncio.run(convert())
    finally:
        workers.close()
    assert killed.message == "the converter crashed on this page"
    assert after.ok


# Bug: an --input-list that failed to read part-way (an I/O error) ended the run with a traceback.
def test_input_list_that_breaks_off_is_reported(tmp_path: Path) -> None:
    def listed() -> Iterator[str]:
        yield str(PAGE)
        raise OSError(errno.EIO, "Input/output error")

    stdout, stderr = io.StringIO(), io.StringIO()
    code = run(listed(), Settings(format="json"), Streams(io.BytesIO(), stdout, stderr))
    assert code == ExitCode.PARTIAL
    assert "newsdown: --input-list: cannot read the rest of the list: Input/output error" in stderr.getvalue()


# Bug: a name too long for the file system raised OSError out of Path.is_dir() (a traceback); a NUL
# in a name (from an --input-list) was an "internal error".
def test_names_no_file_system_takes_fail_alone(tmp_path: Path) -> None:
    too_long = str(tmp_path / ("a" * 300 + ".html"))
    code, stdout, _ = in_process([too_long, "bad\0name.html", str(PAGE)], Settings(format="json"))
    assert code == ExitCode.PARTIAL
    records = [json.loads(line) for line in stdout.splitlines()]
    assert [r["ok"] for r in records] == [False, False, True]
    assert records[0]["error"] == {"code": 4, "message": "File name too long"}
    assert records[1]["error"] == {"code": 4, "message": "the name contains a NUL character"}


# Bug: Path.resolve() raises RuntimeError on a symlink loop (before Python 3.13): a traceback, and the
# batch stopped.
def test_symlink_loop_in_the_output_dir_fails_that_input(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "harbour-council-budget.md").symlink_to("harbour-council-budget.md")
    code, _, stderr = in_process([str(PAGE), str(OTHER)], Settings(output_dir=out))
    assert code == ExitCode.PARTIAL
    assert f"cannot write {out / 'harbour-council-budget.md'}: a symlink loop" in stderr
    assert (out / "ridgeline-transit-strike.md").is_file()
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    with pytest.raises(UsageError, match=r"--output-dir: cannot write .*: a symlink loop"):
        in_process([str(PAGE), str(OTHER)], Settings(output_dir=loop))


# The inefficiency: the output root was resolved on disk again for every file.
def test_output_root_is_resolved_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = OutputPlan(tmp_path)
    resolved: list[Path] = []
    real = Path.resolve

    def counting(self: Path, strict: bool = False) -> Path:
        resolved.append(self)
        return real(self, strict)

    monkeypatch.setattr(Path, "resolve", counting)
    for number in range(3):
        plan.claim(Path(f"{number}.md"))
    assert tmp_path not in resolved


# Bug: with -f json -o FILE a failure's JSON record went to stdout, which is not the output then.
def test_json_failure_record_stays_off_stdout_with_an_output_file(tmp_path: Path) -> None:
    settings = Settings(format="json", output_file=tmp_path / "a.json")
    code, stdout, stderr = in_process(["/nonexistent/a.html"], settings)
    assert code == ExitCode.INPUT
    assert stdout == ""
    assert stderr == "newsdown: /nonexistent/a.html: no such file\n"


# Bug: a non-ASCII --user-agent crashed httpx with UnicodeEncodeError (a traceback).
def test_user_agent_must_be_printable_ascii() -> None:
    with pytest.raises(UsageError, match="--user-agent must be printable ASCII"):
        in_process(["https://news.example/a"], Settings(user_agent="tëster/1"))
    result = newsdown("https://news.example/a", "--user-agent", "a\nb")
    assert result.returncode == ExitCode.USAGE
    assert b"Traceback" not in result.stderr


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


# Bug: on a terminal, messages were written to stderr behind Rich's back, onto the end of the live
# progress line ("0:00:00newsdown: /nonexistent/x.html: no such file").
def test_messages_on_a_terminal_start_their_own_line(tmp_path: Path) -> None:
    stderr = Terminal()
    streams = Streams(stdin=io.BytesIO(), stdout=io.StringIO(), stderr=stderr)
    settings = Settings(output_dir=tmp_path, progress=True, jobs=1)
    assert run([str(PAGE), "/nonexistent/x.html"], settings, streams) == ExitCode.PARTIAL
    screen = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", stderr.getvalue())  # colours and cursor moves
    assert "newsdown: /nonexistent/x.html: no such file" in re.split(r"[\r\n]", screen)


# Bug: WorkerPool.close() closed busy workers' pipes from the main thread while their own threads,
# woken by the kill, closed them too: "OSError: Bad file descriptor" in a pool thread now and then
# (seen after `| head -1`), or worse, a descriptor number already reused by another file closed.
# The pool now has no threads: every pipe is closed once, on the event loop's thread.
def test_pipes_are_closed_on_the_event_loops_thread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pages = small_pages(tmp_path / "pages", 200)
    closers: list[str] = []
    real_close = Connection.close

    def recording_close(self: Connection) -> None:
        closers.append(threading.current_thread().name)
        real_close(self)

    monkeypatch.setattr(Connection, "close", recording_close)
    workers = pool.WorkerPool(2, doc_timeout=0)

    async def convert_then_close() -> None:
        jobs = [pool.Job(origin=str(p), path=str(p), options=Options()) for p in sorted(pages.iterdir())]
        tasks = [asyncio.ensure_future(workers.convert(job)) for job in jobs]
        await asyncio.wait_for(tasks[10], 30)  # both workers busy with the rest
        workers.close()
        for task in tasks:
            task.cancel()

    asyncio.run(convert_then_close())
    assert closers
    assert set(closers) == {threading.current_thread().name}, closers


@pytest.mark.parametrize("verbosity", [0, 2])
def test_an_internal_error_prints_its_traceback_only_with_debug(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, verbosity: int
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(pool, "convert_article", broken)
    settings = Settings(output_dir=tmp_path / "out", jobs=1, verbosity=verbosity)
    code, _, stderr = in_process([str(PAGE), str(OTHER)], settings)
    assert code == ExitCode.PARTIAL
    assert "internal error (RuntimeError: a bug)" in stderr
    assert ("Traceback (most recent call last):" in stderr) is (verbosity == 2)
    assert all(
        line.startswith(("newsdown: ", "Traceback", " ", "RuntimeError")) for line in stderr.splitlines()
    )
