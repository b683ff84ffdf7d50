"""The offline console (`tutor-bot chat`): the tutor in a terminal, over the same core and storage.

It is a second adapter beside Telegram: free text goes to the same matcher, lessons come from the
same pages, and quizzes go through the same services and SQLite file (the console's learner has
its own id there, so its streak and /stats are its own). Buttons become numbered choices.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import shutil
import sys
import textwrap
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TextIO

from bot.core import lessons
from bot.core.content import DIFFICULTIES, ContentPack, load_content
from bot.core.followup import follow_up
from bot.core.mastery import Level
from bot.core.matcher import Matcher, MatchResult
from bot.core.practice import pick_topic, quizzable
from bot.errors import TutorError
from bot.model import build_matcher
from bot.services import AnswerStatus, Delivery, Outcome, Services
from bot.services.privacy import holds_data, to_json
from bot.storage import failures_as_storage_errors

__all__ = [
    "CONSOLE_USER_ID",
    "EXPORT_FILE",
    "HELP_TEXT",
    "HISTORY_SUFFIX",
    "PROMPT",
    "TEST_ME_LABEL",
    "TEST_ME_NOTHING",
    "ConsoleSession",
    "LineInput",
    "converse",
    "history_path",
    "plural",
    "run_console",
    "wrap",
]

# The console is one person at one keyboard, in a conversation of their own (its chat id is
# theirs). Telegram never uses id 0 for a user, and the console never tells the services its chat
# is a private Telegram chat, so the bot never sends it streak reminders.
CONSOLE_USER_ID = 0
# /export writes here, in the working directory.
EXPORT_FILE = "tutor-data-console.json"
# Numbered choices never run past this many digits; longer "numbers" are treated as text.
_MAX_CHOICE_DIGITS = 3
# The walk-through's navigation keeps its numbers on every page, so pressing 2 always goes on.
_BACK, _NEXT = 1, 2
# Line editing history, kept beside the database (it holds the learner's questions).
HISTORY_SUFFIX = ".history"
_HISTORY_LENGTH = 1000
PROMPT = "> "
# The matcher reads only the start of a message; so do the words after /quiz.
_MAX_TOPIC_WORDS = 200
_CHOICE = re.compile(rf"(-?)([0-9]{{1,{_MAX_CHOICE_DIGITS}}})[.)]?")

TEST_ME_LABEL = "Test me on this"
TEST_ME_NOTHING = "You have just seen this topic's questions. Type /quiz for another one."

HELP_TEXT = """\
I teach the difference between DevOps and MLOps. Type a question in your own words, or:
  /learn            lessons: pipelines, step by step (with checkpoints), compare, incidents...
  /quiz             a question picked for you: due reviews, then your weakest topic
  /quiz easy|medium|hard     a question of that level (answer with its number, h for a hint)
  /quiz WORDS       practise the topic those words are about, e.g. /quiz drift
  /progress         your topics by mastery, and the weakest to practise
  /stats            your streak, accuracy and questions due
  /timezone NAME    your time zone for streaks, e.g. Europe/Berlin
  /export           save everything stored about you to a JSON file here
  /forget           delete everything stored about you (asks first)
  /help             this text
  /quit             leave (Ctrl-D works too)
