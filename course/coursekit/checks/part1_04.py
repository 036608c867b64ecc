"""Self-checks for part1-fundamentals/04-data.ipynb."""

from __future__ import annotations

import torch
from torch.utils.data import DataLoader, Dataset

from coursekit.exercises import exercise, expect, guarded


class _Windows(Dataset):
    def __init__(self, series, k):
        self.series = series
        self.k = k

    def __len__(self):
        return len(self.series) - self.k

    def __getitem__(self, i):
        return self.series[i : i + self.k], self.series[i + self.k]


class _WindowsTooLong(_Windows):
    def __len__(self):
        return len(self.series)


@exercise(reference=lambda: _Windows, wrong=lambda: _WindowsTooLong)
def ex1_window_dataset(answer):
    expect(isinstance(answer, type), "答案应是类本身（不是实例） / the answer should be the class itself")
    series = torch.arange(10.0)
    ds = guarded("创建数据集 / creating the dataset", answer, series, 3)
    expect(isinstance(ds, Dataset), "类应继承 torch.utils.data.Dataset / subclass torch.utils.data.Dataset")
    n = guarded("len()", len, ds)
    expect(
        n == 7,
        f"10 个点、窗口 3 应有 7 个样本，得到 {n}：最后一个窗口也需要一个目标值 / "
        "10 points with k=3 give 7 samples: the last window needs a target too",
    )
    x, y = guarded("ds[0]", ds.__getitem__, 0)
    expect(
        torch.equal(torch.as_tensor(x), torch.tensor([0.0, 1.0, 2.0])),
        "ds[0] 的输入应为 [0, 1, 2] / ds[0] input",
    )
    expect(float(y) == 3.0, "ds[0] 的目标应为 3 / ds[0] target should be 3")
    x, y = guarded("ds[6]", ds.__getitem__, 6)
    expect(
        torch.equal(torch.as_tensor(x), torch.tensor([6.0, 7.0, 8.0])) and float(y) == 9.0,
        "最后一个样本应为 ([6, 7, 8], 9) / the last sample should be ([6, 7, 8], 9)",
    )
    xb, yb = guarded("DataLoader", lambda: next(iter(DataLoader(ds, batch_size=4))))
    expect(
        tuple(xb.shape) == (4, 3) and tuple(yb.shape) == (4,),
        f"批次形状应为 (4, 3) 和 (4,)，得到 {tuple(xb.shape)}、{tuple(yb.shape)} / "
        "batch shapes should be (4, 3) and (4,)",
    )


def _pad_collate(batch):
    seqs, labels = zip(*batch, strict=True)
    lengths = torch.tensor([len(s) for s in seqs])
    padded = torch.zeros(len(seqs), int(lengths.max()), dtype=seqs[0].dtype)
    for i, s in enumerate(seqs):
        padded[i, : len(s)] = s
    return padded, lengths, torch.tensor(labels)


def _pad_collate_time_major(batch):
    seqs, labels = zip(*batch, strict=True)
    padded = torch.nn.utils.rnn.pad_sequence(list(seqs))
    return padded, torch.tensor([len(s) for s in seqs]), torch.tensor(labels)


@exercise(reference=lambda: _pad_collate, wrong=lambda: _pad_collate_time_major)
def ex2_pad_collate(answer):
    expect(callable(answer), "答案应是一个函数 / the answer should be a function")
    batch = [
        (torch.tensor([5, 6, 7]), 1),
        (torch.tensor([8]), 0),
        (torch.tensor([11, 12, 13, 14]), 0),
    ]
    out = guarded("collate_fn", answer, batch)
    expect(
        isinstance(out, (tuple, list)) and len(out) == 3,
        "应返回 (padded, lengths, labels) 三项 / return (padded, lengths, labels)",
    )
    padded, lengths, labels = out
    expect(torch.is_tensor(padded), "padded 应是张量 / padded should be a tensor")
    expect(
        tuple(padded.shape) == (3, 4),
        f"padded 形状应为 (batch, 最长长度) = (3, 4)，得到 {tuple(padded.shape)} / "
        "padded should be (batch, max_len) = (3, 4)",
    )
    expected = torch.tensor([[5, 6, 7, 0], [8, 0, 0, 0], [11, 12, 13, 14]])
    expect(
        torch.equal(padded.long(), expected),
        "每行应是原序列，右侧补 0 / each row should be the sequence, padded with 0 on the right",
    )
    expect(
        torch.is_tensor(lengths) and lengths.tolist() == [3, 1, 4],
        "lengths 应为张量 [3, 1, 4] / lengths should be the tensor [3, 1, 4]",
    )
    expect(
        torch.is_tensor(labels) and labels.tolist() == [1, 0, 0],
        "labels 应为张量 [1, 0, 0] / labels should be the tensor [1, 0, 0]",
    )


def _to_signed():
    from torchvision.transforms import v2

    return v2.Compose([v2.ToImage(), v2.ToDtype(torch.float32, scale=True), v2.Normalize([0.5], [0.5])])


def _to_unit():
    from torchvision.transforms import v2

    return v2.Compose([v2.ToImage(), v2.ToDtype(torch.float32, scale=True)])


@exercise(reference=_to_signed, wrong=_to_unit)
def ex3_signed_transform(answer):
    from PIL import Image

    expect(callable(answer), "答案应是一个可调用的变换 / the answer should be a callable transform")
    black = Image.new("L", (6, 5), 0)
    white = Image.new("L", (6, 5), 255)
    out_black = guarded("变换 / the transform", answer, black)
    out_white = guarded("变换 / the transform", answer, white)
    expect(torch.is_tensor(out_black), "变换应返回张量 / the transform should return a tensor")
    expect(
        tuple(out_black.shape) == (1, 5, 6),
        f"形状应为 (1, 5, 6)（通道、高、宽），得到 {tuple(out_black.shape)} / "
        "shape should be (C, H, W) = (1, 5, 6)",
    )
    expect(
        out_black.dtype == torch.float32,
        f"dtype 应为 float32，得到 {out_black.dtype} / dtype should be float32",
    )
    expect(
        torch.allclose(out_black, torch.full_like(out_black, -1.0))
        and torch.allclose(out_white, torch.ones_like(out_white)),
        f"黑色应变为 -1、白色变为 1，得到 {out_black.min().item():.2f} 和 {out_white.max().item():.2f}："
        "缩放到 [0, 1] 后再用 mean=0.5, std=0.5 归一化 / black should map to -1 and white to 1: "
        "scale to [0, 1], then Normalize(mean=0.5, std=0.5)",
    )
