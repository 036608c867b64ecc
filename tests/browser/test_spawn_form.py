"""When every GPU is taken, the learner sees it in the browser and can wait in the queue."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from tests.support.browser import log_in
from tests.support.learner import Learner
from tests.support.stack import run_stack

ONE_GPU = [{"uuid": "GPU-22222222-fake-2222-2222-222222222222", "name": "Stand-in H100", "memory_mb": 81920}]
PROFILES = [
    {"slug": "cpu", "display_name": "CPU", "description": "No GPU"},
    {"slug": "gpu", "display_name": "Whole GPU", "description": "A GPU of your own", "gpu": "exclusive"},
]


@pytest.fixture(scope="module")
def one_gpu_stack(docker_client):
    yield from run_stack(
        {
            "COURSEHUB_GPUS": json.dumps(ONE_GPU),
            "COURSEHUB_PROFILES": json.dumps(PROFILES),
            "COURSEHUB_GPU_DEVICE_REQUESTS": "false",
            "COURSEHUB_LANGUAGE": "en",
        }
    )


def test_busy_gpu_is_shown_and_the_queue_moves(one_gpu_stack, browser, output_dir):
    stack = one_gpu_stack
    holder = Learner(stack.url, "holder", stack.cli_json("users", "add", "holder")["password"])
    holder.log_in()
    holder.create_token()
    holder.start_server({"profile": "gpu"})
    holder.wait_ready()

    password = stack.cli_json("users", "add", "waiter")["password"]
    page = log_in(browser, stack.url, "waiter", password, "/hub/spawn")

    gpu_choice = page.locator(".radio:has(input[value=gpu])")
    expect(gpu_choice).to_contain_text("busy")
    expect(page.locator(".radio:has(input[value=cpu])")).to_contain_text("CPU")
    shots = output_dir / "browser"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "spawn-form-gpu-busy.png"))

    gpu_choice.locator("input[type=radio]").check()
    page.check("input[name=queue]")
    page.click("form [type=submit]")
    expect(page.locator("body")).to_contain_text("number 1 in the queue")
    page.screenshot(path=str(shots / "spawn-queue-position.png"))

    holder.stop_server()
    page.wait_for_url("**/user/waiter/lab**", timeout=180_000)
    page.close()
