"""The staff database's migrations go up and down, and an existing shelter keeps seeing the
walk-ins it saw before the migration that made walk-ins opt-in."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from sqlalchemy import inspect, text

from bot.staff.db import make_engine
from bot.staff.migrations import alembic_config, upgrade


def test_signin_binding_migration_round_trips_and_keeps_walk_ins(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'staff.sqlite3'}")
    try:
        upgrade(engine, "0001")
        with engine.begin() as db:
            db.execute(
                text("INSERT INTO shelters (name, created_at) VALUES ('Casa', :now)"),
                {"now": datetime.now(UTC)},
            )
        upgrade(engine)
        columns = {c["name"] for c in inspect(engine).get_columns("signin_codes")}
        assert {"challenge_hash", "client_hash", "device_hash"} <= columns
        with engine.connect() as db:
            assert db.scalar(text("SELECT takes_walk_ins FROM shelters")) in (1, True)
        command.downgrade(alembic_config(engine), "0001")
        columns = {c["name"] for c in inspect(engine).get_columns("signin_codes")}
        assert "challenge_hash" not in columns
        upgrade(engine)
    finally:
        engine.dispose()


def test_inbox_threads_migration_round_trips(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'staff.sqlite3'}")
    try:
        upgrade(engine)
        columns = {c["name"] for c in inspect(engine).get_columns("handoffs")}
        assert {"assigned_staff_id", "close_note_enc"} <= columns
        assert "handoff_reads" in inspect(engine).get_table_names()
        command.downgrade(alembic_config(engine), "0004_signin_walk_ins")
        assert "handoff_reads" not in inspect(engine).get_table_names()
        columns = {c["name"] for c in inspect(engine).get_columns("handoffs")}
        assert "assigned_staff_id" not in columns
        upgrade(engine)
    finally:
        engine.dispose()
