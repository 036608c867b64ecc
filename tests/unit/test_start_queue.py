"""The start queue: at most N starts at once, the rest in arrival order, each told its place."""

from __future__ import annotations

import asyncio

import pytest
from coursehub.start_queue import StartQueue, default_slots
from hypothesis import given, settings
from hypothesis import strategies as st


async def run_starts(slots: int, names: list[str]) -> tuple[list[str], int, dict[str, int]]:
    queue = StartQueue(slots)
    order: list[str] = []
    running = most = 0
    everyone_arrived = asyncio.Event()

    async def start(name: str) -> None:
        nonlocal running, most
        async with queue.slot(name):
            running += 1
            most = max(most, running)
            order.append(name)
            await everyone_arrived.wait()
            running -= 1

    tasks = []
    for name in names:
        tasks.append(asyncio.create_task(start(name)))
        await asyncio.sleep(0)  # let it arrive before the next one
    positions = {name: queue.position(name) for name in names}
    everyone_arrived.set()
    await asyncio.gather(*tasks)
    return order, most, positions


@settings(max_examples=50, deadline=None)
@given(slots=st.integers(1, 6), count=st.integers(0, 30))
def test_starts_never_exceed_the_slots_and_happen_in_arrival_order(slots, count):
    names = [f"learner{i}" for i in range(count)]
    order, most, positions = asyncio.run(run_starts(slots, names))
    assert order == names
    assert most <= slots
    # Those beyond the slots were told their place in line: 1, 2, 3, ...
    waiting = names[slots:]
    assert [positions[name] for name in waiting] == list(range(1, len(waiting) + 1))
    assert all(positions[name] == 0 for name in names[:slots])


def test_a_learner_who_gives_up_leaves_the_line():
    async def scenario() -> int:
        queue = StartQueue(1)
        async with queue.slot("first"):
            waiting = asyncio.create_task(queue.slot("second").__aenter__())
            await asyncio.sleep(0)
            assert queue.position("second") == 1
            waiting.cancel()
            await asyncio.sleep(0)
            return queue.position("second")

    assert asyncio.run(scenario()) == 0


def test_slots_must_be_positive():
    with pytest.raises(ValueError, match="at least one slot"):
        StartQueue(0)
    assert default_slots() >= 4
