"""``coursehub db``: the hub database."""

from __future__ import annotations

import typer

from ..database import DatabaseError, migrate, safe_url
from ..supervisor import hub_stopped
from . import context
from .output import JsonOption, ProgressBars, console, handle_errors, print_json

app = typer.Typer(help="The hub database.", no_args_is_help=True)


@app.command("migrate")
@handle_errors
def migrate_to_postgres(as_json: JsonOption = False) -> None:
    """Copy the hub's SQLite database into the compose profile's PostgreSQL.

    Start PostgreSQL first (docker compose --profile postgres up -d postgres). JupyterHub stays
    stopped afterwards, so that nothing changes in SQLite any more: set COURSEHUB_DATABASE=postgres
    in .env and run `docker compose --profile postgres up -d` to start it on PostgreSQL."""
    settings = context.settings()
    if settings.database_url != settings.sqlite_url:
        raise DatabaseError(f"the hub already uses {safe_url(settings.database_url)}, not SQLite")
    if not settings.postgres_password_file.exists():
        raise DatabaseError(
            f"{settings.postgres_password_file} is missing: is the database-secret volume mounted? "
            "(docker-compose.yml of this version mounts it)"
        )
    with ProgressBars() as progress, hub_stopped(settings, context.hub_api(), stay_stopped=True):
        rows = migrate(
            settings.sqlite_url,
            settings.postgres_url,
            lambda table, done, total: progress("tables", done, total),
        )
    if as_json:
        print_json({"tables": rows, "target": safe_url(settings.postgres_url)})
        return
    console.print(
        f"Copied {sum(rows.values())} rows in {len(rows)} tables to {safe_url(settings.postgres_url)}. "
        "JupyterHub is stopped: set COURSEHUB_DATABASE=postgres in .env, then run "
        "`docker compose --profile postgres up -d`."
    )
