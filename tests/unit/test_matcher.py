"""The matcher: paraphrases land on their entry, near misses ask, off-topic falls back politely."""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path

import pytest

from bot.core.matcher import Matcher, MatchResult
from bot.model import load_encoder
from tests.support import matcher_cases
from tests.support.content import shared_pack

DATA = Path(__file__).parents[1] / "data"


@pytest.fixture(scope="module")
def matcher(fused_matcher: Matcher) -> Matcher:
    return fused_matcher


@pytest.mark.parametrize(
    ("question", "topic"),
    matcher_cases.PARAPHRASES,
)
def test_paraphrases_land_on_their_topic(matcher: Matcher, question: str, topic: str) -> None:
    """A learner's wording, typos and slang included, is answered from the right topic."""
    result = matcher.match(question)
    assert result.status == "answer", (question, result.status, result.ranked[:3])
    assert result.entry is not None and result.entry.topic in topic.split("|"), result.entry.id


def test_comparison_word_order_does_not_matter(matcher: Matcher) -> None:
    """Both orders of a comparison question land on the same comparison row."""
    first = matcher.match("monitoring in devops vs mlops")
    second = matcher.match("mlops vs devops monitoring")
    assert first.entry is not None and second.entry is not None
    assert first.entry.id == second.entry.id
    assert first.entry.topic == "monitoring"


@pytest.mark.parametrize(
    "question",
    matcher_cases.OFF_TOPIC,
)
def test_off_topic_falls_back_without_a_fact(matcher: Matcher, question: str) -> None:
    """Off-topic questions, even those reusing the subject's words, get the polite fallback."""
    result = matcher.match(question)
    assert result.status == "fallback", (question, result.ranked[:3])
    assert result.entry is None
    assert result.fallback_topics, "a fallback offers topics to try"
    assert "DevOps" in result.reply


@pytest.mark.parametrize(
    "question",
    [
        "what are the features of a good resume",
        "what's the best data plan for my phone",
    ],
)
def test_everyday_sense_of_a_subject_word_is_never_answered(
    matcher: Matcher, question: str
) -> None:
    """One subject word used in its everyday sense gets at most a "did you mean", never a fact."""
    assert matcher.match(question).status != "answer"


def test_vague_question_asks_did_you_mean(matcher: Matcher) -> None:
    """A short, ambiguous question gets up to three suggestions instead of a guess."""
    result = matcher.match("pipelines")
    assert result.status in {"suggest", "answer"}
    if result.status == "suggest":
        assert 1 <= len(result.suggestions) <= 3
        assert len({s.id for s in result.suggestions}) == len(result.suggestions)


def test_suggestions_are_distinct_entries_when_asked(matcher: Matcher) -> None:
    """Whenever the matcher suggests, it offers distinct entries with button-sized titles."""
    suggested = [
        r
        for q in ("versioning", "model", "data", "deploy", "team")
        if (r := matcher.match(q)).status == "suggest"
    ]
    assert suggested, "at least one vague one-word question should be a suggest"
    for result in suggested:
        ids = [s.id for s in result.suggestions]
        assert len(ids) == len(set(ids)) <= 3
        assert all(len(s.title) <= 64 for s in result.suggestions)


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("hi", "greeting"),
        ("Hello there!", "greeting"),
        ("thanks!", "thanks"),
        ("thank you so much", "thanks"),
        ("thx", "thanks"),
        ("help", "help"),
        ("   ", "empty"),
        # About the tutor itself: "who made you" was answered with the data-versioning entry.
        ("who made you", "about"),
        ("how r u", "about"),
        ("are you a bot?", "about"),
        ("are you chatgpt", "about"),
        ("what can you do", "about"),
        ("tell me about yourself", "about"),
    ],
)
def test_smalltalk_gets_a_fitting_reply(matcher: Matcher, message: str, kind: str) -> None:
    """Greetings get a greeting, thanks get a reply, and nothing is mistaken for a question."""
    result = matcher.match(message)
    assert result.smalltalk == kind
    assert result.status == "fallback" and result.entry is None and result.reply


@pytest.mark.parametrize(
    "question", ["can you explain data drift", "do you know what mlops is", "who made kubeflow"]
)
def test_a_subject_question_addressed_to_the_bot_is_still_a_question(
    matcher: Matcher, question: str
) -> None:
    assert matcher.match(question).smalltalk is None


def test_greeting_with_a_question_answers_the_question(matcher: Matcher) -> None:
    """'hi, what is drift?' is a question, not just a greeting."""
    result = matcher.match("hi, what is model drift?")
    assert result.smalltalk is None and result.status == "answer"
    assert result.entry is not None and result.entry.topic == "drift"


