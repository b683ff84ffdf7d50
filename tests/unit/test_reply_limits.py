"""Every reply fits Telegram's limits, whatever users typed or are called.

A property test drives the reply builders with maximal inputs (arguments as long as a whole
message, 64-character names, 200 players, the longest content the schema allows) and checks
what the reader would see against the limits, without the last-resort guard of bot.tg.limits.
The guard itself is tested below: it shortens any HTML to fit and keeps its tags balanced.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.clock import UnknownTimezoneError, zone
from bot.core.content import (
    QUIZ_OPTION_LIMIT,
    QUIZ_QUESTION_LIMIT,
    QUIZ_WHY_LIMIT,
    QuizQuestion,
)
from bot.core.daily import InvalidTimeError, parse_send_time
from bot.core.group_round import GroupArgsError, Total, parse_args, rank
from bot.services.group import PlayerResult, Reveal, Round, Session, Started
from bot.services.quiz import UnknownDifficultyError
from bot.tg.limits import TOAST_LIMIT, fit_html, fit_request, visible
from bot.tg.render import CAPTION_LIMIT, MESSAGE_LIMIT, esc
from bot.tg.views.group_rounds import (
    intro_text,
    reveal_text,
    round_text,
    standing_lines,
    standings_text,
    top_text,
)

NAME = 64
PLAYERS = 200
# Any text at all, including what needs escaping and characters that count twice in UTF-16.
ANY_CHAR = st.characters(codec="utf-8", exclude_categories=("Cs",))
WORD = st.text(ANY_CHAR, min_size=1, max_size=12)


def text_of(size: int) -> st.SearchStrategy[str]:
    """Text of exactly `size` characters, mostly of the worst kind (<, &, emoji)."""
    return st.one_of(
        st.sampled_from(["<", "&", "😀", "x", "é"]).map(lambda c: c * size),
        st.text(ANY_CHAR, min_size=size, max_size=size),
    )


def names() -> st.SearchStrategy[list[str]]:
    """200 different names of 64 characters (rotations of one drawn name, plus a number)."""

    def spread(base: str) -> list[str]:
        return [(f"{i}" + base[i % NAME :] + base[: i % NAME])[:NAME] for i in range(PLAYERS)]

    return text_of(NAME).map(spread)


def question(size_q: int, size_o: int, size_e: int) -> QuizQuestion:
    return QuizQuestion(
        id="q-long",
        topic="topic",
        difficulty="hard",
        question="Q" * size_q,
        options=[
            {"text": f"{c}" * size_o, "correct": True}
            if c == "a"
            else {"text": f"{c}" * size_o, "why": "W&<" * (QUIZ_WHY_LIMIT // 3)}
            for c in "abcd"
        ],
        hint="h",
        explanation="E&<" * (size_e // 3),
    )


NOW = datetime(2026, 1, 1, tzinfo=UTC)
LONG_Q = question(QUIZ_QUESTION_LIMIT, QUIZ_OPTION_LIMIT, 600)


def fits(html: str, limit: int = MESSAGE_LIMIT) -> None:
    assert visible(html) <= limit, f"{visible(html)} > {limit}"


@settings(max_examples=15, deadline=None)
@given(names(), st.integers(0, 3))
def test_reveal_and_standings_fit_with_200_long_names(players: list[str], over: int) -> None:
    results = tuple(
        PlayerResult(i, name, "x" * 300, i % 3 != 0, i * 10, 1000 - i, i % 5)
        for i, name in enumerate(players)
    )
    board = rank(Total(i, name, 1000 - i, 1) for i, name in enumerate(players))
    reveal = Reveal(
        round_id=1,
        session_id=1,
        chat_id=-1,
        number=20,
        total=20 + over,
        question_id="q-long",
        correct_text="C" * 4096,
        correct_position=0,
        explanation="E<&" * 2000,
        trap=("T" * 4096, "W&<" * (QUIZ_WHY_LIMIT // 3)),
        results=results,
        fastest=results[1],
        standings=board,
        session_over=over == 0,
    )
    fits(reveal_text(reveal))
    fits(standings_text(board, "🏁 Final standings " + players[0]))
    fits(top_text(standing_lines(board, everyone=False), "Your place: 200 of 200."))


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 10_000))
def test_the_question_fits_at_the_content_limits(answered: int) -> None:
    round_ = Round(
        id=1,
        session_id=1,
        chat_id=-1,
        number=20,
        total=20,
        seconds=120,
        question=LONG_Q,
        options=tuple(o.text for o in LONG_Q.options),
        opened_at=NOW,
        deadline=NOW,
        message_id=1,
    )
    fits(round_text(round_, answered))
    fits(round_text(round_, answered, correct=3))


@settings(max_examples=25, deadline=None)
@given(text_of(4090), st.sampled_from(["", " ", "seconds=", "level:"]))
def test_errors_that_quote_an_argument_fit(argument: str, prefix: str) -> None:
    """/timezone, /daily on, /groupquiz and /quiz with a whole message as their argument."""
    replies = []
    try:
        zone(argument)
    except UnknownTimezoneError as error:
        replies.append(esc(str(error)))
    try:
        parse_send_time(argument)
    except InvalidTimeError as error:
        replies.append(esc(str(error)))
    try:
        # A huge number is read and capped, with a note that quotes it.
        replies += [esc(note) for note in parse_args([prefix + argument]).notes]
    except GroupArgsError as error:
        replies.append(esc(str(error)))
    replies.append(esc(str(UnknownDifficultyError(argument))))
    assert len(replies) >= 3
    for reply in replies:
        fits(reply, 1000)


def test_the_group_quiz_intro_fits_with_every_note() -> None:
    session = Session(1, -1, 1, 20, 120, "hard", "running", 1)
    notes = tuple("n" * 300 for _ in range(4))
    started = Started(session, None, notes)  # type: ignore[arg-type]
    fits(intro_text(started))


# --- the last-resort guard ---------------------------------------------------------------------

_TAGS = st.sampled_from(["b", "i", "u", "s", "code"])


@st.composite
def html_documents(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 30))):
        tag = draw(st.one_of(st.none(), _TAGS))
        body = esc(draw(st.text(ANY_CHAR, max_size=400)))
        parts.append(f"<{tag}>{body}</{tag}>" if tag else body)
    return "\n".join(parts)


@settings(max_examples=200, deadline=None)
@given(html_documents(), st.sampled_from([TOAST_LIMIT, CAPTION_LIMIT, MESSAGE_LIMIT, 50]))
def test_fit_html_always_fits_and_keeps_tags_balanced(document: str, limit: int) -> None:
    cut = fit_html(document, limit)
    assert visible(cut) <= limit
    if visible(document) <= limit:
        assert cut == document
    else:
        assert "…" in cut
    opened = re.findall(r"<([a-z]+)>", cut)
    closed = re.findall(r"</([a-z]+)>", cut)
    assert sorted(opened) == sorted(closed)
    assert not re.search(r"&[a-z]*$|&[a-z]*…", cut.split("<")[-1])  # no entity cut in half


def test_fit_request_shortens_only_what_telegram_would_refuse() -> None:
    long_message = {"chat_id": 1, "text": "<b>" + "x" * 5000 + "</b>", "parse_mode": "HTML"}
    fit_request("sendMessage", long_message)
    assert visible(long_message["text"]) == MESSAGE_LIMIT
    assert long_message["text"].endswith("…</b>")
    caption = {"chat_id": 1, "caption": "y" * 2000, "parse_mode": "HTML"}
    fit_request("sendPhoto", caption)
    assert visible(caption["caption"]) == CAPTION_LIMIT
    toast = {"callback_query_id": "1", "text": "z" * 300}
    fit_request("answerCallbackQuery", toast)
    assert len(toast["text"]) == TOAST_LIMIT
    plain = {"chat_id": 1, "text": "😀" * 3000}  # no parse mode: counted as it is
    fit_request("sendMessage", plain)
    assert visible(plain["text"], is_html=False) <= MESSAGE_LIMIT
    short = {"chat_id": 1, "text": "<b>fine</b>", "parse_mode": "HTML"}
    fit_request("editMessageText", short)
    assert short["text"] == "<b>fine</b>"
    untouched = {"chat_id": 1, "text": "q" * 9000}
    fit_request("getChatMember", untouched)
    assert len(untouched["text"]) == 9000
