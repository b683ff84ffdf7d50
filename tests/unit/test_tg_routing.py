"""Every update is taken by at most one handler of group 0, so registration order is free."""

from __future__ import annotations

from functools import cache

import pytest
from telegram import CallbackQuery, Update, User

from bot.config import Settings
from bot.core.content import load_content
from bot.tg import callbacks
from bot.tg.app import build_application
from bot.tg.handlers.fallback import UnclaimedQueryHandler
from bot.tg.state import AnyApp, AppState


@cache
def application() -> AnyApp:
    settings = Settings.for_tests(api_base_url="http://127.0.0.1:9/bot", db_path=":memory:")
    pack = load_content()
    return build_application(settings, state=AppState.create(settings, pack))


def press(data: str | None) -> Update:
    user = User(1, "Ana", is_bot=False)
    return Update(1, callback_query=CallbackQuery("1", user, chat_instance="c", data=data))


def takers(update: Update) -> list[str]:
    return [
        type(handler).__name__ + ":" + getattr(handler.callback, "__name__", "?")
        for handler in application().handlers[0]
        if handler.check_update(update)
    ]


@pytest.mark.parametrize(
    "data",
    [
        callbacks.MENU_DATA,
        callbacks.lesson_data("compare"),
        callbacks.answer_data("anything"),
        callbacks.quiz_answer_data(1, 0),
        callbacks.REMINDERS_OFF_DATA,
        callbacks.forget_data(confirm=True, owner=1),
        callbacks.tap_data(1, 0),
        callbacks.setting_data(anyone_can_start=False),
        "zz:forged",
        "rm:on",
        "",
        None,
    ],
)
def test_each_press_has_exactly_one_taker(data: str | None) -> None:
    """A feature's data goes to that feature alone; anything else to the fallback alone."""
    found = takers(press(data))
    assert len(found) == 1, found
    is_fallback = found[0].startswith(UnclaimedQueryHandler.__name__)
    assert is_fallback == (not callbacks.claimed(data))
