"""The matcher on everyday wording: idioms, slang for roles, and one-discipline questions."""

from __future__ import annotations

import pytest

from bot.core.matcher import Matcher
from tests.support import matcher_cases


@pytest.fixture(scope="module")
def matcher(fused_matcher: Matcher) -> Matcher:
    return fused_matcher


def assert_answers_topic(matcher: Matcher, question: str, topic: str) -> None:
    result = matcher.match(question)
    assert result.status == "answer", (question, result.status, result.ranked[:3])
    assert result.entry is not None and result.entry.topic == topic, result.entry.id


@pytest.mark.parametrize(
    ("question", "topic"),
    matcher_cases.EVERYDAY_WORDING,
)
def test_everyday_wording_lands_on_its_topic(matcher: Matcher, question: str, topic: str) -> None:
    """Idioms, slang for people and audience qualifiers do not push a question off its topic."""
    assert_answers_topic(matcher, question, topic)


@pytest.mark.parametrize(
    ("question", "topic"),
    matcher_cases.ONE_DISCIPLINE,
)
def test_one_discipline_question_gets_that_disciplines_pipeline(
    matcher: Matcher, question: str, topic: str
) -> None:
    """Steps, stages and phases are one concept, and naming one discipline picks its pipeline."""
    assert_answers_topic(matcher, question, topic)


@pytest.mark.parametrize(
    "question",
    matcher_cases.EVERYDAY_IDIOMS,
)
def test_everyday_idioms_alone_stay_off_topic(matcher: Matcher, question: str) -> None:
    """The idioms and weak subject words added for learners do not make everyday talk on-topic."""
    assert matcher.match(question).status == "fallback"


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        # From a tuning set of situation-worded questions: no one phrasing of the right entry is
        # the closest, but the entry classifier, which reads all of them, puts it first.
        ("how do teams decide which model version goes to prod", "model-registry"),
        (
            "we retrained last month and now cant tell which csv the current model came from. "
            "how do ppl track that",
            "data-versioning",
        ),
        (
            "before we had pipelines our releases were a nightmare every friday. what is devops "
            "supposed to improve exactly",
            "devops-goal",
        ),
    ],
)
def test_a_situation_finds_the_entry_its_phrasings_share(
    matcher: Matcher, question: str, topic: str
) -> None:
    assert_answers_topic(matcher, question, topic)


def test_specific_question_with_a_narrow_lead_is_answered(matcher: Matcher) -> None:
    """A question of several meaningful words is answered when its leader is 1.5-3 points ahead."""
    result = matcher.match("how do u keep track of hundreds of training runs")
    assert result.status == "answer", result.ranked[:3]
    assert result.entry is not None and result.entry.topic == "experiment-tracking"


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("mlops = devops?", "mlops the same as devops"),
        ("mlops=devops", "mlops the same as devops"),
        ("mlops != devops", "mlops not the same as devops"),
        ("devops -> mlops", "devops to mlops"),
        ("devops → mlops", "devops to mlops"),
        ("$$$ devops or mlops", "money devops or mlops"),
        ("devops + python", "devops and python"),
        ("data & code", "data and code"),
        # Symbols inside a word are part of it.
        ("c++ or c#", "c++ or c#"),
        ("ci+cd", "ci+cd"),
        ("q&a", "q a"),
        ("mlops =/= devops", "mlops not the same as devops"),
        ("latency <= 200 ms", "latency at most 200 ms"),
        ("+-+ === $", "and and the same as money"),
        # A run is read once, so a wall of symbols stays short.
        ("=" * 400, "the same as"),
        # A link is not a sentence.
        ("see https://x.io/?q=mlops&page=1", "see https x io q mlops page 1"),
    ],
)
def test_chat_symbols_are_read_as_the_words_they_stand_for(
    matcher: Matcher, typed: str, words: str
) -> None:
    """Learners type "=" for "the same as", "->" for "to", "$$$" for money: dropped as
    punctuation, "mlops = devops?" was just "mlops devops" and answered as a career switch."""
    assert " ".join(matcher.text.words(typed)) == words


def test_a_money_symbol_asks_about_pay(matcher: Matcher) -> None:
    result = matcher.match("$$$ devops or ml ops?")
    assert result.status == "answer" and result.entry is not None
    assert result.entry.topic == "salary", result.entry.id
