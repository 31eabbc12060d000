"""The staff database's migrations go up and down, and an existing shelter keeps seeing the
walk-ins it saw before the migration that made walk-ins opt-in."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, inspect, text

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


def test_the_head_is_read_as_alembic_reads_it_and_a_migrated_database_skips_alembic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`upgrade_if_needed` (every start-up) tells the head from the version files without
    Alembic; Alembic's own head is the oracle, and a database behind it is still upgraded."""
    from alembic.script import ScriptDirectory

    from bot.staff import migrations

    engine = make_engine(f"sqlite:///{tmp_path / 'staff.sqlite3'}")
    try:
        oracle = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
        assert migrations.head_revision() == oracle
        assert migrations.current_revision(engine) is None
        migrations.upgrade_if_needed(engine)  # a fresh database: migrated
        assert migrations.current_revision(engine) == oracle
        command.downgrade(alembic_config(engine), "0003_handoff_urgent")
        assert migrations.current_revision(engine) == "0003_handoff_urgent"
        migrations.upgrade_if_needed(engine)  # behind: migrated
        assert migrations.current_revision(engine) == oracle
        calls: list[Engine] = []
        monkeypatch.setattr(migrations, "upgrade", calls.append)
        migrations.upgrade_if_needed(engine)  # at the head: Alembic is not called
        assert calls == []
    finally:
        engine.dispose()
