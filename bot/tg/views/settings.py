"""Settings in words: the time zone, streak reminders, and who may start a group quiz."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot.services import Subscription, UserSettings
from bot.services.group import GroupSettings
from bot.tg.callbacks import setting_data
from bot.tg.render import esc
from bot.tg.views.common import button
from bot.tg.views.daily import describe

__all__ = [
    "REMINDERS_OFF_TEXT",
    "REMINDERS_ON_TEXT",
    "REMINDERS_USAGE",
    "SETTINGS_ADMINS_ONLY",
    "SETTING_EXPIRED",
    "SETTING_SAVED",
    "TIMEZONE_USAGE",
    "group_settings_keyboard",
    "group_settings_text",
    "reminders_text",
    "timezone_set_text",
    "timezone_text",
]

TIMEZONE_USAGE = (
    "Send /timezone followed by your zone's name, for example "
    "<code>/timezone Europe/Berlin</code> or <code>/timezone America/New_York</code>."
)
REMINDERS_USAGE = (
    "/reminders on or /reminders off — a nudge late in the evening when a streak is at risk."
)
REMINDERS_OFF_TEXT = "Streak reminders are off. Turn them back on with /reminders on."
REMINDERS_ON_TEXT = (
    "Streak reminders are on: if your streak is at risk, I'll nudge you once in the last two "
    "hours before your midnight. Turn them off with /reminders off."
)
SETTINGS_ADMINS_ONLY = "Only group admins can change the group quiz settings."
SETTING_EXPIRED = "That button has expired."
SETTING_SAVED = "Saved."


def timezone_text(settings: UserSettings) -> str:
    note = " (the bot's default)" if settings.timezone_is_default else ""
    return (
        f"Your time zone is <b>{esc(settings.timezone)}</b>{note}. Streaks and reminders "
        f"follow your local midnight.\n\n{TIMEZONE_USAGE}"
    )


def timezone_set_text(name: str, daily: Subscription | None) -> str:
    """The new zone, and where the private daily question moved with it (if it did)."""
    text = f"Time zone set to <b>{esc(name)}</b>. Your days now start at midnight there."
    if daily is not None:
        text += f"\nYour daily question now comes {describe(daily)}."
    return text


def reminders_text(*, enabled: bool) -> str:
    return REMINDERS_ON_TEXT if enabled else REMINDERS_OFF_TEXT


def group_settings_text(settings: GroupSettings) -> str:
    who = "everyone in the group" if settings.anyone_can_start else "group admins only"
    return f"<b>Group quiz settings</b>\nWho can start a quiz with /groupquiz: <b>{who}</b>."


def group_settings_keyboard(settings: GroupSettings) -> InlineKeyboardMarkup:
    if settings.anyone_can_start:
        toggle = button("Only admins may start", setting_data(anyone_can_start=False))
    else:
        toggle = button("Let everyone start", setting_data(anyone_can_start=True))
    return InlineKeyboardMarkup([[toggle]])
