"""Group quiz rounds on screen: the intro, the question with its live count, the reveal, and
the tables (pure: from the group service's results to HTML and buttons)."""

from __future__ import annotations

import string

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.group_round import TOP, Leaderboard
from bot.services.group import Reveal, Round, Session, Started, TopicScore, TopicStanding
from bot.tg.callbacks import tap_data
from bot.tg.render import MESSAGE_LIMIT, esc, fit, plural, units
from bot.tg.views.common import label

__all__ = [
    "FINAL_TITLE",
    "LETTERS",
    "MAX_NAMES",
    "NO_GAMES_YET",
    "TOP_PRIVATE_HINT",
    "intro_text",
    "no_games_text",
    "own_place_text",
    "reveal_text",
    "round_keyboard",
    "round_text",
    "standing_lines",
    "standings_text",
    "table_title",
    "top_text",
    "topic_lines",
]

LETTERS = string.ascii_uppercase
# Long name lists are cut here: a reveal must stay one readable message in a big group.
MAX_NAMES = 30
FINAL_TITLE = "🏁 Final standings"
TOP_PRIVATE_HINT = (
    "The all-time table belongs to a group: send /top in a group where a quiz was played."
)
NO_GAMES_YET = "No group quiz has been played here yet. An admin can start one with /groupquiz."


def intro_text(started: Started) -> str:
    session = started.session
    level = session.difficulty or "mixed"
    lines = [
        f"🎯 <b>Group quiz:</b> {plural(session.questions, 'question')}, "
        f"{session.seconds} s each, {esc(level)} level.",
        "Tap an option to answer; you get one answer per question. Points for right answers, "
        "more for fast ones and for runs in a row.",
    ]
    lines += [f"<i>{esc(note)}</i>" for note in started.notes]
    return "\n".join(lines)


def round_text(round_: Round, answered: int, *, correct: int | None = None) -> str:
    """The question message; with ``correct`` (a display position) it is the closed version."""
    lines = [
        f"<b>Question {round_.number} of {round_.total}</b>",
        "",
        fit(round_.question.question, 1000),
        "",
    ]
    for position, option in enumerate(round_.options):
        mark = "✅ " if correct == position else ""
        lines.append(f"{mark}{LETTERS[position]}) {fit(option, 300)}")
    lines.append("")
    if correct is None:
        lines.append(f"⏱ {round_.seconds} s to answer · {answered} answered")
    else:
        lines.append(f"⏹ Closed · {answered} answered")
    return "\n".join(lines)


def round_keyboard(round_: Round) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    label(f"{LETTERS[position]}) {option}"),
                    callback_data=tap_data(round_.id, position),
                )
            ]
            for position, option in enumerate(round_.options)
        ]
    )


def _names(names: list[str]) -> str:
    shown = ", ".join(esc(name) for name in names[:MAX_NAMES])
    more = len(names) - MAX_NAMES
    return f"{shown} and {more} more" if more > 0 else shown


def _cut(text: str) -> str:
    """Drop whole trailing lines until the HTML fits (cutting inside a tag would break it)."""
    lines = text.split("\n")
    while units("\n".join(lines)) > MESSAGE_LIMIT and len(lines) > 1:
        lines.pop()
    return "\n".join(lines)


def standing_lines(board: Leaderboard, *, everyone: bool = True) -> list[str]:
    """The top five, then (optionally) everyone else's place on one line."""
    lines = [
        f"{'🥇🥈🥉'[s.place - 1] if s.place <= 3 else f'{s.place}.'} {esc(s.name)} — "
        f"{plural(s.points, 'point')}"
        for s in board.top
    ]
    rest = board.standings[TOP:]
    if everyone and rest:
        places = [f"{s.place}. {esc(s.name)} ({s.points})" for s in rest[:MAX_NAMES]]
        more = len(rest) - MAX_NAMES
        lines.append(
            "Everyone else: " + ", ".join(places) + (f" and {more} more" if more > 0 else "")
        )
    return lines


def standings_text(board: Leaderboard, title: str) -> str:
    """A leaderboard message under a bold title (plain text, escaped here)."""
    lines = [f"<b>{esc(title)}</b>", ""]
    if board.standings:
        lines += standing_lines(board)
    else:
        lines.append("Nobody answered, so there is no table this time.")
    return _cut("\n".join(lines))


def reveal_text(reveal: Reveal) -> str:
    """The answer, the explanation, who was right and the fastest; standings so far if not over."""
    position = reveal.correct_position
    answer = (
        f"{LETTERS[position]}) {fit(reveal.correct_text, 300)}"
        if position is not None
        else fit(reveal.correct_text, 300)
    )
    lines = [f"<b>Answer to question {reveal.number} of {reveal.total}:</b> {answer}"]
    if reveal.trap is not None:
        trap, why = reveal.trap
        lines.append(f"🤔 <b>Most picked wrong answer:</b> {fit(trap, 300)} — {fit(why, 400)}")
    if reveal.explanation:
        lines.append(f"<i>{fit(reveal.explanation, 1000)}</i>")
    lines.append("")
    right = reveal.right
    wrong = [r for r in reveal.results if not r.correct]
    if not reveal.results:
        lines.append("Nobody answered this one.")
    else:
        if right:
            scored = [f"{r.name} +{r.points}" for r in right]
            lines.append(f"✅ Right ({len(right)}): {_names(scored)}")
        else:
            lines.append("✅ Nobody got it right.")
        if wrong:
            lines.append(f"❌ Wrong ({len(wrong)}): {_names([r.name for r in wrong])}")
        if reveal.fastest is not None:
            fastest = reveal.fastest
            lines.append(f"⚡ Fastest: {esc(fastest.name)} in {fastest.seconds:.1f} s")
    if not reveal.session_over and reveal.standings.standings:
        lines += ["", "<b>Standings so far</b>", *standing_lines(reveal.standings, everyone=False)]
    if not reveal.session_over:
        lines += ["", "Next question in a few seconds…"]
    return _cut("\n".join(lines))


def table_title(session: Session) -> str:
    """The title over a session's table: final, or where it was stopped."""
    if session.state == "finished":
        return FINAL_TITLE
    played = session.round_number
    return f"⏹ Quiz stopped after question {played} of {session.questions}"


def top_text(board_lines: list[str], own: str | None, topics: list[str] | None = None) -> str:
    lines = ["🏆 <b>All-time table of this group</b>", "", *board_lines]
    if own:
        lines += ["", own]
    if topics:
        lines += ["", *topics]
    return "\n".join(lines)


def no_games_text(topics: list[str]) -> str:
    """/top before any round: the daily answers may still tell something about topics."""
    return "\n".join([NO_GAMES_YET, *([""] if topics else []), *topics])


def _scores(side: tuple[TopicScore, ...]) -> str:
    return ", ".join(f"{fit(s.title, 64)} ({s.correct} of {s.answered} right)" for s in side)


def topic_lines(standing: TopicStanding) -> list[str]:
    """The group's strongest and weakest topics, or nothing when the service named none."""
    lines: list[str] = []
    if standing.strongest:
        lines.append(f"💪 <b>Strongest topics:</b> {_scores(standing.strongest)}")
    if standing.weakest:
        lines.append(f"🎯 <b>Needs practice:</b> {_scores(standing.weakest)}")
        lines.append("<i>The group's daily question (/daily) aims at these.</i>")
    return lines


def own_place_text(place: int, of: int, points: int) -> str:
    return f"Your place: {place} of {of} ({points} points)."
