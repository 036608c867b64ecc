"""Fixtures shared by every test: the real Docker Engine and a real coursehub stack.

Nothing here skips: without Docker the tests that need it fail, saying what to do.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

from tests.support.learner import Learner, signed_in
from tests.support.stack import OUTPUT, Stack, StackError, run_stack
from tests.support.stack import docker_client as connect_docker

LEARNER_IMAGE = "coursehub/notebook:0.1.0"


@pytest.fixture(scope="session")
def docker_client() -> docker.DockerClient:
    try:
        return connect_docker()
    except StackError as error:
        pytest.fail(str(error), pytrace=False)


@pytest.fixture(scope="session")
def stack(docker_client) -> Iterator[Stack]:
    """The platform as an admin runs it (`docker compose up`), under a throwaway project name."""
    yield from run_stack({"COURSEHUB_COURSE_SYNC_TIMEOUT": "20", "COURSEHUB_ACTIVITY_INTERVAL": "2"})


@pytest.fixture(scope="session")
def learner_image(docker_client) -> str:
    """The learner image, built from the compose file exactly as `docker compose up` builds it."""
    try:
        Stack(project="coursehub").compose("build", "notebook-image")
    except StackError as error:
        pytest.fail(str(error), pytrace=False)
    docker_client.images.get(LEARNER_IMAGE)
    return LEARNER_IMAGE


@pytest.fixture(scope="session")
def admin_password(stack: Stack) -> str:
    return stack.cli_json("users", "reset-password", "admin")["password"]


@pytest.fixture
def new_learner(stack: Stack):
    """Make approved learners with fresh names, logged in with an API token."""

    def make(prefix: str = "learner") -> Learner:
        return signed_in(stack, f"{prefix}-{secrets.token_hex(3)}")

    return make


@pytest.fixture(scope="session")
def output_dir() -> Path:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    return OUTPUT
