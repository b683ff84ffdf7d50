"""The only package with SQL. Services open a ``Database`` and call the module functions in
``bot.storage.users``, ``bot.storage.quiz`` and ``bot.storage.daily`` inside ``db.write()`` or
``db.read()``; schema changes are appended to ``bot.storage.migrations.MIGRATIONS``."""

from bot.storage.db import Database, StorageError, from_ts, to_ts
from bot.storage.migrations import LATEST_VERSION, MIGRATIONS, SchemaTooNewError

__all__ = [
    "LATEST_VERSION",
    "MIGRATIONS",
    "Database",
    "SchemaTooNewError",
    "StorageError",
    "from_ts",
    "to_ts",
]
