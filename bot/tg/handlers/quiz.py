"""/quiz and every quiz button (answer, hint, next); daily questions share the same answer path.

What the learner sees is drawn by `bot.tg.views.quiz`; this module narrows the update, asks the
quiz service, and sends.

A question on screen is a *delivery* stored by the quiz service: its buttons carry the delivery
id and the pressed position (`bot.tg.callbacks.parse_quiz`), and the service decides whether the
press counts. Each person answers a delivery once; a second press, a stranger's press on someone
else's quiz, a forged id or a position that does not exist get a short toast and change nothing.

A personal quiz (and a daily question in a private chat) is edited in place to show the verdict;
a daily question in a group stays open for everyone, so each member hears their verdict privately
in an alert instead.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from telegram import CallbackQuery, Chat, Message, Update, User
from telegram.error import BadRequest
from telegram.ext import CommandHandler, filters

from bot.core.content import DIFFICULTIES
from bot.core.practice import pick_topic, quizzable
from bot.services import AnswerStatus, Delivery
from bot.tg.addressing import is_private
from bot.tg.callbacks import QUIZ_LEVEL_ANY, QUIZ_PATTERN, ButtonHandler, QuizPress, parse_quiz
from bot.tg.guards import sender
from bot.tg.outbox import is_queued, outbox_of
from bot.tg.send import accessible, edit_markup, edit_or_send, reply
from bot.tg.state import AnyApp, TutorContext
from bot.tg.views.common import without_button
from bot.tg.views.progress import (
    NO_TOPIC_QUESTION,
    TOPIC_CHOICE,
    no_topic_text,
    topic_choice_keyboard,
    unquizzed_text,
)
from bot.tg.views.quiz import (
    ALREADY_ANSWERED,
    EXPIRED,
    NEXT_USED,
    NO_QUESTION,
    NOT_YOURS,
    after_answer_keyboard,
    hint_toast,
    outcome_html,
    outcome_toast,
    question_html,
    quiz_keyboard,
)

__all__ = [
    "LEVELS",
    "Toast",
    "on_quiz_button",
    "post_question",
    "quiz_command",
    "quiz_from_menu",
    "register",
    "send_quiz",
]

log = logging.getLogger(__name__)

LEVELS = frozenset(DIFFICULTIES)


@dataclass(frozen=True, slots=True)
class Toast:
    """What a button press answers with: a short note, or an alert the user must dismiss."""

    text: str
    alert: bool = False


# --- sending -------------------------------------------------------------------------------------


async def post_question(context: TutorContext, chat_id: int, delivery: Delivery) -> Message:
    """Send a delivered question with its option buttons and the Hint button (directly: callers
    in a group's handler run it through the group's outbox)."""
    return await context.bot.send_message(
        chat_id,
        question_html(delivery),
        reply_markup=quiz_keyboard(delivery.id, delivery.options),
    )


async def send_quiz(
    context: TutorContext,
    chat: Chat,
    user: User,
    level: str,
    *,
    answer_to: Message | None = None,
    topic: str | None = None,
) -> None:
    """Deliver a new question of `level` ("" for any) to `user` in `chat`; with `topic`, one of
    that topic's items."""
    delivery = await context.services.quiz.next_question(
        user.id, chat.id, level or None, private=is_private(chat), topic=topic
    )
    if delivery is None:
        text = NO_QUESTION if topic is None else NO_TOPIC_QUESTION
        if answer_to is not None:
            await reply(answer_to, text)
        else:
            await context.bot.send_message(chat.id, text)
        return
    if answer_to is None:
        await post_question(context, chat.id, delivery)
        return
    await reply(answer_to, question_html(delivery), quiz_keyboard(delivery.id, delivery.options))


# The matcher reads only the start of a message; so do the words after /quiz.
_MAX_TOPIC_WORDS = 200


