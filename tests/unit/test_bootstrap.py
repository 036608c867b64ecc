"""First start: secrets and the admin account, created once and kept."""

from __future__ import annotations

import stat

from coursehub.accounts import Accounts
from coursehub.bootstrap import SECRETS, bootstrap, read_secret
from coursehub.settings import Settings


def test_first_start_creates_private_secrets_and_a_locked_admin(tmp_path):
    settings = Settings(state_dir=tmp_path)
    bootstrap(settings)
    for name in SECRETS:
        path = settings.secrets_dir / name
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert len(read_secret(settings, name)) == 64
    accounts = Accounts(settings.database_url)
    admin = accounts.get("admin")
    assert admin is not None and admin.approved
    # Nobody knows the first password; a common guess does not open it.
    assert not accounts.check_password("admin", "admin")


def test_later_starts_keep_secrets_and_password(tmp_path):
    settings = Settings(state_dir=tmp_path)
    bootstrap(settings)
    before = {name: read_secret(settings, name) for name in SECRETS}
    Accounts(settings.database_url).set_password("admin", "known-password-1", approve=True)
    bootstrap(settings)
    assert {name: read_secret(settings, name) for name in SECRETS} == before
    assert Accounts(settings.database_url).check_password("admin", "known-password-1")


def test_gpu_discovery_on_a_host_without_gpus_finds_none_and_leaves_nothing(docker_client, learner_image):
    from coursehub.gpus import discover

    before = {c.id for c in docker_client.containers.list(all=True)}
    assert discover(docker_client, learner_image) == []
    assert {c.id for c in docker_client.containers.list(all=True)} == before
