"""Per-field accuracy of `read_metadata` on the hand-written evaluation pages.

Usage: python bench/metadata_eval.py [--verbose]

The pages live in tests/fixtures/metadata/ with one expected.json mapping each file name to
{url, title, authors, published (YYYY-MM-DD or null), publisher}.  A field is right when:
the title matches after whitespace normalisation, the authors match as a set, the published
date falls on the same calendar day, the publisher matches after whitespace normalisation.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import lxml.html

from newsdown.converters.metadata import read_metadata
from newsdown.converters.model import Metadata

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "metadata"
FIELDS = ("title", "authors", "published", "publisher")
# Best of several runs: the first run pays for imports and regex compilation.
TIMING_RUNS = 5


@dataclass
class Report:
    """Right answers per field, misses for --verbose, and the time spent in read_metadata."""

    pages: int = 0
    right: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    misses: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def accuracy(self, name: str) -> float:
        return self.right[name] / self.pages if self.pages else 0.0

    @property
    def ms_per_page(self) -> float:
        return 1000 * self.seconds / self.pages if self.pages else 0.0


def normalise(text: str | None) -> str | None:
    return " ".join(unicodedata.normalize("NFC", text).split()) if text else None


def day_of(value: dt.datetime | dt.date | None) -> str | None:
    if value is None:
        return None
    return (value.date() if isinstance(value, dt.datetime) else value).isoformat()


def actual_values(metadata: Metadata) -> dict[str, object]:
    return {
        "title": normalise(metadata.title),
        "authors": {normalise(name) for name in metadata.authors},
        "published": day_of(metadata.published),
        "publisher": normalise(metadata.publisher),
    }


def expected_values(expected: dict[str, object]) -> dict[str, object]:
    authors = expected.get("authors") or []
    assert isinstance(authors, list)
    title, published, publisher = expected.get("title"), expected.get("published"), expected.get("publisher")
    return {
        "title": normalise(title) if isinstance(title, str) else None,
        "authors": {normalise(str(name)) for name in authors},
        "published": published if isinstance(published, str) else None,
        "publisher": normalise(publisher) if isinstance(publisher, str) else None,
    }


def evaluate(fixtures: Path = FIXTURES) -> Report:
    """Run read_metadata over every page listed in expected.json and score each field."""
    expectations: dict[str, dict[str, object]] = json.loads((fixtures / "expected.json").read_text("utf-8"))
    report = Report()
    for name, expected in sorted(expectations.items()):
        text = (fixtures / name).read_text("utf-8")
        url = expected.get("url")
        page_url = url if isinstance(url, str) else None
        tree = lxml.html.document_fromstring(text)
        best = float("inf")
        for _ in range(TIMING_RUNS):
            start = time.perf_counter()
            metadata = read_metadata(tree, page_url)
            best = min(best, time.perf_counter() - start)
        report.seconds += best
        report.pages += 1
        actual, wanted = actual_values(metadata), expected_values(expected)
        for key in FIELDS:
            if actual[key] == wanted[key]:
                report.right[key] += 1
            else:
                report.misses.append(f"{name}: {key} = {actual[key]!r}, expected {wanted[key]!r}")
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="list every wrong field")
    args = parser.parse_args()
    report = evaluate()
    print(f"metadata evaluation: {report.pages} pages in {FIXTURES}")
    for key in FIELDS:
        print(f"  {key:<10} {report.accuracy(key):6.1%}  ({report.right[key]}/{report.pages})")
    print(f"  {'speed':<10} {report.ms_per_page:.2f} ms/page (read_metadata only, parse excluded)")
    if args.verbose:
        for miss in report.misses:
            print(f"  MISS {miss}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
