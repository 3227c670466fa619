"""Command-line arguments to input specs: files, folders (recursive), URLs and standard input."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from newsdown.converters.fetch import is_url

# What a folder is searched for; other files in it are not pages and are passed over.
PAGE_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml", ".txt", ".html.gz", ".htm.gz")
_LONGEST_SUFFIX_FIRST = sorted(PAGE_SUFFIXES, key=len, reverse=True)  # ".html.gz" before ".gz"
STDIN = "-"
# Schemes that look like URLs but are never fetched: local files by URL, scripts, inline data.
REFUSED_SCHEMES = ("file:", "javascript:", "data:", "ftp:", "vbscript:", "about:", "mailto:")


@dataclass(frozen=True, slots=True, kw_only=True)
class InputSpec:
    """One input to convert, and where its output goes relative to --output-dir."""

    origin: str  # as the user gave it (or the file path inside a folder)
    kind: Literal["file", "url", "stdin", "invalid"]
    path: Path | None = None
    relative: Path | None = None  # for folder inputs: the path under the folder, to mirror
    problem: str = ""  # why an "invalid" input cannot be read, reported as its failure


def expand_inputs(arguments: Iterable[str]) -> Iterator[InputSpec]:
    """Yield one spec per page, lazily, so a folder of 100,000 pages is never listed in memory."""
    listed = iter(arguments)
    while True:
        try:
            argument = next(listed)
        except StopIteration:
            return
        except OSError as error:  # an --input-list that cannot be read to its end (an I/O error)
            reason = f"cannot read the rest of the list: {error.strerror or error}"
            yield InputSpec(origin="--input-list", kind="invalid", problem=reason)
            return
        yield from expand_one(argument)


def expand_one(argument: str) -> Iterator[InputSpec]:
    if argument == STDIN:
        yield InputSpec(origin=STDIN, kind="stdin")
    elif "\0" in argument:  # no file system takes it; Python raises ValueError
        yield InputSpec(origin=argument, kind="invalid", problem="the name contains a NUL character")
    elif is_url(argument):
        yield InputSpec(origin=argument, kind="url")
    elif argument.lower().startswith(REFUSED_SCHEMES):
        scheme = argument.split(":", 1)[0]
        yield InputSpec(origin=argument, kind="invalid", problem=f"{scheme}: URLs are not supported")
    elif is_folder(Path(argument)):
        yield from walk_folder(Path(argument))
    else:
        yield InputSpec(origin=argument, kind="file", path=Path(argument))


def is_folder(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:  # e.g. a name too long for the file system: reading it as a file says so
        return False


def walk_folder(folder: Path) -> Iterator[InputSpec]:
    """Pages under a folder, recursively, sorted for a stable order; symlinked folders not followed
    (so a symlink loop cannot trap the walk). A subfolder that cannot be listed is reported as a
    failed input, not passed over in silence.
    """
    problems: list[OSError] = []
    for directory, subdirectories, files in os.walk(folder, onerror=problems.append):
        yield from _unreadable(problems)
        subdirectories[:] = sorted(d for d in subdirectories if not d.startswith("."))
        for name in sorted(files):
            if name.startswith(".") or not is_page_name(name):
                continue
            path = Path(directory, name)
            yield InputSpec(origin=str(path), kind="file", path=path, relative=path.relative_to(folder))
    yield from _unreadable(problems)


def _unreadable(problems: list[OSError]) -> Iterator[InputSpec]:
    while problems:
        error = problems.pop(0)
        where = str(error.filename or "?")
        reason = f"cannot list the folder: {error.strerror or error}"
        yield InputSpec(origin=where, kind="invalid", problem=reason)


def is_page_name(name: str) -> bool:
    return name.lower().endswith(PAGE_SUFFIXES)


def page_stem(name: str) -> str:
    """'a.html.gz' -> 'a', 'b.htm' -> 'b', 'c' -> 'c'."""
    lowered = name.lower()
    for suffix in _LONGEST_SUFFIX_FIRST:
        if lowered.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return Path(name).stem or name
