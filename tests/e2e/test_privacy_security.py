"""Privacy and security end to end: /forget and /export, the token never logged, admin-only
commands, user text escaped wherever it is echoed, and buttons that act for one user.

Covered elsewhere and not repeated here: forged and stale quiz data
(test_bot_quiz.test_forged_and_foreign_presses_change_nothing), forged group taps
(test_bot_group_quiz.test_forged_taps_are_refused_and_store_nothing), forged navigation data
(test_bot_robustness.test_forged_or_stale_buttons_change_nothing), the member's refused /daily
(test_bot_daily.test_non_admin_cannot_change_the_group_daily), which this file's admin test
generalises to every admin-only command.
"""

from __future__ import annotations

import ast
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import CallbackQueryHandler

from bot.config import Settings
from bot.core.clock import FixedClock
from bot.core.content import ContentPack
from bot.core.matcher import Matcher, MatchResult
from bot.tg.app import build_application
from bot.tg.logs import MASK, RedactingFilter, setup_logging
from bot.tg.scheduling import group_deadline_job
from bot.tg.state import AnyApp, AppState
from bot.tg.views import privacy
from tests.emulator import BotApiEmulator, BotMessage, started_emulator
from tests.support.group_flow import command, right_and_wrong, round_of, start_quiz
from tests.support.harness import running_application
from tests.support.quiz_flow import option_data, press_option
from tests.support.storage import snapshot
from tests.support.world import TutorFactory, World, run_job, services_of

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
DELETE = privacy.CONFIRM_LABEL
CANCEL = privacy.CANCEL_LABEL


@pytest.fixture
async def app(tutor_factory: TutorFactory, clock: FixedClock) -> AsyncIterator[AnyApp]:
    async with tutor_factory(clock=clock) as running:
        yield running


async def _table(app: AnyApp) -> dict[str, list[tuple[object, ...]]]:
    return await snapshot(services_of(app).db)


async def _answer_private_quiz(
    world: World, app: AnyApp, user: Any, chat: Any, command: str = "/quiz"
) -> BotMessage:
    question = await world.ask(user, chat, command)
    await press_option(world, app, user, question, right=True)
    await world.emu.wait_for(lambda: world.current(question).edits)
    return world.current(question)


async def _play_group_round(world: World, app: AnyApp) -> None:
    """Alice (an admin) starts a one-question group quiz; Alice and Bob both answer it."""
    question = await start_quiz(world, world.alice, world.group, "1 30")
    right, wrong = await right_and_wrong(app, question)
    assert "text" in await world.press(world.alice, question, right)
    assert "text" in await world.press(world.bob, question, wrong)


# --- /forget -------------------------------------------------------------------------------------


async def test_forget_asks_then_deletes_everything_about_them(world: World, app: AnyApp) -> None:
    """After Alice confirms, her answers, streak, cards, daily subscription and job, group
    answers and in-memory state are gone and the prompt shows the counts; Bob keeps all of his,
    and the group quiz Alice started keeps running without her."""
    services = services_of(app)
    await _answer_private_quiz(world, app, world.alice, world.alice_chat, "/quiz easy")
    await _answer_private_quiz(world, app, world.bob, world.bob_chat)
    await world.ask(world.alice, world.alice_chat, "/daily on 08:30")
    await _play_group_round(world, app)
    assert app.job_queue.get_jobs_by_name(f"daily:{world.alice.id}")
    assert await services.quiz.last_level(world.alice.id) == "easy"
    bob_before = await services.privacy.export(world.bob.id)

    prompt = await world.ask(world.alice, world.alice_chat, "/forget")
    assert world.emu.buttons(prompt) == [[DELETE, CANCEL]]
    # Nothing is gone yet: her quiz answer and her group quiz answer.
    assert (await services.stats.stats(world.alice.id)).answered == 2
    toast = await world.press(world.alice, prompt, DELETE)
    assert toast["text"] == "Deleted."
    await world.emu.wait_for(lambda: world.current(prompt).edits)
    done = world.current(prompt)
    assert done.plain_text.startswith("Done. I deleted everything I stored about you:")
    assert "1 answer," in done.plain_text and "1 group quiz answer" in done.plain_text
    assert "1 group quiz you started" in done.plain_text
    assert done.reply_markup is None

    export = await services.privacy.export(world.alice.id)
    assert all(not value for key, value in export["data"].items() if key != "user_id")
    assert app.job_queue.get_jobs_by_name(f"daily:{world.alice.id}") == ()
    assert await services.quiz.last_level(world.alice.id) is None
    assert (await services.group.running(world.group.id)) is not None
    assert await services.privacy.export(world.bob.id) == bob_before
    # Pressing again (a double tap, or an old prompt) deletes nothing more.
    again = await world.press_data(world.alice, prompt, f"fg:y:{world.alice.id}")
    assert again["text"] == privacy.EXPIRED


