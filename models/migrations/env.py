"""Alembic's environment for classbot: run by models/migrate.py on a connection it hands over
(config.attributes["connection"]), so the same async engine, pragmas and URL as the bot are
used; there is no alembic.ini. SQLite gets batch mode (ALTER TABLE there is limited)."""

from __future__ import annotations

from alembic import context

from models.base import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata,
                  render_as_batch=connection.dialect.name == "sqlite",
                  compare_type=True, compare_server_default=False)
with context.begin_transaction():
    context.run_migrations()
