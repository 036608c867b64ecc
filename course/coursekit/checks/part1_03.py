"""Self-checks for part1-fundamentals/03-autograd.ipynb."""

from __future__ import annotations

import torch

from coursekit.exercises import ExerciseFailed, exercise, expect


def _grad_of_cubic():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x**3 + 2 * x).sum().backward()
    return x.grad


def _grad_twice():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    for _ in range(2):
        (x**3 + 2 * x).sum().backward()
    return x.grad


@exercise(reference=_grad_of_cubic, wrong=_grad_twice)
def ex1_cubic_grad(answer):
    expect(torch.is_tensor(answer), "答案应是张量（x.grad） / the answer should be a tensor (x.grad)")
    expect(answer.shape == (3,), f"形状应为 (3,)，得到 {tuple(answer.shape)} / shape should be (3,)")
    expected = torch.tensor([5.0, 14.0, 29.0])
    got = answer.detach().cpu().float()
    if torch.allclose(got, 2 * expected):
        raise ExerciseFailed(
            "梯度正好是两倍：backward 调用了两次，梯度会累加；先把 x.grad 清零 / "
            "exactly twice the gradient: backward ran twice and gradients accumulate; zero x.grad first"
        )
    expect(
        torch.allclose(got, expected),
        f"应为 3x²+2 = {expected.tolist()}，得到 {got.tolist()} / expected 3x²+2 = {expected.tolist()}",
    )


class _Cube(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx, grad_out):
        (x,) = ctx.saved_tensors
        return grad_out * 3 * x**2


class _CubeWrong(_Cube):
    @staticmethod
    def backward(ctx, grad_out):
        (x,) = ctx.saved_tensors
        return 3 * x**2


@exercise(reference=lambda: _Cube, wrong=lambda: _CubeWrong)
def ex2_cube_function(answer):
    expect(
        isinstance(answer, type) and issubclass(answer, torch.autograd.Function),
        "答案应是 torch.autograd.Function 的子类（类本身） / "
        "the answer should be the Function subclass itself",
    )
    x = torch.linspace(-2, 2, 7, dtype=torch.float64, requires_grad=True)
    try:
        y = answer.apply(x)
    except Exception as err:
        raise ExerciseFailed(f"apply 出错 / apply raised: {type(err).__name__}: {err}") from err
    expect(
        torch.allclose(y.detach(), x.detach() ** 3),
        "forward 应返回 x**3 / forward should return x**3",
    )
    try:
        ok = torch.autograd.gradcheck(answer.apply, (x,), raise_exception=False)
    except Exception as err:
        raise ExerciseFailed(f"backward 出错 / backward raised: {type(err).__name__}: {err}") from err
    expect(
        ok,
        "gradcheck 未通过：backward 应返回 grad_out * 3 * x**2（别忘了乘 grad_out） / "
        "gradcheck failed: backward should return grad_out * 3 * x**2 (multiply by grad_out)",
    )


@exercise(
    reference=lambda: lambda a, b: (a * b.detach()).sum(),
    wrong=lambda: lambda a, b: (a * b).sum(),
)
def ex3_stop_gradient(answer):
    expect(callable(answer), "答案应是一个函数 / the answer should be a function")
    a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = torch.tensor([4.0, 5.0, 6.0], requires_grad=True)
    try:
        loss = answer(a, b)
    except Exception as err:
        raise ExerciseFailed(
            f"调用你的函数时出错 / your function raised: {type(err).__name__}: {err}"
        ) from err
    expect(
        torch.is_tensor(loss) and loss.dim() == 0,
        "函数应返回一个标量张量 / the function should return a scalar tensor",
    )
    expect(abs(loss.item() - 32.0) < 1e-5, f"值应为 sum(a*b) = 32，得到 {loss.item()} / value should be 32")
    expect(loss.requires_grad, "结果应能对 a 求导 / the result should still depend on a")
    loss.backward()
    expect(
        a.grad is not None and torch.allclose(a.grad, b.detach()),
        "a 的梯度应为 b / the gradient for a should equal b",
    )
    expect(
        b.grad is None or torch.count_nonzero(b.grad) == 0,
        "梯度流进了 b：对 b 用 .detach() / gradient reached b: use b.detach()",
    )
