"""Self-checks for part3-practice/10-ddp."""

from __future__ import annotations

import math

from torch.utils.data.distributed import DistributedSampler

from coursekit.exercises import exercise, expect


@exercise(reference=lambda: 118, wrong=lambda: 469)
def ex1_steps_per_epoch(answer):
    expect(
        isinstance(answer, int),
        f"答案应是整数，得到 {type(answer).__name__} / the answer should be an int",
    )
    expect(
        answer != math.ceil(60000 / 128),
        "469 是单卡的步数：每个进程只处理 60000 / 4 张图 / "
        "469 is the single-GPU count: each process only sees 60000 / 4 images",
    )
    expect(
        answer != 60000 // 4 // 128,
        "别忘了最后一个不满的批次也算一步（drop_last=False，向上取整）/ "
        "the last, incomplete batch is a step too (drop_last=False: round up)",
    )
    expect(
        answer == 118,
        "每个进程 60000 / 4 = 15000 张，再除以 128 并向上取整 / "
        "each process gets 60000 / 4 = 15000 images; divide by 128 and round up",
    )


def _reference_shard(n, rank, world_size):
    total = math.ceil(n / world_size) * world_size
    indices = list(range(n))
    indices += indices[: total - n]
    return indices[rank:total:world_size]


def _contiguous_shard(n, rank, world_size):
    size = math.ceil(n / world_size)
    return list(range(n))[rank * size : (rank + 1) * size]


@exercise(reference=lambda: _reference_shard, wrong=lambda: _contiguous_shard)
def ex2_shard(answer):
    expect(callable(answer), "答案应是一个函数，例如 answer = my_shard / the answer should be a function")
    for n, world_size in [(10, 2), (12, 4), (10, 4), (7, 3), (3, 4)]:
        for rank in range(world_size):
            expected = list(DistributedSampler(range(n), num_replicas=world_size, rank=rank, shuffle=False))
            got = answer(n, rank, world_size)
            expect(
                isinstance(got, (list, tuple, range)),
                "应返回索引列表 / should return a list of indices",
            )
            got = [int(i) for i in got]
            expect(
                len(got) == len(expected),
                f"n={n}, world_size={world_size}, rank={rank}：应有 {len(expected)} 个索引，得到 {len(got)}；"
                "每个进程的数量必须相同，不够时从头补齐 / "
                f"should hold {len(expected)} indices: every process gets the same number, "
                "padded from the start",
            )
            expect(
                got == expected,
                f"n={n}, world_size={world_size}, rank={rank}：应为 {expected}，得到 {got}。"
                "是跨步分配（rank, rank+W, …），不是连续的一段 / "
                f"expected {expected}: indices are dealt with a stride (rank, rank+W, ...), not as one block",
            )
