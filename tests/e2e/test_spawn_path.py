"""The way from "start my server" to a running JupyterLab: the start queue and fast failures."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.support.learner import signed_in
from tests.support.stack import run_stack


def start_and_follow(learner) -> list[dict]:
    """Start ``learner``'s server and follow its progress, as the spawn page does: every event.

    The hub answers the start request itself only once the server is up or has failed (or after
    10 s), so the request runs beside."""
    asking = threading.Thread(target=learner.hub_api, args=("POST", f"users/{learner.name}/server"))
    asking.start()
    events = learner.progress()
    asking.join()
    return events


@pytest.fixture(scope="module")
def one_slot_stack(docker_client):
    yield from run_stack({"COURSEHUB_START_CONCURRENCY": "1"})


def test_learners_beyond_the_start_slots_wait_in_line_in_order_and_all_start(one_slot_stack, docker_client):
    learners = [signed_in(one_slot_stack, f"inline{i}") for i in range(4)]

    # One after the other, a moment apart, so that the order of arrival is known.
    with ThreadPoolExecutor(max_workers=len(learners)) as pool:
        futures = []
        for learner in learners:
            futures.append(pool.submit(start_and_follow, learner))
            time.sleep(0.3)
        outcomes = [future.result(timeout=300) for future in futures]

    for learner, events in zip(learners, outcomes, strict=True):
        assert events[-1].get("ready"), f"{learner.name}'s start ended with {events[-1]}"
    messages = [event.get("message", "") for event in outcomes[-1]]
    assert any("number" in message and "in line" in message for message in messages), messages

    # With one slot, each server started only once the one before it answered: in arrival order.
    containers = [
        docker_client.containers.get(f"{one_slot_stack.project}-{learner.name}") for learner in learners
    ]
    created = [container.attrs["Created"] for container in containers]
    assert created == sorted(created), list(zip([learner.name for learner in learners], created, strict=True))


def test_a_server_that_dies_while_starting_fails_at_once_with_its_last_words(stack, new_learner):
    learner = new_learner("dies")
    learner.start_server()
    learner.wait_ready()
    # A learner's own Jupyter configuration that kills the server as it starts.
    config = "import os\nprint('my experimental config', flush=True)\nos._exit(3)\n"
    learner.run_code(
        "import pathlib\n"
        "path = pathlib.Path.home() / '.jupyter' / 'jupyter_server_config.py'\n"
        "path.parent.mkdir(exist_ok=True)\n"
        f"path.write_text({config!r})\n"
    )
    learner.stop_server()

    started = time.monotonic()
    events = start_and_follow(learner)
    took = time.monotonic() - started

    assert events[-1].get("failed"), events[-1]
    assert "stopped while starting" in events[-1]["message"]
    assert "my experimental config" in events[-1]["message"]
    assert took < 60, f"the failure took {took:.0f}s to show, the start timeout is 300s"
