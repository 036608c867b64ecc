"""Self-checks for part1-fundamentals/01-tour.ipynb."""

from __future__ import annotations

from pathlib import Path

import torch

import coursekit as ck
from coursekit.exercises import exercise, expect


def _env_report() -> dict:
    return {"torch": torch.__version__, "device": str(ck.device()), "gpus": torch.cuda.device_count()}


@exercise(
    reference=_env_report,
    wrong=lambda: {"torch": torch.__version__, "device": "cuda:0", "gpus": 1},
)
def ex1_env_report(answer):
    expect(isinstance(answer, dict), "答案应是一个 dict / the answer should be a dict")
    missing = {"torch", "device", "gpus"} - set(answer)
    expect(not missing, f"缺少键 {sorted(missing)} / missing keys {sorted(missing)}")
    expect(
        answer["torch"] == torch.__version__,
        "'torch' 应为 torch.__version__ / 'torch' should be torch.__version__",
    )
    device = str(answer["device"])
    expect(
        ":" not in device,
        f"'device' 不应带编号（得到 {device!r}）：用 str(ck.device()) / "
        "no fixed GPU index in 'device': use str(ck.device())",
    )
    expect(
        device == str(ck.device()),
        f"'device' 应为 {str(ck.device())!r}，得到 {device!r} / 'device' should be str(ck.device())",
    )
    expect(
        answer["gpus"] == torch.cuda.device_count(),
        f"'gpus' 应为 torch.cuda.device_count() = {torch.cuda.device_count()} / "
        "'gpus' should be torch.cuda.device_count()",
    )


def _write_note() -> Path:
    path = ck.work_dir("01-tour") / "hello.txt"
    path.write_text("你好 / hello\n", encoding="utf-8")
    return path


@exercise(reference=_write_note, wrong=lambda: Path.home() / "course" / "hello.txt")
def ex2_note_in_work(answer):
    expect(isinstance(answer, (str, Path)), "答案应是一个路径 / the answer should be a path")
    path = Path(answer).expanduser().resolve()
    work_root = ck.work_dir("01-tour").parent.resolve()
    expect(
        path.is_relative_to(work_root),
        f"文件应在 {work_root} 之下（用 ck.work_dir(...)），而不是 {path} / "
        f"write under {work_root} with ck.work_dir(...), not {path}",
    )
    expect(path.is_file(), f"文件 {path} 不存在：先写入再回答 / {path} does not exist: write it first")
    expect(
        path.read_text(encoding="utf-8").strip() != "",
        "文件是空的：写一行文字进去 / the file is empty: write a line into it",
    )


def _staged_names() -> list[str]:
    root = ck.data_root()
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir())


@exercise(reference=_staged_names, wrong=lambda: [str(ck.data_root() / "fashion-mnist")])
def ex3_staged_names(answer):
    expect(isinstance(answer, list), "答案应是一个 list / the answer should be a list")
    expect(
        all(isinstance(n, str) for n in answer),
        "列表里应是字符串（文件夹名） / the list should hold strings (folder names)",
    )
    expect(
        not any("/" in n for n in answer),
        "只要文件夹名，不要完整路径：用 p.name / folder names only, not full paths: use p.name",
    )
    expect(answer == sorted(answer), "请排序：sorted(...) / please sort the names: sorted(...)")
    expected = _staged_names()
    expect(
        answer == expected,
        f"应为 {expected}，得到 {answer}：只算 ck.data_root() 下的文件夹 / "
        "expected the folders directly under ck.data_root()",
    )
