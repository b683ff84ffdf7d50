"""Inline mode's pure parts: which entries a verdict offers, the empty query's list, the cache
key, and each entry drawn as an article."""

from __future__ import annotations

from bot.core import inline as rules
from bot.core.content import Answerable, ContentPack
from bot.core.matcher import Match, Matcher, MatchResult
from bot.tg.render import MESSAGE_LIMIT, units
from bot.tg.views.inline import DESCRIPTION_CHARS, TITLE_CHARS, article
from tests.emulator._entities import parse_html


def entry(entry_id: str, title: str = "A title", answer: str = "An answer.") -> Answerable:
    return Answerable(entry_id, "faq", "drift", title, (title,), (), answer, ())


def verdict(status: str, **kw: object) -> MatchResult:
    fields: dict[str, object] = {
        "query": "q",
        "status": status,
        "entry": None,
        "score": 50.0,
        "suggestions": (),
        "smalltalk": None,
        "reply": "r",
        "related": (),
        "fallback_topics": (),
        "ranked": (),
    }
    fields.update(kw)
    return MatchResult(**fields)  # type: ignore[arg-type]


A, B, C, D = entry("a"), entry("b"), entry("c"), entry("d")


def test_an_answer_comes_first_then_the_close_runners_up() -> None:
    ranked = (Match(A, 80), Match(B, 40), Match(C, 20), Match(D, 35))
    offered = rules.candidates(verdict("answer", entry=A, ranked=ranked))
    assert [e.id for e in offered] == ["a", "b", "d"]  # c scored too low to be suggested


def test_a_did_you_mean_offers_its_suggestions_first() -> None:
    ranked = (Match(B, 33), Match(A, 32), Match(D, 31))
    offered = rules.candidates(verdict("suggest", suggestions=(A, B), ranked=ranked))
    assert [e.id for e in offered] == ["a", "b", "d"]


def test_a_fallback_offers_nothing_even_with_runners_up() -> None:
    ranked = (Match(A, 90),)
    assert rules.candidates(verdict("fallback", ranked=ranked)) == ()


def test_at_most_five_without_repeats() -> None:
    many = [entry(str(i)) for i in range(9)]
    ranked = tuple(Match(e, 60) for e in many)
    offered = rules.candidates(verdict("answer", entry=many[3], ranked=ranked))
    assert [e.id for e in offered] == ["3", "0", "1", "2", "4"]
    assert rules.popular([A, B], [B, C, D, entry("e"), entry("f")]) == (
        A,
        B,
        C,
        D,
        entry("e"),
    )


def test_the_key_ignores_case_spacing_invisible_characters_and_length() -> None:
    assert rules.query_key("  What IS\u200b  drift ") == rules.query_key("what is drift")
    assert len(rules.query_key("x" * 10_000)) <= rules.MAX_QUERY_CHARS
    assert rules.query_key("\x00\x07") == ""


def test_real_off_topic_questions_offer_nothing(matcher: Matcher) -> None:
    for text in ("how do I drift in Mario Kart", "what's the weather in Paris", "hi"):
        assert rules.candidates(matcher.match(text)) == ()
    assert rules.candidates(matcher.match("what is data drift"))


def test_an_article_is_escaped_short_and_fits(pack: ContentPack) -> None:
    nasty = entry("x-1", "<b>Drift & co</b> " * 10, "A < B & C > D. " * 300)
    result = article(nasty).to_dict()
    assert result["id"] == "x-1" and result["type"] == "article"
    assert len(result["title"]) <= TITLE_CHARS and len(result["description"]) <= DESCRIPTION_CHARS
    text = result["input_message_content"]["message_text"]
    assert result["input_message_content"]["parse_mode"] == "HTML"
    plain, _ = parse_html(text)  # valid HTML: the entry's own markup characters are escaped
    assert plain.startswith("<b>Drift & co</b>")
    assert units(text) <= MESSAGE_LIMIT
    for item in pack.answerables.values():
        drawn = article(item).to_dict()
        assert len(drawn["id"].encode()) <= 64
        assert units(drawn["input_message_content"]["message_text"]) <= MESSAGE_LIMIT
