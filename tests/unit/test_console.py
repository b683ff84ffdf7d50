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
from tests.support.content import shared_fused_matcher, shared_pack


def _chat(tmp_path: Path, *lines: str) -> str:
    out = io.StringIO()
    run_console(
        db_path=str(tmp_path / "console.db"),
        stream=io.StringIO("\n".join(lines) + "\n"),
        out=out,
        pack=shared_pack(),
        matcher=shared_fused_matcher(),
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
    """Back is always 1 and Next always 2, so a number never changes meaning between pages."""
    output = _chat(tmp_path, "/learn", "2", "2", "2", "1", "1", "1")
    # step 1 -> Next -> Next -> Back -> Back -> (no step before the first)
    assert output.count("Step 1 of 6") == 2
    assert output.count("Step 2 of 6") == 2
    assert output.count("Step 3 of 6") == 1
    assert "  1. Back\n  2. Next" in output
    first_page = output.split("Step 1 of 6")[1].split("Step 2 of 6")[0]
    assert "  2. Next" in first_page and "1. Back" not in first_page
    assert output.count("Pick 2.") == 1
    assert output.rindex("Step 1 of 6") < output.index("Pick 2.")


def test_walkthrough_checkpoint_is_answered_with_a_number(tmp_path: Path) -> None:
    """Step 2's checkpoint options follow Back and Next; a pick prints its verdict."""
    checkpoint = shared_pack().lessons.walkthrough[1].checkpoint
    assert checkpoint is not None
    key = next(i for i, o in enumerate(checkpoint.options) if o.correct)
    wrong = next(i for i, o in enumerate(checkpoint.options) if not o.correct)
    # /learn -> "Step by step" (2) -> Next (always 2) -> step 2: Back 1, Next 2, options from 3.
    right = _chat(tmp_path, "/learn", "2", "2", str(3 + key))
    assert f"{'ABCD'[key]} is right." in right and checkpoint.explanation in right
    miss = _chat(tmp_path, "/learn", "2", "2", str(3 + wrong))
    assert checkpoint.options[wrong].why in miss and checkpoint.explanation in miss


def test_quiz_answer_is_recorded_and_counts_for_stats(tmp_path: Path) -> None:
    """A quiz answered in the console is graded once and shows up in /stats afterwards."""
    output = _chat(tmp_path, "/quiz easy", "1", "/stats")
    assert re.search(r"Right! The answer is: |Not quite\. You chose: ", output)
    assert "Answered: 1" in output
    again = _chat(tmp_path, "/stats")
    assert "Answered: 1" in again, "progress survives a restart of the console"


def test_a_wrong_answer_says_why_the_chosen_option_is_wrong(tmp_path: Path) -> None:
    """After a wrong pick the console names it, gives its why, then the answer and explanation."""
    minipack = Path(__file__).parents[1] / "data" / "minipack"
    pack = load_content(minipack)
    matcher = Matcher(pack)
    question = pack.quiz["q-easy-drift"]
    whys = {o.text: o.why for o in question.options if not o.correct}
    for attempt in range(30):  # options are shuffled: option 1 is wrong two times in three
        out = io.StringIO()
        run_console(
            db_path=str(tmp_path / f"c{attempt}.db"),
            stream=io.StringIO("/quiz\n1\n"),
            out=out,
            pack=pack,
            matcher=matcher,
        )
        output = out.getvalue()
        if "Not quite" in output:
            break
    else:
        pytest.fail("option 1 was right 30 times in a row")
    chosen = re.search(r"Not quite\. You chose: (.+)", output)
    assert chosen is not None and chosen.group(1) in whys
    feedback = output.index(f"Why not: {whys[chosen.group(1)]}")
    assert feedback < output.index("The answer is: The live data changed")
    assert output.index("The answer is: ") < output.index(question.explanation)


def test_hint_then_answer(tmp_path: Path) -> None:
    """h shows the hint for the current question."""
    pack = shared_pack()
    output = _chat(tmp_path, "/quiz", "h", "1")
    assert any(f"Hint: {q.hint}" in output for q in pack.quiz.values())


@pytest.mark.parametrize(
    ("line", "reply"),
    [
        ("/quiz impossible", "couldn't tell which topic"),
        ("/timezone Mars/Olympus", "Unknown time zone"),
        ("/nonsense", "Type /help"),
        ("99", "no numbered choices on screen"),
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
    from bot.core.clock import FixedClock
    from bot.services import Services

    _chat(tmp_path, "/quiz easy", "1")

    async def at_risk() -> list[int]:
        pack = shared_pack()
        evening = FixedClock(datetime.now(UTC).replace(hour=22, minute=30))
        async with await Services.open(tmp_path / "console.db", pack, clock=evening) as services:
            return [r.user_id for r in await services.users.users_at_risk()]

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
    """/forget alone only explains, /forget no cancels, /forget yes deletes, and life goes on."""
    output = _chat(tmp_path, "/quiz easy", "1", "/forget", "/forget no", "/stats")
    assert "Type /forget yes" in output and "Answered: 1" in output
    assert "Nothing was deleted." in output
    output = _chat(tmp_path, "/forget yes", "/stats", "/quiz easy", "1", "/stats")
    assert "Done. I deleted everything I stored about you, including your 1 saved answer." in (
        output
    )
    assert output.index("Answered: 0") < output.index("Answered: 1")


def test_open_quiz_survives_a_question_in_between(tmp_path: Path) -> None:
    """Text typed while a quiz is open is a question; the quiz comes back and still takes 1."""
    output = _chat(tmp_path, "/quiz easy", "what is mlops", "1")
    first, after_question = output.split("Type the number of your answer", 1)
    question_line = next(line for line in first.splitlines() if "[easy · " in line)
    question_line = question_line.removeprefix("> ")
    assert "machine learning" in after_question.lower(), "the question got its answer"
    assert question_line in after_question, "the quiz was shown again after the answer"
    assert re.search(r"Right! The answer is: |Not quite\. You chose: ", after_question)
    assert "  - " in after_question, "follow-ups are listed without numbers while a quiz is open"


def test_a_new_learner_starts_easy_and_reads_human_wording(tmp_path: Path) -> None:
    """A brand-new learner's first plain /quiz is easy; the streak reads "1 day", not "day(s)"."""
    output = _chat(tmp_path, "/quiz", "1", "/stats")
    assert "[easy · " in output
    assert "Streak: 1 day (best: 1 day)." in output
    assert "day(s)" not in output


def test_end_of_input_and_ctrl_c_end_on_a_fresh_line(tmp_path: Path) -> None:
    """Ctrl-D (end of input) and Ctrl-C both finish the line and say goodbye, exit code 0."""

    class Interrupting(io.StringIO):
        def readline(self, size: int | None = -1) -> str:
            line = super().readline()
            if not line:
                raise KeyboardInterrupt
            return line

    for stream in (io.StringIO("what is mlops\n"), Interrupting("what is mlops\n")):
        out = io.StringIO()
        shared = {"pack": shared_pack(), "matcher": shared_fused_matcher()}
        assert run_console(db_path=str(tmp_path / "c.db"), stream=stream, out=out, **shared) == 0
        assert out.getvalue().endswith("> \nBye! Your progress is saved.\n")


def test_long_lines_wrap_at_word_boundaries() -> None:
    """Replies fit the terminal width without splitting words; list items keep their indent."""
    from bot.console import wrap

    text = "MLOps " * 30 + "\n  12. " + "pipeline " * 20
    wrapped = wrap(text.strip(), 40)
    lines = wrapped.splitlines()
    assert all(len(line) <= 40 for line in lines)
    assert set(" ".join(wrapped.split()).split()) == {"MLOps", "12.", "pipeline"}
    item = wrapped.index("  12. ")
    assert all(line.startswith("      pipeline") for line in wrapped[item:].splitlines()[1:])
    assert wrap(text, None) == text


def test_history_lives_beside_the_database_and_forget_removes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Line history is loaded from and saved to DB.history; /forget yes deletes it."""
    readline = pytest.importorskip("readline")
    from bot.console import LineInput, history_path

    history = history_path(tmp_path / "tutor.sqlite3")
    assert history == tmp_path / "tutor.sqlite3.history"
    history.write_text("what is drift\n", encoding="utf-8")
    typed = iter(["what is mlops"])

    def fake_input(prompt: str) -> str:
        line = next(typed, None)
        if line is None:
            raise EOFError
        readline.add_history(line)  # what GNU readline does for a line typed at a terminal
        return line

    monkeypatch.setattr("builtins.input", fake_input)
    readline.clear_history()
    lines = LineInput(io.StringIO(), io.StringIO(), history)
    assert readline.get_history_item(1) == "what is drift", "earlier history was loaded"
    assert lines.read() == "what is mlops"
    assert lines.read() is None
    lines.save()
    assert history.read_text(encoding="utf-8").split() == "what is drift what is mlops".split()
    assert history.stat().st_mode & 0o777 == 0o600, "typed questions are private to the learner"
    lines.forget()
    assert not history.exists() and readline.get_current_history_length() == 0


def test_piped_input_writes_no_history_file(tmp_path: Path) -> None:
    """Without a terminal there is no line editing, so no history file appears."""
    _chat(tmp_path, "what is mlops")
    assert not list(tmp_path.glob("*.history"))


def test_quiz_with_words_practises_that_topic_and_names_it(tmp_path: Path) -> None:
    """/quiz drift and a learner's own words for drift ask drift items, the topic named."""
    output = _chat(tmp_path, "/quiz drift", "1", "/quiz why does my model get worse over time")
    assert output.count("· Model and data drift]") == 2


def test_progress_prints_the_areas_the_weakest_and_practises_by_number(tmp_path: Path) -> None:
    pack = shared_pack()
    output = _chat(tmp_path, "/quiz drift", "1", "/progress", "1")
    assert "Your topics: 0 mastered, 0 solid, 1 learning" in output
    for area in {t.area for t in pack.topics.values()}:
        assert f"\n{area}\n" in output
    assert re.search(r"●○○ learning +Model and data drift", output)
    weakest = re.search(r"Weakest: (.+?) \(", output)
    assert weakest is not None
    # Choice 1 practises the first weakest topic: a quiz item of it comes next.
    after = output.split("Practise one:")[1]
    assert f"· {weakest.group(1)}]" in after


def test_an_answer_offers_test_me_as_a_numbered_choice(
    tmp_path: Path, fused_matcher: Matcher
) -> None:
    """After an answer, "Test me on this" is the choice after the related entries; picking it
    asks a quiz question of the answer's topic."""
    result = fused_matcher.match("what is model drift")
    assert result.entry is not None
    number = len(result.related) + 1
    output = _chat(tmp_path, "what is model drift", str(number))
    assert f"  {number}. Test me on this" in output
    quiz = output.split(f"  {number}. Test me on this", 1)[1]
    drift_questions = [q.question for q in shared_pack().quiz.values() if q.topic == "drift"]
    assert any(f"] {text}" in quiz for text in drift_questions)
    assert "Type the number of your answer" in quiz


def test_unanswered_questions_and_picks_go_to_the_gap_queue(
    tmp_path: Path, fused_matcher: Matcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fallback and a "did you mean" are kept for the authors (export shows them), with the
    suggestion the learner then picked; /forget yes deletes them."""
    monkeypatch.chdir(tmp_path)
    vague = "versioning"
    assert fused_matcher.match(vague).status == "suggest"
    picked = fused_matcher.match(vague).suggestions[1]
    _chat(tmp_path, "how do i bake sourdough bread", vague, "2", "/export")
    data = json.loads(Path(EXPORT_FILE).read_text(encoding="utf-8"))["data"]
    rows = data["unanswered_questions"]
    assert [(r["question"], r["outcome"], r["picked"]) for r in rows] == [
        ("how do i bake sourdough bread", "fallback", None),
        (vague, "suggest", picked.id),
    ]
    _chat(tmp_path, "/forget yes", "/export")
    data = json.loads(Path(EXPORT_FILE).read_text(encoding="utf-8"))["data"]
    assert data["unanswered_questions"] == []


def test_an_answer_says_which_question_it_answers(tmp_path: Path, fused_matcher: Matcher) -> None:
    """Like Telegram's bold title: a reply that opens "No." says what it is answering."""
    result = fused_matcher.match("what is model drift")
    assert result.entry is not None
    output = _chat(tmp_path, "what is model drift")
    title = f"» {result.entry.title}\n"
    assert title in output
    assert output.index(title) < output.index(result.reply[:40])


def test_list_style_numbers_pick_and_stray_numbers_are_not_questions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "2." picks choice 2 as "2" does; "-1" asks for a number on screen and is not kept for
    the authors as an unanswered question."""
    monkeypatch.chdir(tmp_path)
    output = _chat(tmp_path, "/quiz easy", "-1", "2.", "/export")
    assert "Pick 1, 2" in output
    assert "Right! The answer is:" in output or "Not quite. You chose:" in output
    data = json.loads(Path(EXPORT_FILE).read_text(encoding="utf-8"))["data"]
    assert data["unanswered_questions"] == []


def test_a_command_retires_the_numbers_shown_before_it(tmp_path: Path) -> None:
    """After an answer's numbered follow-ups, /forget's prompt is on screen: "1" must not open
    the old follow-up 1."""
    output = _chat(tmp_path, "what is mlops", "/forget", "1")
    assert "questions I could not answer" in output
    last_reply = output.rsplit("> ", 2)[1]
    assert last_reply.startswith("There are no numbered choices on screen right now.")


def test_progress_keeps_an_open_question_and_its_numbers(tmp_path: Path) -> None:
    """/progress during a quiz names the weakest topics without numbering them, shows the open
    question again, and "1" answers that question."""
    output = _chat(tmp_path, "/quiz easy", "/progress", "1")
    after_progress = output.split("Your topics:", 1)[1]
    assert "Practise one:" not in after_progress
    assert "/quiz with a topic's name" in after_progress
    assert "Type the number of your answer" in after_progress
    assert "Practise" not in after_progress.split("Type the number of your answer", 1)[1]


def test_a_follow_up_is_read_against_the_last_question(
    tmp_path: Path, fused_matcher: Matcher
) -> None:
    """As in Telegram: "and for ml?" after "what is devops" is answered as "what is mlops";
    after /forget yes there is no earlier question to follow."""
    mlops = fused_matcher.match("what is mlops").reply
    alone = fused_matcher.match("and for ml?").reply
    assert mlops != alone
    assert mlops in _chat(tmp_path, "what is devops", "and for ml?")
    (tmp_path / "again").mkdir()
    forgot = _chat(tmp_path / "again", "what is devops", "/forget yes", "and for ml?")
    assert forgot.rindex(alone) > forgot.rindex("Done. I deleted")
