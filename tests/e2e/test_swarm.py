"""coursehub on a real multi-node Docker Swarm: a manager running the hub, two GPU workers.

The nodes are privileged containers with their own Docker Engines (tests/support/swarm.py); the
workers declare static stand-in GPU inventories, since CI has no GPU. The tests run in order,
as one admin's afternoon: learners spread over the workers, a worker is drained, a learner
moves to another node and finds their files, a worker is lost.
"""

from __future__ import annotations

import json
import time
from collections import Counter

import pytest

from tests.support.learner import Learner, signed_in
from tests.support.stack import OUTPUT, Stack, StackError
from tests.support.swarm import SwarmCluster

GPUS = {
    worker: [
        {"uuid": f"GPU-{worker}-{index}", "name": "Stand-in A100", "memory_mb": 40960, "index": index}
        for index in range(2)
    ]
    for worker in ("worker-1", "worker-2")
}
PROFILES = [
    {"slug": "cpu", "display_name": "CPU"},
    {"slug": "gpu", "display_name": "Whole GPU", "gpu": "exclusive"},
]
SETTINGS = {
    "COURSEHUB_PROFILES": json.dumps(PROFILES),
    "COURSEHUB_COURSE_SYNC_TIMEOUT": "20",
    "COURSEHUB_MEM_LIMIT": "1G",
}


@pytest.fixture(scope="module")
def cluster(docker_client):
    try:
        Stack(project="coursehub").compose("build", "hub")
        Stack(project="coursehub", profiles=("slim",)).compose("build", "notebook-slim-image")
    except StackError as error:
        pytest.fail(str(error), pytrace=False)
    swarm = SwarmCluster(docker_client)
    try:
        swarm.start(SETTINGS)
        # One worker as JSON, the other as nvidia-smi prints it on the node.
        swarm.cli("nodes", "gpus", "worker-1", json.dumps(GPUS["worker-1"]))
        printed = "\n".join(
            f"{gpu['index']}, {gpu['uuid']}, {gpu['name']}, {gpu['memory_mb']}" for gpu in GPUS["worker-2"]
        )
        swarm.cli("nodes", "gpus", "worker-2", "--nvidia-smi", printed)
    except StackError as error:
        swarm.stop()
        pytest.fail(str(error), pytrace=False)
    try:
        yield swarm
    finally:
        logs = OUTPUT / "logs" / swarm.name
        logs.mkdir(parents=True, exist_ok=True)
        (logs / "hub.log").write_text(swarm.hub_log())
        swarm.stop()


@pytest.fixture(scope="module")
def people() -> dict[str, Learner]:
    """Learners made by earlier tests of this module, by name."""
    return {}


def start(cluster: SwarmCluster, people: dict, name: str, profile: str) -> Learner:
    learner = people.get(name) or signed_in(cluster, name)
    people[name] = learner
    learner.start_server({"profile": profile})
    return learner


def nodes(cluster: SwarmCluster) -> dict[str, dict]:
    return {node["hostname"]: node for node in cluster.cli_json("nodes", "list")}


def test_nodes_list_their_gpus(cluster):
    listed = nodes(cluster)
    assert set(listed) == {"manager", "worker-1", "worker-2"}
    assert listed["manager"]["role"] == "manager"
    for worker, gpus in GPUS.items():
        assert listed[worker]["state"] == "ready" and listed[worker]["availability"] == "active"
        assert [gpu["uuid"] for gpu in listed[worker]["gpus"]] == [gpu["uuid"] for gpu in gpus]
        assert all(gpu["node"] == worker for gpu in listed[worker]["gpus"])


def test_a_bad_gpu_declaration_is_refused_and_changes_nothing(cluster):
    refused = cluster.cli("nodes", "gpus", "worker-1", '[{"name": "no uuid"}]', check=False)
    assert refused.returncode == 1
    assert "uuid" in refused.stderr and "Field required" in refused.stderr
    assert len(nodes(cluster)["worker-1"]["gpus"]) == 2
    # NVML finds nothing on a node without NVIDIA's driver: said, and the declaration stays.
    probed = cluster.cli("nodes", "gpus", "worker-1", "--discover", check=False)
    assert probed.returncode == 1 and "no NVIDIA GPU found on worker-1" in probed.stderr
    assert "NVML" in probed.stderr
    assert len(nodes(cluster)["worker-1"]["gpus"]) == 2
    unknown = cluster.cli("nodes", "drain", "worker-9", check=False)
    assert unknown.returncode == 1 and "no node 'worker-9'" in unknown.stderr


