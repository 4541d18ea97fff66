"""Alembic runs inside cardguard: the connection comes from the store, never from an ini file."""

from alembic import context

from cardguard.store.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True,
                  compare_type=True)
with context.begin_transaction():
    context.run_migrations()
