"""A person's data: delete all of it (/forget) or hand it over as a JSON file (/export).

``forget`` deletes every row about a person in one write transaction and reports how many rows
each table lost; ``export`` gathers everything stored about them (``to_json`` writes it as
UTF-8 JSON, datetimes in ISO 8601 with their UTC offset; ``holds_data`` says whether it has
anything in it).
"""

from __future__ import annotations

import json
import logging
from datetime import date, datetime
from typing import Any

from bot.services.context import ServiceContext
from bot.storage import privacy as privacy_db
from bot.storage.privacy import ForgetReport

__all__ = ["EXPORT_FORMAT", "PrivacyService", "holds_data", "to_json"]

log = logging.getLogger(__name__)

# Bumped if the layout of the exported file changes, so a reader can tell versions apart.
EXPORT_FORMAT = 1


def _json_default(value: object) -> str:
    if isinstance(value, datetime | date):
        # Every stored instant comes back tz-aware (UTC), so isoformat carries "+00:00".
        return value.isoformat()
    raise TypeError(f"cannot export a {type(value).__name__}")


def holds_data(export: dict[str, Any]) -> bool:
    return not privacy_db.is_empty(export["data"])


def to_json(export: dict[str, Any]) -> bytes:
    """An export as UTF-8 JSON (names and texts kept as they are, not \\u-escaped)."""
    text = json.dumps(export, ensure_ascii=False, indent=2, default=_json_default)
    return text.encode("utf-8")


class PrivacyService:
    def __init__(self, context: ServiceContext) -> None:
        self._ctx = context

    async def forget(self, user_id: int) -> ForgetReport:
        """Delete every row about `user_id` at once: a failure part-way deletes nothing."""
        async with self._ctx.db.write() as conn:
            counts = await privacy_db.forget_user(conn, user_id)
        # The WAL still holds the pages as they were before the deletion until a checkpoint.
        if not await self._ctx.db.checkpoint():
            log.warning("forget: a reader held the WAL; its old pages go at the next checkpoint")
        return counts

    async def export(self, user_id: int) -> dict[str, Any]:
        moment = self._ctx.now()
        # Inside the write lock, so the file is one consistent snapshot (an answer graded
        # between two of the SELECTs would otherwise show in one table and not another).
        async with self._ctx.db.write() as conn:
            data = await privacy_db.export_user(conn, user_id)
        return {"format": EXPORT_FORMAT, "exported_at": moment, "data": data}

    async def export_json(self, user_id: int) -> bytes:
        return to_json(await self.export(user_id))
