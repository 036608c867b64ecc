"""GPU-aware culling decisions: only under contention, only idle GPU holders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from coursehub.allocator import Allocator
from coursehub.culling import servers_to_cull, under_contention
from coursehub.gpus import GPU
from coursehub.profiles import Profile

WHOLE = Profile(slug="gpu", display_name="GPU", gpu="exclusive")
CPU = Profile(slug="cpu", display_name="CPU")
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def user(name: str, minutes_idle: float, ready: bool = True) -> dict:
    last = (NOW - timedelta(minutes=minutes_idle)).isoformat().replace("+00:00", "Z")
    return {"name": name, "servers": {"": {"ready": ready, "last_activity": last}}}


def test_contention_only_when_a_gpu_profile_has_no_device_left():
    allocator = Allocator([GPU(uuid="GPU-a"), GPU(uuid="GPU-b", index=1)])
    allocator.allocate("ann", WHOLE)
    assert not under_contention(allocator, [CPU, WHOLE])
    allocator.allocate("bo", WHOLE)
    assert under_contention(allocator, [CPU, WHOLE])
    assert not under_contention(Allocator([]), [CPU, WHOLE]), "a CPU-only host is never contended"


def test_only_idle_gpu_holders_are_chosen():
    allocator = Allocator([GPU(uuid="GPU-a"), GPU(uuid="GPU-b", index=1)])
    allocator.allocate("ann", WHOLE)
    allocator.allocate("bo", WHOLE)
    users = [user("ann", 30), user("bo", 5), user("cy", 300), user("dee", 60, ready=False)]
    chosen = servers_to_cull(users, list(allocator.allocations.values()), timedelta(minutes=15), NOW)
    assert chosen == ["ann"]  # bo is active, cy holds no GPU, dee's server is not up
