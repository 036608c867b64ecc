"""Self-checks for part3-practice/09-deployment."""

from __future__ import annotations

import io
import math
import warnings
from pathlib import Path

import torch
from torch import nn

import coursekit as ck
from coursekit.exercises import exercise, expect


class _TinyNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, 10))

    def forward(self, images):
        return self.net(images)


def _export(name, dynamic):
    torch.manual_seed(0)
    model = _TinyNet().eval()
    path = ck.work_dir("09-deployment") / name
    extra = {"dynamic_shapes": {"images": {0: torch.export.Dim("batch")}}} if dynamic else {}
    torch.onnx.export(
        model,
        (torch.rand(2, 1, 28, 28),),
        path,
        input_names=["images"],
        output_names=["logits"],
        external_data=False,
        verbose=False,
        **extra,
    )
    return path


@exercise(
    reference=lambda: _export("check-reference.onnx", dynamic=True),
    wrong=lambda: _export("check-static.onnx", dynamic=False),
)
def ex1_dynamic_onnx(answer):
    import onnxruntime as ort

    expect(
        isinstance(answer, (str, Path)),
        "答案应是 .onnx 文件的路径，例如 answer = ex1_path / the answer should be the path of the .onnx file",
    )
    path = Path(answer)
    expect(
        path.is_file(), f"找不到文件 {path}：先运行 torch.onnx.export / {path} does not exist: export first"
    )
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    inputs = session.get_inputs()
    expect(
        len(inputs) == 1 and inputs[0].name == "images",
        f"应只有一个名为 images 的输入，得到 {[i.name for i in inputs]}：设置 input_names=['images'] / "
        "there should be one input named images: pass input_names=['images']",
    )
    for n in (1, 3, 7):
        try:
            outputs = session.run(None, {"images": torch.rand(n, 1, 28, 28).numpy()})
        except Exception as err:  # ONNX Runtime raises its own exception types
            expect(
                False,
                f"批大小 {n} 运行失败：批维度是固定的。给 torch.onnx.export 传 "
                "dynamic_shapes={'images': {0: Dim('batch')}} / "
                f"batch size {n} failed, the batch dimension is fixed: "
                f"pass dynamic_shapes to torch.onnx.export ({type(err).__name__})",
            )
        expect(
            outputs[0].shape == (n, 10),
            f"批大小 {n} 的输出形状应为 ({n}, 10)，得到 {outputs[0].shape} / "
            f"for batch size {n} the output should be ({n}, 10)",
        )


def _reference_size(model):
    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    return buffer.tell() / 1e6


def _parameter_size(model):
    return sum(p.numel() * p.element_size() for p in model.parameters()) / 1e6


@exercise(reference=lambda: _reference_size, wrong=lambda: _parameter_size)
def ex2_serialized_size(answer):
    expect(callable(answer), "答案应是一个函数，例如 answer = my_size_mb / the answer should be a function")
    torch.manual_seed(0)
    float_model = nn.Sequential(nn.Linear(300, 200), nn.ReLU(), nn.Linear(200, 10)).eval()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        int8_model = torch.ao.quantization.quantize_dynamic(float_model, {nn.Linear}, dtype=torch.qint8)
    for label, model in (("浮点模型 / float model", float_model), ("量化模型 / quantised model", int8_model)):
        expected = _reference_size(model)
        got = answer(model)
        expect(
            isinstance(got, (int, float)), "函数应返回一个数（MB）/ the function should return a number (MB)"
        )
        expect(
            not math.isclose(got, expected * 1e6, rel_tol=0.1),
            "看起来返回的是字节数，请除以 1e6 换算成 MB / this looks like bytes: divide by 1e6 to get MB",
        )
        expect(
            math.isclose(got, expected, rel_tol=0.1),
            f"{label}：应约为 {expected:.3f} MB，得到 {got:.3f}。量化后的权重不是 Parameter，"
            "要把 state_dict 用 torch.save 写进 io.BytesIO 再量字节数 / "
            f"expected about {expected:.3f} MB: quantised weights are not Parameters, so serialise the "
            "state_dict with torch.save into io.BytesIO and measure the bytes",
        )
