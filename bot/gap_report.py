"""The gap queue summed up for content authors: plain text and JSON, for `tutor-bot gaps` and
the admins' /gaps (which shows the same text in Telegram)."""

from __future__ import annotations

from typing import Any

from bot.core.content import ContentPack
from bot.services.gaps import GapReport

__all__ = ["EMPTY_TEXT", "GAPS_FORMAT", "report_json", "report_text"]

# Bumped if the JSON layout changes, so tools reading it can tell versions apart.
GAPS_FORMAT = 1
EMPTY_TEXT = (
    "No unanswered questions in the last {days} days: every question learners asked got an "
    "answer (or nobody has asked anything yet)."
)
_OUTCOME_NAMES = {"suggest": "did you mean", "fallback": "fallback"}


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun if count == 1 else noun + 's'}"


def _days(days: int) -> str:
    return "day" if days == 1 else f"{days} days"


def report_json(report: GapReport) -> dict[str, Any]:
    """The stable JSON shape: totals, then groups with counts, examples, outcomes and picks."""
    return {
        "format": GAPS_FORMAT,
        "since_days": report.since_days,
        "questions": report.questions,
        "distinct_texts": report.texts,
        "grouped_texts": report.grouped_texts,
        "groups": [
            {
                "count": group.count,
                "label": group.label,
                "examples": list(group.examples),
                "outcomes": group.outcomes,
                "picked": [
                    {"entry_id": p.entry_id, "count": p.count, "phrasing": p.phrasing}
                    for p in group.picked
                ],
            }
            for group in report.groups
        ],
    }


def report_text(report: GapReport, pack: ContentPack, *, limit: int | None = None) -> str:
    """The report as plain text; `limit` caps the groups listed (None: all of them)."""
    if report.empty:
        return EMPTY_TEXT.format(days=report.since_days)
    groups = report.groups if limit is None else report.groups[:limit]
    lines = [
        f"Unanswered questions in the last {_days(report.since_days)}: {report.questions:,} "
        f"({_plural(report.texts, 'different text')}) in {_plural(len(report.groups), 'group')}, "
        "the most asked first."
    ]
    if report.grouped_texts < report.texts:
        lines.append(
            f"Only the {report.grouped_texts:,} most asked texts are grouped; the other "
            f"{report.texts - report.grouped_texts:,} were each asked about as rarely."
        )
    for number, group in enumerate(groups, 1):
        mix = ", ".join(
            f"{_OUTCOME_NAMES.get(outcome, outcome)} {count:,}"
            for outcome, count in group.outcomes.items()
        )
        lines.append("")
        lines.append(f'{number}. {group.count:,}x "{group.label}" ({mix})')
        for example in group.examples[1:]:
            lines.append(f'   also: "{example}"')
        for picked in group.picked:
            entry = pack.answerable(picked.entry_id)
            title = f"{entry.title} ({picked.entry_id})" if entry else picked.entry_id
            lines.append(
                f"   learners opened {title} {picked.count:,}x: "
                f'add "{picked.phrasing}" as a phrasing of it'
            )
    if len(groups) < len(report.groups):
        lines.append("")
        lines.append(f"...and {_plural(len(report.groups) - len(groups), 'smaller group')}.")
    return "\n".join(lines)
