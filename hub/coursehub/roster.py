"""Importing a study group's roster from CSV: ``name,group[,email]`` per line.

Every row is checked before anything is created; bad rows are reported with their line number
and skipped, the good ones are created one by one, each completely or not at all.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from .users import UserError, validate_username

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class RosterRow:
    line: int
    name: str
    group: str | None
    email: str | None


@dataclass(frozen=True)
class RosterProblem:
    line: int
    message: str


def parse_roster(text: str) -> tuple[list[RosterRow], list[RosterProblem]]:
    rows, problems, seen = [], [], set()
    reader = csv.reader(io.StringIO(text))
    for line, fields in enumerate(reader, start=1):
        fields = [field.strip() for field in fields]
        if not any(fields) or fields[0].startswith("#"):
            continue
        if line == 1 and fields[0].lower() == "name":
            continue  # a header row
        if len(fields) > 3:
            problems.append(RosterProblem(line, f"expected name,group[,email], got {len(fields)} columns"))
            continue
        name, group, email = [*fields, "", ""][:3]
        try:
            validate_username(name)
            if group:
                validate_username(group)
        except UserError as error:
            problems.append(RosterProblem(line, str(error).replace("user name", "name")))
            continue
        if email and not EMAIL.match(email):
            problems.append(RosterProblem(line, f"invalid email {email!r}"))
            continue
        if name in seen:
            problems.append(RosterProblem(line, f"{name!r} appears twice in the file"))
            continue
        seen.add(name)
        rows.append(RosterRow(line, name, group or None, email or None))
    return rows, problems
