"""Self-checks for part2-intermediate/05-transfer-learning."""

from __future__ import annotations

import torch

from coursekit.exercises import exercise, expect, guarded

_FUNCTION_HINT = "答案应是一个函数 / the answer should be a function"
_STAGES = ("layer1", "layer2", "layer3", "layer4")


def _resnet18(num_classes=5):
    from torchvision.models import resnet18

    return resnet18(num_classes=num_classes)


def _param_groups(model, head_lr, backbone_lr):
    head = list(model.fc.parameters())
    head_ids = {id(p) for p in head}
    rest = [p for p in model.parameters() if id(p) not in head_ids]
    return [{"params": rest, "lr": backbone_lr}, {"params": head, "lr": head_lr}]


def _overlapping_groups(model, head_lr, backbone_lr):
    return [
        {"params": list(model.parameters()), "lr": backbone_lr},
        {"params": list(model.fc.parameters()), "lr": head_lr},
    ]


@exercise(reference=lambda: _param_groups, wrong=lambda: _overlapping_groups)
def ex1_param_groups(answer):
    expect(callable(answer), _FUNCTION_HINT)
    model = _resnet18()
    groups = guarded("你的函数 / your function", answer, model, 1e-2, 1e-4)
    expect(
        isinstance(groups, list | tuple) and len(groups) == 2 and all(isinstance(g, dict) for g in groups),
        "应返回两个字典组成的列表 / return a list of two dicts",
    )
    params = [list(g.get("params", [])) for g in groups]
    seen = [id(p) for ps in params for p in ps]
    expect(
        len(seen) == len(set(seen)),
        "有参数同时出现在两个组里：主干组要排除 fc 的参数 / some parameters are in both groups: leave fc out"
        " of the backbone group",
    )
    all_ids = {id(p) for p in model.parameters()}
    expect(set(seen) == all_ids, "有参数没有分到任何组 / some parameters are in no group")
    fc_ids = {id(p) for p in model.fc.parameters()}
    head = [i for i, ps in enumerate(params) if {id(p) for p in ps} == fc_ids]
    expect(head, "应有一个组恰好包含 fc 的参数 / one group should hold exactly fc's parameters")
    h = head[0]
    expect(groups[h].get("lr") == 1e-2, "fc 组的 lr 应为 head_lr / the fc group's lr should be head_lr")
    expect(groups[1 - h].get("lr") == 1e-4, "主干组 lr 应为 backbone_lr / the other group's lr: backbone_lr")
    try:
        torch.optim.AdamW(guarded("你的函数 / your function", answer, model, 1e-2, 1e-4))
    except Exception as err:
        expect(False, f"优化器无法接受这些参数组 / the optimiser rejects these groups: {str(err)[:150]}")


def _unfreeze_from(model, stage):
    model.requires_grad_(False)
    for name in _STAGES[_STAGES.index(stage) :]:
        getattr(model, name).requires_grad_(True)
    model.fc.requires_grad_(True)


def _unfreeze_only(model, stage):
    model.requires_grad_(False)
    getattr(model, stage).requires_grad_(True)
    model.fc.requires_grad_(True)


def _trainable_parts(model):
    children = model.named_children()
    return {name for name, child in children if any(p.requires_grad for p in child.parameters())}


@exercise(reference=lambda: _unfreeze_from, wrong=lambda: _unfreeze_only)
def ex2_unfreeze_from(answer):
    expect(callable(answer), _FUNCTION_HINT)
    model = _resnet18()
    for stage in ("layer3", "layer4", "layer1"):
        guarded("你的函数 / your function", answer, model, stage)
        want = {*_STAGES[_STAGES.index(stage) :], "fc"}
        got = _trainable_parts(model)
        expect(
            got == want,
            f"unfreeze_from(model, '{stage}') 后可训练的应是 {sorted(want)}，实际是 {sorted(got)}"
            f" / after unfreeze_from(model, '{stage}') the trainable parts should be {sorted(want)}",
        )
        partly = [n for n in want if not all(p.requires_grad for p in getattr(model, n).parameters())]
        expect(not partly, f"这些部分只解冻了一部分 / only partly unfrozen: {partly}")
