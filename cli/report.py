"""Per-input outcomes, the summary line and the exit code of a run (black's Report)."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from newsdown.cli.exitcodes import ExitCode

Status = Literal["converted", "skipped", "failed"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome:
    origin: str
    status: Status
    code: ExitCode = ExitCode.OK
    message: str = ""
    output: Path | None = None


@dataclass(slots=True)
class Report:
    """Counts outcomes; decides the exit code once the run is over."""

    started: float = field(default_factory=time.monotonic)
    counts: Counter[Status] = field(default_factory=Counter)
    failure_codes: Counter[ExitCode] = field(default_factory=Counter)

    def add(self, outcome: Outcome) -> None:
        self.counts[outcome.status] += 1
        if outcome.status == "failed":
            self.failure_codes[outcome.code] += 1

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def exit_code(self) -> ExitCode:
        """0 if nothing failed; a failure's own code if every input failed the same way; else 1."""
        failed = self.counts["failed"]
        if not failed:
            return ExitCode.OK
        if failed == self.total and len(self.failure_codes) == 1:
            return next(iter(self.failure_codes))
        return ExitCode.PARTIAL

    def summary(self) -> str:
        seconds = time.monotonic() - self.started
        rate = self.total / seconds if seconds > 0 else 0.0
        return (
            f"converted {self.counts['converted']}, skipped {self.counts['skipped']}, "
            f"failed {self.counts['failed']} in {seconds:.1f} s ({rate:.1f} pages/s)"
        )
