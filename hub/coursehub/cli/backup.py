"""``coursehub backup`` and ``coursehub restore``: the whole hub in one archive, and back."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import docker
import typer

from ..backup import Backup, Restore
from ..supervisor import hub_stopped
from . import context
from .output import JsonOption, ProgressBars, console, handle_errors, print_json

# Bind-mounted from the host (COURSEHUB_BACKUP_DIR, ./backups by default): archives land there.
BACKUP_DIR = Path("/srv/backups")
SWARM_BACKUP = "back up the shared storage and the hub-state volume (deploy/swarm/README.md)"


def default_output() -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    return BACKUP_DIR / f"coursehub-{context.settings().prefix}-{stamp}.tar"


def find_archive(path: Path) -> Path:
    """As given, or else in the backups folder (where `coursehub backup` puts them)."""
    if path.exists() or path.is_absolute():
        return path
    return BACKUP_DIR / path


@handle_errors
def backup(
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Archive to write (default: a new file in backups/)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Write the hub database, every learner's home, the course and the settings into one archive."""
    context.require_single_host("backup", SWARM_BACKUP)
    target = output or default_output()
    with ProgressBars() as progress:
        manifest = Backup(context.settings(), docker.from_env(), progress).write(target)
    homes = [part["user"] for part in manifest["parts"] if part["user"]]
    if as_json:
        print_json({"archive": str(target), **manifest})
        return
    size = sum(part["size"] for part in manifest["parts"])
    console.print(
        f"Wrote {target} ({size / 2**20:.1f} MB): hub, course, settings, {len(homes)} learner homes."
    )


@handle_errors
def restore(
    archive: Annotated[Path, typer.Argument(help="Archive written by `coursehub backup`.")],
    as_json: JsonOption = False,
) -> None:
    """Rebuild the hub from a backup: on a fresh stack (no learner homes yet) of the same version."""
    context.require_single_host("restore", SWARM_BACKUP)
    settings = context.settings()
    path = find_archive(archive)
    settings_file = path.with_suffix(".settings.env")
    with ProgressBars() as progress:
        manifest = Restore(settings, docker.from_env(), progress).run(
            path, lambda: hub_stopped(settings, context.hub_api()), settings_file
        )
    homes = [part["user"] for part in manifest["parts"] if part["user"]]
    if as_json:
        print_json({"archive": str(path), "homes": homes, "created": manifest["created"]})
        return
    console.print(
        f"Restored the backup of {manifest['created']}: hub, course and {len(homes)} learner homes. "
        f"The old hub's settings are in {settings_file.name}, beside the archive: compare them with "
        "this host's .env."
    )
