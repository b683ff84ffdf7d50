"""Inline mode: `@bot <question>` in any chat offers the matching entries as results to post.

Telegram sends an inline query at nearly every keystroke, so answers are cached twice: Telegram
keeps them ``CACHE_SECONDS`` for everyone (``is_personal=False``: nothing in them depends on
who asks), and the bot keeps the rendered results per normalised query (``InlineMemory``). The
matcher is pure, so its results stay valid while the bot runs; the empty query's "most asked"
list changes, so it is kept for ``POPULAR_SECONDS`` only. Inline mode must be switched on in
@BotFather (/setinline) or Telegram sends no inline queries at all.
"""

from __future__ import annotations

import logging
import time

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import InlineQueryHandler

from bot.core import inline as rules
from bot.core.content import Answerable
from bot.tg.state import AnyApp, TutorContext
from bot.tg.views import inline as view

__all__ = ["CACHE_SECONDS", "POPULAR_SECONDS", "on_inline_query", "register"]

log = logging.getLogger(__name__)

CACHE_SECONDS = 60
POPULAR_SECONDS = 60.0


async def _entries(context: TutorContext, key: str) -> tuple[Answerable, ...]:
    matcher = context.state.matcher
    if key:
        return rules.candidates(await context.state.matching.match(key))
    most = await context.services.asked.most_asked(rules.MAX_RESULTS)
    # A new bot has counted nothing yet: the starter topics (those of the fallback reply) fill in.
    fallback = await context.state.matching.match("")
    starters = (matcher.topic_entry(t.id) for t in fallback.fallback_topics)
    return rules.popular(most, (r.entry for r in starters if r is not None and r.entry))


async def on_inline_query(update: Update, context: TutorContext) -> None:
    query = update.inline_query
    if query is None:
        return
    key = rules.query_key(query.query)
    memory = context.state.inline
    now = time.monotonic()
    results = memory.get(key, now)
    if results is None:
        results = view.articles(await _entries(context, key))
        memory.put(key, results, expires=now + POPULAR_SECONDS if not key else None)
    try:
        await query.answer(results, cache_time=CACHE_SECONDS, is_personal=False)
    except BadRequest as error:
        # The person typed on (or gave up) before the answer came: Telegram no longer wants it.
        if "query is too old" not in error.message.lower():
            raise
        log.info("inline query answered too late: %s", error.message)


def register(app: AnyApp) -> None:
    app.add_handler(InlineQueryHandler(on_inline_query))
