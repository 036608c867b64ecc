"""From SQLite to the compose profile's PostgreSQL: everyone and every group comes along."""

from __future__ import annotations

import pytest

from tests.support.learner import Learner, signed_in
from tests.support.stack import run_stack

PSQL = (
    'PGPASSWORD="$(cat /run/coursehub/postgres_password)" '
    "psql -h 127.0.0.1 -U coursehub -d coursehub -tA -c 'SELECT name FROM users ORDER BY name'"
)


@pytest.fixture(scope="module")
def postgres_stack(docker_client):
    yield from run_stack({}, profiles=("postgres",))


def accounts(stack) -> list[tuple]:
    return sorted(
        (u["name"], u["admin"], u["approved"], tuple(u["groups"])) for u in stack.cli_json("users", "list")
    )


def test_migration_keeps_users_passwords_and_groups_and_the_hub_runs_on_postgres(
    postgres_stack, docker_client
):
    stack = postgres_stack
    stack.cli("groups", "create", "class-b")
    passwords = {
        "cai": stack.cli_json("users", "add", "cai", "--group", "class-b")["password"],
        "dan": stack.cli_json("users", "add", "dan", "--instructor", "class-b")["password"],
    }
    Learner(stack.url, "cai", passwords["cai"]).log_in()
    before_accounts, before_groups = accounts(stack), stack.cli_json("groups", "list")

    migrated = stack.cli_json("db", "migrate")
    assert migrated["tables"]["users"] == len(before_accounts)
    assert migrated["tables"]["users_info"] >= 3
    assert "***" in migrated["target"]  # the password is never printed

    stack.change_settings(COURSEHUB_DATABASE="postgres")
    stack.compose("up", "--detach", "--wait", "--wait-timeout", "300")
    stack.wait_for_hub()

    postgres = docker_client.containers.get(f"{stack.project}-postgres-1")
    names = postgres.exec_run(["sh", "-c", PSQL]).output.decode().split()
    assert {"admin", "cai", "dan"} <= set(names), names
    assert accounts(stack) == before_accounts
    assert stack.cli_json("groups", "list") == before_groups
    for name, password in passwords.items():
        Learner(stack.url, name, password).log_in()
    # New rows get new ids (the sequences moved past the copied rows).
    newcomer = stack.cli_json("users", "add", "eve")["password"]
    Learner(stack.url, "eve", newcomer).log_in()

    again = stack.cli("db", "migrate", check=False)
    assert again.returncode == 1 and "not SQLite" in again.stderr


def test_learners_have_no_route_to_the_database(postgres_stack):
    stack = postgres_stack
    learner = signed_in(stack, "probe")
    learner.start_server()
    learner.wait_ready()
    outcome = learner.run_code(
        "import socket\n"
        "try:\n"
        "    socket.create_connection(('postgres', 5432), timeout=3).close(); print('open')\n"
        "except OSError as error:\n"
        "    print(type(error).__name__)\n"
    ).strip()
    assert outcome != "open"
