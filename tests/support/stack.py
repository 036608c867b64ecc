"""A real coursehub stack started from the repository's compose file under a throwaway name."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import docker
import pytest
import requests

REPO = Path(__file__).resolve().parents[2]
OUTPUT = Path(os.environ.get("COURSEHUB_TEST_OUTPUT", REPO / "test-output"))
COMPOSE_FILE = REPO / "docker-compose.yml"
LABEL_PREFIX = "coursehub.prefix"


class StackError(RuntimeError):
    pass


def docker_client() -> docker.DockerClient:
    """A client of the real Docker Engine, or a failure that says how to get one."""
    if shutil.which("docker") is None:
        raise StackError(
            "the docker CLI is not installed: run ../shared/ci/docker-engine.sh (or install Docker)"
        )
    try:
        client = docker.from_env()
        client.ping()
    except Exception as error:
        raise StackError(
            f"the Docker Engine does not answer ({error}): start it, e.g. with ../shared/ci/docker-engine.sh"
        ) from None
    return client


def wait_for_hub(url: str, timeout: float, hub_log: Callable[[], str]) -> None:
    """Until the hub at ``url`` answers its health check; else a failure with its log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/hub/health", timeout=5).ok:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.5)
    raise StackError(f"the hub did not answer at {url} within {timeout}s:\n{hub_log()}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Stack:
    """``docker compose -p <project>`` for one test run; learner containers are cleaned up too."""

    project: str = field(default_factory=lambda: f"chtest{uuid.uuid4().hex[:8]}")
    port: int = field(default_factory=free_port)
    env: dict[str, str] = field(default_factory=dict)
    compose_file: Path = COMPOSE_FILE
    profiles: tuple[str, ...] = ()
    # Variables for the compose file itself (ports, profiles' options), beside the settings.
    compose_env: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def env_file(self) -> Path:
        """The settings of this stack, as an admin's .env would hold them."""
        path = Path(tempfile.gettempdir()) / f"{self.project}.env"
        if not path.exists():
            path.write_text("".join(f"{name}={value}\n" for name, value in self.env.items()))
        return path

    def change_settings(self, **settings: str) -> None:
        """Rewrite the stack's .env; `up` then recreates the services whose settings changed."""
        self.env.update(settings)
        self.env_file.unlink(missing_ok=True)
        assert self.env_file.exists()

    def compose(self, *args: str, check: bool = True, input: str | None = None, timeout: float = 1800):
        env = {
            **os.environ,
            "COURSEHUB_PORT": str(self.port),
            "REFERENCE_PORT": str(self.port),
            "COURSEHUB_ENV_FILE": str(self.env_file),
            **self.compose_env,
        }
        profiles = [flag for profile in self.profiles for flag in ("--profile", profile)]
        command = ["docker", "compose", "-f", str(self.compose_file), "-p", self.project, *profiles, *args]
        result = subprocess.run(
            command, env=env, capture_output=True, text=True, input=input, timeout=timeout
        )
        if check and result.returncode != 0:
            raise StackError(
                f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
            )
        return result

    def up(self) -> None:
        self.compose("up", "--detach", "--build", "--wait", "--wait-timeout", "300")
        self.wait_for_hub()

    def wait_for_hub(self, timeout: float = 120) -> None:
        wait_for_hub(self.url, timeout, lambda: self.logs("hub"))

    def cli(self, *args: str, input: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
        """Run ``coursehub`` inside the hub container, as an admin would."""
        return self.compose("exec", "-T", "hub", "coursehub", *args, input=input, check=check)

    def cli_json(self, *args: str, input: str | None = None):
        return json.loads(self.cli(*args, "--json", input=input).stdout)

    def logs(self, service: str) -> str:
        return self.compose("logs", "--no-color", "--tail", "200", service, check=False).stdout

    def learner_containers(self, client: docker.DockerClient) -> list:
        return client.containers.list(all=True, filters={"label": f"{LABEL_PREFIX}={self.project}"})

    def down(self) -> None:
        """Remove everything the run made: learner containers and homes, services, volumes."""
        client = docker_client()
        for container in self.learner_containers(client):
            container.remove(force=True)
        self.compose("down", "--volumes", "--remove-orphans", "--timeout", "5", check=False)
        for volume in client.volumes.list(filters={"label": f"{LABEL_PREFIX}={self.project}"}):
            volume.remove(force=True)
        self.env_file.unlink(missing_ok=True)


def run_stack(
    settings: dict[str, str], profiles: tuple[str, ...] = (), compose_env: dict[str, str] | None = None
) -> Iterator[Stack]:
    """For fixtures: a stack with these settings, its logs kept in test-output/logs/, then removed."""
    running = Stack(env=settings, profiles=profiles, compose_env=compose_env or {})
    try:
        running.up()
    except StackError as error:
        running.down()
        pytest.fail(str(error), pytrace=False)
    try:
        yield running
    finally:
        logs = OUTPUT / "logs" / running.project
        logs.mkdir(parents=True, exist_ok=True)
        for service in ("hub", "course", *profiles):
            (logs / f"{service}.log").write_text(running.logs(service))
        running.down()
