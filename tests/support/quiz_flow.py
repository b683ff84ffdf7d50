"""Steps of a private quiz as a learner takes them: read the option buttons, find the right one,
press it."""

from __future__ import annotations

from typing import Any

from bot.services import Delivery
from tests.emulator import BotMessage
from tests.support.world import App, World, services_of


def option_data(message: BotMessage) -> list[str]:
    """The callback data of the option buttons (not the Hint), in display order."""
    rows = (message.reply_markup or {}).get("inline_keyboard", [])
    return [
        b["callback_data"] for row in rows for b in row if b["callback_data"].startswith("qa:")
    ]


async def delivery_of(app: App, message: BotMessage) -> Delivery:
    delivery_id = int(option_data(message)[0].split(":")[1])
    delivery = await services_of(app).quiz.get_delivery(delivery_id)
    assert delivery is not None
    return delivery


def correct_position(delivery: Delivery) -> int:
    question = delivery.question
    return delivery.options.index(question.options[question.correct_index].text)


async def press_option(
    world: World, app: App, user: Any, message: BotMessage, *, right: bool
) -> dict[str, Any]:
    """Press the right (or a wrong) option of a question message; return the query's answer."""
    delivery = await delivery_of(app, message)
    good = correct_position(delivery)
    position = good if right else (good + 1) % len(delivery.options)
    return await world.press_data(user, message, option_data(message)[position])


async def answer_quiz(
    world: World, app: App, *, right: bool = True, level: str = ""
) -> BotMessage:
    """Alice asks for a question and answers it; returns the edited message."""
    question = await world.ask(world.alice, world.alice_chat, f"/quiz {level}".strip())
    await press_option(world, app, world.alice, question, right=right)
    await world.emu.wait_for(lambda: world.current(question).edits)
    return world.current(question)
