"""``coursehub data``: stage the course's datasets and weights in the shared data volume."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeRemainingColumn, TransferSpeedColumn

from .. import datasets
from . import context
from .output import JsonOption, console, fail, handle_errors, print_json, table

app = typer.Typer(help="Datasets in the shared data volume.", no_args_is_help=True)

MirrorOption = Annotated[
    str | None,
    typer.Option(
        "--mirror",
        help="Base URL replacing each source's origin (default: COURSEHUB_DATA_MIRROR).",
        show_default=False,
    ),
]


def _size(n: int | None) -> str:
    if n is None:
        return "-"
    value = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} GB"


def _data_dir() -> Path:
    return Path(context.settings().data_dir)


class _Bars:
    """Rich progress bars fed by the fetcher's callback: one bar per file and stage."""

    def __init__(self, progress: Progress) -> None:
        self.stages = {"download": "downloading", "verify": "verifying", "unpack": "unpacking"}
        self.progress = progress
        self.tasks: dict[tuple[str, str, str], TaskID] = {}

    def __call__(self, event: datasets.Progress) -> None:
        if event.stage not in self.stages:
            return
        key = (event.dataset, event.file, event.stage)
        detail = f"{_size(event.done)} / {_size(event.total)}" if event.stage == "download" else ""
        if key not in self.tasks:
            label = f"{event.dataset}: {self.stages[event.stage]} {event.file}"
            self.tasks[key] = self.progress.add_task(label, total=event.total, detail=detail)
        self.progress.update(self.tasks[key], completed=event.done, total=event.total, detail=detail)


@app.command("fetch")
@handle_errors
def fetch(
    names: Annotated[list[str] | None, typer.Argument(help="Datasets to stage (see `data list`).")] = None,
    fetch_all: Annotated[bool, typer.Option("--all", help="Stage every dataset.")] = False,
    mirror: MirrorOption = None,
    as_json: JsonOption = False,
) -> None:
    """Download, verify and unpack datasets into the data volume; staged ones are skipped."""
    known = sorted(datasets.DATASETS)
    if fetch_all:
        wanted = list(datasets.DATASETS)
    elif names:
        # Every name is checked before anything is downloaded: a typo should not cost an hour.
        unknown = [n for n in names if n not in datasets.DATASETS]
        if unknown:
            fail(f"unknown dataset(s): {', '.join(unknown)}; known datasets: {', '.join(known)}")
        wanted = list(dict.fromkeys(names))
    else:
        fail(f"name the datasets to fetch or pass --all; known datasets: {', '.join(known)}")
    settings = context.settings()
    data_dir, mirror = Path(settings.data_dir), mirror or settings.data_mirror
    datasets.mirror_url("https://example.org/", mirror)  # a bad mirror is one error, not one per dataset

    results: list[dict[str, Any]] = []
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[detail]}"),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, disable=as_json, transient=False) as progress:
        bars = _Bars(progress)
        for name in wanted:
            try:
                result = datasets.fetch(name, data_dir, mirror=mirror, progress=bars)
            except (datasets.DataError, OSError) as error:  # OSError: e.g. a full or read-only volume
                results.append({"name": name, "status": "failed", "error": str(error)})
                if not as_json:
                    progress.console.print(f"[bold red]{name}: failed:[/] {error}", highlight=False)
                continue
            results.append(
                {
                    "name": name,
                    "status": "already staged" if result.skipped else "staged",
                    "path": str(result.path),
                    "downloaded_bytes": result.downloaded_bytes,
                    "checksums": result.checksums,
                }
            )

    if as_json:
        print_json(results)
    else:
        table(
            f"Datasets in {data_dir}",
            ["Name", "Result", "Downloaded", "Checksum"],
            [
                (
                    r["name"],
                    r["status"],
                    _size(r.get("downloaded_bytes")) if r["status"] == "staged" else "-",
                    ", ".join(sorted(set(r.get("checksums", {}).values()))) or "-",
                )
                for r in results
            ],
        )
    failed = [r["name"] for r in results if r["status"] == "failed"]
    if failed:
        if as_json:
            raise typer.Exit(1)
        fail(f"could not stage: {', '.join(failed)} (run the same command again to resume downloads)")


@app.command("list")
@handle_errors
def list_datasets(as_json: JsonOption = False) -> None:
    """Every dataset the course uses: staged or not, size on disk, how it is verified."""
    data_dir = _data_dir()
    statuses = datasets.dataset_status(data_dir)
    if as_json:
        print_json([{**s.as_dict(), "path": str(data_dir / s.name)} for s in statuses])
        return
    table(
        f"Datasets in {data_dir}",
        ["Name", "Staged", "Size", "Checksum", "Description"],
        [(s.name, "yes" if s.staged else "no", _size(s.bytes), s.checksum, s.description) for s in statuses],
    )
