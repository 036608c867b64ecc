"""A first-come, first-served limit on how many learner servers start at the same time.

When a whole class logs in at once, starting every container together makes each start slower
(they share the CPUs) and the last learners time out. With a limit, learners beyond it wait in
the order they arrived, and the spawn page tells them their place.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


def default_slots() -> int:
    """Two starts per CPU of the host keep the CPUs busy without making each start crawl."""
    return max(4, 2 * (os.cpu_count() or 1))


class StartQueue:
    def __init__(self, slots: int):
        if slots < 1:
            raise ValueError(f"a start queue needs at least one slot, not {slots}")
        self.slots = slots
        # asyncio.Semaphore wakes its waiters in the order they came (Python >= 3.11.1).
        self._semaphore = asyncio.Semaphore(slots)
        self._waiting: list[str] = []

    @asynccontextmanager
    async def slot(self, name: str) -> AsyncIterator[None]:
        """Hold one of the slots while ``name``'s server starts; wait in line for it if needed."""
        self._waiting.append(name)
        try:
            await self._semaphore.acquire()
        finally:
            self._waiting.remove(name)
        try:
            yield
        finally:
            self._semaphore.release()

    def position(self, name: str) -> int:
        """1 for the next to start, 2 for the one after, ...; 0 when ``name`` is not waiting."""
        return self._waiting.index(name) + 1 if name in self._waiting else 0
