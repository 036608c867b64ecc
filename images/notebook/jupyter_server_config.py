# System-wide Jupyter Server settings of the learner image.
c = get_config()  # noqa: F821

# TensorBoard inside JupyterLab, behind the server's own authentication.
c.ServerProxy.servers = {
    "tensorboard": {
        "command": [
            "tensorboard",
            "--logdir",
            "/home/jovyan/work/runs",
            "--port",
            "{port}",
            "--host",
            "127.0.0.1",
            "--path_prefix",
            "{base_url}tensorboard",
        ],
        "absolute_url": True,
        "timeout": 60,
        "launcher_entry": {"title": "TensorBoard"},
    }
}

# Busy kernels and GPU use count as activity (coursehub_activity.py).
c.ServerApp.jpserver_extensions = {"coursehub_activity": True}
