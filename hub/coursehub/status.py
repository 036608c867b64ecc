"""What ``coursehub status`` reports: the hub, the course version, and running learner servers."""

from __future__ import annotations

import docker
from docker.errors import DockerException

from .course import remote_head
from .hubapi import HubAPI
from .settings import Settings
from .spawner import LABEL_COURSE_VERSION, LABEL_PREFIX, LABEL_ROLE, LABEL_USER, ROLE_LEARNER_SERVER
from .swarm import Cluster
from .users import server_state


def learner_containers(settings: Settings) -> dict[str, dict]:
    """Resources of each running learner container, by user name."""
    client = docker.from_env()
    found = {}
    filters = {"label": [f"{LABEL_PREFIX}={settings.prefix}", f"{LABEL_ROLE}={ROLE_LEARNER_SERVER}"]}
    for container in client.containers.list(filters=filters):
        host = container.attrs["HostConfig"]
        stats = container.stats(stream=False, one_shot=True)
        found[container.labels.get(LABEL_USER, "?")] = {
            "container": container.name,
            "image": container.attrs["Config"]["Image"],
            "course_version": container.labels.get(LABEL_COURSE_VERSION),
            "started": container.attrs["State"]["StartedAt"],
            "memory_used_mb": round(stats.get("memory_stats", {}).get("usage", 0) / 2**20),
            "memory_limit_mb": round((host.get("Memory") or 0) / 2**20) or None,
            "cpu_limit": (host.get("CpuQuota") or 0) / (host.get("CpuPeriod") or 100_000) or None,
            "pids_limit": host.get("PidsLimit"),
        }
    return found


def learner_services(settings: Settings) -> dict[str, dict]:
    """On a swarm: each learner's service, with the node it runs on, by user name."""
    cluster = Cluster()
    nodes = {node.id: node.hostname for node in cluster.nodes()}
    found = {}
    for user, (service, task) in cluster.learner_tasks(settings.prefix).items():
        spec = service.attrs["Spec"]
        limits = spec["TaskTemplate"].get("Resources", {}).get("Limits", {})
        found[user] = {
            "service": service.name,
            "node": nodes.get(task.get("NodeID"), "?") if task else None,
            "image": spec["TaskTemplate"]["ContainerSpec"]["Image"],
            "course_version": spec["Labels"].get(LABEL_COURSE_VERSION),
            "started": task["Status"]["Timestamp"] if task else None,
            "memory_limit_mb": round(limits.get("MemoryBytes", 0) / 2**20) or None,
            "cpu_limit": limits.get("NanoCPUs", 0) / 1e9 or None,
            "pids_limit": limits.get("Pids"),
        }
    return found


def collect(settings: Settings, hub: HubAPI) -> dict:
    info = hub.info()
    users = hub.users()
    try:
        swarm = settings.platform == "swarm"
        containers = learner_services(settings) if swarm else learner_containers(settings)
        docker_error = None
    except DockerException as error:
        containers, docker_error = {}, f"Docker API unavailable: {error}"
    servers = []
    for user in users:
        state = server_state(user)
        if state == "stopped":
            continue
        servers.append({"user": user["name"], "state": state, **containers.get(user["name"], {})})
    return {
        "hub": {"version": info.get("version"), "users": len(users)},
        "course": {
            "repo": settings.course_repo,
            "branch": settings.course_branch,
            "version": (remote_head(settings.course_repo, settings.course_branch) or "")[:12] or None,
        },
        "servers": servers,
        "docker_error": docker_error,
    }
