"""``coursehub users``: accounts of learners and admins."""

from __future__ import annotations

import csv
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from ..roster import RosterProblem, parse_roster
from ..users import UserError
from . import context
from .output import JsonOption, console, errors, handle_errors, print_json, table

app = typer.Typer(help="Learner and admin accounts.", no_args_is_help=True)


def _read_password_stdin() -> str:
    return sys.stdin.readline().rstrip("\r\n")


@app.command("add")
@handle_errors
def add(
    name: Annotated[str, typer.Argument(help="The new user's name.")],
    admin: Annotated[bool, typer.Option("--admin", help="Make the user an admin.")] = False,
    group: Annotated[str | None, typer.Option("--group", help="Add the user to this group.")] = None,
    instructor: Annotated[
        str | None, typer.Option("--instructor", help="Make the user an instructor of this study group.")
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Create an approved user and print its password (generated unless --password-stdin)."""
    password = _read_password_stdin() if password_stdin else None
    password = context.users().add(
        name, admin=admin, group=group, instructor_of=instructor, password=password
    )
    result = {"name": name, "admin": admin, "group": group, "instructor_of": instructor}
    if not password_stdin:
        result["password"] = password
    if as_json:
        print_json(result)
    else:
        console.print(f"Created {'admin' if admin else 'user'} [bold]{name}[/].")
        if not password_stdin:
            console.print(f"Password: [bold]{password}[/]  (shown once)")


@app.command("approve")
@handle_errors
def approve(name: str, as_json: JsonOption = False) -> None:
    """Approve a learner who signed up, so they can log in."""
    context.users().approve(name)
    print_json({"name": name, "approved": True}) if as_json else console.print(f"Approved [bold]{name}[/].")


@app.command("reset-password")
@handle_errors
def reset_password(
    name: str,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the new password from standard input.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Give a user a new password and print it (generated unless --password-stdin)."""
    given = _read_password_stdin() if password_stdin else None
    password = context.users().reset_password(name, given)
    result = {"name": name} | ({} if password_stdin else {"password": password})
    if as_json:
        print_json(result)
    else:
        console.print(
            f"New password for [bold]{name}[/]: [bold]{password}[/]" if not password_stdin else "Done."
        )


@app.command("list")
@handle_errors
def list_users(as_json: JsonOption = False) -> None:
    """All users, including sign-ups waiting for approval."""
    rows = context.users().list()
    if as_json:
        print_json([row.as_dict() for row in rows])
        return
    table(
        None,
        ["name", "approved", "admin", "groups", "server", "last activity"],
        [
            [
                r.name,
                "yes" if r.approved else "[yellow]waiting[/]",
                "yes" if r.admin else "",
                ", ".join(r.groups),
                r.server,
                r.last_activity,
            ]
            for r in rows
        ],
    )


@app.command("import")
@handle_errors
def import_roster(
    file: Annotated[
        str, typer.Argument(help="CSV with name,group[,email] per line; '-' reads standard input.")
    ],
    output: Annotated[
        Path | None,
        typer.Option("--output", help="Write the new accounts and passwords to this CSV (mode 600)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Create approved accounts from a roster; bad rows are reported by line and skipped."""
    text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8-sig")
    rows, problems = parse_roster(text)
    users = context.users()
    hub = context.hub_api()
    created, new_groups = [], []
    for row in rows:
        if row.group and row.group not in new_groups and hub.group(row.group) is None:
            hub.create_group(row.group)
            new_groups.append(row.group)
        try:
            password = users.add(row.name, group=row.group)
        except UserError as error:
            problems.append(RosterProblem(row.line, str(error)))
            continue
        created.append({"name": row.name, "group": row.group, "email": row.email, "password": password})
    problems.sort(key=lambda p: p.line)
    if output is not None and created:
        fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=["name", "group", "email", "password"])
            writer.writeheader()
            writer.writerows(created)
    shown = created if output is None else [{k: v for k, v in c.items() if k != "password"} for c in created]
    report = {
        "created": shown,
        "groups_created": new_groups,
        "skipped": [{"line": p.line, "error": p.message} for p in problems],
    }
    if as_json:
        print_json(report)
    else:
        if created:
            table(
                f"Created {len(created)} accounts" + (f" (passwords in {output})" if output else ""),
                ["name", "group", "password"],
                [[c["name"], c["group"], "(in file)" if output else c["password"]] for c in created],
            )
        for problem in problems:
            errors.print(f"[yellow]line {problem.line}:[/] {problem.message} (skipped)", highlight=False)
    if problems:
        raise typer.Exit(1)
