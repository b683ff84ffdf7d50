"""kill -9 while answers are in flight, then a restart: what a learner was told must be stored.

Shared by ``tests/e2e/test_crash_durability.py`` (one kill point, asserted) and
``bench/crash.py`` (several kill points and a clean-stop baseline, printed).

The scenario, step by step:

1. Seed: learners (in four time zones) with a month of answer history written through the
   services on a fixed clock, so streaks carry freezes, gaps and resets into the crash.
2. Deliver: an in-process tutor on the same database and emulator answers ``/quiz`` from every
   learner several times, so each question is a real delivery behind a real message with real
   option buttons (the child process alone would take half a minute: it paces its sends).
3. Run ``python -m bot run`` as a child process, queue one press per delivery (1,000 by
   default, interleaved across learners), and once ``kill_at`` answers were confirmed to their
   learners, stop it: SIGKILL (or SIGTERM for the clean-stop baseline).
4. Copy the database files as the dead process left them and read that copy (``after_kill``).
5. Restart on the same database and emulator, let it settle, press some answered buttons
   (they must be refused) and some unanswered ones (they must still count), stop with SIGTERM.
6. Read the database: integrity, every confirmed answer stored with the learner's choice,
   no duplicates, counts, and each stored streak equal to ``bot.core.streaks.replay`` over
   that learner's stored answer history.

A *confirmation* is what the learner saw: a verdict edit of the question message, or a plain
answerCallbackQuery for their press (the bot sends it only after the verdict), that the
emulator accepted with status 200. The bot replies only after the answer's transaction
committed, and a committed WAL transaction survives the death of the process (with
``synchronous=NORMAL`` only a power cut or an OS crash can lose the last commits, which a
process kill cannot simulate).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import re
import shutil
import signal
import sqlite3
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import IO, Any, Literal

from telegram import Chat, User

from bot.config import Settings
from bot.core import streaks
from bot.core.clock import FixedClock
from bot.core.content import ContentPack
from bot.core.matcher import Matcher
from bot.services import Services
from bot.tg.app import build_application
from bot.tg.callbacks import parse_quiz
from bot.tg.handlers.quiz import LEVELS
from bot.tg.state import AppState
from bot.tg.views.common import OPTION_LETTERS
from bot.tg.views.quiz import ALREADY_ANSWERED
from tests.emulator import BotApiEmulator, BotMessage
from tests.support.harness import running_application
from tests.support.processes import bot_env

ZONES = ("UTC", "Europe/Berlin", "America/Los_Angeles", "Asia/Tokyo")
HISTORY_DAYS = 30
FIRST_USER_ID = 700_000
DB_NAME = "tutor.sqlite3"
# What the learner reads in a verdict edit (bot.tg.views.quiz.verdict_lines).
_CHOSE = re.compile(r"You chose ([A-H])\. ")
_RIGHT = re.compile(r"The answer is <b>([A-H])\. ")

StopMode = Literal["kill", "term"]


@dataclass(frozen=True, slots=True)
class Learner:
    user: User
    chat: Chat
    zone: str


@dataclass(frozen=True, slots=True)
class Question:
    """A delivery on screen: the message showing it and the callback data of each option."""

    user_id: int
    chat_id: int
    message_id: int
    delivery_id: int
    option_data: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Press:
    query_id: str
    question: Question
    position: int


@dataclass(frozen=True, slots=True)
class Confirmation:
    user_id: int
    delivery_id: int
    position: int
    how: str  # "verdict edit" or "callback answer"


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    id: int
    delivery_id: int
    user_id: int
    position: int
    correct: bool
    local_date: date


@dataclass
class CrashReport:
    """The figures of one run and every broken promise found (``problems`` empty: all held)."""

    mode: StopMode
    learners: int
    pressed: int
    kill_at: int
    stop_delay_ms: float = 0.0  # after the kill_at-th confirmation was seen
    stop_s: float = 0.0  # from the signal to the first process's exit
    confirmed_before_stop: int = 0
    stored_after_stop: int = 0  # answers to the pressed deliveries, read from the dead copy
    stored_unconfirmed: int = 0  # committed, but the process died before telling the learner
    confirmed_lost: int = 0
    stored_after_restart: int = 0
    confirmed_total: int = 0  # confirmations from both processes and the checks after restart
    presses_never_answered: int = 0  # taken by the stopped process, dropped with it
    duplicates: int = 0
    integrity_after_stop: str = ""
    integrity_final: str = ""
    streak_mismatches: int = 0
    learners_checked: int = 0
    seeded_answers: int = 0
    refused_after_restart: int = 0  # presses on answered buttons refused with ALREADY_ANSWERED
    unconfirmed_shown: int = 0  # stored-but-unconfirmed answers whose verdict a retry showed
    answered_after_restart: int = 0  # presses on unanswered buttons accepted after restart
    restart_ready_s: float = 0.0
    exit_code_after_restart: int | None = None
    problems: list[str] = field(default_factory=list)

    def problem(self, text: str) -> None:
        self.problems.append(text)


# --- step 1 and 2: learners, history and deliveries ---------------------------------------------


def make_learners(emu: BotApiEmulator, count: int) -> list[Learner]:
    learners = []
    for i in range(count):
        user = emu.user(FIRST_USER_ID + i, f"Learner {i}")
        learners.append(Learner(user, emu.private_chat(user), ZONES[i % len(ZONES)]))
    return learners


async def seed_history(
    db_path: Path, pack: ContentPack, learners: list[Learner], today: date, seed: int
) -> int:
    """A month of answers before ``today``, each learner active on a share of the days (from
    every day to one in four), so streaks end up long, frozen over gaps, or reset."""
    rng = random.Random(seed)
    keen = {lr.user.id: 0.25 + 0.75 * rng.random() for lr in learners}
    clock = FixedClock(
        datetime.combine(today - timedelta(days=HISTORY_DAYS + 1), datetime.min.time(), UTC)
    )
    answered = 0
    async with await Services.open(db_path, pack, clock=clock, rng=random.Random(seed)) as svc:
        for learner in learners:
            await svc.users.set_timezone(learner.user.id, learner.zone)
        for back in range(HISTORY_DAYS, 0, -1):
            # Midday UTC: the learner's local day is this day or its neighbour, either is fine
            # because the check replays the stored local days.
            moment = datetime.combine(today - timedelta(days=back), datetime.min.time(), UTC)
            moment += timedelta(hours=12)
            active = [lr for lr in learners if rng.random() < keen[lr.user.id]]
            clock.set(moment)
            deliveries = [
                await svc.quiz.next_question(lr.user.id, lr.chat.id, private=True) for lr in active
            ]
            results = await asyncio.gather(
                *(
                    svc.quiz.answer(d.id, lr.user.id, rng.randrange(len(d.options)), private=True)
                    for lr, d in zip(active, deliveries, strict=True)
                    if d is not None
                )
            )
            answered += sum(result.accepted for result in results)
    return answered


async def deliver_questions(
    emu: BotApiEmulator,
    db_path: Path,
    pack: ContentPack,
    learners: list[Learner],
    per_learner: int,
) -> list[list[Question]]:
    """Each learner sends /quiz ``per_learner`` times to an in-process tutor on the same
    database; returns each learner's question messages, oldest first."""
    settings = Settings.for_tests(
        token=emu.token, api_base_url=emu.base_url, db_path=db_path, flood_limit=10_000
    )
    app = build_application(settings, state=AppState.create(settings, pack, Matcher(pack)))
    # Counting sent messages is cheap enough to re-check on every emulator event; parsing
    # every keyboard each time would make this wait quadratic.
    expected = len(emu.bot_messages()) + len(learners) * per_learner
    async with running_application(app):
        for _ in range(per_learner):
            for learner in learners:
                emu.send_text(learner.user, learner.chat, "/quiz")
        await emu.wait_for(lambda: len(emu.bot_messages()) >= expected, timeout=120)
        await emu.wait_quiet(quiet=0.2, timeout=30)
    questions = [_questions_in(emu, learner) for learner in learners]
    if any(len(qs) != per_learner for qs in questions):
        raise AssertionError("not every /quiz was answered with a question")
    return questions