async def test_cancel_deletes_nothing(world: World, app: AnyApp) -> None:
    """Cancel replaces the prompt with "Nothing was deleted." and the data stays as it was."""
    await _answer_private_quiz(world, app, world.alice, world.alice_chat)
    before = await _table(app)
    prompt = await world.ask(world.alice, world.alice_chat, "/forget")
    toast = await world.press(world.alice, prompt, CANCEL)
    assert toast["text"] == privacy.CANCELLED
    await world.emu.wait_for(lambda: world.current(prompt).edits)
    assert world.current(prompt).plain_text == privacy.CANCELLED
    assert await _table(app) == before


async def test_stale_and_forged_confirmations_delete_nothing(
    world: World, tutor_factory: TutorFactory, clock: FixedClock
) -> None:
    """Someone else's press, a press of one's own id on another's prompt, confirm data on a
    message that never asked, and a prompt from before a restart all get a toast and delete
    nothing."""
    async with tutor_factory(clock=clock) as app:
        await _answer_private_quiz(world, app, world.alice, world.alice_chat)
        await _answer_private_quiz(world, app, world.bob, world.bob_chat)
        prompt = await world.ask(world.alice, world.alice_chat, "/forget")
        help_reply = await world.ask(world.bob, world.bob_chat, "/help")
        before = await _table(app)
        cases = [
            (world.bob, prompt, f"fg:y:{world.alice.id}", privacy.NOT_YOURS),
            (world.bob, prompt, f"fg:y:{world.bob.id}", privacy.EXPIRED),
            (world.bob, help_reply, f"fg:y:{world.bob.id}", privacy.EXPIRED),
            (world.alice, prompt, "fg:y:0101", privacy.EXPIRED),
            (world.alice, prompt, "fg:x:101", privacy.EXPIRED),
        ]
        for user, message, data, expected in cases:
            toast = await world.press_data(user, message, data)
            assert toast["text"] == expected, data
        assert await _table(app) == before
    async with tutor_factory(clock=clock) as app:
        toast = await world.press(world.alice, prompt, DELETE)
        assert toast["text"] == privacy.EXPIRED
        assert await _table(app) == before


async def test_forget_and_export_in_a_group_point_to_the_private_chat(
    world: World, app: AnyApp
) -> None:
    """In a group neither command shows anything personal; both say to use a private chat."""
    for name in ("forget", "export"):
        reply = await world.ask(world.bob, world.group, f"/{name}")
        assert reply.plain_text.startswith(f"For your privacy, send /{name} to me in a private")
        assert reply.reply_markup is None
    assert world.emu.calls_to("sendDocument") == []


# --- /export -------------------------------------------------------------------------------------


def _exported(emu: BotApiEmulator, chat_id: int) -> tuple[BotMessage, dict[str, Any]]:
    [document] = [m for m in emu.bot_messages(chat_id) if m.kind == "document"]
    assert document.photo is not None  # the uploaded bytes
    return document, json.loads(document.photo.decode("utf-8"))


