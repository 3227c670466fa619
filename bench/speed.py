"""Speed and memory of newsdown in batch, printed as ratios from one run.

1. pages per second of `--jobs 2` over `--jobs 1` on a generated folder (target: at least 1.7 on
   two cores);
2. peak memory (resident, all newsdown processes summed) converting that folder with --jobs 2
   (target: under 300 MB for 10,000 pages);
3. milliseconds per page of newsdown and of trafilatura.extract(markdown, with metadata) on the
   scrapinghub pages, one job, in this process.

    python bench/speed.py              # 10,000 pages; a few minutes
    python bench/speed.py --pages 1000 # quicker
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
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


def convert_folder(folder: Path, out: Path, jobs: int, *, sample_memory: bool) -> tuple[float, int]:
    """Seconds to convert the folder with the CLI, and the peak summed RSS in KiB (0 if not sampled)."""
    command = [sys.executable, "-m", "newsdown.cli", str(folder), "-d", str(out), "-j", str(jobs), "-q"]
    started = time.perf_counter()
    process = subprocess.Popen(command)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss_kb(process.pid))
            done.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    if sample_memory and Path("/proc").is_dir():
        sampler.start()
    code = process.wait()
    seconds = time.perf_counter() - started
    done.set()
    if sampler.is_alive():
        sampler.join()
    if code != 0:
        raise SystemExit(f"newsdown --jobs {jobs} exited {code}")
    return seconds, peak


def compare_with_trafilatura(limit: int | None) -> tuple[float, float, int]:
    """Milliseconds per page for newsdown and trafilatura over the same pages, in this process."""
    import trafilatura

    from newsdown.converters.errors import NewsdownError
    from newsdown.converters.model import Source
    from newsdown.converters.pipeline import convert_source

    files = sorted(SCRAPINGHUB.glob("*.html.gz"))[:limit]
    pages = [gzip.decompress(p.read_bytes()) for p in files]
    convert_source(Source(origin="warm-up", data=pages[0]))  # imports, caches: not timed
    trafilatura.extract(pages[0], output_format="markdown", with_metadata=True)
    started = time.perf_counter()
    for page in pages:
        with contextlib.suppress(NewsdownError):
            convert_source(Source(origin="page", data=page)).to_markdown()
    ours = time.perf_counter() - started
    started = time.perf_counter()
    for page in pages:
        trafilatura.extract(page, output_format="markdown", with_metadata=True)
    theirs = time.perf_counter() - started
    return 1000 * ours / len(pages), 1000 * theirs / len(pages), len(pages)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=int, default=10_000, help="pages in the generated folder")
    parser.add_argument("--compare-pages", type=int, default=None, help="scrapinghub pages (default: all)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="newsdown-bench-") as temporary:
        folder = Path(temporary, "pages")
        generate(folder, args.pages)
        one, _ = convert_folder(folder, Path(temporary, "out1"), 1, sample_memory=False)
        two, peak_kb = convert_folder(folder, Path(temporary, "out2"), 2, sample_memory=True)
    rate_one, rate_two = args.pages / one, args.pages / two
    samples = len(list(SAMPLES.glob("*.html")))
    print(f"pages: {args.pages} generated from {samples} samples; cpus: {os.cpu_count()}")
    print(f"jobs: --jobs 1 {rate_one:.1f} pages/s, --jobs 2 {rate_two:.1f} pages/s")
    print(f"jobs ratio (2 over 1): {rate_two / rate_one:.2f} (target >= 1.70)")
    if peak_kb:
        print(f"peak memory, all processes, --jobs 2: {peak_kb / 1024:.0f} MB (target < 300 MB)")
    if SCRAPINGHUB.is_dir():
        ours, theirs, count = compare_with_trafilatura(args.compare_pages)
        print(f"ms/page on {count} scrapinghub pages: newsdown {ours:.1f}, trafilatura {theirs:.1f}")
        print(f"newsdown over trafilatura time ratio: {ours / theirs:.2f} (below 1 is faster)")


if __name__ == "__main__":
    main()
