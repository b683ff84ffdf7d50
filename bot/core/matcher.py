"""Find the content entry a learner's message is about, or admit that there is none.

Two signals are combined:
- a lexical score: IDF-weighted overlap between the query's stems and each entry's stems (its
  questions, keywords and, with less weight, its answer), which handles synonyms and word order;
- a fuzzy score: rapidfuzz similarity between the normalised query and each phrasing of each entry,
  which handles typos and close paraphrases.
A query whose meaningful words are mostly unknown to the pack is off-topic however well one
ambiguous word matches ("how do I drift in Mario Kart"): its confidence is scaled by how much of
the query the pack knows, so it falls back instead of stating a wrong fact.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from bot.core.content import Answerable, ContentPack, Topic
from bot.core.text import STOPWORDS, clean, content_stems, normalised, stem, words

Status = Literal["answer", "suggest", "fallback"]
Smalltalk = Literal["greeting", "thanks", "help", "empty"]

# Confidence thresholds on the 0-100 scale, tuned on a tuning set written apart from the dev set.
ANSWER_THRESHOLD = 52.0
SUGGEST_THRESHOLD = 34.0
# When the best two entries are this close and about different topics, ask instead of guessing.
CLOSE_MARGIN = 3.0
MAX_SUGGESTIONS = 3

_QUESTION_WEIGHT = 1.0
_KEYWORD_WEIGHT = 0.8
_ANSWER_WEIGHT = 0.35

_GREETINGS = frozenset(
    "hi hello hey hiya howdy yo sup hallo hola heya greetings morning evening afternoon".split()
)
_THANKS = frozenset("thanks thank thankyou thx ty cheers appreciated appreciate great".split())
_HELP = frozenset("help menu start commands command options".split())
_FILLER = frozenset(
    "good you so much a lot very bot there all folks guys the day man mate".split()
)

FALLBACK_REPLY = (
    "I'm not sure that's something I can help with. I know about DevOps and MLOps: pipelines, "
    "testing, monitoring, drift, versioning, teams and tools. Try one of these topics, or ask "
    "me a question about them."
)
GREETING_REPLY = (
    "Hi! I'm your MLOps vs DevOps tutor. Ask me anything, like \"how is testing different in "
    'MLOps?", or pick a topic below.'
)
THANKS_REPLY = "You're welcome! Ask me another question whenever you like."
HELP_REPLY = (
    'Ask me a question in your own words, for example "what is data drift?" or "devops vs mlops '
    'versioning". You can also pick a topic below.'
)
EMPTY_REPLY = "I didn't catch a question there. Type one in words, or pick a topic below."
SUGGEST_REPLY = "I'm not completely sure what you mean. Did you mean one of these?"

_STARTER_TOPICS = ("main-difference", "drift", "mlops-pipeline", "testing", "tools")


@dataclass(frozen=True, slots=True)
class Match:
    entry: Answerable
    score: float


@dataclass(frozen=True, slots=True)
class MatchResult:
    """The matcher's verdict on one message, with the plain text a learner should see."""

    query: str
    status: Status
    entry: Answerable | None
    score: float
    suggestions: tuple[Answerable, ...]
    smalltalk: Smalltalk | None
    reply: str
    related: tuple[Answerable, ...]
    fallback_topics: tuple[Topic, ...]
    ranked: tuple[Match, ...] = ()


