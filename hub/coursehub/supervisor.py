"""``coursehub serve`` runs JupyterHub as a child it can reload.

JupyterHub reads its roles only when it starts. ``reload_hub`` (used by ``groups create``)
sends SIGHUP to the supervisor, which restarts JupyterHub inside the same container: the admin's
command waits for the hub to come back, and learners' servers keep running (they are separate
containers and the hub does not stop them when it exits).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .hubapi import HubAPI, HubAPIError
from .settings import Settings


def pid_files(settings: Settings) -> tuple[Path, Path]:
    return settings.state_dir / "supervisor.pid", settings.state_dir / "jupyterhub.pid"


def hold_file(settings: Settings) -> Path:
    """While this file exists, the supervisor does not start JupyterHub (see ``hub_stopped``)."""
    return settings.state_dir / "hold"


def is_runtime_file(name: str) -> bool:
    """Files of the running processes (pid files, the hold), which no backup or restore carries:
    JupyterHub kills whatever runs under the pid in jupyterhub-proxy.pid when it starts."""
    return name.endswith(".pid") or name == "hold"


def supervise(settings: Settings, command: list[str]) -> None:
    supervisor_pid, child_pid = pid_files(settings)
    supervisor_pid.write_text(str(os.getpid()))
    state = {"reload": False, "child": None}

    def reload(signum, frame):
        state["reload"] = True
        state["child"].terminate()

    def stop(signum, frame):
        state["child"].terminate()

    signal.signal(signal.SIGHUP, reload)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while True:
        state["reload"] = False
        while hold_file(settings).exists():
            time.sleep(0.2)
        state["child"] = subprocess.Popen(command)
        child_pid.write_text(str(state["child"].pid))
        code = state["child"].wait()
        if not state["reload"]:
            sys.exit(code)


def reload_hub(settings: Settings, hub: HubAPI, timeout: float = 120) -> None:
    """Restart JupyterHub in its container and wait until it answers again."""
    supervisor_pid, child_pid = pid_files(settings)
    before = child_pid.read_text()
    os.kill(int(supervisor_pid.read_text()), signal.SIGHUP)
    _wait_for_new_hub(settings, hub, before, timeout)


@contextmanager
def hub_stopped(
    settings: Settings, hub: HubAPI, timeout: float = 120, stay_stopped: bool = False
) -> Iterator[None]:
    """JupyterHub (and the services it runs) stopped in its container for the duration, so that
    its database and secrets can be replaced; then started again, and answering. With
    ``stay_stopped`` it starts again only if the work failed: otherwise the container's next
    start (say, with new settings) starts it."""
    supervisor_pid, child_pid = pid_files(settings)
    before = child_pid.read_text()
    hold_file(settings).write_text("held by coursehub\n")
    try:
        os.kill(int(supervisor_pid.read_text()), signal.SIGHUP)
        deadline = time.monotonic() + timeout
        while Path(f"/proc/{before}").exists():
            if time.monotonic() > deadline:
                raise HubAPIError(f"JupyterHub did not stop within {timeout}s")
            time.sleep(0.2)
        yield
    except BaseException:
        hold_file(settings).unlink(missing_ok=True)
        _wait_for_new_hub(settings, hub, before, timeout)
        raise
    if not stay_stopped:
        hold_file(settings).unlink(missing_ok=True)
        _wait_for_new_hub(settings, hub, before, timeout)


def _wait_for_new_hub(settings: Settings, hub: HubAPI, before: str, timeout: float) -> None:
    _, child_pid = pid_files(settings)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        time.sleep(0.5)
        if child_pid.read_text() == before:
            continue
        try:
            hub.info()
            return
        except HubAPIError:
            continue
    raise HubAPIError(f"the hub did not come back within {timeout}s: see `docker compose logs hub`")
