"""The offline console (`tutor-bot chat`): the tutor in a terminal, over the same core and storage.

It is a second adapter beside Telegram: free text goes to the same matcher, lessons come from the
same pages, and quizzes go through the same services and SQLite file (the console's learner has
its own id there, so its streak and /stats are its own). Buttons become numbered choices.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from bot.core import lessons
from bot.core.content import DIFFICULTIES, ContentPack, load_content
from bot.core.matcher import Matcher, MatchResult
from bot.errors import TutorError
from bot.model import build_matcher
from bot.services import AnswerStatus, Delivery, Outcome, Services
from bot.services.privacy import holds_data, to_json

# The console is one person at one keyboard. Telegram never uses id 0 for a user, and the chat id
# differs from the user id so the services never take the console for a private Telegram chat
# (which would make the bot send it streak reminders).
CONSOLE_USER_ID = 0
CONSOLE_CHAT_ID = -1
# /export writes here, in the working directory.
EXPORT_FILE = "tutor-data-console.json"
# Numbered choices never run past this many digits; longer "numbers" are treated as text.
_MAX_CHOICE_DIGITS = 3

HELP_TEXT = """\
I teach the difference between DevOps and MLOps. Type a question in your own words, or:
  /learn            lessons: pipelines, step by step, compare by aspect, cheat sheet...
  /quiz [easy|medium|hard]   a quiz question (answer with its number, h for a hint)
  /stats            your streak, accuracy and questions due
  /timezone NAME    your time zone for streaks, e.g. Europe/Berlin
  /export           save everything stored about you to a JSON file here
  /forget           delete everything stored about you (asks first)
  /help             this text
  /quit             leave (Ctrl-D works too)
