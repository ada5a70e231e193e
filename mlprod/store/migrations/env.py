"""Alembic environment: migrations run on the connection mlprod hands over (see store.db.migrate)."""

from __future__ import annotations

from alembic import context

from mlprod.store.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - only when someone runs the alembic CLI by hand
    raise SystemExit("run migrations through mlprod: they apply themselves when a command opens the database")
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
