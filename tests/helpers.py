"""Shared helpers for tests: run the real command in a subprocess, split front matter."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples"


def newsdown(
    *args: str | Path, stdin: bytes | None = None, cwd: Path | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[bytes]:
    """Run `python -m newsdown.cli ARGS` as a user would, with stdin closed unless given."""
    return subprocess.run(
        [sys.executable, "-m", "newsdown.cli", *map(str, args)],
        input=stdin if stdin is not None else b"",
        capture_output=True,
        cwd=cwd,
        timeout=timeout,
        check=False,
    )


def split_front_matter(markdown: str) -> tuple[dict[str, Any], str]:
    """The parsed front matter and the body after it (front matter must be first)."""
    assert markdown.startswith("---\n"), markdown[:80]
    end = markdown.index("\n---\n", 3)
    head = yaml.safe_load(markdown[4 : end + 1])
    assert isinstance(head, dict)
    return head, markdown[end + 5 :].lstrip("\n")
