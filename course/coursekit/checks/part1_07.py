"""Self-checks for part1-fundamentals/07-training-loop.ipynb."""

from __future__ import annotations

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

import coursekit as ck
from coursekit.exercises import exercise, expect, guarded


def _predict(model, x):
    was_training = model.training
    model.eval()
    with torch.no_grad():
        pred = model(x).argmax(dim=1)
    model.train(was_training)
    return pred


def _predict_careless(model, x):
    return model(x).argmax(dim=1)


class _Spy(nn.Module):
    """Identity scores behind heavy dropout; remembers the mode and grad state it saw."""

    def __init__(self, k):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(k))
        self.drop = nn.Dropout(p=0.7)
        self.seen = []

    def forward(self, x):
        self.seen.append((self.training, torch.is_grad_enabled()))
        return self.drop(x * self.scale)


@exercise(reference=lambda: _predict, wrong=lambda: _predict_careless)
def ex1_predict(answer):
    expect(callable(answer), "答案应是一个函数 / the answer should be a function")
    k = 6
    labels = torch.arange(200) % k
    x = torch.nn.functional.one_hot(labels, k).float() * 5 + 0.1 * torch.arange(k)
    model = _Spy(k)
    model.train()
    pred = guarded("你的函数 / your function", answer, model, x)
    expect(model.seen, "函数里应调用 model(x) / call model(x) inside the function")
    training, grad_on = model.seen[-1]
    expect(
        not training,
        "前向时模型还处于训练模式（dropout 仍在随机丢弃）：先 model.eval() / the model was in training "
        "mode during the forward pass (dropout still active): call model.eval() first",
    )
    expect(
        not grad_on,
        "前向时仍在记录计算图：用 with torch.no_grad() / the forward pass recorded a graph: "
        "use with torch.no_grad()",
    )
    expect(
        model.training,
        "调用后模型应恢复为原来的训练模式：记下 model.training 再 model.train(was_training) / "
        "restore the model's previous mode afterwards: model.train(was_training)",
    )
    expect(
        torch.is_tensor(pred) and tuple(pred.shape) == (200,),
        "应返回形状为 (N,) 的类别编号 / return class indices of shape (N,)",
    )
    expect(torch.equal(pred.cpu(), labels), "预测应为 argmax(dim=1) / predictions should be argmax(dim=1)")


def _save(path, model, optimizer, epoch):
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": epoch}, path)


def _load(path, model, optimizer):
    ckpt = torch.load(path, map_location="cpu", weights_only=True)
    model.load_state_dict(ckpt["model"])
    optimizer.load_state_dict(ckpt["optimizer"])
    return ckpt["epoch"]


def _save_model_only(path, model, optimizer, epoch):
    torch.save({"model": model.state_dict(), "epoch": epoch}, path)


def _load_model_only(path, model, optimizer):
    ckpt = torch.load(path, map_location="cpu", weights_only=True)
    model.load_state_dict(ckpt["model"])
    return ckpt["epoch"]


def _make(seed):
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    return model, torch.optim.Adam(model.parameters(), lr=0.01)


@exercise(reference=lambda: (_save, _load), wrong=lambda: (_save_model_only, _load_model_only))
def ex2_checkpoint(answer):
    expect(
        isinstance(answer, (tuple, list)) and len(answer) == 2 and all(callable(f) for f in answer),
        "答案应是 (save_checkpoint, load_checkpoint) 两个函数 / "
        "the answer should be (save_checkpoint, load_checkpoint)",
    )
    save, load = answer
    model, opt = _make(0)
    x, y = torch.randn(16, 4), torch.randint(0, 2, (16,))
    for _ in range(3):
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    path = ck.work_dir("07-training-loop") / "exercise-check.pt"
    guarded("save_checkpoint", save, path, model, opt, 3)
    fresh, fresh_opt = _make(1)
    epoch = guarded("load_checkpoint", load, path, fresh, fresh_opt)
    expect(
        epoch == 3, f"load_checkpoint 应返回保存的 epoch 3，得到 {epoch} / should return the saved epoch (3)"
    )
    for (name, p), q in zip(model.state_dict().items(), fresh.state_dict().values(), strict=True):
        expect(torch.equal(p, q), f"模型参数 {name} 没有恢复 / model tensor {name} was not restored")
    state = fresh_opt.state_dict()["state"]
    expect(
        len(state) > 0,
        "优化器状态（Adam 的动量等）没有恢复：也要保存并加载 optimizer.state_dict() / the optimiser state "
        "(Adam's moments) was not restored: save and load optimizer.state_dict() too",
    )
    ref = opt.state_dict()["state"]
    for key, st in ref.items():
        expect(
            torch.equal(st["exp_avg"], state[key]["exp_avg"]),
            "优化器状态与保存时不同 / the optimiser state differs from the saved one",
        )


def _seeded_loader(dataset, seed):
    return DataLoader(dataset, batch_size=4, shuffle=True, generator=torch.Generator().manual_seed(seed))


@exercise(
    reference=lambda: _seeded_loader,
    wrong=lambda: lambda dataset, seed: DataLoader(dataset, batch_size=4, shuffle=True),
)
def ex3_seeded_loader(answer):
    expect(callable(answer), "答案应是一个函数 / the answer should be a function")
    ds = TensorDataset(torch.arange(40))

    def order(seed, global_seed):
        torch.manual_seed(global_seed)
        loader = guarded("你的函数 / your function", answer, ds, seed)
        expect(isinstance(loader, DataLoader), "应返回 DataLoader / should return a DataLoader")
        return torch.cat([b[0] for b in loader]).tolist()

    first = order(0, 1)
    expect(
        sorted(first) == list(range(40)), "每个样本应恰好出现一次 / every sample should appear exactly once"
    )
    expect(first != list(range(40)), "数据没有被打乱：shuffle=True / the data was not shuffled: shuffle=True")
    expect(
        first == order(0, 2),
        "同一个 seed 却得到不同顺序：顺序还依赖全局随机状态，给 DataLoader 传 generator / the same seed gave "
        "a different order: it still depends on the global RNG; pass a generator to DataLoader",
    )
    expect(first != order(1, 1), "不同的 seed 应给出不同顺序 / different seeds should give different orders")
