"""Self-checks for part1-fundamentals/02-tensors.ipynb."""

from __future__ import annotations

import torch

from coursekit.exercises import ExerciseFailed, exercise, expect


def _call(fn, *args):
    expect(callable(fn), "答案应是一个函数 / the answer should be a function")
    try:
        return fn(*args)
    except ExerciseFailed:
        raise
    except Exception as err:
        raise ExerciseFailed(
            f"调用你的函数时出错 / your function raised: {type(err).__name__}: {err}"
        ) from err


@exercise(
    reference=lambda: torch.arange(3.0).view(3, 1) * 10 + torch.arange(4.0),
    wrong=lambda: torch.arange(12.0).reshape(3, 4),
)
def ex1_broadcast_grid(answer):
    expect(torch.is_tensor(answer), "答案应是张量 / the answer should be a tensor")
    expect(answer.shape == (3, 4), f"形状应为 (3, 4)，得到 {tuple(answer.shape)} / shape should be (3, 4)")
    expect(
        answer.dtype == torch.float32,
        f"dtype 应为 torch.float32，得到 {answer.dtype} / dtype should be float32 (use 3.0 or dtype=...)",
    )
    expected = torch.tensor([[r * 10.0 + c for c in range(4)] for r in range(3)])
    expect(
        torch.equal(answer.cpu(), expected),
        "第 r 行第 c 列应为 10*r + c：一列 (3, 1) 加一行 (4,) / "
        "entry [r, c] should be 10*r + c: add a (3, 1) column to a (4,) row",
    )


@exercise(reference=lambda: lambda x: x[:2].clone(), wrong=lambda: lambda x: x[:2])
def ex2_independent_rows(answer):
    x = torch.arange(12.0).reshape(4, 3)
    before = x.clone()
    rows = _call(answer, x)
    expect(torch.is_tensor(rows), "函数应返回张量 / the function should return a tensor")
    expect(
        rows.shape == (2, 3) and torch.equal(rows, before[:2]),
        "应返回 x 的前两行 / it should return the first two rows of x",
    )
    rows.fill_(-1.0)
    expect(
        torch.equal(x, before),
        "修改结果后原张量也变了：切片是视图，需要复制 / changing the result changed x: "
        "a slice is a view, make a copy",
    )


def _standardize(x):
    return (x - x.mean(dim=0)) / x.std(dim=0)


@exercise(reference=lambda: _standardize, wrong=lambda: lambda x: (x - x.mean(dim=1, keepdim=True)) / x.std())
def ex3_standardize_columns(answer):
    g = torch.Generator().manual_seed(0)
    x = torch.randn(50, 4, generator=g) * torch.tensor([1.0, 10.0, 0.1, 3.0]) + torch.tensor(
        [5.0, -2.0, 0, 1]
    )
    before = x.clone()
    z = _call(answer, x)
    expect(torch.is_tensor(z), "函数应返回张量 / the function should return a tensor")
    expect(
        z.shape == x.shape, f"形状应保持 {tuple(x.shape)}，得到 {tuple(z.shape)} / shape should stay (50, 4)"
    )
    expect(torch.equal(x, before), "不要原地修改输入 / do not modify the input in place")
    expect(
        torch.allclose(z.mean(dim=0), torch.zeros(4), atol=1e-4),
        "每一列的均值应为 0：沿 dim=0 求均值 / each column should have mean 0: reduce over dim=0",
    )
    expect(
        torch.allclose(z.std(dim=0), torch.ones(4), atol=1e-4),
        "每一列的标准差应为 1：除以 x.std(dim=0) / each column should have std 1: divide by x.std(dim=0)",
    )
