"""A real multi-node Docker Swarm on one machine, running coursehub's swarm stack.

Each node is a privileged container with its own Docker Engine (tests/support/swarm_node), on
one bridge network. There is no registry here: every node gets its images with `docker save` /
`docker load`. Shared storage is one host directory mounted at the same path on every node, as
an NFS mount would be; the stack is deployed from deploy/swarm/ exactly as its README says.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import docker

from tests.support.stack import REPO, StackError, wait_for_hub

NODE_IMAGE = "coursehub/swarm-node:test"
NODE_BUILD = REPO / "tests" / "support" / "swarm_node"
HUB_IMAGE = "coursehub/hub:0.1.0"
SLIM_IMAGE = "coursehub/notebook-slim:0.1.0"
SHARED_PATH = "/mnt/coursehub"
STACK_DIR = "/opt/coursehub-swarm"


@dataclass
class SwarmCluster:
    """A manager (which runs the hub) and workers (which run learners)."""

    client: docker.DockerClient
    workers: tuple[str, ...] = ("worker-1", "worker-2")
    name: str = field(default_factory=lambda: f"chswarm{uuid.uuid4().hex[:6]}")
    shared: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="coursehub-shared-")))
    containers: dict[str, object] = field(default_factory=dict)

    manager = "manager"

    @property
    def nodes(self) -> tuple[str, ...]:
        return (self.manager, *self.workers)

    # Nodes --------------------------------------------------------------------------------------
    def start(self, settings: dict[str, str]) -> None:
        self.client.images.build(path=str(NODE_BUILD), tag=NODE_IMAGE, rm=True)
        self.client.networks.create(self.name, driver="bridge")
        for node in self.nodes:
            self.containers[node] = self.client.containers.run(
                NODE_IMAGE,
                name=f"{self.name}-{node}",
                hostname=node,
                privileged=True,
                detach=True,
                network=self.name,
                volumes={
                    str(self.shared): {"bind": SHARED_PATH, "mode": "rw"},
                    str(REPO / "deploy" / "swarm"): {"bind": STACK_DIR, "mode": "ro"},
                },
            )
        for node in self.nodes:
            self.wait_for_engine(node)
        self.load_images()
        self.form_swarm()
        self.deploy(settings)

    def wait_for_engine(self, node: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while self.exec(node, "docker", "info", check=False).returncode != 0:
            if time.monotonic() > deadline:
                raise StackError(f"the Docker Engine of node {node} did not start:\n{self.node_log(node)}")
            time.sleep(0.5)

    def exec(self, node: str, *command: str, check: bool = True, env: dict | None = None, stdin=None):
        flags = [f"--env={name}={value}" for name, value in (env or {}).items()]
        result = subprocess.run(
            ["docker", "exec", *(["-i"] if stdin else []), *flags, f"{self.name}-{node}", *command],
            capture_output=True,
            text=stdin is None,
            stdin=stdin,
            timeout=900,
        )
        if check and result.returncode != 0:
            raise StackError(f"{node}: {' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def node_log(self, node: str) -> str:
        return self.containers[node].logs(tail=50).decode(errors="replace")

    def ip(self, node: str) -> str:
        self.containers[node].reload()
        return self.containers[node].attrs["NetworkSettings"]["Networks"][self.name]["IPAddress"]

    def load_images(self) -> None:
        """No registry: each node loads the images it runs from `docker save` archives."""
        wanted = {self.manager: [HUB_IMAGE], **{worker: [SLIM_IMAGE] for worker in self.workers}}
        archives = {}
        with tempfile.TemporaryDirectory(dir="/var/tmp") as work:
            for image in {image for images in wanted.values() for image in images}:
                archives[image] = Path(work) / f"{image.replace('/', '_').replace(':', '_')}.tar"
                subprocess.run(["docker", "save", "-o", str(archives[image]), image], check=True)

            def load(node: str) -> None:
                for image in wanted[node]:
                    with archives[image].open("rb") as archive:
                        self.exec(node, "docker", "load", "-q", stdin=archive)

            with ThreadPoolExecutor(len(self.nodes)) as pool:
                list(pool.map(load, self.nodes))

    def form_swarm(self) -> None:
        address = self.ip(self.manager)
        self.exec(self.manager, "docker", "swarm", "init", "--advertise-addr", address)
        token = self.exec(self.manager, "docker", "swarm", "join-token", "-q", "worker").stdout.strip()
        for worker in self.workers:
            self.exec(worker, "docker", "swarm", "join", "--token", token, f"{address}:2377")
        self.exec(self.manager, "docker", "node", "update", "--label-add", "coursehub.hub=true", self.manager)

    # The stack ---------------------------------------------------------------------------------
    def deploy(self, settings: dict[str, str]) -> None:
        """`docker stack deploy` on the manager, as deploy/swarm/README.md has the admin do it."""
        env_file = self.shared / "coursehub.env"
        env_file.write_text("".join(f"{name}={value}\n" for name, value in settings.items()))
        self.exec(
            self.manager,
            "docker",
            "stack",
            "deploy",
            "--detach=true",
            "--resolve-image=never",
            "-c",
            f"{STACK_DIR}/coursehub.yml",
            "coursehub",
            env={
                "COURSEHUB_STORAGE_TYPE": "none",
                "COURSEHUB_STORAGE_OPTIONS": "bind",
                "COURSEHUB_STORAGE_DEVICE": SHARED_PATH,
                "COURSEHUB_NOTEBOOK_IMAGE": SLIM_IMAGE,
                "COURSEHUB_ENV_FILE": f"{SHARED_PATH}/coursehub.env",
            },
        )
        self.wait_for_hub()

    @property
    def url(self) -> str:
        return f"http://{self.ip(self.manager)}:8000"

    def wait_for_hub(self, timeout: float = 180) -> None:
        wait_for_hub(self.url, timeout, self.hub_log)

    def hub_containers(self, stopped_too: bool = False) -> list[str]:
        """The manager's containers of the hub service, newest first."""
        flags = "-aq" if stopped_too else "-q"
        label = "label=com.docker.swarm.service.name=coursehub_hub"
        return self.exec(self.manager, "docker", "ps", flags, "--filter", label).stdout.split()

    def hub_container(self) -> str:
        found = self.hub_containers()
        if not found:
            raise StackError("the hub's container is not running on the manager")
        return found[0]

    def hub_log(self) -> str:
        """The log of every hub container the manager ran, oldest first."""
        containers = reversed(self.hub_containers(stopped_too=True))
        logs = [self.exec(self.manager, "docker", "logs", container, check=False) for container in containers]
        return "\n".join(log.stdout + log.stderr for log in logs)

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """``coursehub`` inside the hub's container, as an admin runs it on the manager."""
        return self.exec(
            self.manager, "docker", "exec", self.hub_container(), "coursehub", *args, check=check
        )

    def cli_json(self, *args: str):
        return json.loads(self.cli(*args, "--json").stdout)

    def learner_service(self, user: str) -> dict:
        """Where a learner's server runs: its node, and the environment it was given."""
        service = json.loads(
            self.exec(self.manager, "docker", "service", "inspect", f"coursehub-{user}").stdout
        )[0]
        tasks = self.exec(
            self.manager,
            "docker",
            "service",
            "ps",
            "--filter",
            "desired-state=running",
            "--format",
            "{{.Node}}",
            f"coursehub-{user}",
        ).stdout.split()
        env = dict(line.split("=", 1) for line in service["Spec"]["TaskTemplate"]["ContainerSpec"]["Env"])
        return {"node": tasks[0] if tasks else None, "env": env, "labels": service["Spec"]["Labels"]}

    def kill(self, node: str) -> None:
        self.containers[node].kill()

    def stop(self) -> None:
        for container in self.containers.values():
            container.remove(force=True, v=True)
        for network in self.client.networks.list(names=[self.name]):
            network.remove()
        shutil.rmtree(self.shared, ignore_errors=True)
