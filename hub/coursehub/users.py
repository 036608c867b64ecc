"""Managing learners and admins: one operation touches both the hub and the password table.

Every operation validates first and changes nothing when the input is bad; when the hub
refuses half-way, what was already written is rolled back.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import asdict, dataclass

from .accounts import Accounts
from .hubapi import HubAPI
from .instructors import INSTRUCTORS, instructors_group

# Lower-case so names that differ only by case cannot exist side by side; no path or shell
# characters, since names become container and volume names.
USERNAME_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,31}$"
USERNAME_RULE = (
    "1-32 characters: lower-case letters a-z, digits, '.', '_' or '-', starting with a letter or digit"
)
MIN_PASSWORD_LENGTH = 8


class UserError(ValueError):
    """Bad input about a user (invalid name, unknown, duplicate, weak password)."""


def validate_username(name: str) -> str:
    if not re.fullmatch(USERNAME_PATTERN, name):
        raise UserError(f"invalid user name {name!r}: use {USERNAME_RULE}")
    return name


def validate_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    return password


def generate_password() -> str:
    return secrets.token_urlsafe(12)


@dataclass(frozen=True)
class UserRow:
    name: str
    approved: bool
    admin: bool
    groups: list[str]
    server: str  # "running", "starting", "stopping" or "stopped"
    last_activity: str | None

    def as_dict(self) -> dict:
        return asdict(self)


def server_state(user: dict | None) -> str:
    server = (user or {}).get("servers", {}).get("")
    if not server:
        return "stopped"
    if server.get("ready"):
        return "running"
    return server.get("pending") or "starting"


class Users:
    def __init__(self, accounts: Accounts, hub: HubAPI):
        self.accounts = accounts
        self.hub = hub

    def add(
        self,
        name: str,
        *,
        admin: bool = False,
        group: str | None = None,
        instructor_of: str | None = None,
        password: str | None = None,
    ) -> str:
        """Create an approved user and return its password (generated unless given)."""
        validate_username(name)
        password = validate_password(password) if password is not None else generate_password()
        if self.accounts.has_password(name) or self.hub.user(name) is not None:
            raise UserError(f"user {name!r} already exists")
        groups = [group] if group is not None else []
        if instructor_of is not None:
            groups += [instructors_group(instructor_of), INSTRUCTORS]
            if self.hub.group(instructor_of) is None:
                raise UserError(f"unknown group {instructor_of!r}: create it with `coursehub groups create`")
            if self.hub.group(INSTRUCTORS) is None:
                self.hub.create_group(INSTRUCTORS)
        for wanted in groups:
            if self.hub.group(wanted) is None:
                raise UserError(f"unknown group {wanted!r}")

        self.accounts.set_password(name, password, approve=True)
        try:
            self.hub.create_user(name, admin=admin)
            for wanted in groups:
                self.hub.add_to_group(wanted, [name])
        except Exception:
            self.hub.delete_user(name)
            self.accounts.delete(name)
            raise
        return password

    def approve(self, name: str) -> None:
        if not self.accounts.has_password(name):
            raise UserError(f"unknown user {name!r}: nobody signed up under that name")
        self.accounts.approve(name)

    def reset_password(self, name: str, password: str | None = None) -> str:
        password = validate_password(password) if password is not None else generate_password()
        if not self.accounts.has_password(name) and self.hub.user(name) is None:
            raise UserError(f"unknown user {name!r}")
        self.accounts.set_password(name, password, approve=True)
        return password

    def list(self) -> list[UserRow]:
        hub_users = {user["name"]: user for user in self.hub.users()}
        accounts = {account.name: account for account in self.accounts.all()}
        rows = []
        for name in sorted(hub_users.keys() | accounts.keys()):
            user = hub_users.get(name)
            account = accounts.get(name)
            rows.append(
                UserRow(
                    name=name,
                    approved=bool(account and account.approved),
                    admin=bool(user and user.get("admin")),
                    groups=sorted((user or {}).get("groups", [])),
                    server=server_state(user),
                    last_activity=(user or {}).get("last_activity"),
                )
            )
        return rows
