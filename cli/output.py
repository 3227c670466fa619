"""Where results go and how they are written: safe names, no silent overwrite, atomic writes."""

from __future__ import annotations

import contextlib
import functools
import itertools
import os
import re
import unicodedata
from pathlib import Path

from newsdown.cli.inputs import InputSpec, page_stem
from newsdown.converters.errors import OutputError

MAX_SLUG = 80  # characters; long enough to read, short enough for every file system
MAX_COMPONENT_BYTES = 200  # under the 255-byte limit of common file systems, leaving room for suffixes
NON_SLUG = re.compile(r"[^a-z0-9]+")
UNSAFE_NAME = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
# Windows reserves these device names with any extension; the superscript digits count as digits.
WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul", "conin$", "conout$"}
    | {f"{device}{digit}" for device in ("com", "lpt") for digit in "0123456789¹²³"}
)
EXTENSIONS = {"markdown": ".md", "json": ".json", "text": ".txt"}
TEMPORARY_ATTEMPTS = 1000
_temporary_numbers = itertools.count()


class TargetExistsError(OutputError):
    """The output file is already there; without --force the input is skipped, not failed."""


def slugify(text: str) -> str:
    """'Four Armenian soldiers killed…' -> 'four-armenian-soldiers-killed', safe on every OS."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = NON_SLUG.sub("-", ascii_text.lower()).strip("-")
    if len(slug) > MAX_SLUG:
        slug = slug[:MAX_SLUG].rsplit("-", 1)[0] or slug[:MAX_SLUG]
    return safe_component(slug) if slug else ""


def safe_component(name: str) -> str:
    """One path component that cannot escape the folder or trip Windows."""
    name = UNSAFE_NAME.sub("_", name).strip(" .") or "article"
    if name.split(".")[0].rstrip(" ").lower() in WINDOWS_RESERVED:
        name = f"_{name}"
    if len(name.encode("utf-8")) > MAX_COMPONENT_BYTES:
        name = name.encode("utf-8")[:MAX_COMPONENT_BYTES].decode("utf-8", errors="ignore").rstrip(" .")
    return name or "article"


def relative_output(spec: InputSpec, title: str | None, extension: str) -> Path:
    """The output path under --output-dir: mirrored for folder inputs, the stem or a slug otherwise."""
    if spec.relative is not None:
        return _safe_folder(spec.relative.parent) / (
            safe_component(page_stem(spec.relative.name)) + extension
        )
    if spec.kind == "file" and spec.path is not None:
        return Path(safe_component(page_stem(spec.path.name)) + extension)
    return Path((slugify(title or "") or _url_fallback(spec.origin)) + extension)


@functools.lru_cache(maxsize=256)  # a folder's pages come one after another: made once per folder
def _safe_folder(folder: Path) -> Path:
    return Path(*(safe_component(part) for part in folder.parts if part not in ("", ".", "..")))


def _url_fallback(origin: str) -> str:
    from urllib.parse import urlsplit

    if origin == "-":
        return "article"
    parts = urlsplit(origin)
    last = [p for p in parts.path.split("/") if p]
    return slugify(page_stem(last[-1]) if last else parts.hostname or "") or "article"


class OutputPlan:
    """Assigns output paths in input order; a name already taken in this run gets -2, -3, ..."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._resolved_root = _resolve(root)  # once: resolving walks the whole path on disk
        self._folder_inside: dict[Path, bool] = {root: True}  # once per folder, for the same reason
        self.claimed: set[str] = set()

    def claim(self, relative: Path) -> Path:
        candidate, number = relative, 1
        # Case-insensitive file systems (macOS, Windows) treat A.md and a.md as one file.
        while _fold(candidate) in self.claimed:
            number += 1
            candidate = relative.with_name(f"{relative.stem}-{number}{relative.suffix}")
        self.claimed.add(_fold(candidate))
        target = self.root / candidate
        self._ensure_inside(target)
        return target

    def _ensure_inside(self, target: Path) -> None:
        """Refuse a target that a symlink (to a folder, or the file itself) points out of the root."""
        inside = self._folder_inside.get(target.parent)
        if inside is None:
            inside = _resolve(target.parent).is_relative_to(self._resolved_root)
            self._folder_inside[target.parent] = inside
        if inside and target.is_symlink():
            inside = _resolve(target).is_relative_to(self._resolved_root)
        if not inside:
            raise OutputError(f"refusing to write outside {self.root}: {target}")


