"""A short follow-up ("and for ml?", "what about devops") read against the question before it.

Learners compare the two disciplines one question at a time: "how is testing done in devops",
then "and for ml?". On its own the follow-up says only "ml", which would be answered as a
definition of machine learning; read against the question before, it is "how is testing done in
mlops". Only a message that is a lead ("and", "what about", "same for"...) plus one discipline
counts as a follow-up, so an ordinary question is never rewritten.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

__all__ = ["follow_up"]

# What a learner may type for each discipline, after the normaliser's rewrites.
_DISCIPLINES = {"ml": "mlops", "mlops": "mlops", "devops": "devops"}
# Openings of a follow-up, as normalised words; the longest that fits is taken.
_LEADS: tuple[tuple[str, ...], ...] = (
    ("and", "what", "about"),
    ("and", "how", "about"),
    ("what", "about"),
    ("how", "about"),
    ("same", "for"),
    ("same", "in"),
    ("and", "for"),
    ("and", "in"),
    ("and", "with"),
    ("and",),
)
_FILLER = frozenset({"then", "the", "side", "world", "version", "pls", "please", "now"})


def follow_up(
    previous: str | None, message: str, words: Callable[[str], Sequence[str]]
) -> str | None:
    """The question `message` stands for after `previous`, or None when it is not a follow-up
    (or there is nothing to follow). `words` is the matcher's normaliser, so that "ml ops",
    "ML-Ops" and "machine learning" all read as one discipline."""
    if not previous:
        return None
    typed = list(words(message))
    wanted = _discipline_after_lead(typed)
    if wanted is None:
        return None
    before = list(words(previous))
    named = {_DISCIPLINES[w] for w in before if w in _DISCIPLINES}
    if len(named) > 1 or named == {wanted}:
        # A comparison already covers both; the same discipline again asks nothing new.
        return None
    if named:
        return " ".join(wanted if w in _DISCIPLINES else w for w in before)
    return f"{' '.join(before)} in {wanted}"


def _discipline_after_lead(typed: list[str]) -> str | None:
    for lead in _LEADS:
        if tuple(typed[: len(lead)]) == lead:
            rest = [w for w in typed[len(lead) :] if w not in _FILLER]
            if len(rest) == 1 and rest[0] in _DISCIPLINES:
                return _DISCIPLINES[rest[0]]
            return None
    return None
