"""The worker pool: each worker holds the job it converts and the next one, cuts a slow document off
itself, and the jobs behind a document that crashed or hung its worker go to a fresh worker; a job
that comes with its output's name is written by the worker, never half-written."""

from __future__ import annotations

import asyncio
import pickle
import time
from collections.abc import Awaitable
from pathlib import Path

import pytest

from newsdown.cli import output, pool
from newsdown.cli.exitcodes import ExitCode
from newsdown.converters.model import Options, Source
from tests.helpers import SAMPLES

PAGE = SAMPLES / "harbour-council-budget.html"
SLOW_BLOCK = (
    '<div class="c"><p>Words of a long page, with <a href="/x">a link</a> in it.</p><span>x</span></div>'
)
SLOW_PAGE = "<html><body>" + SLOW_BLOCK * 45_000 + "</body></html>"  # about 15 s to convert


@pytest.fixture
def slow(tmp_path: Path) -> Path:
    path = tmp_path / "slow.html"
    path.write_text(SLOW_PAGE)
    return path


def file_job(path: Path, target: Path | None = None, *, force: bool = False) -> pool.Job:
    named = str(target) if target is not None else None
    return pool.Job(origin=str(path), path=str(path), options=Options(), target=named, force=force)


def run_pool(workers: pool.WorkerPool, body: Awaitable[list[pool.Result]]) -> list[pool.Result]:
    async def bounded() -> list[pool.Result]:
        return await asyncio.wait_for(body, 60)

    try:
        return asyncio.run(bounded())
    finally:
        workers.close()


def test_the_job_queued_behind_a_crash_converts_on_a_fresh_worker(slow: Path) -> None:
    workers = pool.WorkerPool(1, doc_timeout=0)

    async def convert() -> list[pool.Result]:
        first = asyncio.ensure_future(workers.convert(file_job(slow)))
        second = asyncio.ensure_future(workers.convert(file_job(PAGE)))  # already in the worker's pipe
        await asyncio.sleep(1.5)
        (worker,) = workers._alive
        worker.process.kill()  # as the OOM killer would
        return [await first, await second]

    crashed, after = run_pool(workers, convert())
    assert crashed.message == pool.CRASHED
    assert after.ok
    assert "Harbour" in (after.title or "")


def test_the_worker_cuts_a_slow_document_off_itself_and_goes_on(slow: Path) -> None:
    workers = pool.WorkerPool(1, doc_timeout=1)

    async def convert() -> list[pool.Result]:
        started = time.monotonic()
        timed_out = await workers.convert(file_job(slow))
        elapsed = time.monotonic() - started
        (worker,) = workers._alive
        after = await workers.convert(file_job(PAGE))
        assert workers._alive == {worker}, "the same worker converts the next page"
        assert elapsed < 1 + pool.WATCHDOG_GRACE, "cut off by the worker's alarm, not the watchdog"
        return [timed_out, after]

    timed_out, after = run_pool(workers, convert())
    assert timed_out.message == "took longer than 1 s to convert (--doc-timeout)"
    assert after.ok


