"""The tutor-bot command: the names and fields other tools rely on."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.core.matcher import MatchResult
from bot.storage.db import Database
from tests.support.storage import services_at

MINIPACK = Path(__file__).parents[1] / "data" / "minipack"


def test_ask_json_has_the_promised_fields(capsys: pytest.CaptureFixture[str]) -> None:
    """`ask --json` prints question, status, entry_id, score, answer and suggestions."""
    assert main(["ask", "--json", "what is model drift?"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) == {"question", "status", "entry_id", "score", "answer", "suggestions"}
    assert result["status"] == "answer" and result["entry_id"]
    assert 0 <= result["score"] <= 100
    assert "<" not in result["answer"], "the answer is plain text"


def test_ask_jsonl_answers_one_line_per_question(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batch mode reads questions from stdin and writes one JSON object per line, in order."""
    import io

    questions = ["what is mlops", "how do i bake bread", "", "hello"]
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(questions) + "\n"))
    assert main(["ask", "--jsonl"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line)["question"] for line in lines] == questions
    statuses = [json.loads(line)["status"] for line in lines]
    assert statuses[0] == "answer" and statuses[1:] == ["fallback"] * 3


def test_suggest_lists_suggestions(capsys: pytest.CaptureFixture[str]) -> None:
    """A vague question prints 'did you mean' suggestions with ids and titles."""
    assert main(["ask", "--json", "versioning"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["status"] == "suggest"
    assert 1 <= len(result["suggestions"]) <= 3
    assert all(set(s) == {"entry_id", "title"} for s in result["suggestions"])


def test_content_check_reports_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A broken pack exits 1 and names the file and line of the problem."""
    broken = tmp_path / "minipack"
    shutil.copytree(MINIPACK, broken)
    quiz = broken / "quiz" / "basics.yaml"
    quiz.write_text(quiz.read_text().replace("difficulty: easy", "difficulty: extreme"))
    assert main(["content", "check", str(broken)]) == 1
    assert "minipack/quiz/basics.yaml:4: questions.0.difficulty" in capsys.readouterr().err


def test_content_check_passes_the_real_pack(capsys: pytest.CaptureFixture[str]) -> None:
    """The bundled pack checks clean."""
    assert main(["content", "check"]) == 0
    assert capsys.readouterr().out.startswith("content OK")


def test_content_export_lists_every_answerable_entry(capsys: pytest.CaptureFixture[str]) -> None:
    """Export prints id, kind, title, questions and answer for every entry."""
    assert main(["content", "export"]) == 0
    items = json.loads(capsys.readouterr().out)
    assert len(items) >= 100
    assert {tuple(sorted(item)) for item in items} == {
        ("answer", "id", "kind", "questions", "title")
    }
    assert {item["kind"] for item in items} == {"faq", "comparison", "glossary"}


def _tutor_bot(
    tmp_path: Path, *args: str, stdin: str = "", **settings: str
) -> subprocess.CompletedProcess[str]:
    """Run `python -m bot ARGS` in `tmp_path` with no token and its own database file."""
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    env["TUTOR_DB_PATH"] = str(tmp_path / "t.db")
    env.update(settings)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_run_without_a_token_exits_2_with_one_line(tmp_path: Path) -> None:
    """`tutor-bot run` with no token says so in one line and exits with code 2."""
    done = _tutor_bot(tmp_path, "run")
    assert done.returncode == 2
    assert "TELEGRAM_BOT_TOKEN" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_no_command_without_token_starts_the_console(tmp_path: Path) -> None:
    """Plain `tutor-bot` with no token opens the offline console and answers from stdin."""
    done = _tutor_bot(tmp_path, stdin="what is mlops\n/quit\n")
    assert done.returncode == 0
    assert "offline console" in done.stderr
    assert "machine learning" in done.stdout.lower()


def test_chat_with_an_invalid_setting_exits_2_with_one_line(tmp_path: Path) -> None:
    """The console validates its settings like the bot: a bad time zone is one line, exit 2."""
    done = _tutor_bot(tmp_path, "chat", stdin="/quit\n", TUTOR_TIMEZONE="Mars/Olympus")
    assert done.returncode == 2
    assert "TUTOR_TIMEZONE" in done.stderr and "Traceback" not in done.stderr


def test_unwritable_database_is_one_clear_line(tmp_path: Path) -> None:
    """A database path in a folder that does not exist is reported without a traceback."""
    missing = str(tmp_path / "missing" / "folder" / "t.db")
    done = _tutor_bot(tmp_path, "chat", stdin="/quit\n", TUTOR_DB_PATH=missing)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_dotenv_token_with_export_starts_the_bot_not_the_console(tmp_path: Path) -> None:
    """`export TELEGRAM_BOT_TOKEN=...` in .env counts as a token, as the settings read it."""
    from bot.__main__ import _dotenv_has_token

    (tmp_path / ".env").write_text("export TELEGRAM_BOT_TOKEN=123:abc\n")
    cwd = Path.cwd()
    os.chdir(tmp_path)
    try:
        assert _dotenv_has_token()
        (tmp_path / ".env").write_text('TELEGRAM_BOT_TOKEN=""\n')
        assert not _dotenv_has_token()
    finally:
        os.chdir(cwd)


@pytest.mark.parametrize(
    "args",
    [
        ("ask", "--json", "--jsonl"),
        ("ask", "what is mlops", "--jsonl"),
        ("ask", "--no-such-option"),
    ],
    ids=["json-and-jsonl", "question-and-jsonl", "unknown-option"],
)
def test_ask_refuses_conflicting_options_in_one_line(tmp_path: Path, args: tuple[str]) -> None:
    """Options that contradict each other exit 2 with one line, before reading any input."""
    done = _tutor_bot(tmp_path, *args, stdin="what is drift\n")
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert done.stdout == ""


def test_stdin_question_is_stripped(tmp_path: Path) -> None:
    """A question piped in keeps no stray whitespace or newline in the echoed JSON."""
    done = _tutor_bot(tmp_path, "ask", "--json", stdin="  what is mlops \n\n")
    assert json.loads(done.stdout)["question"] == "what is mlops"
    batch = _tutor_bot(tmp_path, "ask", "--jsonl", stdin="  what is mlops \r\n")
    assert json.loads(batch.stdout)["question"] == "what is mlops"


def test_version_names_the_package_version(tmp_path: Path) -> None:
    """`tutor-bot --version` prints the installed version and exits 0."""
    from importlib import metadata

    done = _tutor_bot(tmp_path, "--version")
    assert done.returncode == 0
    assert done.stdout.startswith(f"tutor-bot {metadata.version('tutor-bot')}")


def test_version_says_when_the_matcher_runs_on_words_alone(tmp_path: Path) -> None:
    """A bot without its embedding model says so in `--version`, never silently."""
    done = _tutor_bot(tmp_path, "--version", TUTOR_MODEL="off")
    assert done.returncode == 0
    assert done.stdout.splitlines()[1].startswith("matcher: lexical only"), done.stdout


def test_configuration_errors_share_one_prefix(tmp_path: Path) -> None:
    """`run` and `chat` word a bad setting the same way."""
    bad = {"TUTOR_TIMEZONE": "Mars/Olympus", "TELEGRAM_BOT_TOKEN": "123:abc"}
    run = _tutor_bot(tmp_path, "run", **bad)
    chat = _tutor_bot(tmp_path, "chat", stdin="/quit\n", **bad)
    for done in (run, chat):
        assert done.returncode == 2
        assert done.stderr.startswith("Configuration error: TUTOR_TIMEZONE"), done.stderr
        assert len(done.stderr.strip().splitlines()) == 1


def test_gitignore_covers_the_database_companions_and_exports(tmp_path: Path) -> None:
    """WAL/SHM files, exported personal data and the console history are never committed."""
    root = Path(__file__).resolve().parents[2]
    names = [
        "tutor.sqlite3-wal",
        "tutor.sqlite3-shm",
        "tutor-data-console.json",
        "tutor-data-123.json",
        "tutor.sqlite3.history",
    ]
    done = subprocess.run(
        ["git", "check-ignore", "--no-index", *names],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert sorted(done.stdout.split()) == sorted(names)


def test_ask_reads_the_content_folder_from_dotenv(tmp_path: Path) -> None:
    """TUTOR_CONTENT_DIR in `.env` counts for `ask` and `content check` as it does for `run`."""
    shutil.copytree(MINIPACK, tmp_path / "pack")
    (tmp_path / ".env").write_text('TUTOR_CONTENT_DIR="pack"  # the small test pack\n')
    done = _tutor_bot(tmp_path, "ask", "--json", "what is drift")
    assert json.loads(done.stdout)["entry_id"] == "drift-what"
    check = _tutor_bot(tmp_path, "content", "check")
    assert check.stdout.startswith("content OK: 2 topics"), check.stdout + check.stderr


def test_run_help_states_the_webhook_default_address_and_port(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """An operator reading `run --help` learns the webhook listens on every interface."""
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "default: 0.0.0.0, every interface" in text
    assert "default: 8443" in text


# --- tutor-bot gaps ------------------------------------------------------------------------------


async def _stored_gaps(path: Path) -> None:
    def fallback(text: str) -> MatchResult:
        return MatchResult(text, "fallback", None, 0.0, (), None, "r", (), ())

    # The CLI counts its days back from now, so the questions are asked now.
    async with services_at(path, start=datetime.now(UTC)) as (services, _):
        for user, text in ((1, "How do I bake bread?"), (2, "how do i bake bread"), (3, "k8s?")):
            await services.ask.follow_up(user, fallback(text), chat="private")


def test_gaps_json_groups_the_stored_questions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "tutor.sqlite3"
    asyncio.run(_stored_gaps(db))
    assert main(["gaps", "--json", "--db", str(db)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["questions"], report["distinct_texts"], report["since_days"]) == (3, 2, 90)
    first = report["groups"][0]
    assert set(first) == {"count", "label", "examples", "outcomes", "picked"}
    assert (first["count"], first["label"], first["outcomes"]) == (
        2,
        "how do i bake bread",
        {"fallback": 2},
    )
    assert main(["gaps", "--db", str(db)]) == 0
    text = capsys.readouterr().out
    assert '2x "how do i bake bread" (fallback 2)' in text


def test_gaps_on_an_empty_queue_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "tutor.sqlite3"

    async def create() -> None:
        await (await Database.open(db)).close()

    asyncio.run(create())
    assert main(["gaps", "--since", "7", "--db", str(db)]) == 0
    assert "No unanswered questions in the last 7 days" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "0"], "--since takes 1 to 90 days"),
        (["--since", "91"], "--since takes 1 to 90 days"),
        ([], "no database at"),
    ],
)
def test_gaps_refuses_bad_arguments_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    missing = tmp_path / "nowhere.sqlite3"
    assert main(["gaps", "--db", str(missing), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert not missing.exists(), "a report must not create a database"