async def test_export_sends_their_data_and_nobody_elses(world: World, app: AnyApp) -> None:
    """/export uploads tutor-data-<id>.json: UTF-8 JSON with Alice's settings, streak, answers,
    card, daily subscription and group answer (instants with offsets), and no row of Bob's."""
    await _answer_private_quiz(world, app, world.alice, world.alice_chat)
    await _answer_private_quiz(world, app, world.bob, world.bob_chat)
    await world.ask(world.alice, world.alice_chat, "/timezone Europe/Berlin")
    await world.ask(world.alice, world.alice_chat, "/daily on 07:45")
    await _play_group_round(world, app)
    world.emu.send_text(world.alice, world.alice_chat, "/export")
    await world.emu.wait_for_call("sendDocument")
    document, export = _exported(world.emu, world.alice_chat.id)
    assert document.file_name == f"tutor-data-{world.alice.id}.json"
    data = export["data"]
    assert data["user_id"] == world.alice.id
    assert data["profile"]["timezone"] == "Europe/Berlin"
    assert data["streak"]["current"] == 1
    [answer] = data["answers"]
    assert answer["user_id"] == world.alice.id and answer["chat_id"] == world.alice_chat.id
    assert answer["answered_at"].endswith("+00:00")
    assert len(data["cards"]) == 2  # the quiz question and the group quiz question
    assert data["daily_subscription"]["send_time"] == "07:45"
    [group_answer] = data["group_answers"]
    assert group_answer["display_name"] == "Alice" and group_answer["chat_id"] == world.group.id
    rows = [row for value in data.values() if isinstance(value, list) for row in value]
    assert {row["user_id"] for row in rows if row.get("user_id") is not None} == {world.alice.id}
    assert str(world.bob.id) not in json.dumps(data)


async def test_export_of_someone_never_seen_says_so(world: World, app: AnyApp) -> None:
    """A learner with nothing stored gets a sentence, not an empty file."""
    reply = await world.ask(world.carol, world.carol_chat, "/export")
    assert reply.plain_text == privacy.NOTHING_STORED
    assert world.emu.calls_to("sendDocument") == []


# --- the token is never logged -------------------------------------------------------------------

# A fake token shaped like a real one (a long secret part); never a real token.
FAKE_TOKEN = "987654321:AAF-fakeSecretPartForLoggingTests_0123"


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def all_logs() -> Iterator[_Records]:
    """Every logger at DEBUG into one root handler carrying the bot's redacting filter, as
    `tutor-bot run` installs it; everything is put back afterwards."""
    root = logging.getLogger()
    handler = _Records()
    root.addHandler(handler)
    names = ("", "httpx", "httpcore", "telegram", "apscheduler", "aiohttp", "bot")
    levels = {name: logging.getLogger(name).level for name in names}
    try:
        setup_logging("DEBUG", secrets=[FAKE_TOKEN])
        # setup_logging quiets httpx; the test wants the worst case, every request logged.
        for name in names:
            logging.getLogger(name).setLevel(logging.DEBUG)
        yield handler
    finally:
        root.removeHandler(handler)
        for existing in root.handlers:
            for redactor in [f for f in existing.filters if isinstance(f, RedactingFilter)]:
                existing.removeFilter(redactor)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


class _LeakyMatcher(Matcher):
    """A matcher that fails with the API URL in its error, as a library error might."""

    url = ""

    def match(self, text: str) -> MatchResult:
        raise RuntimeError(f"request to {self.url} failed")


@pytest.mark.slow
@pytest.mark.expects_bot_error("failures are provoked so that URLs get logged")
async def test_the_token_is_in_no_log_record(
    all_logs: _Records, tmp_path: Path, pack: ContentPack
) -> None:
    """With every logger at DEBUG, a 500, dropped connections and a handler error whose
    message holds the API URL leave neither the token nor its secret part in any record's
    message or traceback (the URLs are there, masked)."""
    secret = FAKE_TOKEN.split(":")[1]
    async with started_emulator(token=FAKE_TOKEN) as emu:
        settings = Settings.for_tests(
            token=emu.token, api_base_url=emu.base_url, db_path=tmp_path / "t.db"
        )
        matcher = _LeakyMatcher(pack)
        matcher.url = f"{emu.base_url}{FAKE_TOKEN}/sendMessage"
        application = build_application(settings, state=AppState.create(settings, pack, matcher))
        user = emu.user(301, "Lena")
        chat = emu.private_chat(user)
        async with running_application(application):
            await emu.wait_until_polling()
            emu.fail_next("sendMessage", status=500, times=10)
            emu.send_text(user, chat, "/help")
            emu.drop_next("getUpdates", times=2)
            emu.send_text(user, chat, "/start")
            emu.send_text(user, chat, "what is drift")  # the leaky matcher raises
            await emu.wait_for(
                lambda: any(r.levelno >= logging.ERROR for r in all_logs.records), timeout=10
            )
            await emu.wait_for(lambda: len(emu.bot_messages(chat.id)) >= 2, timeout=10)
    assert all_logs.records
    formatted = [all_logs.format(record) for record in all_logs.records]
    leaks = [line for line in formatted if FAKE_TOKEN in line or secret in line]
    assert leaks == []
    assert any(f"bot{MASK}" in line or MASK in line for line in formatted)
    names = {record.name.split(".")[0] for record in all_logs.records}
    assert {"httpx", "telegram", "bot"} <= names


