"""Which topic `/quiz <words>` practises: the words name a topic, or the matcher finds one.

The words are read the way free text is (the same matcher), so "/quiz drift", "/quiz data
drift" and "/quiz mlflow" each land on the topic of the entry the learner would get an answer
from. A topic's id or title typed exactly wins before the matcher (the matcher answers
questions, and a bare topic name is not always one). When the matcher is unsure ("did you
mean"), the suggested entries' topics are offered to choose from; when it finds nothing, there
is no topic.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.content import ContentPack, Topic
from bot.core.matcher import Matcher

__all__ = ["TopicPick", "pick_topic", "quizzable"]


@dataclass(frozen=True, slots=True)
class TopicPick:
    topic: Topic | None  # the topic the words name (it may have no quiz items: see quizzable)
    choices: tuple[Topic, ...] = ()  # when unsure: topics with quiz items to choose from


def quizzable(pack: ContentPack, topic_id: str) -> bool:
    """Whether the topic has at least one quiz item to practise it with."""
    return any(q.topic == topic_id for q in pack.quiz.values())


def pick_topic(words: str, pack: ContentPack, matcher: Matcher) -> TopicPick:
    wanted = " ".join(words.split()).casefold()
    if not wanted:
        return TopicPick(None)
    for topic in pack.topics.values():
        if wanted in (topic.id, topic.title.casefold()):
            return TopicPick(topic)
    result = matcher.match(wanted)
    if result.status == "answer" and result.entry is not None:
        return TopicPick(pack.topics.get(result.entry.topic))
    if result.status == "suggest":
        seen: dict[str, Topic] = {}
        for entry in result.suggestions:
            suggested = pack.topics.get(entry.topic)
            if suggested is not None and quizzable(pack, suggested.id):
                seen.setdefault(suggested.id, suggested)
        if len(seen) == 1:
            return TopicPick(next(iter(seen.values())))
        return TopicPick(None, tuple(seen.values()))
    return TopicPick(None)
