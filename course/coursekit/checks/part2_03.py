"""Self-checks for part2-intermediate/03-saving-loading."""

from __future__ import annotations

import io

import torch
from torch import nn

from coursekit.exercises import exercise, expect, guarded

_FUNCTION_HINT = "答案应是一个函数 / the answer should be a function"


def _make_checkpoint(model, optimizer, epoch):
    return {"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": epoch}


def _model_only_checkpoint(model, optimizer, epoch):
    return {"model": model.state_dict(), "epoch": epoch}


@exercise(reference=lambda: _make_checkpoint, wrong=lambda: _model_only_checkpoint)
def ex1_make_checkpoint(answer):
    expect(callable(answer), _FUNCTION_HINT)
    torch.manual_seed(0)
    model = nn.Linear(3, 2)
    opt = torch.optim.Adam(model.parameters(), lr=0.1)
    for _ in range(2):
        loss = model(torch.randn(5, 3)).pow(2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    ckpt = guarded("你的函数 / your function", answer, model, opt, 7)
    expect(isinstance(ckpt, dict), "应返回字典 / return a dict")
    buffer = io.BytesIO()
    torch.save(ckpt, buffer)
    buffer.seek(0)
    try:
        loaded = torch.load(buffer, weights_only=True)
    except Exception:
        loaded = None
    expect(
        loaded is not None,
        "weights_only=True 无法加载：请存各对象的 state_dict()，而不是对象本身"
        " / weights_only=True cannot load it: store state_dict()s, not the objects",
    )
    for key in ("model", "optimizer", "epoch"):
        expect(key in loaded, f"检查点缺少键 '{key}' / the checkpoint lacks the key '{key}'")
    expect(loaded["epoch"] == 7, "epoch 应为传入的值 / epoch should be the value passed in")
    new_model = nn.Linear(3, 2)
    new_opt = torch.optim.Adam(new_model.parameters(), lr=0.1)
    try:
        new_model.load_state_dict(loaded["model"])
        new_opt.load_state_dict(loaded["optimizer"])
    except Exception as err:
        expect(False, f"无法恢复 / could not restore: {str(err)[:200]}")
    expect(torch.equal(new_model.weight, model.weight), "模型参数没有恢复 / model weights were not restored")
    old_state = opt.state[model.weight]
    new_state = new_opt.state.get(new_model.weight, {})
    expect(
        "exp_avg" in new_state and torch.equal(new_state["exp_avg"], old_state["exp_avg"]),
        "优化器的动量没有恢复 / the optimiser's moments were not restored",
    )


class _Outer(nn.Module):
    def __init__(self):
        super().__init__()
        self.submodule = nn.Linear(2, 2)
        self.head = nn.Linear(2, 1)


def _strip_prefix(state_dict, prefix="module."):
    return {k.removeprefix(prefix): v for k, v in state_dict.items()}


def _replace_prefix(state_dict, prefix="module."):
    return {k.replace(prefix, ""): v for k, v in state_dict.items()}


@exercise(reference=lambda: _strip_prefix, wrong=lambda: _replace_prefix)
def ex2_strip_prefix(answer):
    expect(callable(answer), _FUNCTION_HINT)
    clean = _Outer().state_dict()
    wrapped = {"module." + k: v for k, v in clean.items()}  # what DataParallel / DDP would save
    got = guarded("你的函数 / your function", answer, wrapped)
    expect(isinstance(got, dict), "应返回字典 / return a dict")
    expect(
        set(got) == set(clean),
        f"键应为 {sorted(clean)}，得到 {sorted(got)}：只去掉开头的前缀"
        " / strip the prefix only at the start of a key",
    )
    same_values = all(torch.equal(got[k], clean[k]) for k in clean)
    expect(same_values, "值应保持不变 / values should stay unchanged")
    expect(all(k.startswith("module.") for k in wrapped), "不要修改传入的字典 / do not modify the input dict")
    unprefixed = guarded("你的函数 / your function", answer, dict(clean))
    expect(set(unprefixed) == set(clean), "没有前缀的键应保持不变 / keys without the prefix stay as they are")
    compiled = guarded(
        "你的函数 / your function", answer, {"_orig_mod." + k: v for k, v in clean.items()}, "_orig_mod."
    )
    expect(set(compiled) == set(clean), "prefix 参数应可更换 / the prefix argument should be honoured")


def _load_matching(model, state_dict):
    own = model.state_dict()
    keep = {k: v for k, v in state_dict.items() if k in own and own[k].shape == v.shape}
    model.load_state_dict(keep, strict=False)
    return list(keep)


def _load_non_strict(model, state_dict):
    model.load_state_dict(state_dict, strict=False)
    return list(state_dict)


@exercise(reference=lambda: _load_matching, wrong=lambda: _load_non_strict)
def ex3_load_matching(answer):
    from torchvision.models import resnet18

    expect(callable(answer), _FUNCTION_HINT)
    torch.manual_seed(0)
    source = resnet18().state_dict()
    source["extra.weight"] = torch.ones(3)  # not in the model: must be skipped
    torch.manual_seed(1)
    model = resnet18(num_classes=37)
    fc_before = model.fc.weight.detach().clone()
    loaded = guarded("你的函数 / your function", answer, model, source)
    expect(loaded is not None, "应返回被加载的键的列表 / return the list of loaded keys")
    expected = {k for k in source if not k.startswith("fc.") and k != "extra.weight"}
    expect(
        set(loaded) == expected,
        f"返回的键不对：应有 {len(expected)} 个（除 fc.* 和多余的键），得到 {len(set(loaded))} 个"
        f" / wrong keys returned: expected {len(expected)} (all but fc.* and extras)",
    )
    expect(torch.equal(model.conv1.weight, source["conv1.weight"]), "conv1 没有加载 / conv1 was not loaded")
    expect(
        torch.equal(model.layer4[1].bn2.running_mean, source["layer4.1.bn2.running_mean"]),
        "BatchNorm 的缓冲区也应加载 / BatchNorm buffers should be loaded too",
    )
    expect(torch.equal(model.fc.weight, fc_before), "形状不同的 fc 应保持不变 / fc must stay as is")
