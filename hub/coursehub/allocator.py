"""Who gets which GPU: a pure, deterministic placement over the inventory and current holders.

Rules, each checked by property tests:

* an exclusive device has exactly one holder, and is never also shared;
* a shared GPU never has more holders than the smallest ``share`` among them (and the newcomer);
* a GPU split into MIG instances is only handed out instance by instance;
* placement is least-loaded: the device with the fewest holders, then the node with the
  fewest holders, then the lowest node name and index (so decisions are repeatable);
* one allocation per learner.

Persistence and waiting live in ``gpu_pool``; this module only decides.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from .gpus import GPU, Inventory, whole_gpus_with_mig
from .profiles import Profile


@dataclass(frozen=True)
class Allocation:
    user: str
    uuid: str
    node: str
    mode: str  # "shared", "exclusive" or "mig"
    profile: str
    share: int = 1
    since: datetime = field(default_factory=lambda: datetime.now(UTC))


class AllocationError(RuntimeError):
    """The request can never be met as asked (e.g. the learner already holds a device)."""


class Allocator:
    def __init__(self, inventory: Inventory, allocations: list[Allocation] = ()):
        self.inventory = sorted(inventory, key=lambda gpu: (gpu.node, gpu.index, gpu.uuid))
        self._mig_parents = whole_gpus_with_mig(self.inventory)
        self.allocations: dict[str, Allocation] = {}
        for allocation in allocations:
            self.allocations[allocation.user] = allocation

    # Queries ---------------------------------------------------------------------------------
    def holders(self, uuid: str) -> list[Allocation]:
        return self._holders_by_device().get(uuid, [])

    def _holders_by_device(self) -> dict[str, list[Allocation]]:
        found: dict[str, list[Allocation]] = {}
        for allocation in self.allocations.values():
            found.setdefault(allocation.uuid, []).append(allocation)
        return found

    def held_by(self, user: str) -> Allocation | None:
        return self.allocations.get(user)

    def _load(self) -> tuple[Counter, Counter]:
        per_device: Counter = Counter()
        per_node: Counter = Counter()
        for allocation in self.allocations.values():
            per_device[allocation.uuid] += 1
            per_node[allocation.node] += 1
        return per_device, per_node

    def candidates(self, profile: Profile) -> list[GPU]:
        """Devices that could take one more learner of ``profile`` now."""
        if not profile.needs_gpu:
            return []
        holders_by_device = self._holders_by_device()
        found = []
        for gpu in self.inventory:
            if gpu.uuid in self._mig_parents:
                continue
            holders = holders_by_device.get(gpu.uuid, [])
            if profile.gpu == "mig":
                if gpu.mig_profile == profile.mig_profile and not holders:
                    found.append(gpu)
            elif gpu.is_mig:
                continue
            elif profile.gpu == "exclusive":
                if not holders:
                    found.append(gpu)
            elif all(h.mode == "shared" for h in holders):
                capacity = min([profile.share, *(h.share for h in holders)])
                if len(holders) < capacity:
                    found.append(gpu)
        return found

    # Decisions -------------------------------------------------------------------------------
    def allocate(self, user: str, profile: Profile) -> Allocation | None:
        """Place ``user`` on the least-loaded fitting device; None when every one is taken."""
        if user in self.allocations:
            raise AllocationError(f"{user} already holds {self.allocations[user].uuid}")
        candidates = self.candidates(profile)
        if not candidates:
            return None
        per_device, per_node = self._load()
        chosen = min(
            candidates, key=lambda g: (per_device[g.uuid], per_node[g.node], g.node, g.index, g.uuid)
        )
        mode = "shared" if profile.gpu == "shared" else profile.gpu
        allocation = Allocation(user, chosen.uuid, chosen.node, mode, profile.slug, profile.share)
        self.allocations[user] = allocation
        return allocation

    def release(self, user: str) -> Allocation | None:
        return self.allocations.pop(user, None)
