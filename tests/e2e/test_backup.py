"""Backup, wipe every volume, restore: every learner's files byte for byte, and everyone logs in.

Runs on a stack of its own, since it wipes it.
"""

from __future__ import annotations

import json

import pytest

from tests.support.learner import Learner
from tests.support.stack import REPO, run_stack

# Runs as the learner: SHA-256 of every file in the home (the course's git objects included).
FINGERPRINT = """
import hashlib, json, pathlib
home = pathlib.Path.home()
print(json.dumps({
    str(path.relative_to(home)): hashlib.sha256(path.read_bytes()).hexdigest()
    for path in sorted(home.rglob("*"))
    if path.is_file() and ".ipynb_checkpoints" not in path.parts
}))
"""

MAKE_FILES = """
import os, pathlib
home = pathlib.Path.home()
(home / "notes.md").write_text("# {name}\\n中文笔记\\n")
(home / "work" / "model.bin").parent.mkdir(exist_ok=True)
(home / "work" / "model.bin").write_bytes(os.urandom(3 * 2**20))
os.symlink("work/model.bin", home / "latest-model")
"""


@pytest.fixture(scope="module")
def backup_stack(docker_client):
    yield from run_stack({})


def home_fingerprint(docker_client, stack, name: str) -> dict[str, str]:
    """SHA-256 of every file in ``name``'s home volume, read straight from the volume."""
    output = docker_client.containers.run(
        "coursehub/notebook:0.1.0",
        ["python3", "-c", FINGERPRINT],
        volumes={f"{stack.project}-home-{name}": {"bind": "/home/jovyan", "mode": "ro"}},
        network_disabled=True,
        remove=True,
    )
    return json.loads(output)


def log_in(stack, name: str, password: str) -> Learner:
    learner = Learner(stack.url, name, password)
    learner.log_in()
    learner.create_token()
    return learner


def test_backup_wipe_restore_brings_back_every_file_and_account(backup_stack, docker_client):
    stack = backup_stack
    stack.cli("groups", "create", "class-a")
    passwords = {
        "ana": stack.cli_json("users", "add", "ana", "--group", "class-a")["password"],
        "ben": stack.cli_json("users", "add", "ben", "--instructor", "class-a")["password"],
    }
    for name, password in passwords.items():
        learner = log_in(stack, name, password)
        learner.start_server()
        learner.wait_ready()
        learner.run_code(MAKE_FILES.format(name=name))
        if name == "ben":
            learner.stop_server()  # ana's server keeps running through the backup
    fingerprints = {name: home_fingerprint(docker_client, stack, name) for name in passwords}
    assert "work/model.bin" in fingerprints["ana"] and "course/README.md" in fingerprints["ana"]
    groups_before = {group["name"]: group for group in stack.cli_json("groups", "list")}

    archive_name = f"{stack.project}.tar"
    made = stack.cli_json("backup", "--output", f"/srv/backups/{archive_name}")
    archive = REPO / "backups" / archive_name
    try:
        assert archive.is_file()
        assert {part["user"] for part in made["parts"] if part["user"]} == {"ana", "ben"}

        # A damaged copy is refused before anything changes.
        damaged = archive.with_name(f"{stack.project}-damaged.tar")
        data = bytearray(archive.read_bytes())
        data[len(data) // 2] ^= 0xFF
        damaged.write_bytes(data)
        refused = stack.cli("restore", damaged.name, check=False)
        assert refused.returncode == 1
        assert "damaged" in refused.stderr or "not a coursehub backup" in refused.stderr, refused.stderr

        # Everything goes: containers, homes, the hub's database, secrets, the course repository.
        stack.down()
        assert not [v for v in docker_client.volumes.list() if v.name.startswith(stack.project)]
        stack.up()

        restored = stack.cli_json("restore", archive_name)
        assert sorted(restored["homes"]) == ["ana", "ben"]
        assert (archive.with_suffix(".settings.env")).read_text().startswith("# The hub's settings")
        for name in passwords:
            assert home_fingerprint(docker_client, stack, name) == fingerprints[name]

        for name, password in passwords.items():
            learner = log_in(stack, name, password)  # the same password as before
            learner.start_server()
            learner.wait_ready()
            assert learner.contents("notes.md")["content"] == f"# {name}\n中文笔记\n"
        groups_after = {group["name"]: group for group in stack.cli_json("groups", "list")}
        assert groups_after == groups_before

        # Restoring again would overwrite homes that now exist: refused, and it says whose.
        again = stack.cli("restore", archive_name, check=False)
        assert again.returncode == 1 and "ana, ben" in again.stderr
    finally:
        for path in (REPO / "backups").glob(f"{stack.project}*"):
            path.unlink()
