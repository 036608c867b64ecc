"""A small client of JupyterHub's REST API, used by the CLI inside the hub container."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import requests


class HubAPIError(RuntimeError):
    """The hub did not answer, or refused; the message says what to check."""


class HubAPI:
    def __init__(self, base_url: str, token: str, timeout: float = 30.0):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"token {token}"

    def request(self, method: str, path: str, *, ok_missing: bool = False, **kwargs: Any) -> Any:
        url = f"{self.base_url}/{path.lstrip('/')}"
        try:
            response = self.session.request(method, url, timeout=self.timeout, **kwargs)
        except requests.ConnectionError:
            raise HubAPIError(
                f"the hub does not answer at {self.base_url}: is it running? (docker compose ps hub)"
            ) from None
        if ok_missing and response.status_code == 404:
            return None
        if response.status_code >= 400:
            try:
                message = response.json().get("message", response.text)
            except ValueError:
                message = response.text
            raise HubAPIError(f"{method} {path}: the hub answered {response.status_code}: {message}")
        return response.json() if response.content else None

    # Users -----------------------------------------------------------------------------------
    def user(self, name: str) -> dict | None:
        return self.request("GET", f"users/{quote(name)}", ok_missing=True)

    def users(self) -> list[dict]:
        return self.request("GET", "users", params={"limit": 10_000})

    def create_user(self, name: str, *, admin: bool = False) -> dict:
        user = self.request("POST", f"users/{quote(name)}")
        if admin:
            user = self.request("PATCH", f"users/{quote(name)}", json={"admin": True})
        return user

    def delete_user(self, name: str) -> None:
        self.request("DELETE", f"users/{quote(name)}", ok_missing=True)

    # Groups ----------------------------------------------------------------------------------
    def group(self, name: str) -> dict | None:
        return self.request("GET", f"groups/{quote(name)}", ok_missing=True)

    def create_group(self, name: str) -> dict:
        return self.request("POST", f"groups/{quote(name)}")

    def add_to_group(self, group: str, users: list[str]) -> dict:
        return self.request("POST", f"groups/{quote(group)}/users", json={"users": users})

    # Hub -------------------------------------------------------------------------------------
    def info(self) -> dict:
        return self.request("GET", "")
