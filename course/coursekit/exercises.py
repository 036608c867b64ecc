"""Exercises with self-checks that learners run in their notebooks.

An exercise is a check function decorated with ``@exercise``. Learners call it with their
answer; the tests call it with the exercise's reference answer (which must pass) and with
a typical wrong answer (which must fail), so every self-check is known to be able to fail::

    @exercise(reference=lambda: torch.arange(6).reshape(2, 3), wrong=lambda: torch.zeros(2, 3))
    def ex1_arange_grid(answer):
        expect(torch.is_tensor(answer), "答案应是张量 / the answer should be a tensor")
        expect(answer.shape == (2, 3), f"形状应为 (2, 3) / shape should be (2, 3): {tuple(answer.shape)}")
        ...

In the notebook the answer starts as ``...`` (Ellipsis): the check then only says the
exercise is not done yet, so a notebook runs top to bottom before anyone answers.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["REGISTRY", "Exercise", "ExerciseFailed", "exercise", "expect", "guarded"]


class ExerciseFailed(AssertionError):
    """The learner's answer is not right yet; the message says what to look at."""


def guarded(what: str, function: Callable, *args: Any) -> Any:
    """Call the learner's ``function``; if it crashes, fail the check with a hint, not a traceback."""
    try:
        return function(*args)
    except ExerciseFailed:
        raise
    except Exception as error:
        raise ExerciseFailed(f"{what} 出错 / {what} raised: {type(error).__name__}: {error}") from error


def expect(condition: object, hint: str) -> None:
    """Fail the current check with ``hint`` unless ``condition`` holds."""
    if not condition:
        raise ExerciseFailed(hint)


@dataclass(frozen=True)
class Exercise:
    name: str
    module: str
    check: Callable[[Any], None]
    reference: Callable[[], Any]
    wrong: Callable[[], Any]


REGISTRY: dict[str, Exercise] = {}


def exercise(*, reference: Callable[[], Any], wrong: Callable[[], Any]):
    """Register a self-check together with a reference answer and a wrong answer."""

    def decorate(check: Callable[[Any], None]) -> Callable[[Any], None]:
        key = f"{check.__module__}.{check.__name__}"

        @functools.wraps(check)
        def run(answer: Any = ...) -> None:
            # Returns nothing, so the notebook cell shows only the message.
            if answer is ... or answer is None:
                print("⏳ 还没有作答：把 ... 换成你的答案 / not answered yet: replace ... with your answer")
                return
            check(answer)
            print("✅ 通过 / passed")

        REGISTRY[key] = Exercise(key, check.__module__, check, reference, wrong)
        return run

    return decorate
