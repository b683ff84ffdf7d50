"""The only package with SQL. Services open a ``Database`` and call the module functions in
``bot.storage.users``, ``bot.storage.quiz``, ``bot.storage.daily``, ``bot.storage.group``,
``bot.storage.group_record``, ``bot.storage.asked`` and ``bot.storage.chats`` inside
``db.write()`` or ``db.read()``; schema changes are appended to
``bot.storage.migrations.MIGRATIONS``. A database that cannot be opened (bad path, broken
file, failed migration, newer schema) raises ``StorageError`` (defined in ``bot.errors``)."""

from bot.storage.db import (
    Database,
    StorageError,
    describe_failure,
    failures_as_storage_errors,
    from_ts,
    to_ts,
)
from bot.storage.migrations import LATEST_VERSION, MIGRATIONS, SchemaTooNewError

__all__ = [
    "LATEST_VERSION",
    "MIGRATIONS",
    "Database",
    "SchemaTooNewError",
    "StorageError",
    "describe_failure",
    "failures_as_storage_errors",
    "from_ts",
    "to_ts",
]
