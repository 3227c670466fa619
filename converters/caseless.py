"""Case-insensitive regex search, fast on ASCII text.

Python's `re.IGNORECASE` turns off the literal-prefix search that makes alternations of words fast:
a class-name pattern such as readability's unlikelyCandidatesRe runs about 4x slower with it. The
class names, ids and styles that the filters test are almost always ASCII, and for ASCII text
lowercasing it and searching case-sensitively finds exactly what IGNORECASE would; other text keeps
the IGNORECASE pattern (its Unicode case folding, such as "ſ" for "s", has no cheap equivalent).
"""

from __future__ import annotations

import re

# An uppercase letter that is not an escape such as \S or \W: a caseless pattern must not have one.
UPPERCASE_LITERAL = re.compile(r"(?<!\\)[A-Z]")


class Caseless:
    """A compiled pattern searched without regard to case; the pattern is written in lowercase."""

    def __init__(self, pattern: str | re.Pattern[str]) -> None:
        source = pattern if isinstance(pattern, str) else pattern.pattern
        if UPPERCASE_LITERAL.search(source):
            raise ValueError(f"caseless patterns are written in lowercase: {source!r}")
        self.pattern = source
        self._lowered = re.compile(source)
        self._folding = re.compile(source, re.IGNORECASE)

    def search(self, text: str) -> re.Match[str] | None:
        """A match in `text` (for ASCII text, a match in its lowercased copy: use it as a boolean or
        for positions, not for the matched text's case)."""
        if text.isascii():
            return self._lowered.search(text.lower())
        return self._folding.search(text)
