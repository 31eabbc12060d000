"""Migrations: they build the schema the models describe, and go down and up again."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from booking_sandbox import migrations
from booking_sandbox.db import make_engine
from booking_sandbox.models import Base
from booking_sandbox.settings import SandboxSettings

TABLES = {"registrations", "slot_requests", "appointments", "allocation_runs", "events",
          "idempotency_keys", "allocation_seeds", "alembic_version"}


def test_upgrade_matches_models_and_downgrade_round_trips(database: dict[str, Any]) -> None:
    engine = make_engine(SandboxSettings(**database))
    try:
        migrations.upgrade(engine)
        assert set(inspect(engine).get_table_names()) == TABLES
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection),
                                           Base.metadata)
        assert differences == []
        migrations.upgrade(engine)  # idempotent at every start-up
        from alembic import command

        command.downgrade(migrations.alembic_config(engine), "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        migrations.upgrade(engine)
        assert set(inspect(engine).get_table_names()) == TABLES
    finally:
        engine.dispose()


def test_one_head() -> None:
    """Migrations added in parallel must be chained: two heads would stop every start-up."""
    from alembic.script import ScriptDirectory

    from booking_sandbox.migrations import MIGRATIONS_DIR

    config = migrations.alembic_config(make_engine(SandboxSettings(database_url="sqlite://")))
    assert config.get_main_option("script_location") == str(MIGRATIONS_DIR)
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"migration heads {heads}: set down_revision to the latest one"
