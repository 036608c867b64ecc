"""How every command reports: a rich table for people, ``--json`` for scripts, clear errors."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable
from typing import Annotated, Any

import typer
from docker.errors import DockerException
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ..backup import BackupError
from ..course import CourseError
from ..database import DatabaseError
from ..datasets import DataError
from ..hubapi import HubAPIError
from ..settings import SettingsError
from ..swarm import SwarmError
from ..users import UserError

console = Console()
errors = Console(stderr=True, soft_wrap=True)

JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]

# Failures caused by input or by the platform's state: reported in one line, exit code 1.
EXPECTED_ERRORS = (
    BackupError,
    DatabaseError,
    UserError,
    SettingsError,
    HubAPIError,
    CourseError,
    DataError,
    SwarmError,
    FileNotFoundError,
    # The Engine's own refusals (e.g. an unknown image): its message says why.
    DockerException,
)


def handle_errors(command: Callable) -> Callable:
    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except EXPECTED_ERRORS as error:
            fail(str(error))

    return wrapper


def fail(message: str, code: int = 1) -> None:
    errors.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def table(title: str | None, columns: Iterable[str], rows: Iterable[Iterable[Any]]) -> None:
    view = Table(title=title, title_justify="left")
    for column in columns:
        view.add_column(column)
    for row in rows:
        view.add_row(*("" if cell is None else str(cell) for cell in row))
    console.print(view)


class ProgressBars:
    """One bar per step, on stderr, so that --json output stays clean."""

    def __init__(self) -> None:
        self.bars = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TimeElapsedColumn(),
            console=errors,
        )
        self.tasks: dict[str, int] = {}

    def __call__(self, step: str, done: int, total: int | None) -> None:
        if step not in self.tasks:
            self.tasks[step] = self.bars.add_task(step, total=total)
        self.bars.update(self.tasks[step], completed=done, total=total)

    def __enter__(self) -> ProgressBars:
        self.bars.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self.bars.__exit__(*exc)
