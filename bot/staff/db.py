"""Engine for the staff database: a SQLite file under the data directory by default,
PostgreSQL with FRONTDOOR_DATABASE_URL (optionally in a schema of its own, as tests use)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url


def default_url(data_dir: Path) -> str:
    return f"sqlite:///{(data_dir / 'staff.sqlite3').resolve()}"


def make_engine(url: str, schema: str | None = None) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            parsed, connect_args={"check_same_thread": False, "timeout": 30}, pool_pre_ping=True
        )

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            if database and database != ":memory:":
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        return engine
    engine = create_engine(parsed, pool_pre_ping=True)
    if schema:
        quoted = '"' + schema.replace('"', '""') + '"'

        @event.listens_for(engine, "connect")
        def _search_path(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute(f"SET search_path TO {quoted}")
            cursor.close()
            dbapi_connection.commit()

    return engine
