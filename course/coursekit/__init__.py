"""coursekit: the small helper package every course notebook imports.

It keeps notebooks free of machine-specific details:

* ``device()`` picks CUDA when there is a GPU and the CPU otherwise, never a fixed index;
* ``SMOKE`` / ``pick(full, smoke)`` shrink the work when ``COURSE_SMOKE=1`` (the tests
  run every notebook that way on a 2-core CPU);
* ``data_path(name)`` finds a dataset staged in the shared, read-only data volume
  (``$COURSE_DATA``) and says which ``coursehub data fetch`` to run when it is missing;
* ``work_dir(name)`` is where a notebook writes (checkpoints, logs, exports): under
  ``$COURSE_WORK``, never inside the course or the data volume.

Exercises and their self-checks live in ``coursekit.exercises`` and ``coursekit.checks``.
"""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import TypeVar

__all__ = [
    "SMOKE",
    "DataMissingError",
    "data_path",
    "device",
    "pick",
    "seed_everything",
    "work_dir",
]

T = TypeVar("T")

SMOKE: bool = os.environ.get("COURSE_SMOKE", "").strip().lower() in {"1", "true", "yes", "on"}


class DataMissingError(FileNotFoundError):
    """A dataset or weight file the notebook needs has not been staged on this host."""


def pick(full: T, smoke: T) -> T:
    """Return ``smoke`` in smoke mode (``COURSE_SMOKE=1``), ``full`` otherwise."""
    return smoke if SMOKE else full


def device():
    """The device to compute on: the first visible GPU if there is one, else the CPU.

    The platform decides which physical GPU a learner sees (``NVIDIA_VISIBLE_DEVICES``),
    so inside the container it is always ``cuda`` without an index.
    """
    import torch

    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def data_root() -> Path:
    return Path(os.environ.get("COURSE_DATA", "/srv/data"))


def data_path(name: str) -> Path:
    """The folder of the staged dataset or weight set ``name`` (see ``coursehub data list``)."""
    path = data_root() / name
    if not path.is_dir() or not any(path.iterdir()):
        raise DataMissingError(
            f"数据集 '{name}' 尚未准备好 / dataset '{name}' is not staged at {path}.\n"
            f"请管理员运行 / ask an admin to run:  docker compose exec hub coursehub data fetch {name}"
        )
    return path


def work_dir(name: str) -> Path:
    """A writable folder for a notebook's outputs, created on first use."""
    path = Path(os.environ.get("COURSE_WORK", Path.home() / "work")) / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def seed_everything(seed: int = 0) -> None:
    """Seed Python, NumPy and PyTorch (CPU and every GPU) for repeatable runs."""
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
