"""Per-field accuracy of `read_metadata` on the hand-written evaluation pages, beside other tools.

Usage: python bench/metadata_eval.py [--verbose] [--ours-only]

trafilatura and newspaper4k, when installed (`pip install trafilatura newspaper4k`; neither is a
dependency of ours), run on the same pages with the same scoring and get a column each.

The pages live in tests/fixtures/metadata/ with one expected.json mapping each file name to
{url, title, authors, published (YYYY-MM-DD or null), publisher}.  A field is right when:
the title matches after whitespace normalisation, the authors match as a set, the published
date falls on the same calendar day, the publisher matches after whitespace normalisation.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib.util
import io
import json
import logging
import time
import unicodedata
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import lxml.html

from newsdown.converters.metadata import read_metadata
from newsdown.converters.model import Metadata

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "metadata"
FIELDS = ("title", "authors", "published", "publisher")
# A reader turns (html, url) into the four scored values.
Reader = Callable[[str, str | None], dict[str, object]]
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


def trafilatura_values(text: str, url: str | None) -> dict[str, object]:
    import trafilatura

    document = trafilatura.extract_metadata(text, default_url=url)
    authors = document.author.split("; ") if document.author else []
    return {
        "title": normalise(document.title),
        "authors": {normalise(name) for name in authors},
        "published": document.date[:10] if document.date else None,
        "publisher": normalise(document.sitename),
    }


def newspaper_values(text: str, url: str | None) -> dict[str, object]:
    import newspaper

    article = newspaper.Article(url or "https://example.invalid/")
    article.download(input_html=text)
    article.parse()
    published = article.publish_date
    return {
        "title": normalise(article.title),
        "authors": {normalise(name) for name in article.authors},
        "published": day_of(published) if isinstance(published, (dt.datetime, dt.date)) else None,
        "publisher": normalise(article.meta_site_name),
    }


OTHERS: dict[str, tuple[str, Reader]] = {
    "trafilatura": ("trafilatura", trafilatura_values),
    "newspaper4k": ("newspaper", newspaper_values),
}


def score_other(reader: Reader, fixtures: Path = FIXTURES) -> Report:
    """Score another library on the same pages; a page it fails on counts as all fields wrong."""
    expectations: dict[str, dict[str, object]] = json.loads((fixtures / "expected.json").read_text("utf-8"))
    report = Report()
    for name, expected in sorted(expectations.items()):
        url = expected.get("url")
        text = (fixtures / name).read_text("utf-8")
        start = time.perf_counter()
        try:
            # Both libraries log and warn freely; the table is what matters here.
            with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
                warnings.simplefilter("ignore")
                actual = reader(text, url if isinstance(url, str) else None)
        except Exception as error:  # noqa: BLE001 - a crash in another library is a miss, not ours
            report.misses.append(f"{name}: crashed: {error!r}")
            actual = {}
        report.seconds += time.perf_counter() - start
        report.pages += 1
        wanted = expected_values(expected)
        for key in FIELDS:
            if actual.get(key) == wanted[key]:
                report.right[key] += 1
            else:
                report.misses.append(f"{name}: {key} = {actual.get(key)!r}, expected {wanted[key]!r}")
    return report


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
    parser.add_argument("--ours-only", action="store_true", help="skip trafilatura and newspaper4k")
    args = parser.parse_args()
    logging.disable(logging.CRITICAL)
    reports = {"newsdown": evaluate()}
    skipped: list[str] = []
    for label, (module, reader) in OTHERS.items():
        if args.ours_only:
            continue
        if importlib.util.find_spec(module) is None:
            skipped.append(label)
            continue
        reports[label] = score_other(reader)
    ours = reports["newsdown"]
    print(f"metadata evaluation: {ours.pages} pages in {FIXTURES}")
    print(f"  {'field':<10}" + "".join(f"{label:>14}" for label in reports))
    for key in FIELDS:
        cells = "".join(
            f"{report.accuracy(key):>8.1%} {report.right[key]:>2}/{report.pages:<2}"
            for report in reports.values()
        )
        print(f"  {key:<10}{cells}")
    print(f"  {'ms/page':<10}" + "".join(f"{report.ms_per_page:>14.2f}" for report in reports.values()))
    print("  (newsdown: read_metadata only, parse excluded; others: from the HTML string)")
    if skipped:
        print(f"  not installed, skipped: {', '.join(skipped)}")
    if args.verbose:
        for label, report in reports.items():
            for miss in report.misses:
                print(f"  MISS [{label}] {miss}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
