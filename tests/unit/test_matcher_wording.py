"""The matcher on everyday wording: idioms, slang for roles, and one-discipline questions."""

from __future__ import annotations

import pytest

from bot.core.matcher import Matcher


@pytest.fixture(scope="module")
def matcher(fused_matcher: Matcher) -> Matcher:
    return fused_matcher


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("the data folks who build the models, what do they do in mlops", "data-scientists"),
        ("the number crunchers in our team, what is their role in mlops", "data-scientists"),
        ("how do i keep an eye on a model after it goes live", "monitoring"),
        ("explain devops, i'm not technical", "devops-definition"),
        ("wat does ci stand for and what does it do", "ci"),
        ("in which ways do both disciplines overlap", "shared-goals"),
        ("how can i tell whether a deployed model does a good job", "monitoring"),
        ("how can i tell if my model has drifted", "drift"),
        ("in plain words, how are devops and mlops different", "main-difference"),
        ("what is machine lerning operations", "mlops-definition"),
    ],
)
def test_everyday_wording_lands_on_its_topic(matcher: Matcher, question: str, topic: str) -> None:
    """Idioms, slang for people and audience qualifiers do not push a question off its topic."""
    result = matcher.match(question)
    assert result.status == "answer", (question, result.status, result.ranked[:3])
    assert result.entry is not None and result.entry.topic == topic, result.entry.id


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("mlops stages in order", "mlops-pipeline"),
        ("devops phases in order", "devops-pipeline"),
    ],
)
def test_one_discipline_question_gets_that_disciplines_pipeline(
    matcher: Matcher, question: str, topic: str
) -> None:
    """Steps, stages and phases are one concept, and naming one discipline picks its pipeline."""
    result = matcher.match(question)
    assert result.status == "answer", (question, result.status, result.ranked[:3])
    assert result.entry is not None and result.entry.topic == topic, result.entry.id


@pytest.mark.parametrize(
    "question",
    [
        "when does the new phone go live in stores",
        "how do i keep an eye on my toddler",
        "customer service number for my bank",
        "our branch manager keeps changing the rota",
        "what stage of pregnancy is the hardest",
        "which car model holds its value best",
        "is it healthy for teens to have a fashion model as a role model",
        "how should i version my cv for each job application",
        "how do i keep an eye on my weight",
        "when does the new season go live on netflix",
        "is there a good free spell checker",
        "are both disciplines of the triathlon equally hard",
        "which api should i use for weather forecasts",
        "my repository of recipes is getting messy, how to organise it",
    ],
)
def test_everyday_idioms_alone_stay_off_topic(matcher: Matcher, question: str) -> None:
    """The idioms and weak subject words added for learners do not make everyday talk on-topic."""
    assert matcher.match(question).status == "fallback"


def test_specific_question_with_a_narrow_lead_is_answered(matcher: Matcher) -> None:
    """A question of several meaningful words is answered when its leader is 1.5-3 points ahead."""
    result = matcher.match("how do u keep track of hundreds of training runs")
    assert result.status == "answer", result.ranked[:3]
    assert result.entry is not None and result.entry.topic == "experiment-tracking"
