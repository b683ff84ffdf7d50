"""The daily question's settings in words (the question itself is drawn by views.quiz)."""

from __future__ import annotations

from bot.services import Subscription
from bot.tg.render import esc

__all__ = [
    "ADMINS_ONLY",
    "USAGE",
    "describe",
    "status_text",
    "subscribed_text",
    "unsubscribed_text",
]

USAGE = (
    "<b>Daily question</b>\n"
    "/daily on [HH:MM] [Time/Zone] — one question every day (default 09:00)\n"
    "/daily off — stop it\n"
    "/daily — show the current setting\n"
    "Example: <code>/daily on 08:30 Europe/Berlin</code>"
)
ADMINS_ONLY = "Only the group's admins can change the daily question here."


def describe(subscription: Subscription) -> str:
    return f"every day at <b>{subscription.time_text}</b> ({esc(subscription.timezone)} time)"


def status_text(subscription: Subscription | None) -> str:
    if subscription is None:
        return f"No daily question in this chat yet.\n\n{USAGE}"
    return f"📅 The daily question comes {describe(subscription)}. Turn it off with /daily off."


def subscribed_text(subscription: Subscription) -> str:
    return (
        f"📅 Daily question on: {describe(subscription)}. Anyone here can answer it once.\n"
        "Change the time with /daily on HH:MM, stop with /daily off."
    )


def unsubscribed_text(*, removed: bool) -> str:
    text = "Daily question turned off." if removed else "There was no daily question here."
    return text + " Turn it on with /daily on [HH:MM]."
