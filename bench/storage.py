"""Storage benchmark: concurrent answers through the services, then memory with 100,000 users.

Run from the repository root:  .venv/bin/python -m bench.storage [--users 1000] [--per-user 10]
(a module, since it builds its content pack with the tests' helpers in tests/support).

Part 1 records ``users * per_user`` answers (default 10,000 from 1,000 users) with one
asyncio.gather over ``services.quiz.answer`` and checks nothing was lost: row counts, per-user
totals, card reviews, and ``PRAGMA integrity_check``. In the same run, two baselines insert the
same number of answer rows with plain ``sqlite3``, one transaction per answer: with SQLite's
defaults (rollback journal, synchronous=FULL) and with the pragmas the bot uses (WAL, NORMAL).
They do far less work per answer (no grading, no card, no streak), so they bound what the
storage layer could reach, rather than being a like-for-like race.

Part 2 fills a database with 100,000 users (streaks, answers, cards, and two questions each in
the gap queue), then starts a fresh process that opens it and serves stats / next_question /
answer calls, records unanswered questions, builds the authors' gap report (/gaps), and prints
that process's resident memory (VmRSS, and VmHWM for the peak) next to the same process before
opening it. Then the same process answers 50 free-text questions through the loaded bot's
matcher and prints its RSS again (not part of the target): none of the calls before uses the
matcher, and the numpy runtime's layer weights are mapped but read only from the first question.

Part 3 fills the gap queue with 1,000,000 questions (about 100,000 distinct texts: learner
wordings of twenty missing subjects with typos, plus a long tail asked once) and times the real
`tutor-bot gaps --json` on it, as a child process from start to exit. Baselines in the same run:
the same command on an empty queue (what starting the command costs) and a bare sqlite3 count
of the questions per text (what reading the rows costs at least). Target: under 5 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.core.clock import FixedClock
from bot.core.content import ContentPack
from bot.core.spaced_repetition import review
from bot.services import Services
from bot.storage.db import Database, to_ts
from tests.support.storage import make_pack, question

START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
# Free-text questions answered after the storage calls (part 2), from the in-repo dev set.
QUESTIONS = 50
QA_DEV = Path(__file__).resolve().parents[1] / "tests" / "data" / "qa_dev.json"
DIFFICULTIES = ("easy", "medium", "hard")


def free_text_questions() -> list[str]:
    data = json.loads(QA_DEV.read_text(encoding="utf-8"))
    return [item["q"] for part in ("in_scope", "off_topic") for item in data[part]]


def synthetic_pack(per_difficulty: int = 20) -> ContentPack:
    """A valid pack of generated questions (the tests' own builder), so the benchmark does not
    depend on the content files; ids are q-<difficulty>-<nn>."""
    return make_pack(
        [
            question(f"q-{d}-{i:02d}", d, "drift")
            for d in DIFFICULTIES
            for i in range(per_difficulty)
        ]
    )


# --- part 1: concurrent answers --------------------------------------------------------------


async def concurrent_answers(
    path: Path, users: int, per_user: int, answer_batch: int
) -> dict[str, float]:
    pack = synthetic_pack()
    clock = FixedClock(START)
    async with await Services.open(
        path, pack, clock=clock, rng=random.Random(7), answer_batch=answer_batch
    ) as services:
        t0 = time.perf_counter()
        deliveries = await asyncio.gather(
            *(
                services.quiz.next_question(user, user, private=True)
                for _ in range(per_user)
                for user in range(1, users + 1)
            )
        )
        t1 = time.perf_counter()
        rng = random.Random(3)
        results = await asyncio.gather(
            *(
                services.quiz.answer(
                    d.id, d.user_id or 0, rng.randrange(len(d.options)), private=True
                )
                for d in deliveries
                if d is not None
            )
        )
        t2 = time.perf_counter()
        total = users * per_user
        accepted = sum(r.accepted for r in results)
        async with services.db.read() as conn:
            answers = (await conn.execute_fetchall("SELECT COUNT(*) FROM answers"))[0][0]
            per_user_ok = (
                await conn.execute_fetchall(
                    "SELECT COUNT(*) FROM (SELECT user_id FROM answers GROUP BY user_id"
                    " HAVING COUNT(*) = ?)",
                    (per_user,),
                )
            )[0][0]
            reviews = (await conn.execute_fetchall("SELECT SUM(reviews) FROM cards"))[0][0]
        integrity = await services.db.integrity_check()
    lost = total - answers
    print(f"  deliveries created: {total:,} in {t1 - t0:.2f}s ({total / (t1 - t0):,.0f}/s)")
    print(f"  answers recorded:   {answers:,} in {t2 - t1:.2f}s ({total / (t2 - t1):,.0f}/s)")
    print(
        f"  accepted {accepted:,}/{total:,}; users with exactly {per_user}: {per_user_ok:,}/"
        f"{users:,}; card reviews {reviews:,}; lost {lost}; integrity_check: {integrity}"
    )
    ok = (
        accepted == total
        and answers == total
        and per_user_ok == users
        and reviews == total
        and integrity == "ok"
    )
    return {"rate": total / (t2 - t1), "ok": float(ok)}


def baseline(path: Path, total: int, *, wal: bool) -> float:
    """Plain sqlite3, one INSERT per transaction, into the same answers table."""
    asyncio.run(_create_schema(path))
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        if wal:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
        else:
            conn.execute("PRAGMA journal_mode = DELETE")
            conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = OFF")
        now = to_ts(START)
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO deliveries (id, kind, chat_id, user_id, question_id, option_order,"
            " created_at) VALUES (?, 'quiz', ?, ?, 'q', '0,1,2,3', ?)",
            ((i, i % 1000, i % 1000, now) for i in range(1, total + 1)),
        )
        conn.execute("COMMIT")
        t0 = time.perf_counter()
        for i in range(1, total + 1):
            conn.execute("BEGIN")
            conn.execute(
                "INSERT INTO answers (delivery_id, user_id, question_id, difficulty, position,"
                " option_index, correct, hinted, answered_at, local_date)"
                " VALUES (?, ?, 'q', 'easy', 0, 0, 1, 0, ?, '2025-03-03')",
                (i, i % 1000, now),
            )
            conn.execute("COMMIT")
        elapsed = time.perf_counter() - t0
        count = conn.execute("SELECT COUNT(*) FROM answers").fetchone()[0]
    finally:
        conn.close()
    if count != total:
        raise SystemExit(f"baseline lost rows: {count} != {total}")
    return total / elapsed


async def _create_schema(path: Path) -> None:
    async with await Database.open(path):
        pass


# --- part 2: memory with 100,000 users -------------------------------------------------------


def fill_many_users(path: Path, users: int, per_user: int) -> None:
    """Bulk-load users with streaks, answer history and cards (fast, plain sqlite3)."""
    asyncio.run(_create_schema(path))
    pack = synthetic_pack()
    question_ids = list(pack.quiz)
    rng = random.Random(11)
    card_cache = {
        (c, h): review(None, correct=c, hinted=h, now=START).card_json
        for c in (True, False)
        for h in (True, False)
    }
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("BEGIN")
        created = to_ts(START)
        conn.executemany(
            "INSERT INTO users (user_id, timezone, private_chat, created_at) VALUES (?, ?, 1, ?)",
            (
                (u, rng.choice([None, "Europe/Berlin", "Asia/Tokyo"]), created)
                for u in range(1, users + 1)
            ),
        )
        conn.executemany(
            "INSERT INTO streaks (user_id, current, best, freezes, last_day) VALUES (?,?,?,?,?)",
            ((u, u % 9, u % 9 + 3, u % 3, "2025-03-02") for u in range(1, users + 1)),
        )
        delivery_id = 0
        rows_d, rows_a, rows_c = [], [], []
        for u in range(1, users + 1):
            for q in rng.sample(question_ids, per_user):
                delivery_id += 1
                correct, hinted = rng.random() < 0.7, rng.random() < 0.2
                day = (START - timedelta(days=rng.randrange(80))).date().isoformat()
                rows_d.append((delivery_id, u, u, q, created))
                rows_a.append(
                    (delivery_id, u, q, q.split("-")[1], int(correct), int(hinted), created, day)
                )
                due = to_ts(START + timedelta(minutes=rng.randrange(-600, 6000)))
                rows_c.append((u, q, card_cache[(correct, hinted)], due))
        conn.executemany(
            "INSERT INTO deliveries (id, kind, chat_id, user_id, question_id, option_order,"
            " created_at) VALUES (?, 'quiz', ?, ?, ?, '0,1,2,3', ?)",
            rows_d,
        )
        conn.executemany(
            "INSERT INTO answers (delivery_id, user_id, question_id, difficulty, position,"
            " option_index, correct, hinted, answered_at, local_date)"
            " VALUES (?, ?, ?, ?, 0, 0, ?, ?, ?, ?)",
            rows_a,
        )
        conn.executemany(
            "INSERT INTO cards (user_id, question_id, card, due, reviews) VALUES (?, ?, ?, ?, 1)",
            rows_c,
        )
        conn.execute("COMMIT")
    finally:
        conn.close()
    # The gap queue's table too: two unanswered questions per learner.
    fill_gaps(path, users * 2, users, START)


# --- the gap queue ----------------------------------------------------------------------------

GAP_SUBJECTS = (
    "kubernetes operators", "feature flags", "gpu quotas", "vector databases", "llm evals",
    "prompt versioning", "canary models", "shadow deployment", "data contracts", "label noise",
    "model cards", "airflow vs kubeflow", "ray clusters", "spark jobs", "terraform modules",
    "on call rota", "slo for models", "cost of inference", "edge deployment", "federated learning",
)  # fmt: skip
GAP_TEMPLATES = (
    "what is {s}", "how do i set up {s}", "explain {s}", "why use {s}", "{s} best practices",
    "how does {s} work in mlops", "is {s} devops or mlops", "{s}?", "tell me about {s}",
    "do i need {s}",
)  # fmt: skip


def _gap_text(rng: random.Random) -> str:
    """A learner's wording of a subject the content lacks (a few with a typo), or a one-off."""
    if rng.random() < 0.1:
        subject = rng.choice(GAP_SUBJECTS)
        return f"question {rng.randrange(10**9)} on {subject} {rng.randrange(999)}"
    subject = GAP_SUBJECTS[min(int(rng.expovariate(0.25)), len(GAP_SUBJECTS) - 1)]
    text = rng.choice(GAP_TEMPLATES).format(s=subject)
    roll = rng.random()
    if roll < 0.2:
        i = rng.randrange(len(text) - 1)
        text = text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    elif roll < 0.4:
        text = text.capitalize() + "?"
    return text


def fill_gaps(path: Path, rows: int, users: int, now: datetime, *, seed: int = 13) -> None:
    """Bulk-load `rows` unanswered questions from `users` learners over the last 89 days."""
    from bot.core.gaps import normalised, stored_question  # after the bare RSS is taken

    rng = random.Random(seed)
    kept: dict[str, tuple[str, str]] = {}  # typed -> (stored, normalised): texts repeat
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("BEGIN")
        batch: list[tuple[object, ...]] = []
        for i in range(rows):
            typed = _gap_text(rng)
            if typed not in kept:
                stored = stored_question(typed)
                kept[typed] = (stored, normalised(stored))
            stored, norm = kept[typed]
            suggest = rng.random() < 0.4
            picked = f"entry-{rng.randrange(5)}" if suggest and rng.random() < 0.5 else None
            asked = now - timedelta(minutes=rng.randrange(60 * 24 * 89))
            batch.append(
                (
                    1 + i % users,
                    "group" if i % 3 == 0 else "private",
                    stored,
                    norm,
                    "suggest" if suggest else "fallback",
                    "entry-0 entry-1 entry-2" if suggest else "",
                    picked,
                    to_ts(asked),
                )
            )
            if len(batch) >= 50_000:
                _insert_gaps(conn, batch)
                batch = []
        _insert_gaps(conn, batch)
        conn.execute("COMMIT")
    finally:
        conn.close()


def _insert_gaps(conn: sqlite3.Connection, batch: list[tuple[object, ...]]) -> None:
    conn.executemany(
        "INSERT INTO question_gaps (user_id, chat_kind, question, normalised, outcome,"
        " suggestions, picked, asked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        batch,
    )


def time_gaps_cli(db: Path) -> tuple[float, float, dict[str, object]]:
    """`tutor-bot gaps --json` as an author runs it: a fresh process, start to exit (wall
    seconds, and the CPU seconds it used: on a shared machine the wall time waits for cores)."""
    cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - our own interpreter and module, fixed arguments
        [sys.executable, "-m", "bot", "gaps", "--json", "--db", str(db)],
        check=True,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - t0
    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    report: dict[str, object] = json.loads(done.stdout)
    return elapsed, cpu, report


def bare_count_per_text(db: Path) -> float:
    conn = sqlite3.connect(db)
    try:
        t0 = time.perf_counter()
        sql = "SELECT normalised, COUNT(*) FROM question_gaps GROUP BY normalised"
        conn.execute(sql).fetchall()
        return time.perf_counter() - t0
    finally:
        conn.close()


def rss_kib() -> dict[str, int]:
    fields: dict[str, int] = {}
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = int(value.split()[0])
    return fields


def load_whole_bot(path: Path) -> object:
    """Everything the running bot holds in memory: the real content pack, the matcher index and
    the python-telegram-bot Application with every handler, so the RSS below is the bot's."""
    from bot.config import Settings  # imported after the baseline on purpose
    from bot.tg.app import build_application

    settings = Settings.for_tests(
        token="123456:BENCH",  # noqa: S106 - a fake token; nothing is sent anywhere
        api_base_url="http://127.0.0.1:9/bot",
        db_path=path,
    )
    return build_application(settings)


async def serve(path: Path, users: int) -> dict[str, object]:
    bare = rss_kib()
    application = load_whole_bot(path)
    before = rss_kib()
    rng = random.Random(5)
    clock = FixedClock(START + timedelta(hours=1))
    calls = 0
    t0 = time.perf_counter()
    async with await Services.open(path, synthetic_pack(), clock=clock, rng=rng) as services:
        for _ in range(25):
            user = rng.randrange(1, users + 1)
            await services.stats.stats(user)
            delivery = await services.quiz.next_question(user, user, private=True)
            if delivery is not None:
                await services.quiz.answer(delivery.id, user, 0, private=True)
            calls += 3
        await services.stats.heatmap(rng.randrange(1, users + 1))
        from bot.core.matcher import MatchResult  # loaded with the bot already

        for _ in range(25):
            user = rng.randrange(1, users + 1)
            unanswered = MatchResult(_gap_text(rng), "fallback", None, 0.0, (), None, "", (), ())
            await services.ask.follow_up(user, unanswered, chat="private")
        before_gaps = rss_kib()
        report = await services.gaps.summary()  # an admin's /gaps over the whole queue
        calls += 26
        clock.set(START.replace(hour=21, minute=30))
        await services.users.users_at_risk()
        calls += 2
        count = (await _scalar(services.db, "SELECT COUNT(*) FROM users"),)
    elapsed = time.perf_counter() - t0
    after = rss_kib()
    # Then the bot answers free text, which the calls above never do: with numpy, the layer
    # weights are mapped but not read until the first question, so "after" flatters it.
    state = application.bot_data.state  # type: ignore[attr-defined]
    for text in free_text_questions()[:QUESTIONS]:
        state.matcher.match(text)
    after_questions = rss_kib()
    del application
    return {
        "bare": bare,
        "before": before,
        "after": after,
        "calls": calls,
        "seconds": elapsed,
        "users": count,
        "gap_questions": report.questions,
        "before_gaps": before_gaps,
        "after_questions": after_questions,
    }


async def _scalar(db: Database, sql: str) -> int:
    async with db.read() as conn:
        rows = await conn.execute_fetchall(sql)
    return int(next(iter(rows))[0])


# --- main --------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--per-user", type=int, default=10)
    parser.add_argument("--big-users", type=int, default=100_000)
    parser.add_argument("--big-per-user", type=int, default=5)
    parser.add_argument("--gap-rows", type=int, default=1_000_000)
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.serve:  # the child process of part 2
        print(json.dumps(asyncio.run(serve(args.serve, args.big_users))))
        return 0

    total = args.users * args.per_user
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        print(f"Part 1: {total:,} answers from {args.users:,} users, concurrently (services)")
        print("  services.quiz.answer, batched (up to 256 answers per transaction):")
        result = asyncio.run(concurrent_answers(work / "bench.db", args.users, args.per_user, 256))
        print("  baseline: the same services, one transaction per answer (answer_batch=1):")
        single = asyncio.run(concurrent_answers(work / "single.db", args.users, args.per_user, 1))
        print("  baselines (plain sqlite3, one transaction per bare INSERT, no logic):")
        default_rate = baseline(work / "base-default.db", total, wal=False)
        print(f"    SQLite defaults (rollback journal, synchronous=FULL): {default_rate:,.0f}/s")
        wal_rate = baseline(work / "base-wal.db", total, wal=True)
        print(f"    bot pragmas (WAL, synchronous=NORMAL):               {wal_rate:,.0f}/s")
        print(
            f"  batched answers: {result['rate'] / single['rate']:.1f}x one-per-transaction, "
            f"{result['rate'] / default_rate:.1f}x bare inserts with SQLite defaults, "
            f"{result['rate'] / wal_rate:.2f}x bare inserts in WAL"
        )
        result["ok"] = min(result["ok"], single["ok"])

        big = work / "big.db"
        print(
            f"\nPart 2: {args.big_users:,} users x {args.big_per_user} answers "
            "(streaks, history, cards) and 2 unanswered questions each"
        )
        t0 = time.perf_counter()
        fill_many_users(big, args.big_users, args.big_per_user)
        size_mb = sum(p.stat().st_size for p in work.glob("big.db*")) / 1e6
        print(f"  filled in {time.perf_counter() - t0:.1f}s, file {size_mb:.0f} MB")
        child = subprocess.run(  # noqa: S603 - our own interpreter and script, fixed arguments
            [
                sys.executable,
                "-m",
                "bench.storage",
                "--serve",
                str(big),
                "--big-users",
                str(args.big_users),
            ],
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": "0"},
        )
        served = json.loads(child.stdout.strip().splitlines()[-1])
        before, after = served["before"], served["after"]
        print(
            f"  serving process: {served['calls']} calls in {served['seconds']:.2f}s over "
            f"{served['users'][0]:,} users and {served['gap_questions']:,} questions in the "
            "gap queue (the last call: an admin's /gaps report over all of them)"
        )
        from bot.model import model_status  # printing only: the serving child measured its RSS

        bare_mb = served["bare"]["VmRSS"] / 1024
        print(f"  RSS of the bare interpreter with storage imported: {bare_mb:.1f} MB")
        status = model_status().line
        hint = (
            "; TUTOR_ENCODER_RUNTIME=numpy weighs about 50 MB less"
            if "onnxruntime" in status
            else ""
        )
        print(
            "  RSS with the whole bot loaded (content, matcher, PTB Application), before "
            f"opening the DB (baseline): {before['VmRSS'] / 1024:.1f} MB [{status}{hint}]"
        )
        before_gaps = served["before_gaps"]
        print(
            f"  RSS before the /gaps report: {before_gaps['VmRSS'] / 1024:.1f} MB "
            f"(peak {before_gaps['VmHWM'] / 1024:.1f} MB)"
        )
        print(
            f"  RSS after serving: {after['VmRSS'] / 1024:.1f} MB "
            f"(peak VmHWM {after['VmHWM'] / 1024:.1f} MB; target < 150 MB)"
        )
        asked = served["after_questions"]
        print(
            f"  RSS after then answering {QUESTIONS} free-text questions (the matcher, which "
            f"the calls above never use): {asked['VmRSS'] / 1024:.1f} MB "
            f"(peak {asked['VmHWM'] / 1024:.1f} MB; not part of the target: numpy's mapped "
            "weights count only from here)"
        )
        memory_ok = after["VmHWM"] / 1024 < 150

        print(f"\nPart 3: the gap queue with {args.gap_rows:,} questions, `tutor-bot gaps --json`")
        empty = work / "gaps-empty.db"
        asyncio.run(_create_schema(empty))
        startup, startup_cpu, _ = time_gaps_cli(empty)
        queue = work / "gaps.db"
        asyncio.run(_create_schema(queue))
        t0 = time.perf_counter()
        fill_gaps(queue, args.gap_rows, args.big_users, datetime.now(UTC))
        print(f"  filled {args.gap_rows:,} questions in {time.perf_counter() - t0:.1f}s")
        floor = bare_count_per_text(queue)
        elapsed, cpu, report = time_gaps_cli(queue)
        groups = report["groups"]
        assert isinstance(groups, list)
        print(
            f"  tutor-bot gaps --json: {elapsed:.2f}s for {report['questions']:,} questions, "
            f"{report['distinct_texts']:,} distinct texts ({report['grouped_texts']:,} grouped) "
            f"-> {len(groups):,} groups, {cpu:.2f}s of CPU (target < 5 s; load average "
            f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
        )
        print(
            "  baseline: the same command on an empty queue (start-up): "
            f"{startup:.2f}s, {startup_cpu:.2f}s of CPU"
        )
        print(f"  baseline: bare sqlite3 count per text over the same rows: {floor:.2f}s")
        gaps_ok = elapsed < 5.0 and report["questions"] == args.gap_rows
    ok = bool(result["ok"]) and memory_ok and gaps_ok
    print("\nRESULT:", "ok" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
