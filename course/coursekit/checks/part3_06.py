"""Self-checks for part3-practice/06-vision-transformer."""

from __future__ import annotations

import math

import torch

from coursekit.exercises import exercise, expect


def _reference_patchify(images, p):
    B, C, H, W = images.shape
    grid = images.unfold(2, p, p).unfold(3, p, p)  # (B, C, H/p, W/p, p, p)
    return grid.permute(0, 2, 3, 1, 4, 5).reshape(B, (H // p) * (W // p), C * p * p)


def _naive_patchify(images, p):
    B, C, H, W = images.shape
    return images.reshape(B, (H // p) * (W // p), C * p * p)


@exercise(reference=lambda: _reference_patchify, wrong=lambda: _naive_patchify)
def ex1_patchify(answer):
    expect(callable(answer), "答案应是一个函数，例如 answer = my_patchify / the answer should be a function")
    gen = torch.Generator().manual_seed(0)
    for shape, p in [((2, 3, 8, 12), 4), ((1, 2, 6, 6), 3), ((3, 3, 32, 32), 8)]:
        images = torch.randn(*shape, generator=gen)
        expected = _reference_patchify(images, p)
        got = answer(images, p)
        expect(torch.is_tensor(got), "函数应返回张量 / the function should return a tensor")
        expect(
            tuple(got.shape) == tuple(expected.shape),
            f"输入 {shape}、p={p} 时形状应为 {tuple(expected.shape)}，得到 {tuple(got.shape)} / "
            f"for input {shape} and p={p} the shape should be {tuple(expected.shape)}",
        )
        expect(
            torch.allclose(got, expected),
            "形状对了，但内容不对：每一行应是同一个 p×p 方块的全部通道，按 (C, p, p) 展平；"
            "直接 reshape 会把不同方块的像素混在一起，先用 unfold/permute 把块的行列放到前面 / "
            "right shape, wrong content: each row must hold one p×p square (all channels, flattened as "
            "(C, p, p)); a plain reshape mixes pixels of different squares - "
            "unfold/permute the patch grid first",
        )


@exercise(reference=lambda: 197, wrong=lambda: 196)
def ex2_num_tokens(answer):
    expect(
        isinstance(answer, int),
        f"答案应是整数，得到 {type(answer).__name__} / the answer should be an int",
    )
    expect(
        answer != 196,
        "196 只是 patch 的个数 (224/16)²，别忘了 class token / "
        "196 counts the patches only: add the class token",
    )
    expect(
        answer == 197,
        "先算每边有几个 patch (224/16)，再平方，再加上 class token / "
        "patches per side is 224/16; square it, then add the class token",
    )


def _reference_lr(step, total_steps, warmup_steps, base_lr, min_lr):
    if step < warmup_steps:
        return base_lr * (step + 1) / warmup_steps
    progress = (step - warmup_steps) / (total_steps - warmup_steps)
    return min_lr + (base_lr - min_lr) * 0.5 * (1 + math.cos(math.pi * progress))


def _no_floor_lr(step, total_steps, warmup_steps, base_lr, min_lr):
    return _reference_lr(step, total_steps, warmup_steps, base_lr, 0.0)


@exercise(reference=lambda: _reference_lr, wrong=lambda: _no_floor_lr)
def ex3_warmup_cosine(answer):
    expect(callable(answer), "答案应是一个函数，例如 answer = my_lr / the answer should be a function")
    total, warmup, base, floor = 1000, 100, 1e-3, 1e-5
    cases = [
        (0, "预热第一步 / first warm-up step"),
        (49, "预热中途 / middle of the warm-up"),
        (99, "预热最后一步 / last warm-up step"),
        (100, "余弦开始 / start of the cosine"),
        (550, "余弦中点 / middle of the cosine"),
        (1000, "最后 / the end"),
    ]
    for step, where in cases:
        expected = _reference_lr(step, total, warmup, base, floor)
        got = answer(step, total, warmup, base, floor)
        expect(isinstance(got, (int, float)), "函数应返回一个数 / the function should return a number")
        expect(
            math.isclose(got, expected, rel_tol=1e-6, abs_tol=1e-12),
            f"step={step}（{where}）时应为 {expected:.3e}，得到 {got:.3e}。"
            "预热阶段线性上升，之后从 base_lr 余弦下降到 min_lr（不是 0）/ "
            f"at step={step} ({where}) expected {expected:.3e}: linear warm-up, then a cosine from base_lr "
            "down to min_lr (not to 0)",
        )
