"""The long fuzz run of issue 7: N generated documents (default 10,000) through the whole pipeline.

Usage: python bench/fuzz.py [N]. Each document is a random HTML page or random bytes (the strategies of
tests/test_properties.py), converted with a random --input-format. A document "finds" something when
the pipeline raises anything but newsdown's own errors, or its output breaks an invariant (front matter
that is not YAML, a raw escape character). Prints how many documents were tried and what was found.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from newsdown.converters.errors import NewsdownError
from tests.test_properties import ANY_BYTES, convert_anything


def main(count: int) -> int:
    tried = 0
    outcomes: Counter[str] = Counter()
    found: list[str] = []
    started = time.monotonic()

    @settings(
        max_examples=count,
        deadline=None,
        database=None,
        phases=[Phase.generate],  # no shrinking: every failure is recorded and the run goes on
        suppress_health_check=list(HealthCheck),
    )
    @given(ANY_BYTES, st.sampled_from(["auto", "html", "text"]))
    def run(data: bytes, input_format: str) -> None:
        nonlocal tried
        tried += 1
        try:
            result = convert_anything(data, input_format)
        except Exception as error:  # noqa: BLE001  # a finding, recorded with the input
            summary = "".join(traceback.format_exception_only(error)).strip()
            found.append(f"{summary}\n    input: {data[:200]!r}")
            return
        outcomes[type(result).__name__ if isinstance(result, NewsdownError) else "Article"] += 1

    run()
    seconds = time.monotonic() - started
    print(f"tried {tried} documents in {seconds:.0f} s; outcomes: {dict(outcomes.most_common())}")
    print(f"found {len(found)} problems")
    for finding in found[:20]:
        print(f"- {finding}")
    return 1 if found else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "count", nargs="?", type=int, default=10_000, help="documents to try (default 10,000)"
    )
    sys.exit(main(parser.parse_args().count))
