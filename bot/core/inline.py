"""Inline mode's choice of entries: what `@bot <question>` offers, typed in any chat.

Inline results are a menu the person picks from before anything is posted, so the matcher's
candidates are offered best first: the answered entry (or the "did you mean" suggestions), then
the runners-up that were close enough to have been suggested. A message the matcher would not
answer at all (off-topic, a greeting, noise) offers nothing, so no wrong fact is ever one tap
away. An empty query offers the entries asked most, topped up with the starter topics' entries.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.core.content import Answerable
from bot.core.matcher import SUGGEST_THRESHOLD, MatchResult
from bot.core.text import clean

__all__ = ["MAX_QUERY_CHARS", "MAX_RESULTS", "candidates", "popular", "query_key"]

MAX_RESULTS = 5
# Telegram sends at most 256 characters of inline query; anything longer is not from Telegram
# and is cut rather than matched at length.
MAX_QUERY_CHARS = 256


def query_key(text: str) -> str:
    """The query as the matcher reads it (case, spacing and invisible characters do not count),
    so equal questions share one cache entry."""
    return clean(text[:MAX_QUERY_CHARS])


def _unique(entries: Iterable[Answerable], limit: int) -> tuple[Answerable, ...]:
    seen: dict[str, Answerable] = {}
    for entry in entries:
        if len(seen) >= limit:
            break
        seen.setdefault(entry.id, entry)
    return tuple(seen.values())


def candidates(result: MatchResult, limit: int = MAX_RESULTS) -> tuple[Answerable, ...]:
    """The entries to offer for one matcher verdict, best first (none for a fallback)."""
    if result.status == "answer" and result.entry is not None:
        first: tuple[Answerable, ...] = (result.entry,)
    elif result.status == "suggest":
        first = result.suggestions
    else:
        return ()
    close = (m.entry for m in result.ranked if m.score >= SUGGEST_THRESHOLD)
    return _unique([*first, *close], limit)


def popular(
    most_asked: Iterable[Answerable], starters: Iterable[Answerable], limit: int = MAX_RESULTS
) -> tuple[Answerable, ...]:
    """The answer to an empty query: the most asked entries, then starter entries to fill up."""
    return _unique([*most_asked, *starters], limit)
