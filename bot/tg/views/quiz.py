"""Quiz and daily questions on screen: the question, the verdict with the streak, the buttons."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.services import Delivery, Outcome
from bot.tg.callbacks import answer_data, quiz_answer_data, quiz_hint_data, quiz_next_data
from bot.tg.render import MESSAGE_LIMIT, clip, esc, fit, plural, units
from bot.tg.views.common import OPTION_LETTERS, button, option_label

__all__ = [
    "ALREADY_ANSWERED",
    "EXPIRED",
    "HINT_LABEL",
    "NEXT_LABEL",
    "NEXT_USED",
    "NOT_YOURS",
    "NO_QUESTION",
    "OPTION_LETTERS",
    "TOAST_LIMIT",
    "WHY_LABEL",
    "after_answer_keyboard",
    "hint_toast",
    "outcome_html",
    "outcome_toast",
    "question_html",
    "quiz_keyboard",
    "streak_lines",
    "verdict_lines",
]

NO_QUESTION = (
    "No question fits right now. Try another level: /quiz easy, /quiz medium, /quiz hard."
)
ALREADY_ANSWERED = "You already answered this question."
EXPIRED = "That button has expired — send /quiz for a new question."
NOT_YOURS = "That question was sent to someone else — send /quiz for your own."
NEXT_USED = "Your next question is already below."
# answerCallbackQuery shows at most 200 characters.
TOAST_LIMIT = 200
HINT_LABEL = "💡 Hint"
NEXT_LABEL = "Next question »"
WHY_LABEL = "Why?"


def _header(delivery: Delivery) -> str:
    level = esc(delivery.question.difficulty)
    # The topic tells the learner what they are practising (and /progress what moved).
    topic = f"\n🏷 {fit(delivery.topic_title, 80)}" if delivery.topic_title else ""
    if delivery.kind == "daily":
        day = f" · {delivery.local_date:%a %d %b}" if delivery.local_date else ""
        return f"📅 <b>Question of the day</b>{day} · <i>{level}</i>{topic}"
    return f"🧠 <b>Quiz</b> · <i>{level}</i>{topic}"


def _options(delivery: Delivery) -> str:
    return "\n".join(
        f"{OPTION_LETTERS[i]}. {fit(text, 300)}" for i, text in enumerate(delivery.options)
    )


def question_html(delivery: Delivery, *, hint: str | None = None) -> str:
    """The question with its lettered options (in this delivery's order), and the hint if taken."""
    parts = [_header(delivery), fit(delivery.question.question, 1000), _options(delivery)]
    if hint is not None:
        parts.append(f"💡 <i>Hint:</i> {fit(hint, 600)}")
    return "\n\n".join(parts)


def streak_lines(outcome: Outcome) -> list[str]:
    """What the answer did to the streak: its length, and any freeze earned, used, or lost."""
    streak = outcome.streak
    lines: list[str] = []
    if outcome.streak_broken:
        lines.append("💔 Your last streak lapsed while you were away; this one starts today.")
    if outcome.freezes_used:
        lines.append(
            f"🧊 {plural(outcome.freezes_used, 'freeze')} covered the days you missed, "
            "so your streak survived."
        )
    days = plural(streak.current, "day")
    if outcome.counted_today:
        lines.append(f"🔥 Today counts: your streak is {days} (best {streak.best}).")
    else:
        lines.append(f"🔥 Streak: {days} (best {streak.best}); today already counted.")
    if outcome.freeze_earned:
        lines.append(
            f"🧊 A week in a row earns a streak freeze: you now hold {streak.freezes}. "
            "It covers a day you miss."
        )
    elif streak.freezes:
        lines.append(f"🧊 Freezes held: {streak.freezes}.")
    return lines


def verdict_lines(delivery: Delivery, outcome: Outcome) -> list[str]:
    letters = OPTION_LETTERS
    correct = f"{letters[outcome.correct_position]}. {esc(outcome.correct_text)}"
    if outcome.correct:
        head = "✅ <b>Right!</b>" + (" (with a hint)" if outcome.hinted else "")
        return [head, f"The answer is <b>{correct}</b>."]
    chosen = f"{letters[outcome.chosen_position]}. {esc(outcome.chosen_text)}"
    lines = ["❌ <b>Not quite.</b>", f"You chose {chosen}"]
    if outcome.wrong_why:
        # Feedback on the learner's own choice comes before the right answer and the explanation.
        lines.append(f"🤔 {fit(outcome.wrong_why, 400)}")
    return [*lines, f"The answer is <b>{correct}</b>."]


def outcome_html(delivery: Delivery, outcome: Outcome) -> str:
    """The answered question: verdict (with why a wrong choice is wrong), explanation, streak."""
    head = f"{_header(delivery)}\n\n{fit(delivery.question.question, 1000)}"
    verdict = "\n".join(verdict_lines(delivery, outcome))
    streak = "\n".join(streak_lines(outcome))
    fixed = "\n\n".join([head, verdict, streak])
    # The explanation is the long part: it gets what is left of the limit (less a margin for
    # its prefix and the blank lines between parts).
    budget = max(200, MESSAGE_LIMIT - units(fixed) - 40)
    explanation = f"📖 {fit(outcome.explanation, budget)}"
    return f"{head}\n\n{verdict}\n\n{explanation}\n\n{streak}"


def outcome_toast(outcome: Outcome) -> str:
    """A group member's private verdict on a shared daily question (an alert, 200 characters)."""
    letters = OPTION_LETTERS
    streak = f"🔥 Streak: {plural(outcome.streak.current, 'day')}."
    letter = letters[outcome.correct_position]
    if outcome.correct:
        verdict = f"✅ Right! The answer is {letter}. {outcome.correct_text}"
    elif outcome.wrong_why:
        # The option texts are on screen beside their letters, so the room goes to the why.
        verdict = f"❌ Not quite, it is {letter}. {outcome.wrong_why}"
    else:
        verdict = f"❌ Not quite. The answer is {letter}. {outcome.correct_text}"
    return f"{clip(verdict, TOAST_LIMIT - len(streak) - 1)}\n{streak}"


def hint_toast(hint: str) -> str:
    """A hint on a shared daily question, shown to the presser alone."""
    return clip(f"💡 {hint}", TOAST_LIMIT)


def quiz_keyboard(
    delivery_id: int, options: Sequence[str], *, hint: bool = True
) -> InlineKeyboardMarkup:
    """One button per option (its position in this delivery), then the hint while unused."""
    rows = [
        [
            InlineKeyboardButton(
                option_label(i, text), callback_data=quiz_answer_data(delivery_id, i)
            )
        ]
        for i, text in enumerate(options)
    ]
    if hint:
        rows.append([button(HINT_LABEL, quiz_hint_data(delivery_id))])
    return InlineKeyboardMarkup(rows)


def after_answer_keyboard(level: str, why_id: str | None, owner: int) -> InlineKeyboardMarkup:
    """Next (for `owner` only) and, if there is an entry to read, Why?."""
    row = [button(NEXT_LABEL, quiz_next_data(level, owner))]
    if why_id is not None:
        row.append(button(WHY_LABEL, answer_data(why_id)))
    return InlineKeyboardMarkup([row])
