"""The Docker Swarm the hub runs on: its nodes, their GPUs and learners, and shared storage.

Each node declares its GPUs in the node label ``coursehub.gpus`` (JSON, as COURSEHUB_GPUS takes
it). The GPU allocator places learners over the GPUs of nodes that are up and active, so a
drained, paused or lost node receives nobody new. Learners' homes and the datasets live on
storage every node reaches (NFS, or one directory mounted at the same path everywhere), so a
learner's files follow them to whichever node they land on.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

import docker
from docker.types import ContainerSpec, Placement, RestartPolicy, ServiceMode, TaskTemplate
from pydantic import ValidationError

from .gpus import PROBE, Inventory, inventory_adapter, parse_probe
from .settings import Settings
from .spawner import LABEL_PREFIX, LABEL_ROLE, LABEL_USER, ROLE_LEARNER_SERVER

GPU_LABEL = "coursehub.gpus"
# Where the swarm stack (deploy/swarm/coursehub.yml) mounts the shared storage into the hub.
HUB_SHARED_MOUNT = Path("/srv/shared")
HOMES_DIR = "homes"
DATA_DIR = "data"
# The learner image's user (images/notebook/Dockerfile), who must own their home.
LEARNER_UID = 1000
Availability = Literal["active", "pause", "drain"]


class SwarmError(RuntimeError):
    """The swarm cannot do what was asked; the message says what to do instead."""


# Shared storage ------------------------------------------------------------------------------
def shared_storage_options(settings: Settings) -> dict[str, str]:
    """Options of Docker's local volume driver for the shared storage, from the settings."""
    options = {"type": settings.storage_type or "", "device": settings.storage_device or ""}
    if settings.storage_options:
        options["o"] = settings.storage_options
    return options


def storage_subdirectory(storage: dict[str, str], *path: str) -> dict[str, str]:
    """The same storage, at a directory inside it.

    Every node creates a volume from these options the first time a learner lands there, and so
    mounts the same directory: an NFS export's subdirectory, or one of a path each node mounts
    itself (NFS, CephFS, GlusterFS… through /etc/fstab)."""
    return {**storage, "device": "/".join([storage["device"].rstrip("/"), *path])}


def ensure_home_directory(user: str, root: Path = HUB_SHARED_MOUNT) -> Path:
    """The learner's home on the shared storage, made before the first start (a volume that
    points at a missing directory cannot be mounted)."""
    home = root / HOMES_DIR / user
    if not home.is_dir():
        home.mkdir(parents=True, exist_ok=True)
        os.chown(home, LEARNER_UID, LEARNER_UID)
    return home


# Nodes ------------------------------------------------------------------------------------------
@dataclass
class Node:
    id: str
    hostname: str
    role: str
    state: str  # ready, down, unknown, disconnected
    availability: Availability
    address: str
    gpus: Inventory = field(default_factory=list)
    gpu_error: str | None = None
    learners: list[str] = field(default_factory=list)

    @property
    def takes_learners(self) -> bool:
        return self.state == "ready" and self.availability == "active"

    def as_json(self) -> dict:
        found = asdict(self)
        found["gpus"] = [gpu.model_dump() for gpu in self.gpus]
        return found


def declared_gpus(hostname: str, labels: dict[str, str]) -> Inventory:
    """The GPUs a node declares in its label, each placed on that node."""
    declared = labels.get(GPU_LABEL)
    if not declared:
        return []
    entries = json.loads(declared)
    return inventory_adapter.validate_python([{**entry, "node": hostname} for entry in entries])


def parse_gpu_label(text: str) -> list[dict]:
    """Check a value for the ``coursehub.gpus`` label; the normalised JSON entries, or SwarmError."""
    try:
        gpus = inventory_adapter.validate_json(text)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(map(str, problem['loc']))}: {problem['msg']}" for problem in error.errors()
        )
        raise SwarmError(f"invalid GPU list ({problems}); expected JSON like {GPU_EXAMPLE}") from None
    uuids = [gpu.uuid for gpu in gpus]
    if len(set(uuids)) != len(uuids):
        raise SwarmError("invalid GPU list: a UUID appears twice")
    return [gpu.model_dump(exclude={"node"}, exclude_none=True) for gpu in gpus]


