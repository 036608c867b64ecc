"""The admin CLI inside the hub container: bad input is refused clearly and changes nothing."""

from __future__ import annotations

import pytest


def users(stack) -> list[dict]:
    return stack.cli_json("users", "list")


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["users", "add", "Has Space"], None, "invalid user name 'Has Space'"),
        (["users", "add", "../etc"], None, "invalid user name '../etc'"),
        (["users", "add", "x" * 200], None, "invalid user name"),
        (["users", "add", "UPPER"], None, "invalid user name 'UPPER'"),
        (["users", "add", "admin"], None, "user 'admin' already exists"),
        (["users", "add", "newbie", "--password-stdin"], "short\n", "at least 8 characters"),
        (["users", "add", "newbie", "--group", "no-such-group"], None, "unknown group 'no-such-group'"),
        (["users", "approve", "ghost"], None, "unknown user 'ghost'"),
        (["users", "reset-password", "ghost"], None, "unknown user 'ghost'"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(stack, args, stdin, message):
    before = users(stack)
    result = stack.cli(*args, input=stdin, check=False)
    assert result.returncode == 1, result.stdout
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert users(stack) == before


def test_add_user_with_password_from_stdin_admin_and_group(stack):
    from tests.support.learner import Learner

    stack.cli("groups", "create", "study-a")
    created = stack.cli_json(
        "users",
        "add",
        "teacher",
        "--admin",
        "--group",
        "study-a",
        "--password-stdin",
        input="teacher-secret-1\n",
    )
    assert "password" not in created
    row = next(row for row in users(stack) if row["name"] == "teacher")
    assert row == row | {"approved": True, "admin": True, "groups": ["study-a"], "server": "stopped"}
    Learner(stack.url, "teacher", "teacher-secret-1").log_in()


def test_status_reports_hub_and_course(stack):
    status = stack.cli_json("status")
    assert status["hub"]["version"].startswith("5.")
    assert len(status["course"]["version"]) == 12
    assert status["docker_error"] is None