# --- admin-only commands -------------------------------------------------------------------------

# Every function in bot/tg that asks is_admin, and the case below that exercises it.
ADMIN_CHECKS = {
    "daily_command": ("daily on", "daily off"),
    "groupquiz": ("groupquiz",),
    "stopquiz": ("stopquiz",),
    "group_settings_command": ("settings",),
    "on_setting": ("settings button",),
}


def _functions_calling_is_admin() -> set[str]:
    found: set[str] = set()
    for path in sorted((ROOT / "bot" / "tg").rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.AsyncFunctionDef | ast.FunctionDef):
                continue
            for inner in ast.walk(node):
                if (
                    isinstance(inner, ast.Call)
                    and isinstance(inner.func, ast.Name)
                    and inner.func.id == "is_admin"
                ):
                    found.add(node.name)
    return found


def test_every_admin_check_has_a_case() -> None:
    """The parametrized test below covers every handler in bot/tg that checks for an admin, so
    a new admin-only command fails here until it gets a case."""
    assert _functions_calling_is_admin() == set(ADMIN_CHECKS)
    cases = {case for names in ADMIN_CHECKS.values() for case in names}
    assert cases == set(ADMIN_CASES)


Setup = Callable[[World, AnyApp], Awaitable[Any]]
Act = Callable[[World, AnyApp, Any, Any], Awaitable[str]]


async def _no_setup(world: World, app: AnyApp) -> None:
    return None


async def _subscribed(world: World, app: AnyApp) -> None:
    await world.ask(world.alice, world.group, "/daily on 08:00")


async def _carol_started(world: World, app: AnyApp) -> None:
    await start_quiz(world, world.carol, world.group)


async def _settings_panel(world: World, app: AnyApp) -> BotMessage:
    return await world.ask(world.alice, world.group, "/settings")


def _say(text: str) -> Act:
    async def act(world: World, app: AnyApp, user: Any, prepared: Any) -> str:
        [reply] = await command(world, user, world.group, text, 1)
        await world.emu.wait_quiet()
        return reply.plain_text

    return act


async def _press_setting(world: World, app: AnyApp, user: Any, panel: Any) -> str:
    toast = await world.press(user, world.current(panel), "Let everyone start")
    await world.emu.wait_quiet()
    return str(toast["text"])


# case -> (setup, act, start of the refusal, start of the admin's success); every success but
# showing the settings panel changes the database.
ADMIN_CASES: dict[str, tuple[Setup, Act, str, str]] = {
    "daily on": (_no_setup, _say("/daily on 08:00"), "Only the group's admins", "📅 Daily"),
    "daily off": (_subscribed, _say("/daily off"), "Only the group's admins", "Daily question"),
    "groupquiz": (_no_setup, _say("/groupquiz"), "Only group admins can start", "🎯 Group quiz"),
    "stopquiz": (_carol_started, _say("/stopquiz"), "Only the person who started", ""),
    "settings": (_no_setup, _say("/settings"), "Only group admins can change", "Group quiz"),
    "settings button": (_settings_panel, _press_setting, "Only group admins", "Saved."),
}


@pytest.mark.parametrize("case", ADMIN_CASES.keys())
async def test_admin_only_commands_refuse_members(world: World, app: AnyApp, case: str) -> None:
    """Bob, a plain member, is refused and the database does not change; Alice, an admin (not
    the one who started a running quiz), succeeds."""
    setup, act, refusal, success = ADMIN_CASES[case]
    world.emu.set_admins(world.group, [world.alice, world.carol])
    prepared = await setup(world, app)
    before = await _table(app)
    assert (await act(world, app, world.bob, prepared)).startswith(refusal)
    assert await _table(app) == before
    outcome = await act(world, app, world.alice, prepared)
    assert not outcome.startswith(refusal)
    assert outcome.startswith(success)
    assert (await _table(app) != before) is (case != "settings")


# --- user text is escaped ------------------------------------------------------------------------

