# System-wide IPython kernel settings of the learner image.
c = get_config()  # noqa: F821
c.IPKernelApp.exec_lines = [
    "import coursehub_kernel as _coursehub; _coursehub.apply_gpu_memory_fraction(); del _coursehub"
]
