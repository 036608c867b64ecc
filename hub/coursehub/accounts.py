"""Login accounts: NativeAuthenticator's password table in the hub database.

JupyterHub's own ``users`` table says who exists and who is an admin; NativeAuthenticator's
``users_info`` table holds the password hash and whether an admin approved the sign-up.
This module is the one place that reads and writes the latter outside the hub process.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

import bcrypt
from jupyterhub import orm

# Registers the users_info table on JupyterHub's metadata, so that the schema created below
# (the same call the hub makes at start-up) includes it.
from nativeauthenticator.orm import UserInfo


@dataclass(frozen=True)
class Account:
    name: str
    approved: bool


class Accounts:
    def __init__(self, db_url: str):
        self._sessions = orm.new_session_factory(db_url)

    @contextmanager
    def _session(self):
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def get(self, name: str) -> Account | None:
        with self._session() as db:
            info = UserInfo.find(db, name)
            return Account(info.username, bool(info.is_authorized)) if info else None

    def has_password(self, name: str) -> bool:
        return self.get(name) is not None

    def all(self) -> list[Account]:
        with self._session() as db:
            return [Account(i.username, bool(i.is_authorized)) for i in UserInfo.all_users(db)]

    def set_password(self, name: str, password: str, *, approve: bool) -> None:
        """Create the account or replace its password, in one transaction."""
        hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt())
        with self._session() as db:
            info = UserInfo.find(db, name)
            if info is None:
                db.add(UserInfo(username=name, password=hashed, is_authorized=approve))
            else:
                info.password = hashed
                info.is_authorized = info.is_authorized or approve

    def approve(self, name: str) -> None:
        with self._session() as db:
            info = UserInfo.find(db, name)
            if info is None:
                raise KeyError(name)
            info.is_authorized = True

    def delete(self, name: str) -> None:
        with self._session() as db:
            info = UserInfo.find(db, name)
            if info is not None:
                db.delete(info)

    def check_password(self, name: str, password: str) -> bool:
        with self._session() as db:
            info = UserInfo.find(db, name)
            return bool(info and bcrypt.checkpw(password.encode(), info.password))
