"""The `tutor-bot` command: run | chat | ask | gaps | content check | content export | model
fetch."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any, NoReturn

from bot import __version__
from bot.core.content import load_content
from bot.core.matcher import MatchResult
from bot.errors import ConfigError, ContentError, TutorError

__all__ = [
    "DEFAULT_LISTEN",
    "EXIT_CONTENT",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "UsageError",
    "build_parser",
    "main",
    "render_plain",
    "result_as_json",
    "version_text",
]

EXIT_OK = 0
EXIT_CONTENT = 1
EXIT_USAGE = 2
# The shell's convention for a program ended by SIGINT (128 + 2).
EXIT_INTERRUPTED = 130
# A webhook server in a container must accept connections from outside it.
DEFAULT_LISTEN = "0.0.0.0"  # noqa: S104


def _content_dir(explicit: str | None) -> Path | None:
    """--content-dir, else TUTOR_CONTENT_DIR from the environment or `.env` (as `run` reads it),
    else None: the pack installed with the package."""
    chosen = explicit or os.environ.get("TUTOR_CONTENT_DIR") or _dotenv().get("TUTOR_CONTENT_DIR")
    return Path(chosen) if chosen else None


def _dotenv() -> dict[str, str]:
    from bot.config import read_dotenv

    env_file = Path(".env")
    return read_dotenv(env_file) if env_file.is_file() else {}


def result_as_json(question: str, result: MatchResult) -> dict[str, Any]:
    """The stable JSON shape other tools rely on."""
    return {
        "question": question,
        "status": result.status,
        "entry_id": result.entry.id if result.entry else None,
        "score": result.score,
        "answer": result.reply,
        "suggestions": [{"entry_id": s.id, "title": s.title} for s in result.suggestions],
    }


def render_plain(result: MatchResult) -> str:
    """The reply as a learner would see it, in plain text."""
    lines = [result.reply]
    if result.status == "suggest":
        lines += [f"  {i}. {entry.title}" for i, entry in enumerate(result.suggestions, 1)]
    elif result.status == "answer" and result.related:
        lines.append("Related: " + " | ".join(entry.title for entry in result.related))
    elif result.fallback_topics:
        lines.append("Topics: " + " | ".join(topic.title for topic in result.fallback_topics))
    return "\n".join(lines)


def _cmd_ask(args: argparse.Namespace) -> int:
    if args.jsonl and (args.json or args.question):
        clash = "--json" if args.json else "a question argument"
        raise UsageError(f"ask: --jsonl reads questions from stdin; it cannot take {clash}")
    from bot.model import build_matcher

    matcher = build_matcher(load_content(_content_dir(args.content_dir)))
    if args.jsonl:
        for line in sys.stdin:
            question = line.strip()
            print(
                json.dumps(result_as_json(question, matcher.match(question)), ensure_ascii=False)
            )
        return EXIT_OK
    question = " ".join(args.question).strip()
    if not question and not sys.stdin.isatty():
        question = sys.stdin.read().strip()
    result = matcher.match(question)
    if args.json:
        print(json.dumps(result_as_json(question, result), ensure_ascii=False, indent=2))
    else:
        print(render_plain(result))
    return EXIT_OK


def _cmd_content_check(args: argparse.Namespace) -> int:
    directory = _content_dir(args.dir)
    pack = load_content(directory)
    print(
        f"content OK: {len(pack.topics)} topics, {len(pack.faq)} FAQ entries, "
        f"{len(pack.comparison)} comparison rows, {len(pack.glossary)} glossary terms, "
        f"{len(pack.quiz)} quiz questions"
    )
    return EXIT_OK


def _cmd_content_export(args: argparse.Namespace) -> int:
    pack = load_content(_content_dir(args.content_dir))
    items = [
        {
            "id": entry.id,
            "kind": entry.kind,
            "title": entry.title,
            "questions": list(entry.questions),
            "answer": entry.answer,
        }
        for entry in pack.answerables.values()
    ]
    print(json.dumps(items, ensure_ascii=False, indent=2))
    return EXIT_OK


def _cmd_model_fetch(args: argparse.Namespace) -> int:
    """Download and check the weights, then build the encoder's onnxruntime graph (the encoder
    does, when it is missing) and compute the entry vectors for the content pack."""
    from bot.core.encoder import ModelError
    from bot.model import build_matcher, fetch_model, model_dir, model_status

    directory = model_dir()
    try:
        fetched = fetch_model(directory)
    except ModelError as exc:
        print(f"model fetch failed: {exc}", file=sys.stderr)
        return EXIT_CONTENT
    print(f"{'fetched' if fetched else 'already there'}: {directory}")
    # Warm the entry-vector cache now, so the first start (or a baked image) need not.
    matcher = build_matcher(load_content(_content_dir(args.content_dir)), {**os.environ})
    if matcher.semantic is None:
        return EXIT_CONTENT
    print(model_status().line)
    return EXIT_OK


def _cmd_model_status(args: argparse.Namespace) -> int:
    from bot.model import model_status

    status = model_status()
    print(status.line)
    return EXIT_OK if status.ready else EXIT_CONTENT


def _cmd_chat(args: argparse.Namespace) -> int:
    from bot.config import Settings  # the console needs no Telegram settings beyond these
    from bot.console import run_console

    settings = Settings.from_env(os.environ, require_token=False)
    return run_console(
        content_dir=_content_dir(args.content_dir) or settings.content_dir,
        db_path=Path(args.db) if args.db else settings.db_path,
        timezone=settings.timezone,
    )


def _cmd_gaps(args: argparse.Namespace) -> int:
    """What learners asked that the content could not answer, grouped, for the authors."""
    import asyncio

    from bot.config import Settings
    from bot.core.clock import SystemClock
    from bot.gap_report import report_json, report_text
    from bot.services.gaps import KEEP_DAYS, GapReport, GapService
    from bot.storage import Database, failures_as_storage_errors

    since = KEEP_DAYS if args.since is None else args.since
    if not 1 <= since <= KEEP_DAYS:
        raise UsageError(f"gaps: --since takes 1 to {KEEP_DAYS} days (questions are kept so long)")
    settings = Settings.from_env(os.environ, require_token=False)
    db_path = Path(args.db) if args.db else settings.db_path
    if not db_path.is_file():
        # Opening would create an empty database where the bot's may be meant to be.
        raise UsageError(f"gaps: no database at {db_path} (set TUTOR_DB_PATH or pass --db)")

    async def summary() -> GapReport:
        db = await Database.open(db_path)
        try:
            return await GapService(db, SystemClock()).summary(since)
        finally:
            await db.close()

    with failures_as_storage_errors(db_path):
        report = asyncio.run(summary())
    if args.json:
        print(json.dumps(report_json(report), ensure_ascii=False, indent=2))
        return EXIT_OK
    # The plain report names the entries learners picked, so it needs the content's titles.
    pack = load_content(_content_dir(args.content_dir) or settings.content_dir)
    print(report_text(report, pack))
    return EXIT_OK


def _cmd_run(args: argparse.Namespace) -> int:
    from bot.tg.runner import run  # keeps ask/check fast: no Telegram import

    return run(
        webhook_url=args.webhook_url, listen=args.listen, port=args.port, secret=args.secret
    )


def _cmd_start(args: argparse.Namespace) -> int:
    """No sub-command: the Telegram bot when a token is configured, else the offline console."""
    if os.environ.get("TELEGRAM_BOT_TOKEN") or _dotenv_has_token():
        return _cmd_run(args)
    print(
        "TELEGRAM_BOT_TOKEN is not set, so this is the offline console "
        "(set the token to run the Telegram bot).",
        file=sys.stderr,
    )
    return _cmd_chat(args)


def _dotenv_has_token() -> bool:
    """Whether `.env` sets a non-empty token, read by the same parser the settings use."""
    try:
        return bool(_dotenv().get("TELEGRAM_BOT_TOKEN", "").strip())
    except ConfigError:
        return False


def version_text() -> str:
    """What `tutor-bot --version` prints: one line per component worth knowing about."""
    from bot.model import model_status

    lines = [
        f"tutor-bot {_installed_version()} (Python {platform.python_version()})",
        model_status().line,
    ]
    return "\n".join(lines)


def _installed_version() -> str:
    try:
        return metadata.version("tutor-bot")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return __version__


class UsageError(Exception):
    """Options that make no sense together: exit 2 with one line, like argparse's own errors."""