# Short enough that its escaped form fits the stats caption's 64-unit name limit uncut.
NASTY_NAME = "<b>Eve</b> &amp; <script> a < b"


async def _start_text(world: World, app: AnyApp, user: Any, chat: Any) -> str:
    return (await world.ask(user, chat, "/start")).plain_text


async def _stats_caption(world: World, app: AnyApp, user: Any, chat: Any) -> str:
    return (await world.ask(user, chat, "/stats")).plain_text


async def _group_tables(world: World, app: AnyApp, user: Any, chat: Any) -> str:
    """The reveal after the round, the final standings and /top all list the players."""
    world.emu.set_admins(world.group, [world.alice, user])
    question = await start_quiz(world, user, world.group, "1 30")
    right, _ = await right_and_wrong(app, question)
    await world.press(user, question, right)
    await world.press(world.alice, question, right)
    before = len(world.emu.bot_messages(world.group.id))
    await run_job(app, group_deadline_job((await round_of(app, question)).id))
    reveal, final = (await world.emu.wait_for_messages(world.group.id, before + 2))[before:]
    top = await world.ask(user, world.group, "/top")
    return "\n".join([reveal.plain_text, final.plain_text, top.plain_text])


async def _timezone_error(world: World, app: AnyApp, user: Any, chat: Any) -> str:
    return (await world.ask(user, chat, "/timezone <b>Mars&amp;</b><i>")).plain_text


async def _daily_error(world: World, app: AnyApp, user: Any, chat: Any) -> str:
    return (await world.ask(user, chat, "/daily on 08:00 <script>&lt;")).plain_text


async def _group_args_error(world: World, app: AnyApp, user: Any, chat: Any) -> str:
    world.emu.set_admins(world.group, [world.alice, user])
    return (await world.ask(user, world.group, "/groupquiz <b>9 &amp;")).plain_text


async def _export_names(world: World, app: AnyApp, user: Any, chat: Any) -> str:
    await _group_tables(world, app, user, chat)
    world.emu.send_text(user, chat, "/export")
    await world.emu.wait_for_call("sendDocument")
    _, export = _exported(world.emu, chat.id)
    return "\n".join(row["display_name"] for row in export["data"]["group_answers"])


# place -> (how to get the echoing message's visible text, what must be shown literally)
ESCAPE_CASES: dict[str, tuple[Callable[..., Awaitable[str]], str]] = {
    "welcome": (_start_text, NASTY_NAME),
    "stats caption": (_stats_caption, NASTY_NAME),
    "group reveal, standings and /top": (_group_tables, NASTY_NAME),
    "time zone error": (_timezone_error, "<b>Mars&amp;</b><i>"),
    "daily zone error": (_daily_error, "<script>&lt;"),
    "group quiz arguments": (_group_args_error, "<b>"),
    "export": (_export_names, NASTY_NAME),
}


@pytest.mark.parametrize("case", ESCAPE_CASES.keys())
async def test_user_text_is_shown_literally(world: World, app: AnyApp, case: str) -> None:
    """A name or argument full of HTML (<b>, &amp;, <script>, a lone <) comes out as the same
    literal text wherever it is echoed; the emulator parses HTML strictly, so markup that
    leaked would be refused (and fail the test through the bot's error log)."""
    get_text, literal = ESCAPE_CASES[case]
    eve = world.emu.user(205, NASTY_NAME, "eve")
    chat = world.emu.private_chat(eve)
    assert literal in await get_text(world, app, eve, chat)


# --- buttons that act for one user ---------------------------------------------------------------


async def _group_quiz_question(world: World, app: AnyApp) -> tuple[BotMessage, str]:
    question = await world.ask(world.alice, world.group, "/quiz")
    return question, option_data(question)[0]


async def _group_quiz_hint(world: World, app: AnyApp) -> tuple[BotMessage, str]:
    question = await world.ask(world.alice, world.group, "/quiz")
    hint = next(
        b["callback_data"]
        for row in (question.reply_markup or {})["inline_keyboard"]
        for b in row
        if b["callback_data"].startswith("qh:")
    )
    return question, hint


