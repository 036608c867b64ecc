"""What the learner image costs: its size against PyTorch alone, and how long builds take.

* size: the image's layers from `docker history`, grouped into the Debian base, the system
  packages, PyTorch + torchvision (their CUDA wheels installed alone, the part nobody can
  avoid), JupyterLab and friends, and our own files;
* build time warm: `docker compose build` with every layer cached (what an admin's
  `docker compose up --build` costs after pulling a change that touches no image);
* build time cold (--cold): the learner and hub images built again with no cache at all, under
  a throwaway tag (downloads ~3 GB; several minutes).

Writes bench/results/build.json.

    python bench/build.py [--cold]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import docker

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support.stack import REPO

RESULTS = Path(__file__).parent / "results"
LEARNER_IMAGE = "coursehub/notebook:0.1.0"
COLD_TAG = "coursehub-bench/{name}:cold"


def layer_sizes(client: docker.DockerClient, image: str) -> dict[str, float]:
    """GB of the image's layers, by what put them there (the Dockerfile's order)."""
    history = list(reversed(client.api.history(image)))  # oldest first
    sizes = {"debian_base": 0, "system_packages": 0, "pytorch": 0, "jupyterlab_and_tools": 0, "ours": 0}
    group = "system_packages"
    for layer in history:
        created_by = layer["CreatedBy"]
        if not created_by:  # the imported Debian root file system
            sizes["debian_base"] += layer["Size"]
        elif created_by.startswith("RUN"):
            sizes[group] += layer["Size"]
            group = "ours"
        elif "requirements-torch.txt" in created_by:  # the COPY before the step that installs it
            group = "pytorch"
        elif "requirements.txt" in created_by:
            group = "jupyterlab_and_tools"
        else:
            sizes["ours"] += layer["Size"]
    return {name: round(size / 1e9, 3) for name, size in sizes.items()}


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=REPO, check=True, capture_output=True, text=True)
    return round(time.perf_counter() - started, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cold", action="store_true", help="also build both images with no cache")
    args = parser.parse_args()
    client = docker.from_env()
    result: dict = {"warm_build_s": timed(["docker", "compose", "build"])}
    total = client.images.get(LEARNER_IMAGE).attrs["Size"]
    layers = layer_sizes(client, LEARNER_IMAGE)
    result["learner_image"] = {
        "size_gb": round(total / 1e9, 2),
        "layers_gb": layers,
        "ratio_image_over_pytorch": round(total / 1e9 / layers["pytorch"], 2),
    }
    if args.cold:
        result["cold_build_s"] = {}
        for name in ("notebook", "hub"):
            tag = COLD_TAG.format(name=name)
            dockerfile = f"images/{name}/Dockerfile"
            context = "." if name == "hub" else f"images/{name}"
            result["cold_build_s"][name] = timed(
                ["docker", "build", "--no-cache", "--pull=false", "-q", "-t", tag, "-f", dockerfile, context]
            )
            client.images.remove(tag)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "build.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
