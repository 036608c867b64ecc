"""Self-checks for part3-practice/05-transformer-text."""

from __future__ import annotations

import torch

from coursekit.exercises import exercise, expect

# ---------------------------------------------------------------- exercise 1: padding mask


def _padding_mask_ref(lengths, max_len):
    return torch.arange(max_len, device=lengths.device)[None, :] >= lengths[:, None]


def _padding_mask_inverted(lengths, max_len):
    # typical mistake: True at real tokens (the convention of scaled_dot_product_attention)
    return ~_padding_mask_ref(lengths, max_len)


@exercise(reference=lambda: _padding_mask_ref, wrong=lambda: _padding_mask_inverted)
def ex1_padding_mask(answer):
    expect(callable(answer), "答案应是一个函数 / the answer should be a function")
    lengths = torch.tensor([3, 5, 1])
    mask = answer(lengths.clone(), 5)
    expect(torch.is_tensor(mask) and mask.dtype == torch.bool, "应返回布尔张量 / should return a bool tensor")
    expect(tuple(mask.shape) == (3, 5), f"形状应为 (3, 5)，得到 {tuple(mask.shape)} / shape should be (3, 5)")
    expected = _padding_mask_ref(lengths, 5)
    if torch.equal(mask.cpu(), ~expected):
        expect(
            False,
            "True 和 False 弄反了：key_padding_mask 中 True 表示填充 / "
            "inverted: in key_padding_mask True marks padding",
        )
    expect(
        torch.equal(mask.cpu(), expected),
        "位置不对：第 b 行从 lengths[b] 起为 True / row b should be True from position lengths[b] on",
    )


# ---------------------------------------------------------------- exercise 2: causal mask


def _causal_ref(T):
    return torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)


def _causal_with_diagonal(T):
    # typical mistake: also hides each word from itself
    return torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=0)


@exercise(reference=lambda: _causal_ref, wrong=lambda: _causal_with_diagonal)
def ex2_causal_mask(answer):
    expect(callable(answer), "答案应是一个函数 / the answer should be a function")
    for T in (1, 4, 7):
        mask = answer(T)
        expect(
            torch.is_tensor(mask) and mask.dtype == torch.bool, "应返回布尔张量 / should return a bool tensor"
        )
        expect(tuple(mask.shape) == (T, T), f"形状应为 ({T}, {T}) / shape should be ({T}, {T})")
        expected = _causal_ref(T)
        mask = mask.cpu()
        expect(
            not mask.diagonal().any(),
            "对角线应为 False：每个词可以看见自己 / the diagonal should be False: a word may see itself",
        )
        if T > 1 and (torch.equal(mask, ~expected) or torch.equal(mask, expected.T)):
            expect(
                False,
                "方向反了：True 表示不能看，未来位置 j > i 才是 True / "
                "wrong way round: True = may not attend, for future positions j > i",
            )
        expect(torch.equal(mask, expected), "第 i 行在 j > i 处为 True / row i should be True where j > i")


# ---------------------------------------------------------------- exercise 3: splitting heads


def _split_heads_ref(x, num_heads):
    B, T, D = x.shape
    return x.view(B, T, num_heads, D // num_heads).transpose(1, 2)


def _split_heads_plain_view(x, num_heads):
    # typical mistake: a plain reshape mixes features of different words into one head
    B, T, D = x.shape
    return x.reshape(B, num_heads, T, D // num_heads)


@exercise(reference=lambda: _split_heads_ref, wrong=lambda: _split_heads_plain_view)
def ex3_split_heads(answer):
    expect(callable(answer), "答案应是一个函数 / the answer should be a function")
    x = torch.arange(2 * 3 * 8, dtype=torch.float).reshape(2, 3, 8)
    out = answer(x.clone(), 4)
    expect(torch.is_tensor(out), "应返回张量 / should return a tensor")
    expect(
        tuple(out.shape) == (2, 4, 3, 2),
        f"形状应为 (B, heads, T, d/heads) = (2, 4, 3, 2)，得到 {tuple(out.shape)} / "
        "shape should be (2, 4, 3, 2)",
    )
    expect(
        torch.equal(out[1, 2, 0], x[1, 0, 4:6]),
        "第 i 个头、第 t 个词应是 x[b, t, i*dh:(i+1)*dh]；先 view 成 (B, T, h, dh) 再 transpose / "
        "head i of word t should be x[b, t, i*dh:(i+1)*dh]: view as (B, T, h, dh), then transpose",
    )
    expect(torch.equal(out.cpu(), _split_heads_ref(x, 4)), "还有元素的位置不对 / some elements are misplaced")
