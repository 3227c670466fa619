"""Shared helpers for tests: run the command in a subprocess or in process, fetch a page, list the
outputs of a batch, split front matter."""

from __future__ import annotations

import asyncio
import io
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from newsdown.cli.exitcodes import ExitCode
from newsdown.cli.run import Settings, Streams, run
from newsdown.converters.model import Source
from newsdown.converters.web import Fetcher, WebSettings

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


def in_process(arguments: list[str], settings: Settings) -> tuple[ExitCode, str, str]:
    """Run a batch in this process with empty stdin: (exit code, stdout, stderr)."""
    stdout, stderr = io.StringIO(), io.StringIO()
    code = run(arguments, settings, Streams(stdin=io.BytesIO(), stdout=stdout, stderr=stderr))
    return code, stdout.getvalue(), stderr.getvalue()


def outputs(folder: Path) -> list[str]:
    """Every file under `folder`, as sorted POSIX paths relative to it."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def fetch_with(url: str, settings: WebSettings) -> Source:
    """Fetch one URL with a Fetcher of its own."""

    async def go() -> Source:
        async with Fetcher(settings) as fetcher:
            return await fetcher.fetch(url)

    return asyncio.run(go())
