"""Test support: small valid content packs, services on a temp file, table snapshots."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

from bot.core.clock import FixedClock
from bot.core.content import (
    ComplexitySection,
    ContentPack,
    FaqEntry,
    Insight,
    Lessons,
    Pipeline,
    PipelineStage,
    QuizQuestion,
    Topic,
    WalkthroughStep,
)
from bot.services import Services
from bot.storage.db import Database


def _pipeline(name: str) -> Pipeline:
    return Pipeline(
        title=f"{name} pipeline",
        summary=f"How the {name} pipeline runs.",
        stages=[PipelineStage(name=f"Stage {i}", description=f"Step {i}.") for i in range(3)],
    )


def _lessons() -> Lessons:
    step = WalkthroughStep(
        title="Step",
        devops="Build code.",
        mlops="Build code and data.",
        difference="Data.",
        devops_state="Built",
        mlops_state="Trained",
    )
    return Lessons(
        devops_pipeline=_pipeline("DevOps"),
        mlops_pipeline=_pipeline("MLOps"),
        walkthrough=[step] * 6,
        walkthrough_summary="Both automate; one also handles data.",
        devops_lifecycle=_pipeline("Lifecycle"),
        insights=[Insight(question=f"Q{i}?", answer=f"A{i}.") for i in range(3)],
        cheatsheet=[f"Line {i}" for i in range(5)],
        complexity=[ComplexitySection(title=f"T{i}", text=f"Text {i}.") for i in range(3)],
    )


def question(
    qid: str,
    difficulty: str = "easy",
    topic: str = "drift",
    *,
    options: int = 4,
    related: str | None = None,
) -> QuizQuestion:
    """A question whose option 0 is correct, so tests can find the right answer by text."""
    return QuizQuestion.model_validate(
        {
            "id": qid,
            "topic": topic,
            "difficulty": difficulty,
            "question": f"Question {qid}?",
            "options": [
                {"text": f"{qid} right", "correct": True},
                *(
                    {"text": f"{qid} wrong {i}", "why": f"Why {qid} wrong {i} is wrong."}
                    for i in range(1, options)
                ),
            ],
            "hint": f"Hint for {qid}.",
            "explanation": f"Because {qid}.",
            "related": related,
        }
    )


def make_pack(questions: list[QuizQuestion] | None = None) -> ContentPack:
    """A pack with two topics, three FAQ entries and the given (or 3 per difficulty) questions."""
    if questions is None:
        questions = [
            question(f"q-{d}-{i}", d, "drift" if i % 2 else "testing")
            for d in ("easy", "medium", "hard")
            for i in range(3)
        ]
    topics = {
        t: Topic(id=t, title=t.title(), summary=f"About {t}.", area="Core")
        for t in ("drift", "testing")
    }
    faq = {
        e.id: e
        for e in (
            FaqEntry(
                id="drift-what-is",
                topic="drift",
                question="What is drift?",
                alternatives=["model gets worse", "accuracy drops"],
                answer="The data moved on.",
            ),
            FaqEntry(
                id="drift-detect",
                topic="drift",
                question="How to detect drift?",
                alternatives=["spot drift", "find drift"],
                answer="Watch the input statistics.",
            ),
            FaqEntry(
                id="testing-ml",
                topic="testing",
                question="How is ML tested?",
                alternatives=["ml tests", "test a model"],
                answer="Test the data and the model too.",
            ),
        )
    }
    return ContentPack(
        topics=topics,
        faq=faq,
        comparison={},
        glossary={},
        quiz={q.id: q for q in questions},
        lessons=_lessons(),
    )


# --- opening services on a real temporary file -------------------------------------------------

START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)  # a Monday morning


@asynccontextmanager
async def services_at(
    path: Path,
    pack: ContentPack | None = None,
    *,
    default_timezone: str = "UTC",
    start: datetime = START,
    seed: int = 1,
) -> AsyncIterator[tuple[Services, FixedClock]]:
    """Services over a database file at ``path`` with a fixed clock and a seeded generator."""
    clock = FixedClock(start)
    services = await Services.open(
        path,
        pack or make_pack(),
        default_timezone=default_timezone,
        clock=clock,
        rng=random.Random(seed),
    )
    try:
        yield services, clock
    finally:
        await services.close()


async def snapshot(db: Database) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, to prove an operation changed nothing."""
    async with db.read() as conn:
        names = [
            row[0]
            for row in await conn.execute_fetchall(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        return {
            # Table names come from sqlite_master, not from input.
            name: [tuple(r) for r in await conn.execute_fetchall(f'SELECT * FROM "{name}"')]  # noqa: S608
            for name in names
        }


async def count(db: Database, table: str, where: str = "1", *args: object) -> int:
    async with db.read() as conn:
        # Only tests call this, with literal table names and conditions.
        sql = f'SELECT COUNT(*) FROM "{table}" WHERE {where}'  # noqa: S608
        rows = await conn.execute_fetchall(sql, args)
    return int(next(iter(rows))[0])
