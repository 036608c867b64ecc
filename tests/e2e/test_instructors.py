"""Instructor roles are really granted: an instructor reaches their group's servers and no others."""

from __future__ import annotations

from tests.support.learner import Learner


def person(stack, name: str, *options: str) -> Learner:
    password = stack.cli_json("users", "add", name, *options)["password"]
    someone = Learner(stack.url, name, password)
    someone.log_in()
    someone.create_token()
    return someone


def status_of(visitor: Learner, owner: Learner) -> int:
    """What `visitor` gets when opening `owner`'s server in their browser."""
    return visitor.open_server_of(owner.name)


def test_instructor_of_a_reaches_a_only_and_learners_only_themselves(stack):
    stack.cli("groups", "create", "room-a")
    stack.cli("groups", "create", "room-b")
    teacher = person(stack, "teach-a", "--instructor", "room-a")
    in_a = person(stack, "learn-a", "--group", "room-a")
    in_b = person(stack, "learn-b", "--group", "room-b")
    for learner in (in_a, in_b):
        learner.start_server()
        learner.wait_ready()

    assert status_of(teacher, in_a) == 200
    assert status_of(teacher, in_b) == 403
    assert status_of(in_a, in_b) == 403
    assert status_of(in_b, in_a) == 403

    visible = {user["name"] for user in teacher.hub_api("GET", "users").json()}
    assert "learn-a" in visible and "learn-b" not in visible

    assert teacher.hub_api("DELETE", "users/learn-b/server").status_code in (403, 404)
    assert teacher.hub_api("DELETE", "users/learn-a/server").status_code in (202, 204)
    in_a.wait_stopped()
    assert teacher.hub_api("POST", "users/learn-a/server").status_code in (201, 202)
    in_a.wait_ready()