async def _group_next(world: World, app: AnyApp) -> tuple[BotMessage, str]:
    question = await world.ask(world.alice, world.group, "/quiz")
    await press_option(world, app, world.alice, question, right=True)
    await world.emu.wait_for(lambda: world.current(question).edits)
    answered = world.current(question)
    return answered, answered.reply_markup["inline_keyboard"][0][0]["callback_data"]  # type: ignore[index]


async def _forget_prompt(label: str, world: World, app: AnyApp) -> tuple[BotMessage, str]:
    prompt = await world.ask(world.alice, world.alice_chat, "/forget")
    data = next(
        b["callback_data"]
        for row in (prompt.reply_markup or {})["inline_keyboard"]
        for b in row
        if b["text"] == label
    )
    return prompt, data


async def _settings_button(world: World, app: AnyApp) -> tuple[BotMessage, str]:
    panel = await world.ask(world.alice, world.group, "/settings")
    return panel, "gs:1"


async def _forget_confirm(world: World, app: AnyApp) -> tuple[BotMessage, str]:
    return await _forget_prompt(DELETE, world, app)


async def _forget_cancel(world: World, app: AnyApp) -> tuple[BotMessage, str]:
    return await _forget_prompt(CANCEL, world, app)


# callback kind -> (a message with Alice's button and its data, the toast others get)
BOUND_BUTTONS: dict[str, tuple[Callable[[World, AnyApp], Awaitable[tuple[BotMessage, str]]], str]]
BOUND_BUTTONS = {
    "quiz answer in a group": (_group_quiz_question, "That question was sent to someone else"),
    "quiz hint in a group": (_group_quiz_hint, "That question was sent to someone else"),
    "next question in a group": (_group_next, "That question was sent to someone else"),
    "forget confirm": (_forget_confirm, privacy.NOT_YOURS),
    "forget cancel": (_forget_cancel, privacy.NOT_YOURS),
    "group quiz setting (admins)": (_settings_button, "Only group admins"),
}

# The pattern of every CallbackQueryHandler the bot registers, and who may press its buttons.
CALLBACK_PATTERNS = {
    r"^q[ahn]:": "bound: quiz answer, hint and Next (BOUND_BUTTONS)",
    "^fg:": "bound: the /forget confirmation (BOUND_BUTTONS)",
    "^gs:": "bound to admins: the group quiz setting (BOUND_BUTTONS)",
    "^gt:": "anyone in the group: a group quiz round is open to every member",
    "^rm:off$": "acts only on the presser's own reminder setting",
    "^pp:": "practise a topic (/progress, Test me): public, the quiz item goes to the presser",
    r"^[at]:": "navigation: public, read-only content (answers and topics)",
    "^dm:": "a suggestion's answer is public; only the asker's own press records the pick",
    r"^(?:m$|[lwcpk]:)": "navigation: public, read-only content (lessons and pictures)",
    None: "the fallback for data no pattern claims: a toast, nothing else",
}


def test_every_callback_kind_is_classified(world: World, pack: ContentPack) -> None:
    """Each button handler of the bot is either in the bound-button test below or listed with
    the reason anyone may press it, so a new kind of button cannot skip the check."""
    settings = Settings.for_tests(api_base_url="http://127.0.0.1:9/bot", db_path=":memory:")
    application = build_application(settings, state=AppState.create(settings, pack))
    patterns = {
        (handler.pattern.pattern if handler.pattern is not None else None)  # type: ignore[union-attr]
        for handlers in application.handlers.values()
        for handler in handlers
        if isinstance(handler, CallbackQueryHandler)
    }
    assert patterns == set(CALLBACK_PATTERNS)


@pytest.mark.parametrize("kind", BOUND_BUTTONS.keys())
async def test_a_button_for_one_user_refuses_everyone_else(
    world: World, app: AnyApp, kind: str
) -> None:
    """Bob pressing a button that acts for Alice gets a toast; the database, the pressed
    message and the chat stay as they were."""
    make, toast_text = BOUND_BUTTONS[kind]
    message, data = await make(world, app)
    await world.emu.wait_quiet()
    before = await _table(app)
    shown = world.current(message)
    count = len(world.emu.bot_messages(message.chat_id))
    toast = await world.press_data(world.bob, message, data)
    assert str(toast.get("text", "")).startswith(toast_text)
    await world.emu.wait_quiet()
    assert await _table(app) == before
    assert world.current(message) == shown
    assert len(world.emu.bot_messages(message.chat_id)) == count
