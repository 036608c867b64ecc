"""Self-checks for part2-intermediate/08-visualisation."""

from __future__ import annotations

from collections import OrderedDict

import torch
import torch.nn.functional as F
from torch import nn

from coursekit.exercises import exercise, expect, guarded

_FUNCTION_HINT = "答案应是一个函数 / the answer should be a function"


def _hooks_left(model):
    return [
        name or "(model)"
        for name, m in model.named_modules()
        if m._forward_hooks or m._forward_pre_hooks or m._backward_hooks
    ]


def _capture_shapes(model, x):
    shapes = {}
    handles = [
        child.register_forward_hook(lambda m, i, o, name=name: shapes.__setitem__(name, tuple(o.shape)))
        for name, child in model.named_children()
    ]
    try:
        model(x)
    finally:
        for h in handles:
            h.remove()
    return shapes


def _capture_shapes_leaky(model, x):
    shapes = {}
    for name, child in model.named_children():
        child.register_forward_hook(lambda m, i, o, name=name: shapes.__setitem__(name, tuple(o.shape)))
    model(x)
    return shapes


@exercise(reference=lambda: _capture_shapes, wrong=lambda: _capture_shapes_leaky)
def ex1_capture_shapes(answer):
    expect(callable(answer), _FUNCTION_HINT)
    model = nn.Sequential(
        OrderedDict(
            conv=nn.Conv2d(3, 4, 3),
            relu=nn.ReLU(),
            pool=nn.AdaptiveAvgPool2d(2),
            flat=nn.Flatten(),
            fc=nn.Linear(16, 5),
        )
    )
    with torch.no_grad():
        got = guarded("你的函数 / your function", answer, model, torch.randn(2, 3, 8, 8))
    want = {"conv": (2, 4, 6, 6), "relu": (2, 4, 6, 6), "pool": (2, 4, 2, 2), "flat": (2, 16), "fc": (2, 5)}
    expect(isinstance(got, dict), "应返回字典 / return a dict")
    expect(set(got) == set(want), f"键应为 {sorted(want)}，得到 {sorted(got)} / keys: the child names")
    wrong = {k: tuple(got[k]) for k in want if tuple(got[k]) != want[k]}
    expect(not wrong, f"这些形状不对 / wrong shapes: {wrong}")
    left = _hooks_left(model)
    expect(not left, f"钩子没有移除 / hooks were left on: {left}")


def _grad_cam_map(model, layer, x, class_idx, relu=True):
    store = {}

    def hook(module, inputs, output):
        store["act"] = output
        output.register_hook(lambda g: store.__setitem__("grad", g))

    handle = layer.register_forward_hook(hook)
    try:
        model.zero_grad()
        model(x)[0, class_idx].backward()
    finally:
        handle.remove()
    weights = store["grad"].mean(dim=(2, 3), keepdim=True)
    cam = (weights * store["act"].detach()).sum(dim=1)[0]
    cam = F.relu(cam) if relu else cam
    return cam / (cam.max() + 1e-8)


def _grad_cam_no_relu(model, layer, x, class_idx):
    return _grad_cam_map(model, layer, x, class_idx, relu=False)


@exercise(reference=lambda: _grad_cam_map, wrong=lambda: _grad_cam_no_relu)
def ex2_grad_cam(answer):
    expect(callable(answer), _FUNCTION_HINT)
    torch.manual_seed(3)
    model = nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1),
        nn.ReLU(),
        nn.Conv2d(8, 8, 3, padding=1),
        nn.ReLU(),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(8, 4),
    ).eval()
    x = torch.randn(1, 3, 6, 6)
    layer = model[2]  # a convolution: its activations can be negative
    want = _grad_cam_map(model, layer, x, 1)
    got = guarded("你的函数 / your function", answer, model, layer, x, 1)
    left = _hooks_left(model)
    expect(not left, f"钩子没有移除 / hooks were left on: {left}")
    expect(torch.is_tensor(got), "应返回张量 / return a tensor")
    got = got.detach()
    expect(tuple(got.shape) == (6, 6), f"形状应为 (h, w) = (6, 6)，得到 {tuple(got.shape)} / shape: (h, w)")
    expect(
        got.min().item() >= -1e-6,
        "热力图里有负值：加权求和之后要取 ReLU / negative values: apply ReLU after the weighted sum",
    )
    expect(abs(got.max().item() - 1) < 1e-3, "最大值应归一化为 1 / normalise so that the maximum is 1")
    expect(
        torch.allclose(got, want, atol=1e-4),
        "数值与参考实现不一致：权重是梯度在 (h, w) 上的平均吗？"
        " / values differ: are the weights the spatial mean of the gradients?",
    )
