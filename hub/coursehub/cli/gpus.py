"""``coursehub gpus``: who holds which GPU, and taking one back."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from urllib.parse import quote

import typer

from ..gpu_pool import AllocationStore
from ..inventory import every_gpu
from ..users import UserError, server_state
from . import context
from .output import JsonOption, console, handle_errors, print_json, table

STOP_TIMEOUT = 120

app = typer.Typer(help="GPUs: inventory and who holds what.", invoke_without_command=True)


def gpu_report() -> list[dict]:
    settings = context.settings()
    allocations = AllocationStore(settings.database_url).load()
    now = datetime.now(UTC)
    rows = []
    for gpu in every_gpu(settings):
        holders = [a for a in allocations if a.uuid == gpu.uuid]
        rows.append(
            {
                "node": gpu.node,
                "uuid": gpu.uuid,
                "name": gpu.name,
                "memory_mb": gpu.memory_mb,
                "mig_profile": gpu.mig_profile,
                "mode": holders[0].mode if holders else "free",
                "profile": holders[0].profile if holders else None,
                "holders": [
                    {
                        "user": a.user,
                        "since": a.since.isoformat(),
                        "minutes": int((now - a.since).total_seconds() // 60),
                    }
                    for a in holders
                ],
                "utilisation": None,  # not known without NVML on the node
            }
        )
    return rows


@app.callback()
@handle_errors
def gpus(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Every GPU of every node: memory, profile, learners holding it and since when."""
    if ctx.invoked_subcommand is not None:
        return
    rows = gpu_report()
    if as_json:
        print_json(rows)
        return
    if not rows:
        console.print(
            "No GPUs: this platform runs CPU-only (set COURSEHUB_GPUS or install the NVIDIA runtime)."
        )
        return
    table(
        None,
        ["node", "GPU", "memory", "mode", "profile", "held by (minutes)"],
        [
            [
                r["node"],
                f"{r['name']} {r['uuid'][:16]}",
                f"{r['memory_mb']} MiB",
                r["mode"],
                r["profile"],
                ", ".join(f"{h['user']} ({h['minutes']})" for h in r["holders"]),
            ]
            for r in rows
        ],
    )


@app.command("release")
@handle_errors
def release(user: str, as_json: JsonOption = False) -> None:
    """Take back USER's GPU: stops their server (their files stay); the next in the queue gets it."""
    settings = context.settings()
    store = AllocationStore(settings.database_url)
    held = [a for a in store.load() if a.user == user]
    if not held:
        raise UserError(f"{user!r} holds no GPU")
    hub = context.hub_api()
    if hub.user(user) is not None:
        hub.request("DELETE", f"users/{quote(user)}/server", ok_missing=True)
        deadline = time.monotonic() + STOP_TIMEOUT
        while server_state(hub.user(user)) != "stopped":
            if time.monotonic() > deadline:
                raise UserError(f"{user}'s server did not stop within {STOP_TIMEOUT}s; the GPU stays held")
            time.sleep(0.5)
    # Stopping gave the GPU back; a server that was already gone can leave its row behind.
    store.remove(user)
    result = {"user": user, "released": held[0].uuid}
    print_json(result) if as_json else console.print(f"Released {held[0].uuid} from {user}.")
