"""What commands need from the running platform, built lazily so ``--help`` works anywhere."""

from __future__ import annotations

from functools import cache

from ..accounts import Accounts
from ..bootstrap import read_secret
from ..hubapi import HubAPI
from ..settings import Settings, current
from ..swarm import SwarmError
from ..users import Users

# The hub's own API port inside the hub container (JupyterHub's default hub_port).
HUB_API_URL = "http://127.0.0.1:8081/hub/api"


def settings() -> Settings:
    return current()


@cache
def hub_api() -> HubAPI:
    return HubAPI(HUB_API_URL, read_secret(settings(), "cli_api_token"))


@cache
def users() -> Users:
    return Users(Accounts(settings().database_url), hub_api())


def require_single_host(command: str, instead: str) -> None:
    """Refuse a command that reaches into learners' containers through this host's Engine: on a
    swarm they run on other nodes, and doing half the work would look like doing all of it."""
    if settings().platform == "swarm":
        raise SwarmError(f"`coursehub {command}` works on a single host only; on a swarm, {instead}")
