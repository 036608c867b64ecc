"""Where the hub's GPU inventory comes from: discovered once at each hub start, kept as a snapshot
that the hub process and the CLI read."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path

from .gpus import Inventory, discover, inventory_adapter
from .settings import Settings
from .swarm import Cluster

log = logging.getLogger(__name__)


def snapshot_path(settings: Settings) -> Path:
    return settings.state_dir / "gpus.json"


def load_inventory(settings: Settings) -> Inventory:
    """The declared inventory, else NVML discovery, else none; saved for ``coursehub gpus``.

    On a swarm, nodes declare their own GPUs (node labels) and come and go: nothing is saved."""
    if settings.gpus is not None:
        inventory = settings.gpus
    elif settings.platform == "swarm":
        inventory = Cluster().inventory()
    elif settings.gpu_discovery:
        import docker
        from docker.errors import DockerException

        try:
            inventory = discover(docker.from_env(), settings.notebook_image)
        except DockerException as error:
            log.warning("GPU discovery impossible (%s): running CPU-only", error)
            inventory = []
    else:
        inventory = []
    log.info("GPU inventory: %s", ", ".join(f"{g.node}/{g.uuid}" for g in inventory) or "none (CPU only)")
    if settings.platform == "swarm":
        return inventory
    path = snapshot_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([gpu.model_dump() for gpu in inventory], indent=2))
    return inventory


def read_snapshot(settings: Settings) -> Inventory:
    try:
        return inventory_adapter.validate_json(snapshot_path(settings).read_text())
    except FileNotFoundError:
        return []


def inventory_loader(settings: Settings) -> Callable[[], Inventory]:
    """For the hub process: the declared inventory, the GPUs of the swarm's nodes that take
    learners now, or what ``coursehub serve`` discovered on this host."""
    if settings.gpus is not None:
        return lambda: settings.gpus
    if settings.platform == "swarm":
        return lambda: Cluster().inventory()
    return lambda: read_snapshot(settings)


def every_gpu(settings: Settings) -> Inventory:
    """For reports: every GPU, also those of swarm nodes that take no new learners now."""
    if settings.platform == "swarm" and settings.gpus is None:
        return Cluster().inventory(only_nodes_taking_learners=False)
    return inventory_loader(settings)()
