"""``coursehub course``: the course repository the platform serves."""

from __future__ import annotations

import os

import typer

from ..course import CourseRepository
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