def _option_data(message: BotMessage) -> tuple[int, tuple[str, ...]] | None:
    """The delivery a message asks and its options' callback data, if it shows a question."""
    rows = (message.reply_markup or {}).get("inline_keyboard") or []
    found: list[tuple[int, str]] = []
    for row in rows:
        for button in row:
            data = button.get("callback_data")
            press = parse_quiz(data, LEVELS) if isinstance(data, str) else None
            if press is not None and press.kind == "answer":
                found.append((press.delivery_id, str(data)))
    if not found:
        return None
    return found[0][0], tuple(data for _, data in found)


def _questions_in(emu: BotApiEmulator, learner: Learner) -> list[Question]:
    questions = []
    for message in emu.bot_messages(learner.chat.id):
        shown = _option_data(message)
        if shown is not None:
            delivery_id, data = shown
            questions.append(
                Question(learner.user.id, learner.chat.id, message.message_id, delivery_id, data)
            )
    return questions


# --- step 3: the child process and what it confirmed -------------------------------------------


class Confirmations:
    """Reads the emulator's call log once, incrementally, into the answers learners were told."""

    def __init__(self, emu: BotApiEmulator, questions: dict[tuple[int, int], Question]) -> None:
        self._emu = emu
        self._questions = questions
        self._presses: dict[str, Press] = {}
        self._next = len(emu.calls)
        self.found: list[Confirmation] = []

    def expect(self, press: Press) -> None:
        self._presses[press.query_id] = press

    def scan(self) -> int:
        calls = self._emu.calls
        while self._next < len(calls):
            call = calls[self._next]
            method = call.method.lower()
            if method in ("editmessagetext", "answercallbackquery") and not call.done:
                break  # its status is not known yet; look again on the next scan
            self._next += 1
            if call.status != 200:
                continue
            if method == "editmessagetext":
                self._verdict(call.params)
            elif method == "answercallbackquery":
                press = self._presses.get(str(call.params.get("callback_query_id")))
                if press is not None and not call.params.get("text"):
                    q = press.question
                    self.found.append(
                        Confirmation(q.user_id, q.delivery_id, press.position, "callback answer")
                    )
        return len({(c.user_id, c.delivery_id) for c in self.found})

    def _verdict(self, params: dict[str, Any]) -> None:
        key = (int(params.get("chat_id", 0)), int(params.get("message_id", 0)))
        question = self._questions.get(key)
        text = str(params.get("text") or "")
        if question is None:
            return
        chose = _CHOSE.search(text) or _RIGHT.search(text)
        if chose is None:
            return  # not a verdict (a hint, say): it confirms no answer
        position = OPTION_LETTERS.index(chose.group(1))
        self.found.append(
            Confirmation(question.user_id, question.delivery_id, position, "verdict edit")
        )


