"""Self-checks for part3-practice/08-lora."""

from __future__ import annotations

import torch
from torch import nn

from coursekit.exercises import exercise, expect


def _reference_params(in_features, out_features, r):
    return r * (in_features + out_features)


def _only_a_params(in_features, out_features, r):
    return r * in_features


@exercise(reference=lambda: _reference_params, wrong=lambda: _only_a_params)
def ex1_lora_params(answer):
    expect(
        callable(answer), "答案应是一个函数，例如 answer = my_lora_params / the answer should be a function"
    )
    for in_f, out_f, r in [(64, 256, 4), (256, 10, 2), (4096, 4096, 8), (1024, 4096, 16)]:
        got = answer(in_f, out_f, r)
        expected = _reference_params(in_f, out_f, r)
        expect(
            isinstance(got, int) or (torch.is_tensor(got) and got.numel() == 1),
            "应返回一个整数 / should return an int",
        )
        got = int(got)
        expect(
            got != in_f * out_f,
            "这是原线性层 W 的参数量；LoRA 新增的只有 A (r×in) 和 B (out×r) / "
            "that is the size of W itself; LoRA adds only A (r×in) and B (out×r)",
        )
        expect(
            got == expected,
            f"({in_f}, {out_f}, r={r}) 应为 {expected}，得到 {got}：A 有 r·in 个，B 有 out·r 个 / "
            f"({in_f}, {out_f}, r={r}) should give {expected}: A holds r·in values, B holds out·r",
        )


class _Adapted(nn.Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.base = nn.Linear(n_in, n_out)
        self.lora_A = nn.Parameter(torch.randn(2, n_in))
        self.lora_B = nn.Parameter(torch.zeros(n_out, 2))


def _model():
    return nn.Sequential(_Adapted(8, 16), nn.ReLU(), _Adapted(16, 16), nn.LayerNorm(16), nn.Linear(16, 3))


def _reference_freeze(model):
    for name, p in model.named_parameters():
        p.requires_grad_("lora_" in name)


def _forgot_to_freeze(model):
    for name, p in model.named_parameters():
        if "lora_" in name:
            p.requires_grad_(True)


@exercise(reference=lambda: _reference_freeze, wrong=lambda: _forgot_to_freeze)
def ex2_freeze(answer):
    expect(callable(answer), "答案应是一个函数，例如 answer = my_freeze / the answer should be a function")
    model = _model()
    for p in model.parameters():
        p.requires_grad_(p.ndim != 1)  # a messy starting state
    answer(model)
    lora_off = [n for n, p in model.named_parameters() if "lora_" in n and not p.requires_grad]
    others_on = [n for n, p in model.named_parameters() if "lora_" not in n and p.requires_grad]
    expect(
        not lora_off,
        f"这些 LoRA 参数应可训练 / these LoRA parameters should be trainable: {lora_off}",
    )
    expect(
        not others_on,
        f"这些参数应被冻结（requires_grad=False）/ these should be frozen: {others_on}",
    )


def _reference_merge(weight, lora_A, lora_B, alpha, r):
    return weight + (alpha / r) * (lora_B @ lora_A)


def _unscaled_merge(weight, lora_A, lora_B, alpha, r):
    return weight + lora_B @ lora_A


@exercise(reference=lambda: _reference_merge, wrong=lambda: _unscaled_merge)
def ex3_merge(answer):
    expect(callable(answer), "答案应是一个函数，例如 answer = my_merge / the answer should be a function")
    gen = torch.Generator().manual_seed(0)
    weight = torch.randn(6, 5, generator=gen)
    lora_A = torch.randn(2, 5, generator=gen)
    lora_B = torch.randn(6, 2, generator=gen)
    original = weight.clone()
    got = answer(weight, lora_A, lora_B, 8, 2)
    expect(torch.is_tensor(got), "函数应返回张量 / the function should return a tensor")
    expect(
        tuple(got.shape) == (6, 5),
        f"形状应与 weight 相同 (6, 5)，得到 {tuple(got.shape)}：是 B @ A，不是 A @ B / "
        "the shape should match weight (6, 5): it is B @ A, not A @ B",
    )
    expect(
        not torch.allclose(got, weight + lora_B @ lora_A),
        "别忘了缩放 alpha / r / don't forget the scaling alpha / r",
    )
    expect(
        torch.allclose(got, _reference_merge(original, lora_A, lora_B, 8, 2), atol=1e-5),
        "数值不对：W + (alpha / r) · B @ A / wrong values: expected W + (alpha / r) · B @ A",
    )
