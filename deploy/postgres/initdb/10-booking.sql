-- The booking sandbox's own database, next to the bot's (POSTGRES_DB=frontdoor): the two
-- migrate separately (each keeps its own alembic_version table).
CREATE DATABASE booking OWNER frontdoor;
