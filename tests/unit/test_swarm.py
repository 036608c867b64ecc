"""The swarm's pieces that need no cluster: settings, GPU declarations, a learner's service spec."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from coursehub.allocator import Allocation
from coursehub.gpus import parse_nvidia_smi
from coursehub.settings import SettingsError, load_settings
from coursehub.swarm import (
    SwarmError,
    declared_gpus,
    ensure_home_directory,
    parse_gpu_label,
    storage_subdirectory,
)
from coursehub.swarm_spawner import SwarmCourseSpawner
from hypothesis import given
from hypothesis import strategies as st

from tests.unit.test_spawner import make_spawner

DATA = Path(__file__).parent / "data"
NFS = {
    "storage_type": "nfs",
    "storage_options": "addr=10.0.0.5,nfsvers=4.1",
    "storage_device": ":/export/coursehub",
}


def swarm_spawner(tmp_path, **overrides) -> SwarmCourseSpawner:
    return make_spawner(tmp_path, cls=SwarmCourseSpawner, platform="swarm", **{**NFS, **overrides})


def test_swarm_needs_shared_storage(monkeypatch):
    monkeypatch.setenv("COURSEHUB_PLATFORM", "swarm")
    with pytest.raises(SettingsError) as refused:
        load_settings()
    assert "COURSEHUB_STORAGE_TYPE" in str(refused.value) and "COURSEHUB_STORAGE_DEVICE" in str(refused.value)


def test_homes_and_data_are_directories_of_the_shared_storage(tmp_path):
    spawner = swarm_spawner(tmp_path)
    mounts = {mount["Target"]: mount for mount in spawner.mounts}
    home = mounts["/home/jovyan"]
    assert home["Source"] == "study-home-mei" and home["Type"] == "volume"
    assert home["VolumeOptions"]["DriverConfig"] == {
        "Name": "local",
        "Options": {
            "type": "nfs",
            "o": "addr=10.0.0.5,nfsvers=4.1",
            "device": ":/export/coursehub/homes/mei",
        },
    }
    assert home["VolumeOptions"]["Labels"]["coursehub.user"] == "mei"
    data = mounts["/srv/data"]
    assert data["ReadOnly"] is True
    assert data["VolumeOptions"]["DriverConfig"]["Options"]["device"] == ":/export/coursehub/data"
    assert mounts["/dev/shm"]["Type"] == "tmpfs"
    assert mounts["/dev/shm"]["TmpfsOptions"]["SizeBytes"] == 2**30


def test_a_mounted_directory_works_the_same_way():
    storage = {"type": "none", "o": "bind", "device": "/mnt/coursehub/"}
    assert storage_subdirectory(storage, "homes", "mei") == {
        "type": "none",
        "o": "bind",
        "device": "/mnt/coursehub/homes/mei",
    }


def test_gpu_learners_are_pinned_to_the_node_of_their_gpu(tmp_path):
    spawner = swarm_spawner(tmp_path)
    assert spawner.constraints() == ["node.role==worker"]
    assert spawner.cmd == ["start-learner"]  # the manager need not hold the learner image
    spawner.allocation = Allocation("mei", "GPU-b", "gpu-node-2", "exclusive", "gpu")
    assert spawner.constraints() == ["node.role==worker", "node.hostname==gpu-node-2"]
    assert spawner.get_env()["NVIDIA_VISIBLE_DEVICES"] == "GPU-b"


def test_placement_constraints_follow_the_settings(tmp_path):
    spawner = swarm_spawner(tmp_path, swarm_constraints=["node.labels.course==pytorch"])
    assert spawner.constraints() == ["node.labels.course==pytorch"]


def test_home_directory_is_made_for_the_learner(tmp_path):
    home = ensure_home_directory("mei", tmp_path)
    assert home == tmp_path / "homes" / "mei" and home.is_dir()
    assert home.stat().st_uid == 1000
    assert ensure_home_directory("mei", tmp_path) == home  # again: nothing changes


def test_declared_gpus_are_placed_on_their_node():
    label = json.dumps(parse_gpu_label('[{"uuid": "GPU-a", "name": "A100", "memory_mb": 40960}]'))
    (gpu,) = declared_gpus("gpu-node-1", {"coursehub.gpus": label})
    assert (gpu.node, gpu.uuid, gpu.memory_mb) == ("gpu-node-1", "GPU-a", 40960)
    assert declared_gpus("cpu-node", {}) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("not json", "invalid GPU list"),
        ('[{"name": "A100"}]', "0.uuid: Field required"),
        ('[{"uuid": "GPU-a", "memory_mb": -1}]', "0.memory_mb"),
        ('[{"uuid": "GPU-a"}, {"uuid": "GPU-a"}]', "a UUID appears twice"),
    ],
)
def test_bad_gpu_declarations_say_what_is_wrong(text, expected):
    with pytest.raises(SwarmError, match="invalid GPU list") as refused:
        parse_gpu_label(text)
    assert expected in str(refused.value)


@given(st.lists(st.text("abcdef0123456789-", min_size=1, max_size=12), unique=True, max_size=8))
def test_any_valid_declaration_survives_the_label(uuids):
    entries = [{"uuid": f"GPU-{uuid}", "index": index} for index, uuid in enumerate(uuids)]
    label = json.dumps(parse_gpu_label(json.dumps(entries)))
    assert [gpu.uuid for gpu in declared_gpus("n", {"coursehub.gpus": label})] == [e["uuid"] for e in entries]


def test_nvidia_smi_output_of_a_real_h100_is_read():
    # Captured on an H100 node with deploy/gpu-check/nvidia_smi_inventory.sh.
    (gpu,) = parse_nvidia_smi((DATA / "nvidia-smi-h100.csv").read_text())
    assert gpu == {
        "uuid": "GPU-84a62bae-480e-96ee-65f0-14ebed3b6f48",
        "name": "NVIDIA H100 80GB HBM3",
        "memory_mb": 81559,
        "index": 0,
    }
    parse_gpu_label(json.dumps([gpu]))


def test_other_nvidia_smi_output_is_refused_with_the_command_to_run():
    with pytest.raises(ValueError, match=r"line 1 .*nvidia-smi --query-gpu=index,uuid,name,memory\.total"):
        parse_nvidia_smi("GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-84a62bae)")
