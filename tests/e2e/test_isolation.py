"""Learners stay in their own space: what a learner's code can reach, and whose server it can open."""

from __future__ import annotations

import json

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
