"""/stats in words: the caption under the learner's 12-week heat map."""

from __future__ import annotations

from bot.services import Stats, Tally
from bot.tg.render import esc, fit, plural

__all__ = ["NAME_LIMIT", "stats_caption"]


def _percent(tally: Tally) -> str:
    return "–" if tally.accuracy is None else f"{tally.accuracy:.0%}"


# Room for the learner's name in the caption's heading; the rest of the caption is bounded.
NAME_LIMIT = 64


def stats_caption(stats: Stats, name: str) -> str:
    """The numbers, as HTML that fits a photo caption (a long name is shortened)."""
    streak = stats.streak
    today = "✓ answered today" if streak.active_today else "nothing answered yet today"
    lines = [
        f"📊 <b>{fit(name, NAME_LIMIT)}'s progress</b>",
        f"🔥 Streak: <b>{plural(streak.current, 'day')}</b> "
        f"(best {plural(streak.best, 'day')}) · {today}",
        f"🧊 Streak freezes: {streak.freezes}",
        f"✅ Questions answered: <b>{stats.answered}</b> · accuracy {_percent(stats.overall)}",
    ]
    levels = [
        f"{esc(level)} {tally.correct}/{tally.answered} ({_percent(tally)})"
        for level, tally in stats.by_difficulty.items()
    ]
    lines.append("   " + " · ".join(levels))
    lines.append(f"🔁 Due for review: {stats.due} · never seen: {stats.unseen}")
    if not stats.answered:
        lines.append("\nNo answers yet: send /quiz for your first question.")
    lines.append(
        f"\nThe picture: your last 12 weeks, one square per day ({esc(stats.timezone)} time)."
    )
    return "\n".join(lines)
