"""The Telegram views are pure: service results in, HTML and keyboards out, no Telegram needed.

Each view is called with plain values (no update, no bot, no network) and what the learner would
read and press is checked: the words, and that every button carries the codec's data.
"""

from __future__ import annotations

from datetime import date, time
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup

from bot.core.lessons import LESSONS
from bot.core.streaks import StreakView
from bot.services import AtRisk, Delivery, Subscription, UserSettings
from bot.services.group import GroupSettings, Session
from bot.storage.privacy import ForgetReport
from bot.tg import callbacks
from bot.tg.views import daily, group_rounds, learn, privacy, quiz, reminders, settings, start
from bot.tg.views.common import without_button
from tests.support.storage import make_pack, question

BERLIN = Subscription(-5, time(8, 30), "Europe/Berlin", ZoneInfo("Europe/Berlin"))


def data_of(markup: InlineKeyboardMarkup | None) -> list[str]:
    assert markup is not None
    return [str(b.callback_data) for row in markup.inline_keyboard for b in row]


def test_the_forget_summary_names_what_was_deleted_in_words() -> None:
    """Counts become words (singular or plural), zero rows are not mentioned, and sessions the
    person started are said to stay with their groups."""
    report = ForgetReport(answers=1, hints=2, users=1, group_sessions=2)
    text = privacy.summary(report)
    assert text.startswith("Done. I deleted everything I stored about you: 1 answer, 2 hints,")
    assert "1 profile." in text and "review card" not in text
    assert "2 group quizzes you started stay with their groups" in text
    assert privacy.summary(ForgetReport()) == (
        "There was nothing stored about you, so nothing was deleted."
    )


def test_the_forget_prompt_buttons_belong_to_their_owner() -> None:
    assert data_of(privacy.confirm_keyboard(42)) == [
        callbacks.forget_data(confirm=True, owner=42),
        callbacks.forget_data(confirm=False, owner=42),
    ]


def test_daily_settings_in_words() -> None:
    assert daily.status_text(None).endswith(daily.USAGE)
    assert "every day at <b>08:30</b> (Europe/Berlin time)" in daily.status_text(BERLIN)
    assert daily.unsubscribed_text(removed=False).startswith("There was no daily question here.")


def test_a_time_zone_change_says_where_the_daily_question_went() -> None:
    moved = settings.timezone_set_text("Europe/Berlin", BERLIN)
    assert "Your daily question now comes every day at <b>08:30</b>" in moved
    assert "daily question" not in settings.timezone_set_text("Asia/Tokyo", None)
    shown = settings.timezone_text(UserSettings(1, "UTC", True, True))
    assert "<b>UTC</b> (the bot's default)" in shown


def test_the_group_settings_toggle_sets_the_other_value() -> None:
    admins_only = GroupSettings(-5, anyone_can_start=False)
    assert data_of(settings.group_settings_keyboard(admins_only)) == [
        callbacks.setting_data(anyone_can_start=True)
    ]
    assert "group admins only" in settings.group_settings_text(admins_only)


def test_a_quiz_question_has_one_button_per_option_then_the_hint() -> None:
    q = question("q-1")
    delivery = Delivery(9, "quiz", 1, 1, q, ("a", "b <b>", "c", "d"), None)
    html = quiz.question_html(delivery, hint="think")
    assert "B. b &lt;b&gt;" in html and "💡 <i>Hint:</i> think" in html
    assert data_of(quiz.quiz_keyboard(9, delivery.options)) == [
        *(callbacks.quiz_answer_data(9, i) for i in range(4)),
        callbacks.quiz_hint_data(9),
    ]
    assert callbacks.quiz_hint_data(9) not in data_of(
        quiz.quiz_keyboard(9, delivery.options, hint=False)
    )


def test_the_reminder_offers_a_quiz_for_its_owner_and_an_opt_out() -> None:
    risk = AtRisk(7, StreakView(3, 5, 1, False), date(2025, 1, 13), "UTC")
    assert "streak is 3 days long" in reminders.reminder_text(risk)
    assert "you hold 1" in reminders.reminder_text(risk)
    markup = reminders.reminder_keyboard("hard", 7)
    assert data_of(markup) == [callbacks.quiz_next_data("hard", 7), callbacks.REMINDERS_OFF_DATA]
    assert data_of(without_button(markup, callbacks.REMINDERS_OFF_DATA)) == [
        callbacks.quiz_next_data("hard", 7)
    ]


def test_a_stopped_session_is_titled_by_where_it_stopped() -> None:
    stopped = Session(1, -5, 2, 10, 30, None, "stopped", 3)
    finished = Session(1, -5, 2, 10, 30, None, "finished", 10)
    assert group_rounds.table_title(stopped) == "⏹ Quiz stopped after question 3 of 10"
    assert group_rounds.table_title(finished) == group_rounds.FINAL_TITLE


def test_every_lesson_page_leads_back_to_the_menu() -> None:
    pack = make_pack()
    for lesson in LESSONS:
        text, markup = learn.lesson_page(pack, lesson.id)
        assert text.startswith("<b>")
        assert callbacks.MENU_DATA in data_of(markup)


def test_welcome_points_to_the_menu_in_private_and_to_mentions_in_groups() -> None:
    assert "The menu below" in start.welcome("Ana", "tutor_bot", private=True)
    in_group = start.welcome("<Ana>", "tutor_bot", private=False)
    assert "@tutor_bot" in in_group and "&lt;Ana&gt;" in in_group
    labels = [str(button.text) for row in start.main_menu().keyboard for button in row]
    assert labels == list(start.MENU_LABELS)
