"""A new learner image: running servers keep running on the old one, each learner gets the new one
at their next start, and their work comes along."""

from __future__ import annotations

import io

import pytest

from tests.support.learner import signed_in
from tests.support.stack import run_stack

NEW_IMAGE = "coursehub-test/notebook:upgraded"
DOCKERFILE = b"""
FROM coursehub/notebook:0.1.0
USER root
RUN echo upgraded > /etc/coursehub-image-version
USER jovyan
"""


@pytest.fixture(scope="module")
def upgrade_stack(docker_client):
    docker_client.images.build(fileobj=io.BytesIO(DOCKERFILE), tag=NEW_IMAGE, rm=True)
    try:
        yield from run_stack({})
    finally:
        docker_client.images.remove(NEW_IMAGE, force=True)


def test_a_new_learner_image_reaches_each_learner_at_their_next_start(upgrade_stack, docker_client):
    stack = upgrade_stack
    learner = signed_in(stack, "mira")
    learner.start_server()
    learner.wait_ready()
    learner.save_file("thesis.md", {"type": "file", "format": "text", "content": "chapter one"})
    old_container = docker_client.containers.get(f"{stack.project}-mira")

    stack.change_settings(COURSEHUB_NOTEBOOK_IMAGE=NEW_IMAGE)
    stack.compose("up", "--detach", "--wait", "--wait-timeout", "300")
    stack.wait_for_hub()

    # The running server is left alone, on the image it started with...
    running = docker_client.containers.get(f"{stack.project}-mira")
    assert running.id == old_container.id and running.status == "running"
    assert learner.contents("thesis.md")["content"] == "chapter one"

    # ...and the next start is on the new image, with the learner's work.
    learner.stop_server()
    learner.start_server()
    learner.wait_ready()
    assert docker_client.containers.get(f"{stack.project}-mira").image.tags == [NEW_IMAGE]
    assert learner.run_code("print(open('/etc/coursehub-image-version').read())").strip() == "upgraded"
    assert learner.contents("thesis.md")["content"] == "chapter one"