def test_answer_entry_and_topic_entry_resolve_buttons(matcher: Matcher) -> None:
    """Pressing a suggestion or topic button answers it; unknown ids give None."""
    answered = matcher.answer_entry("cmp-testing")
    assert answered is not None and answered.status == "answer"
    assert "DevOps:" in answered.reply
    assert matcher.answer_entry("no-such-entry") is None
    topical = matcher.topic_entry("drift")
    assert topical is not None and topical.entry is not None and topical.entry.topic == "drift"
    assert matcher.topic_entry("no-such-topic") is None


HOSTILE = [
    "",
    "\t",
    "🔥" * 3000,
    "b" * 100_000,
    "Robert'); DROP TABLE Students;--",
    "<b>bold</b> <a href='tg://user?id=1'>x</a> **markdown** __u__",
    "&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;",
    "\u2067بيانات\u2069 drift \u200f",
    "zero\u200bwidth\u200d joiner\ufeff",
    "control\x00\x01\x07\x1b[31m chars",
    "%d%d%d %.1000000f %c",
    "機械学習の運用とは何ですか？ 🇯🇵",
    "Что такое MLOps?",
    " \n" * 4000,
    "?!?!?!...,,,;;;",
    "a" * 5000 + " drift",
]


@pytest.mark.parametrize("message", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_input_always_gets_a_reply_quickly(matcher: Matcher, message: str) -> None:
    """Any input, however odd or huge, gets a non-empty reply in well under a second."""
    start = time.perf_counter()
    result = matcher.match(message)
    assert time.perf_counter() - start < 0.5
    assert isinstance(result, MatchResult)
    assert result.reply.strip()
    assert len(result.query) <= 400


def test_matching_is_deterministic(matcher: Matcher) -> None:
    """The same question gives the same result every time (no hidden state between calls)."""
    first = matcher.match("how does versioning differ in ml")
    for _ in range(3):
        again = matcher.match("how does versioning differ in ml")
        assert (again.status, again.entry, again.score) == (first.status, first.entry, first.score)


def _qa(name: str) -> dict[str, list[dict]]:
    data = json.loads((DATA / name).read_text(encoding="utf-8"))
    for item in data["hostile"]:
        if "q_repeat" in item:
            item["q"] = item["q_repeat"] * item["times"]
    return data


def _found(item: dict, result: MatchResult) -> bool:
    text = result.reply.casefold()
    return result.status == "answer" and all(
        any(keyword.casefold() in text for keyword in group) for group in item["expect"]
    )


def _judge(qa: dict, answer) -> tuple[float, float, float, list[str], list[str]]:
    """In-scope right, confidently wrong (answered with the wrong entry), off-topic declined."""
    results = [(i, answer(i["q"])) for i in qa["in_scope"]]
    misses = [i["q"] for i, r in results if not _found(i, r)]
    wrong = [i["q"] for i, r in results if r.status == "answer" and not _found(i, r)]
    accepted = [i["q"] for i in qa["off_topic"] if answer(i["q"]).status != "fallback"]
    for item in qa["hostile"]:
        assert answer(item["q"]).reply.strip()
    total = len(qa["in_scope"])
    return (
        1 - len(misses) / total,
        len(wrong) / total,
        1 - len(accepted) / len(qa["off_topic"]),
        misses,
        accepted,
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "in_scope_floor"),
    [("qa_dev.json", 0.97), ("qa_holdout.json", 0.96), ("qa_blind.json", 0.92)],
)
def test_learner_question_set_quality(matcher: Matcher, name: str, in_scope_floor: float) -> None:
    """The fused matcher: in-scope right above the floor, at most 3% answered with the wrong
    entry, off-topic >= 95% declined.

    The held-out and blind sets were written without reading the content. The blind set (120
    in-scope, 40 off-topic) was never used to tune the lexical matcher; the fusion thresholds
    were chosen on all three (see bot/core/fusion.py).
    """
    in_scope, wrong, off_topic, misses, accepted = _judge(_qa(name), matcher.match)
    assert in_scope >= in_scope_floor, misses
    assert wrong <= 0.03, misses
    assert off_topic >= 0.95, accepted


@pytest.mark.parametrize(
    ("name", "in_scope_floor"),
    [("qa_dev.json", 0.90), ("qa_holdout.json", 0.85), ("qa_blind.json", 0.80)],
)
def test_lexical_fallback_quality(matcher: Matcher, name: str, in_scope_floor: float) -> None:
    """Without the model (weights missing or damaged) the words alone keep their old floors."""
    in_scope, _, off_topic, misses, accepted = _judge(_qa(name), matcher.lexical_match)
    assert in_scope >= in_scope_floor, misses
    assert off_topic >= 0.90, accepted


