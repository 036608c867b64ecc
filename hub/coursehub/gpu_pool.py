"""The hub's GPU pool: allocations kept in the hub database, and a queue for when all are taken.

One pool lives in the hub process and every spawner shares it. Decisions are the allocator's;
the pool makes them atomic (one lock), durable (a table in the hub database, so a hub restart
changes nothing), and fair when GPUs are full (first come, first served). The table is the
single source of truth: every decision reads it, so ``coursehub gpus release`` from the CLI
takes effect at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC

from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    delete,
    insert,
    select,
)

from .allocator import Allocation, Allocator
from .gpus import Inventory
from .profiles import Profile

metadata = MetaData()
allocations_table = Table(
    "coursehub_gpu_allocations",
    metadata,
    Column("user", String(255), primary_key=True),
    Column("uuid", String(255), nullable=False),
    Column("node", String(255), nullable=False),
    Column("mode", String(16), nullable=False),
    Column("profile", String(255), nullable=False),
    Column("share", Integer, nullable=False),
    Column("since", DateTime(timezone=True), nullable=False),
)


class AllocationStore:
    """Allocations in the hub's database (SQLite or PostgreSQL), one row per holder."""

    def __init__(self, db_url: str):
        self.engine = create_engine(db_url)
        metadata.create_all(self.engine, checkfirst=True)

    def load(self) -> list[Allocation]:
        with self.engine.connect() as connection:
            rows = connection.execute(select(allocations_table)).mappings().all()
        return [Allocation(**{**row, "since": _aware(row["since"])}) for row in rows]

    def add(self, allocation: Allocation) -> None:
        with self.engine.begin() as connection:
            connection.execute(insert(allocations_table).values(**allocation.__dict__))

    def remove(self, user: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(delete(allocations_table).where(allocations_table.c.user == user))


def _aware(moment):
    # SQLite drops the time zone; every moment we store is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass
class Waiter:
    user: str
    profile: Profile
    granted: asyncio.Future = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class GPUPool:
    # How often waiting learners look again, for places freed outside this process (the CLI).
    RECHECK_SECONDS = 5.0

    def __init__(self, load_inventory: Callable[[], Inventory], store: AllocationStore):
        self._load_inventory = load_inventory
        self.store = store
        self._lock = asyncio.Lock()
        self.queue: list[Waiter] = []

    @property
    def inventory(self) -> Inventory:
        # Read at every decision: on a swarm, nodes join, drain and leave while the hub runs.
        return self._load_inventory()

    def allocator(self) -> Allocator:
        """The allocator over the inventory and the allocations in the database now."""
        return Allocator(self.inventory, self.store.load())

    def free(self, profile: Profile) -> int:
        return len(self.allocator().candidates(profile))

    def position(self, user: str) -> int | None:
        for number, waiter in enumerate(self.queue, start=1):
            if waiter.user == user:
                return number
        return None

    async def acquire(self, user: str, profile: Profile) -> Allocation | None:
        """A device for ``user`` now, or None when every fitting device is taken."""
        async with self._lock:
            held = self.allocator().held_by(user)
            if held is not None and held.profile == profile.slug:
                return held  # e.g. a restart of a server whose stop never reached us
            if held is not None:
                self.store.remove(user)
            return self._allocate_locked(user, profile)

    async def wait_for(self, user: str, profile: Profile) -> Allocation:
        """Queue ``user`` until a device frees up; cancelling leaves the queue."""
        async with self._lock:
            allocation = self._allocate_locked(user, profile)
            if allocation is not None:
                return allocation
            waiter = Waiter(user, profile)
            self.queue.append(waiter)
        try:
            while True:
                try:
                    return await asyncio.wait_for(asyncio.shield(waiter.granted), self.RECHECK_SECONDS)
                except TimeoutError:
                    async with self._lock:
                        self._serve_queue()
        finally:
            if waiter in self.queue:
                self.queue.remove(waiter)

    async def release(self, user: str) -> Allocation | None:
        async with self._lock:
            released = self.allocator().held_by(user)
            self.store.remove(user)
            if released is not None:
                self._serve_queue()
            return released

    def _allocate_locked(self, user: str, profile: Profile) -> Allocation | None:
        allocation = self.allocator().allocate(user, profile)
        if allocation is not None:
            self.store.add(allocation)
        return allocation

    def _serve_queue(self) -> None:
        # In order of arrival; a waiter whose profile cannot be served yet does not hold back
        # those behind it who want another kind of device.
        for waiter in list(self.queue):
            if waiter.granted.done():
                continue
            allocation = self._allocate_locked(waiter.user, waiter.profile)
            if allocation is not None:
                self.queue.remove(waiter)
                waiter.granted.set_result(allocation)