When I list numbered choices, type a number to pick one; anything else is a question.
An answer offers "Test me on this": a quiz question on the same topic.
A quiz stays open while you ask questions in between."""


@dataclass
class _Choice:
    """What a bare number typed next means: the numbered choices on screen right now."""

    label: str
    action: Callable[[], Awaitable[None]]


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """ "1 day", "3 days": counts read as words, not as "day(s)"."""
    return f"{count} {singular if count == 1 else (plural_form or singular + 's')}"


def wrap(text: str, width: int | None) -> str:
    """Fit each line of `text` to `width` columns without breaking words.

    A numbered or indented line keeps its indent on the lines it wraps onto, so lists stay
    readable; `None` (output that is not a terminal) leaves the text as it is.
    """
    if width is None:
        return text
    out: list[str] = []
    for line in text.split("\n"):
        if len(line) <= width:
            out.append(line)
            continue
        stripped = line.lstrip(" ")
        marker = stripped.split(" ", 1)[0]
        hang = len(line) - len(stripped)
        if marker.endswith(".") and marker[:-1].isdecimal():
            hang += len(marker) + 1
        out.append(
            textwrap.fill(
                line,
                width=width,
                subsequent_indent=" " * min(hang, width // 2),
                break_long_words=False,
                break_on_hyphens=False,
            )
        )
    return "\n".join(out)


@dataclass
class ConsoleSession:
    pack: ContentPack
    matcher: Matcher
    services: Services
    out: TextIO
    # Columns to wrap replies to; None when the output is not a terminal.
    width: int | None = None
    choices: dict[int, _Choice] = field(default_factory=dict)
    delivery: Delivery | None = None
    hinted: bool = False
    walk_index: int = 0
    difficulty: str | None = None
    # Called after /forget yes, so the line history (it holds typed questions) goes as well.
    on_forget: Callable[[], None] | None = None
    _offered: bool = False
    # The last question answered, for a follow-up such as "and for ml?" (bot.core.followup).
    _last_question: str | None = None

    def say(self, text: str = "") -> None:
        self.out.write(wrap(text, self.width) + "\n")
        self.out.flush()

    def offer(self, choices: Iterable[_Choice] | dict[int, _Choice]) -> None:
        numbered = choices if isinstance(choices, dict) else dict(enumerate(choices, 1))
        self.choices = numbered
        self._offered = True
        for number, choice in sorted(numbered.items()):
            self.say(f"  {number}. {choice.label}")

    def clear_choices(self) -> None:
        self.choices = {}

    # --- dispatch ---------------------------------------------------------------------------

    async def handle(self, line: str) -> bool:
        """React to one line; False means the learner wants to leave."""
        text = line.strip()
        if text.lower() in {"/quit", "/exit", "quit", "exit"}:
            self.say("Bye! Your progress is saved.")
            return False
        self._offered = False
        number = _CHOICE.fullmatch(text)
        if number is not None:
            # "1." and "1)" are how people type a list item; "-1" is a choice that is not there.
            await self._pick(int(number.group(2)) * (-1 if number.group(1) else 1))
            return True
        if self.delivery is not None and text.lower() in {"h", "hint", "/hint"}:
            await self._hint()
        elif text.startswith("/"):
            await self._command(text)
        else:
            await self._answer_text(text)
        # Whatever was asked in between, an unanswered quiz question comes back on screen.
        if self.delivery is not None and not self._offered:
            self._show_quiz(self.delivery)
        return True

    async def _pick(self, number: int) -> None:
        if not self.choices:
            self.say(
                "There are no numbered choices on screen right now. "
                "Ask a question in words, or type /help."
            )
            return
        choice = self.choices.get(number)
        if choice is None:
            numbers = sorted(self.choices)
            listed = ", ".join(str(n) for n in numbers[:-1])
            shown = f"{listed} or {numbers[-1]}" if listed else str(numbers[0])
            self.say(f"Pick {shown}.")
            return
        await choice.action()

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
            "/progress": self._progress,
            "/timezone": self._timezone,
            "/daily": self._daily,
            "/export": self._export,
            "/forget": self._forget,
        }
        handler = handlers.get(command)
        # Numbers offered before a command belong to what was on screen then; a command shows
        # its own (an open quiz is offered again after it).
        self.clear_choices()
        if handler is None:
            self.say("I don't know that command. Type /help to see what I can do.")
            return
        await handler(argument)

    # --- free text --------------------------------------------------------------------------

    async def _answer_text(self, text: str) -> None:
        question = follow_up(self._last_question, text, self.matcher.text.words) or text
        result = self.matcher.match(question)
        if result.status == "answer":
            self._last_question = question
        await self._show(result)

    async def _show(self, result: MatchResult) -> None:
        """Show a verdict after the ask service has kept what it keeps (a question the content
        could not answer goes to the authors' gap queue, as in Telegram)."""
        follow = await self.services.ask.follow_up(CONSOLE_USER_ID, result, chat="private")
        self.show_result(result, gap_id=follow.gap_id, practise_topic=follow.practise_topic)

    def show_result(
        self, result: MatchResult, *, gap_id: int | None = None, practise_topic: str | None = None
    ) -> None:
        """`gap_id`: the stored "did you mean" (picking a suggestion is recorded on it);
        `practise_topic`: the topic an answer offers "Test me on this" for."""
        if result.status == "answer" and result.entry is not None:
            # Which question is answered, as Telegram's bold title says: a reply that starts
            # "No." must say to what, and a learner spots a wrong match at once.
            self.say(f"» {result.entry.title}")
        self.say(result.reply)
        if result.status == "suggest":
            entries = [
                self._entry_choice(entry.id, entry.title, gap_id=gap_id)
                for entry in result.suggestions
            ]
        elif result.status == "answer" and result.related:
            self.say("Related:")
            entries = [self._entry_choice(entry.id, entry.title) for entry in result.related]
        elif result.fallback_topics:
            entries = [self._topic_choice(t.id, t.title) for t in result.fallback_topics]
        else:
            entries = []
        if practise_topic is not None and self.delivery is None:
            entries.append(_Choice(TEST_ME_LABEL, self._test_me(practise_topic)))
        if self.delivery is not None:
            # The open quiz keeps the numbers; the follow-ups are listed to be asked in words.
            for choice in entries:
                self.say(f"  - {choice.label}")
            return
        if entries:
            self.offer(entries)
        else:
            self.clear_choices()

    def _entry_choice(self, entry_id: str, title: str, *, gap_id: int | None = None) -> _Choice:
        async def show() -> None:
            if gap_id is not None:
                await self.services.ask.picked(gap_id, CONSOLE_USER_ID, entry_id)
            result = self.matcher.answer_entry(entry_id)
            if result is not None:
                await self._show(result)

        return _Choice(title, show)

    def _topic_choice(self, topic_id: str, title: str) -> _Choice:
        return self._result_choice(title, lambda: self.matcher.topic_entry(topic_id))

    def _result_choice(self, title: str, lookup: Callable[[], MatchResult | None]) -> _Choice:
        async def show() -> None:
            result = lookup()
            if result is not None:
                await self._show(result)

        return _Choice(title, show)

    def _test_me(self, topic: str) -> Callable[[], Awaitable[None]]:
        async def test_me() -> None:
            delivery = await self.services.quiz.next_question(
                CONSOLE_USER_ID, CONSOLE_USER_ID, private=False, topic=topic
            )
            if delivery is None:
                self.say(TEST_ME_NOTHING)
                self.clear_choices()
                return
            self.delivery, self.hinted, self.difficulty = delivery, False, None
            self._show_quiz(delivery)

        return test_me

    # --- commands ---------------------------------------------------------------------------

    async def _start(self, _: str) -> None:
        self.say("Hi! I'm your MLOps vs DevOps tutor.")
        await self._help("")

    async def _help(self, _: str) -> None:
        self.say(HELP_TEXT)

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
                self.clear_choices()

        return show

    def _aspect(self, row_id: str) -> Callable[[], Awaitable[None]]:
        async def show() -> None:
            self.say(lessons.aspect_text(self.pack, row_id))

        return show

    async def _walk(self, index: int) -> None:
        page = lessons.walkthrough_page(self.pack, index)
        self.walk_index = page.index
        self.say(page.text)
        nav: dict[int, _Choice] = {}
        if not page.is_first:
            nav[_BACK] = _Choice("Back", lambda: self._walk(page.index - 1))
        if not page.is_last:
            nav[_NEXT] = _Choice("Next", lambda: self._walk(page.index + 1))
        if page.checkpoint is not None:
            # Answers take the numbers after Back/Next, so those two never change meaning.
            for i in range(len(page.checkpoint.options)):
                nav[_NEXT + 1 + i] = _Choice(
                    f"Answer {lessons.OPTION_LETTERS[i]}", self._check(page.index, i)
                )
        self.offer(nav)

    def _check(self, index: int, option: int) -> Callable[[], Awaitable[None]]:
        async def check() -> None:
            page = lessons.walkthrough_page(self.pack, index)
            verdict = lessons.checkpoint_verdict(self.pack, index, option)
            # The page itself is already on screen: print only the verdict under it.
            self.say(verdict[len(page.text) :].strip())
            nav: list[_Choice] = []
            if not page.is_first:
                nav.append(_Choice("Back", lambda: self._walk(index - 1)))
            if not page.is_last:
                nav.append(_Choice("Next", lambda: self._walk(index + 1)))
            self.offer(nav)

        return check

    async def _quiz(self, argument: str) -> None:
        words = argument.strip()
        difficulty = words.lower() or None
        if difficulty is not None and difficulty not in DIFFICULTIES:
            await self._quiz_words(words)
            return
        delivery = await self.services.quiz.next_question(
            CONSOLE_USER_ID, CONSOLE_USER_ID, difficulty, private=False
        )
        if delivery is None:
            self.say("No question fits right now. Try another level.")
            return
        self.delivery, self.hinted, self.difficulty = delivery, False, difficulty
        self._show_quiz(delivery)

    async def _quiz_words(self, words: str) -> None:
        """/quiz WORDS: the topic the matcher finds in them (as free text would)."""
        pick = pick_topic(words[:_MAX_TOPIC_WORDS], self.pack, self.matcher)
        if pick.topic is None:
            if pick.choices:
                self.say("Which topic do you want to practise?")
                self.offer([_Choice(t.title, self._practise(t.id)) for t in pick.choices])
                return
            self.say(
                f'I couldn\'t tell which topic "{words[:80]}" is about. Try a topic such as '
                "/quiz drift, a level (/quiz easy, /quiz medium, /quiz hard), or /progress to "
                "practise one of your weakest topics."
            )
            return
        if not quizzable(self.pack, pick.topic.id):
            self.say(
                f'"{pick.topic.title}" has no quiz questions yet. Type /progress to pick '
                "another topic, or /quiz for a question I choose."
            )
            return
        await self._practise(pick.topic.id)()

    def _practise(self, topic_id: str) -> Callable[[], Awaitable[None]]:
        async def practise() -> None:
            delivery = await self.services.quiz.next_question(
                CONSOLE_USER_ID, CONSOLE_USER_ID, private=False, topic=topic_id
            )
            if delivery is None:
                self.say("No new question of that topic right now. Answer the one above first.")
                return
            self.delivery, self.hinted = delivery, False
            self._show_quiz(delivery)

        return practise

    async def _progress(self, _: str) -> None:
        progress = await self.services.progress.progress(CONSOLE_USER_ID)
        counts = progress.counts
        self.say(
            "Your topics: "
            + ", ".join(f"{counts[level]} {level.label}" for level in reversed(Level))
        )
        for area in progress.areas:
            self.say(area.area)
            for topic in area.topics:
                pips = "●" * int(topic.level) + "○" * (3 - int(topic.level))
                self.say(f"  {pips} {topic.level.label:<11} {topic.title}")
        weakest = progress.weakest[:2]
        if not weakest:
            self.clear_choices()
            return
        names = " and ".join(f"{t.title} ({t.level.label})" for t in weakest)
        lead = "Nothing practised yet; start with" if not progress.started else "Weakest:"
        if self.delivery is not None:
            # The open question keeps the numbers (it is shown again below).
            self.say(
                f"{lead} {names}. After this question, /quiz with a topic's name practises it."
            )
            return
        self.say(f"{lead} {names}. Practise one:")
        self.offer([_Choice(t.title, self._practise(t.topic_id)) for t in weakest])

    def _show_quiz(self, delivery: Delivery) -> None:
        question = delivery.question
        topic = f" · {delivery.topic_title}" if delivery.topic_title else ""
        self.say(f"[{question.difficulty}{topic}] {question.question}")
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
                delivery.id, CONSOLE_USER_ID, position, hinted=self.hinted, private=False
            )
            self.delivery = None
            if result.status is AnswerStatus.ACCEPTED and result.outcome is not None:
                self._show_outcome(result.outcome)
                return
            if result.status is AnswerStatus.ALREADY_ANSWERED:
                self.say("That question was already answered. Type /quiz for a new one.")
            else:
                self.say("That question is no longer available. Type /quiz for a new one.")
            self.clear_choices()

        return choose

    async def _hint(self) -> None:
        if self.delivery is None:
            return
        result = await self.services.quiz.use_hint(self.delivery.id, CONSOLE_USER_ID)
        if result.hint:
            self.hinted = True
            self.say(f"Hint: {result.hint}")

    def _show_outcome(self, outcome: Outcome) -> None:
        if outcome.correct:
            self.say(f"Right! The answer is: {outcome.correct_text}")
        else:
            self.say(f"Not quite. You chose: {outcome.chosen_text}")
            if outcome.wrong_why:
                self.say(f"Why not: {outcome.wrong_why}")
            self.say(f"The answer is: {outcome.correct_text}")
        self.say(outcome.explanation)
        streak = outcome.streak
        self.say(f"Streak: {plural(streak.current, 'day')} (best: {plural(streak.best, 'day')}).")
        choices = [_Choice("Next question", lambda: self._quiz(self.difficulty or ""))]
        if outcome.why_id is not None:
            choices.append(self._entry_choice(outcome.why_id, "Why?"))
        self.offer(choices)

    async def _stats(self, _: str) -> None:
        stats = await self.services.stats.stats(CONSOLE_USER_ID)
        accuracy = "n/a" if stats.accuracy is None else f"{stats.accuracy:.0%}"
        self.say(
            f"Streak: {plural(stats.streak.current, 'day')} "
            f"(best: {plural(stats.streak.best, 'day')}), "
            f"freezes: {stats.streak.freezes}\n"
            f"Answered: {stats.answered}, accuracy: {accuracy}\n"
            f"Due for review: {stats.due}, never seen: {stats.unseen}"
        )
        for level, tally in stats.by_difficulty.items():
            if tally.answered:
                self.say(f"  {level}: {tally.correct}/{tally.answered}")

    async def _timezone(self, argument: str) -> None:
        if not argument:
            settings = await self.services.users.settings(CONSOLE_USER_ID)
            self.say(f"Your time zone is {settings.timezone}. Change it with /timezone NAME.")
            return
        try:
            zone = (await self.services.users.set_timezone(CONSOLE_USER_ID, argument)).timezone
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
        try:
            path = await asyncio.to_thread(_save_export, data)
        except OSError as exc:
            self.say(f"Could not write {EXPORT_FILE}: {exc.strerror or exc}.")
            return
        self.say(f"Everything stored about you is in {path} ({len(data):,} bytes of JSON).")

    async def _forget(self, argument: str) -> None:
        # A terminal has no buttons: the confirmation is the word typed after the command.
        answer = argument.lower()
        if answer in {"no", "n", "cancel"}:
            self.say("Nothing was deleted.")
            return
        if answer not in {"yes", "y"}:
            self.say(
                "This deletes your streak, answers, review schedule, settings and the questions "
                "I could not answer for good. "
                "Type /forget yes to go ahead, or /forget no to keep them."
            )
            return
        counts = await self.services.privacy.forget(CONSOLE_USER_ID)
        # The learner keeps talking to the tutor: start them afresh (as Telegram does).
        await self.services.users.register(CONSOLE_USER_ID, private_chat=False)
        self.delivery = None
        self._last_question = None
        self.clear_choices()
        if self.on_forget is not None:
            self.on_forget()
        answers = counts.answers
        kept = f", including your {plural(answers, 'saved answer')}" if answers else ""
        self.say(f"Done. I deleted everything I stored about you{kept}.")


