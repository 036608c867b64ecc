"""The ``coursehub`` command: run inside the hub container (``docker compose exec hub coursehub …``)."""

from __future__ import annotations

import os
import shutil
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer

from .. import __version__
from ..allocator import Allocator
from ..bootstrap import bootstrap
from ..culling import run_forever
from ..gpu_pool import AllocationStore
from ..hubapi import HubAPI
from ..inventory import inventory_loader
from ..profiles import DEFAULT_PROFILES
from ..settings import Settings
from ..status import collect
from ..supervisor import supervise
from . import backup, context, course, data, db, export, gpus, groups, images, nodes, users
from .output import JsonOption, console, handle_errors, print_json, table

JUPYTERHUB_CONFIG = Path("/etc/jupyterhub/jupyterhub_config.py")

app = typer.Typer(
    help="coursehub: a self-hosted JupyterHub course platform.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(users.app, name="users")
app.add_typer(groups.app, name="groups")
app.add_typer(course.app, name="course")
app.add_typer(data.app, name="data")
app.add_typer(gpus.app, name="gpus")
app.add_typer(db.app, name="db")
app.add_typer(nodes.app, name="nodes")
app.add_typer(images.app, name="images")
app.add_typer(export.app, name="export")
app.command()(backup.backup)
app.command()(backup.restore)


@app.command()
@handle_errors
def serve(
    config: Annotated[Path, typer.Option(help="JupyterHub configuration file.")] = JUPYTERHUB_CONFIG,
) -> None:
    """Start the hub: validate settings, create secrets and the admin on first start, run JupyterHub."""
    settings = context.settings()
    bootstrap(settings)
    supervise(settings, [shutil.which("jupyterhub") or "jupyterhub", "-f", str(config)])


@app.command()
@handle_errors
def status(as_json: JsonOption = False) -> None:
    """The hub, the course version, and every running server with its resources."""
    report = collect(context.settings(), context.hub_api())
    if as_json:
        print_json(report)
        return
    hub, course_info = report["hub"], report["course"]
    console.print(f"Hub: JupyterHub {hub['version']}, {hub['users']} users, coursehub {__version__}")
    console.print(
        f"Course: {course_info['repo']} ({course_info['branch']}) at "
        f"{course_info['version'] or '[red]unreachable[/]'}"
    )
    if report["docker_error"]:
        console.print(f"[red]{report['docker_error']}[/]")
    table(
        f"Servers ({len(report['servers'])})",
        ["user", "state", "node", "memory used / limit (MB)", "CPUs", "course version", "started"],
        [
            [
                s["user"],
                s["state"],
                s.get("node", "-"),
                f"{s.get('memory_used_mb', '?')} / {s.get('memory_limit_mb') or '-'}",
                s.get("cpu_limit"),
                s.get("course_version"),
                s.get("started"),
            ]
            for s in report["servers"]
        ],
    )


@app.command()
@handle_errors
def settings(
    as_json: JsonOption = False,
    markdown: Annotated[
        bool, typer.Option("--markdown", help="The configuration table of the README.")
    ] = False,
) -> None:
    """The effective settings (or, with --markdown, the table of every setting)."""
    if markdown:
        typer.echo(settings_markdown())
        return
    values = context.settings().model_dump(mode="json")
    if as_json:
        print_json(values)
    else:
        table(None, ["setting", "value"], [[f"COURSEHUB_{k.upper()}", v] for k, v in values.items()])


def settings_markdown() -> str:
    lines = ["| Variable | Default | Meaning |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        default = "" if field.default is None else f"`{field.default}`"
        lines.append(f"| `COURSEHUB_{name.upper()}` | {default} | {field.description} |")
    return "\n".join(lines)


@app.command("cull-gpus", hidden=True)
@handle_errors
def cull_gpus(every: float = 60.0) -> None:
    """Run the GPU-aware culler (started by the hub as a service, with its own token)."""
    import logging

    settings = context.settings()
    logging.basicConfig(level=settings.log_level, format="[%(levelname)s %(asctime)s gpu-culler] %(message)s")
    hub = HubAPI(os.environ["JUPYTERHUB_API_URL"], os.environ["JUPYTERHUB_API_TOKEN"])
    store = AllocationStore(settings.database_url)
    load_inventory = inventory_loader(settings)
    run_forever(
        lambda: Allocator(load_inventory(), store.load()),
        hub,
        settings.profiles or DEFAULT_PROFILES,
        timedelta(seconds=settings.gpu_idle_timeout),
        every,
    )


@app.command()
def version() -> None:
    """Print the coursehub version."""
    typer.echo(__version__)
