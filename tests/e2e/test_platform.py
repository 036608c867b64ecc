"""The platform end to end, as its users meet it: the real compose stack, real JupyterHub, real git.

One stack serves the whole module; each test makes its own learners.
"""

from __future__ import annotations

import json
import time

import pytest

from tests.support.learner import Learner, LearnerError

TORCH_SMOKE = """
import torch, torchvision
nn = torch.nn
model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), nn.Flatten(), nn.LazyLinear(2))
x = torch.randn(2, 3, 8, 8)
loss = model(x).pow(2).mean()
loss.backward()
print("ok", torch.__version__, torchvision.__version__, torch.cuda.is_available(), model[0].weight.grad.shape)
"""


def course_head(stack) -> str:
    return stack.cli_json("course", "log")[0]["commit"]


def test_first_login_sign_up_approval_course_and_pytorch(stack, capsys):
    admin_password = stack.cli_json("users", "reset-password", "admin")["password"]
    Learner(stack.url, "admin", admin_password).log_in()

    learner = Learner(stack.url, "mei", "a-long-pass-phrase")
    assert "sent to the admin" in learner.sign_up()  # NativeAuthenticator: waits for approval
    with pytest.raises(LearnerError):
        learner.log_in()  # not approved yet

    waiting = {row["name"]: row for row in stack.cli_json("users", "list")}
    assert waiting["mei"]["approved"] is False
    stack.cli("users", "approve", "mei")

    started = time.monotonic()
    learner.log_in()
    learner.create_token()
    learner.start_server()
    learner.wait_ready()
    course = learner.contents("course")
    time_to_first_notebook = time.monotonic() - started
    with capsys.disabled():  # shown in every run's output, passing or not
        print(f"\ntime to first notebook (login -> JupyterLab, course there): {time_to_first_notebook:.1f}s")

    names = {entry["name"] for entry in course["content"]}
    assert {"zh", "en", "coursekit"} <= names
    assert learner.contents("COURSE-SYNC-FAILED.txt", content=False) is None

    output = learner.run_code(TORCH_SMOKE)
    assert output.startswith("ok 2."), output
    assert "False" in output  # no GPU here: PyTorch runs on the CPU


def test_learner_edit_survives_restart_and_course_stays_in_sync(stack, new_learner):
    learner = new_learner("persist")
    learner.start_server()
    learner.wait_ready()

    notebook_path = next(
        f"course/zh/{part['name']}/{nb['name']}"
        for part in learner.contents("course/zh")["content"]
        if part["type"] == "directory"
        for nb in learner.contents(f"course/zh/{part['name']}")["content"]
        if nb["name"].endswith(".ipynb")
    )
    notebook = learner.contents(notebook_path)["content"]
    notebook["cells"].append(
        {"cell_type": "markdown", "metadata": {}, "source": "My own note: persisted across restarts."}
    )
    learner.save_file(notebook_path, {"type": "notebook", "format": "json", "content": notebook})
    learner.save_file("my-notes.txt", {"type": "file", "format": "text", "content": "keep me"})

    learner.stop_server()
    learner.start_server()
    learner.wait_ready()

    cells = learner.contents(notebook_path)["content"]["cells"]
    assert cells[-1]["source"] == "My own note: persisted across restarts."
    assert learner.contents("my-notes.txt")["content"] == "keep me"
    # nbgitpuller commits the learner's edits locally and merges the course on top of them.
    head = course_head(stack)
    synced = learner.run_code(
        "import subprocess\n"
        f"print(subprocess.run(['git', '-C', 'course', 'merge-base', '--is-ancestor', '{head}', 'HEAD'])"
        ".returncode)"
    )
    assert synced.strip() == "0", "~/course is not at the published course version"
    assert learner.contents("COURSE-SYNC-FAILED.txt", content=False) is None


