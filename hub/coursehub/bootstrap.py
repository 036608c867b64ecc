"""First start of the hub: generated secrets, the database, and the admin account.

Runs before JupyterHub starts (``coursehub serve``) and is idempotent: later starts reuse
what the first one made, so sessions, learners' tokens and passwords survive restarts.
"""

from __future__ import annotations

import logging
import os
import secrets
import time
from pathlib import Path

import docker
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError

from .accounts import Accounts
from .firewall import FirewallError, block_for_learners, own_image
from .inventory import load_inventory
from .settings import Settings
from .supervisor import hold_file
from .swarm import DATA_DIR, HOMES_DIR, HUB_SHARED_MOUNT

log = logging.getLogger(__name__)

# name -> number of random bytes; written hex-encoded, readable by root only.
SECRETS = {
    "cookie_secret": 32,
    "proxy_token": 32,
    "crypt_key": 32,
    "cli_api_token": 32,
}


def read_secret(settings: Settings, name: str) -> str:
    path = settings.secrets_dir / name
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        raise FileNotFoundError(
            f"{path} does not exist: the hub creates its secrets on first start (coursehub serve)"
        ) from None


def ensure_secrets(settings: Settings) -> None:
    settings.secrets_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(settings.secrets_dir, 0o700)
    for name, size in SECRETS.items():
        path = settings.secrets_dir / name
        if path.exists() and path.read_text().strip():
            continue
        _write_private(path, secrets.token_hex(size))
        log.info("generated %s", path)


def _write_private(path: Path, text: str) -> None:
    """Write a secret file atomically, never readable by anyone but its owner."""
    partial = path.with_suffix(".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text + "\n")
    os.replace(partial, path)


def ensure_admin(settings: Settings) -> bool:
    """Give the admin account a random password on first start; True if it was created.

    Without this, anyone could sign up under the admin's name before the admin does
    (NativeAuthenticator pre-approves sign-ups of names listed as admins). Nobody learns this
    password: the admin sets a known one with ``coursehub users reset-password``.
    """
    accounts = Accounts(settings.database_url)
    if accounts.has_password(settings.admin):
        return False
    accounts.set_password(settings.admin, secrets.token_urlsafe(24), approve=True)
    return True


def ensure_database_secret(settings: Settings) -> None:
    """The PostgreSQL password, where the postgres service reads it when it first starts."""
    path = settings.postgres_password_file
    if path.parent.is_dir() and not (path.exists() and path.read_text().strip()):
        _write_private(path, secrets.token_hex(24))
        log.info("generated %s", path)


def block_cloud_metadata(settings: Settings) -> None:
    """Firewall rules for the learners' network; a hub that cannot set them still starts, and says so."""
    if not settings.blocked_addresses:
        return
    try:
        client = docker.from_env()
        subnets = block_for_learners(client, settings.network, settings.blocked_addresses, own_image(client))
        log.info(
            "learners (%s) cannot reach %s",
            ", ".join(subnets),
            ", ".join(map(str, settings.blocked_addresses)),
        )
    except (FirewallError, docker.errors.DockerException) as error:
        log.warning(
            "could not stop learners from reaching %s (%s): on a cloud VM they can read its "
            "metadata service; see the README's security section",
            ", ".join(map(str, settings.blocked_addresses)),
            error,
        )


def ensure_shared_storage(root: Path = HUB_SHARED_MOUNT) -> None:
    """The directories of homes and datasets on the swarm's shared storage."""
    if not root.is_dir():
        raise SystemExit(
            f"coursehub: {root} is missing: on a swarm the hub mounts the shared storage there "
            "(the `shared` volume of deploy/swarm/coursehub.yml)"
        )
    for name in (HOMES_DIR, DATA_DIR):
        (root / name).mkdir(exist_ok=True)


def wait_for_database(url: str, timeout: float = 120) -> None:
    engine = create_engine(url)
    deadline = time.monotonic() + timeout
    while True:
        try:
            with engine.connect():
                return
        except OperationalError as error:
            if time.monotonic() > deadline:
                host = url.rsplit("@", 1)[-1]
                raise SystemExit(
                    f"coursehub: the database at {host} did not answer within {timeout}s: {error}"
                ) from None
            log.info("waiting for the database...")
            time.sleep(2)
        finally:
            engine.dispose()


def bootstrap(settings: Settings) -> None:
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    # A hold left by `coursehub db migrate` (or a restore cut short) ends with the container.
    hold_file(settings).unlink(missing_ok=True)
    ensure_secrets(settings)
    ensure_database_secret(settings)
    if settings.platform == "swarm":
        ensure_shared_storage()
    else:
        # Rules on this host only: on a swarm, each node needs its own (deploy/swarm/README.md).
        block_cloud_metadata(settings)
    if not settings.database_url.startswith("sqlite"):
        wait_for_database(settings.database_url)
    load_inventory(settings)
    if ensure_admin(settings):
        log.warning(
            "Created the admin account %r. Get its password with: "
            "docker compose exec hub coursehub users reset-password %s",
            settings.admin,
            settings.admin,
        )
