"""The learner's server on a Docker Swarm: a one-task service on a worker node."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from docker.types import (
    ContainerSpec,
    DriverConfig,
    EndpointSpec,
    Mount,
    Placement,
    Resources,
    RestartPolicy,
    TaskTemplate,
)
from dockerspawner import SwarmSpawner
from traitlets import Dict, Float, List, Unicode, default

from .spawner import DATA_MOUNT, HOME, CourseSpawner, home_labels
from .swarm import DATA_DIR, HOMES_DIR, HUB_SHARED_MOUNT, ensure_home_directory, storage_subdirectory

# Task states on the way to running; anything else that is not "running" ended the start.
STARTING_STATES = {"new", "pending", "assigned", "accepted", "ready", "preparing", "starting"}
ALIVE_STATES = {"running", "starting", "pending", "preparing"}


class SwarmCourseSpawner(CourseSpawner, SwarmSpawner):
    """CourseSpawner for a swarm: everything a learner gets on one host, on whichever node.

    * placement: the GPU allocator picks the node and device; the service is constrained to that
      node and sees only its device (``NVIDIA_VISIBLE_DEVICES``: GPU nodes run the NVIDIA runtime
      by default). CPU learners go where Swarm spreads them among nodes matching
      ``placement_constraints``;
    * the home and the datasets are volumes of Docker's local driver that point at the shared
      storage, so every node mounts the same files;
    * the hub reaches the server at its task's address on the overlay network; the service has
      no virtual IP (DNS round robin), so nodes need no IPVS;
    * a server on a node that is lost counts as stopped, so the learner can start again elsewhere.
    """

    shared_storage = Dict(
        config=True,
        help="Options of Docker's local volume driver (type, o, device) for the shared storage that "
        "holds homes/ and data/.",
    )
    placement_constraints = List(
        Unicode(), ["node.role==worker"], config=True, help="Swarm constraints of every learner server."
    )
    hub_shared_mount = Unicode(
        str(HUB_SHARED_MOUNT), config=True, help="Where the shared storage is mounted in the hub container."
    )
    task_poll_interval = Float(0.25, config=True, help="Seconds between looks at a starting task.")

    @default("cmd")
    def _default_cmd(self) -> list[str]:
        # The learner image's CMD. Named here because the manager, where the hub asks, need not
        # hold the learner image to look it up.
        return ["start-learner"]

    @default("network_name")
    def _default_network_name(self) -> str:
        return "coursehub_learners"

    # State of the start, for progress(): the task's state and the node it was placed on.
    task_state = ""
    task_node = ""

    @property
    def mounts(self) -> list[Mount]:
        home_options = storage_subdirectory(self.shared_storage, HOMES_DIR, self.escaped_name)
        mounts = [
            Mount(
                HOME,
                self.home_volume,
                labels=home_labels(self.user.name, self.prefix),
                driver_config=DriverConfig("local", home_options),
            ),
            Mount("/dev/shm", None, type="tmpfs", tmpfs_size=self.shm_size),
        ]
        if self.data_volume:
            data_options = storage_subdirectory(self.shared_storage, DATA_DIR)
            mounts.append(
                Mount(
                    DATA_MOUNT,
                    self.data_volume,
                    read_only=True,
                    driver_config=DriverConfig("local", data_options),
                )
            )
        return mounts

    def constraints(self) -> list[str]:
        pinned = [f"node.hostname=={self.allocation.node}"] if self.allocation else []
        return [*self.placement_constraints, *pinned]

    async def prepare_home(self) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(
            None, ensure_home_directory, self.escaped_name, Path(self.hub_shared_mount)
        )

    async def create_object(self) -> dict:
        labels = (await self.container_labels(self))["labels"]
        resources = Resources(
            mem_limit=self.mem_limit, cpu_limit=int(self.cpu_limit * 1e9) if self.cpu_limit else None
        )
        # docker-py has no argument for it; the Engine API has (1.41+).
        resources.setdefault("Limits", {})["Pids"] = self.pids_limit
        task = TaskTemplate(
            ContainerSpec(
                self.image,
                args=await self.get_command(),
                env=self.get_env(),
                labels=labels,
                mounts=self.mounts,
                cap_drop=["ALL"],
            ),
            resources=resources,
            # A server that ends stays ended: the hub notices, gives its GPU back, and the
            # learner's next start may land on another node.
            restart_policy=RestartPolicy(condition="none"),
            placement=Placement(constraints=self.constraints()),
            networks=[self.network_name],
        )
        service = await self.docker(
            "create_service",
            task,
            name=self.service_name,
            labels=labels,
            endpoint_spec=EndpointSpec(mode="dnsrr"),
        )
        while not await self.docker("tasks", filters={"service": self.service_name}):
            await asyncio.sleep(self.task_poll_interval)
        return service

    async def start_object(self) -> None:
        """Wait for the task to run, failing at once, with Swarm's reason, if it cannot."""
        self.task_state, self.task_node = "", ""
        while True:
            task = await self.get_task()
            if task is None:
                raise RuntimeError(f"Service {self.service_name} not found")
            status = task["Status"]
            self.task_state = status["State"]
            if task.get("NodeID") and not self.task_node:
                self.task_node = await self.node_name(task["NodeID"])
            if self.task_state == "running":
                return
            if self.task_state not in STARTING_STATES:
                reason = status.get("Err") or status.get("Message") or self.task_state
                where = f" on node {self.task_node}" if self.task_node else ""
                raise RuntimeError(f"Your server could not start{where}: {reason}")
            await asyncio.sleep(self.task_poll_interval)

    async def get_ip_and_port(self) -> tuple[str, int]:
        """The address of this start's task on the learners' network.

        Not the service's name: just after a restart, it may still lead to the previous task,
        which is stopping on another node."""
        task = await self.get_task()
        for attachment in (task or {}).get("NetworksAttachments", []):
            spec = attachment["Network"]["Spec"]
            if spec.get("Name") == self.network_name and attachment.get("Addresses"):
                return attachment["Addresses"][0].split("/")[0], self.port
        raise RuntimeError(f"{self.service_name} has no address on network {self.network_name}")

    async def node_name(self, node_id: str) -> str:
        node = await self.docker("inspect_node", node_id)
        return node["Description"]["Hostname"]

    async def poll(self):
        task = await self.get_task()
        if task is None:
            return 0
        status = task["Status"]
        if status["State"] not in ALIVE_STATES:
            return f"task {status['State']}: {status.get('Err') or status.get('Message', '')}"
        if task.get("NodeID"):
            node = await self.docker("inspect_node", task["NodeID"])
            if node["Status"]["State"] != "ready":
                hostname = node["Description"]["Hostname"]
                self.log.warning(
                    "%s's server is on node %s, which is %s",
                    self.user.name,
                    hostname,
                    node["Status"]["State"],
                )
                return f"node {hostname} is {node['Status']['State']}"
        return None

    async def last_words(self, lines: int = 15) -> str:
        def read() -> bytes:
            # A generator of chunks, read here rather than on the hub's event loop.
            return b"".join(self.client.service_logs(self.service_name, stdout=True, stderr=True, tail=lines))

        log = await asyncio.get_running_loop().run_in_executor(None, read)
        return log.decode(errors="replace").strip()

    async def progress(self):
        async for event in super().progress():
            yield event
        told = False
        waited_since = time.monotonic()
        while not told:
            if self.task_state == "preparing" and time.monotonic() - waited_since > 2:
                yield {
                    "message": f"Node {self.task_node or '?'} is downloading the learner image: the first "
                    "start on a new node can take some minutes."
                }
                told = True
            await asyncio.sleep(0.5)
