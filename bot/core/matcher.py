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
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, Levenshtein

from bot.core.content import Answerable, ContentPack, Topic
from bot.core.encoder import Encoder
from bot.core.fusion import DEFAULT_POLICY, FusionPolicy, Status, Verdict, fuse
from bot.core.semantic import SemanticIndex
from bot.core.text import STOPWORDS, Normaliser, clean, inflection_bases

__all__ = [
    "ABOUT_REPLY",
    "ANSWER_THRESHOLD",
    "CLOSE_MARGIN",
    "EMPTY_REPLY",
    "FALLBACK_REPLY",
    "GREETING_REPLY",
    "HELP_REPLY",
    "MAX_SUGGESTIONS",
    "SPECIFIC_CLOSE_MARGIN",
    "SUGGEST_REPLY",
    "SUGGEST_THRESHOLD",
    "THANKS_REPLY",
    "Match",
    "MatchResult",
    "Matcher",
    "Smalltalk",
]

Smalltalk = Literal["greeting", "thanks", "help", "about", "empty"]

# Confidence thresholds on the 0-100 scale, tuned on a tuning set written apart from the dev set.
ANSWER_THRESHOLD = 35.0
SUGGEST_THRESHOLD = 31.0
# When the best two entries are this close and about different topics, ask instead of guessing.
CLOSE_MARGIN = 3.0
# A specific question (three or more meaningful words) carries more evidence, so a narrower lead
# is enough to answer it: measured on four learner sets, 1.5 turns seven "did you mean" menus into
# right answers for every one that becomes a wrong answer.
SPECIFIC_CLOSE_MARGIN = 1.5
MAX_SUGGESTIONS = 3

_QUESTION_WEIGHT = 1.0
_KEYWORD_WEIGHT = 0.8
_ANSWER_WEIGHT = 0.4
# How the confidence is built: lexical (phrase F-score and bag coverage) versus fuzzy string match.
_LEXICAL_SHARE = 0.75
_PHRASE_SHARE = 0.6
# Recall counts more than precision: a short query inside a long phrasing is still a good match.
_RECALL_BETA = 1.5
# Typo correction only for words long enough that one edit rarely turns them into another word.
_MIN_CORRECTABLE = 6
_CORRECTED_WEIGHT = 0.7
# Shorter words have too many one-edit neighbours to guess which one a typo meant.
_MIN_MENDABLE = 4
# The longest question the encoder reads in full, in words; longer ones lose their stopwords,
# then their middle (see `Matcher.encoder_text`).
_ENCODER_WORDS = 24
_ENCODER_HEAD_WORDS = 6
_PLAIN_WORD = re.compile(r"[a-z]+")
# Misspellings repeat; remembering a bounded number of corrections keeps lookups cheap.
_CORRECTION_CACHE = 20_000
# Fuzzy similarities below this are noise between unrelated phrases.
_FUZZY_FLOOR = 40
# A query with no word of the subject keeps at most this share of its confidence.
_NO_ANCHOR_PENALTY = 0.5
# ...and one whose only subject words are everyday ones ("salary of a teacher") keeps this share.
_WEAK_ANCHOR_PENALTY = 0.6
# A word the pack never uses weighs this share of the rarest known word in the coverage test.
_UNKNOWN_IDF_SHARE = 1.0
_COVERAGE_IDF_FLOOR = 1.0
# A question with exactly one subject word among three or more meaningful words keeps this share.
_SINGLE_SUBJECT_PENALTY = 0.8
_SPARSE_WORDS = 3
# Full confidence when the pack knows at least this share of the query.
_COVERAGE_FULL = 0.7
# A question naming both disciplines (or asking for a difference) prefers the comparison table.
_COMPARISON_CUES = frozenset({"devop", "mlop"})
_COMPARISON_BOOST = 1.08
# Everyday words ("people", "talk") are rare in the pack, so IDF alone over-rates them.
_GENERIC_WEIGHT = 0.7
# A clear leader is answered even below the answer threshold.
_DOMINANT_SCORE = 30.0
_DOMINANT_MARGIN = 12.0
# Close calls between topics only matter when the leader is not already convincing.
_CLOSE_CALL_CEILING = 50.0
_VAGUE_WORDS = 2
_EXACT_F_SCORE = 0.975
_ALTERNATIVE_TRUST = 0.99
# A phrasing about the other discipline only ("devops pipeline steps" for "mlops steps") is a
# weaker match than its shared words suggest.
_OTHER_DISCIPLINE = 0.85
_DISCIPLINES = ("mlop", "devop")
# The runner-up supports the leader when both are about the same topic.
_SAME_TOPIC_SUPPORT = 0.25