@pytest.mark.parametrize(
    ("command", "instead"), [("backup", "shared storage"), ("course sync", "next start")]
)
def test_single_host_commands_say_what_to_do_instead(cluster, command, instead):
    refused = cluster.cli(*command.split(), check=False)
    assert refused.returncode == 1
    assert "single host only" in refused.stderr and instead in refused.stderr


def test_nodes_add_prints_the_join_command(cluster):
    printed = cluster.cli("nodes", "add").stdout
    assert "docker swarm join --token SWMTKN-" in printed
    assert f"{cluster.ip(cluster.manager)}:2377" in printed
    assert "coursehub nodes gpus" in printed


def test_prepull_puts_the_learner_image_on_every_worker(cluster):
    pulled = cluster.cli("images", "prepull")
    assert "worker-1" in pulled.stdout and "worker-2" in pulled.stdout
    assert "manager" not in pulled.stdout.split("is on", 1)[1]
    one = cluster.cli("images", "prepull", "--node", "worker-2")
    assert "1 node(s): worker-2" in one.stdout
    missing = cluster.cli("images", "prepull", "--image", "coursehub/not-built:0.0.0", check=False)
    assert missing.returncode == 1 and "worker-1" in missing.stderr


def test_six_learners_spread_over_both_workers_with_exclusive_gpus(cluster, people):
    gpu_learners = [start(cluster, people, f"gpu{n}", "gpu") for n in range(4)]
    cpu_learners = [start(cluster, people, f"cpu{n}", "cpu") for n in range(2)]
    for learner in gpu_learners + cpu_learners:
        learner.wait_ready(timeout=300)
    placed = {learner.name: cluster.learner_service(learner.name) for learner in gpu_learners + cpu_learners}

    devices = [placed[learner.name]["env"]["NVIDIA_VISIBLE_DEVICES"] for learner in gpu_learners]
    assert sorted(devices) == sorted(gpu["uuid"] for gpus in GPUS.values() for gpu in gpus)
    for learner in gpu_learners:
        device, node = placed[learner.name]["env"]["NVIDIA_VISIBLE_DEVICES"], placed[learner.name]["node"]
        assert device in {gpu["uuid"] for gpu in GPUS[node]}, f"{learner.name} runs away from its GPU"
    assert Counter(placed[learner.name]["node"] for learner in gpu_learners) == {"worker-1": 2, "worker-2": 2}
    for learner in cpu_learners:
        assert placed[learner.name]["env"]["NVIDIA_VISIBLE_DEVICES"] == "void"
        assert placed[learner.name]["node"] in GPUS  # never on the manager

    people["gpu-late"] = signed_in(cluster, "gpu-late")
    assert "busy" in people["gpu-late"].start_server({"profile": "gpu"}, expect_error=True)

    # Every server works, and keeps what its learner writes.
    for learner in gpu_learners + cpu_learners:
        assert (
            learner.run_code(f"open('notes.txt', 'w').write('{learner.name} was here'); print('ok')").strip()
            == "ok"
        )
    listed = nodes(cluster)
    assert sorted(listed["worker-1"]["learners"] + listed["worker-2"]["learners"]) == sorted(placed)
    servers = {server["user"]: server for server in cluster.cli_json("status")["servers"]}
    assert {name: servers[name]["node"] for name in placed} == {name: p["node"] for name, p in placed.items()}


def on(cluster: SwarmCluster, people: dict, node: str, profile: str) -> list[Learner]:
    return [
        learner
        for name, learner in sorted(people.items())
        if name.startswith(profile) and learner.server() and cluster.learner_service(name)["node"] == node
    ]


