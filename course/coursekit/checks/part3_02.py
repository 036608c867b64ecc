"""Self-checks for part3-practice/02-segmentation-unet."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from coursekit.exercises import exercise, expect

IGNORE = 255

# ---------------------------------------------------------------- exercise 1: Dice score


def _dice_ref(pred, target, ignore_index=IGNORE):
    valid = target != ignore_index
    p = (pred == 1) & valid
    t = (target == 1) & valid
    denom = p.sum() + t.sum()
    if denom == 0:
        return 1.0
    return (2 * (p & t).sum() / denom).item()


def _dice_no_ignore(pred, target, ignore_index=IGNORE):
    # typical mistake: predictions on ignored pixels still count
    p = pred == 1
    t = target == 1
    denom = p.sum() + t.sum()
    return 1.0 if denom == 0 else (2 * (p & t).sum() / denom).item()


def _as_number(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        expect(False, "应返回一个数 / should return a number")


@exercise(reference=lambda: _dice_ref, wrong=lambda: _dice_no_ignore)
def ex1_dice_score(answer):
    expect(callable(answer), "答案应是一个函数 / the answer should be a function")
    target = torch.tensor([[0, 0, 1, 1], [0, 1, 1, 1], [IGNORE, IGNORE, 1, 0], [0, 0, 0, 0]])
    pred = torch.tensor([[0, 1, 1, 1], [0, 1, 1, 0], [1, 0, 1, 0], [0, 0, 0, 0]])
    # valid pixels: |P| = 6, |T| = 6, |P & T| = 5
    got = _as_number(answer(pred.clone(), target.clone()))
    iou = 5 / 7
    expect(abs(got - iou) > 1e-6, "这是 IoU，不是 Dice：Dice = 2|P∩T| / (|P|+|T|) / that is IoU, not Dice")
    wrong_ignore = 2 * 5 / (7 + 6)
    expect(
        abs(got - wrong_ignore) > 1e-6,
        "忽略像素（255）上的预测不应计入 / predictions on ignored (255) pixels must not count",
    )
    expect(abs(got - 10 / 12) < 1e-5, f"应为 10/12 ≈ 0.833，得到 {got:.3f} / expected 10/12 ≈ 0.833")
    empty = torch.zeros(3, 3, dtype=torch.long)
    got = _as_number(answer(empty, empty.clone()))
    expect(abs(got - 1.0) < 1e-6, "预测和目标都为空时应返回 1.0 / both empty should give 1.0")


# ---------------------------------------------------------------- exercise 2: resizing a mask


def _resize_ref(mask, size):
    return F.interpolate(mask[None, None].float(), size=tuple(size), mode="nearest")[0, 0].long()


def _resize_bilinear(mask, size):
    # typical mistake: bilinear interpolation invents values between classes
    out = F.interpolate(mask[None, None].float(), size=tuple(size), mode="bilinear", align_corners=False)
    return out[0, 0].round().long()


@exercise(reference=lambda: _resize_ref, wrong=lambda: _resize_bilinear)
def ex2_resize_mask(answer):
    expect(callable(answer), "答案应是一个函数 / the answer should be a function")
    mask = torch.zeros(8, 8, dtype=torch.long)
    mask[2:6, 1:5] = 1
    mask[5:8, 4:8] = IGNORE
    for size in ((16, 16), (5, 7), (12, 4)):
        out = answer(mask.clone(), size)
        expect(torch.is_tensor(out), "应返回张量 / should return a tensor")
        expect(tuple(out.shape) == size, f"形状应为 {size}，得到 {tuple(out.shape)} / shape should be {size}")
        expect(not out.is_floating_point(), "结果应是整数（类别编号） / the result should hold integer ids")
        new = set(out.unique().tolist()) - {0, 1, IGNORE}
        expect(
            not new,
            f"出现了原掩码里没有的值 {sorted(new)}：请用最近邻插值 / values {sorted(new)} were "
            "invented: use nearest-neighbour interpolation",
        )
        # either flavour of nearest-neighbour sampling is fine
        refs = [
            F.interpolate(mask[None, None].float(), size=size, mode=m)[0, 0].long()
            for m in ("nearest", "nearest-exact")
        ]
        agree = max((out.cpu().long() == ref).float().mean().item() for ref in refs)
        expect(agree > 0.8, "结果和最近邻缩放相差太多 / too different from a nearest-neighbour resize")


# ---------------------------------------------------------------- exercise 3: soft Dice loss


def _soft_dice_ref(logits, target, ignore_index=IGNORE):
    valid = (target != ignore_index).float()
    p = logits.softmax(dim=1)[:, 1] * valid
    t = (target == 1).float() * valid
    return 1 - (2 * (p * t).sum() + 1) / (p.sum() + t.sum() + 1)


def _soft_dice_no_ignore(logits, target, ignore_index=IGNORE):
    # typical mistake: probabilities on ignored pixels still count
    p = logits.softmax(dim=1)[:, 1]
    t = (target == 1).float()
    return 1 - (2 * (p * t).sum() + 1) / (p.sum() + t.sum() + 1)


@exercise(reference=lambda: _soft_dice_ref, wrong=lambda: _soft_dice_no_ignore)
def ex3_soft_dice_loss(answer):
    expect(callable(answer), "答案应是一个函数 / the answer should be a function")
    g = torch.Generator().manual_seed(3)
    logits = torch.randn(2, 2, 6, 6, generator=g, requires_grad=True)
    target = torch.randint(0, 2, (2, 6, 6), generator=g)
    target[:, :2, :] = IGNORE
    loss = answer(logits, target.clone())
    expect(torch.is_tensor(loss) and loss.numel() == 1, "应返回一个标量张量 / should return a scalar tensor")
    expect(
        loss.requires_grad,
        "损失没有梯度：用 softmax 概率，不要 argmax / no gradient: use softmax probabilities, not argmax",
    )
    loss.reshape(()).backward()
    expect(
        logits.grad is not None and logits.grad.abs().sum() > 0,
        "梯度没有传回 logits / no gradient reached the logits",
    )
    expect(
        logits.grad[:, :, :2, :].abs().max() < 1e-7,
        "忽略像素不应影响损失 / ignored pixels must not affect the loss",
    )
    expected = _soft_dice_ref(logits.detach(), target).item()
    got = loss.item()
    expect(
        abs(got - expected) < 1e-4,
        f"损失应为 {expected:.4f}，得到 {got:.4f} / the loss should be {expected:.4f}, got {got:.4f}",
    )