def test_the_parent_kills_a_worker_whose_alarm_does_not_stop_it(
    slow: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A watchdog shorter than the worker's own limit stands in for a worker stuck in C code.
    monkeypatch.setattr(pool, "WATCHDOG_GRACE", -2.5)
    workers = pool.WorkerPool(1, doc_timeout=3)

    async def convert() -> list[pool.Result]:
        first = asyncio.ensure_future(workers.convert(file_job(slow)))
        second = asyncio.ensure_future(workers.convert(file_job(PAGE)))
        return [await first, await second]

    killed, after = run_pool(workers, convert())
    assert killed.message == "took longer than 3 s to convert (--doc-timeout)"
    assert after.ok


def test_documents_as_bytes_with_big_results_do_not_deadlock_the_pipe() -> None:
    # Each job and each result is far larger than a pipe's buffer (64 KiB on Linux): were a job
    # sent to a worker busy sending its own result, both ends would wait on each other forever.
    paragraph = "<p>" + "A sentence of the long story that fills the page with words. " * 40 + "</p>"
    page = f"<html><head><title>Long</title></head><body><article>{paragraph * 300}</article></body></html>"
    source = Source(origin="big", data=page.encode())
    workers = pool.WorkerPool(1, doc_timeout=0)

    async def convert() -> list[pool.Result]:
        jobs = [pool.Job(origin=f"big{n}", source=source, options=Options()) for n in range(6)]
        return list(await asyncio.gather(*(workers.convert(job) for job in jobs)))

    results = run_pool(workers, convert())
    assert all(r.ok and r.text is not None and len(r.text) > 500_000 for r in results)


def test_a_worker_writes_a_named_job_itself_and_sends_back_no_text(tmp_path: Path) -> None:
    target = tmp_path / "new" / "folder" / "harbour.md"
    workers = pool.WorkerPool(1, doc_timeout=0)

    async def convert() -> list[pool.Result]:
        return [await workers.convert(file_job(PAGE, target))]

    (written,) = run_pool(workers, convert())
    assert written.ok
    assert written.written
    assert written.text is None
    here = pool.convert_job(file_job(PAGE)).text
    assert here is not None
    assert here.startswith("---\n")
    assert target.read_text(encoding="utf-8") == here
    assert sorted(p.name for p in target.parent.iterdir()) == ["harbour.md"]  # no temporary left


def test_a_named_job_whose_file_exists_is_skipped_without_reading_it(tmp_path: Path) -> None:
    target = tmp_path / "kept.md"
    target.write_text("mine\n")
    missing = tmp_path / "gone.html"  # read, it would fail
    (skipped,) = run_pool_of_one([file_job(missing, target)])
    assert skipped.skipped
    assert not skipped.ok
    assert skipped.message == f"{target} exists (use --force to overwrite)"
    assert target.read_text() == "mine\n"


def test_a_named_job_with_force_replaces_the_file(tmp_path: Path) -> None:
    target = tmp_path / "replaced.md"
    target.write_text("old\n")
    (written,) = run_pool_of_one([file_job(PAGE, target, force=True)])
    assert written.written
    assert "Harbour" in target.read_text(encoding="utf-8")


def test_a_named_job_that_cannot_be_written_fails_alone(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("a file where a folder should be")
    blocked, after = run_pool_of_one(
        [file_job(PAGE, tmp_path / "file" / "x.md"), file_job(PAGE, tmp_path / "y.md")]
    )
    assert blocked.code == ExitCode.OUTPUT
    assert blocked.message.startswith(f"cannot write {tmp_path / 'file' / 'x.md'}: ")
    assert after.written
    assert (tmp_path / "y.md").is_file()


def test_a_worker_killed_while_it_holds_named_jobs_leaves_no_temporary_file(
    slow: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    workers = pool.WorkerPool(1, doc_timeout=0)

    async def convert() -> int:
        pending = asyncio.ensure_future(workers.convert(file_job(slow, out / "slow.md")))
        await asyncio.sleep(1)
        (worker,) = workers._alive
        assert worker.process.pid is not None
        # What a write cut off by the kill would leave, and a temporary file of another process.
        (out / f"{output.temporary_prefix(out / 'slow.md', worker.process.pid)}3.tmp").write_text("half")
        (out / f"{output.temporary_prefix(out / 'slow.md', 1)}3.tmp").write_text("not ours")
        workers.close()  # as Ctrl-C does
        pending.cancel()
        return worker.process.pid

    try:
        asyncio.run(convert())
    finally:
        workers.close()
    assert [p.name for p in out.iterdir()] == [".slow.md.1-3.tmp"]


def run_pool_of_one(jobs: list[pool.Job]) -> list[pool.Result]:
    workers = pool.WorkerPool(1, doc_timeout=0)

    async def convert() -> list[pool.Result]:
        return list(await asyncio.gather(*(workers.convert(job) for job in jobs)))

    return run_pool(workers, convert())


@pytest.mark.parametrize(
    "value",
    [
        Options(input_format="text", include_images=False),
        Source(origin="-", data=b"<p>x</p>", url="https://example.org/", charset="latin-1"),
        pool.Job(origin="a.html", path="a.html", options=Options(allow_empty=True), target="out/a.md"),
        pool.Result(written=True, title="T", removed=(("rule", "text"),), code=ExitCode.OUTPUT),
    ],
)
def test_what_crosses_to_a_worker_and_back_pickles_to_an_equal_value(value: object) -> None:
    assert pickle.loads(pickle.dumps(value)) == value  # our own bytes