async def quiz_command(update: Update, context: TutorContext) -> None:
    """/quiz: what the learner needs most; /quiz easy|medium|hard: that level; /quiz <words>:
    the topic those words are about (read by the same matcher as free text)."""
    found = sender(update)
    if found is None:
        return
    message, user = found
    args = context.args or []
    if not args or (len(args) == 1 and args[0].lower() in LEVELS):
        level = args[0].lower() if args else QUIZ_LEVEL_ANY
        await send_quiz(context, message.chat, user, level, answer_to=message)
        return
    words = " ".join(args)[:_MAX_TOPIC_WORDS]
    state = context.state
    pick = await state.matching.call(pick_topic, words, state.pack, state.matcher)
    if pick.topic is None:
        if pick.choices:
            await reply(message, TOPIC_CHOICE, topic_choice_keyboard(pick.choices))
        else:
            await reply(message, no_topic_text(words))
        return
    if not quizzable(state.pack, pick.topic.id):
        await reply(message, unquizzed_text(pick.topic.title))
        return
    await send_quiz(
        context, message.chat, user, QUIZ_LEVEL_ANY, answer_to=message, topic=pick.topic.id
    )


async def quiz_from_menu(update: Update, context: TutorContext) -> None:
    """The reply keyboard's Quiz entry: a question at the level the learner chose last."""
    found = sender(update)
    if found is None:
        return
    message, user = found
    level = await context.services.quiz.last_level(user.id) or QUIZ_LEVEL_ANY
    await send_quiz(context, message.chat, user, level, answer_to=message)


# --- buttons -------------------------------------------------------------------------------------


def _is_shared(delivery: Delivery, chat: Chat) -> bool:
    """A daily question in a group: everyone answers the same message, so it is never edited."""
    return delivery.user_id is None and not is_private(chat)


async def _delivery_here(context: TutorContext, press: QuizPress, chat: Chat) -> Delivery | None:
    """The pressed delivery, if it exists and was sent to this chat (a forged id may name
    another chat's daily question, which anyone there may answer)."""
    delivery = await context.services.quiz.get_delivery(press.delivery_id)
    if delivery is None or delivery.chat_id != chat.id:
        return None
    return delivery


def _refusal(status: AnswerStatus) -> Toast:
    if status is AnswerStatus.ALREADY_ANSWERED:
        return Toast(ALREADY_ANSWERED)
    if status is AnswerStatus.NOT_YOURS:
        return Toast(NOT_YOURS)
    return Toast(EXPIRED)


async def _on_answer(
    context: TutorContext, query: CallbackQuery, chat: Chat, press: QuizPress
) -> Toast | None:
    delivery = await _delivery_here(context, press, chat)
    if delivery is None:
        return Toast(EXPIRED)
    user_id = query.from_user.id
    result = await context.services.quiz.answer(
        delivery.id, user_id, press.position, private=is_private(chat)
    )
    outcome = result.outcome
    # The answer is stored before the verdict is shown; if showing it failed, the question is
    # still on screen and pressing again shows the stored verdict (the same edit, again).
    shows_again = (
        result.status is AnswerStatus.ALREADY_ANSWERED
        and not _is_shared(delivery, chat)
        and _still_asks(context, query, delivery)
    )
    if outcome is None or not (result.accepted or shows_again):
        return _refusal(result.status)
    if _is_shared(delivery, chat):
        return Toast(outcome_toast(outcome), alert=True)
    why = outcome.why_id if outcome.why_id in context.state.pack.answerables else None
    level = await context.services.quiz.last_level(user_id) or QUIZ_LEVEL_ANY
    markup = after_answer_keyboard(level, why, user_id)
    await edit_or_send(query, outcome_html(delivery, outcome), markup)
    if query.message is not None:
        context.state.quiz.verdicts_shown.put((chat.id, query.message.message_id), True)
    return None


