"""Batches: worker processes, input order, resumed and interrupted runs, the summary, the failed list,
the per-document time limit, and folders with thousands of files, symlink loops and unreadable files."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newsdown.cli.exitcodes import ExitCode
from newsdown.cli.run import Settings
from tests.conftest import LocalServer
from tests.helpers import SAMPLES, in_process, newsdown, outputs

PAGE = SAMPLES / "harbour-council-budget.html"
OTHER = SAMPLES / "ridgeline-transit-strike.html"
HTML = {"Content-Type": "text/html; charset=utf-8"}
SLOW_PAGE = (
    "<html><body><article>"
    + "<p>Some words of a long page that keeps going for a very long time indeed.</p>" * 120_000
    + "</article></body></html>"
)


def small_page(number: int) -> str:
    return (
        f"<html><head><title>Story number {number}</title></head><body><article>"
        f"<h1>Story number {number}</h1><p>The council met on day {number} and agreed a budget for the "
        "harbour wall, after a long debate about the cost of the work and who should pay for it.</p>"
        "</article></body></html>"
    )


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2,000 small pages in 20 subfolders."""
    root = tmp_path_factory.mktemp("many")
    for folder in range(20):
        (root / f"f{folder:02d}").mkdir()
        for page in range(100):
            number = folder * 100 + page
            (root / f"f{folder:02d}" / f"p{number:04d}.html").write_text(small_page(number))
    return root


