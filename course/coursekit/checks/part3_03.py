"""Self-checks for part3-practice/03-object-detection."""

from __future__ import annotations

import torch
from torchvision.ops import box_iou, masks_to_boxes, nms

from coursekit.exercises import exercise, expect

# ---------------------------------------------------------------- exercise 1: boxes from instance masks


def _mask_to_boxes_ref(ids_map):
    ids = ids_map.unique()
    ids = ids[ids != 0]
    boxes = []
    for i in ids:
        ys, xs = torch.nonzero(ids_map == i, as_tuple=True)
        boxes.append(torch.stack([xs.min(), ys.min(), xs.max(), ys.max()]).float())
    return torch.stack(boxes) if boxes else torch.zeros(0, 4)


def _mask_to_boxes_xy_swapped(ids_map):
    # typical mistake: rows taken as x and columns as y
    return _mask_to_boxes_ref(ids_map)[:, [1, 0, 3, 2]]


@exercise(reference=lambda: _mask_to_boxes_ref, wrong=lambda: _mask_to_boxes_xy_swapped)
def ex1_mask_to_boxes(answer):
    expect(callable(answer), "答案应是一个函数 / the answer should be a function")
    ids_map = torch.zeros(12, 20, dtype=torch.uint8)
    ids_map[2:9, 3:6] = 1  # tall and thin
    ids_map[5:7, 10:19] = 2  # wide and flat
    ids_map[10, 0] = 4  # a single pixel; id 3 is unused
    boxes = answer(ids_map.clone())
    expect(torch.is_tensor(boxes), "应返回张量 / should return a tensor")
    expect(
        tuple(boxes.shape) == (3, 4),
        f"形状应为 (3, 4)，得到 {tuple(boxes.shape)} / expected shape (3, 4), got {tuple(boxes.shape)}",
    )
    expected = masks_to_boxes(ids_map[None] == torch.tensor([1, 2, 4])[:, None, None])
    boxes = boxes.float().cpu()
    if torch.equal(boxes, expected[:, [1, 0, 3, 2]]):
        expect(
            False, "x 和 y 弄反了：x 是列下标，y 是行下标 / x and y are swapped: x is the column, y the row"
        )
    expect(
        torch.equal(boxes, expected),
        "框不对：每行 (x1, y1, x2, y2)，按编号从小到大 / wrong boxes: rows (x1, y1, x2, y2) by increasing id",
    )


# ---------------------------------------------------------------- exercise 2: IoU of two boxes


def _iou_pair_ref(a, b):
    w = (torch.minimum(a[2], b[2]) - torch.maximum(a[0], b[0])).clamp(min=0)
    h = (torch.minimum(a[3], b[3]) - torch.maximum(a[1], b[1])).clamp(min=0)
    inter = w * h
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return (inter / union).item()


def _iou_pair_no_clamp(a, b):
    # typical mistake: no clamp, so two negative sides make a positive "intersection"
    w = torch.minimum(a[2], b[2]) - torch.maximum(a[0], b[0])
    h = torch.minimum(a[3], b[3]) - torch.maximum(a[1], b[1])
    inter = w * h
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return (inter / union).item()


@exercise(reference=lambda: _iou_pair_ref, wrong=lambda: _iou_pair_no_clamp)
def ex2_box_iou_pair(answer):
    expect(callable(answer), "答案应是一个函数 / the answer should be a function")
    pairs = [
        ([0, 0, 10, 10], [5, 5, 15, 15], "部分重叠 / partly overlapping"),
        ([0, 0, 10, 10], [0, 0, 10, 10], "完全相同 / identical"),
        ([0, 0, 10, 10], [2, 2, 4, 4], "一个包含另一个 / one inside the other"),
        ([0, 0, 10, 10], [20, 30, 25, 40], "不相交（对角方向） / disjoint, diagonally apart"),
        ([0, 0, 10, 10], [20, 0, 30, 10], "不相交（水平方向） / disjoint, side by side"),
    ]
    for a, b, what in pairs:
        a, b = torch.tensor(a, dtype=torch.float), torch.tensor(b, dtype=torch.float)
        expected = box_iou(a[None], b[None]).item()
        try:
            got = float(answer(a.clone(), b.clone()))
        except (TypeError, ValueError):
            expect(False, "应返回一个数 / should return a number")
        expect(
            abs(got - expected) < 1e-5,
            f"{what}: IoU 应为 {expected:.3f}，得到 {got:.3f}（交集宽高要截断到 0） / "
            f"should be {expected:.3f} (clamp the intersection at 0)",
        )


# ---------------------------------------------------------------- exercise 3: NMS


def _nms_ref(boxes, scores, iou_threshold):
    order = scores.argsort(descending=True)
    keep = []
    while len(order):
        best = order[0]
        keep.append(int(best))
        if len(order) == 1:
            break
        ious = box_iou(boxes[best][None], boxes[order[1:]])[0]
        order = order[1:][ious <= iou_threshold]
    return torch.tensor(keep, dtype=torch.int64)


def _nms_unsorted(boxes, scores, iou_threshold):
    # typical mistake: walks the boxes in the given order instead of by score
    order = torch.arange(len(boxes))
    keep = []
    while len(order):
        best = order[0]
        keep.append(int(best))
        ious = box_iou(boxes[best][None], boxes[order[1:]])[0]
        order = order[1:][ious <= iou_threshold]
    return torch.tensor(keep, dtype=torch.int64)


@exercise(reference=lambda: _nms_ref, wrong=lambda: _nms_unsorted)
def ex3_nms(answer):
    expect(callable(answer), "答案应是一个函数 / the answer should be a function")
    boxes = torch.tensor(
        [
            [10, 10, 50, 100],
            [12, 8, 52, 98],
            [15, 15, 55, 105],
            [100, 20, 140, 110],
            [102, 22, 139, 112],
            [200, 200, 210, 210],
        ],
        dtype=torch.float,
    )
    scores = torch.tensor([0.80, 0.95, 0.60, 0.70, 0.75, 0.10])
    g = torch.Generator().manual_seed(0)
    xy = torch.rand(30, 2, generator=g) * 100
    wh = torch.rand(30, 2, generator=g) * 40 + 5
    random_boxes = torch.cat([xy, xy + wh], dim=1)
    random_scores = torch.rand(30, generator=g)
    cases = ((boxes, scores, 0.5), (random_boxes, random_scores, 0.3), (random_boxes, random_scores, 0.6))
    for b, s, thr in cases:
        got = answer(b.clone(), s.clone(), thr)
        expect(torch.is_tensor(got), "应返回下标张量 / should return a tensor of indices")
        expected = nms(b, s, thr)
        got = got.long().cpu().flatten()
        if set(got.tolist()) == set(expected.tolist()):
            expect(
                torch.equal(got, expected),
                "保留的框对了，但应按分数从高到低排列 / right boxes, but order them by decreasing score",
            )
        expect(
            torch.equal(got, expected),
            f"应为 {expected.tolist()}，得到 {got.tolist()}；先按分数排序 / "
            f"should be {expected.tolist()}: sort by score first",
        )