def test_a_drained_worker_takes_no_new_learners(cluster, people):
    drained = cluster.cli("nodes", "drain", "worker-2")
    assert "takes no new learners" in drained.stdout
    # A GPU frees up on the drained worker only: nobody may have it.
    leaving = on(cluster, people, "worker-2", "gpu")[0]
    leaving.stop_server()
    refused = people["gpu-late"].start_server({"profile": "gpu"}, expect_error=True)
    assert "busy" in refused

    # One frees up on the active worker: the next GPU learner lands there.
    on(cluster, people, "worker-1", "gpu")[0].stop_server()
    people["gpu-late"].start_server({"profile": "gpu"})
    people["gpu-late"].wait_ready(timeout=300)
    assert cluster.learner_service("gpu-late")["node"] == "worker-1"
    newcomer = start(cluster, people, "cpu-late", "cpu")
    newcomer.wait_ready(timeout=300)
    assert cluster.learner_service("cpu-late")["node"] == "worker-1"

    # Those who were already working on the drained worker carry on.
    for learner in on(cluster, people, "worker-2", "cpu") + on(cluster, people, "worker-2", "gpu"):
        assert learner.run_code("print(1 + 1)").strip() == "2"
    assert nodes(cluster)["worker-2"]["availability"] == "pause"


def test_a_learner_started_on_another_node_finds_their_files(cluster, people):
    mover = on(cluster, people, "worker-2", "gpu")[0]
    mover.stop_server()
    mover.start_server({"profile": "cpu"})
    mover.wait_ready(timeout=300)
    assert cluster.learner_service(mover.name)["node"] == "worker-1"
    assert mover.run_code("print(open('notes.txt').read())").strip() == f"{mover.name} was here"


def start_on_worker_2(cluster: SwarmCluster, people: dict, name: str) -> Learner:
    """A GPU learner on worker-2: with worker-2 active, its free GPUs are the least loaded."""
    cluster.cli("nodes", "activate", "worker-2")
    learner = start(cluster, people, name, "gpu")
    learner.wait_ready(timeout=300)
    assert cluster.learner_service(name)["node"] == "worker-2"
    assert learner.run_code(f"open('notes.txt', 'w').write('{name} was here'); print('ok')").strip() == "ok"
    return learner


def test_draining_a_worker_now_sends_its_learners_elsewhere_with_their_files(cluster, people):
    evicted = start_on_worker_2(cluster, people, "gpu-evicted")
    drained = cluster.cli("nodes", "drain", "worker-2", "--now")
    assert "drained" in drained.stdout
    evicted.wait_stopped(timeout=120)
    assert nodes(cluster)["worker-2"]["learners"] == []
    evicted.start_server({"profile": "cpu"})
    evicted.wait_ready(timeout=300)
    assert cluster.learner_service(evicted.name)["node"] == "worker-1"
    assert evicted.run_code("print(open('notes.txt').read())").strip() == "gpu-evicted was here"


def test_a_lost_worker_is_reported_and_the_others_keep_serving(cluster, people):
    start_on_worker_2(cluster, people, "gpu-stranded")
    stranded = on(cluster, people, "worker-2", "cpu") + on(cluster, people, "worker-2", "gpu")
    staying = on(cluster, people, "worker-1", "cpu") + on(cluster, people, "worker-1", "gpu")
    assert stranded and staying
    cluster.kill("worker-2")

    deadline = time.monotonic() + 120
    while nodes(cluster)["worker-2"]["state"] != "down":
        assert time.monotonic() < deadline, "the manager never noticed that worker-2 is gone"
        time.sleep(2)
    for learner in staying:
        assert learner.run_code("print(2 + 2)").strip() == "4"
    # The hub counts servers on the lost node as stopped, so their learners can start again.
    for learner in stranded:
        learner.wait_stopped(timeout=120)
    again = stranded[0]
    again.start_server({"profile": "cpu"})
    again.wait_ready(timeout=300)
    assert cluster.learner_service(again.name)["node"] == "worker-1"
    assert again.run_code("print(open('notes.txt').read())").strip() == f"{again.name} was here"
    # New GPU learners only get GPUs of nodes that are up.
    gpus = {gpu["uuid"]: gpu for gpu in cluster.cli_json("gpus")}
    assert not any(
        holder for uuid, gpu in gpus.items() if uuid.startswith("GPU-worker-2") for holder in gpu["holders"]
    )