GPU_EXAMPLE = '[{"uuid": "GPU-…", "name": "NVIDIA A100", "memory_mb": 40960, "index": 0}]'


class Cluster:
    """The swarm, seen from a manager (the hub's node)."""

    def __init__(self, client: docker.DockerClient | None = None):
        self.client = client or docker.from_env()

    def check_manager(self) -> None:
        info = self.client.info().get("Swarm", {})
        if info.get("LocalNodeState") != "active":
            raise SwarmError("this Docker Engine is not part of a swarm: run `docker swarm init` first")
        if not info.get("ControlAvailable"):
            raise SwarmError("this node is not a swarm manager: run coursehub on a manager node")

    def nodes(self, with_learners: bool = False) -> list[Node]:
        learners = self.learners_by_node() if with_learners else {}
        found = []
        for node in self.client.nodes.list():
            attrs = node.attrs
            spec, status = attrs["Spec"], attrs["Status"]
            hostname = attrs["Description"]["Hostname"]
            entry = Node(
                id=attrs["ID"],
                hostname=hostname,
                role=spec.get("Role", "worker"),
                state=status.get("State", "unknown"),
                availability=spec.get("Availability", "active"),
                address=status.get("Addr", ""),
                learners=sorted(learners.get(attrs["ID"], [])),
            )
            try:
                entry.gpus = declared_gpus(hostname, spec.get("Labels") or {})
            except (ValueError, ValidationError) as error:
                entry.gpu_error = f"label {GPU_LABEL} is not a valid GPU list: {error}"
            found.append(entry)
        return sorted(found, key=lambda n: (n.role != "manager", n.hostname))

    def node(self, name: str, with_learners: bool = False) -> Node:
        for node in self.nodes(with_learners):
            if name in (node.hostname, node.id) or (len(name) >= 6 and node.id.startswith(name)):
                return node
        names = ", ".join(n.hostname for n in self.nodes())
        raise SwarmError(f"no node {name!r} in this swarm; its nodes: {names}")

    def inventory(self, only_nodes_taking_learners: bool = True) -> Inventory:
        """GPUs that may take new learners: those of nodes that are up and active (or all)."""
        return [
            gpu
            for node in self.nodes()
            if node.takes_learners or not only_nodes_taking_learners
            for gpu in node.gpus
        ]

    def learner_tasks(self, prefix: str | None = None) -> dict[str, tuple]:
        """Each learner's service and its running task (None while it has none), by user name."""
        labels = [f"{LABEL_ROLE}={ROLE_LEARNER_SERVER}", *([f"{LABEL_PREFIX}={prefix}"] if prefix else [])]
        found = {}
        for service in self.client.services.list(filters={"label": labels}):
            user = service.attrs["Spec"].get("Labels", {}).get(LABEL_USER, service.name)
            tasks = service.tasks(filters={"desired-state": "running"})
            found[user] = (service, tasks[0] if tasks else None)
        return found

    def learners_by_node(self) -> dict[str, list[str]]:
        """Users whose servers run (or are placed to run) on each node, by node ID."""
        found: dict[str, list[str]] = {}
        for user, (_, task) in self.learner_tasks().items():
            if task and task.get("NodeID"):
                found.setdefault(task["NodeID"], []).append(user)
        return found

    def join_command(self) -> str:
        self.check_manager()
        token = self.client.swarm.attrs["JoinTokens"]["Worker"]
        managers = self.client.info()["Swarm"].get("RemoteManagers") or []
        address = managers[0]["Addr"] if managers else "<manager-address>:2377"
        return f"docker swarm join --token {token} {address}"

    def set_availability(self, name: str, availability: Availability) -> Node:
        target = self.node(name)
        node = self.client.nodes.get(target.id)
        spec = node.attrs["Spec"]
        node.update({**spec, "Availability": availability})
        return self.node(target.id, with_learners=True)

    def set_gpus(self, name: str, gpus_json: str) -> Node:
        entries = parse_gpu_label(gpus_json)
        target = self.node(name)
        node = self.client.nodes.get(target.id)
        spec = node.attrs["Spec"]
        labels = {**(spec.get("Labels") or {}), GPU_LABEL: json.dumps(entries, separators=(",", ":"))}
        if not entries:
            labels.pop(GPU_LABEL)
        node.update({**spec, "Labels": labels})
        return self.node(target.id)

    def run_job(
        self,
        purpose: str,
        image: str,
        command: list[str],
        constraints: list[str],
        env: dict[str, str] | None = None,
        on_change: Callable[[dict[str, str]], None] = lambda states: None,
        timeout: float = 3600,
    ) -> tuple[dict[str, str], str]:
        """Run ``command`` once on every active node that matches ``constraints`` (a global job).

        Returns the final state of each node's task by hostname ('complete' where it succeeded,
        else the state with Swarm's reason), and what the tasks printed."""
        hostnames = {node.id: node.hostname for node in self.nodes()}
        service = self.client.api.create_service(
            TaskTemplate(
                ContainerSpec(image, command=command, env=env),
                restart_policy=RestartPolicy(condition="none"),
                placement=Placement(constraints=constraints),
            ),
            name=f"coursehub-{purpose}-{int(time.time())}",
            mode=ServiceMode("global-job"),
            labels={LABEL_ROLE: purpose},
        )
        states: dict[str, str] = {}
        deadline = time.monotonic() + timeout
        settle = time.monotonic() + 5  # the job's tasks are all created within moments
        try:
            while time.monotonic() < deadline:
                current = {}
                for task in self.client.api.tasks(filters={"service": service["ID"]}):
                    status = task["Status"]
                    state = status["State"]
                    if state in ("failed", "rejected"):
                        state = f"{state}: {status.get('Err') or status.get('Message', '')}"
                    current[hostnames.get(task.get("NodeID"), "(unassigned)")] = state
                if current != states:
                    states = current
                    on_change(states)
                if time.monotonic() > settle and all(map(_finished, states.values())):
                    break
                time.sleep(1)
            output = b"".join(self.client.api.service_logs(service["ID"], stdout=True, stderr=True))
            return states, output.decode(errors="replace")
        finally:
            self.client.api.remove_service(service["ID"])

    def prepull(
        self, image: str, constraints: list[str], on_change: Callable[[dict[str, str]], None]
    ) -> dict[str, str]:
        """Make every active node that matches ``constraints`` pull ``image``; each node's final
        state, by hostname ('complete' where the image is now there)."""
        return self.run_job("prepull", image, ["true"], constraints, on_change=on_change)[0]

    def discover_gpus(self, name: str, image: str) -> Node:
        """Find a node's GPUs through NVML, in a short task that sees them all, and declare them."""
        node = self.node(name)
        states, output = self.run_job(
            "gpu-probe",
            image,
            ["python", "-c", PROBE],
            [f"node.hostname=={node.hostname}"],
            env={"NVIDIA_VISIBLE_DEVICES": "all"},
            timeout=600,
        )
        state = states.get(node.hostname, "not run (is the node active?)")
        gpus = parse_probe(output, node.hostname) if state == "complete" else []
        if not gpus:
            said = output.strip().splitlines()[-1:] or [state]
            raise SwarmError(
                f"no NVIDIA GPU found on {node.hostname} ({state}): {said[0]}. A GPU node needs the "
                "NVIDIA driver, the container toolkit and the NVIDIA runtime as Docker's default "
                "(deploy/swarm/README.md); or declare its GPUs yourself"
            )
        return self.set_gpus(node.id, json.dumps([gpu.model_dump(exclude={"node"}) for gpu in gpus]))


def _finished(state: str) -> bool:
    return state == "complete" or state.startswith(("failed", "rejected", "shutdown"))
