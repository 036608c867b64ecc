"""``coursehub users``: accounts of learners and admins."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from . import context
from .output import JsonOption, console, handle_errors, print_json, table

app = typer.Typer(help="Learner and admin accounts.", no_args_is_help=True)


def _read_password_stdin() -> str:
    return sys.stdin.readline().rstrip("\r\n")


@app.command("add")
@handle_errors
def add(
    name: Annotated[str, typer.Argument(help="The new user's name.")],
    admin: Annotated[bool, typer.Option("--admin", help="Make the user an admin.")] = False,
    group: Annotated[str | None, typer.Option("--group", help="Add the user to this group.")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Create an approved user and print its password (generated unless --password-stdin)."""
    password = _read_password_stdin() if password_stdin else None
    password = context.users().add(name, admin=admin, group=group, password=password)
    result = {"name": name, "admin": admin, "group": group}
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
