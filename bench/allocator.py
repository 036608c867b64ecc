"""How long one GPU placement takes: 1,000 learners over 200 GPUs on 50 nodes.

Measures the pure decision (Allocator) and the decision as the hub makes it (GPUPool: read the
allocations from the database, decide, write one row), on SQLite in a temporary folder.
Prints p50/p99 and writes bench/results/allocator.json.
"""

from __future__ import annotations

import asyncio
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

from coursehub.allocator import Allocator
from coursehub.gpu_pool import AllocationStore, GPUPool
from coursehub.gpus import GPU
from coursehub.profiles import Profile

NODES, GPUS_PER_NODE, LEARNERS = 50, 4, 1000
SHARED = Profile(slug="gpu-shared", display_name="Shared", gpu="shared", share=8)
WHOLE = Profile(slug="gpu", display_name="Whole", gpu="exclusive")
RESULTS = Path(__file__).parent / "results"


def inventory() -> list[GPU]:
    return [
        GPU(uuid=f"GPU-{n:02d}-{i}", node=f"node{n:02d}", index=i)
        for n in range(NODES)
        for i in range(GPUS_PER_NODE)
    ]


def profile_for(learner: int) -> Profile:
    return WHOLE if learner % 10 == 0 else SHARED  # one in ten asks for a whole GPU


def percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {
        "p50_us": round(statistics.median(ordered) * 1e6, 1),
        "p99_us": round(ordered[int(len(ordered) * 0.99) - 1] * 1e6, 1),
        "max_us": round(ordered[-1] * 1e6, 1),
    }


def bench_allocator() -> dict:
    allocator = Allocator(inventory())
    samples, granted = [], 0
    for learner in range(LEARNERS):
        started = time.perf_counter()
        granted += allocator.allocate(f"u{learner}", profile_for(learner)) is not None
        samples.append(time.perf_counter() - started)
    return {**percentiles(samples), "granted": granted}


async def bench_pool(db_url: str) -> dict:
    pool = GPUPool(inventory, AllocationStore(db_url))
    samples, granted = [], 0
    for learner in range(LEARNERS):
        started = time.perf_counter()
        granted += await pool.acquire(f"u{learner}", profile_for(learner)) is not None
        samples.append(time.perf_counter() - started)
    return {**percentiles(samples), "granted": granted}


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        pool = asyncio.run(bench_pool(f"sqlite:///{scratch}/hub.sqlite"))
    result = {
        "what": f"{LEARNERS} learners, {NODES * GPUS_PER_NODE} GPUs on {NODES} nodes "
        "(90% shared by 8, 10% whole)",
        "allocator": bench_allocator(),
        "pool_with_sqlite": pool,
        "machine": {"python": sys.version.split()[0], "cpu": platform.processor() or platform.machine()},
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "allocator.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
