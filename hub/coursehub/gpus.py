"""The GPU inventory of each node: discovered through NVML, or declared by the admin.

Discovery runs a short-lived container with every GPU of the host (the hub itself has none)
and reads NVML there. Hosts where that is impossible declare their GPUs in
``COURSEHUB_GPUS``. A host without GPUs is a valid, CPU-only platform: the inventory is empty.
"""

from __future__ import annotations

import json

from pydantic import BaseModel, Field, TypeAdapter

LOCAL_NODE = "local"


class GPU(BaseModel):
    """One allocatable device: a whole GPU, or a MIG instance of one."""

    uuid: str = Field(min_length=1, description="GPU-… or MIG-… UUID, as NVIDIA_VISIBLE_DEVICES takes it.")
    node: str = Field(LOCAL_NODE, min_length=1, description="The node that holds the device.")
    name: str = Field("GPU", description="Model name, e.g. 'NVIDIA H100 80GB HBM3'.")
    memory_mb: int = Field(0, ge=0, description="Memory of the device in MiB.")
    index: int = Field(0, ge=0, description="NVML index on its node (MIG: the parent's index).")
    mig_profile: str | None = Field(None, description="MIG instances only, e.g. '1g.10gb'.")
    parent_uuid: str | None = Field(None, description="MIG instances only: the GPU they are carved from.")

    @property
    def is_mig(self) -> bool:
        return self.mig_profile is not None


Inventory = list[GPU]
inventory_adapter = TypeAdapter(Inventory)


def whole_gpus_with_mig(inventory: Inventory) -> set[str]:
    """GPUs split into MIG instances: only their instances can be handed out."""
    return {gpu.parent_uuid for gpu in inventory if gpu.parent_uuid}


# Runs inside the learner image (it carries nvidia-ml-py for the GPU dashboards) with every GPU
# of the host visible, and prints the inventory as JSON.
PROBE = r"""
import json, re, pynvml
def text(value):
    return value.decode() if isinstance(value, bytes) else value
pynvml.nvmlInit()
found = []
for index in range(pynvml.nvmlDeviceGetCount()):
    handle = pynvml.nvmlDeviceGetHandleByIndex(index)
    uuid = text(pynvml.nvmlDeviceGetUUID(handle))
    memory = pynvml.nvmlDeviceGetMemoryInfo(handle).total // 2**20
    name = text(pynvml.nvmlDeviceGetName(handle))
    found.append({"uuid": uuid, "name": name, "memory_mb": memory, "index": index})
    try:
        mig_enabled = pynvml.nvmlDeviceGetMigMode(handle)[0] == pynvml.NVML_DEVICE_MIG_ENABLE
    except pynvml.NVMLError:
        mig_enabled = False
    if not mig_enabled:
        continue
    for slot in range(pynvml.nvmlDeviceGetMaxMigDeviceCount(handle)):
        try:
            mig = pynvml.nvmlDeviceGetMigDeviceHandleByIndex(handle, slot)
        except pynvml.NVMLError:
            continue
        mig_memory = pynvml.nvmlDeviceGetMemoryInfo(mig).total // 2**20
        name = text(pynvml.nvmlDeviceGetName(mig))
        profile = re.search(r"MIG (\S+)", name)
        found.append({"uuid": text(pynvml.nvmlDeviceGetUUID(mig)), "name": name, "memory_mb": mig_memory,
                      "index": index, "parent_uuid": uuid,
                      "mig_profile": profile.group(1) if profile else f"{round(mig_memory / 1024)}gb"})
print(json.dumps(found))
"""


def parse_probe(output: str, node: str = LOCAL_NODE) -> Inventory:
    """The inventory from the probe's output (its last line is the JSON)."""
    lines = [line for line in output.strip().splitlines() if line.strip()]
    if not lines:
        return []
    return inventory_adapter.validate_python([{**entry, "node": node} for entry in json.loads(lines[-1])])


def discover(client, image: str, node: str = LOCAL_NODE) -> Inventory:
    """Run the probe in a short-lived container with every GPU; no GPU runtime means no GPUs."""
    from docker.errors import APIError
    from docker.types import DeviceRequest

    probe = client.containers.create(
        image,
        ["python", "-c", PROBE],
        entrypoint=[],
        device_requests=[DeviceRequest(count=-1, capabilities=[["gpu"]])],
        network_disabled=True,
    )
    try:
        probe.start()
        if probe.wait(timeout=120)["StatusCode"] != 0:
            return []  # NVML failed: no driver, no GPU
        return parse_probe(probe.logs(stderr=False).decode(), node)
    except APIError:
        # Docker refuses GPU requests on hosts without the NVIDIA runtime: no GPU to offer.
        return []
    finally:
        probe.remove(force=True)


# The query deploy/gpu-check/nvidia_smi_inventory.sh runs on a node.
NVIDIA_SMI_QUERY = "nvidia-smi --query-gpu=index,uuid,name,memory.total --format=csv,noheader,nounits"


def parse_nvidia_smi(output: str) -> list[dict]:
    """GPU entries from the output of NVIDIA_SMI_QUERY, one line per GPU (MIG instances are not
    listed there: declare those as JSON)."""
    found = []
    for number, line in enumerate(output.strip().splitlines(), start=1):
        fields = [field.strip() for field in line.split(",")]
        if len(fields) != 4 or not fields[0].isdigit() or not fields[3].isdigit():
            raise ValueError(
                f"line {number} of the nvidia-smi output is not 'index, uuid, name, memory': {line!r} "
                f"(run: {NVIDIA_SMI_QUERY})"
            )
        index, uuid, name, memory = fields
        found.append({"uuid": uuid, "name": name, "memory_mb": int(memory), "index": int(index)})
    return found
