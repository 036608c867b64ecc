"""Self-checks for part2-intermediate/02-modifying-models."""

from __future__ import annotations

import torch
from torch import nn

from coursekit.exercises import exercise, expect

_MODULE_HINT = "答案应是 nn.Module 的实例 / the answer should be an nn.Module instance"


def _resnet18():
    from torchvision.models import resnet18

    return resnet18(weights=None)


def _frozen_classifier():
    model = _resnet18()
    model.requires_grad_(False)
    model.fc = nn.Linear(model.fc.in_features, 10)
    return model


def _head_only_replaced():
    model = _resnet18()
    model.fc = nn.Linear(model.fc.in_features, 10)
    return model


@exercise(reference=_frozen_classifier, wrong=_head_only_replaced)
def ex1_frozen_classifier(answer):
    expect(isinstance(answer, nn.Module), _MODULE_HINT)
    answer.eval()
    with torch.no_grad():
        out = answer(torch.randn(2, 3, 64, 64))
    expect(out.shape == (2, 10), f"输出应为 (2, 10)，得到 {tuple(out.shape)} / the output should be (2, 10)")
    trainable = {n for n, p in answer.named_parameters() if p.requires_grad}
    expect(
        trainable,
        "没有可训练参数：换头之后又全部冻结了？ / nothing is trainable: frozen after the new head?",
    )
    extra = sorted(trainable - {"fc.weight", "fc.bias"})
    expect(
        not extra,
        f"只有 fc 应可训练，但这些也可训练 / only fc should be trainable, these are too: {extra[:4]}",
    )
    expect(
        trainable == {"fc.weight", "fc.bias"},
        "fc.weight 和 fc.bias 都应可训练 / both fc.weight and fc.bias should be trainable",
    )


class _TwoInputNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.backbone = _resnet18()
        self.backbone.fc = nn.Identity()
        self.meta = nn.Sequential(nn.Linear(4, 16), nn.ReLU())
        self.heads = nn.ModuleDict({"logits": nn.Linear(512 + 16, 3), "score": nn.Linear(512 + 16, 1)})

    def forward(self, image, meta):
        f = torch.cat([self.backbone(image), self.meta(meta)], dim=1)
        return {k: head(f) for k, head in self.heads.items()}


class _IgnoresMeta(_TwoInputNet):
    def __init__(self):
        super().__init__()
        self.heads = nn.ModuleDict({"logits": nn.Linear(512, 3), "score": nn.Linear(512, 1)})

    def forward(self, image, meta):
        f = self.backbone(image)
        return {k: head(f) for k, head in self.heads.items()}


@exercise(reference=_TwoInputNet, wrong=_IgnoresMeta)
def ex2_two_inputs(answer):
    expect(isinstance(answer, nn.Module), _MODULE_HINT)
    answer.eval()
    image = torch.randn(2, 3, 64, 64)
    meta = torch.randn(2, 4)
    with torch.no_grad():
        out = answer(image, meta)
        expect(isinstance(out, dict), "forward 应返回字典 / forward should return a dict")
        expect(
            set(out) == {"logits", "score"},
            f"字典的键应为 logits 和 score，得到 {sorted(out)} / keys should be logits and score",
        )
        expect(out["logits"].shape == (2, 3), "logits 形状应为 (B, 3) / logits should have shape (B, 3)")
        expect(out["score"].shape == (2, 1), "score 形状应为 (B, 1) / score should have shape (B, 1)")
        other = answer(image, meta * 3 + 1)
    same = torch.allclose(out["logits"], other["logits"]) or torch.allclose(out["score"], other["score"])
    expect(
        not same,
        "改变 meta 后输出不变：元数据接进两个头了吗？ / meta changes nothing: is it fed to both heads?",
    )


def _params_in_use(model, optimizer):
    ids = {id(p) for group in optimizer.param_groups for p in group["params"]}
    return {n for n, p in model.named_parameters() if p.requires_grad and id(p) in ids}


def _requires_grad_only(model, optimizer):
    return {n for n, p in model.named_parameters() if p.requires_grad}


@exercise(reference=lambda: _params_in_use, wrong=lambda: _requires_grad_only)
def ex3_params_in_use(answer):
    expect(callable(answer), "答案应是一个函数 / the answer should be a function")
    model = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 4), nn.Linear(4, 2))
    model[0].requires_grad_(False)  # frozen, but handed to the optimiser
    opt = torch.optim.SGD([*model[0].parameters(), *model[1].parameters()], lr=0.1)  # model[2] left out
    got = answer(model, opt)
    expect(isinstance(got, set), "应返回集合 set / return a set")
    expect(
        "2.weight" not in got,
        "2.weight 可训练但不在优化器里，不会被更新 / 2.weight is trainable but not in the optimiser",
    )
    expect("0.weight" not in got, "0.weight 已冻结，不会被更新 / 0.weight is frozen: it is not updated")
    expect(got == {"1.weight", "1.bias"}, f"应得到 1.weight 与 1.bias，得到 {sorted(got)} / expected 1.*")
