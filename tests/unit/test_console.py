"""The offline console: the same answers as the matcher, lessons, and quizzes kept in SQLite."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from bot.console import EXPORT_FILE, run_console
from bot.core.content import load_content
from bot.core.matcher import Matcher


def _chat(tmp_path: Path, *lines: str) -> str:
    out = io.StringIO()
    run_console(
        db_path=str(tmp_path / "console.db"), stream=io.StringIO("\n".join(lines) + "\n"), out=out
    )
    return out.getvalue()


def test_free_text_gives_the_matcher_answer(tmp_path: Path, fused_matcher: Matcher) -> None:
    """A question typed in the console gets exactly the reply the matcher gives Telegram."""
    question = "why does my model get worse if nobody changed the code?"
    expected = fused_matcher.match(question).reply
    assert expected in _chat(tmp_path, question)


def test_numbered_suggestion_answers_it(tmp_path: Path, fused_matcher: Matcher) -> None:
    """Typing the number of a related entry shows that entry's answer."""
    matcher = fused_matcher
    result = matcher.match("what is model drift")
    assert result.related, "the drift answer offers related entries"
    follow_up = matcher.answer_entry(result.related[0].id)
    assert follow_up is not None
    assert follow_up.reply in _chat(tmp_path, "what is model drift", "1")


def test_walkthrough_pages_forward_and_back(tmp_path: Path) -> None:
    """The step-by-step lesson moves with Next and Back like the Telegram buttons."""
    output = _chat(tmp_path, "/learn", "2", "1", "1")  # step 1 -> Next -> Back
    assert output.count("Step 1 of 6") == 2
    assert "Step 2 of 6" in output


def test_quiz_answer_is_recorded_and_counts_for_stats(tmp_path: Path) -> None:
    """A quiz answered in the console is graded once and shows up in /stats afterwards."""
    output = _chat(tmp_path, "/quiz easy", "1", "/stats")
    assert re.search(r"(Right!|Not quite\.) The answer is: ", output)
    assert "Answered: 1" in output
    again = _chat(tmp_path, "/stats")
    assert "Answered: 1" in again, "progress survives a restart of the console"


def test_hint_then_answer(tmp_path: Path) -> None:
    """h shows the hint for the current question."""
    pack = load_content()
    output = _chat(tmp_path, "/quiz", "h", "1")
    assert any(f"Hint: {q.hint}" in output for q in pack.quiz.values())


@pytest.mark.parametrize(
    ("line", "reply"),
    [
        ("/quiz impossible", "Pick a level"),
        ("/timezone Mars/Olympus", "Unknown time zone"),
        ("/nonsense", "Type /help"),
        ("99", "I'm not sure"),
        ("²", "I'm not sure"),
        ("1" * 5000, "I'm not sure"),
        ("", "didn't catch"),
    ],
)
def test_bad_input_gets_a_friendly_reply(tmp_path: Path, line: str, reply: str) -> None:
    """Junk commands, bad arguments and stray numbers get a clear answer, never a traceback."""
    output = _chat(tmp_path, line)
    assert reply in output
    assert "Traceback" not in output


def test_console_learner_is_not_a_private_telegram_chat(tmp_path: Path) -> None:
    """Console progress never makes the Telegram bot send that learner a streak reminder."""
    import asyncio
    from datetime import UTC, datetime

    from bot.console import CONSOLE_USER_ID
    from bot.services import Services

    _chat(tmp_path, "/quiz easy", "1")

    async def at_risk() -> list[int]:
        pack = load_content()
        async with await Services.open(tmp_path / "console.db", pack) as services:
            evening = datetime.now(UTC).replace(hour=22, minute=30)
            return [r.user_id for r in await services.users.users_at_risk(evening)]

    assert CONSOLE_USER_ID not in asyncio.run(at_risk())


def test_quit_ends_the_conversation(tmp_path: Path) -> None:
    """/quit stops reading, so later lines are not answered."""
    output = _chat(tmp_path, "/quit", "what is drift")
    assert "Bye!" in output
    assert "Drift" not in output.split("Bye!")[1]


def test_export_writes_the_learners_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """/export saves the console learner's answers as JSON in the working directory."""
    monkeypatch.chdir(tmp_path)
    output = _chat(tmp_path, "/quiz easy", "1", "/export")
    path = tmp_path / EXPORT_FILE
    assert str(path) in output
    data = json.loads(path.read_text(encoding="utf-8"))["data"]
    assert len(data["answers"]) == 1


def test_forget_asks_first_then_deletes(tmp_path: Path) -> None:
    """/forget alone only explains; /forget yes deletes the answers, and the learner can go on."""
    output = _chat(tmp_path, "/quiz easy", "1", "/forget", "/stats")
    assert "Type /forget yes" in output and "Answered: 1" in output
    output = _chat(tmp_path, "/forget yes", "/stats", "/quiz easy", "1", "/stats")
    assert re.search(r"Done: \d+ stored rows about you were deleted\.", output)
    assert output.index("Answered: 0") < output.index("Answered: 1")
