"""Self-checks for part3-practice/07-tiny-gpt."""

from __future__ import annotations

import torch

from coursekit.exercises import exercise, expect


def _reference_mask(T):
    return torch.tril(torch.ones(T, T, dtype=torch.bool))


def _upper_mask(T):
    return torch.triu(torch.ones(T, T, dtype=torch.bool))


@exercise(reference=lambda: _reference_mask, wrong=lambda: _upper_mask)
def ex1_causal_mask(answer):
    expect(
        callable(answer), "答案应是一个函数，例如 answer = my_causal_mask / the answer should be a function"
    )
    for T in (1, 4, 7):
        mask = answer(T)
        expect(torch.is_tensor(mask), "函数应返回张量 / the function should return a tensor")
        expect(
            tuple(mask.shape) == (T, T),
            f"T={T} 时形状应为 ({T}, {T})，得到 {tuple(mask.shape)} / shape should be ({T}, {T})",
        )
        expect(
            mask.dtype == torch.bool,
            f"应是布尔张量，得到 {mask.dtype}；可以用 dtype=torch.bool 或 .bool() / "
            "the mask should be boolean: use dtype=torch.bool or .bool()",
        )
        expected = _reference_mask(T)
        if T > 1:
            expect(
                not bool(mask[0, 1]),
                "位置 0 不能看位置 1（未来）：你的掩码方向反了，应是下三角（torch.tril）/ "
                "position 0 must not see position 1 (the future): the mask should be lower-triangular",
            )
        expect(
            torch.equal(mask, expected),
            "第 i 行应在 j <= i 处为 True，其余为 False（包括对角线）/ "
            "row i should be True exactly where j <= i (diagonal included)",
        )


def _reference_top_k(logits, k):
    kth = torch.topk(logits, k, dim=-1).values[..., -1:]
    return logits.masked_fill(logits < kth, float("-inf"))


def _zero_top_k(logits, k):
    kth = torch.topk(logits, k, dim=-1).values[..., -1:]
    return logits.masked_fill(logits < kth, 0.0)


@exercise(reference=lambda: _reference_top_k, wrong=lambda: _zero_top_k)
def ex2_top_k(answer):
    expect(callable(answer), "答案应是一个函数，例如 answer = my_top_k / the answer should be a function")
    gen = torch.Generator().manual_seed(0)
    logits = torch.randn(3, 20, generator=gen) * 3
    original = logits.clone()
    for k in (1, 5, 20):
        got = answer(logits, k)
        expect(torch.is_tensor(got), "函数应返回张量 / the function should return a tensor")
        expect(
            torch.equal(logits, original),
            "不要原地修改输入的 logits / do not modify the input logits in place",
        )
        expect(
            tuple(got.shape) == tuple(logits.shape),
            f"形状应保持 {tuple(logits.shape)} / the shape should stay {tuple(logits.shape)}",
        )
        keep = torch.zeros_like(logits, dtype=torch.bool).scatter(1, torch.topk(logits, k).indices, True)
        expect(
            torch.equal(got[keep], logits[keep]),
            f"k={k}：每行最大的 k 个值应原样保留 / "
            f"k={k}: the k largest values of each row should stay unchanged",
        )
        expect(
            bool(torch.isneginf(got[~keep]).all()),
            f"k={k}：其余位置应为 -inf。设成 0 不行：softmax 后 e^0 仍有概率 / "
            f"k={k}: the other entries must be -inf; 0 is not enough, e^0 still gets probability",
        )


def _reference_probs(logits, temperature):
    return torch.softmax(logits / temperature, dim=-1)


def _times_probs(logits, temperature):
    return torch.softmax(logits * temperature, dim=-1)


@exercise(reference=lambda: _reference_probs, wrong=lambda: _times_probs)
def ex3_temperature(answer):
    expect(callable(answer), "答案应是一个函数，例如 answer = my_probs / the answer should be a function")
    logits = torch.tensor([[2.0, 1.0, 0.5, -1.0], [0.0, 0.3, -0.2, 1.5]])
    for temperature in (0.5, 1.0, 2.0):
        got = answer(logits, temperature)
        expect(torch.is_tensor(got), "函数应返回张量 / the function should return a tensor")
        expect(
            torch.allclose(got.sum(dim=-1), torch.ones(2), atol=1e-5),
            "每行概率之和应为 1：沿最后一维做 softmax / each row should sum to 1: softmax over the last dim",
        )
    cold, hot = answer(logits, 0.5), answer(logits, 2.0)
    expect(
        bool((cold.max(dim=-1).values > hot.max(dim=-1).values).all()),
        "温度越低分布应越尖锐：是 logits 除以温度，不是乘以 / "
        "a lower temperature should sharpen the distribution: divide the logits by it, don't multiply",
    )
    expect(
        torch.allclose(cold, _reference_probs(logits, 0.5), atol=1e-5),
        "数值不对：应为 softmax(logits / temperature) / wrong values: expected softmax(logits / temperature)",
    )
