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
from pathlib import Path

from .hubapi import HubAPI, HubAPIError
from .settings import Settings


def pid_files(settings: Settings) -> tuple[Path, Path]:
    return settings.state_dir / "supervisor.pid", settings.state_dir / "jupyterhub.pid"


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
    raise HubAPIError(
        f"the hub did not come back within {timeout}s after reloading: see `docker compose logs hub`"
    )
