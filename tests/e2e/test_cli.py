"""The admin CLI inside the hub container: bad input is refused clearly and changes nothing."""

from __future__ import annotations

import json

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
        (["users", "add", "学生"], None, "invalid user name '学生'"),
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


def test_roster_import_creates_good_rows_and_names_bad_lines(stack):
    from tests.support.learner import Learner

    roster = (
        "name,group,email\n"
        "imp-ann,import-a,ann@example.org\n"
        "imp bad,import-a\n"
        "imp-bo,import-b\n"
        "admin,import-a\n"
    )
    result = stack.cli("users", "import", "-", "--json", input=roster, check=False)
    assert result.returncode == 1  # some rows were skipped
    report = json.loads(result.stdout)
    assert [c["name"] for c in report["created"]] == ["imp-ann", "imp-bo"]
    assert sorted(report["groups_created"]) == ["import-a", "import-b"]
    assert [(s["line"], s["error"]) for s in report["skipped"]] == [
        (
            3,
            "invalid name 'imp bad': use 1-32 characters: lower-case letters a-z, digits, '.', '_' or '-', "
            "starting with a letter or digit",
        ),
        (5, "user 'admin' already exists"),
    ]
    rows = {row["name"]: row for row in users(stack)}
    assert rows["imp-ann"]["groups"] == ["import-a"] and rows["imp-bo"]["groups"] == ["import-b"]
    assert "imp bad" not in rows
    Learner(stack.url, "imp-ann", report["created"][0]["password"]).log_in()
