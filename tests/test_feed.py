"""The input feed of a batch: in order, bounded read-ahead, and prompt with a slow source."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

from newsdown.cli.inputs import InputSpec
from newsdown.cli.run import Feed


def specs(count: int, pulled: list[int]) -> Iterator[InputSpec]:
    for number in range(count):
        pulled.append(number)
        yield InputSpec(origin=f"page{number}.html", kind="file")


def test_every_input_arrives_in_order() -> None:
    async def consume() -> list[str]:
        feed = Feed(specs(100, []), 4)
        origins = []
        while (spec := await feed.get()) is not None:
            origins.append(spec.origin)
        return origins

    assert asyncio.run(consume()) == [f"page{number}.html" for number in range(100)]


def test_the_feed_reads_no_further_ahead_than_its_limit() -> None:
    limit = 6
    pulled: list[int] = []

    async def consume() -> list[int]:
        feed = Feed(specs(200, pulled), limit)
        ahead = []
        for consumed in range(1, 101):
            assert await feed.get() is not None
            await asyncio.sleep(0.001)  # time for the reading thread to run ahead as far as it may
            ahead.append(len(pulled) - consumed)
        feed.stop()
        return ahead

    ahead = asyncio.run(consume())
    assert max(ahead) <= limit + 1  # the room it has, and the one input it read before waiting
    assert max(ahead) >= 1  # it does read ahead


def test_an_input_is_handed_over_before_the_next_one_is_there() -> None:
    more = threading.Event()

    def slow() -> Iterator[InputSpec]:
        yield InputSpec(origin="first.html", kind="file")
        more.wait(10)  # a pipe that gives nothing more for a while
        yield InputSpec(origin="second.html", kind="file")

    async def consume() -> list[str]:
        feed = Feed(slow(), 16)
        first = await asyncio.wait_for(feed.get(), 5)
        more.set()
        second = await feed.get()
        assert first is not None
        assert second is not None
        assert await feed.get() is None
        return [first.origin, second.origin]

    assert asyncio.run(consume()) == ["first.html", "second.html"]