def test_learner_container_has_limits_volumes_and_labels(stack, new_learner, docker_client):
    learner = new_learner("limits")
    learner.start_server()
    learner.wait_ready()

    container = docker_client.containers.get(f"{stack.project}-{learner.name}")
    host = container.attrs["HostConfig"]
    assert host["Memory"] == 4 * 2**30
    assert host["CpuQuota"] / host["CpuPeriod"] == 2.0
    assert host["PidsLimit"] == 1024
    assert host["ShmSize"] == 2**30
    assert "no-new-privileges" in host["SecurityOpt"]
    mounts = {mount["Destination"]: mount for mount in container.attrs["Mounts"]}
    assert mounts["/home/jovyan"]["Name"] == f"{stack.project}-home-{learner.name}"
    assert mounts["/home/jovyan"]["RW"] is True
    assert mounts["/srv/data"]["Name"] == f"{stack.project}_data"
    assert mounts["/srv/data"]["RW"] is False
    assert container.labels["coursehub.user"] == learner.name
    assert course_head(stack).startswith(container.labels["coursehub.course-version"])
    home = docker_client.volumes.get(f"{stack.project}-home-{learner.name}")
    assert home.attrs["Labels"]["coursehub.user"] == learner.name

    with pytest.raises(LearnerError, match="Read-only file system"):
        learner.run_code("open('/srv/data/should-fail', 'w')")
    assert learner.run_code("import os; print(os.getuid())").strip() == "1000"

    status = stack.cli_json("status")
    row = next(server for server in status["servers"] if server["user"] == learner.name)
    assert row["state"] == "running"
    assert row["memory_limit_mb"] == 4096
    assert row["course_version"] == container.labels["coursehub.course-version"]


def test_failed_course_pull_does_not_block_the_start(stack, new_learner):
    learner = new_learner("offline")
    stack.compose("stop", "course")
    try:
        learner.start_server()
        learner.wait_ready()
        note = learner.contents("COURSE-SYNC-FAILED.txt")
        assert note is not None, "the learner is not told that the course could not be pulled"
        assert "git://course/course.git" in note["content"]
    finally:
        stack.compose("start", "course")
    learner.stop_server()
    learner.start_server()
    learner.wait_ready()
    assert learner.contents("COURSE-SYNC-FAILED.txt", content=False) is None
    assert learner.contents("course/zh") is not None


def test_upgrading_the_stack_keeps_learner_servers_running(stack, new_learner, docker_client):
    """`docker compose up -d` after an upgrade recreates the hub, never the learners' servers."""
    learners = [new_learner("upgrade"), new_learner("upgrade")]
    for learner in learners:
        learner.start_server()
    for learner in learners:
        learner.wait_ready()
        learner.save_file("before-upgrade.txt", {"type": "file", "format": "text", "content": learner.name})
    containers = {
        learner.name: docker_client.containers.get(f"{stack.project}-{learner.name}") for learner in learners
    }
    for container in containers.values():
        # The learner image was built by compose; its containers must not pass for the stack's own.
        assert not container.labels.get("com.docker.compose.project"), container.labels

    stack.compose("up", "--detach", "--force-recreate", "--wait", "--wait-timeout", "300")
    stack.wait_for_hub()

    for learner in learners:
        container = docker_client.containers.get(f"{stack.project}-{learner.name}")
        assert container.id == containers[learner.name].id and container.status == "running"
        learner.wait_ready(timeout=60)
        assert learner.contents("before-upgrade.txt")["content"] == learner.name
        assert json.loads(learner.run_code("import json; print(json.dumps(1 + 1))")) == 2


def test_a_busy_kernel_counts_as_activity(stack, new_learner):
    learner = new_learner("busy")
    learner.start_server()
    learner.wait_ready()
    before = learner.server()["last_activity"]
    # Silent for 8 s: no output, no messages; only the activity extension can tell the hub.
    learner.run_code("import time; time.sleep(8)")
    after = learner.server()["last_activity"]
    assert after > before, "a busy kernel did not count as activity"
