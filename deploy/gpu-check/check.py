"""GPU checks for a host with an NVIDIA GPU and PyTorch (no Docker needed):

1. discovery: the hub's NVML probe (coursehub.gpus.PROBE) finds every GPU nvidia-smi lists;
2. visibility: a PyTorch process given one GPU's UUID sees exactly that device, and "void" sees none;
3. the soft memory cap of shared learners holds.

Run: python3 deploy/gpu-check/check.py  (prints JSON; exit 1 on a failed check)
"""

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
results = {}


def probe_source() -> str:
    # Read PROBE from gpus.py without importing the package (the GPU host may lack its deps).
    tree = ast.parse((ROOT / "hub/coursehub/gpus.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and node.targets[0].id == "PROBE":
            return ast.literal_eval(node.value)
    raise SystemExit("PROBE not found")


def run_python(code: str, env: dict | None = None) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    return done.stdout.strip()


inventory = json.loads(run_python(probe_source()).splitlines()[-1])
smi = (
    subprocess.run(
        ["nvidia-smi", "--query-gpu=uuid,name,memory.total", "--format=csv,noheader"],
        capture_output=True,
        text=True,
    )
    .stdout.strip()
    .splitlines()
)
smi_uuids = sorted(line.split(",")[0].strip() for line in smi)
results["discovery"] = {
    "probe": inventory,
    "nvidia_smi": smi,
    "ok": sorted(g["uuid"] for g in inventory if not g.get("parent_uuid")) == smi_uuids,
}

SEE = (
    "import torch; n = torch.cuda.device_count(); "
    "print(n, [str(torch.cuda.get_device_properties(i).uuid) for i in range(n)])"
)
visibility = {}
for gpu in inventory:
    out = run_python(SEE, {"CUDA_VISIBLE_DEVICES": gpu["uuid"]})
    visibility[gpu["uuid"]] = {
        "seen": out,
        "ok": out.startswith("1 ") and gpu["uuid"].removeprefix("GPU-") in out,
    }
out = run_python(SEE, {"CUDA_VISIBLE_DEVICES": "void"})
visibility["void"] = {"seen": out, "ok": out.startswith("0 ")}
results["visibility"] = visibility

CAP = f"""
import sys, torch
sys.path.insert(0, {str(ROOT / "images/notebook")!r})
import coursehub_kernel
coursehub_kernel.apply_gpu_memory_fraction()
total = torch.cuda.get_device_properties(0).total_memory
small = torch.empty(int(total * 0.2), dtype=torch.uint8, device="cuda")
del small
try:
    big = torch.empty(int(total * 0.5), dtype=torch.uint8, device="cuda")
    print("not capped")
except torch.OutOfMemoryError:
    print("capped")
"""
cap = run_python(CAP, {"COURSEHUB_GPU_MEMORY_FRACTION": "0.25"})
results["memory_cap"] = {"fraction": 0.25, "result": cap, "ok": cap == "capped"}

print(json.dumps(results, indent=2))
ok = results["discovery"]["ok"] and all(v["ok"] for v in visibility.values()) and results["memory_cap"]["ok"]
sys.exit(0 if ok else 1)