def _save_export(data: bytes) -> Path:
    path = Path(EXPORT_FILE).resolve()
    path.write_bytes(data)
    return path


class LineInput:
    """Where the console's lines come from: a terminal with line editing, or a plain stream.

    On a terminal, `input()` goes through GNU readline (arrow keys, Ctrl-R, history kept in a
    file beside the database). Piped input is read as it is, with no history file written.
    """

    def __init__(self, stream: TextIO, out: TextIO, history: Path | None = None) -> None:
        self._stream, self._out = stream, out
        self._readline = _readline_module() if history is not None else None
        self._history = history if self._readline is not None else None
        if self._readline is not None and self._history is not None:
            self._readline.set_history_length(_HISTORY_LENGTH)
            with contextlib.suppress(OSError):
                self._readline.read_history_file(self._history)

    def read(self) -> str | None:
        """The next line, or None at end of input (Ctrl-D)."""
        if self._readline is not None:
            try:
                return input(PROMPT)
            except EOFError:
                return None
        self._out.write(PROMPT)
        self._out.flush()
        line = self._stream.readline()
        return line if line else None

    def save(self) -> None:
        if self._readline is not None and self._history is not None:
            with contextlib.suppress(OSError):
                self._readline.write_history_file(self._history)
                # It holds the learner's typed questions: readable by them only.
                self._history.chmod(0o600)

    def forget(self) -> None:
        """Drop the typed history, in memory and on disk (/forget)."""
        if self._readline is not None:
            self._readline.clear_history()
        if self._history is not None:
            self._history.unlink(missing_ok=True)


