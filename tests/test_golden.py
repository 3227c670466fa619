"""Golden tests: every HTML page in samples/ converts to the Markdown beside it, via the library and the CLI.

Set NEWSDOWN_UPDATE_GOLDENS=1 to rewrite the expected files after a deliberate change (then review
the diff line by line). A missing expected file is a failure, never created silently.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

from newsdown.converters import convert_source
from newsdown.converters.fetch import read_path
from tests.helpers import SAMPLES, newsdown, split_front_matter

HTML_SAMPLES = sorted(SAMPLES.glob("*.html"))
UPDATE = os.environ.get("NEWSDOWN_UPDATE_GOLDENS") == "1"


def expected_path(page: Path) -> Path:
    return page.with_suffix(".md")


def assert_same_markdown(actual: str, expected_file: Path) -> None:
    if UPDATE:
        expected_file.write_text(actual, encoding="utf-8")
    assert expected_file.exists(), f"missing golden {expected_file.name}"
    expected = expected_file.read_text(encoding="utf-8")
    # Front matter first, field by field, so a failure names the field.
    assert split_front_matter(actual)[0] == split_front_matter(expected)[0]
    diff = "\n".join(difflib.unified_diff(expected.splitlines(), actual.splitlines(), lineterm=""))
    assert actual == expected, diff


def test_there_are_html_samples() -> None:
    assert len(HTML_SAMPLES) >= 3


@pytest.mark.parametrize("page", HTML_SAMPLES, ids=lambda p: p.name)
def test_library_conversion_matches_golden(page: Path) -> None:
    article = convert_source(read_path(page, page.name))
    assert_same_markdown(article.to_markdown(), expected_path(page))


@pytest.mark.parametrize("page", HTML_SAMPLES, ids=lambda p: p.name)
def test_cli_conversion_matches_golden(page: Path) -> None:
    result = newsdown(page.name, cwd=SAMPLES)
    assert result.returncode == 0, result.stderr
    assert result.stderr == b""
    assert result.stdout.decode("utf-8") == expected_path(page).read_text(encoding="utf-8")


@pytest.mark.parametrize("page", HTML_SAMPLES, ids=lambda p: p.name)
def test_conversion_is_deterministic(page: Path) -> None:
    first = convert_source(read_path(page)).to_markdown()
    second = convert_source(read_path(page)).to_markdown()
    assert first == second
