"""A learner using the hub over HTTP, as a browser would: sign up, log in, start, run code."""

from __future__ import annotations

import json
import re
import time
import uuid
from typing import TYPE_CHECKING
from urllib.parse import quote

import requests
import websocket

if TYPE_CHECKING:
    from tests.support.stack import Stack


class LearnerError(AssertionError):
    pass


def signed_in(stack: Stack, name: str, *options: str) -> Learner:
    """A new account ``name`` (``coursehub users add NAME OPTIONS``), logged in, with an API token."""
    learner = Learner(stack.url, name, stack.cli_json("users", "add", name, *options)["password"])
    learner.log_in()
    learner.create_token()
    return learner


def _xsrf_from(html: str) -> str:
    match = re.search(r'name="_xsrf" value="([^"]+)"', html)
    if not match:
        raise LearnerError("no _xsrf field in the page")
    return match.group(1)


class Learner:
    def __init__(self, hub_url: str, name: str, password: str):
        self.hub_url = hub_url.rstrip("/")
        self.name = name
        self.password = password
        self.http = requests.Session()
        self.token: str | None = None

    # Hub pages -------------------------------------------------------------------------------
    def sign_up(self) -> str:
        page = self.http.get(f"{self.hub_url}/hub/signup")
        page.raise_for_status()
        response = self.http.post(
            f"{self.hub_url}/hub/signup",
            data={
                "username": self.name,
                "signup_password": self.password,
                "signup_password_confirmation": self.password,
                "_xsrf": _xsrf_from(page.text),
            },
        )
        response.raise_for_status()
        return response.text

    def log_in(self) -> requests.Response:
        page = self.http.get(f"{self.hub_url}/hub/login")
        page.raise_for_status()
        response = self.http.post(
            f"{self.hub_url}/hub/login?next=",
            data={"username": self.name, "password": self.password, "_xsrf": _xsrf_from(page.text)},
            allow_redirects=False,
        )
        if response.status_code != 302:
            raise LearnerError(f"login of {self.name} failed: HTTP {response.status_code}")
        return response

    def hub_api(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = {"X-XSRFToken": self.http.cookies.get("_xsrf", "")}
        if self.token:
            headers["Authorization"] = f"token {self.token}"
        return self.http.request(method, f"{self.hub_url}/hub/api/{path}", headers=headers, **kwargs)

    def create_token(self) -> str:
        response = self.hub_api("POST", f"users/{quote(self.name)}/tokens", json={"note": "e2e test"})
        response.raise_for_status()
        self.token = response.json()["token"]
        return self.token

    def start_server(self, options: dict | None = None, expect_error: bool = False) -> str:
        """Ask for the server (with spawn-form options); with expect_error, return the refusal."""
        response = self.hub_api("POST", f"users/{quote(self.name)}/server", json=options or {})
        if expect_error:
            if response.status_code < 400:
                raise LearnerError(f"{self.name}'s server started although it should have been refused")
            return response.json().get("message", response.text)
        if response.status_code not in (201, 202):
            raise LearnerError(f"starting {self.name}'s server: HTTP {response.status_code} {response.text}")
        return ""

    def stop_server(self, timeout: float = 120) -> None:
        self.hub_api("DELETE", f"users/{quote(self.name)}/server")
        self.wait_stopped(timeout)

    def wait_stopped(self, timeout: float = 120) -> None:
        self._wait(lambda s: s is None, timeout, "stop")

    def server(self) -> dict | None:
        response = self.hub_api("GET", f"users/{quote(self.name)}")
        response.raise_for_status()
        return response.json().get("servers", {}).get("")

    def progress(self, timeout: float = 300) -> list[dict]:
        """Follow the start as the spawn page does (its event stream) to the end: every event.

        The last event says how the start ended: ``ready`` true, or ``failed`` with a message.
        Asked right after the start request, the hub may not know of the start yet: 400, or 404
        when it let go of the server's spawner at the last stop and has not made a new one."""
        deadline = time.monotonic() + 10
        url = f"users/{quote(self.name)}/server/progress"
        while (response := self.hub_api("GET", url, stream=True, timeout=timeout)).status_code in (400, 404):
            response.close()
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)
        events: list[dict] = []
        with response:
            response.raise_for_status()
            for line in response.iter_lines(decode_unicode=True):
                if line and line.startswith("data:"):
                    events.append(json.loads(line[len("data:") :]))
                    if events[-1].get("ready") or events[-1].get("failed"):
                        break
        return events

    def wait_ready(self, timeout: float = 300) -> dict:
        return self._wait(lambda s: bool(s and s.get("ready")), timeout, "start")

    def _wait(self, done, timeout: float, what: str):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            server = self.server()
            if done(server):
                return server
            time.sleep(0.5)
        raise LearnerError(f"{self.name}'s server did not {what} within {timeout}s (last: {server})")

    # The learner's own server ----------------------------------------------------------------
    @property
    def server_url(self) -> str:
        return f"{self.hub_url}/user/{quote(self.name)}"

    def server_api(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = {"Authorization": f"token {self.token}"}
        url = f"{self.server_url}/api/{path}"
        return requests.request(method, url, headers=headers, timeout=60, **kwargs)

    def open_server_of(self, owner: str) -> int:
        """Open ``owner``'s server as this person's browser would (hub login, then OAuth): the status.

        API tokens cannot do this for group-based grants: single-user servers do not resolve
        `!group=` filters, the hub does so only when it issues the OAuth token.
        """
        response = self.http.get(f"{self.hub_url}/user/{quote(owner)}/lab", timeout=60)
        return response.status_code

    def contents(self, path: str = "", content: bool = True) -> dict | None:
        response = self.server_api("GET", f"contents/{quote(path)}", params={"content": int(content)})
        if response.status_code == 404:
            return None
        response.raise_for_status()
        return response.json()

    def save_file(self, path: str, model: dict) -> None:
        response = self.server_api("PUT", f"contents/{quote(path)}", json=model)
        response.raise_for_status()

    def run_code(self, code: str, timeout: float = 180) -> str:
        """Run ``code`` in a new kernel of the learner's server; return its stdout or raise."""
        kernel = self.server_api("POST", "kernels", json={"name": "python3"})
        kernel.raise_for_status()
        kernel_id = kernel.json()["id"]
        url = self.server_url.replace("http", "ws", 1) + f"/api/kernels/{kernel_id}/channels"
        connection = websocket.create_connection(
            url, header=[f"Authorization: token {self.token}"], timeout=timeout
        )
        try:
            msg_id = uuid.uuid4().hex
            connection.send(
                json.dumps(
                    {
                        "header": {
                            "msg_id": msg_id,
                            "username": self.name,
                            "session": uuid.uuid4().hex,
                            "msg_type": "execute_request",
                            "version": "5.3",
                        },
                        "parent_header": {},
                        "metadata": {},
                        "content": {
                            "code": code,
                            "silent": False,
                            "store_history": False,
                            "user_expressions": {},
                            "allow_stdin": False,
                        },
                        "channel": "shell",
                    }
                )
            )
            stdout, error = [], None
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                message = json.loads(connection.recv())
                kind = message["msg_type"]
                if kind == "status" and message["content"]["execution_state"] in ("restarting", "dead"):
                    raise LearnerError(f"the kernel died ({message['content']['execution_state']})")
                if message.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                if kind == "stream":
                    stdout.append(message["content"]["text"])
                elif kind == "error":
                    error = "\n".join(message["content"]["traceback"])
                elif kind == "status" and message["content"]["execution_state"] == "idle":
                    break
            else:
                raise LearnerError(f"code did not finish within {timeout}s")
        finally:
            connection.close()
            self.server_api("DELETE", f"kernels/{kernel_id}")
        if error:
            raise LearnerError(f"the kernel raised:\n{error}")
        return "".join(stdout)
