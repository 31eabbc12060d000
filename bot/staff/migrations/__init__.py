"""Alembic migrations of the staff database, shipped in the package (no alembic.ini).

Every start-up checks the schema (`upgrade_if_needed`): when the database is already at the
latest revision, which is every start but the first after an upgrade, Alembic is not even
imported (importing it and reading its scripts was ~0.4 s of each worker's start-up). The
latest revision is read from the version files' ``revision``/``down_revision`` lines
(`head_revision`); Alembic's own answer is its oracle in tests/staff/test_staff_migrations.py.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent
VERSION_TABLE = "staff_alembic_version"
_REVISION = re.compile(r"^revision(?:: str)? = [\"']([^\"']+)[\"']", re.MULTILINE)
_DOWN = re.compile(r"^down_revision(?:: [^=]+)? = (?:None|[\"']([^\"']+)[\"'])", re.MULTILINE)


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    config.set_main_option("version_table", VERSION_TABLE)
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the staff database to `revision`; safe at every start-up."""
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


def head_revision() -> str | None:
    """The latest revision of the shipped scripts, or None if it cannot be told this way
    (then Alembic decides)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (MIGRATIONS_DIR / "versions").glob("*.py"):
        source = script.read_text(encoding="utf-8")
        revision, down = _REVISION.search(source), _DOWN.search(source)
        if revision is None or down is None:
            return None
        revisions.add(revision.group(1))
        if down.group(1):
            parents.add(down.group(1))
    heads = revisions - parents
    return next(iter(heads)) if len(heads) == 1 else None


def current_revision(engine: Engine) -> str | None:
    """The database's revision (None: never migrated)."""
    with engine.connect() as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return None
        rows = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).all()  # noqa: S608
    return str(rows[0][0]) if len(rows) == 1 else None


def upgrade_if_needed(engine: Engine) -> None:
    """`upgrade` to the head, without Alembic when the database is there already."""
    head = head_revision()
    if head is None or current_revision(engine) != head:
        upgrade(engine)
