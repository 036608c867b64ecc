"""GPU-aware culling: when GPUs are scarce, idle GPU holders are stopped sooner than others.

``jupyterhub-idle-culler`` stops every server idle for ``COURSEHUB_IDLE_TIMEOUT``. On top of it,
this service stops servers that hold a GPU and have been idle for ``COURSEHUB_GPU_IDLE_TIMEOUT``,
but only under contention: while some GPU profile has no free device left. Busy kernels and GPU
use count as activity (the learner image's ``coursehub_activity`` extension reports them), so a
long, silent training run is never culled.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from .allocator import Allocation, Allocator
from .hubapi import HubAPI
from .profiles import Profile

log = logging.getLogger(__name__)


def under_contention(allocator: Allocator, profiles: list[Profile]) -> bool:
    """True while some GPU profile that the inventory can serve has no device left."""
    inventory = allocator.inventory
    for profile in profiles:
        if not profile.needs_gpu:
            continue
        offered = any(
            gpu.mig_profile == profile.mig_profile if profile.gpu == "mig" else not gpu.is_mig
            for gpu in inventory
        )
        if offered and not allocator.candidates(profile):
            return True
    return False


def _parse(moment: str | None) -> datetime | None:
    return datetime.fromisoformat(moment.replace("Z", "+00:00")) if moment else None


def servers_to_cull(
    users: list[dict], allocations: list[Allocation], idle_timeout: timedelta, now: datetime
) -> list[str]:
    """Users whose server holds a GPU and has been idle longer than ``idle_timeout``."""
    holders = {allocation.user for allocation in allocations}
    chosen = []
    for user in users:
        server = user.get("servers", {}).get("")
        if user["name"] not in holders or not server or not server.get("ready"):
            continue
        last = _parse(server.get("last_activity")) or _parse(server.get("started"))
        if last is not None and now - last > idle_timeout:
            chosen.append(user["name"])
    return chosen


def cull_once(
    hub: HubAPI, allocator: Allocator, profiles: list[Profile], idle_timeout: timedelta
) -> list[str]:
    if not under_contention(allocator, profiles):
        return []
    culled = servers_to_cull(
        hub.users(), list(allocator.allocations.values()), idle_timeout, datetime.now(UTC)
    )
    for name in culled:
        log.warning("GPUs are scarce: stopping %s's idle server to free its GPU", name)
        hub.request("DELETE", f"users/{quote(name)}/server", ok_missing=True)
    return culled


def run_forever(
    make_allocator, hub: HubAPI, profiles: list[Profile], idle_timeout: timedelta, every: float
) -> None:
    while True:
        try:
            cull_once(hub, make_allocator(), profiles, idle_timeout)
        except Exception:  # a hiccup (hub restarting) must not end the service
            log.exception("GPU culling round failed; trying again in %ss", every)
        time.sleep(every)
