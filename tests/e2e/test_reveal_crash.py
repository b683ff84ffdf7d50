"""kill -9 between closing a group round and telling the group, then a restart: the reveal is
shown (the question loses its buttons), and a finished quiz still gets its final table.

The real `tutor-bot run` process is killed while the closing edit of the question waits in the
emulator (`hold`), i.e. after the round was closed in the database and before Telegram saw
anything; a held call whose client died is never carried out.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.emulator import BotApiEmulator, BotMessage
from tests.support.processes import bot_env, bot_process, stop

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

GROUP = -1007007


def group_texts(emu: BotApiEmulator) -> list[str]:
    return [m.plain_text for m in emu.bot_messages(GROUP)]


async def first_message(emu: BotApiEmulator, prefix: str) -> BotMessage:
    return await emu.wait_for(
        lambda: next(
            (m for m in emu.bot_messages(GROUP) if m.plain_text.startswith(prefix)), None
        ),
        timeout=60,
    )


def round_state(db: Path) -> list[tuple[int, bool, bool]]:
    """(number, closed, revealed) of every round, as the database file says."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT number, closed_at IS NOT NULL, revealed_at IS NOT NULL FROM group_rounds"
            " ORDER BY number"
        ).fetchall()
    return [(number, bool(closed), bool(revealed)) for number, closed, revealed in rows]


async def kill_after_the_close(emu: BotApiEmulator, tmp_path: Path, questions: int) -> BotMessage:
    """Start a quiz of `questions` 10-second rounds, answer the first, and kill the bot once
    the first round is closed in the database but before the group was told; the question."""
    alice = emu.user(101, "Alice")
    group = emu.group(GROUP, "Crash quiz", admins=[alice])
    env = bot_env(emu, tmp_path, LOG_LEVEL="INFO")
    async with bot_process(env, tmp_path) as first:
        await emu.wait_until_polling(timeout=60)
        emu.send_text(alice, group, f"/groupquiz {questions} 10")
        question = await first_message(emu, "Question 1 of")
        emu.press(alice, question, emu.buttons(question)[0][0])
        await emu.wait_for(lambda: "1 answered" in current(emu, question).plain_text)
        emu.hold("editMessageText")  # the closing edit, the first thing after the close
        await emu.wait_for(lambda: emu.held_calls(), timeout=30)
        first.kill()
        await first.wait()
    emu.release()
    assert round_state(tmp_path / "tutor.sqlite3")[0] == (1, True, False)
    assert not any(t.startswith("Answer to question 1") for t in group_texts(emu))
    assert emu.buttons(current(emu, question))  # still answerable on screen
    return question


def current(emu: BotApiEmulator, message: BotMessage) -> BotMessage:
    return next(m for m in emu.bot_messages(GROUP) if m.message_id == message.message_id)


async def test_a_reveal_lost_to_a_crash_is_shown_after_the_restart(
    emu: BotApiEmulator, tmp_path: Path
) -> None:
    """Killed between closing round 1 of 2 and revealing it: after the restart the reveal is
    posted, the question's buttons are gone, and only then does question 2 come."""
    question = await kill_after_the_close(emu, tmp_path, 2)
    async with bot_process(bot_env(emu, tmp_path, LOG_LEVEL="INFO"), tmp_path) as second:
        await first_message(emu, "Answer to question 1 of 2")
        await first_message(emu, "Question 2 of 2")
        closed = current(emu, question)
        code, output = await stop(second)
    assert code == 0, output
    assert not emu.buttons(closed)
    assert "Closed · 1 answered" in closed.plain_text
    texts = group_texts(emu)
    reveal = next(i for i, t in enumerate(texts) if t.startswith("Answer to question 1 of 2"))
    following = next(i for i, t in enumerate(texts) if t.startswith("Question 2 of 2"))
    assert reveal < following
    assert sum(t.startswith("Answer to question 1 of 2") for t in texts) == 1
    assert "Alice" in texts[reveal]
    assert round_state(tmp_path / "tutor.sqlite3")[0] == (1, True, True)


async def test_a_crash_in_the_last_round_still_ends_with_the_reveal_and_the_table(
    emu: BotApiEmulator, tmp_path: Path
) -> None:
    """Killed between closing the only round and revealing it: after the restart the reveal
    and the final standings are posted once each, and a second restart posts nothing more."""
    question = await kill_after_the_close(emu, tmp_path, 1)
    env = bot_env(emu, tmp_path, LOG_LEVEL="INFO")
    async with bot_process(env, tmp_path) as second:
        await first_message(emu, "Answer to question 1 of 1")
        await first_message(emu, "🏁 Final standings")
        code, output = await stop(second)
    assert code == 0, output
    assert not emu.buttons(current(emu, question))
    shown = len(emu.bot_messages(GROUP))
    since = len(emu.calls)
    async with bot_process(env, tmp_path) as third:
        # Started (signal handlers in place, resume done) once it polls.
        await emu.wait_for(
            lambda: any(c.method == "getUpdates" for c in emu.calls[since:]), timeout=60
        )
        await emu.wait_quiet(quiet=1)
        code, output = await stop(third)
    assert code == 0, output
    texts = group_texts(emu)
    assert len(texts) == shown
    assert sum(t.startswith("Answer to question 1 of 1") for t in texts) == 1
    assert sum(t.startswith("🏁 Final standings") for t in texts) == 1
    assert "Alice" in texts[-1]
