"""Speed and memory of newsdown in batch, printed as ratios from one run.

1. pages per second of `--jobs 2` over `--jobs 1` on a generated folder (target: at least 1.7 on
   two cores), beside the machine's own ceiling: two `--jobs 1` processes at once, each on half the
   folder, with no pool at all; the median of --batch-rounds rounds (default 5);
2. peak memory (resident, all newsdown processes summed) converting that folder with --jobs 2
   (target: under 300 MB for 10,000 pages);
3. milliseconds per page on the scrapinghub pages, one job, in this process: newsdown,
   trafilatura.extract(markdown, with metadata), and the naive readability-lxml + markdownify
   pipeline newsdown started from (target: newsdown at most a third of trafilatura); the median of
   --rounds rounds (default 5) in which the three take turns, and the ratios taken within each
   round, then their median.

    python bench/speed.py              # 10,000 pages; about twelve minutes
    python bench/speed.py --pages 1000 --batch-rounds 1 # quicker
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples"
SCRAPINGHUB = Path("/work/shared/bench/scrapinghub/html")
TITLE = re.compile(rb"(<title>)(.*?)(</title>)", re.I | re.S)


def generate(folder: Path, pages: int) -> None:
    """`pages` files made from the sample pages, 100 a subfolder, each title numbered."""
    templates = [p.read_bytes() for p in sorted(SAMPLES.glob("*.html"))]
    for number in range(pages):
        sub = folder / f"d{number // 100:04d}"
        if number % 100 == 0:
            sub.mkdir(parents=True)
        page = templates[number % len(templates)]
        page = TITLE.sub(rb"\g<1>\g<2> %d\g<3>" % number, page, count=1)
        (sub / f"page{number:05d}.html").write_bytes(page)


def tree_rss_kb(root: int) -> int:
    """Resident memory of a process and all its descendants, in KiB (Linux /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            status = Path(f"/proc/{entry}/status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        pid = int(entry)
        children.setdefault(int(fields.get("PPid", "0").strip()), []).append(pid)
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0])
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


def newsdown_command(inputs: list[Path], out: Path, jobs: int) -> list[str]:
    return [sys.executable, "-m", "newsdown.cli", *map(str, inputs), "-d", str(out), "-j", str(jobs), "-q"]


def run_at_once(commands: list[list[str]], *, sample_memory: bool) -> tuple[float, int]:
    """Seconds until every command (started together) has finished, and the peak RSS in KiB of
    all their processes summed (0 if not sampled)."""
    started = time.perf_counter()
    processes = [subprocess.Popen(command) for command in commands]
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, sum(tree_rss_kb(process.pid) for process in processes))
            done.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    if sample_memory and Path("/proc").is_dir():
        sampler.start()
    codes = [process.wait() for process in processes]
    seconds = time.perf_counter() - started
    done.set()
    if sampler.is_alive():
        sampler.join()
    if any(codes):
        raise SystemExit(f"newsdown exited {codes}: {commands}")
    return seconds, peak


@dataclass(frozen=True, slots=True)
class BatchRound:
    one_job: float  # seconds: the mean of the --jobs 1 runs before and after the others
    two_jobs: float
    two_halves: float  # two --jobs 1 processes at once, each on half the folder: the machine's ceiling
    peak_kb: int  # of --jobs 2


def batch_round(folder: Path, scratch: Path) -> BatchRound:
    subfolders = sorted(folder.iterdir())
    halves = [subfolders[0::2], subfolders[1::2]]

    def fresh(name: str) -> Path:
        shutil.rmtree(scratch / name, ignore_errors=True)
        return scratch / name

    # --jobs 1 runs first and last, and its mean is the baseline: the machine's speed drifts over
    # a round, and a drift that is steady over it then cancels out of both ratios.
    before, _ = run_at_once([newsdown_command([folder], fresh("one"), 1)], sample_memory=False)
    two, peak = run_at_once([newsdown_command([folder], fresh("two"), 2)], sample_memory=True)
    commands = [newsdown_command(half, fresh(f"half{n}"), 1) for n, half in enumerate(halves)]
    split, _ = run_at_once(commands, sample_memory=False)
    after, _ = run_at_once([newsdown_command([folder], fresh("one"), 1)], sample_memory=False)
    return BatchRound(one_job=(before + after) / 2, two_jobs=two, two_halves=split, peak_kb=peak)


