"""Guided lessons rendered as plain-text pages, the same in every adapter.

The Telegram adapter escapes these pages to HTML and adds navigation buttons; the console prints
them as they are. Nothing here knows about either: a page is a `str` that fits in one message.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

from bot.core.content import (
    TELEGRAM_MESSAGE_LIMIT,
    Checkpoint,
    ComparisonRow,
    ContentPack,
    Pipeline,
)
from bot.errors import TutorError

__all__ = [
    "ARROW",
    "LESSONS",
    "OPTION_LETTERS",
    "PAGE_LIMIT",
    "LessonId",
    "LessonInfo",
    "PictureName",
    "UnknownLessonError",
    "WalkthroughPage",
    "aspect_text",
    "checkpoint_verdict",
    "compare_menu",
    "fit",
    "lesson_ids",
    "lesson_info",
    "lesson_pages",
    "lesson_text",
    "walkthrough_page",
    "walkthrough_pages",
    "walkthrough_total",
]

LessonId = Literal[
    "pipelines",
    "walkthrough",
    "compare",
    "lifecycle",
    "insights",
    "cheatsheet",
    "complexity",
    "failures",
    "incidents",
]
PictureName = Literal["pipelines", "comparison"]

# Headroom under Telegram's limit so an adapter can add a header line or HTML tags around a page.
PAGE_LIMIT: Final = TELEGRAM_MESSAGE_LIMIT - 296
ARROW: Final = " → "
_ELLIPSIS: Final = "…"


@dataclass(frozen=True, slots=True)
class LessonInfo:
    """One entry of the lessons menu."""

    id: LessonId
    title: str
    blurb: str
    # The picture that illustrates this lesson, if any (see bot.pictures.diagrams.picture_png).
    picture: PictureName | None = None


LESSONS: Final[tuple[LessonInfo, ...]] = (
    LessonInfo(
        "pipelines",
        "The two pipelines",
        "DevOps and MLOps pipelines side by side",
        picture="pipelines",
    ),
    LessonInfo("walkthrough", "Step by step", "Six steps side by side with a progress tracker"),
    LessonInfo(
        "compare",
        "Compare by aspect",
        "Pick an aspect: testing, monitoring, versioning…",
        picture="comparison",
    ),
    LessonInfo(
        "lifecycle", "The DevOps lifecycle", "Plan, code, build, test, deploy, operate, monitor"
    ),
    LessonInfo("insights", "Key moments", "The questions that make the difference click"),
    LessonInfo("cheatsheet", "Cheat sheet", "The whole comparison in a dozen lines"),
    LessonInfo("complexity", "How pipelines scale", "O(n) per service or dataset, and the myths"),
    LessonInfo("failures", "When it breaks", "Bad deploy, drift, skew, broken feed"),
    LessonInfo("incidents", "Two real incidents", "One DevOps, one MLOps failure, sourced"),
)
_BY_ID: Final = {lesson.id: lesson for lesson in LESSONS}


class UnknownLessonError(TutorError):
    """A lesson or comparison row id that the pack does not have (e.g. stale callback data)."""


@dataclass(frozen=True, slots=True)
class WalkthroughPage:
    """One step of the walk-through; `index` is 0-based, the text says "Step i of n" 1-based."""

    text: str
    index: int
    total: int
    # The question asked on this page, if any; its options become buttons in the adapters.
    checkpoint: Checkpoint | None = None

    @property
    def number(self) -> int:
        return self.index + 1

    @property
    def is_first(self) -> bool:
        return self.index == 0

    @property
    def is_last(self) -> bool:
        return self.index == self.total - 1


def lesson_info(lesson_id: str) -> LessonInfo:
    """The menu entry for `lesson_id`; raise UnknownLessonError for anything else."""
    try:
        return _BY_ID[lesson_id]  # type: ignore[index]
    except KeyError:
        raise UnknownLessonError(f"unknown lesson '{lesson_id}'") from None


def lesson_text(pack: ContentPack, lesson_id: str) -> str:
    """The opening page of a lesson (for `walkthrough` and `compare`, their overview/menu)."""
    info = lesson_info(lesson_id)
    render = {
        "pipelines": _pipelines,
        "walkthrough": _walkthrough_overview,
        "compare": _compare_menu_text,
        "lifecycle": _lifecycle,
        "insights": _insights,
        "cheatsheet": _cheatsheet,
        "complexity": _complexity,
        "failures": _failures,
        "incidents": _incidents,
    }[info.id]
    return fit(render(pack))


def lesson_pages(pack: ContentPack, lesson_id: str) -> list[str]:
    """Every page of a lesson in reading order, for adapters that print a lesson in one go."""
    first = lesson_text(pack, lesson_id)
    if lesson_id == "walkthrough":
        return [first, *(page.text for page in walkthrough_pages(pack))]
    if lesson_id == "compare":
        return [first, *(aspect_text(pack, row_id) for row_id, _ in compare_menu(pack))]
    return [first]


# --- walk-through ------------------------------------------------------------------------------

_STEP_PREFIX = re.compile(r"^\s*step\s*\d+\s*[:.\-–—]\s*", re.IGNORECASE)


def walkthrough_total(pack: ContentPack) -> int:
    return len(pack.lessons.walkthrough)


def walkthrough_page(pack: ContentPack, index: int) -> WalkthroughPage:
    """Step `index` (0-based) with the state tracker; an out-of-range index is clamped.

    The index usually comes back from a button press, so a stale or forged value shows the
    nearest real step instead of failing.
    """
    steps = pack.lessons.walkthrough
    total = len(steps)
    index = min(max(index, 0), total - 1)
    step = steps[index]
    heading = _step_heading(step.title)
    lines = [
        f"Step {index + 1} of {total}: {heading}",
        _progress(index + 1, total),
        "",
        f"DevOps: {step.devops}",
        "",
        f"MLOps: {step.mlops}",
        "",
        f"What differs: {step.difference}",
    ]
    if step.example is not None:
        lines += [
            "",
            "Worked example:",
            f"DevOps: {step.example.devops}",
            f"MLOps: {step.example.mlops}",
        ]
    lines += [
        "",
        f"Tracker after step {index + 1}:",
        f"DevOps: {ARROW.join(s.devops_state for s in steps[: index + 1])}",
        f"MLOps: {ARROW.join(s.mlops_state for s in steps[: index + 1])}",
    ]
    if step.checkpoint is not None:
        lines += ["", *_checkpoint_lines(step.checkpoint)]
    if index == total - 1:
        lines += ["", f"Summary: {pack.lessons.walkthrough_summary}"]
    return WalkthroughPage(fit("\n".join(lines)), index, total, step.checkpoint)


def walkthrough_pages(pack: ContentPack) -> list[WalkthroughPage]:
    return [walkthrough_page(pack, i) for i in range(walkthrough_total(pack))]


OPTION_LETTERS: Final = "ABCD"


def _checkpoint_lines(checkpoint: Checkpoint) -> list[str]:
    return [
        f"Checkpoint: {checkpoint.question}",
        *(f"{OPTION_LETTERS[i]}. {o.text}" for i, o in enumerate(checkpoint.options)),
    ]


def checkpoint_verdict(pack: ContentPack, index: int, choice: int) -> str:
    """The step page followed by the verdict on option `choice` of its checkpoint.

    A wrong choice shows why that option tempts and fails, then the explanation; a right one
    shows the explanation. Nothing is stored: a checkpoint is practice, not a graded quiz.
    Raise UnknownLessonError if the step has no checkpoint or the option does not exist.
    """
    page = walkthrough_page(pack, index)
    checkpoint = page.checkpoint
    if checkpoint is None or not 0 <= choice < len(checkpoint.options):
        raise UnknownLessonError(f"no checkpoint option {choice} at step {index}")
    picked = checkpoint.options[choice]
    letter = OPTION_LETTERS[choice]
    if picked.correct:
        verdict = [f"✅ {letter} is right.", checkpoint.explanation]
    else:
        key = OPTION_LETTERS[next(i for i, o in enumerate(checkpoint.options) if o.correct)]
        verdict = [
            f"❌ Not {letter}: {picked.why}",
            f"The answer is {key}. {checkpoint.explanation}",
        ]
    return fit("\n".join([page.text, "", *verdict]))


def _step_heading(title: str) -> str:
    """The step title without its own "Step N:" prefix, since the page numbers steps itself."""
    heading = _STEP_PREFIX.sub("", title) or title
    return heading[0].upper() + heading[1:]


def _progress(done: int, total: int) -> str:
    return "▰" * done + "▱" * (total - done)


def _walkthrough_overview(pack: ContentPack) -> str:
    steps = pack.lessons.walkthrough
    lines = [
        "Step by step: DevOps and MLOps side by side",
        "",
        f"{len(steps)} steps. Each shows what both pipelines do, what differs, and a tracker of "
        "where each pipeline stands.",
        "",
    ]
    if pack.lessons.walkthrough_example:
        lines += [pack.lessons.walkthrough_example, ""]
    lines += [f"{i}. {_step_heading(step.title)}" for i, step in enumerate(steps, start=1)]
    return "\n".join(lines)


# --- comparison by aspect ----------------------------------------------------------------------


def compare_menu(pack: ContentPack) -> list[tuple[str, str]]:
    """(row id, aspect) for each comparison row, in the order of the content file."""
    return [(row.id, row.aspect) for row in pack.comparison.values()]


def aspect_text(pack: ContentPack, row_id: str) -> str:
    """One comparison row as a page: aspect, the question, both sides and the takeaway."""
    row = pack.comparison.get(row_id)
    if row is None:
        raise UnknownLessonError(f"unknown comparison row '{row_id}'")
    return fit(_aspect(row, list(pack.comparison).index(row_id) + 1, len(pack.comparison)))


def _aspect(row: ComparisonRow, position: int, total: int) -> str:
    return "\n".join(
        [
            f"{row.aspect} ({position} of {total})",
            row.question,
            "",
            f"DevOps: {row.devops}",
            "",
            f"MLOps: {row.mlops}",
            "",
            f"Takeaway: {row.takeaway}",
        ]
    )


def _compare_menu_text(pack: ContentPack) -> str:
    lines = ["DevOps vs MLOps by aspect", "", "Pick an aspect to see both sides:", ""]
    lines += [f"{i}. {aspect}" for i, (_, aspect) in enumerate(compare_menu(pack), start=1)]
    return "\n".join(lines)


# --- single-page lessons -----------------------------------------------------------------------


def _flow(pipeline: Pipeline) -> str:
    return ARROW.join(stage.name for stage in pipeline.stages)


def _pipeline_block(pipeline: Pipeline) -> list[str]:
    lines = [pipeline.title, pipeline.summary, ""]
    lines += [
        f"{i}. {stage.name}: {stage.description}"
        for i, stage in enumerate(pipeline.stages, start=1)
    ]
    return lines


def _pipelines(pack: ContentPack) -> str:
    devops, mlops = pack.lessons.devops_pipeline, pack.lessons.mlops_pipeline
    lines = [
        "The two pipelines side by side",
        "",
        f"DevOps: {_flow(devops)}",
        f"MLOps: {_flow(mlops)}",
        "",
        *_pipeline_block(devops),
        "",
        *_pipeline_block(mlops),
    ]
    return "\n".join(lines)


def _lifecycle(pack: ContentPack) -> str:
    cycle = pack.lessons.devops_lifecycle
    first = cycle.stages[0].name
    lines = [
        cycle.title,
        "",
        f"{_flow(cycle)}{ARROW}back to {first}",
        "",
        cycle.summary,
        "",
    ]
    lines += [
        f"{i}. {stage.name}: {stage.description}" for i, stage in enumerate(cycle.stages, start=1)
    ]
    return "\n".join(lines)


def _insights(pack: ContentPack) -> str:
    lines = ["Key moments", ""]
    for i, insight in enumerate(pack.lessons.insights, start=1):
        lines += [f"{i}. {insight.question}", insight.answer, ""]
    return "\n".join(lines).rstrip()


def _cheatsheet(pack: ContentPack) -> str:
    return "\n".join(["Cheat sheet", "", *(f"• {line}" for line in pack.lessons.cheatsheet)])


def _failures(pack: ContentPack) -> str:
    lines = ["When it breaks: failure modes side by side", ""]
    for mode in pack.lessons.failure_modes:
        lines += [
            mode.name,
            f"Symptom: {mode.symptom}",
            f"How you notice: {mode.notice}",
            f"First response: {mode.first_response}",
            "",
        ]
    if not pack.lessons.failure_modes:
        lines.append("This content pack has no failure modes yet.")
    return "\n".join(lines).rstrip()


def _incidents(pack: ContentPack) -> str:
    lines = ["Two real incidents", ""]
    for incident in pack.lessons.incidents:
        lines += [
            f"{incident.discipline}: {incident.title}",
            incident.story,
            f"Lesson: {incident.lesson}",
            f"Source: {incident.source}",
            "",
        ]
    if not pack.lessons.incidents:
        lines.append("This content pack has no incident stories yet.")
    return "\n".join(lines).rstrip()


def _complexity(pack: ContentPack) -> str:
    lines = ["How the pipelines scale", ""]
    for section in pack.lessons.complexity:
        lines += [section.title, section.text, ""]
    return "\n".join(lines).rstrip()


# --- limits ------------------------------------------------------------------------------------


def fit(text: str, limit: int = PAGE_LIMIT) -> str:
    """Clip `text` to `limit` characters at a line (or word) boundary, marking the cut with "…".

    Content validation keeps real pages well under the limit; this is the last guard so an
    oversized edit can never make Telegram reject a message.
    """
    if len(text) <= limit:
        return text
    room = limit - len(_ELLIPSIS)
    head = text[:room]
    for sep in ("\n", " "):
        cut = head.rfind(sep)
        if cut > room // 2:
            head = head[:cut]
            break
    return head.rstrip() + _ELLIPSIS


def lesson_ids() -> Sequence[str]:
    return [lesson.id for lesson in LESSONS]
