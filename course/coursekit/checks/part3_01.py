"""Self-checks for part3-practice/01-image-classification."""

from __future__ import annotations

import torch

from coursekit.exercises import exercise, expect

# ---------------------------------------------------------------- exercise 1: confusion matrix


def _confusion_ref(targets, preds, num_classes):
    flat = targets.long() * num_classes + preds.long()
    return torch.bincount(flat, minlength=num_classes**2).reshape(num_classes, num_classes)


def _confusion_swapped(targets, preds, num_classes):
    # typical mistake: rows are the predictions, columns the true classes
    return _confusion_ref(preds, targets, num_classes)


def _confusion_loops(targets, preds, num_classes):
    cm = torch.zeros(num_classes, num_classes, dtype=torch.long)
    for t, p in zip(targets.tolist(), preds.tolist(), strict=True):
        cm[t, p] += 1
    return cm


@exercise(reference=lambda: _confusion_ref, wrong=lambda: _confusion_swapped)
def ex1_confusion_matrix(answer):
    expect(callable(answer), "答案应是一个函数 / the answer should be a function")
    cases = [
        (torch.tensor([0, 0, 1, 2, 2, 2, 1, 0]), torch.tensor([0, 1, 1, 2, 0, 2, 1, 0]), 3),
        # class 3 never appears: the matrix must still be 4x4
        (torch.tensor([2, 0, 1, 1, 0]), torch.tensor([0, 0, 2, 1, 1]), 4),
    ]
    for targets, preds, c in cases:
        cm = answer(targets.clone(), preds.clone(), c)
        expect(torch.is_tensor(cm), "应返回张量 / should return a tensor")
        expect(
            tuple(cm.shape) == (c, c),
            f"形状应为 ({c}, {c})，得到 {tuple(cm.shape)}；别忘了 minlength / shape should be ({c}, {c})",
        )
        expect(int(cm.sum()) == len(targets), "总数应等于样本数 / counts should add up to the samples")
        expect(
            torch.equal(cm.long().cpu(), _confusion_loops(targets, preds, c)),
            "计数不对：行是真实类别，列是预测类别 / wrong counts: rows = true class, columns = predicted",
        )


# ---------------------------------------------------------------- exercise 2: precision and recall


def _precision_recall_ref(cm):
    cm = cm.float()
    tp = cm.diag()
    return tp / cm.sum(dim=0), tp / cm.sum(dim=1)


def _precision_recall_swapped(cm):
    precision, recall = _precision_recall_ref(cm)
    return recall, precision


@exercise(reference=lambda: _precision_recall_ref, wrong=lambda: _precision_recall_swapped)
def ex2_precision_recall(answer):
    expect(callable(answer), "答案应是一个函数 precision_recall(cm) / the answer should be a function")
    cm = torch.tensor([[8, 2, 0], [1, 5, 4], [1, 0, 9]])
    out = answer(cm.clone())
    expect(
        isinstance(out, tuple | list) and len(out) == 2,
        "应返回 (precision, recall) 两个张量 / should return (precision, recall)",
    )
    precision, recall = (torch.as_tensor(t, dtype=torch.float32).cpu() for t in out)
    expect(precision.shape == (3,) and recall.shape == (3,), "长度应为类别数 3 / each should have length 3")
    exp_recall = torch.tensor([8 / 10, 5 / 10, 9 / 10])
    exp_precision = torch.tensor([8 / 10, 5 / 7, 9 / 13])
    if torch.allclose(precision, exp_recall) and torch.allclose(recall, exp_precision):
        expect(
            False,
            "两者弄反了：召回率除以行和（真实），精确率除以列和（预测） / "
            "swapped: recall divides by row sums (true), precision by column sums (predicted)",
        )
    expect(
        torch.allclose(recall, exp_recall, atol=1e-4),
        "召回率不对：对角线 ÷ 每行之和 / recall is off: diagonal / row sums",
    )
    expect(
        torch.allclose(precision, exp_precision, atol=1e-4),
        "精确率不对：对角线 ÷ 每列之和 / precision is off: diagonal / column sums",
    )


# ---------------------------------------------------------------- exercise 3: top-k accuracy


def _topk_ref(logits, targets, k):
    top = logits.topk(k, dim=1).indices
    return (top == targets.unsqueeze(1)).any(dim=1).float().mean().item()


def _topk_argmax_only(logits, targets, k):
    # typical mistake: ignores k and measures top-1 accuracy
    return (logits.argmax(dim=1) == targets).float().mean().item()


@exercise(reference=lambda: _topk_ref, wrong=lambda: _topk_argmax_only)
def ex3_topk_accuracy(answer):
    expect(callable(answer), "答案应是一个函数 / the answer should be a function")
    logits = torch.tensor(
        [
            [0.1, 2.0, 1.0, -1.0],  # ranks: 1, 2, 0, 3
            [3.0, 0.0, 2.5, 1.0],  # ranks: 0, 2, 3, 1
            [0.0, 0.2, 0.1, 0.3],  # ranks: 3, 1, 2, 0
            [1.0, 1.5, -2.0, 0.5],  # ranks: 1, 0, 3, 2
        ]
    )
    targets = torch.tensor([2, 3, 3, 2])
    for k, expected in ((1, 0.25), (2, 0.5), (3, 0.75), (4, 1.0)):
        got = answer(logits.clone(), targets.clone(), k)
        try:
            got = float(got)
        except (TypeError, ValueError):
            expect(False, "应返回一个数 / should return a number")
        expect(
            abs(got - expected) < 1e-6,
            f"k={k} 时应为 {expected}，得到 {got:.3f}；真实类别在前 k 名里就算对 / "
            f"k={k} should give {expected}: right when the true class is among the top k",
        )
