"""newsdown's own errors. Each has a one-line message and the exit code the CLI uses for it."""

from __future__ import annotations


class NewsdownError(Exception):
    """An expected failure, explained to the user in one line (str(error))."""

    exit_code = 1


class NoArticleError(NewsdownError):
    """The input was read, but no article could be found in it."""

    exit_code = 3


class InputError(NewsdownError):
    """The input cannot be read or is not something newsdown converts (missing, binary, too big)."""

    exit_code = 4


class FetchError(NewsdownError):
    """A URL could not be fetched: DNS, connection, timeout, HTTP status, too many redirects."""

    exit_code = 5


class OutputError(NewsdownError):
    """The result cannot be written: the target exists, is unwritable, or the disk is full."""

    exit_code = 6
