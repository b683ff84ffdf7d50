"""Text normalisation shared by the matcher's index and its queries.

Both sides go through the same steps so that "CI/CD", "ci-cd" and "ML ops" meet in the middle:
Unicode NFKC, case folding, invisible characters removed, learner shorthand rewritten, multi-word
terms joined into one token, then stemming and folding onto synonym groups. The English that any
subject shares (stopwords, chat shorthand, audience qualifiers) lives here; the subject's own
vocabulary comes from the content pack (content/vocabulary.yaml), so authors extend it without
touching code.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

import snowballstemmer

__all__ = ["MAX_QUERY_CHARS", "STOPWORDS", "Normaliser", "clean", "inflection_bases", "raw_stem"]

# Matching more than this many characters only costs time: no real question is this long.
MAX_QUERY_CHARS = 400

# Zero-width, bidi-control and other format characters (Unicode category Cf) plus controls (Cc).
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs"})

# Phrases any learner uses, whatever the subject; rewritten before tokenising.
_GENERIC_PHRASES: dict[str, str] = {
    # Audience qualifiers say who is asking, not what about.
    "no tech background": "",
    "in layman's terms": "",
    "in plain english": "",
    "in laymans terms": "",
    "new to all this": "",
    "in simple terms": "",
    "in simple words": "",
    "in plain words": "",
    "for a beginner": "",
    "in a nutshell": "",
    "for beginners": "",
    "not technical": "",
    "non technical": "",
    "non-technical": "",
    "in lay terms": "",
    "new to this": "",
    "for dummies": "",
    "i'm new": "",
    "new to": "",
    "im new": "",
    "eli5": "",
    # "Does a good job" is about performance, not careers.
    "does a good job": "performs well",
}

# Words any learner abbreviates, whatever the subject.
_GENERIC_WORDS: dict[str, str] = {
    # Chat shorthand.
    "b4": "before",
    "2": "to",
    "4": "for",
    "wats": "what",
    "wots": "what",
    "wut": "what",
    "u": "you",
    "ur": "your",
    "r": "are",
    "n": "and",
    "y": "why",
    "wat": "what",
    "wot": "what",
    "wht": "what",
    "whats": "what",
    "wich": "which",
    "realy": "really",
    "tryin": "trying",
    "hw": "how",
    "bc": "because",
    "cuz": "because",
    "coz": "because",
    "pls": "please",
    "plz": "please",
    "thx": "thanks",
    "ty": "thanks",
    "tnx": "thanks",
    "automagically": "automatically",
    "ppl": "people",
    "peeps": "people",
    "biz": "business",
    # Comparison shorthand.
    "diff": "difference",
    "diffs": "difference",
    "vs": "versus",
    "v": "versus",
    "vs.": "versus",
    "btwn": "between",
    "bw": "between",
    "dif": "difference",
}

# Symbols learners type for words in chat ("mlops = devops?", "$$$ devops or mlops", "devops ->
# mlops"). Arrows and equals signs are read wherever they stand ("mlops=devops"); the rest only on
# their own, so that "c++", "q&a", "r&d" and "ci+cd" stay words.
_SYMBOL_WORDS: dict[str, str] = {
    "=/=": " not the same as ",
    "!==": " not the same as ",
    "!=": " not the same as ",
    "≠": " not the same as ",
    "<=>": " the same as ",
    "<=": " at most ",
    ">=": " at least ",
    "===": " the same as ",
    "==": " the same as ",
    "=": " the same as ",
    "->": " to ",
    "=>": " to ",
    "→": " to ",
    "+": " and ",
    "&": " and ",
    "$": " money ",
    "€": " money ",
    "£": " money ",
}
_ANYWHERE = ("=/=", "!==", "!=", "≠", "<=>", "<=", ">=", "===", "==", "=", "->", "=>", "→")
# A link keeps its "=" and "&" ("?q=mlops&page=2"): it is not a sentence.
_LINK_RE = re.compile(r"\S*(?:://|www\.)\S*")
_SYMBOL_RE = re.compile(
    "(?:"
    + "|".join(re.escape(s) for s in sorted(_ANYWHERE, key=len, reverse=True))
    + r")+|(?<![\w+#&$€£])[+&$€£]+(?![\w+#&])"
)
_LONGEST_FIRST = sorted(_SYMBOL_WORDS, key=len, reverse=True)

# Words that carry no meaning for matching. Question words stay out of this list on purpose where
# they decide the intent ("why" vs "what"), but they are down-weighted by IDF anyway.
STOPWORDS = frozenset(
    """a an the and or but if then so of to in on at by for with from into onto about as is are
    was were be been being am do does did doing done have has had having i me my mine we our ours
    you your yours he she it its they them their this that these those there here what which who
    whom whose how when where why can could would should will shall may might must just really
    very also too any some all each every more most much many such only own same other than
    not no nor up down out over under again further once s t d ll m o re ve y ain aren isn wasn
    doesn don didn hasn haven hadn won wouldn shouldn couldn mustn needn please tell explain
    describe know want wanna gonna like thing things stuff get got getting lot lots kind sort
    even still yet ever exactly actually basically anyway anyone someone something im ive id
    hey hi hello okay ok um uh hmm guys folks question quick simple simply mean means meaning
    one ones let lets us say said way ways dont doesnt isnt arent cant wont didnt wasnt werent
    shouldnt wouldnt couldnt hasnt havent its thats theres whats hows whys youre theyre
    weve tbh imo imho lol btw idk tho though ngl fyi afaik iirc pls plz kinda sorta literally
    honestly seriously totally completely entirely merely fundamentally finally particular
    certain whether""".split()
)

_STEMMER = snowballstemmer.stemmer("english")
_WORD_RE = re.compile(r"[a-z0-9][a-z0-9+#']*")
# Misspellings repeat and vocabularies are small: a bounded cache of stems keeps lookups cheap.
_STEM_CACHE = 65_536


def raw_stem(token: str) -> str:
    """The English stem of one token (short tokens and numbers stay as they are)."""
    token = token.strip("'").removesuffix("'s")
    if token.isdigit() or len(token) <= 2:
        return token
    # snowballstemmer is untyped: the annotation is what mypy may rely on.
    stem: str = _STEMMER.stemWord(token)
    return stem


def clean(text: str) -> str:
    """NFKC, casefold, drop invisible characters, collapse whitespace, cap the length."""
    text = text[: MAX_QUERY_CHARS * 4]
    if not (text.isascii() and text.isprintable()):
        text = unicodedata.normalize("NFKC", text)
        text = "".join(
            " " if unicodedata.category(ch) in _INVISIBLE_CATEGORIES else ch for ch in text
        )
        text = text.replace("’", "'").replace("`", "'")
    return " ".join(text.casefold().split())[:MAX_QUERY_CHARS]


def _symbol_words(found: re.Match[str]) -> str:
    """The words for a run of symbols, read as its first symbol: "$$$" is money once, "====="
    "the same as" once, "+&" "and"."""
    run = found.group(0)
    return next(_SYMBOL_WORDS[s] for s in _LONGEST_FIRST if run.startswith(s))


def _spell_symbols(text: str) -> str:
    """`text` with its chat symbols as words, links left as they are."""
    if "://" not in text and "www." not in text:
        return _SYMBOL_RE.sub(_symbol_words, text)
    pieces, start = [], 0
    for link in _LINK_RE.finditer(text):
        pieces.append(_SYMBOL_RE.sub(_symbol_words, text[start : link.start()]))
        pieces.append(link.group(0))
        start = link.end()
    pieces.append(_SYMBOL_RE.sub(_symbol_words, text[start:]))
    return "".join(pieces)


class Normaliser:
    """Words and stems of a text, with the generic rewrites plus one subject's vocabulary."""

    def __init__(
        self,
        phrases: Mapping[str, str] | None = None,
        words: Mapping[str, str] | None = None,
        synonyms: Mapping[str, Iterable[str]] | None = None,
        subject_words: Iterable[str] = (),
        everyday_subject_words: Iterable[str] = (),
    ) -> None:
        rewrites = {**_GENERIC_PHRASES, **(phrases or {})}
        # Phrases written with punctuation ("ml-ops") are rewritten in the text; the rest are
        # matched on whole words after tokenising, which is much cheaper than one big regex.
        punctuated = {s: d for s, d in rewrites.items() if not s.replace(" ", "").isalnum()}
        self._punctuated = punctuated
        self._punctuated_re = (
            re.compile(
                "|".join(
                    rf"(?<![\w]){re.escape(s)}(?![\w])"
                    for s in sorted(punctuated, key=lambda s: -len(s))
                )
            )
            if punctuated
            else None
        )
        self._phrases: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
        for source, target in rewrites.items():
            if source not in punctuated:
                key = tuple(source.replace("'", "").split())
                self._phrases.setdefault(key[0], []).append((key, tuple(target.split())))
        for options in self._phrases.values():
            # The longer phrase wins.
            options.sort(key=lambda option: -len(option[0]))
        self._words = {**_GENERIC_WORDS, **(words or {})}
        self._synonyms: dict[str, str] = {}
        for name, variants in (synonyms or {}).items():
            for variant in (name, *variants):
                self._synonyms[raw_stem(variant)] = raw_stem(name)
        # Stems that place a question inside the subject, and everyday ones that hint at it.
        self.domain_anchors = frozenset(raw_stem(w) for w in subject_words)
        self.weak_anchors = frozenset(raw_stem(w) for w in everyday_subject_words)
        # Concepts the subject talks about: a misspelt word may be corrected towards these only.
        self.subject_stems = (
            self.domain_anchors | self.weak_anchors | frozenset(self._synonyms.values())
        )
        self._stems: dict[str, str] = {}

    def stem(self, token: str) -> str:
        """Stem one token and fold it onto its synonym group."""
        found = self._stems.get(token)
        if found is None:
            stemmed = raw_stem(token)
            bare = token.strip("'").removesuffix("'s")
            found = self._synonyms.get(stemmed, self._synonyms.get(bare, stemmed))
            if len(self._stems) < _STEM_CACHE:
                self._stems[token] = found
        return found

    def words(self, text: str) -> list[str]:
        """Cleaned text split into words, with shorthand and phrases rewritten (no stemming)."""
        text = clean(text)
        text = _spell_symbols(text)
        if self._punctuated_re is not None and ("/" in text or "-" in text):
            text = self._punctuated_re.sub(lambda m: f" {self._punctuated[m.group(0)]} ", text)
        raw = [w.removesuffix("'s").replace("'", "") for w in _WORD_RE.findall(text)]
        tokens: list[str] = []
        i = 0
        while i < len(raw):
            for key, replacement in self._phrases.get(raw[i], ()):
                if tuple(raw[i : i + len(key)]) == key:
                    tokens.extend(replacement)
                    i += len(key)
                    break
            else:
                # A rewrite may itself be several words ("realtime" -> "real-time" stays one).
                tokens.extend(self._words.get(raw[i], raw[i]).split())
                i += 1
        return tokens

    def content_stems(self, text: str) -> list[str]:
        """The stems that carry meaning: what the matcher indexes and compares."""
        return [self.stem(w) for w in self.words(text) if w not in STOPWORDS]

    def normalised(self, text: str) -> str:
        """One string form for fuzzy comparison and the encoder: rewritten words, stopwords
        kept for fluency."""
        return " ".join(self.words(text))


# Regular English endings; every one that fits is tried.
_ENDINGS = (
    *("s", "es", "ies", "d", "ed", "ied", "r", "er", "ier", "ers", "est", "iest"),
    *("ing", "ings", "ly", "ness", "ment", "ful", "less", "able"),
)
_MIN_BASE = 3


def inflection_bases(word: str) -> set[str]:
    """The words `word` may be inflected from: "dumber" -> dumb, "bigger" -> big, "happier" ->
    happy, "saved" -> save. Bases shorter than three letters are left out: too many fragments of
    a vocabulary are that short for a match to say anything."""
    bases: set[str] = set()
    for ending in _ENDINGS:
        stem = word[: -len(ending)]
        if not word.endswith(ending) or len(stem) < _MIN_BASE:
            continue
        bases.update((stem, stem + "e"))
        if stem[-1] == stem[-2]:
            bases.add(stem[:-1])
        if ending.startswith("i"):
            bases.add(stem + "y")
    return {base for base in bases if len(base) >= _MIN_BASE}
