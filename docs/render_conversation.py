"""Draw docs/conversation.png: a short Telegram conversation with the tutor, from the real replies.

Every text in the picture comes from the bot's own code at the time the script runs: the matcher's
answer and its Related buttons (`bot.tg.views.ask.render_result`), a quiz question with its option
buttons, and the verdict the question turns into (`bot.tg.views.quiz`, through the
real quiz service on a throwaway database). Drawing uses the lesson pictures' fonts and word wrap
(`bot.pictures.fonts`). Re-run it after changing the content or the reply wording:

    .venv/bin/python docs/render_conversation.py [OUTPUT.png]
"""

from __future__ import annotations

import asyncio
import html
import random
import re
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from PIL import Image, ImageDraw
from telegram import InlineKeyboardMarkup

from bot.core.clock import FixedClock
from bot.core.content import load_content
from bot.core.matcher import Matcher
from bot.pictures.fonts import font, wrap
from bot.services import Services
from bot.tg.views import quiz as quiz_view
from bot.tg.views.ask import render_result
from bot.tg.views.quiz import outcome_html, question_html

OUTPUT = Path(__file__).with_name("conversation.png")
QUESTION = "why does my model get worse if nobody changed the code?"
WIDTH = 900
PAD = 24
BUBBLE_MAX = 640
TEXT = font(24)
BOLD = font(24, bold=True)
SMALL = font(20)
LINE = 31
_BACKGROUND = "#dfe7ee"
_BOT_BUBBLE = "#ffffff"
_USER_BUBBLE = "#e1f7cb"
_BUTTON = "#c9d7e3"
_INK = "#111827"
_MUTED = "#4b5563"
# The fonts the project ships pictures with have no colour emoji: leave the symbols out.
_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\ufe0f]")


@dataclass(frozen=True)
class Message:
    text: str
    from_user: bool
    buttons: list[list[str]]


def plain(reply_html: str) -> str:
    """Telegram's HTML reply as the words a learner reads."""
    text = html.unescape(re.sub(r"<[^>]+>", "", reply_html))
    return "\n".join(_EMOJI.sub("", line).strip() for line in text.split("\n"))


def button_rows(markup: InlineKeyboardMarkup | None) -> list[list[str]]:
    if markup is None:
        return []
    return [[plain(button.text) for button in row] for row in markup.inline_keyboard]


async def conversation() -> list[Message]:
    pack = load_content()
    text, markup = render_result(Matcher(pack).match(QUESTION))
    messages = [Message(QUESTION, True, []), Message(plain(text), False, button_rows(markup))]
    with tempfile.TemporaryDirectory() as folder:
        clock = FixedClock(datetime(2026, 11, 25, 18, 0, tzinfo=UTC))
        async with await Services.open(
            Path(folder) / "picture.sqlite3", pack, clock=clock, rng=random.Random(4)
        ) as services:
            delivery = await services.quiz.next_question(1, 1, "easy")
            assert delivery is not None
            messages.append(Message("/quiz easy", True, []))
            keyboard = quiz_view.quiz_keyboard(delivery.id, delivery.options)
            messages.append(Message(plain(question_html(delivery)), False, button_rows(keyboard)))
            right = delivery.options.index(
                delivery.question.options[delivery.question.correct_index].text
            )
            result = await services.quiz.answer(delivery.id, 1, right)
            assert result.outcome is not None
            messages.append(Message(f"(taps {quiz_view.OPTION_LETTERS[right]})", True, []))
            after = quiz_view.after_answer_keyboard("easy", result.outcome.why_id, 1)
            messages.append(
                Message(plain(outcome_html(delivery, result.outcome)), False, button_rows(after))
            )
    return messages


def _lines(text: str, width: float) -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines += wrap(paragraph, TEXT, width) if paragraph else [""]
    return lines


def draw(messages: list[Message]) -> Image.Image:
    canvas = Image.new("RGB", (WIDTH, 6000), _BACKGROUND)
    pen = ImageDraw.Draw(canvas)
    pen.rectangle((0, 0, WIDTH, 70), fill="#527da3")
    pen.text((PAD, 20), "MLOps vs DevOps tutor", font=BOLD, fill="#ffffff")
    pen.text((WIDTH - PAD, 26), "bot", font=SMALL, fill="#dbe7f3", anchor="ra")
    top = 70 + PAD
    for message in messages:
        lines = _lines(message.text, BUBBLE_MAX - 2 * PAD)
        width = max(TEXT.getlength(line) for line in lines) + 2 * PAD
        if message.buttons:
            width = BUBBLE_MAX
        height = len(lines) * LINE + 2 * PAD - 8
        left = WIDTH - PAD - width if message.from_user else PAD
        fill = _USER_BUBBLE if message.from_user else _BOT_BUBBLE
        pen.rounded_rectangle((left, top, left + width, top + height), radius=18, fill=fill)
        for i, line in enumerate(lines):
            pen.text((left + PAD, top + PAD - 4 + i * LINE), line, font=TEXT, fill=_INK)
        top += height + 8
        for row in message.buttons:
            cell = (BUBBLE_MAX - 8 * (len(row) - 1)) / len(row)
            for j, label in enumerate(row):
                x = left + j * (cell + 8)
                pen.rounded_rectangle((x, top, x + cell, top + 44), radius=12, fill=_BUTTON)
                shown = wrap(label, SMALL, cell - 20)[0]
                pen.text((x + cell / 2, top + 22), shown, font=SMALL, fill=_INK, anchor="mm")
            top += 52
        top += PAD - 8
    pen.text(
        (WIDTH / 2, top + 4),
        "rendered from the bot's real replies by docs/render_conversation.py",
        font=SMALL,
        fill=_MUTED,
        anchor="ma",
    )
    return canvas.crop((0, 0, WIDTH, top + 40))


def main() -> None:
    output = Path(sys.argv[1]) if len(sys.argv) > 1 else OUTPUT
    draw(asyncio.run(conversation())).save(output, format="PNG", optimize=True)
    print(f"wrote {output}")  # noqa: T201 - a script reports what it wrote


if __name__ == "__main__":
    main()