def test_thousands_of_files_with_two_jobs_then_resumed(many: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = newsdown(many, "--output-dir", out, "--jobs", "2", timeout=120)
    assert first.returncode == 0, first.stderr[-2000:]
    assert len(outputs(out)) == 2000
    assert outputs(out)[:2] == ["f00/p0000.md", "f00/p0001.md"]
    assert "Story number 1234" in (out / "f12" / "p1234.md").read_text()
    assert first.stderr.decode().startswith("newsdown: done: converted 2000, skipped 0, failed 0 in ")
    for name in ("f03/p0300.md", "f19/p1999.md"):
        (out / name).unlink()
    again = newsdown(many, "--output-dir", out, "--jobs", "2", "-q", timeout=120)
    assert again.returncode == 0
    assert again.stderr == b""
    assert len(outputs(out)) == 2000
    assert "Story number 1999" in (out / "f19" / "p1999.md").read_text()


def test_json_lines_follow_input_order_with_several_jobs(many: Path) -> None:
    folder = many / "f07"
    code, stdout, stderr = in_process([str(folder)], Settings(format="json", jobs=2))
    assert code == ExitCode.OK, stderr
    records = [json.loads(line) for line in stdout.splitlines()]
    assert [r["input"] for r in records] == [str(folder / f"p{n:04d}.html") for n in range(700, 800)]
    assert [r["title"] for r in records] == [f"Story number {n}" for n in range(700, 800)]


def test_one_job_and_several_jobs_give_the_same_files(tmp_path: Path) -> None:
    source = tmp_path / "in"
    source.mkdir()
    for number in range(30):
        (source / f"{number}.html").write_text(small_page(number))
    shutil.copy(PAGE, source / "same.html")
    shutil.copy(OTHER, source / "same.htm")  # the same output name: the second gets -2, in both runs
    results = []
    for jobs in (1, 2):
        out = tmp_path / f"out{jobs}"
        code, _, stderr = in_process([str(source)], Settings(output_dir=out, jobs=jobs))
        assert code == ExitCode.OK, stderr
        results.append({name: (out / name).read_text() for name in outputs(out)})
    assert results[0] == results[1]
    assert "Transit" in results[0]["same.md"]  # same.htm sorts before same.html
    assert "Harbour" in results[0]["same-2.md"]


def test_summary_is_a_table_on_a_terminal(tmp_path: Path) -> None:
    settings = Settings(output_dir=tmp_path, progress=True)
    code, _, stderr = in_process([str(PAGE), str(OTHER), "/nonexistent/x.html"], settings)
    assert code == ExitCode.PARTIAL
    for column in ("converted", "skipped", "failed", "pages/s"):
        assert column in stderr
    assert "newsdown: done:" not in stderr


def test_quiet_batch_prints_no_summary(tmp_path: Path) -> None:
    code, _, stderr = in_process([str(PAGE), str(OTHER)], Settings(output_dir=tmp_path, verbosity=-1))
    assert code == ExitCode.OK
    assert stderr == ""


def test_failed_list_feeds_a_retry(tmp_path: Path) -> None:
    broken = tmp_path / "broken.html"
    broken.write_bytes(b"%PDF-1.4 not a page")
    failed = tmp_path / "failed.txt"
    out = tmp_path / "out"
    result = newsdown(PAGE, broken, "/nonexistent/x.html", "-d", out, "--failed-list", failed)
    assert result.returncode == 1
    assert failed.read_text().splitlines() == [str(broken), "/nonexistent/x.html"]
    shutil.copy(PAGE, broken)  # fixed by the user
    retry = newsdown("--input-list", failed, "-d", out)
    assert retry.returncode == 1  # the missing file still fails; the repaired one converts
    assert (out / "broken.md").exists()


def test_slow_document_is_cut_off_and_the_batch_goes_on(tmp_path: Path) -> None:
    slow = tmp_path / "slow.html"
    slow.write_text(SLOW_PAGE)
    out = tmp_path / "out"
    started = time.monotonic()
    inputs = [str(PAGE), str(slow), str(OTHER)]
    code, _, stderr = in_process(inputs, Settings(output_dir=out, jobs=2, doc_timeout=1))
    assert time.monotonic() - started < 30
    assert code == ExitCode.PARTIAL
    assert f"newsdown: {slow}: took longer than 1 s to convert" in stderr
    assert outputs(out) == ["harbour-council-budget.md", "ridgeline-transit-strike.md"]
    # The worker was replaced: the pool still converts after a time-out.
    code, stdout, _ = in_process([str(slow), str(PAGE)], Settings(format="json", jobs=2, doc_timeout=1))
    records = [json.loads(line) for line in stdout.splitlines()]
    assert [r["ok"] for r in records] == [False, True]
    assert records[0]["error"]["code"] == 4


def test_symlink_loops_do_not_trap_the_walk(tmp_path: Path) -> None:
    root = tmp_path / "site"
    root.mkdir()
    shutil.copy(PAGE, root / "story.html")
    (root / "again").symlink_to(root, target_is_directory=True)  # a folder loop: not followed
    (root / "a.html").symlink_to(root / "b.html")
    (root / "b.html").symlink_to(root / "a.html")  # a file loop: fails like an unreadable file
    out = tmp_path / "out"
    result = newsdown(root, "-d", out)
    assert result.returncode == 1
    assert outputs(out) == ["story.md"]
    stderr = result.stderr.decode()
    assert f"{root / 'a.html'}: " in stderr
    assert "converted 1, skipped 0, failed 2" in stderr


def test_dangling_links_and_unreadable_files_fail_alone(tmp_path: Path) -> None:
    root = tmp_path / "site"
    (root / "sub").mkdir(parents=True)
    shutil.copy(PAGE, root / "story.html")
    (root / "gone.html").symlink_to(root / "nowhere.html")
    locked = root / "locked.html"
    shutil.copy(OTHER, locked)
    locked.chmod(0)
    (root / "sub").chmod(0)
    try:
        code, _, stderr = in_process([str(root)], Settings(output_dir=tmp_path / "out"))
    finally:
        locked.chmod(0o644)
        (root / "sub").chmod(0o755)
    assert code == ExitCode.PARTIAL
    assert f"{root / 'gone.html'}: no such file" in stderr
    if os.geteuid() != 0:  # root reads everything
        assert f"{locked}: permission denied" in stderr
        assert f"{root / 'sub'}: cannot list the folder" in stderr
    assert "story.md" in outputs(tmp_path / "out")


def test_interrupted_run_stops_cleanly_and_resumes(http_server: LocalServer, tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    names = [f"p{n:02d}.html" for n in range(10)]
    for number, name in enumerate(names):
        (pages / name).write_text(small_page(number))
    stuck = http_server.route("/stuck", body=OTHER.read_bytes(), headers=HTML, delay=60)
    listing = tmp_path / "inputs.txt"
    listed = [str(pages / name) for name in names[:5]] + [stuck] + [str(pages / name) for name in names[5:]]
    listing.write_text("\n".join(listed) + "\n")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "newsdown.cli", "-i", str(listing), "-d", str(out), "--jobs", "2"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while len(outputs(out) if out.exists() else []) < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(outputs(out)) == 5  # written in input order: the rest wait behind the stuck URL
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    finally:
        process.kill()
        process.wait()
    assert process.returncode == ExitCode.INTERRUPTED
    assert b"newsdown: interrupted: converted 5, skipped 0, failed 0" in stderr
    assert b"Traceback" not in stderr
    assert outputs(out) == [f"p{n:02d}.md" for n in range(5)]  # no partial or temporary files
    listing.write_text("\n".join(str(pages / name) for name in names) + "\n")
    resumed = newsdown("-i", listing, "-d", out, "--jobs", "2")
    assert resumed.returncode == 0
    assert b"converted 5, skipped 5, failed 0" in resumed.stderr
    assert outputs(out) == [f"p{n:02d}.md" for n in range(10)]


def test_force_redoes_existing_outputs(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "harbour-council-budget.md").write_text("old\n")
    code, _, stderr = in_process([str(PAGE), str(OTHER)], Settings(output_dir=out, force=True, jobs=2))
    assert code == ExitCode.OK, stderr
    assert (out / "harbour-council-budget.md").read_text().startswith("---\n")
    assert "converted 2, skipped 0, failed 0" in stderr


def test_input_list_from_stdin_mixes_files_urls_and_refused_schemes(
    http_server: LocalServer, tmp_path: Path
) -> None:
    url = http_server.route("/news", body=OTHER.read_bytes(), headers=HTML)
    listing = f"# from grep -l\n{PAGE}\n\n{url}\nfile:///etc/passwd\n"
    result = newsdown("--input-list", "-", "-f", "json", "--no-respect-robots", stdin=listing.encode())
    assert result.returncode == 1
    records = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert [r["input"] for r in records] == [str(PAGE), url, "file:///etc/passwd"]
    assert [r["ok"] for r in records] == [True, True, False]
    assert records[2]["error"]["code"] == 4


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_names_follow_input_order_when_a_slow_url_is_ahead_of_a_file(
    http_server: LocalServer, tmp_path: Path, jobs: str
) -> None:
    # The URL's name comes from its headline, known only once it is fetched (late, here); the file
    # behind it, named like that headline, must still get the name after it, as in input order.
    url = http_server.route("/story", body=small_page(7).encode(), headers=HTML, delay=1.0)
    page = tmp_path / "story-number-7.html"
    page.write_text(small_page(8))
    out = tmp_path / "out"
    listing = tmp_path / "inputs.txt"
    listing.write_text(f"{url}\n{page}\n{page}\n")
    first = newsdown("-i", listing, "-d", out, "-j", jobs, "--no-respect-robots")
    assert first.returncode == 0, first.stderr
    assert outputs(out) == ["story-number-7-2.md", "story-number-7-3.md", "story-number-7.md"]
    assert "Story number 7" in (out / "story-number-7.md").read_text()
    assert "Story number 8" in (out / "story-number-7-2.md").read_text()
    # Rerun: each name is where it was, so all three are skipped, none converted into another's name.
    again = newsdown("-i", listing, "-d", out, "-j", jobs, "--no-respect-robots")
    assert again.returncode == 0, again.stderr
    assert b"converted 0, skipped 3, failed 0" in again.stderr
    assert outputs(out) == ["story-number-7-2.md", "story-number-7-3.md", "story-number-7.md"]


def test_a_file_ahead_of_a_url_keeps_its_own_name(http_server: LocalServer, tmp_path: Path) -> None:
    url = http_server.route("/story", body=small_page(7).encode(), headers=HTML)
    page = tmp_path / "story-number-7.html"
    page.write_text(small_page(8))
    out = tmp_path / "out"
    result = newsdown(page, url, "-d", out, "-j", "2", "--no-respect-robots")
    assert result.returncode == 0, result.stderr
    assert "Story number 8" in (out / "story-number-7.md").read_text()
    assert "Story number 7" in (out / "story-number-7-2.md").read_text()
