"""Instructors of a study group: a JupyterHub role per group, granted to that group's instructors.

Study group ``G`` is the JupyterHub group ``G``; its instructors are the members of the group
``G-instructors`` (and of ``instructors``, which GPU profiles may name). The role
``instructor-of-G`` lets them list G's learners, see and start/stop their servers, and open
them to help, and nothing outside G. JupyterHub reads roles only when it starts, so the hub
defines one role for every study group in its database at start-up, and ``groups create``
restarts the hub (learners' servers keep running).
"""

from __future__ import annotations

from jupyterhub import orm
from sqlalchemy import select

INSTRUCTORS = "instructors"
INSTRUCTORS_SUFFIX = "-instructors"


def instructors_group(group: str) -> str:
    return f"{group}{INSTRUCTORS_SUFFIX}"


def is_study_group(name: str) -> bool:
    return name != INSTRUCTORS and not name.endswith(INSTRUCTORS_SUFFIX)


def instructor_role(group: str) -> dict:
    scopes = [
        f"list:users!group={group}",
        f"read:users!group={group}",
        f"read:users:activity!group={group}",
        f"read:servers!group={group}",
        f"servers!group={group}",
        f"access:servers!group={group}",
        f"read:groups!group={group}",
    ]
    return {
        "name": f"instructor-of-{group}",
        "description": f"Instructors of study group {group}: see, start, stop and open its learners' servers",
        "scopes": scopes,
        "groups": [instructors_group(group)],
    }


def study_groups(db_url: str) -> list[str]:
    """Study groups in the hub database that have their instructors group."""
    sessions = orm.new_session_factory(db_url)
    with sessions() as db:
        names = set(db.scalars(select(orm.Group.name)))
    return sorted(name for name in names if is_study_group(name) and instructors_group(name) in names)


def instructor_roles(db_url: str) -> list[dict]:
    return [instructor_role(group) for group in study_groups(db_url)]
