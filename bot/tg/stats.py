"""/stats: the learner's streak and accuracy as a caption under their 12-week heat map."""

from __future__ import annotations

from telegram import InputFile, Update
from telegram.ext import CommandHandler, filters

from bot.services import Stats, Tally
from bot.tg.addressing import is_private
from bot.tg.guards import sender
from bot.tg.render import esc, fit, plural
from bot.tg.send import to_chat
from bot.tg.state import AnyApp, TutorContext


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


async def stats_command(update: Update, context: TutorContext) -> None:
    found = sender(update)
    if found is None:
        return
    message, user = found
    services = context.services
    stats = await services.stats.stats(user.id)
    picture = await services.stats.heatmap(user.id)
    caption = stats_caption(stats, user.first_name)
    await to_chat(
        message,
        lambda: message.reply_photo(
            InputFile(picture, filename="heatmap.png"),
            caption=caption,
            do_quote=not is_private(message.chat),
        ),
    )


def register(app: AnyApp) -> None:
    app.add_handler(CommandHandler("stats", stats_command, filters=filters.UpdateType.MESSAGE))
