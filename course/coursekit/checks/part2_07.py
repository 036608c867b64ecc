"""Self-checks for part2-intermediate/07-augmentation."""

from __future__ import annotations

import torch

from coursekit.exercises import exercise, expect, guarded

_FUNCTION_HINT = "答案应是一个函数 / the answer should be a function"


def _wrap_sample(image, boxes, masks):
    from torchvision import tv_tensors

    return {
        "image": tv_tensors.Image(image),
        "boxes": tv_tensors.BoundingBoxes(boxes, format="XYXY", canvas_size=tuple(image.shape[-2:])),
        "masks": tv_tensors.Mask(masks),
    }


def _wrap_image_only(image, boxes, masks):
    from torchvision import tv_tensors

    return {"image": tv_tensors.Image(image), "boxes": boxes, "masks": masks}


def _sample_inputs():
    h, w = 40, 60
    image = torch.zeros(3, h, w, dtype=torch.uint8)
    masks = torch.zeros(2, h, w, dtype=torch.bool)
    masks[0, 5:15, 4:20] = True
    masks[1, 20:38, 30:55] = True
    image[0][masks.any(0)] = 255
    boxes = torch.tensor([[4.0, 5.0, 20.0, 15.0], [30.0, 20.0, 55.0, 38.0]])
    return image, boxes, masks


@exercise(reference=lambda: _wrap_sample, wrong=lambda: _wrap_image_only)
def ex1_wrap_sample(answer):
    from torchvision import tv_tensors
    from torchvision.transforms import v2 as T

    expect(callable(answer), _FUNCTION_HINT)
    image, boxes, masks = _sample_inputs()
    sample = guarded("你的函数 / your function", answer, image.clone(), boxes.clone(), masks.clone())
    expect(isinstance(sample, dict), "应返回字典 / return a dict")
    for key in ("image", "boxes", "masks"):
        expect(key in sample, f"字典缺少键 '{key}' / the dict lacks the key '{key}'")
    expect(isinstance(sample["image"], tv_tensors.Image), "image 应是 tv_tensors.Image / wrap image as Image")
    expect(
        isinstance(sample["boxes"], tv_tensors.BoundingBoxes),
        "boxes 应是 tv_tensors.BoundingBoxes，否则变换会跳过它"
        " / wrap boxes as BoundingBoxes, or transforms skip them",
    )
    expect(
        isinstance(sample["masks"], tv_tensors.Mask),
        "masks 应是 tv_tensors.Mask，否则变换会跳过它 / wrap masks as Mask, or transforms skip them",
    )
    expect(
        tuple(sample["boxes"].canvas_size) == (40, 60),
        f"canvas_size 应为图像的 (H, W) = (40, 60)，得到 {tuple(sample['boxes'].canvas_size)}"
        " / canvas_size should be the image's (H, W)",
    )
    out = T.Compose([T.RandomHorizontalFlip(p=1.0), T.Resize((20, 30))])(sample)
    got = T.ConvertBoundingBoxFormat("XYXY")(out["boxes"]).as_subclass(torch.Tensor)
    want = torch.tensor([[40.0, 5.0, 56.0, 15.0], [5.0, 20.0, 30.0, 38.0]]) / 2
    expect(
        torch.allclose(got, want, atol=0.6),
        f"翻转并缩放后边框应为 {want.tolist()}，得到 {got.tolist()} / after flip + resize the boxes should be"
        f" {want.tolist()}",
    )
    flipped = masks.flip(-1)[:, ::2, ::2]
    expect(
        out["masks"].shape == (2, 20, 30) and (out["masks"].bool() == flipped).float().mean() > 0.95,
        "掩码没有随图像一起翻转和缩放 / the masks did not follow the image",
    )


def _resize_pair(image, mask, size):
    from torchvision import tv_tensors
    from torchvision.transforms import v2 as T

    img, m = T.Resize(size, antialias=True)(tv_tensors.Image(image), tv_tensors.Mask(mask))
    return img, m


def _resize_mask_as_image(image, mask, size):
    from torchvision.transforms import v2 as T

    resize = T.Resize(size, antialias=True)
    return resize(image), resize(mask[None])[0]


@exercise(reference=lambda: _resize_pair, wrong=lambda: _resize_mask_as_image)
def ex2_resize_pair(answer):
    expect(callable(answer), _FUNCTION_HINT)
    mask = torch.zeros(48, 64, dtype=torch.uint8)
    mask[8:40, 6:30] = 9
    mask[2:20, 36:60] = 5
    image = torch.stack([mask * 20, 255 - mask * 20, torch.full_like(mask, 7)])
    result = guarded("你的函数 / your function", answer, image.clone(), mask.clone(), (21, 29))
    expect(isinstance(result, tuple | list) and len(result) == 2, "应返回 (image, mask) / return a pair")
    img, m = result
    expect(tuple(img.shape) == (3, 21, 29), f"图像形状应为 (3, 21, 29)，得到 {tuple(img.shape)} / image")
    expect(tuple(m.shape) == (21, 29), f"掩码形状应为 (21, 29)，得到 {tuple(m.shape)} / mask: (H, W)")
    values = set(torch.as_tensor(m).unique().tolist())
    new = sorted(values - {0, 5, 9})
    expect(
        not new,
        f"掩码里出现了新的编号 {new}：掩码要用最近邻插值（包装成 tv_tensors.Mask）"
        f" / new ids {new} appeared: masks need nearest-neighbour interpolation (wrap as tv_tensors.Mask)",
    )
    red = torch.as_tensor(img)[0].float()
    inside = red[torch.as_tensor(m) == 9].mean().item()
    expect(inside > 120, "图像与掩码没有对齐 / image and mask are not aligned")