def _readline_module() -> ModuleType | None:
    try:
        import readline
    except ImportError:  # Windows without pyreadline: plain input still works
        return None
    return readline


def history_path(db_path: Path | str) -> Path:
    return Path(f"{db_path}{HISTORY_SUFFIX}")


def converse(
    runner: asyncio.Runner,
    pack: ContentPack,
    services: Services,
    lines: LineInput,
    out: TextIO,
    width: int | None = None,
    matcher: Matcher | None = None,
) -> None:
    """Run the conversation until end of input, /quit or Ctrl-C.

    Lines are read on the main thread, between steps of the event loop, so Ctrl-C interrupts
    the read itself and readline can put the terminal back the way it found it.
    """
    session = ConsoleSession(
        pack=pack,
        matcher=matcher or Matcher(pack),
        services=services,
        out=out,
        width=width,
        on_forget=lines.forget,
    )
    runner.run(services.users.register(CONSOLE_USER_ID, private_chat=False))
    session.say("MLOps vs DevOps tutor (offline). Ask a question, or type /help.")
    try:
        while (line := lines.read()) is not None:
            try:
                if not runner.run(session.handle(line)):
                    return
            except TutorError as exc:
                session.say(f"Sorry, that didn't work: {exc}")
        # Ctrl-D: the shell prompt must not start on the line of ours.
        session.say("")
        session.say("Bye! Your progress is saved.")
    except KeyboardInterrupt:
        session.say("")
        session.say("Bye! Your progress is saved.")
    finally:
        lines.save()