def compare_per_page(limit: int | None, rounds_count: int) -> tuple[dict[str, list[float]], int]:
    """Milliseconds per page over the same scrapinghub pages, in this process, for newsdown, for
    trafilatura, and for the naive pipeline newsdown started from (readability-lxml's summary, then
    markdownify); one figure a round for each."""
    import trafilatura
    from markdownify import markdownify
    from readability import Document

    from newsdown.converters.errors import NewsdownError
    from newsdown.converters.model import Source
    from newsdown.converters.pipeline import convert_source

    def newsdown(page: bytes) -> None:
        with contextlib.suppress(NewsdownError):
            convert_source(Source(origin="page", data=page)).to_markdown()

    def naive(page: bytes) -> None:
        with contextlib.suppress(Exception):  # readability raises on some pages; timing only
            markdownify(Document(page).summary(html_partial=True))

    def traf(page: bytes) -> None:
        trafilatura.extract(page, output_format="markdown", with_metadata=True)

    files = sorted(SCRAPINGHUB.glob("*.html.gz"))[:limit]
    pages = [gzip.decompress(p.read_bytes()) for p in files]
    tools = {"newsdown": newsdown, "trafilatura": traf, "readability+markdownify": naive}
    for convert in tools.values():
        convert(pages[0])  # imports and caches: not timed
    rounds: dict[str, list[float]] = {name: [] for name in tools}
    # The tools take turns, round after round, so that a slower spell of the machine hits them alike.
    for _ in range(rounds_count):
        for name, convert in tools.items():
            started = time.perf_counter()
            for page in pages:
                convert(page)
            rounds[name].append(1000 * (time.perf_counter() - started) / len(pages))
    return rounds, len(pages)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=int, default=10_000, help="pages in the generated folder")
    parser.add_argument("--compare-pages", type=int, default=None, help="scrapinghub pages (default: all)")
    parser.add_argument("--compare-only", action="store_true", help="only the per-page comparison")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the per-page comparison (median)")
    parser.add_argument("--batch-rounds", type=int, default=5, help="rounds of the batch runs (median)")
    args = parser.parse_args()
    # The per-page comparison first: the batch part writes and deletes some 90,000 files, and the
    # in-process timings taken right after it were slower (newsdown 13.3 ms a page, against 10.5 and
    # 11.1 in runs of their own; trafilatura 34.1, against 30.8 and 33.7).
    if SCRAPINGHUB.is_dir():
        report_per_page(args.compare_pages, args.rounds)
    if not args.compare_only:
        report_batch(args.pages, args.batch_rounds)


def report_batch(pages: int, rounds_count: int) -> None:
    """The runs take turns, round after round, and each ratio is taken within a round: this
    machine's speed drifts by tens of percent over minutes, and a ratio of neighbours cancels that."""
    with tempfile.TemporaryDirectory(prefix="newsdown-bench-") as temporary:
        folder = Path(temporary, "pages")
        generate(folder, pages)
        rounds = [batch_round(folder, Path(temporary)) for _ in range(rounds_count)]
    samples = len(list(SAMPLES.glob("*.html")))
    print(f"pages: {pages} generated from {samples} samples; cpus: {os.cpu_count()}; rounds: {rounds_count}")
    for number, r in enumerate(rounds, 1):
        rates = (pages / r.one_job, pages / r.two_jobs, pages / r.two_halves)
        print(f"round {number}: pages/s --jobs 1 {rates[0]:.1f}, --jobs 2 {rates[1]:.1f}, ", end="")
        print(f"two --jobs 1 on halves at once {rates[2]:.1f}")
    jobs_ratio = statistics.median(r.one_job / r.two_jobs for r in rounds)
    ceiling = statistics.median(r.one_job / r.two_halves for r in rounds)
    print(f"jobs ratio (2 over 1), median: {jobs_ratio:.2f} (target >= 1.70)")
    print(f"the machine's ceiling (two processes on halves over 1), median: {ceiling:.2f}")
    of_ceiling = statistics.median(r.two_halves / r.two_jobs for r in rounds)
    print(f"--jobs 2 over that ceiling, median: {of_ceiling:.2f}")
    peak_kb = max(r.peak_kb for r in rounds)
    if peak_kb:
        print(f"peak memory, all processes, --jobs 2: {peak_kb / 1024:.0f} MB (target < 300 MB)")


def report_per_page(limit: int | None, rounds: int) -> None:
    """Each ratio is taken within a round, where the tools ran seconds apart, and the median of
    those is printed: the machine drifts more between rounds than within one."""
    timings, count = compare_per_page(limit, rounds)
    listed = ", ".join(f"{name} {statistics.median(ms):.1f}" for name, ms in timings.items())
    print(f"ms/page on {count} scrapinghub pages, one job, median of {rounds} rounds: {listed}")
    ours = timings["newsdown"]
    for other, target in (("trafilatura", " (target <= 0.333, a third)"), ("readability+markdownify", "")):
        ratios = [mine / theirs for mine, theirs in zip(ours, timings[other], strict=True)]
        each = ", ".join(f"{ratio:.3f}" for ratio in ratios)
        median = statistics.median(ratios)
        print(f"newsdown over {other} time ratio, median: {median:.3f}{target}; rounds {each}")


if __name__ == "__main__":
    main()
