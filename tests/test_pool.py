"""The worker pool: each worker holds the job it converts and the next one, cuts a slow document off
itself, and the jobs behind a document that crashed or hung its worker go to a fresh worker."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from pathlib import Path

import pytest

from newsdown.cli import pool
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


def file_job(path: Path) -> pool.Job:
    return pool.Job(origin=str(path), path=str(path), options=Options())


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
