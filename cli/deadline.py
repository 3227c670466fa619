"""A wall-clock limit per document, so one pathological page cannot stall a batch, and Ctrl-C that
stops a conversion running in this process at once.

SIGALRM interrupts the conversion wherever it is (lxml, readability and markdownify included,
between bytecodes) and turns it into an ordinary input error. Platforms without SIGALRM
(Windows), or a conversion off the main thread, run without the limit.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from newsdown.converters.errors import InputError

REPEAT_SECONDS = 0.05  # how soon a lost alarm is raised again


class DocumentTimeoutError(InputError):
    """The document took longer than --doc-timeout to convert."""


class _Expired(BaseException):
    """Raised by the alarm. A BaseException, like KeyboardInterrupt, so that the broad
    `except Exception` safety nets inside the stages (and readability's) cannot swallow it."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise DocumentTimeoutError in the block if it runs longer than `seconds` (0: no limit)."""
    usable = (
        seconds > 0 and hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return

    running = True

    def expire(signum: int, frame: FrameType | None) -> None:
        if running:
            raise _Expired

    previous = signal.signal(signal.SIGALRM, expire)
    # The alarm repeats: an exception raised where Python can only print it (a garbage-collector
    # callback, a __del__) is lost, and the next alarm raises it again.
    signal.setitimer(signal.ITIMER_REAL, seconds, REPEAT_SECONDS)
    try:
        yield
    except _Expired:
        running = False
        raise DocumentTimeoutError(f"took longer than {seconds:g} s to convert (--doc-timeout)") from None
    finally:
        running = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def interruptible() -> Iterator[None]:
    """Ctrl-C raises KeyboardInterrupt at once in the block, even under asyncio.run().

    asyncio's own SIGINT handler only cancels the main task, which takes effect at its next await:
    a conversion that blocks the event loop (a batch with --jobs 1) would run on to its end first.
    """
    previous = signal.getsignal(signal.SIGINT)
    # Leave alone an ignored SIGINT (a background job) and the default handler, which raises anyway.
    swap = callable(previous) and previous is not signal.default_int_handler
    if not swap or threading.current_thread() is not threading.main_thread():
        yield
        return
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
