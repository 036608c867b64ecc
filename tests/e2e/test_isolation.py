"""Learners stay in their own space: what a learner's code can reach, and whose server it can open."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time

import pytest
import requests

# Runs as the learner, in the learner's kernel.
PROBE = """
import json, os, shutil, socket
status = dict(line.split(":", 1) for line in open("/proc/self/status").read().splitlines())

def become_root():
    try:
        os.setuid(0)
        return "root"
    except PermissionError:
        return "refused"

def connect(host, port):
    try:
        socket.create_connection((host, port), timeout=3).close()
        return "open"
    except OSError as error:
        return type(error).__name__

print(json.dumps({
    "uid": os.getuid(),
    "effective_capabilities": status["CapEff"].strip(),
    "bounding_capabilities": status["CapBnd"].strip(),
    "no_new_privileges": status["NoNewPrivs"].strip(),
    "sudo": shutil.which("sudo"),
    "setuid_root": become_root(),
    "docker_socket": os.path.exists("/var/run/docker.sock"),
    "hub_state": os.path.exists("/srv/jupyterhub"),
    "hub_api": connect("hub", 8081),
    "proxy_api": connect("hub", 8001),
}))
"""

# Runs in one learner's kernel: another learner's server, straight to its container.
KNOCK = """
import http.client
connection = http.client.HTTPConnection({ip!r}, 8888, timeout=10)
headers = {{"Authorization": "token " + {token!r}}} if {token!r} else {{}}
connection.request("GET", "/user/{owner}/api/contents", headers=headers)
print(connection.getresponse().status)
"""


def test_learner_code_runs_unprivileged_without_docker_or_the_hub_state(stack, new_learner):
    learner = new_learner("jail")
    learner.start_server()
    learner.wait_ready()

    inside = json.loads(learner.run_code(PROBE))

    assert inside["uid"] == 1000
    assert inside["effective_capabilities"] == "0000000000000000"
    assert inside["bounding_capabilities"] == "0000000000000000", "capabilities were not all dropped"
    assert inside["no_new_privileges"] == "1"
    assert inside["sudo"] is None
    assert inside["setuid_root"] == "refused"
    assert inside["docker_socket"] is False
    assert inside["hub_state"] is False
    assert inside["hub_api"] == "open", "the server must reach the hub's API to work at all"
    assert inside["proxy_api"] != "open", "the proxy's routing API is reachable from learners"


def test_a_learner_cannot_open_another_learners_server(stack, new_learner, docker_client):
    alice, bob = new_learner("alice"), new_learner("bob")
    for learner in (alice, bob):
        learner.start_server()
    for learner in (alice, bob):
        learner.wait_ready()

    # Through the hub, with Alice's API token and with her browser session.
    through_hub = requests.get(
        f"{bob.server_url}/api/contents", headers={"Authorization": f"token {alice.token}"}, timeout=30
    )
    assert through_hub.status_code == 403
    assert alice.open_server_of(bob.name) == 403

    # Straight to Bob's container from Alice's code: nothing without a token of Bob's.
    bob_container = docker_client.containers.get(f"{stack.project}-{bob.name}")
    ip = next(iter(bob_container.attrs["NetworkSettings"]["Networks"].values()))["IPAddress"]
    for token in ("", alice.token):
        status = alice.run_code(KNOCK.format(ip=ip, token=token, owner=bob.name)).strip()
        assert status in {"302", "401", "403"}, f"Bob's files answered {status} to Alice ({token=})"
    # ...while Bob's own token opens them: the door is there, only locked.
    status = alice.run_code(KNOCK.format(ip=ip, token=bob.token, owner=bob.name)).strip()
    assert status == "200"


METADATA = "169.254.169.254"
NAMESPACE = "chmeta"
ASK_METADATA = f"""
import urllib.request
try:
    print(urllib.request.urlopen("http://{METADATA}/", timeout=5).status)
except OSError as error:
    print(type(getattr(error, "reason", error)).__name__)
"""


@pytest.fixture
def cloud_metadata():
    """A stand-in cloud metadata service at 169.254.169.254:80, routed from the host as on a
    cloud VM (in a network namespace of its own, outside Docker's networks). Needs root."""
    setup = [
        f"ip netns add {NAMESPACE}",
        f"ip link add {NAMESPACE}-h type veth peer name {NAMESPACE}-n",
        f"ip link set {NAMESPACE}-n netns {NAMESPACE}",
        f"ip addr add 10.254.254.1/30 dev {NAMESPACE}-h",
        f"ip link set {NAMESPACE}-h up",
        f"ip netns exec {NAMESPACE} ip addr add 10.254.254.2/30 dev {NAMESPACE}-n",
        f"ip netns exec {NAMESPACE} ip addr add {METADATA}/32 dev {NAMESPACE}-n",
        f"ip netns exec {NAMESPACE} ip link set {NAMESPACE}-n up",
        f"ip netns exec {NAMESPACE} ip link set lo up",
        f"ip netns exec {NAMESPACE} ip route add default via 10.254.254.1",
        f"ip route add {METADATA}/32 via 10.254.254.2",
    ]
    teardown = [f"ip route del {METADATA}/32", f"ip link del {NAMESPACE}-h", f"ip netns del {NAMESPACE}"]
    for command in teardown:  # left over from an interrupted run
        subprocess.run(command.split(), capture_output=True)
    for command in setup:
        done = subprocess.run(command.split(), capture_output=True, text=True)
        if done.returncode != 0:
            pytest.fail(f"`{command}` failed (this test needs root and iproute2): {done.stderr.strip()}")
    server = subprocess.Popen(
        ["ip", "netns", "exec", NAMESPACE, sys.executable, "-m", "http.server", "80", "--bind", METADATA],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(50):
            try:
                socket.create_connection((METADATA, 80), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        yield METADATA
    finally:
        server.terminate()
        server.wait(timeout=10)
        for command in teardown:
            subprocess.run(command.split(), capture_output=True)


def test_learners_cannot_reach_the_cloud_metadata_service(stack, new_learner, docker_client, cloud_metadata):
    # Any other container on this host reaches the stand-in: it works, and the test can fail.
    control = docker_client.containers.run(
        "coursehub/notebook:0.1.0", ["python3", "-c", ASK_METADATA], remove=True
    )
    assert control.decode().strip() == "200"

    learner = new_learner("metadata")
    learner.start_server()
    learner.wait_ready()
    assert learner.run_code(ASK_METADATA).strip() == "ConnectionRefusedError"
