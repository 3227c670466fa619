"""The metadata evaluation set must stay above the accuracy targets of issue 4."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench" / "metadata_eval.py"
# Issue 4: headline on >= 97% of pages; authors, publication day and publisher on >= 90%.
THRESHOLDS = {"title": 0.97, "authors": 0.90, "published": 0.90, "publisher": 0.90}


def test_metadata_accuracy_thresholds() -> None:
    spec = importlib.util.spec_from_file_location("metadata_eval", BENCH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    report = module.evaluate()
    assert report.pages >= 30
    below = {key: report.accuracy(key) for key, floor in THRESHOLDS.items() if report.accuracy(key) < floor}
    assert not below, f"below target: {below}; misses: {report.misses}"