When I list numbered choices, type a number to pick one."""


@dataclass
class _Choice:
    """What a bare number typed next means: the numbered choices on screen right now."""

    label: str
    action: Callable[[], Awaitable[None]]


@dataclass
class ConsoleSession:
    pack: ContentPack
    matcher: Matcher
    services: Services
    out: TextIO
    choices: list[_Choice] = field(default_factory=list)
    delivery: Delivery | None = None
    hinted: bool = False
    walk_index: int = 0
    difficulty: str | None = None

    def say(self, text: str = "") -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def offer(self, choices: list[_Choice]) -> None:
        self.choices = choices
        for number, choice in enumerate(choices, 1):
            self.say(f"  {number}. {choice.label}")

    # --- dispatch ---------------------------------------------------------------------------

    async def handle(self, line: str) -> bool:
        """React to one line; False means the learner wants to leave."""
        text = line.strip()
        if text.lower() in {"/quit", "/exit", "quit", "exit"}:
            self.say("Bye! Your progress is saved.")
            return False
        if (
            text.isascii()
            and text.isdecimal()
            and len(text) <= _MAX_CHOICE_DIGITS
            and self.choices
        ):
            await self._pick(int(text))
        elif self.delivery is not None and text.lower() in {"h", "hint", "/hint"}:
            await self._hint()
        elif text.startswith("/"):
            await self._command(text)
        else:
            self._answer_text(text)
        return True

    async def _pick(self, number: int) -> None:
        if not 1 <= number <= len(self.choices):
            self.say(f"Pick a number between 1 and {len(self.choices)}.")
            return
        await self.choices[number - 1].action()

    async def _command(self, text: str) -> None:
        command, _, argument = text.partition(" ")
        command = command.lower().split("@", 1)[0]
        argument = argument.strip()
        handlers: dict[str, Callable[[str], Awaitable[None]]] = {
            "/start": self._start,
            "/help": self._help,
            "/learn": self._learn,
            "/quiz": self._quiz,
            "/stats": self._stats,
            "/timezone": self._timezone,
            "/daily": self._daily,
            "/export": self._export,
            "/forget": self._forget,
        }
        handler = handlers.get(command)
        if handler is None:
            self.say("I don't know that command. Type /help to see what I can do.")
            return
        await handler(argument)

    # --- free text --------------------------------------------------------------------------

    def _answer_text(self, text: str) -> None:
        self.show_result(self.matcher.match(text))

    def show_result(self, result: MatchResult) -> None:
        self.say(result.reply)
        if result.status == "suggest":
            self.offer([self._entry_choice(entry.id, entry.title) for entry in result.suggestions])
        elif result.status == "answer" and result.related:
            self.say("Related:")
            self.offer([self._entry_choice(entry.id, entry.title) for entry in result.related])
        elif result.fallback_topics:
            self.offer([self._topic_choice(t.id, t.title) for t in result.fallback_topics])
        else:
            self.choices = []

    def _entry_choice(self, entry_id: str, title: str) -> _Choice:
        return self._result_choice(title, lambda: self.matcher.answer_entry(entry_id))

    def _topic_choice(self, topic_id: str, title: str) -> _Choice:
        return self._result_choice(title, lambda: self.matcher.topic_entry(topic_id))

    def _result_choice(self, title: str, lookup: Callable[[], MatchResult | None]) -> _Choice:
        async def show() -> None:
            result = lookup()
            if result is not None:
                self.show_result(result)

        return _Choice(title, show)

    # --- commands ---------------------------------------------------------------------------

    async def _start(self, _: str) -> None:
        self.say("Hi! I'm your MLOps vs DevOps tutor.")
        await self._help("")

    async def _help(self, _: str) -> None:
        self.say(HELP_TEXT)
        self.choices = []

    async def _daily(self, _: str) -> None:
        self.say("Daily questions arrive in Telegram. Here, type /quiz whenever you like.")

    async def _learn(self, _: str) -> None:
        self.say("Lessons:")
        self.offer(
            [
                _Choice(f"{info.title}: {info.blurb}", self._lesson(info.id))
                for info in lessons.LESSONS
            ]
        )

    def _lesson(self, lesson_id: str) -> Callable[[], Awaitable[None]]:
        async def show() -> None:
            if lesson_id == "walkthrough":
                self.walk_index = 0
                await self._walk(0)
            elif lesson_id == "compare":
                self.say("Pick an aspect to see DevOps and MLOps side by side:")
                self.offer(
                    [
                        _Choice(aspect, self._aspect(row_id))
                        for row_id, aspect in lessons.compare_menu(self.pack)
                    ]
                )
            else:
                self.say(lessons.lesson_text(self.pack, lesson_id))
                self.choices = []

        return show

    def _aspect(self, row_id: str) -> Callable[[], Awaitable[None]]:
        async def show() -> None:
            self.say(lessons.aspect_text(self.pack, row_id))

        return show

    async def _walk(self, index: int) -> None:
        page = lessons.walkthrough_page(self.pack, index)
        self.walk_index = page.index
        self.say(page.text)
        nav: list[_Choice] = []
        if not page.is_first:
            nav.append(_Choice("Back", lambda: self._walk(page.index - 1)))
        if not page.is_last:
            nav.append(_Choice("Next", lambda: self._walk(page.index + 1)))
        self.offer(nav)

    async def _quiz(self, argument: str) -> None:
        difficulty = argument.lower() or None
        if difficulty is not None and difficulty not in DIFFICULTIES:
            self.say(f"Pick a level: /quiz {' | /quiz '.join(DIFFICULTIES)}, or just /quiz.")
            return
        delivery = await self.services.quiz.next_question(
            CONSOLE_USER_ID, CONSOLE_CHAT_ID, difficulty
        )
        if delivery is None:
            self.say("No question fits right now. Try another level.")
            return
        self.delivery, self.hinted, self.difficulty = delivery, False, difficulty
        question = delivery.question
        self.say(f"[{question.difficulty}] {question.question}")
        self.offer(
            [
                _Choice(text, self._choose(position))
                for position, text in enumerate(delivery.options)
            ]
        )
        self.say("Type the number of your answer, or h for a hint.")

    def _choose(self, position: int) -> Callable[[], Awaitable[None]]:
        async def choose() -> None:
            delivery = self.delivery
            if delivery is None:
                return
            result = await self.services.quiz.answer(
                delivery.id, CONSOLE_USER_ID, position, hinted=self.hinted
            )
            self.delivery = None
            if result.status is AnswerStatus.ACCEPTED and result.outcome is not None:
                self._show_outcome(result.outcome)
                return
            if result.status is AnswerStatus.ALREADY_ANSWERED:
                self.say("That question was already answered. Type /quiz for a new one.")
            else:
                self.say("That question is no longer available. Type /quiz for a new one.")
            self.choices = []

        return choose

    async def _hint(self) -> None:
        if self.delivery is None:
            return
        result = await self.services.quiz.use_hint(self.delivery.id, CONSOLE_USER_ID)
        if result.hint:
            self.hinted = True
            self.say(f"Hint: {result.hint}")

    def _show_outcome(self, outcome: Outcome) -> None:
        verdict = "Right!" if outcome.correct else "Not quite."
        self.say(f"{verdict} The answer is: {outcome.correct_text}")
        self.say(outcome.explanation)
        if not outcome.correct:
            self.say(f"Common mistake: {outcome.mistake}")
        streak = outcome.streak
        self.say(f"Streak: {streak.current} day(s), best {streak.best}.")
        choices = [_Choice("Next question", lambda: self._quiz(self.difficulty or ""))]
        if outcome.why_id is not None:
            choices.append(self._entry_choice(outcome.why_id, "Why?"))
        self.offer(choices)

    async def _stats(self, _: str) -> None:
        stats = await self.services.stats.stats(CONSOLE_USER_ID)
        accuracy = "n/a" if stats.accuracy is None else f"{stats.accuracy:.0%}"
        self.say(
            f"Streak: {stats.streak.current} (best {stats.streak.best}), "
            f"freezes: {stats.streak.freezes}\n"
            f"Answered: {stats.answered}, accuracy: {accuracy}\n"
            f"Due for review: {stats.due}, never seen: {stats.unseen}"
        )
        for level, tally in stats.by_difficulty.items():
            if tally.answered:
                self.say(f"  {level}: {tally.correct}/{tally.answered}")
        self.choices = []

    async def _timezone(self, argument: str) -> None:
        if not argument:
            settings = await self.services.users.settings(CONSOLE_USER_ID)
            self.say(f"Your time zone is {settings.timezone}. Change it with /timezone NAME.")
            return
        try:
            zone = await self.services.users.set_timezone(CONSOLE_USER_ID, argument)
        except TutorError as exc:
            self.say(str(exc))
            return
        self.say(f"Time zone set to {zone}.")

    async def _export(self, _: str) -> None:
        export = await self.services.privacy.export(CONSOLE_USER_ID)
        if not holds_data(export):
            self.say("I don't store anything about you yet.")
            return
        data = to_json(export)
        path = await asyncio.to_thread(_save_export, data)
        self.say(f"Everything stored about you is in {path} ({len(data):,} bytes of JSON).")

    async def _forget(self, argument: str) -> None:
        # A terminal has no buttons: the confirmation is the word typed after the command.
        if argument.lower() != "yes":
            self.say(
                "This deletes your streak, answers, review schedule and settings for good. "
                "Type /forget yes to go ahead."
            )
            return
        counts = await self.services.privacy.forget(CONSOLE_USER_ID)
        # The learner keeps talking to the tutor: start them afresh (as Telegram does).
        await self.services.users.register(CONSOLE_USER_ID, private_chat=False)
        self.delivery = None
        self.choices = []
        self.say(f"Done: {sum(counts.values())} stored rows about you were deleted.")


def _save_export(data: bytes) -> Path:
    path = Path(EXPORT_FILE).resolve()
    path.write_bytes(data)
    return path


class _LineReader:
    """Lines from a blocking stream, read on a daemon thread.

    A daemon thread cannot keep the process alive: Ctrl-C ends the console at once instead of
    waiting for one more Enter, which a worker from asyncio.to_thread would.
    """

    def __init__(self, stream: TextIO) -> None:
        self._loop = asyncio.get_running_loop()
        self._lines: asyncio.Queue[str | None] = asyncio.Queue()
        threading.Thread(target=self._pump, args=(stream,), daemon=True).start()

    def _pump(self, stream: TextIO) -> None:
        try:
            for line in iter(stream.readline, ""):
                self._loop.call_soon_threadsafe(self._lines.put_nowait, line)
        finally:
            # End of input (or a closed loop at exit): tell the reader there is no more.
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._lines.put_nowait, None)

    async def next(self, out: TextIO) -> str | None:
        out.write("> ")
        out.flush()
        return await self._lines.get()


async def converse(
    pack: ContentPack,
    services: Services,
    stream: TextIO,
    out: TextIO,
    matcher: Matcher | None = None,
) -> None:
    """Run the conversation until end of input or /quit."""
    session = ConsoleSession(
        pack=pack, matcher=matcher or Matcher(pack), services=services, out=out
    )
    await services.users.register(CONSOLE_USER_ID, private_chat=False)
    session.say("MLOps vs DevOps tutor (offline). Ask a question, or type /help.")
    reader = _LineReader(stream)
    while (line := await reader.next(out)) is not None:
        try:
            if not await session.handle(line):
                return
        except TutorError as exc:
            session.say(f"Sorry, that didn't work: {exc}")
    session.say("")


def run_console(
    content_dir: Path | None = None,
    db_path: Path | str = "tutor.sqlite3",
    timezone: str = "UTC",
    stream: TextIO | None = None,
    out: TextIO | None = None,
) -> int:
    pack = load_content(content_dir)
    matcher = build_matcher(pack)

    async def main() -> None:
        async with await Services.open(db_path, pack, default_timezone=timezone) as services:
            await converse(pack, services, stream or sys.stdin, out or sys.stdout, matcher)

    asyncio.run(main())
    return 0
