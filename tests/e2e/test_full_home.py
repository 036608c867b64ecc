"""A learner who fills their home: told so, their server still starts, they can make room again.

The home here is a 32 MB file system (a tmpfs mounted on the host, given to Docker as the
learner's home volume), so filling it takes a second; the default local volumes have no quota.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import pytest
from coursehub.spawner import home_labels

FILL = """
try:
    with open("filler.bin", "wb") as handle:
        while True:
            handle.write(b"x" * 2**20)
            handle.flush()
except OSError as error:
    print(error.strerror)
"""


@pytest.fixture
def small_disk():
    mount_point = Path(tempfile.mkdtemp(prefix="coursehub-small-home-"))
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=32m,uid=1000,gid=100,mode=0755", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.fail(f"this test mounts a small file system and needs root: {mounted.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "--lazy", str(mount_point)], check=False)
        mount_point.rmdir()


def test_a_full_home_is_reported_and_the_server_still_starts(stack, new_learner, docker_client, small_disk):
    learner = new_learner("full")
    docker_client.volumes.create(
        f"{stack.project}-home-{learner.name}",
        driver="local",
        driver_opts={"type": "none", "o": "bind", "device": str(small_disk)},
        labels=home_labels(learner.name, stack.project),
    )
    learner.start_server()
    learner.wait_ready()
    assert learner.contents("course", content=False) is not None

    assert learner.run_code(FILL).strip() == "No space left on device"
    assert stack.cli_json("status")["hub"]["version"]  # the hub is unaffected

    learner.stop_server()
    learner.start_server()
    learner.wait_ready()  # a full home does not keep the learner out...
    learner.run_code("import os; os.remove('filler.bin')")  # ...so they can make room
    learner.save_file("after.txt", {"type": "file", "format": "text", "content": "room again"})
    assert learner.contents("after.txt")["content"] == "room again"
    assert learner.contents("course/zh", content=False) is not None
