"""Self-checks for part2-intermediate/06-performance."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from coursekit.exercises import exercise, expect, guarded

_FUNCTION_HINT = "答案应是一个函数 / the answer should be a function"


class _Probe(nn.Module):
    """Passes its input through and remembers whether autocast was on."""

    def __init__(self):
        super().__init__()
        self.autocast_seen = None

    def forward(self, x):
        self.autocast_seen = torch.is_autocast_enabled(x.device.type)
        return x


def _forward_amp(model, x, dtype):
    with torch.autocast(device_type=x.device.type, dtype=dtype):
        return model(x)


def _cast_model(model, x, dtype):
    return model.to(dtype)(x.to(dtype))


@exercise(reference=lambda: _forward_amp, wrong=lambda: _cast_model)
def ex1_forward_amp(answer):
    expect(callable(answer), _FUNCTION_HINT)
    torch.manual_seed(0)
    probe = _Probe()
    model = nn.Sequential(probe, nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 4))
    x = torch.randn(8, 16)
    with torch.no_grad():
        ref = model(x)
        out = guarded("你的函数 / your function", answer, model, x, torch.bfloat16)
    cast = sorted({str(p.dtype) for p in model.parameters() if p.dtype != torch.float32})
    expect(
        not cast,
        f"模型参数被转换成了 {cast}：混合精度下参数应保持 float32"
        " / the parameters were converted: with mixed precision they stay float32",
    )
    expect(torch.is_tensor(out), "应返回模型的输出张量 / return the model's output tensor")
    expect(
        bool(probe.autocast_seen),
        "模型运行时 autocast 没有开启：用 torch.autocast(device_type=x.device.type, dtype=dtype)"
        " / autocast was off while the model ran",
    )
    expect(out.dtype == torch.bfloat16, f"输出应为 bfloat16，得到 {out.dtype} / the output should be bf16")
    rel = ((out.float() - ref).norm() / ref.norm()).item()
    expect(rel < 0.05, f"结果与 float32 相差太大（{rel:.3f}） / too far from the float32 result")


def _accumulate(model, loss_fn, x, y, micro_batch):
    model.zero_grad()
    for xs, ys in zip(x.split(micro_batch), y.split(micro_batch), strict=True):
        (loss_fn(model(xs), ys) * len(xs) / len(x)).backward()


def _accumulate_unscaled(model, loss_fn, x, y, micro_batch):
    model.zero_grad()
    for xs, ys in zip(x.split(micro_batch), y.split(micro_batch), strict=True):
        loss_fn(model(xs), ys).backward()


class _SizeRecorder(nn.Module):
    def __init__(self, inner):
        super().__init__()
        self.inner = inner
        self.sizes = []

    def forward(self, x):
        self.sizes.append(len(x))
        return self.inner(x)


@exercise(reference=lambda: _accumulate, wrong=lambda: _accumulate_unscaled)
def ex2_accumulate_grads(answer):
    expect(callable(answer), _FUNCTION_HINT)
    torch.manual_seed(0)
    model = _SizeRecorder(nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 3)))
    x, y = torch.randn(12, 5), torch.randint(0, 3, (12,))
    model.inner.zero_grad()
    F.cross_entropy(model.inner(x), y).backward()
    want = [p.grad.clone() for p in model.inner.parameters()]
    weights = [p.detach().clone() for p in model.inner.parameters()]
    model.inner(torch.randn(3, 5)).sum().backward()  # leave stale gradients behind
    model.sizes.clear()
    guarded("你的函数 / your function", answer, model, F.cross_entropy, x, y, 4)
    expect(model.sizes, "模型没有被调用 / the model was never called")
    expect(
        max(model.sizes) <= 4,
        f"每次前向最多 micro_batch=4 个样本，实际 {max(model.sizes)} 个"
        " / at most micro_batch samples per forward pass",
    )
    expect(
        all(torch.equal(p, w) for p, w in zip(model.inner.parameters(), weights, strict=True)),
        "参数被改变了：这里只累积梯度，不要调用优化器"
        " / parameters changed: only accumulate, no optimiser step",
    )
    got = [p.grad for p in model.inner.parameters()]
    expect(all(g is not None for g in got), "有参数没有梯度 / some parameters have no gradient")
    ratio = (got[0].norm() / want[0].norm()).item()
    expect(
        all(torch.allclose(g, w, atol=1e-6, rtol=1e-4) for g, w in zip(got, want, strict=True)),
        f"梯度与整批梯度不一致（大小约为 {ratio:.2f} 倍）：先清零梯度，每份的损失按份数缩放"
        f" / gradients differ from the full batch (about {ratio:.2f}x): zero first, scale each loss",
    )