def _fold(path: Path) -> str:
    """The key under which file systems may see two names as one: case-insensitive (macOS, Windows)
    and normalising Unicode (macOS stores NFD)."""
    return unicodedata.normalize("NFC", str(path)).casefold()


def _resolve(path: Path) -> Path:
    try:
        return path.resolve()
    except RuntimeError:  # raised for a symlink loop before Python 3.13, which raises OSError
        raise OutputError(f"cannot write {path}: a symlink loop") from None
    except OSError as error:
        raise OutputError(f"cannot write {path}: {error.strerror or error}") from None


def write_atomically(target: Path, text: str, *, force: bool) -> None:
    """Write via a temporary file in the same folder, then rename, so a file is never half-written.

    Without force an existing file is never replaced, not even one created while we wrote.
    """
    data = text.encode("utf-8")
    try:
        try:
            handle, temporary = create_temporary(target)
        except FileNotFoundError:  # the folder is new
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = create_temporary(target)
    except OSError as error:
        raise OutputError(f"cannot write {target}: {error.strerror or error}") from None
    try:
        try:
            _write_all(handle, data)
        finally:
            os.close(handle)
        _publish(temporary, target, force=force)
    except OSError as error:
        raise OutputError(f"cannot write {target}: {error.strerror or error}") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def _write_all(handle: int, data: bytes) -> None:
    """The bytes to the descriptor, as they are (a text stream would ask the file whether it is a
    terminal and where it stands, three system calls for every output of a batch)."""
    view = memoryview(data)
    while view:
        view = view[os.write(handle, view) :]


def create_temporary(target: Path) -> tuple[int, Path]:
    """A new, exclusively created file beside the target. Unlike mkstemp's (0600), it gets the
    permissions the user's umask gives new files, which the published output keeps."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    prefix = temporary_prefix(target, os.getpid())
    for _ in range(TEMPORARY_ATTEMPTS):
        temporary = target.with_name(f"{prefix}{next(_temporary_numbers)}.tmp")
        try:
            return os.open(temporary, flags, 0o666), temporary
        except FileExistsError:  # left by an earlier run that was killed: pick the next number
            continue
    raise FileExistsError(f"no free temporary name beside {target}")


def temporary_prefix(target: Path, pid: int) -> str:
    """How the temporary files of process `pid` beside `target` are named, up to a number."""
    return f".{target.name[:50]}.{pid}-"


def remove_temporaries(target: Path, pid: int) -> None:
    """Delete what a killed process `pid` may have left half-written beside `target`."""
    prefix = temporary_prefix(target, pid)
    try:
        names = os.listdir(target.parent)
    except OSError:  # no folder: nothing was written
        return
    for name in names:
        if name.startswith(prefix) and name.endswith(".tmp"):
            with contextlib.suppress(OSError):
                os.unlink(target.parent / name)


def _publish(temporary: Path, target: Path, *, force: bool) -> None:
    if force:
        os.replace(temporary, target)
        return
    try:
        # link() fails if the target exists: an atomic "create only if absent".
        os.link(temporary, target)
    except FileExistsError:
        raise TargetExistsError(f"{target} exists (use --force to overwrite)") from None
    except OSError:
        # No hard links here (some network or FAT file systems): check, then rename.
        if target.exists():
            raise TargetExistsError(f"{target} exists (use --force to overwrite)") from None
        os.replace(temporary, target)
