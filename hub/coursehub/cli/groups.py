"""``coursehub groups``: study groups (JupyterHub groups)."""

from __future__ import annotations

from typing import Annotated

import typer

from ..instructors import instructors_group, is_study_group
from ..supervisor import reload_hub
from ..users import UserError, validate_username
from . import context
from .output import JsonOption, console, handle_errors, print_json, table

app = typer.Typer(help="Study groups.", no_args_is_help=True)


@app.command("create")
@handle_errors
def create(name: str, as_json: JsonOption = False) -> None:
    """Create a study group (and its instructors group); the hub restarts to load the group's role."""
    validate_username(name)  # same rule: group names appear in URLs and labels
    if not is_study_group(name):
        raise UserError(f"{name!r} is reserved for instructors; choose another group name")
    hub = context.hub_api()
    if hub.group(name) is not None:
        raise UserError(f"group {name!r} already exists")
    hub.create_group(name)
    hub.create_group(instructors_group(name))
    # JupyterHub loads roles at start only: reload it so the group's instructor role exists.
    reload_hub(context.settings(), hub)
    if as_json:
        print_json({"group": name, "instructors_group": instructors_group(name)})
    else:
        console.print(f"Created group [bold]{name}[/] (its instructors: group {instructors_group(name)}).")


@app.command("add")
@handle_errors
def add(
    group: str,
    names: Annotated[list[str], typer.Argument(help="Users to add.")],
    as_json: JsonOption = False,
) -> None:
    """Add existing users to a group."""
    hub = context.hub_api()
    if hub.group(group) is None:
        raise UserError(f"unknown group {group!r}")
    unknown = [name for name in names if hub.user(name) is None]
    if unknown:
        raise UserError(f"unknown user(s): {', '.join(unknown)}")
    hub.add_to_group(group, names)
    print_json({"group": group, "added": names}) if as_json else console.print(
        f"Added {', '.join(names)} to {group}."
    )


@app.command("list")
@handle_errors
def list_groups(as_json: JsonOption = False) -> None:
    """Every group and its members."""
    groups = context.hub_api().request("GET", "groups")
    if as_json:
        print_json([{"name": g["name"], "users": g["users"]} for g in groups])
    else:
        table(None, ["group", "members"], [[g["name"], ", ".join(g["users"])] for g in groups])
