"""Self-checks for part3-practice/04-rnn-sequences."""

from __future__ import annotations

import torch

from coursekit.exercises import exercise, expect

# ---------------------------------------------------------------- exercise 1: padding by hand


def _pad_batch_ref(seqs, pad_id):
    lengths = torch.tensor([len(s) for s in seqs], dtype=torch.int64)
    padded = torch.full((len(seqs), int(lengths.max())), pad_id, dtype=torch.long)
    for i, s in enumerate(seqs):
        padded[i, : len(s)] = s
    return padded, lengths


def _pad_batch_padded_lengths(seqs, pad_id):
    # typical mistake: lengths measured after padding
    padded, _ = _pad_batch_ref(seqs, pad_id)
    return padded, torch.full((len(seqs),), padded.shape[1], dtype=torch.int64)


@exercise(reference=lambda: _pad_batch_ref, wrong=lambda: _pad_batch_padded_lengths)
def ex1_pad_batch(answer):
    expect(callable(answer), "答案应是一个函数 / the answer should be a function")
    seqs = [torch.tensor(s) for s in ([5, 6, 7], [8], [9, 10, 11, 12, 13], [3, 4])]
    out = answer([s.clone() for s in seqs], 0)
    expect(
        isinstance(out, tuple | list) and len(out) == 2,
        "应返回 (padded, lengths) / should return (padded, lengths)",
    )
    padded, lengths = out
    expect(
        torch.is_tensor(padded) and tuple(padded.shape) == (4, 5),
        "padded 形状应为 (4, 5)：批大小 × 最长长度 / padded should be (4, 5): batch x longest",
    )
    lengths = torch.as_tensor(lengths).cpu()
    expect(
        lengths.tolist() == [3, 1, 5, 2],
        f"lengths 应为原本长度 [3, 1, 5, 2]，得到 {lengths.tolist()} / "
        f"lengths should be the original [3, 1, 5, 2]",
    )
    expected, _ = _pad_batch_ref(seqs, 0)
    expect(
        torch.equal(padded.long().cpu(), expected),
        "padded 的内容不对：填充放在后面 / padded content is off: padding goes at the end",
    )
    padded7, _ = answer([s.clone() for s in seqs], 7)
    expect(int(padded7[1, 1]) == 7, "要用参数 pad_id 填充 / pad with the pad_id argument")


# ---------------------------------------------------------------- exercise 2: last real output


def _last_valid_ref(output, lengths):
    return output[torch.arange(output.shape[0]), lengths.long() - 1]


def _last_step(output, lengths):
    # typical mistake: the last time step, which is padding for shorter sequences
    return output[:, -1]


@exercise(reference=lambda: _last_valid_ref, wrong=lambda: _last_step)
def ex2_last_valid_output(answer):
    expect(callable(answer), "答案应是一个函数 / the answer should be a function")
    output = torch.arange(3 * 4 * 2, dtype=torch.float).reshape(3, 4, 2)
    lengths = torch.tensor([2, 4, 1])
    got = answer(output.clone(), lengths.clone())
    expect(
        torch.is_tensor(got) and tuple(got.shape) == (3, 2),
        "结果形状应为 (B, H) = (3, 2) / shape should be (3, 2)",
    )
    expected = torch.stack([output[0, 1], output[1, 3], output[2, 0]])
    if torch.equal(got.cpu(), output[:, -1]):
        expect(
            False, "这是最后一个时间步，对短序列是填充 / that is the last step, padding for short sequences"
        )
    expect(torch.equal(got.cpu(), expected), "应取第 lengths[b] - 1 步 / take step lengths[b] - 1")


# ---------------------------------------------------------------- exercise 3: LSTM parameter count


def _lstm_count_ref(input_size, hidden_size):
    return 4 * (hidden_size * input_size + hidden_size * hidden_size + 2 * hidden_size)


def _rnn_count(input_size, hidden_size):
    # typical mistake: the plain-RNN count, forgetting the four gates
    return hidden_size * input_size + hidden_size * hidden_size + 2 * hidden_size


@exercise(reference=lambda: _lstm_count_ref, wrong=lambda: _rnn_count)
def ex3_lstm_param_count(answer):
    expect(callable(answer), "答案应是一个函数 / the answer should be a function")
    for i, h in ((10, 20), (128, 64), (7, 3)):
        expected = sum(p.numel() for p in torch.nn.LSTM(i, h).parameters())
        got = answer(i, h)
        expect(
            isinstance(got, int) or (torch.is_tensor(got) and got.numel() == 1),
            "应返回一个整数 / should return an integer",
        )
        got = int(got)
        if got == _rnn_count(i, h):
            expect(
                False,
                "这是普通 RNN 的参数量；LSTM 有 4 组门 / that is a plain RNN's count: an LSTM has 4 gates",
            )
        if got == 4 * (h * i + h * h + h):
            expect(
                False,
                "少了一个偏置：PyTorch 有 b_ih 和 b_hh 两个 / one bias short: PyTorch has b_ih and b_hh",
            )
        expect(got == expected, f"LSTM({i}, {h}) 应有 {expected} 个参数，得到 {got} / should have {expected}")
