"""Self-checks for part1-fundamentals/08-project-fashion-mnist.ipynb."""

from __future__ import annotations

import torch

from coursekit.exercises import ExerciseFailed, exercise, expect, guarded


def _confusion(preds, targets, num_classes):
    idx = targets * num_classes + preds
    return torch.bincount(idx, minlength=num_classes**2).reshape(num_classes, num_classes)


def _confusion_transposed(preds, targets, num_classes):
    return _confusion(targets, preds, num_classes)


@exercise(reference=lambda: _confusion, wrong=lambda: _confusion_transposed)
def ex1_confusion_matrix(answer):
    expect(callable(answer), "答案应是一个函数 / the answer should be a function")
    targets = torch.tensor([0, 0, 0, 1, 1, 2, 2, 2, 2])
    preds = torch.tensor([0, 1, 1, 1, 1, 2, 0, 2, 2])
    cm = guarded("你的函数 / your function", answer, preds, targets, 4)
    expect(torch.is_tensor(cm), "应返回张量 / should return a tensor")
    expect(tuple(cm.shape) == (4, 4), f"形状应为 (4, 4)，得到 {tuple(cm.shape)} / shape should be (4, 4)")
    expected = torch.tensor([[1, 2, 0, 0], [0, 2, 0, 0], [1, 0, 3, 0], [0, 0, 0, 0]])
    if torch.equal(cm.long(), expected.T):
        raise ExerciseFailed(
            "行和列反了：行是真实类别，列是预测类别 / rows and columns swapped: rows = true class"
        )
    expect(
        torch.equal(cm.long(), expected),
        f"cm[t, p] 应是真实为 t、预测为 p 的样本数；应为 {expected.tolist()} / "
        "cm[t, p] should count samples of true class t predicted as p",
    )


def _recall(cm):
    cm = cm.float()
    return cm.diag() / cm.sum(dim=1).clamp(min=1)


@exercise(reference=lambda: _recall, wrong=lambda: lambda cm: cm.float().diag() / cm.float().sum(dim=0))
def ex2_per_class_accuracy(answer):
    expect(callable(answer), "答案应是一个函数 / the answer should be a function")
    cm = torch.tensor([[8, 2, 0], [1, 3, 0], [4, 0, 6]])
    acc = guarded("你的函数 / your function", answer, cm)
    expect(
        torch.is_tensor(acc) and tuple(acc.shape) == (3,),
        "应返回形状为 (3,) 的张量 / should return shape (3,)",
    )
    expected = torch.tensor([0.8, 0.75, 0.6])
    expect(
        torch.allclose(acc.float(), expected),
        "应为 [0.8, 0.75, 0.6]：对角线除以每一行（真实类别）的总数 / expected [0.8, 0.75, 0.6]: "
        "divide the diagonal by each row's total (the true class count)",
    )
    empty = torch.tensor([[5, 0], [0, 0]])
    acc = guarded("你的函数（某类没有样本） / your function (a class without samples)", answer, empty)
    expect(
        bool(torch.isfinite(acc).all()),
        "某个类别没有样本时不应得到 nan：把分母至少设为 1 / no nan for a class without samples: "
        "clamp the denominator to at least 1",
    )


def _most_confused(cm):
    off = cm.clone()
    off.fill_diagonal_(0)
    flat = int(off.argmax())
    return divmod(flat, cm.shape[1])


@exercise(reference=lambda: _most_confused, wrong=lambda: lambda cm: divmod(int(cm.argmax()), cm.shape[1]))
def ex3_most_confused(answer):
    expect(callable(answer), "答案应是一个函数 / the answer should be a function")
    cm = torch.tensor([[50, 3, 1], [9, 40, 2], [0, 4, 45]])
    before = cm.clone()
    got = guarded("你的函数 / your function", answer, cm)
    expect(
        torch.equal(cm, before), "不要修改传入的矩阵：先 clone() / do not modify the input: clone() it first"
    )
    expect(
        isinstance(got, (tuple, list)) and len(got) == 2,
        "应返回 (真实类别, 预测类别) / return (true class, predicted class)",
    )
    got = tuple(int(v) for v in got)
    expect(
        got[0] != got[1],
        "对角线是答对的样本，要排除它 / the diagonal counts correct predictions: leave it out",
    )
    expect(
        got == (1, 0), f"应为 (1, 0)，得到 {got} / expected (1, 0): true class 1 predicted as 0 nine times"
    )