def _still_asks(context: TutorContext, query: CallbackQuery, delivery: Delivery) -> bool:
    """Whether the pressed message still shows `delivery`'s option buttons: its verdict was
    never shown (a double tap's second press also carries the question, but its verdict is)."""
    message = accessible(query.message)
    if message is None or message.reply_markup is None:
        return False
    if context.state.quiz.verdicts_shown.get((message.chat.id, message.message_id)):
        return False
    for row in message.reply_markup.inline_keyboard:
        for button in row:
            data = button.callback_data
            press = parse_quiz(data, LEVELS) if isinstance(data, str) else None
            if press is not None and press.kind == "answer" and press.delivery_id == delivery.id:
                return True
    return False


async def _on_hint(
    context: TutorContext, query: CallbackQuery, chat: Chat, press: QuizPress
) -> Toast | None:
    delivery = await _delivery_here(context, press, chat)
    if delivery is None:
        return Toast(EXPIRED)
    result = await context.services.quiz.use_hint(delivery.id, query.from_user.id)
    if result.status is not AnswerStatus.ACCEPTED or result.hint is None:
        return _refusal(result.status)
    if _is_shared(delivery, chat):
        return Toast(hint_toast(result.hint), alert=True)
    markup = quiz_keyboard(delivery.id, delivery.options, hint=False)
    await edit_or_send(query, question_html(delivery, hint=result.hint), markup)
    return None


async def _on_next(
    context: TutorContext, query: CallbackQuery, chat: Chat, press: QuizPress
) -> Toast | None:
    message = query.message
    if message is None:
        return Toast(EXPIRED)
    if press.owner is not None and press.owner != query.from_user.id:
        return Toast(NOT_YOURS)  # someone else's Next in a group: theirs stays unused
    key = (chat.id, message.message_id)
    used_next = context.state.quiz.used_next
    if used_next.get(key):
        return Toast(NEXT_USED)
    # Claimed now, so a second press while the question waits in a group's queue sends none;
    # given back if the send fails, so a send that failed can be pressed again.
    used_next.put(key, True)
    user = query.from_user
    shown = accessible(message)

    async def next_question() -> None:
        try:
            await send_quiz(context, chat, user, press.level)
        except BaseException:
            used_next.discard(key)
            raise
        if shown is not None:
            # Drop the pressed button so the page shows it was used (Why? stays).
            remaining = without_button(shown.reply_markup, query.data or "")
            try:
                await edit_markup(context.bot, chat.id, shown.message_id, remaining)
            except BadRequest as error:
                log.info("could not drop the Next button: %s", error.message)

    outbox = outbox_of(context.bot)
    if outbox is None or not is_queued(chat.id):
        await next_question()
    elif not outbox.post(chat.id, user.id, next_question):
        used_next.discard(key)  # dropped (the member's queue is full): pressing again may work
    # In a group the question waits its turn in the group's outbox, not in this handler's slot.
    return None


async def on_quiz_button(update: Update, context: TutorContext) -> None:
    query = update.callback_query
    if query is None:
        return
    toast = await _dispatch(context, query)
    if toast is None:
        await query.answer()
    else:
        await query.answer(toast.text, show_alert=toast.alert)


async def _dispatch(context: TutorContext, query: CallbackQuery) -> Toast | None:
    press = parse_quiz(query.data, LEVELS)
    chat = query.message.chat if query.message is not None else None
    if press is None or chat is None:
        return Toast(EXPIRED)
    if press.kind == "answer":
        return await _on_answer(context, query, chat, press)
    if press.kind == "hint":
        return await _on_hint(context, query, chat, press)
    return await _on_next(context, query, chat, press)


def register(app: AnyApp) -> None:
    """/quiz and the quiz buttons."""
    app.add_handler(CommandHandler("quiz", quiz_command, filters=filters.UpdateType.MESSAGE))
    app.add_handler(ButtonHandler(on_quiz_button, pattern=QUIZ_PATTERN))
