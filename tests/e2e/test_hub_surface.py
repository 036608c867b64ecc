"""What the hub shows to the world: logins that guess, secrets, and one learner eating all memory."""

from __future__ import annotations

import pytest

from tests.support.learner import Learner, LearnerError


def test_repeated_wrong_passwords_lock_the_account_for_a_while(stack):
    password = stack.cli_json("users", "add", "guessed")["password"]
    for attempt in range(5):
        with pytest.raises(LearnerError, match="login of guessed failed"):
            Learner(stack.url, "guessed", f"wrong-guess-{attempt}").log_in()
    # Now even the right password is refused, until the lockout (5 minutes) is over.
    with pytest.raises(LearnerError, match="login of guessed failed"):
        Learner(stack.url, "guessed", password).log_in()
    # Other people are not affected.
    other = stack.cli_json("users", "add", "not-guessed")["password"]
    Learner(stack.url, "not-guessed", other).log_in()


def test_secrets_appear_in_no_log_and_no_image(stack, docker_client):
    hub = docker_client.containers.get(f"{stack.project}-hub-1")
    listing = hub.exec_run(["sh", "-c", "cat /srv/jupyterhub/secrets/*"]).output.decode().split()
    secrets = [value for value in listing if len(value) >= 32]
    assert len(secrets) == 4, "expected the four generated secrets"

    logs = hub.logs().decode(errors="replace") + stack.compose("logs", "--no-color", check=False).stdout
    for image in ("coursehub/hub:0.1.0", "coursehub/notebook:0.1.0"):
        attrs = docker_client.images.get(image).attrs
        history = " ".join(layer["CreatedBy"] for layer in docker_client.api.history(image))
        logs += " ".join(attrs["Config"].get("Env") or []) + history
    leaked = [secret[:6] + "…" for secret in secrets if secret in logs]
    assert not leaked, f"secrets found in logs or image metadata: {leaked}"


def test_a_learner_who_eats_all_memory_loses_their_kernel_not_the_hub(stack, new_learner):
    greedy, neighbour = new_learner("greedy"), new_learner("neighbour")
    for learner in (greedy, neighbour):
        learner.start_server()
    for learner in (greedy, neighbour):
        learner.wait_ready()

    # The container's limit is 4 GB (no swap): the kernel that fills 6 is the one the OOM killer takes.
    with pytest.raises(LearnerError, match="kernel died"):
        greedy.run_code("hog = b'x' * (6 * 2**30)\nprint('survived')", timeout=120)

    assert neighbour.run_code("print(6 * 7)").strip() == "42"
    assert greedy.server()["ready"], "the greedy learner's server itself went down"
    assert greedy.run_code("print('fresh kernel')").strip() == "fresh kernel"


@pytest.mark.parametrize(
    "name",
    ["Has Space", "../etc", "x" * 200, "学生", "tab\tname", "semi;colon"],
    ids=["space", "path", "200-chars", "unicode", "tab", "semicolon"],
)
def test_sign_up_with_a_bad_name_is_refused_and_creates_nobody(stack, name):
    page = Learner(stack.url, name, "a-long-enough-password-1").sign_up()
    assert "sent to the admin" not in page
    assert name.lower() not in [user["name"] for user in stack.cli_json("users", "list")]


def test_names_that_differ_only_by_case_are_one_account(stack):
    password = stack.cli_json("users", "add", "casey")["password"]
    page = Learner(stack.url, "Casey", "another-password-2").sign_up()
    assert "sent to the admin" not in page
    # Logging in as "CASEY" is logging in as casey, with casey's password.
    Learner(stack.url, "CASEY", password).log_in()
    names = [user["name"] for user in stack.cli_json("users", "list")]
    assert names.count("casey") == 1 and "Casey" not in names