def run_console(
    content_dir: Path | None = None,
    db_path: Path | str = "tutor.sqlite3",
    timezone: str = "UTC",
    stream: TextIO | None = None,
    out: TextIO | None = None,
    *,
    pack: ContentPack | None = None,
    matcher: Matcher | None = None,
) -> int:
    """Talk to the learner until end of input. A given ``pack`` and ``matcher`` are used instead
    of loading the pack from ``content_dir`` and building the matcher (tests share one of each)."""
    pack = pack if pack is not None else load_content(content_dir)
    stream = stream or sys.stdin
    out = out or sys.stdout
    interactive = stream is sys.stdin and stream.isatty() and out is sys.stdout
    lines = LineInput(stream, out, history_path(db_path) if interactive else None)
    width = _terminal_width() if out.isatty() else None
    matcher = matcher if matcher is not None else build_matcher(pack)
    # A failure after opening (disk full, file locked or made read-only meanwhile) is one line.
    with failures_as_storage_errors(db_path), asyncio.Runner() as runner:
        services = runner.run(Services.open(db_path, pack, default_timezone=timezone))
        try:
            converse(runner, pack, services, lines, out, width, matcher)
        finally:
            runner.run(services.close())
    return 0


def _terminal_width() -> int:
    # One column spare: some terminals wrap a line that fills the last column exactly.
    return max(20, min(shutil.get_terminal_size().columns - 1, 100))
