"""Moving the hub database from SQLite to PostgreSQL (``coursehub db migrate``).

JupyterHub has no tool for this. The target gets its schema the way it would on a first start
(JupyterHub's models, NativeAuthenticator's table, the GPU allocations), stamped with the same
schema revision; then every row is copied, table by table in foreign-key order, in one
transaction, and the counts are compared. A target that already holds data is refused.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Integer, MetaData, create_engine, func, insert, select, text
from sqlalchemy.engine import Engine, make_url

from .gpu_pool import AllocationStore

REVISIONS = "alembic_version"


class DatabaseError(Exception):
    """A migration that cannot go ahead; the source is never changed."""


def safe_url(url: str) -> str:
    """The URL without its password, for messages."""
    return make_url(url).render_as_string(hide_password=True)


def _reflect(engine: Engine) -> MetaData:
    metadata = MetaData()
    metadata.reflect(engine)
    return metadata


def _count(engine: Engine, metadata: MetaData) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            name: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for name, table in metadata.tables.items()
            if name != REVISIONS
        }


def _revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return connection.execute(text(f"SELECT version_num FROM {REVISIONS}")).scalar()


def migrate(source_url: str, target_url: str, progress: Callable[[str, int, int], None]) -> dict[str, int]:
    """Copy every row from ``source_url`` into the empty database ``target_url``: rows per table."""
    # Imported here: every `coursehub` command imports this module for DatabaseError.
    import nativeauthenticator.orm  # noqa: F401  (NativeAuthenticator's table on JupyterHub's)
    from jupyterhub import orm

    source = create_engine(source_url)
    try:
        target = create_engine(target_url)
        with target.connect():
            pass
    except Exception as error:
        raise DatabaseError(f"cannot reach {safe_url(target_url)}: {error}") from None
    source_tables = _reflect(source)
    if REVISIONS not in source_tables.tables:
        raise DatabaseError(f"{safe_url(source_url)} is not a JupyterHub database")

    orm.new_session_factory(target_url)  # JupyterHub's schema, stamped with its revision
    AllocationStore(target_url)
    target_tables = _reflect(target)
    filled = [name for name, rows in _count(target, target_tables).items() if rows]
    if filled:
        raise DatabaseError(
            f"{safe_url(target_url)} already holds data ({', '.join(sorted(filled))}): "
            "migrate into an empty database"
        )
    if _revision(source) != _revision(target):
        raise DatabaseError(
            f"the source's schema revision {_revision(source)} differs from this JupyterHub's "
            f"{_revision(target)}: start the hub once on the source to upgrade it, then migrate"
        )
    unknown = sorted(set(source_tables.tables) - set(target_tables.tables))
    if unknown:
        raise DatabaseError(f"tables this hub does not know would be left behind: {', '.join(unknown)}")

    expected = _count(source, source_tables)
    ordered = [table for table in target_tables.sorted_tables if table.name != REVISIONS]
    with source.connect() as reading, target.begin() as writing:
        for number, table in enumerate(ordered, start=1):
            progress(table.name, number, len(ordered))
            rows = [dict(row) for row in reading.execute(select(source_tables.tables[table.name])).mappings()]
            if rows:
                writing.execute(insert(table), rows)
        for table in ordered:
            # Rows came with their ids: move each id sequence past them.
            for column in table.primary_key.columns:
                if isinstance(column.type, Integer) and expected[table.name]:
                    writing.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'), "
                            f'(SELECT max("{column.name}") FROM "{table.name}"))'
                        )
                    )
    copied = _count(target, target_tables)
    if copied != expected:
        raise DatabaseError(f"row counts differ after copying: expected {expected}, found {copied}")
    return copied