@dataclass
class ChildBot:
    process: asyncio.subprocess.Process
    log: IO[bytes]
    started: float
    calls_before: int


async def start_child(emu: BotApiEmulator, tmp_path: Path, log_name: str) -> ChildBot:
    env = bot_env(emu, tmp_path)
    # DEBUG logs every request: at these volumes that is the bottleneck, not the bot.
    env["LOG_LEVEL"] = "INFO"
    log = (tmp_path / log_name).open("wb")
    calls_before = len(emu.calls)
    started = time.monotonic()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        env=env,
        cwd=tmp_path,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=log,
        stderr=asyncio.subprocess.STDOUT,
    )
    return ChildBot(process, log, started, calls_before)


async def wait_ready(emu: BotApiEmulator, child: ChildBot, timeout: float = 60) -> float:  # noqa: ASYNC109
    """Seconds from spawning the child to its first getUpdates (start-up done, polling)."""
    call = await emu.wait_for(
        lambda: next(
            (c for c in emu.calls[child.calls_before :] if c.method == "getUpdates"), None
        ),
        timeout=timeout,
    )
    return call.time - child.started


async def end_child(child: ChildBot, sig: signal.Signals) -> int:
    if child.process.returncode is None:
        child.process.send_signal(sig)
    try:
        return await asyncio.wait_for(child.process.wait(), timeout=30)
    finally:
        child.log.close()


@contextlib.asynccontextmanager
async def _reaped(child: ChildBot) -> Any:
    """Never leave the child running when a step fails."""
    try:
        yield child
    finally:
        if child.process.returncode is None:
            child.process.kill()
            await child.process.wait()
        child.log.close()


# --- step 4 and 6: reading the database ------------------------------------------------------


def snapshot(db_path: Path, into: Path) -> Path:
    """Copy the database as a dead process left it (main file and WAL), to read it untouched."""
    into.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal"):
        source = Path(f"{db_path}{suffix}")
        if source.exists():
            shutil.copyfile(source, into / f"{db_path.name}{suffix}")
    return into / db_path.name