_GREETINGS = frozenset(
    "hi hello hey hiya howdy yo sup hallo hola heya greetings morning evening afternoon".split()
)
_THANKS = frozenset("thanks thank thankyou thx ty cheers appreciated appreciate great".split())
_HELP = frozenset("help menu start commands command options".split())
_FILLER = frozenset(
    "good you so much a lot very bot there all folks guys the day man mate".split()
)
# Questions about the tutor itself ("who made you", "are you a bot", "how are you"): every word
# that is not a stopword is one of these, and the question is addressed to the bot.
_ABOUT = frozenset(
    "made make built build created create wrote name human person real robot ai chatgpt gpt "
    "llm old doing going today work works".split()
)
_ADDRESSED = frozenset("you your yourself ya bot".split())

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
ABOUT_REPLY = (
    "I'm the MLOps vs DevOps tutor, and always glad to help: a program with a fixed set of "
    "lessons, answers and quizzes, not a person and not a general chat AI. Ask me a question in "
    "your own words, try /quiz, or pick a topic below."
)
SUGGEST_REPLY = "I'm not completely sure what you mean. Did you mean one of these?"

_STARTER_TOPICS = ("main-difference", "drift", "mlops-pipeline", "testing", "tools")


@dataclass(frozen=True, slots=True)
class Match:
    entry: Answerable
    score: float
    # The query says exactly what one of the entry's phrasings says (same meaningful words).
    exact: bool = False


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


def _proper_texts(entry: Answerable) -> tuple[str, ...]:
    """The texts of an entry written as proper English: its question, keywords and answer. A
    glossary term's keywords are its aliases, which carry misspellings like alternatives."""
    if entry.kind == "glossary":
        return (entry.questions[0], entry.answer)
    return (entry.questions[0], *entry.keywords, entry.answer)