class Matcher:
    """An index over every answerable entry of a content pack; `match` is pure and thread-safe."""

    def __init__(self, pack: ContentPack) -> None:
        self._pack = pack
        self._entries: list[Answerable] = list(pack.answerables.values())
        self._by_topic: dict[str, list[Answerable]] = defaultdict(list)
        for entry in self._entries:
            self._by_topic[entry.topic].append(entry)

        # Lexical side: per-entry weighted bags of stems, and IDF over entries.
        bags: list[dict[str, float]] = []
        for entry in self._entries:
            bag: dict[str, float] = defaultdict(float)
            for weight, texts in (
                (_QUESTION_WEIGHT, entry.questions),
                (_KEYWORD_WEIGHT, entry.keywords),
                (_ANSWER_WEIGHT, (entry.answer,)),
            ):
                for text in texts:
                    for token in set(content_stems(text)):
                        bag[token] = max(bag[token], weight)
            bags.append(dict(bag))
        df = Counter(token for bag in bags for token in bag)
        n = len(bags)
        self._idf = {token: math.log(1 + n / count) for token, count in df.items()}
        self._max_idf = math.log(1 + n)
        self._postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        self._norms: list[float] = []
        for index, bag in enumerate(bags):
            for token, weight in bag.items():
                self._postings[token].append((index, weight * self._idf[token]))
            self._norms.append(math.sqrt(sum((w * self._idf[t]) ** 2 for t, w in bag.items())))
        self._vocabulary = sorted(self._idf)
        self._known_words = {
            w
            for entry in self._entries
            for text in (*entry.questions, *entry.keywords, entry.answer)
            for w in words(text)
        }

        # Fuzzy side: every phrasing of every entry, normalised the same way as queries.
        self._phrases: list[str] = []
        self._phrase_owner: list[int] = []
        for index, entry in enumerate(self._entries):
            for text in (*entry.questions, *entry.keywords):
                phrase = normalised(text)
                if phrase:
                    self._phrases.append(phrase)
                    self._phrase_owner.append(index)

    # --- public API -----------------------------------------------------------------------------

    def match(self, text: str) -> MatchResult:
        query = clean(text)
        small = _smalltalk(query)
        if small is not None:
            return self._smalltalk_result(query, small)
        ranked = self.rank(query)
        if not ranked:
            return self._fallback(query, 0.0, ())
        best = ranked[0]
        runner_up = ranked[1] if len(ranked) > 1 else None
        close_call = (
            runner_up is not None
            and best.score - runner_up.score < CLOSE_MARGIN
            and runner_up.entry.topic != best.entry.topic
        )
        if best.score >= ANSWER_THRESHOLD and not close_call:
            return self._answer(query, best.entry, best.score, tuple(ranked))
        if best.score >= SUGGEST_THRESHOLD:
            suggestions = tuple(m.entry for m in ranked[:MAX_SUGGESTIONS])
            return MatchResult(
                query=query,
                status="suggest",
                entry=None,
                score=round(best.score, 1),
                suggestions=suggestions,
                smalltalk=None,
                reply=SUGGEST_REPLY,
                related=(),
                fallback_topics=(),
                ranked=tuple(ranked),
            )
        return self._fallback(query, best.score, tuple(ranked))

    def answer_entry(self, entry_id: str) -> MatchResult | None:
        """The answer for a known entry id (a pressed "did you mean" or related button)."""
        entry = self._pack.answerable(entry_id)
        if entry is None:
            return None
        return self._answer(entry.title, entry, 100.0, ())

    def topic_entry(self, topic_id: str) -> MatchResult | None:
        """The first entry of a topic (a pressed topic button on a fallback)."""
        entries = self._by_topic.get(topic_id)
        return self.answer_entry(entries[0].id) if entries else None

    def entries_for_topic(self, topic_id: str) -> tuple[Answerable, ...]:
        return tuple(self._by_topic.get(topic_id, ()))

    def rank(self, text: str, limit: int = 8) -> list[Match]:
        """Entries ordered by confidence (0-100); empty when the query has no meaningful words."""
        query_words = [w for w in words(text) if w not in STOPWORDS]
        if not query_words:
            return []
        stems, known_fraction = self._query_stems(query_words)
        if not stems:
            return []
        lexical = self._lexical_scores(stems)
        fuzzy = self._fuzzy_scores(" ".join(words(text)))
        scores: dict[int, float] = {}
        for index in set(lexical) | set(fuzzy):
            combined = 0.65 * lexical.get(index, 0.0) * 100 + 0.35 * fuzzy.get(index, 0.0)
            scores[index] = combined * _coverage_penalty(known_fraction)
        ordered = sorted(scores.items(), key=lambda item: -item[1])[:limit]
        return [Match(self._entries[i], round(min(score, 100.0), 1)) for i, score in ordered]

    # --- internals ------------------------------------------------------------------------------

    def _query_stems(self, query_words: list[str]) -> tuple[dict[str, float], float]:
        """Typo-corrected query stems with weights, and the share of the query the pack knows."""
        stems: dict[str, float] = {}
        known = total = 0.0
        for word in query_words:
            token = stem(word)
            weight = 1.0
            if token not in self._idf:
                corrected = self._correct(word)
                if corrected is not None:
                    token, weight = corrected, 0.8
            idf = self._idf.get(token, self._max_idf)
            total += idf
            if token in self._idf:
                known += idf * weight
                stems[token] = max(stems.get(token, 0.0), weight)
        return stems, (known / total if total else 0.0)

    def _correct(self, word: str) -> str | None:
        """The indexed stem a misspelt word most likely meant, if it is one or two edits away."""
        if len(word) < 4 or not word.isalpha():
            return None
        budget = 1 if len(word) < 8 else 2
        found = process.extractOne(
            word, self._known_words, scorer=Levenshtein.distance, score_cutoff=budget
        )
        if found is None:
            return None
        token = stem(found[0])
        return token if token in self._idf else None

    def _lexical_scores(self, stems: dict[str, float]) -> dict[int, float]:
        """Cosine similarity between the query's weighted stems and each entry's bag."""
        dot: dict[int, float] = defaultdict(float)
        query_norm = 0.0
        for token, weight in stems.items():
            q = weight * self._idf[token]
            query_norm += q * q
            for index, w in self._postings[token]:
                dot[index] += q * w
        if not query_norm:
            return {}
        query_norm = math.sqrt(query_norm)
        # A cosine of ~0.6 already means a strong match for short texts; stretch it towards 1.
        return {i: min(1.0, (d / (query_norm * self._norms[i])) * 1.45) for i, d in dot.items()}

    def _fuzzy_scores(self, query: str) -> dict[int, float]:
        best: dict[int, float] = {}
        for _, score, position in process.extract(
            query, self._phrases, scorer=fuzz.token_sort_ratio, limit=24, score_cutoff=40
        ):
            owner = self._phrase_owner[position]
            best[owner] = max(best.get(owner, 0.0), score)
        return best

    def _answer(
        self, query: str, entry: Answerable, score: float, ranked: tuple[Match, ...]
    ) -> MatchResult:
        related = tuple(
            item for item in (self._pack.answerable(r) for r in entry.related) if item is not None
        )
        return MatchResult(
            query=query,
            status="answer",
            entry=entry,
            score=round(score, 1),
            suggestions=(),
            smalltalk=None,
            reply=entry.answer,
            related=related,
            fallback_topics=(),
            ranked=ranked,
        )

    def _fallback(self, query: str, score: float, ranked: tuple[Match, ...]) -> MatchResult:
        reply = FALLBACK_REPLY if query else EMPTY_REPLY
        return MatchResult(
            query=query,
            status="fallback",
            entry=None,
            score=round(score, 1),
            suggestions=(),
            smalltalk=None if query else "empty",
            reply=reply,
            related=(),
            fallback_topics=self._starter_topics(),
            ranked=ranked,
        )

    def _smalltalk_result(self, query: str, kind: Smalltalk) -> MatchResult:
        reply = {
            "greeting": GREETING_REPLY,
            "thanks": THANKS_REPLY,
            "help": HELP_REPLY,
            "empty": EMPTY_REPLY,
        }[kind]
        return MatchResult(
            query=query,
            status="fallback",
            entry=None,
            score=0.0,
            suggestions=(),
            smalltalk=kind,
            reply=reply,
            related=(),
            fallback_topics=self._starter_topics(),
        )

    def _starter_topics(self) -> tuple[Topic, ...]:
        return tuple(self._pack.topics[t] for t in _STARTER_TOPICS if t in self._pack.topics)


def _coverage_penalty(known_fraction: float) -> float:
    """Full confidence when the pack knows the whole query; falls off fast below two thirds."""
    if known_fraction >= 0.75:
        return 1.0
    return max(0.0, known_fraction / 0.75) ** 2


def _smalltalk(query: str) -> Smalltalk | None:
    """Recognise a message that is only a greeting, thanks or a request for help."""
    tokens = [t for t in words(query)]
    if not tokens:
        return "empty"
    if len(tokens) > 6:
        return None
    meaningful = [t for t in tokens if t not in _FILLER]
    if not meaningful:
        return None
    if all(t in _THANKS for t in meaningful):
        return "thanks"
    if all(t in _GREETINGS for t in meaningful):
        return "greeting"
    if all(
        t in _HELP or t in {"what", "can", "do", "how", "use", "this", "i", "me"}
        for t in meaningful
    ) and any(t in _HELP for t in meaningful):
        return "help"
    return None