@contextlib.contextmanager
def _connect(path: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(path)
    try:
        yield conn
    finally:
        conn.close()


def integrity(path: Path) -> str:
    with _connect(path) as conn:
        return "\n".join(str(row[0]) for row in conn.execute("PRAGMA integrity_check"))


def stored_answers(path: Path, deliveries: set[int] | None = None) -> list[StoredAnswer]:
    """Answers in insertion order (the order they were graded), optionally of some deliveries."""
    with _connect(path) as conn:
        rows = conn.execute(
            "SELECT id, delivery_id, user_id, position, correct, local_date FROM answers"
            " ORDER BY id"
        ).fetchall()
    answers = [
        StoredAnswer(r[0], r[1], r[2], r[3], bool(r[4]), date.fromisoformat(r[5])) for r in rows
    ]
    if deliveries is None:
        return answers
    return [a for a in answers if a.delivery_id in deliveries]


def check_database(path: Path, report: CrashReport, questions: dict[int, Question]) -> None:
    """Duplicates, ownership, card counts and streaks of the final database."""
    answers = stored_answers(path)
    pairs = Counter((a.delivery_id, a.user_id) for a in answers)
    report.duplicates = sum(n - 1 for n in pairs.values() if n > 1)
    if report.duplicates:
        report.problem(f"{report.duplicates} answers stored twice")
    for a in answers:
        q = questions.get(a.delivery_id)
        if q is not None and (q.user_id != a.user_id or not 0 <= a.position < len(q.option_data)):
            report.problem(f"answer {a.id} does not fit its delivery {a.delivery_id}")
    with _connect(path) as conn:
        deliveries_owner = dict(conn.execute("SELECT id, user_id FROM deliveries").fetchall())
        stored_streaks = {
            row[0]: streaks.StreakState(
                row[1], row[2], row[3], date.fromisoformat(row[4]) if row[4] else None
            )
            for row in conn.execute(
                "SELECT user_id, current, best, freezes, last_day FROM streaks"
            )
        }
        cards = {
            (row[0], row[1]): (row[2], row[3])
            for row in conn.execute("SELECT user_id, question_id, reviews, lapses FROM cards")
        }
        by_card = Counter(
            (row[0], row[1], row[2] == 0)
            for row in conn.execute("SELECT user_id, question_id, correct FROM answers")
        )
        group_answers = conn.execute("SELECT COUNT(*) FROM group_answers").fetchone()[0]
    if group_answers:
        report.problem("group answers exist: the streak replay below would miss them")
    for a in answers:
        if deliveries_owner.get(a.delivery_id) != a.user_id:
            report.problem(f"answer {a.id} is by someone the delivery was not sent to")
    expected_cards: dict[tuple[int, str], tuple[int, int]] = {}
    for (user_id, question_id, wrong), n in by_card.items():
        reviews, lapses = expected_cards.get((user_id, question_id), (0, 0))
        expected_cards[(user_id, question_id)] = (reviews + n, lapses + (n if wrong else 0))
    if cards != expected_cards:
        differing = {
            k
            for k in cards.keys() | expected_cards.keys()
            if cards.get(k) != expected_cards.get(k)
        }
        report.problem(f"{len(differing)} cards disagree with the answers (reviews, lapses)")
    days: dict[int, list[date]] = {}
    for a in answers:
        days.setdefault(a.user_id, []).append(a.local_date)
    report.learners_checked = len(days.keys() | stored_streaks.keys())
    for user_id in sorted(days.keys() | stored_streaks.keys()):
        expected = streaks.replay(days.get(user_id, []))
        stored = stored_streaks.get(user_id, streaks.StreakState())
        if stored != expected:
            report.streak_mismatches += 1
            report.problem(f"user {user_id}: stored streak {stored} != replayed {expected}")


# --- the whole scenario ------------------------------------------------------------------------


async def run_scenario(
    emu: BotApiEmulator,
    tmp_path: Path,
    pack: ContentPack,
    *,
    learners: int = 100,
    per_learner: int = 10,
    kill_at: int = 150,
    mode: StopMode = "kill",
    seed: int = 1,
    checks_after_restart: int = 10,
    stop_jitter: float = 0.05,
) -> CrashReport:
    """Run the scenario; the report holds its figures and every broken promise."""
    db_path = tmp_path / DB_NAME
    rng = random.Random(seed)
    crowd = make_learners(emu, learners)
    report = CrashReport(
        mode=mode, learners=learners, pressed=learners * per_learner, kill_at=kill_at
    )
    report.seeded_answers = await seed_history(
        db_path, pack, crowd, datetime.now(UTC).date(), seed
    )
    per_user = await deliver_questions(emu, db_path, pack, crowd, per_learner)
    questions = {q.delivery_id: q for qs in per_user for q in qs}
    by_message = {(q.chat_id, q.message_id): q for q in questions.values()}
    users = {learner.user.id: learner.user for learner in crowd}

    # --- the first process: 1,000 presses, stopped after `kill_at` confirmations
    first = await start_child(emu, tmp_path, "first.log")
    async with _reaped(first):
        await wait_ready(emu, first)
        confirmations = Confirmations(emu, by_message)
        pressed: dict[int, Press] = {}
        for turn in range(per_learner):
            for qs in per_user:
                q = qs[turn]
                position = rng.randrange(len(q.option_data))
                query_id = emu.press_data(
                    users[q.user_id], q.chat_id, q.message_id, q.option_data[position]
                )
                press = Press(query_id, q, position)
                pressed[q.delivery_id] = press
                confirmations.expect(press)
        await emu.wait_for(lambda: confirmations.scan() >= kill_at, timeout=120)
        # A random moment within about one answer's time (the bot paces its verdicts at 30/s):
        # the kill then lands anywhere in the cycle, often after a commit but before its reply.
        report.stop_delay_ms = rng.uniform(0, stop_jitter) * 1000
        await asyncio.sleep(report.stop_delay_ms / 1000)
        signalled = time.monotonic()
        await end_child(first, signal.SIGKILL if mode == "kill" else signal.SIGTERM)
        report.stop_s = time.monotonic() - signalled
    confirmations.scan()
    before_stop = list(confirmations.found)
    confirmed_keys = {(c.user_id, c.delivery_id) for c in before_stop}
    report.confirmed_before_stop = len(confirmed_keys)

    dead = snapshot(db_path, tmp_path / "after_stop")
    report.integrity_after_stop = integrity(dead)
    at_stop = stored_answers(dead, set(questions))
    report.stored_after_stop = len(at_stop)
    stored_keys = {(a.user_id, a.delivery_id) for a in at_stop}
    report.stored_unconfirmed = len(stored_keys - confirmed_keys)
    lost_at_stop = confirmed_keys - stored_keys
    if report.integrity_after_stop != "ok":
        report.problem(f"integrity_check after the stop: {report.integrity_after_stop}")
    if lost_at_stop:
        report.problem(f"{len(lost_at_stop)} confirmed answers missing right after the stop")

    # --- the second process on the same database and emulator
    second = await start_child(emu, tmp_path, "second.log")
    async with _reaped(second):
        report.restart_ready_s = await wait_ready(emu, second)
        # Presses the first process fetched but never confirmed come back; let them be handled.
        await emu.wait_quiet(quiet=1.0, timeout=120)
        after = _AfterRestart(emu, report, confirmations, users, pressed, rng)
        await after.refuse_answered(before_stop, checks_after_restart)
        await after.answer_unanswered(db_path, by_message, checks_after_restart)
        unconfirmed = [a for a in at_stop if (a.user_id, a.delivery_id) not in confirmed_keys]
        await after.show_unconfirmed(unconfirmed)
        report.exit_code_after_restart = await end_child(second, signal.SIGTERM)
    if report.exit_code_after_restart != 0:
        report.problem(f"the restarted bot exited with {report.exit_code_after_restart}")
    confirmations.scan()

    # --- what the learners were told against what is stored
    report.integrity_final = integrity(db_path)
    if report.integrity_final != "ok":
        report.problem(f"integrity_check at the end: {report.integrity_final}")
    final = {(a.user_id, a.delivery_id): a for a in stored_answers(db_path, set(questions))}
    report.stored_after_restart = len(final)
    report.confirmed_total = len({(c.user_id, c.delivery_id) for c in confirmations.found})
    for c in confirmations.found:
        stored = final.get((c.user_id, c.delivery_id))
        if stored is None:
            report.problem(f"confirmed ({c.how}) but not stored: {c}")
        elif stored.position != c.position:
            report.problem(f"stored position {stored.position} differs from confirmed {c}")
    report.confirmed_lost = len(
        {(c.user_id, c.delivery_id) for c in confirmations.found} - final.keys()
    )
    for a in at_stop:
        if final.get((a.user_id, a.delivery_id)) != a:
            report.problem(f"answer {a} stored at the stop changed or vanished after the restart")
    for (user_id, delivery_id), a in final.items():
        press = pressed.get(delivery_id)
        if press is None or press.question.user_id != user_id:
            report.problem(f"an answer nobody pressed: {a}")
        elif a.position != press.position:
            report.problem(f"answer {a} is not the pressed position {press.position}")
    answered_ids = {q for q in emu.unanswered_queries()}
    report.presses_never_answered = sum(p.query_id in answered_ids for p in pressed.values())
    if emu.internal_errors:
        report.problem(f"emulator bugs: {emu.internal_errors!r}")
    check_database(db_path, report, questions)
    return report


@dataclass
class _AfterRestart:
    """Presses made once the restarted bot has settled: answered buttons stay answered,
    unanswered ones still count."""

    emu: BotApiEmulator
    report: CrashReport
    confirmations: Confirmations
    users: dict[int, User]
    pressed: dict[int, Press]
    rng: random.Random

    async def _answer_of(self, query_id: str) -> dict[str, Any]:
        answers = await self.emu.wait_for(lambda: self.emu.callback_answers(query_id), timeout=30)
        return answers[0]

    async def refuse_answered(self, confirmed: list[Confirmation], count: int) -> None:
        seen: set[int] = set()
        for c in confirmed:
            if c.how != "verdict edit" or c.user_id in seen or len(seen) >= count:
                continue
            seen.add(c.user_id)
            q = self.pressed[c.delivery_id].question
            other = (c.position + 1) % len(q.option_data)
            query_id = self.emu.press_data(
                self.users[q.user_id], q.chat_id, q.message_id, q.option_data[other]
            )
            text = (await self._answer_of(query_id)).get("text")
            if text == ALREADY_ANSWERED:
                self.report.refused_after_restart += 1
            else:
                self.report.problem(f"a second answer to {c} after restart got {text!r}")
        if not seen:
            self.report.problem("no verdict edit to press again after the restart")

    async def show_unconfirmed(self, unconfirmed: list[StoredAnswer]) -> None:
        """A learner whose answer was stored but never confirmed presses again (another option,
        say): the bot shows the stored verdict, with the first choice, and records nothing new."""
        for a in unconfirmed:
            q = self.pressed[a.delivery_id].question
            message = self._message(q)
            if _option_data(message) is not None:
                other = (a.position + 1) % len(q.option_data)
                label = self.emu.buttons(message)[other][0]
                # Not expected as a confirmation of `other`: only the verdict edit counts here.
                query_id = self.emu.press(self.users[q.user_id], message, label)
                answer = await self._answer_of(query_id)
                if answer.get("text"):
                    self.report.problem(f"a retry of unconfirmed {a} got {answer}")
                message = self._message(q)
            shown = _CHOSE.search(message.text or "") or _RIGHT.search(message.text or "")
            if shown is None or OPTION_LETTERS.index(shown.group(1)) != a.position:
                self.report.problem(f"unconfirmed {a} is not shown as stored: {message.text!r}")
            else:
                self.report.unconfirmed_shown += 1

    def _message(self, q: Question) -> BotMessage:
        return next(m for m in self.emu.bot_messages(q.chat_id) if m.message_id == q.message_id)

    async def answer_unanswered(
        self, db_path: Path, by_message: dict[tuple[int, int], Question], count: int
    ) -> None:
        """Answer up to ``count`` questions left unanswered (a clean stop may leave none)."""
        answered = {(a.user_id, a.delivery_id) for a in stored_answers(db_path)}
        seen: set[int] = set()
        for message in self.emu.bot_messages():
            q = by_message.get((message.chat_id, message.message_id))
            if q is None or (q.user_id, q.delivery_id) in answered or q.user_id in seen:
                continue
            if _option_data(message) is None or len(seen) >= count:
                continue  # its verdict is shown already (or enough were tried)
            seen.add(q.user_id)
            position = self.rng.randrange(len(q.option_data))
            label = self.emu.buttons(message)[position][0]
            query_id = self.emu.press(self.users[q.user_id], message, label)
            press = Press(query_id, q, position)
            self.pressed[q.delivery_id] = press
            self.confirmations.expect(press)
            answer = await self._answer_of(query_id)
            if answer.get("text"):
                self.report.problem(f"an unanswered question after restart got {answer}")
            else:
                self.report.answered_after_restart += 1