class _Parser(argparse.ArgumentParser):
    """argparse with its errors on one line (it prints the whole usage block before them)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see {self.prog} --help)\n")


class _VersionAction(argparse.Action):
    """Like argparse's version action, but the text (which checks the model) is built only when
    asked for, and its lines are printed as they are instead of re-wrapped."""

    def __init__(self, option_strings: Sequence[str], dest: str, help: str | None = None) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=help)

    def __call__(self, parser: argparse.ArgumentParser, *_args: Any) -> None:
        sys.stdout.write(version_text() + "\n")
        parser.exit(0)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="tutor-bot", description="A tutor bot that teaches MLOps vs DevOps.")
    parser.add_argument(
        "--version",
        action=_VersionAction,
        help="show the version and which matcher runs, then exit",
    )
    parser.set_defaults(
        handler=_cmd_start,
        webhook_url=None,
        listen=DEFAULT_LISTEN,
        port=8443,
        secret=None,
        content_dir=None,
        db=None,
    )
    sub = parser.add_subparsers(
        dest="command",
        description="With no command: the Telegram bot if TELEGRAM_BOT_TOKEN is set, else `chat`.",
    )

    run = sub.add_parser("run", help="run the Telegram bot (needs TELEGRAM_BOT_TOKEN)")
    run.add_argument("--webhook-url", help="use a webhook at this public URL instead of polling")
    run.add_argument(
        "--listen",
        default=DEFAULT_LISTEN,
        help="address the webhook server binds (default: %(default)s, every interface)",
    )
    run.add_argument(
        "--port",
        type=int,
        default=8443,
        help="port the webhook server binds (default: %(default)s)",
    )
    run.add_argument("--secret", help="secret token Telegram sends with each webhook call")
    run.set_defaults(handler=_cmd_run)

    chat = sub.add_parser("chat", help="talk to the tutor offline in this terminal")
    chat.add_argument("--content-dir", help="content directory (default: the bundled pack)")
    chat.add_argument("--db", help="SQLite file for quiz progress (default: TUTOR_DB_PATH)")
    chat.set_defaults(handler=_cmd_chat)

    ask = sub.add_parser("ask", help="answer one question (or many with --jsonl)")
    ask.add_argument("question", nargs="*", help="the question (read from stdin when omitted)")
    ask.add_argument("--json", action="store_true", help="print the result as JSON")
    ask.add_argument(
        "--jsonl",
        action="store_true",
        help="read one question per line on stdin, write JSON lines (no question argument)",
    )
    ask.add_argument("--content-dir", help="content directory (default: the bundled pack)")
    ask.set_defaults(handler=_cmd_ask)

    gaps = sub.add_parser(
        "gaps", help="what learners asked that the content could not answer, grouped"
    )
    gaps.add_argument("--json", action="store_true", help="print the report as JSON")
    gaps.add_argument(
        "--since",
        type=int,
        metavar="DAYS",
        help="only questions of the last DAYS days (default: all kept, 90 days)",
    )
    gaps.add_argument("--db", help="the bot's SQLite file (default: TUTOR_DB_PATH)")
    gaps.add_argument("--content-dir", help="content directory (default: the bundled pack)")
    gaps.set_defaults(handler=_cmd_gaps)

    content = sub.add_parser("content", help="check or export the content pack")
    content_sub = content.add_subparsers(dest="content_command", required=True)
    check = content_sub.add_parser("check", help="validate a content directory")
    check.add_argument("dir", nargs="?", help="content directory (default: the bundled pack)")
    check.set_defaults(handler=_cmd_content_check)
    export = content_sub.add_parser("export", help="print every answerable entry as JSON")
    export.add_argument("--content-dir", help="content directory (default: the bundled pack)")
    export.set_defaults(handler=_cmd_content_export)

    model = sub.add_parser(
        "model", help="the sentence-embedding model the matcher uses (TUTOR_MODEL_DIR)"
    )
    model_sub = model.add_subparsers(dest="model_command", required=True)
    fetch = model_sub.add_parser(
        "fetch",
        help="download and verify the weights, build the encoder's graph, cache the entry vectors",
    )
    fetch.add_argument("--content-dir", help="content directory (default: the bundled pack)")
    fetch.set_defaults(handler=_cmd_model_fetch)
    status = model_sub.add_parser(
        "status", help="say which matcher and encoder runtime a start would use"
    )
    status.set_defaults(handler=_cmd_model_status)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except UsageError as exc:
        print(f"tutor-bot {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ContentError as exc:
        print(exc.report(), file=sys.stderr)
        return EXIT_CONTENT
    except ConfigError as exc:
        print(exc.report(), file=sys.stderr)
        return EXIT_USAGE
    except TutorError as exc:
        # Storage and other deliberate errors: one line, never a traceback.
        print(f"Error: {exc}", file=sys.stderr)
        return EXIT_CONTENT
    except KeyboardInterrupt:
        # Ctrl-C: end the line the terminal was on, so the shell prompt starts on its own line.
        print(file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # `tutor-bot content export | head` closes the pipe early; that is not an error.
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
