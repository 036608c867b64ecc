"""Self-checks for part1-fundamentals/05-modules.ipynb."""

from __future__ import annotations

import torch
from torch import nn

from coursekit.exercises import exercise, expect, guarded


@exercise(
    reference=lambda: nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 3)),
    wrong=lambda: nn.Sequential(nn.Linear(20, 64), nn.Linear(64, 3)),
)
def ex1_small_mlp(answer):
    expect(
        isinstance(answer, nn.Module),
        "答案应是 nn.Module 的实例 / the answer should be an nn.Module instance",
    )
    n = sum(p.numel() for p in answer.parameters())
    expect(
        n == 20 * 64 + 64 + 64 * 3 + 3,
        f"参数个数应为 1539，得到 {n}：两个带偏置的 Linear（20→64，64→3） / "
        "expected 1539 parameters: two Linear layers with bias (20→64, 64→3)",
    )
    out = guarded("前向 / forward", answer, torch.randn(5, 20))
    expect(
        torch.is_tensor(out) and tuple(out.shape) == (5, 3),
        f"输入 (5, 20) 应输出 (5, 3)，得到 {tuple(getattr(out, 'shape', ()))} / "
        "input (5, 20) should give (5, 3)",
    )
    expect(
        any(isinstance(m, nn.ReLU) for m in answer.modules()),
        "中间缺少 ReLU：没有非线性，两层 Linear 等于一层 / missing ReLU: without a non-linearity "
        "two Linear layers collapse into one",
    )


def _count_trainable(model):
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


@exercise(
    reference=lambda: _count_trainable,
    wrong=lambda: lambda model: sum(p.numel() for p in model.parameters()),
)
def ex2_count_trainable(answer):
    expect(callable(answer), "答案应是一个函数 / the answer should be a function")
    model = nn.Sequential(nn.Linear(10, 8), nn.BatchNorm1d(8), nn.Linear(8, 2))
    model[0].requires_grad_(False)
    n = guarded("你的函数 / your function", answer, model)
    expected = 8 * 2 + (8 * 2 + 2)
    total = sum(p.numel() for p in model.parameters())
    expect(isinstance(n, int), f"应返回 int，得到 {type(n).__name__} / should return an int")
    expect(
        n != total,
        "把冻结的参数也算进去了：只数 requires_grad 为 True 的 / frozen parameters were counted: "
        "count only those with requires_grad",
    )
    expect(
        n == expected,
        f"应为 {expected}，得到 {n}：缓冲区（如 running_mean）不是参数 / expected {expected}: "
        "buffers such as running_mean are not parameters",
    )


class _Standardize(nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", torch.as_tensor(mean, dtype=torch.float32))
        self.register_buffer("std", torch.as_tensor(std, dtype=torch.float32))

    def forward(self, x):
        return (x - self.mean) / self.std


class _StandardizeParams(nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.mean = nn.Parameter(torch.as_tensor(mean, dtype=torch.float32))
        self.std = nn.Parameter(torch.as_tensor(std, dtype=torch.float32))

    def forward(self, x):
        return (x - self.mean) / self.std


@exercise(reference=lambda: _Standardize, wrong=lambda: _StandardizeParams)
def ex3_standardize_module(answer):
    expect(
        isinstance(answer, type) and issubclass(answer, nn.Module),
        "答案应是 nn.Module 的子类（类本身） / the answer should be an nn.Module subclass (the class itself)",
    )
    mean, std = torch.tensor([1.0, 2.0, 3.0]), torch.tensor([2.0, 4.0, 0.5])
    module = guarded("创建模块 / creating the module", answer, mean, std)
    expect(
        len(list(module.parameters())) == 0,
        "mean/std 不应是参数（优化器会改动它们）：用 register_buffer / mean and std should not be "
        "parameters (an optimiser would change them): use register_buffer",
    )
    keys = set(module.state_dict())
    expect(
        {"mean", "std"} <= keys,
        f"state_dict 里应有 'mean' 和 'std'，得到 {sorted(keys)} / state_dict should hold 'mean' and 'std'",
    )
    x = torch.tensor([[3.0, 6.0, 3.5], [1.0, 2.0, 3.0]])
    out = guarded("前向 / forward", module, x)
    expect(
        torch.is_tensor(out) and torch.allclose(out, torch.tensor([[1.0, 1.0, 1.0], [0.0, 0.0, 0.0]])),
        "前向应返回 (x - mean) / std / forward should return (x - mean) / std",
    )
    module = guarded(".to(float64)", module.to, torch.float64)
    expect(
        module.state_dict()["mean"].dtype == torch.float64,
        "缓冲区应随 .to() 一起转换 / buffers should follow .to()",
    )
