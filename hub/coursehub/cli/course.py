"""``coursehub course``: the course repository the platform serves."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import docker
import typer
from rich.progress import Progress

from ..course import CourseRepository
from ..sync import running_learner_containers, sync_all
from ..users import UserError
from . import context
from .output import JsonOption, console, handle_errors, print_json, table

app = typer.Typer(help="The course repository.", no_args_is_help=True)


def repository() -> CourseRepository:
    settings = context.settings()
    return CourseRepository(settings.course_repo_dir, settings.course_branch)


@app.command()
@handle_errors
def serve(port: int = 9418) -> None:
    """Serve the course with git daemon; on first start, publish the bundled course as v1."""
    settings = context.settings()
    repo = repository()
    if repo.head() is None:
        version = repo.publish(settings.course_source, "Course as bundled with coursehub")
        console.print(f"Published {settings.course_source} as {version.label} ({version.commit[:12]})")
    command = repo.serve_command(port)
    os.execvp(command[0], command)


@app.command("log")
@handle_errors
def log(as_json: JsonOption = False) -> None:
    """The published versions, newest first."""
    versions = repository().versions()
    if as_json:
        print_json([v.__dict__ for v in versions])
    else:
        table(
            None,
            ["version", "commit", "date", "message"],
            [[v.label, v.commit[:12], v.date, v.message] for v in versions],
        )


@app.command()
@handle_errors
def publish(
    path: Annotated[
        Path | None, typer.Argument(help="Course tree to publish; default: the checkout's course/.")
    ] = None,
    message: Annotated[
        str, typer.Option("--message", "-m", help="What changed, for the log.")
    ] = "Course update",
    as_json: JsonOption = False,
) -> None:
    """Publish the course tree as the next version; learners get it at their next start or `course sync`."""
    settings = context.settings()
    version = repository().publish(path or settings.course_source, message)
    if as_json:
        print_json(version.__dict__)
    else:
        console.print(f"Published [bold]{version.label}[/] ({version.commit[:12]}): {version.message}")


@app.command()
@handle_errors
def sync(
    group: Annotated[
        str | None, typer.Option("--group", help="Only the running servers of this group.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Pull the published course into every running server now, and report learner by learner."""
    context.require_single_host("course sync", "each learner gets the new version at their next start")
    settings = context.settings()
    members = None
    if group is not None:
        found = context.hub_api().group(group)
        if found is None:
            raise UserError(f"unknown group {group!r}")
        members = found["users"]
    containers = running_learner_containers(docker.from_env(), settings.prefix, members)
    with Progress(console=console, disable=as_json, transient=True) as progress:
        task = progress.add_task("Syncing the course", total=len(containers))
        reports = sync_all(containers, lambda user, report: progress.advance(task))
    if as_json:
        print_json(reports)
        return
    table(
        f"Course sync ({len(reports)} running servers)",
        ["learner", "result", "version", "details"],
        [
            [user, r["status"], r.get("version", ""), ", ".join(r.get("files", [])) or r.get("error", "")]
            for user, r in reports.items()
        ],
    )
    if any(r["status"] == "failed" for r in reports.values()):
        raise typer.Exit(1)
