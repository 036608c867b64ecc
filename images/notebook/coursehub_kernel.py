"""Run by every IPython kernel of a learner (see ipython_kernel_config.py).

Learners sharing a GPU get a soft cap on PyTorch's GPU memory: PyTorch's caching allocator
refuses to grow past the fraction the platform set (COURSEHUB_GPU_MEMORY_FRACTION). It is soft:
code that allocates outside PyTorch's allocator, or calls set_per_process_memory_fraction
itself, is not held back. Learners without a shared GPU pay nothing: torch isn't imported.
"""

import os


def apply_gpu_memory_fraction() -> None:
    fraction = os.environ.get("COURSEHUB_GPU_MEMORY_FRACTION")
    if not fraction:
        return
    import torch

    if torch.cuda.is_available():
        for device in range(torch.cuda.device_count()):
            torch.cuda.set_per_process_memory_fraction(float(fraction), device)
