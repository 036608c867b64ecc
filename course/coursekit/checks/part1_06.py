"""Self-checks for part1-fundamentals/06-losses-optimizers.ipynb."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from coursekit.exercises import exercise, expect, guarded


def _ce(logits, targets):
    return -logits.log_softmax(dim=1).gather(1, targets.unsqueeze(1)).mean()


def _ce_naive(logits, targets):
    probs = logits.exp() / logits.exp().sum(dim=1, keepdim=True)
    return -probs[torch.arange(len(targets)), targets].log().mean()


@exercise(reference=lambda: _ce, wrong=lambda: _ce_naive)
def ex1_cross_entropy(answer):
    expect(callable(answer), "答案应是一个函数 / the answer should be a function")
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(8, 5, generator=g)
    targets = torch.randint(0, 5, (8,), generator=g)
    got = guarded("你的函数 / your function", answer, logits, targets)
    expect(torch.is_tensor(got) and got.dim() == 0, "应返回一个标量张量 / should return a scalar tensor")
    expected = F.cross_entropy(logits, targets)
    expect(
        torch.allclose(got, expected, atol=1e-5),
        f"应为 {expected.item():.4f}，得到 {got.item():.4f}：对正确类别的 log-softmax 取负再求平均 / "
        "expected the mean of -log_softmax at the target class",
    )
    big = logits * 100
    got = guarded("你的函数（大 logits） / your function (large logits)", answer, big, targets)
    expected = F.cross_entropy(big, targets)
    expect(
        torch.isfinite(got) and torch.allclose(got, expected, rtol=1e-4),
        f"logits 很大时得到 {got.item()}（应为 {expected.item():.1f}）：exp 溢出了，用 log_softmax / "
        "with large logits exp() overflows: use log_softmax",
    )


def _momentum_step(w, g, v, lr, momentum):
    v = momentum * v + g
    return w - lr * v, v


@exercise(
    reference=lambda: _momentum_step,
    wrong=lambda: lambda w, g, v, lr, momentum: (w - lr * g, momentum * v + g),
)
def ex2_momentum_step(answer):
    expect(callable(answer), "答案应是一个函数 / the answer should be a function")
    target = torch.tensor([1.0, -2.0, 0.5])

    def grad(w):
        return 2 * (w - target) * torch.tensor([1.0, 10.0, 0.1])

    w_ref = torch.zeros(3, requires_grad=True)
    opt = torch.optim.SGD([w_ref], lr=0.05, momentum=0.9)
    w, v = torch.zeros(3), torch.zeros(3)
    for step in range(4):
        g = grad(w_ref.detach())
        w_ref.grad = g.clone()
        opt.step()
        out = guarded("你的函数 / your function", answer, w, grad(w), v, 0.05, 0.9)
        expect(
            isinstance(out, (tuple, list)) and len(out) == 2, "应返回 (新 w, 新 v) / return (new w, new v)"
        )
        w, v = out
        expect(
            torch.is_tensor(w) and torch.allclose(w, w_ref.detach(), atol=1e-6),
            f"第 {step + 1} 步后 w 与 torch.optim.SGD 不一致：先更新速度 v = momentum*v + g，"
            "再 w = w - lr*v / "
            f"w differs from torch.optim.SGD after step {step + 1}: v = momentum*v + g, then w = w - lr*v",
        )
