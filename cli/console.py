"""Everything newsdown says to the user goes to stderr, through here.

Rich markup is off for messages: titles and file names such as `[draft] story.html` come from
pages and users, and must be printed as they are, never interpreted.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from typing import TextIO

# ANSI escape sequences and other control characters from pages never reach the terminal raw.
# Line breaks and tabs become spaces too, so every message stays one line; bidirectional overrides
# and isolates go, so a file name cannot be displayed reversed (CVE-2021-42574, "Trojan Source").
TERMINAL_UNSAFE = re.compile(
    r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC: window titles, hyperlinks, clipboard writes
    r"|\x1b\[[0-9;?]*[ -/]*[@-~]"  # CSI: colours, cursor movement, screen clearing
    r"|\x1b[ -~]?"  # other escapes (and a lone ESC)
    r"|[\x00-\x1f\x7f-\x9f\u2028\u2029]"
)
BIDI_CONTROLS = re.compile(r"[\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """Text safe to print on a terminal: escape sequences removed, control characters as spaces."""
    text = TERMINAL_UNSAFE.sub(lambda m: "" if m.group().startswith("\x1b") else " ", text)
    return BIDI_CONTROLS.sub("", text)


@dataclass(frozen=True, slots=True)
class Messages:
    """Diagnostics on stderr, filtered by verbosity (-q: errors only; -v: each input; -vv: debug)."""

    stream: TextIO
    verbosity: int = 0  # -1 quiet, 0 normal, 1 verbose, 2 debug

    def error(self, origin: str, reason: str) -> None:
        self._line(f"newsdown: {printable(origin)}: {printable(reason)}")

    def warning(self, origin: str, reason: str) -> None:
        if self.verbosity >= 0:
            self._line(f"newsdown: {printable(origin)}: {printable(reason)}")

    def info(self, text: str) -> None:
        if self.verbosity >= 1:
            self._line(f"newsdown: {printable(text)}")

    def debug(self, text: str) -> None:
        """Several lines (a traceback, with -vv), each made printable."""
        if self.verbosity >= 2:
            for line in text.rstrip("\n").split("\n"):
                self._line(printable(line))

    def explain(self, origin: str, rule: str, text: str) -> None:
        snippet = printable(" ".join(text.split()))
        if len(snippet) > 100:
            snippet = snippet[:99] + "…"
        self._line(f"newsdown: {printable(origin)}: removed by {rule}: {snippet}")

    def _line(self, text: str) -> None:
        try:
            self.stream.write(text + "\n")
            self.stream.flush()
        except (BrokenPipeError, ValueError):  # stderr closed: nothing left to tell
            pass


def stderr_is_terminal() -> bool:
    return sys.stderr.isatty()
