"""/gaps in words: the authors' gap report, the refusal for learners, the pointer to a DM."""

from __future__ import annotations

from bot.core.content import ContentPack
from bot.gap_report import report_text
from bot.services.gaps import GapReport
from bot.tg.render import MESSAGE_LIMIT, fit

__all__ = ["GAPS_SHOWN", "IN_PRIVATE", "NOT_ADMIN", "gaps_html"]

# A phone screen holds about this many groups; `tutor-bot gaps` lists them all.
GAPS_SHOWN = 10
NOT_ADMIN = (
    "Sorry, /gaps is for the bot's content authors: it lists what learners asked that I could "
    "not answer."
)
IN_PRIVATE = "Send /gaps to me in a private chat: the questions learners asked stay between us."


def gaps_html(report: GapReport, pack: ContentPack) -> str:
    """The report for Telegram: the largest groups, then where to find the rest."""
    text = report_text(report, pack, limit=GAPS_SHOWN)
    if len(report.groups) > GAPS_SHOWN:
        text += "\n(The full list: tutor-bot gaps on the server.)"
    return fit(text, MESSAGE_LIMIT)
