"""What `frontdoor serve` does around the app: migrations once before the workers start, and
the app each worker builds.

Why migrate in the parent: every worker opens the staff database and brings it to the latest
schema (bot/staff/service.py `open_staff`); two workers on a fresh data directory both ran
the first migration and one failed (``table audit_log already exists``). Here the database is
migrated once, under a lock (a file lock in the data directory, so two `frontdoor serve` on
one machine wait for each other; on PostgreSQL also an advisory lock, for several hosts),
before any worker starts; the workers then find it at the latest revision.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text

if TYPE_CHECKING:
    from fastapi import FastAPI

    from bot.settings import Settings

#: Any fixed number: the PostgreSQL advisory lock of the staff database's migrations.
_ADVISORY_LOCK = 0x66D0_0516


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def migrate_once(settings: Settings, data_dir: Path) -> None:
    """Bring the staff database to the latest schema, one process at a time."""
    from bot.staff.db import default_url, make_engine
    from bot.staff.migrations import upgrade_if_needed

    engine = make_engine(settings.database_url or default_url(data_dir), settings.database_schema)
    try:
        with _file_lock(data_dir / "migrate.lock"):
            if engine.dialect.name == "postgresql":
                with engine.connect() as connection:
                    connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _ADVISORY_LOCK})
                    try:
                        upgrade_if_needed(engine)
                    finally:
                        connection.execute(
                            text("SELECT pg_advisory_unlock(:k)"), {"k": _ADVISORY_LOCK}
                        )
            else:
                upgrade_if_needed(engine)
    finally:
        engine.dispose()


def worker_app() -> FastAPI:
    """The app of one `frontdoor serve --workers N` worker (uvicorn's factory, in a process
    of its own): settings from the environment, as the parent checked and completed them."""
    from bot.app import create_app
    from bot.cli import DATA_DIR, _settings, configure_logging

    configure_logging()  # as the parent did: this is a process of its own
    return create_app(_settings(), data_dir=DATA_DIR)