class Matcher:
    """An index over every answerable entry of a content pack.

    `match` depends only on its input; the only things it writes are bounded caches of typo
    corrections and mendings. Give it one caller at a time (the Telegram adapter matches on one
    worker thread, `bot.tg.matching`); `answer_entry` and `topic_entry` only read, and may be
    called from anywhere.
    """

    def __init__(
        self,
        pack: ContentPack,
        encoder: Encoder | None = None,
        cache_dir: Path | None = None,
        policy: FusionPolicy = DEFAULT_POLICY,
    ) -> None:
        self._pack = pack
        self._policy = policy
        self._encoder = encoder
        vocabulary = pack.vocabulary
        self.text = Normaliser(
            vocabulary.phrases,
            vocabulary.words,
            vocabulary.synonyms,
            vocabulary.subject_words,
            vocabulary.everyday_subject_words,
        )
        self._entries: list[Answerable] = list(pack.answerables.values())
        self._positions = {entry.id: i for i, entry in enumerate(self._entries)}
        self._by_topic: dict[str, list[Answerable]] = defaultdict(list)
        for entry in self._entries:
            self._by_topic[entry.topic].append(entry)

        # Lexical side. Every phrasing is its own small document (nearest-paraphrase matching
        # generalises better than one big bag per entry), and each entry also has a bag of every
        # stem it uses, answer included, to reward queries phrased in the answer's vocabulary.
        bags: list[dict[str, float]] = []
        phrase_stems: list[frozenset[str]] = []
        self._phrase_owner: list[int] = []
        self._phrases: list[str] = []
        self._phrase_trust: list[float] = []
        for index, entry in enumerate(self._entries):
            bag: dict[str, float] = {}
            for weight, texts in (
                (_ANSWER_WEIGHT, (entry.answer,)),
                (_KEYWORD_WEIGHT, entry.keywords),
                (_QUESTION_WEIGHT, entry.questions),
            ):
                for text in texts:
                    for token in self.text.content_stems(text):
                        bag[token] = max(bag.get(token, 0.0), weight)
            bags.append(bag)
            # Keywords stay out: a one-word keyword would be a perfect "phrase" for any query
            # that is just that word.
            for order, text in enumerate(entry.questions):
                stems = frozenset(self.text.content_stems(text))
                if stems:
                    phrase_stems.append(stems)
                    self._phrase_owner.append(index)
                    self._phrases.append(self._content_words(text))
                    # The canonical question is the entry's best description; it wins ties.
                    self._phrase_trust.append(1.0 if order == 0 else _ALTERNATIVE_TRUST)
        df = Counter(token for bag in bags for token in bag)
        n = len(bags)
        self._idf = {token: math.log(1 + n / count) for token, count in df.items()}
        self._max_idf = math.log(1 + n)
        # Arrays, so that scoring a query is a handful of vectorised operations, not loops.
        self._owner = np.array(self._phrase_owner, dtype=np.int32)
        # Per discipline: the phrasings that name the other discipline and not this one.
        self._other_only = {
            name: np.array([other in p and name not in p for p in phrase_stems])
            for name, other in (_DISCIPLINES, _DISCIPLINES[::-1])
        }
        self._trust = np.array(self._phrase_trust)
        self._mass = np.array([sum(self._idf[t] for t in stems) for stems in phrase_stems])
        postings: dict[str, list[int]] = defaultdict(list)
        for position, stems in enumerate(phrase_stems):
            for token in stems:
                postings[token].append(position)
        self._phrase_postings = {t: np.array(p, dtype=np.int32) for t, p in postings.items()}
        bag_postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for index, bag in enumerate(bags):
            for token, weight in bag.items():
                bag_postings[token].append((index, weight))
        self._bag_postings = {
            t: (np.array([i for i, _ in p], dtype=np.int32), np.array([w for _, w in p]))
            for t, p in bag_postings.items()
        }
        # token_sort_ratio is ratio over sorted tokens: sort the phrases once, not per query.
        self._sorted_phrases = [" ".join(sorted(p.split())) for p in self._phrases]
        self._corrections: dict[str, str | None] = {}
        self._comparison_boost = np.array(
            [_COMPARISON_BOOST if e.kind == "comparison" else 1.0 for e in self._entries]
        )
        self._known_words = sorted(
            {
                w
                for entry in self._entries
                for text in (*entry.questions, *entry.keywords, entry.answer)
                for w in self.text.words(text)
                if len(w) >= _MIN_CORRECTABLE
            }
        )
        # Words an unknown query word may be mended to for the encoder (see `encoder_text`).
        # As written, not rewritten: "datset" should become "dataset", which the encoder knows.
        # Alternatives (and glossary aliases) stay out: authors write them with learners' typos
        # on purpose, and a typo in the pack must not become a word that the same typo in a
        # question is "mended" to.
        usage = Counter(
            w
            for entry in self._entries
            for text in _proper_texts(entry)
            for w in _PLAIN_WORD.findall(text.casefold())
            if len(w) >= _MIN_MENDABLE
        )
        self._mendable_set = frozenset(usage)
        # Most used first: of two words equally near a typo ("tets": "tests", "gets"), the
        # subject's common one wins.
        self._mendable_words = sorted(usage, key=lambda w: (-usage[w], w))
        self._mended: dict[str, str | None] = {}
        # Semantic side: every phrasing, read as the encoder reads a question (rewritten words,
        # typos mended), so that "modle" in an alternative is "model" to the encoder too.
        self._semantic: SemanticIndex | None = None
        if encoder is not None:
            owners, phrasings = [], []
            for index, entry in enumerate(self._entries):
                for text in entry.questions:
                    if encoded := self.phrasing_text(text):
                        owners.append(index)
                        phrasings.append(encoded)
            self._semantic = SemanticIndex(
                encoder, phrasings, owners, len(self._entries), cache_dir
            )

    @property
    def semantic(self) -> SemanticIndex | None:
        """The sentence-embedding index, or None when the matcher runs on words alone."""
        return self._semantic

    # --- public API -----------------------------------------------------------------------------

    def match(self, text: str) -> MatchResult:
        return self._match(text, fused=True)

    def lexical_match(self, text: str) -> MatchResult:
        """The verdict of the words alone, as if no embedding model were loaded."""
        return self._match(text, fused=False)

    def _match(self, text: str, *, fused: bool) -> MatchResult:
        query = clean(text)
        tokens = self.text.words(query)
        small = _smalltalk(tokens)
        if small is not None:
            return self._smalltalk_result(query, small)
        meaningful = [w for w in tokens if w not in STOPWORDS]
        scores, exact = self._score_words(meaningful)
        ranked = self._top(scores, exact)
        lexical = self._lexical_verdict(tokens, ranked)
        if not fused or self._semantic is None or not meaningful:
            return self._result(query, lexical, ranked)
        cosines = self._semantic.scores(self.encoder_text(tokens))
        verdict = fuse(
            lexical,
            scores,
            cosines,
            len(meaningful),
            self._entries,
            self._positions,
            self._policy,
            self._semantic.kinship,
        )
        return self._result(query, verdict, ranked)

    def encoder_text(self, tokens: list[str]) -> str:
        """What the sentence encoder reads: the rewritten words, misspellings corrected.

        The lexical corrector only moves a word towards the subject's own terms. The encoder
        also gets everyday misspellings ("automaticaly", "datset", "modle") mended towards any
        word of the pack, because its word pieces turn them into noise; a word the model knows
        whole is a real word and stays as typed ("teacher" is not a typo of "teaches").

        A long message is shortened first: the encoder's time grows with every word piece
        (about 0.2 ms each on one core; a 75-piece ramble took 17 ms), while its gist survives
        without the stopwords, in its first words (the setting) and its last (the question).
        """
        if len(tokens) > _ENCODER_WORDS:
            tokens = [w for w in tokens if w not in STOPWORDS] or tokens
            if len(tokens) > _ENCODER_WORDS:
                tail = _ENCODER_WORDS - _ENCODER_HEAD_WORDS
                tokens = tokens[:_ENCODER_HEAD_WORDS] + tokens[-tail:]
        words = []
        for w in tokens:
            corrected = self._correct(w) if self.text.stem(w) not in self._idf else None
            words.append(corrected or self._mend(w) or w)
        return " ".join(words)

    def phrasing_text(self, text: str) -> str:
        """A phrasing of the pack as the encoder reads it: the words a question gets (rewrites,
        mending) without the lexical corrector, which knows every word of the pack anyway."""
        return " ".join(self._mend(w) or w for w in self.text.words(text))

    def _mend(self, word: str) -> str | None:
        """The pack's word one edit from `word` (two for long words), when the encoder does not
        know `word` itself."""
        if (
            self._encoder is None
            or len(word) < _MIN_MENDABLE
            or not word.isalpha()
            # "dont", "cant": contractions with the apostrophe gone are words, not typos.
            or word in STOPWORDS
            or word in self._mendable_set
            or self._encoder.knows(word)
        ):
            return None
        if word in self._mended:
            return self._mended[word]
        budget = 1 if len(word) < 9 else 2
        # OSA counts a swap of two letters ("modle") as one edit, as a typist makes it.
        found = process.extractOne(
            word, self._mendable_words, scorer=OSA.distance, score_cutoff=budget
        )
        mended = found[0] if found is not None else None
        # Towards an everyday word only a clear typo is mended. A four-letter word is one edit
        # from many others ("gist", "list"); a real word with an ending splits into word pieces
        # although it is spelt right ("dumber" is not "number"), unless the two share a base, as
        # a doubled or dropped letter leaves them ("writting", "writing"). Towards one of the
        # subject's own words it is a typo ("traning" is "training").
        if (
            mended is not None
            and self.text.stem(mended) not in self.text.subject_stems
            and (
                len(word) <= _MIN_MENDABLE
                or (
                    self._encoder.knows_inflected(word)
                    and inflection_bases(word).isdisjoint(inflection_bases(mended) | {mended})
                )
            )
        ):
            mended = None
        if len(self._mended) < _CORRECTION_CACHE:
            self._mended[word] = mended
        return mended

    def _lexical_verdict(self, tokens: list[str], ranked: list[Match]) -> Verdict:
        if not ranked:
            return Verdict("fallback", None, 0.0)
        best = ranked[0]
        runner_up = ranked[1] if len(ranked) > 1 else None
        confidence = best.score
        if runner_up is not None and runner_up.entry.topic == best.entry.topic:
            confidence = min(100.0, confidence + _SAME_TOPIC_SUPPORT * runner_up.score)
        rival = next((m for m in ranked[1:] if m.entry.topic != best.entry.topic), None)
        margin = confidence - rival.score if rival is not None else confidence
        # A close race between topics means the question is ambiguous: ask, unless the leader is
        # convincing and the question was specific enough (three or more meaningful words).
        vague = sum(w not in STOPWORDS for w in tokens) <= _VAGUE_WORDS
        close_call = (
            margin < (CLOSE_MARGIN if vague else SPECIFIC_CLOSE_MARGIN)
            and (confidence < _CLOSE_CALL_CEILING or vague)
            and not (best.exact and confidence >= ANSWER_THRESHOLD)
        )
        # A clear leader below the threshold is trusted only when the question names the subject.
        names_subject = any(
            self.text.stem(w) in self.text.domain_anchors
            or self.text.stem(w) in self.text.weak_anchors
            for w in tokens
            if w not in STOPWORDS
        )
        confident = confidence >= ANSWER_THRESHOLD or (
            names_subject and confidence >= _DOMINANT_SCORE and margin >= _DOMINANT_MARGIN
        )
        if confident and not close_call:
            return Verdict("answer", best.entry, confidence)
        if confidence >= SUGGEST_THRESHOLD:
            suggestions = tuple(m.entry for m in ranked[:MAX_SUGGESTIONS])
            return Verdict("suggest", None, confidence, suggestions)
        return Verdict("fallback", None, best.score)

    def _result(self, query: str, verdict: Verdict, ranked: list[Match]) -> MatchResult:
        if verdict.status == "answer" and verdict.entry is not None:
            return self._answer(query, verdict.entry, verdict.score, tuple(ranked))
        if verdict.status == "suggest":
            return MatchResult(
                query=query,
                status="suggest",
                entry=None,
                score=round(verdict.score, 1),
                suggestions=verdict.suggestions,
                smalltalk=None,
                reply=SUGGEST_REPLY,
                related=(),
                fallback_topics=(),
                ranked=tuple(ranked),
            )
        return self._fallback(query, verdict.score, tuple(ranked))

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

    def rank(self, text: str, limit: int = 8) -> list[Match]:
        """Entries ordered by confidence (0-100); empty when the query has no meaningful words."""
        return self._rank_words([w for w in self.text.words(text) if w not in STOPWORDS], limit)

    def _rank_words(self, query_words: list[str], limit: int = 8) -> list[Match]:
        scores, exact = self._score_words(query_words)
        return self._top(scores, exact, limit)

    def _score_words(self, query_words: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Per entry: lexical confidence (0-100) and whether a phrasing matches exactly."""
        zeros = np.zeros(len(self._entries))
        if not query_words:
            return zeros, zeros.astype(bool)
        stems, known_fraction = self._query_stems(query_words)
        if not stems:
            return zeros, zeros.astype(bool)
        lexical, exact = self._lexical_scores(stems)
        fuzzy = self._fuzzy_scores(" ".join(query_words))
        penalty = _coverage_penalty(known_fraction)
        if not self.text.domain_anchors.intersection(stems):
            weak = self.text.weak_anchors.intersection(stems)
            penalty *= _WEAK_ANCHOR_PENALTY if weak else _NO_ANCHOR_PENALTY
        elif (
            len(self.text.subject_stems.intersection(stems)) == 1
            and len(query_words) >= _SPARSE_WORDS
        ):
            # One subject word among several everyday ones ("the best iphone model right now",
            # "train for a half marathon") is usually that word in its everyday sense.
            penalty *= _SINGLE_SUBJECT_PENALTY
        scores = 100 * (_LEXICAL_SHARE * lexical + (1 - _LEXICAL_SHARE) * fuzzy / 100) * penalty
        if _COMPARISON_CUES.issubset(stems) or "differ" in stems:
            scores = scores * self._comparison_boost
        return np.minimum(scores, 100.0), exact

    def _top(self, scores: np.ndarray, exact: np.ndarray, limit: int = 8) -> list[Match]:
        count = min(limit, len(scores))
        if count == 0:
            return []
        top = np.argpartition(-scores, count - 1)[:count]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [
            Match(self._entries[i], round(float(scores[i]), 1), bool(exact[i]))
            for i in top
            if scores[i] > 0
        ]

    # --- internals ------------------------------------------------------------------------------

    def _content_words(self, text: str) -> str:
        """The words that carry meaning, in order: what the fuzzy comparison looks at."""
        return " ".join(w for w in self.text.words(text) if w not in STOPWORDS)

    def _query_stems(self, query_words: list[str]) -> tuple[dict[str, float], float]:
        """Typo-corrected query stems with weights, and the share of the query the pack knows."""
        stems: dict[str, float] = {}
        known = total = 0.0
        for word in query_words:
            token = self.text.stem(word)
            weight = 1.0
            if token not in self._idf:
                corrected = self._correct(word)
                if corrected is not None:
                    token, weight = self.text.stem(corrected), _CORRECTED_WEIGHT
            # Very common subject words ("devops") have a tiny IDF; a floor keeps one of them from
            # counting for nothing against an everyday word the pack happens not to use.
            idf = max(
                self._idf.get(token, self._max_idf * _UNKNOWN_IDF_SHARE), _COVERAGE_IDF_FLOOR
            )
            total += idf
            if token in self._idf:
                known += idf * weight
                stems[token] = max(stems.get(token, 0.0), weight)
        return stems, (known / total if total else 0.0)

    def _correct(self, word: str) -> str | None:
        """The pack's word a misspelt word most likely meant, if it is one or two edits away."""
        if word in self._corrections:
            return self._corrections[word]
        corrected = self._nearest_known(word)
        if len(self._corrections) < _CORRECTION_CACHE:
            self._corrections[word] = corrected
        return corrected

    def _nearest_known(self, word: str) -> str | None:
        if len(word) < _MIN_CORRECTABLE or not word.isalpha():
            return None
        budget = 1 if len(word) < 9 else 2
        found = process.extractOne(
            word, self._known_words, scorer=Levenshtein.distance, score_cutoff=budget
        )
        if found is None:
            return None
        token = self.text.stem(found[0])
        # Only corrections towards the subject's own words: "teacher" is not a typo of "teaches".
        return found[0] if token in self.text.subject_stems and token in self._idf else None

    def _lexical_scores(self, stems: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
        """Per entry: the best phrase's recall-weighted F-score, blended with bag coverage."""
        weights = {
            token: weight
            * self._idf[token]
            * (1.0 if token in self.text.domain_anchors else _GENERIC_WEIGHT)
            for token, weight in stems.items()
        }
        query_mass = sum(weights.values())
        overlap = np.zeros(len(self._mass))
        coverage = np.zeros(len(self._entries))
        for token, weight in weights.items():
            positions = self._phrase_postings.get(token)
            if positions is not None:
                overlap[positions] += weight
            bag = self._bag_postings.get(token)
            if bag is not None:
                coverage[bag[0]] += weight * bag[1]
        recall = overlap / query_mass
        precision = overlap / self._mass
        beta2 = _RECALL_BETA**2
        denominator = beta2 * precision + recall
        f_score = np.divide(
            (1 + beta2) * precision * recall,
            denominator,
            out=np.zeros_like(denominator),
            where=denominator > 0,
        )
        f_score *= self._trust
        named = [d for d in _DISCIPLINES if d in stems]
        if len(named) == 1:
            f_score[self._other_only[named[0]]] *= _OTHER_DISCIPLINE
        best_phrase = np.zeros(len(self._entries))
        np.maximum.at(best_phrase, self._owner, f_score)
        lexical = _PHRASE_SHARE * best_phrase + (1 - _PHRASE_SHARE) * coverage / query_mass
        return lexical, best_phrase > _EXACT_F_SCORE

    def _fuzzy_scores(self, query: str) -> np.ndarray:
        """Per entry: the best 0-100 similarity between the query and one of its phrasings."""
        best = np.zeros(len(self._entries))
        if query:
            ratios = process.cdist(
                [" ".join(sorted(query.split()))],
                self._sorted_phrases,
                scorer=fuzz.ratio,
                dtype=np.float64,
            )[0]
            ratios[ratios < _FUZZY_FLOOR] = 0
            np.maximum.at(best, self._owner, ratios)
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
            "about": ABOUT_REPLY,
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
    if known_fraction >= _COVERAGE_FULL:
        return 1.0
    return max(0.0, known_fraction / _COVERAGE_FULL) ** 2


def _smalltalk(tokens: list[str]) -> Smalltalk | None:
    """Recognise a message that is only a greeting, thanks or a request for help."""
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
    if any(t in _ADDRESSED for t in tokens) and all(
        t in _ABOUT or t in _ADDRESSED or t in STOPWORDS or t in _FILLER for t in tokens
    ):
        return "about"
    return None
