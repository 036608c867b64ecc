"""Self-checks for part2-intermediate/01-containers-unet."""

from __future__ import annotations

import torch
from torch import nn

from coursekit.exercises import exercise, expect

_MODULE_HINT = "答案应是 nn.Module 的实例 / the answer should be an nn.Module instance"


class _Tower(nn.Module):
    def __init__(self, width: int, depth: int):
        super().__init__()
        self.layers = nn.ModuleList(nn.Linear(width, width) for _ in range(depth))

    def forward(self, x):
        for layer in self.layers:
            x = torch.relu(layer(x))
        return x


class _PlainListTower(nn.Module):
    def __init__(self, width: int, depth: int):
        super().__init__()
        self.layers = [nn.Linear(width, width) for _ in range(depth)]

    def forward(self, x):
        for layer in self.layers:
            x = torch.relu(layer(x))
        return x


@exercise(reference=lambda: _Tower(8, 3), wrong=lambda: _PlainListTower(8, 3))
def ex1_tower(answer):
    expect(isinstance(answer, nn.Module), _MODULE_HINT)
    n_params = sum(p.numel() for p in answer.parameters())
    expect(
        n_params == 3 * (8 * 8 + 8),
        f"应有 216 个参数，实际注册了 {n_params} 个：层是否放进了 nn.ModuleList？"
        f" / expected 216 parameters, found {n_params}: are the layers in an nn.ModuleList?",
    )
    x = torch.randn(4, 8)
    out = answer(x)
    expect(
        torch.is_tensor(out) and out.shape == (4, 8),
        "输出形状应与输入相同 (4, 8) / the output should have the input's shape (4, 8)",
    )
    expect(bool((out >= 0).all()), "每层后接 ReLU，输出不应为负 / ReLU after each layer: no negatives")
    answer.zero_grad()
    (out**2).sum().backward()
    missing = [n for n, p in answer.named_parameters() if p.grad is None]
    expect(not missing, f"这些参数没有得到梯度 / no gradient reached: {missing}")


def _strided_down():
    return nn.Sequential(
        nn.Conv2d(16, 32, kernel_size=3, stride=2, padding=1, bias=False),
        nn.BatchNorm2d(32),
        nn.ReLU(inplace=True),
        nn.Conv2d(32, 32, kernel_size=3, padding=1, bias=False),
        nn.BatchNorm2d(32),
        nn.ReLU(inplace=True),
    )


def _no_downsampling():
    return nn.Sequential(nn.Conv2d(16, 32, kernel_size=3, padding=1), nn.ReLU())


@exercise(reference=_strided_down, wrong=_no_downsampling)
def ex2_strided_down(answer):
    expect(isinstance(answer, nn.Module), _MODULE_HINT)
    pools = [m for m in answer.modules() if isinstance(m, nn.MaxPool2d | nn.AvgPool2d | nn.AdaptiveAvgPool2d)]
    expect(not pools, "这里不要用池化层 / do not use a pooling layer here")
    strided = [m for m in answer.modules() if isinstance(m, nn.Conv2d) and tuple(m.stride) == (2, 2)]
    expect(strided, "需要一个 stride=2 的 nn.Conv2d / an nn.Conv2d with stride=2 is needed")
    answer.eval()
    with torch.no_grad():
        out = answer(torch.randn(2, 16, 32, 32))
    expect(
        torch.is_tensor(out) and out.shape == (2, 32, 16, 16),
        f"输入 (2, 16, 32, 32) 应得到 (2, 32, 16, 16)，得到 {tuple(getattr(out, 'shape', ()))}"
        " / (2, 16, 32, 32) should become (2, 32, 16, 16)",
    )
