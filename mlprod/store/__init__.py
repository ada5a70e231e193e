"""The database: typed models, engine and sessions, migrations applied on open."""

from mlprod.store.db import Database, open_database

__all__ = ["Database", "open_database"]