@pytest.mark.slow
def test_second_blind_set_floor(matcher: Matcher) -> None:
    """The second blind set (193 in-scope, 65 off-topic, 25 hostile), written by someone who
    never saw the content or the other sets, arrived after the fusion policy was fixed and is
    check-only: floors a little under its first measurement (90.7% right, 6.2% confidently
    wrong, 93.8% declined) guard against regressions. Failures report counts only, so that
    nobody tunes on its questions."""
    in_scope, wrong, off_topic, misses, accepted = _judge(_qa("qa_blind2.json"), matcher.match)
    assert in_scope >= 0.88, f"{len(misses)} in-scope questions missed"
    assert wrong <= 0.07, f"{wrong:.1%} answered with the wrong entry"
    assert off_topic >= 0.92, f"{len(accepted)} off-topic questions not declined"


def test_the_encoder_reads_misspellings_mended(matcher: Matcher) -> None:
    """MiniLM splits a typo into word pieces that mean nothing: the words it does not know
    whole are mended to the pack's nearest word; real words and the pack's own terms stay."""
    # Each typo here has one nearest word in the pack (a tie would go to the pack's most used
    # word, which moves as the content grows).
    words = ["which", "datset", "and", "experimnets", "monitorng", "my", "teacher", "mlops", "x9z"]
    assert matcher.encoder_text(words) == (
        "which dataset and experiments monitoring my teacher mlops x9z"
    )
    assert matcher.encoder_text([]) == ""


def test_typos_written_into_alternatives_are_mended_like_a_learners(
    matcher: Matcher, tmp_path: Path
) -> None:
    """Authors write alternatives with learners' typos on purpose. Such a typo must not join the
    words a question's typo is mended towards (the encoder would then read "modle" as word
    pieces, in the question and in the phrasing alike): both sides read "model"."""
    pack = shared_pack()
    entry = pack.answerables["degradation-why"]
    typo = "my modle keeps gettin worse, deploymnet was fine"
    with_typo = dataclasses.replace(entry, questions=(*entry.questions, typo))
    others = [e for e in pack.answerables.values() if e.topic in ("ci", "cd", "drift")]
    small = dataclasses.replace(pack, answerables={e.id: e for e in (with_typo, *others)})
    typed = Matcher(small, load_encoder(), cache_dir=tmp_path)
    assert typed.encoder_text(["modle", "deploymnet"]) == "model deployment"
    assert typed.phrasing_text(typo) == "my model keeps getting worse deployment was fine"
    assert typed.match("why is my modle getting worse").entry == with_typo


def test_inflected_real_words_are_not_mended(matcher: Matcher) -> None:
    """Word pieces split "dumber" into dumb + er although it is spelt right; mending it to the
    pack's "number" turned "model getting dumber over time" into a question about numbers.
    A vocabulary word with a regular ending is a real word and stays; typos are still mended."""
    words = ["model", "getting", "dumber", "accuracy", "tanking", "happier", "datset"]
    assert matcher.encoder_text(words) == "model getting dumber accuracy tanking happier dataset"
    # Towards one of the subject's own words, a look-alike is still mended: "traning" is not
    # "tran" + "ing".
    assert matcher.encoder_text(["continuous", "traning"]) == "continuous training"
    # A doubled or dropped letter leaves the two words one base: still a typo.
    typed = ["writting", "runing", "geting", "stoped", "improvment"]
    assert matcher.encoder_text(typed) == "writing running getting stopped improvement"


def test_contractions_and_short_everyday_words_are_not_mended(matcher: Matcher) -> None:
    """ "can't" arrives as "cant" and was "mended" to "want", turning a negation around; a
    four-letter word is one edit from many others ("gist" is not "list")."""
    words = matcher.text.words("why can't we just use devops, i don't get the gist")
    assert matcher.encoder_text(words) == "why cant we just use devops i dont get the gist"


def test_typos_in_glossary_aliases_do_not_become_known_words(matcher: Matcher) -> None:
    """Glossary aliases carry learners' misspellings ("continous", "pipline") as alternatives
    do: they are mended like any question's typo, not kept as if spelt right."""
    typed = ["continous", "retraning", "pipline", "registery"]
    assert matcher.encoder_text(typed) == "continuous retraining pipeline registry"


def test_a_long_message_reaches_the_encoder_shortened(matcher: Matcher) -> None:
    """The encoder's time grows with length: past 24 words a message loses its stopwords,
    then its middle, keeping the setting (first words) and the question (last ones)."""
    story = (
        "long story but last spring we launched a pricing model for our online shop and it "
        "was great and then over the summer and autumn its forecasts slowly got worse and "
        "worse although nobody on our small analytics team touched the training code or the "
        "deployment scripts at all so why does the model drift"
    )
    words = matcher.encoder_text(matcher.text.words(story)).split()
    assert len(words) == 24
    assert words[:3] == ["long", "story", "last"]
    assert words[-3:] == ["scripts", "model", "drift"]
    assert not set(words) & {"the", "and", "it", "was", "so"}
    short = "why does my model drift when nobody touched the code"
    assert matcher.encoder_text(matcher.text.words(short)) == short
