"""Exit codes, one per failure class (README "Errors and exit codes")."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0  # every input converted (or skipped because its output already exists)
    PARTIAL = 1  # several inputs: some failed, the rest were converted
    USAGE = 2  # bad option or value (Click's own code)
    NO_ARTICLE = 3  # the input was read but holds no article
    INPUT = 4  # missing, unreadable, binary, too big, or not HTML/text
    NETWORK = 5  # DNS, connection, timeout, HTTP error status, too many redirects
    OUTPUT = 6  # the result could not be written
    BROKEN_PIPE = 141  # the reader of stdout went away (128 + SIGPIPE), as other Unix tools do
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT)
