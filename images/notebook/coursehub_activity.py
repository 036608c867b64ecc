"""Jupyter Server extension: busy kernels and GPU use count as activity for the hub's cullers.

jupyterhub-singleuser reports activity from requests and kernel messages; a long training run
that prints nothing sends neither, and would look idle. Every COURSEHUB_ACTIVITY_INTERVAL
seconds (default 60) this extension tells the hub the server is active if a kernel is busy or
a process uses the learner's GPU.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime

from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.ioloop import PeriodicCallback


def gpu_in_use() -> bool:
    if os.environ.get("NVIDIA_VISIBLE_DEVICES", "void") in ("void", "none", ""):
        return False
    try:
        import pynvml

        pynvml.nvmlInit()
        for index in range(pynvml.nvmlDeviceGetCount()):
            handle = pynvml.nvmlDeviceGetHandleByIndex(index)
            if pynvml.nvmlDeviceGetUtilizationRates(handle).gpu > 0:
                return True
            if pynvml.nvmlDeviceGetComputeRunningProcesses(handle):
                return True
    except Exception:  # no driver, no NVML: nothing to report
        return False
    return False


def kernels_busy(serverapp) -> bool:
    manager = serverapp.kernel_manager
    return any(
        getattr(manager.get_kernel(kernel_id), "execution_state", "") == "busy"
        for kernel_id in manager.list_kernel_ids()
    )


async def report(serverapp) -> None:
    url = os.environ.get("JUPYTERHUB_ACTIVITY_URL")
    token = os.environ.get("JUPYTERHUB_API_TOKEN")
    if not url or not token or not (kernels_busy(serverapp) or gpu_in_use()):
        return
    now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    body = {
        "servers": {os.environ.get("JUPYTERHUB_SERVER_NAME", ""): {"last_activity": now}},
        "last_activity": now,
    }
    request = HTTPRequest(
        url,
        method="POST",
        body=json.dumps(body),
        headers={"Authorization": f"token {token}"},
        request_timeout=10,
    )
    try:
        await AsyncHTTPClient().fetch(request)
    except Exception as error:
        serverapp.log.warning("coursehub_activity: could not report activity: %s", error)


def _jupyter_server_extension_points():
    return [{"module": "coursehub_activity"}]


def _load_jupyter_server_extension(serverapp) -> None:
    interval = float(os.environ.get("COURSEHUB_ACTIVITY_INTERVAL", "60"))
    PeriodicCallback(lambda: report(serverapp), interval * 1000).start()
    serverapp.log.info("coursehub_activity: reporting busy kernels and GPU use every %ss", interval)
