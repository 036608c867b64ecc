"""Dataset classes the course needs beyond what torchvision offers as-is.

``CIFAR10`` reads the official python pickle batches like ``torchvision.datasets.CIFAR10``
but without checking the archive's MD5s: torchvision's class rejects anything whose bytes
differ from the official files, which includes the tiny generated stand-ins the tests stage.
The returned samples are the same (a ``PIL.Image`` and an ``int`` label), so notebook code
written against this class works unchanged with torchvision's.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from torch.utils.data import Dataset

from coursekit import DataMissingError

__all__ = ["CIFAR10", "read_cifar10_batch"]

CIFAR10_FOLDER = "cifar-10-batches-py"
CIFAR10_TRAIN_BATCHES = tuple(f"data_batch_{i}" for i in range(1, 6))
CIFAR10_TEST_BATCHES = ("test_batch",)


def _missing(path: Path) -> DataMissingError:
    return DataMissingError(
        f"缺少 CIFAR-10 文件 / missing CIFAR-10 file: {path}\n"
        "请管理员运行 / ask an admin to run:  docker compose exec hub coursehub data fetch cifar-10"
    )


def _unpickle(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise _missing(path)
    with path.open("rb") as f:
        # The official batches were pickled by Python 2: keys and label names are bytes unless
        # decoded; latin1 keeps the raw image bytes intact.
        return pickle.load(f, encoding="latin1")


def read_cifar10_batch(path: str | Path) -> tuple[np.ndarray, list[int]]:
    """One CIFAR-10 batch file as ``(images (N, 32, 32, 3) uint8, labels)``."""
    entry = _unpickle(Path(path))
    # Each row is 3072 bytes: the red plane, then green, then blue (channels first).
    data = np.asarray(entry["data"], dtype=np.uint8).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    labels = entry["labels"] if "labels" in entry else entry["fine_labels"]
    return np.ascontiguousarray(data), [int(x) for x in labels]


class CIFAR10(Dataset):
    """CIFAR-10 from ``root/cifar-10-batches-py`` (staged with ``coursehub data fetch cifar-10``).

    Same interface as ``torchvision.datasets.CIFAR10(root, train, transform, target_transform)``
    minus downloading: ``.data`` is ``(N, 32, 32, 3)`` uint8, ``.targets`` a list of ints,
    ``.classes`` the ten class names, ``.class_to_idx`` their indices.
    """

    def __init__(
        self,
        root: str | Path,
        train: bool = True,
        transform: Callable[[Image.Image], Any] | None = None,
        target_transform: Callable[[int], Any] | None = None,
    ) -> None:
        self.root = Path(root)
        self.train = train
        self.transform = transform
        self.target_transform = target_transform

        folder = self.root / CIFAR10_FOLDER
        if not folder.is_dir():
            raise _missing(folder)
        names = CIFAR10_TRAIN_BATCHES if train else CIFAR10_TEST_BATCHES
        parts = [read_cifar10_batch(folder / name) for name in names]
        self.data: np.ndarray = np.concatenate([images for images, _ in parts])
        self.targets: list[int] = [label for _, labels in parts for label in labels]

        meta = _unpickle(folder / "batches.meta")
        self.classes: list[str] = list(meta["label_names"])
        self.class_to_idx: dict[str, int] = {name: i for i, name in enumerate(self.classes)}

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        image: Any = Image.fromarray(self.data[index])
        target: Any = self.targets[index]
        if self.transform is not None:
            image = self.transform(image)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return image, target

    def __repr__(self) -> str:
        split = "train" if self.train else "test"
        return f"CIFAR10(split={split}, n={len(self)}, root={self.root})"
