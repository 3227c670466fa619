"""The end of a batch: the summary on stderr (a Rich table on a terminal, one line otherwise), the
progress display while it runs, and the --failed-list file to feed a later retry."""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path
from types import TracebackType
from typing import IO, TextIO, cast

from newsdown.cli.console import Messages
from newsdown.cli.output import create_temporary
from newsdown.cli.report import Report
from newsdown.converters.errors import OutputError


def print_summary(report: Report, stream: TextIO, *, table: bool, interrupted: bool = False) -> None:
    """Counts, time and rate of the run so far."""
    if not table:
        what = "interrupted" if interrupted else "done"
        _write(stream, f"newsdown: {what}: {report.summary()}\n")
        return
    from rich.console import Console
    from rich.table import Table

    seconds = time.monotonic() - report.started
    rate = report.total / seconds if seconds > 0 else 0.0
    title = "newsdown: interrupted" if interrupted else "newsdown"
    summary = Table(title=title, title_justify="left")
    for column in ("converted", "skipped", "failed", "time", "pages/s"):
        summary.add_column(column, justify="right")
    summary.add_row(
        str(report.counts["converted"]),
        str(report.counts["skipped"]),
        str(report.counts["failed"]),
        f"{seconds:.1f} s",
        f"{rate:.1f}",
    )
    with contextlib.suppress(BrokenPipeError, ValueError):
        Console(file=stream, markup=False, highlight=False).print(summary)


def _write(stream: TextIO, text: str) -> None:
    try:
        stream.write(text)
        stream.flush()
    except (BrokenPipeError, ValueError):
        pass


class FailedList:
    """--failed-list FILE: the inputs that failed, one a line, written as they fail (so an
    interrupted run leaves a usable list). Without a file it does nothing.

    The lines go to a temporary file beside FILE that replaces it at the end: FILE is often the
    --input-list of this very run (retry what failed, keep what still fails), which must not be
    truncated while it is being read.
    """

    def __init__(self, path: Path | None, messages: Messages) -> None:
        self._path = path
        self._messages = messages
        self._stream: IO[bytes] | None = None
        self._temporary: Path | None = None
        if path is not None:
            self._stream, self._temporary = _open_beside(path)

    def add(self, origin: str) -> None:
        if self._stream is not None:
            self._stream.write(os.fsencode(origin.replace("\n", " ")) + b"\n")
            self._stream.flush()

    def close(self) -> None:
        if self._stream is None or self._path is None or self._temporary is None:
            return
        self._stream.close()
        self._stream = None
        try:
            os.replace(self._temporary, self._path)
        except OSError as error:
            self._temporary.unlink(missing_ok=True)
            self._messages.error(str(self._path), f"cannot write the failed list: {error.strerror or error}")

    def __enter__(self) -> FailedList:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


def _open_beside(path: Path) -> tuple[IO[bytes], Path]:
    """A temporary file in FILE's folder (so it can replace FILE), once FILE is known writable."""
    try:
        with path.open("ab"):  # fails now, not at the end, if FILE cannot be written; truncates nothing
            pass
        handle, name = create_temporary(path)
    except OSError as error:
        raise OutputError(f"cannot write {path}: {error.strerror or error}") from None
    return os.fdopen(handle, "wb"), name


class ProgressLine:
    """A Rich progress line on stderr while a batch runs on a terminal; nothing otherwise.

    `stream` is where messages go meanwhile: written straight to stderr they would land on the end
    of the progress line ("0:00:01newsdown: a.html: no such file"); through Rich, above it.
    """

    def __init__(self, stream: TextIO, enabled: bool) -> None:
        self._progress = None
        self._task = None
        self.stream = stream
        if enabled:
            from rich.console import Console
            from rich.file_proxy import FileProxy
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                SpinnerColumn,
                TimeElapsedColumn,
            )

            console = Console(file=stream, markup=False, highlight=False)
            columns = (SpinnerColumn(), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
            self._progress = Progress(*columns, console=console, transient=True)
            self._task = self._progress.add_task("converting", total=None)
            self.stream = cast(TextIO, FileProxy(console, stream))

    def advance(self) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task)

    def __enter__(self) -> ProgressLine:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._progress is not None:
            self._progress.stop()
