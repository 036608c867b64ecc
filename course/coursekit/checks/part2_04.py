"""Self-checks for part2-intermediate/04-losses-schedules."""

from __future__ import annotations

import math
from itertools import pairwise

import torch
from torch import nn

from coursekit.exercises import exercise, expect

_FUNCTION_HINT = "答案应是一个函数 / the answer should be a function"


def _tversky(logits, target, alpha=0.7, beta=0.3, eps=1.0):
    p = torch.sigmoid(logits).flatten(1)
    t = target.flatten(1).float()
    tp = (p * t).sum(1)
    fp = (p * (1 - t)).sum(1)
    fn = ((1 - p) * t).sum(1)
    return (1 - (tp + eps) / (tp + alpha * fp + beta * fn + eps)).mean()


def _tversky_swapped(logits, target, alpha=0.7, beta=0.3, eps=1.0):
    return _tversky(logits, target, alpha=beta, beta=alpha, eps=eps)


@exercise(reference=lambda: _tversky, wrong=lambda: _tversky_swapped)
def ex1_tversky(answer):
    expect(callable(answer), _FUNCTION_HINT)
    gen = torch.Generator().manual_seed(0)
    logits = torch.randn(3, 1, 6, 6, generator=gen)
    target = (torch.rand(3, 1, 6, 6, generator=gen) > 0.6).float()
    for alpha, beta in [(0.5, 0.5), (0.7, 0.3), (0.2, 0.8)]:
        x = logits.clone().requires_grad_(True)
        try:
            got = answer(x, target, alpha=alpha, beta=beta, eps=1.0)
        except Exception as err:
            expect(False, f"调用时出错 / calling it raised {type(err).__name__}: {str(err)[:200]}")
        expect(torch.is_tensor(got) and got.dim() == 0, "应返回标量张量 / return a scalar tensor")
        want = _tversky(logits, target, alpha, beta, 1.0).item()
        expect(
            abs(got.item() - want) < 1e-4,
            f"alpha={alpha}, beta={beta} 时应为 {want:.4f}，得到 {got.item():.4f}：FP 乘 alpha、FN 乘 beta"
            f" / with alpha={alpha}, beta={beta} expected {want:.4f}, got {got.item():.4f}:"
            " alpha weighs FP, beta weighs FN",
        )
        got.backward()
        expect(x.grad is not None and x.grad.abs().sum() > 0, "梯度应能传回 logits / gradients should flow")


def _warmup_cosine(optimizer, warmup_steps, total_steps):
    def factor(step):
        if step < warmup_steps:
            return (step + 1) / warmup_steps
        return 0.5 * (1 + math.cos(math.pi * (step - warmup_steps) / max(1, total_steps - warmup_steps)))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def _cosine_only(optimizer, warmup_steps, total_steps):
    return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=total_steps)


@exercise(reference=lambda: _warmup_cosine, wrong=lambda: _cosine_only)
def ex2_warmup_cosine(answer):
    expect(callable(answer), _FUNCTION_HINT)
    base, warm, total = 0.1, 10, 100
    opt = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=base)
    try:
        sched = answer(opt, warm, total)
    except Exception as err:
        expect(False, f"调用时出错 / calling it raised {type(err).__name__}: {str(err)[:200]}")
    expect(hasattr(sched, "step"), "应返回调度器 / return a scheduler")
    lrs = []
    for _ in range(total):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    expect(lrs[0] <= 0.2 * base, f"第 0 步学习率应接近 0，得到 {lrs[0]:.4f} / step 0 should start near 0")
    rising = all(b >= a - 1e-12 for a, b in pairwise(lrs[:warm]))
    expect(rising and lrs[warm - 1] > lrs[0], "预热期间学习率应逐步上升 / the lr should rise during warm-up")
    peak = max(range(total), key=lambda i: lrs[i])
    expect(
        abs(lrs[peak] - base) <= 0.02 * base and warm - 2 <= peak <= warm + 2,
        f"学习率应在第 {warm} 步左右达到 {base}，实际在第 {peak} 步达到 {lrs[peak]:.4f}"
        f" / the lr should peak at {base} around step {warm}",
    )
    falling = all(b <= a + 1e-12 for a, b in pairwise(lrs[peak:]))
    expect(falling, "预热之后学习率应单调下降 / after warm-up the lr should only decrease")
    mid = (peak + total) // 2
    expect(
        0.3 * base < lrs[mid] < 0.7 * base,
        "中段应约为一半（余弦形状），而不是阶梯或直线骤降 / midway it should be about half (cosine shape)",
    )
    expect(lrs[-1] <= 0.02 * base, f"最后应接近 0，得到 {lrs[-1]:.4f} / it should end near 0")
