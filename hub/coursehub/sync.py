"""``coursehub course sync``: bring the course up to date in every running learner server now.

Each server runs the learner image's ``coursehub-sync`` (the same one that runs at every
start), which merges notebooks cell by cell and reports what happened to that learner.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor

from .spawner import LABEL_PREFIX, LABEL_ROLE, LABEL_USER, ROLE_LEARNER_SERVER

SYNC_COMMAND = ["coursehub-sync"]


def running_learner_containers(client, prefix: str, users: Iterable[str] | None = None) -> dict[str, object]:
    filters = {
        "label": [f"{LABEL_PREFIX}={prefix}", f"{LABEL_ROLE}={ROLE_LEARNER_SERVER}"],
        "status": "running",
    }
    wanted = set(users) if users is not None else None
    found = {}
    for container in client.containers.list(filters=filters):
        user = container.labels.get(LABEL_USER)
        if user and (wanted is None or user in wanted):
            found[user] = container
    return found


def sync_container(container) -> dict:
    result = container.exec_run(SYNC_COMMAND, user="jovyan", workdir="/home/jovyan")
    lines = result.output.decode(errors="replace").strip().splitlines()
    try:
        return json.loads(lines[-1])
    except (IndexError, ValueError):
        return {"status": "failed", "error": "\n".join(lines[-5:]) or f"exit code {result.exit_code}"}


def sync_all(
    containers: dict[str, object], done: Callable[[str, dict], None] | None = None
) -> dict[str, dict]:
    """Sync every container (a few at a time); ``done`` hears about each learner as it finishes."""
    reports: dict[str, dict] = {}

    def one(user: str) -> None:
        reports[user] = sync_container(containers[user])
        if done:
            done(user, reports[user])

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(one, sorted(containers)))
    return dict(sorted(reports.items()))
