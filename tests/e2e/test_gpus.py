"""GPU sharing on the real stack, with a static stand-in inventory (CI has no GPU).

No device request can be granted without a GPU, so the stack runs with
COURSEHUB_GPU_DEVICE_REQUESTS=false and the tests check what each container was given:
NVIDIA_VISIBLE_DEVICES and the labels.
"""

from __future__ import annotations

import json
import time

import pytest

from tests.support.stack import run_stack

INVENTORY = [
    {"uuid": "GPU-00000000-fake-0000-0000-000000000000", "name": "Stand-in A100", "memory_mb": 40960},
    {
        "uuid": "GPU-11111111-fake-1111-1111-111111111111",
        "name": "Stand-in A100",
        "memory_mb": 40960,
        "index": 1,
    },
]
PROFILES = [
    {"slug": "cpu", "display_name": "CPU"},
    {"slug": "gpu", "display_name": "Whole GPU", "gpu": "exclusive"},
]


@pytest.fixture(scope="module")
def gpu_stack(docker_client):
    yield from run_stack(
        {
            "COURSEHUB_GPUS": json.dumps(INVENTORY),
            "COURSEHUB_PROFILES": json.dumps(PROFILES),
            "COURSEHUB_GPU_DEVICE_REQUESTS": "false",
        }
    )


def container_env(docker_client, stack, learner) -> dict:
    container = docker_client.containers.get(f"{stack.project}-{learner.name}")
    env = dict(line.split("=", 1) for line in container.attrs["Config"]["Env"])
    return {
        "visible": env["NVIDIA_VISIBLE_DEVICES"],
        "label": container.labels["coursehub.gpu"],
        "mode": container.labels["coursehub.gpu-mode"],
    }


def holders(stack) -> dict[str, list[str]]:
    return {gpu["uuid"]: [h["user"] for h in gpu["holders"]] for gpu in stack.cli_json("gpus")}


def test_two_exclusive_gpus_three_learners_queue_and_restart(gpu_stack, docker_client):
    from tests.support.learner import Learner

    def learner(name: str) -> Learner:
        password = gpu_stack.cli_json("users", "add", name)["password"]
        person = Learner(gpu_stack.url, name, password)
        person.log_in()
        person.create_token()
        return person

    ann, bo, cy = learner("ann"), learner("bo"), learner("cy")
    for person in (ann, bo):
        person.start_server({"profile": "gpu"})
        person.wait_ready()
    given = {person.name: container_env(docker_client, gpu_stack, person) for person in (ann, bo)}
    assert {g["visible"] for g in given.values()} == {gpu["uuid"] for gpu in INVENTORY}
    assert all(g["visible"] == g["label"] and g["mode"] == "exclusive" for g in given.values())

    # Full: without the queue the learner is told at once, and nothing is held for them.
    refused = cy.start_server({"profile": "gpu"}, expect_error=True)
    assert "busy" in refused
    assert all("cy" not in users for users in holders(gpu_stack).values())

    # CPU is always there, and sees no GPU.
    cy.start_server({"profile": "cpu"})
    cy.wait_ready()
    assert container_env(docker_client, gpu_stack, cy)["visible"] == "void"
    cy.stop_server()

    # With the queue, cy waits (with a place) until ann stops.
    cy.start_server({"profile": "gpu", "queue": True})
    time.sleep(3)
    assert cy.server() and not cy.server()["ready"]
    ann.stop_server()
    cy.wait_ready()
    assert container_env(docker_client, gpu_stack, cy)["visible"] == given["ann"]["visible"]

    before = holders(gpu_stack)
    assert before[given["ann"]["visible"]] == ["cy"] and before[given["bo"]["visible"]] == ["bo"]
    gpu_stack.compose("restart", "hub")
    gpu_stack.wait_for_hub()
    assert holders(gpu_stack) == before

    # An admin takes a GPU back: the server stops, the GPU is free again.
    gpu_stack.cli("gpus", "release", "bo")
    assert holders(gpu_stack)[given["bo"]["visible"]] == []
    assert bo.server() is None

    # A crashed server gives its GPU back once the hub notices (it polls every 10 s).
    docker_client.containers.get(f"{gpu_stack.project}-cy").kill()
    deadline = time.monotonic() + 60
    while holders(gpu_stack)[given["ann"]["visible"]] and time.monotonic() < deadline:
        time.sleep(2)
    assert holders(gpu_stack)[given["ann"]["visible"]] == [], "a crashed server kept its GPU"
