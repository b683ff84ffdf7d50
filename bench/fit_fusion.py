"""Fit candidate additions to the fusion policy and cross-validate them (rule 9 kept, two out).

    python bench/fit_fusion.py --extra-set /work/notes/qa_blind3.json

Scores every question of dev, holdout, blind, the extra sets (never blind2, the check-only set)
and the everyday wordings the unit tests keep off-topic with the shipped policy, then tries:

1. An agreeing rescue: a question the policy declines (3+ meaningful words) is answered when the
   fused favourite reaches a bar and is also the encoder's favourite with a cosine of at least a
   second bar. The bars are picked on a grid, maximising right answers gained minus three times
   (wrong answers + off-topic questions answered), on all sets together and in a 5-fold
   cross-validation (fitted on four fifths, judged on the fifth): the honest estimate.
2. A logistic-regression answer-vs-"did you mean" calibration of every answer (features: cosine
   and lexical score of the answered entry, fused and cosine margins to the runner-up, whether
   encoder and words agree, question length), 5-fold held-out: wrong answers it would turn into
   "did you mean" against right answers lost.

Neither is in bot/core/fusion.py: on held-out folds (2026-12-03) the rescue gained 3 right
answers for 1 wrong and 2 off-topic answered, and the calibration caught 1 wrong answer per 5
right ones lost. The script stays so that a larger tuning set can re-run the comparison.

3. Rule 9's bars (`tie`, `kinship_bar`, in bot/core/fusion.py): every pair on a grid, per set,
   then leave-one-set-out: on the other sets, the pair that turns the most wrong answers into
   "did you mean" while losing at most 0.5% of each set's right answers and answering no more
   off-topic questions, judged on the set left out. The 0.5% keeps the check-only set's floor
   (92% right, 0.7 points below its figure when the rule was added) out of reach of the rule.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.core.content import load_content  # noqa: E402 - after the path tweak
from bot.core.fusion import DEFAULT_POLICY, Verdict, fuse  # noqa: E402
from bot.core.matcher import Matcher  # noqa: E402
from bot.core.matcher import _smalltalk as smalltalk  # noqa: E402
from bot.core.text import STOPWORDS, clean  # noqa: E402
from bot.model import build_matcher  # noqa: E402
from tests.support import matcher_cases  # noqa: E402

TUNING_SETS = ("dev", "holdout", "blind")
FOLDS = 5
WRONG_COST = 3
GRID = list(
    itertools.product(
        np.round(np.arange(0.6, 0.91, 0.02), 2), np.round(np.arange(0.5, 0.71, 0.02), 2)
    )
)


@dataclasses.dataclass
class Question:
    set: str
    in_scope: bool
    status: str
    entry: int | None
    right_entries: frozenset[int]
    cosines: np.ndarray
    fused: np.ndarray
    meaningful: int
    lexical_entry: int | None
    lexical: Verdict | None
    lexical_scores: np.ndarray


def collect(matcher: Matcher, sets: dict[str, dict]) -> list[Question]:
    entries = list(matcher._entries)
    positions = {e.id: i for i, e in enumerate(entries)}
    replies = [matcher.answer_entry(e.id).reply.casefold() for e in entries]
    out = []
    for name, qa in sets.items():
        for part in ("in_scope", "off_topic"):
            for item in qa[part]:
                result = matcher.match(item["q"])
                lexical = matcher.lexical_match(item["q"])
                tokens = matcher.text.words(clean(item["q"]))
                meaningful = [w for w in tokens if w not in STOPWORDS]
                scores, _ = matcher._score_words(meaningful)
                cosines = (
                    matcher.semantic.scores(matcher.encoder_text(tokens))
                    if meaningful
                    else np.zeros(len(entries))
                )
                right = frozenset(
                    i
                    for i, reply in enumerate(replies)
                    if all(any(k.casefold() in reply for k in g) for g in item.get("expect", []))
                )
                out.append(
                    Question(
                        name,
                        part == "in_scope",
                        result.status,
                        positions[result.entry.id] if result.entry else None,
                        right if part == "in_scope" else frozenset(),
                        cosines,
                        cosines + np.minimum(scores, 100.0) / 100.0,
                        len(meaningful),
                        positions[lexical.entry.id] if lexical.entry else None,
                        lexical_verdict(matcher, item["q"]),
                        scores,
                    )
                )
    return out


def lexical_verdict(matcher: Matcher, question: str) -> Verdict | None:
    """The words' verdict as `fuse` receives it; None when the matcher does not fuse (small
    talk, no meaningful word)."""
    tokens = matcher.text.words(clean(question))
    meaningful = [w for w in tokens if w not in STOPWORDS]
    if smalltalk(tokens) is not None or not meaningful:
        return None
    scores, exact = matcher._score_words(meaningful)
    return matcher._lexical_verdict(tokens, matcher._top(scores, exact))


def rescued(q: Question, bar: float, cosine: float) -> str | None:
    """What rule 5's agreeing rescue would make of a declined question: right/wrong/off."""
    if q.status != "fallback" or q.meaningful <= DEFAULT_POLICY.vague_words:
        return None
    top = int(np.argmax(q.fused))
    if top != int(np.argmax(q.cosines)) or q.fused[top] < bar or q.cosines[top] < cosine:
        return None
    if not q.in_scope:
        return "off"
    return "right" if top in q.right_entries else "wrong"


def gains(questions: list[Question], bars: tuple[float, float]) -> Counter:
    return Counter(r for q in questions if (r := rescued(q, *bars)) is not None)


def fit(questions: list[Question]) -> tuple[float, float]:
    def objective(bars: tuple[float, float]) -> tuple[int, float]:
        c = gains(questions, bars)
        return c["right"] - WRONG_COST * (c["wrong"] + c["off"]), bars[0]

    return max(GRID, key=objective)


def calibration_features(q: Question) -> list[float]:
    a = q.entry
    lexical = q.fused - q.cosines
    runner = int(np.argsort(-q.fused)[1] if np.argmax(q.fused) == a else np.argmax(q.fused))
    cos_runner = int(
        np.argsort(-q.cosines)[1] if np.argmax(q.cosines) == a else np.argmax(q.cosines)
    )
    return [
        q.cosines[a],
        lexical[a],
        q.fused[a] - q.fused[runner],
        q.cosines[a] - q.cosines[cos_runner],
        float(np.argmax(q.cosines) == a),
        float(q.lexical_entry == a),
        min(q.meaningful, 8) / 8,
    ]


def logistic(x: np.ndarray, y: np.ndarray, steps: int = 3000) -> tuple[np.ndarray, ...]:
    mean, spread = x.mean(0), x.std(0) + 1e-9
    z = np.c_[np.ones(len(x)), (x - mean) / spread]
    w = np.zeros(z.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-z @ w))
        w -= 0.5 * (z.T @ (p - y) + np.r_[0, w[1:]]) / len(y)
    return mean, spread, w


def probability(model: tuple[np.ndarray, ...], x: np.ndarray) -> np.ndarray:
    mean, spread, w = model
    return 1 / (1 + np.exp(-np.c_[np.ones(len(x)), (x - mean) / spread] @ w))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extra-set", action="append", default=[], type=Path, metavar="PATH")
    args = parser.parse_args()
    sets = {
        n: json.loads((ROOT / "tests" / "data" / f"qa_{n}.json").read_text()) for n in TUNING_SETS
    }
    # The everyday wordings the unit tests keep off-topic ("which car model holds its value
    # best") count as off-topic questions too, as they did when rules 1-8 were chosen.
    sets["unit"] = {
        "in_scope": [],
        "off_topic": [{"q": q} for q in matcher_cases.OFF_TOPIC + matcher_cases.EVERYDAY_IDIOMS],
    }
    for path in args.extra_set:
        if path.stem == "qa_blind2":
            parser.error("blind2 is check-only: never fit on it")
        sets[path.stem.removeprefix("qa_")] = json.loads(path.read_text())
    matcher = build_matcher(load_content())
    if matcher.semantic is None:
        parser.error("needs the model: run `tutor-bot model fetch` first")
    questions = collect(matcher, sets)

    bars = fit(questions)
    print(f"fitted on all sets: agreeing_bar={bars[0]}, agreeing_cosine={bars[1]}")
    print("  gained on each set (training figures):")
    for name in sets:
        print(f"    {name:8} {dict(gains([q for q in questions if q.set == name], bars))}")
    fold = np.random.default_rng(1).integers(0, FOLDS, len(questions))
    held_out: Counter = Counter()
    for k in range(FOLDS):
        train = [q for q, f in zip(questions, fold, strict=True) if f != k]
        fold_bars = fit(train)
        for q, f in zip(questions, fold, strict=True):
            if f == k and (r := rescued(q, *fold_bars)) is not None:
                held_out[f"{q.set} {r}"] += 1
        print(f"  fold {k}: bars {fold_bars}")
    print(f"{FOLDS}-fold held-out gains: {dict(sorted(held_out.items()))}")

    report_tie(matcher, questions)

    answered = [q for q in questions if q.status == "answer"]
    x = np.array([calibration_features(q) for q in answered])
    y = np.array([q.in_scope and q.entry in q.right_entries for q in answered], dtype=float)
    p = np.zeros(len(y))
    for k in range(FOLDS):
        train, test = fold[: len(y)] != k, fold[: len(y)] == k
        p[test] = probability(logistic(x[train], y[train]), x[test])
    print(f"calibration, {FOLDS}-fold held-out, {int((y == 0).sum())} wrong of {len(y)} answers:")
    for bar in (0.5, 0.6, 0.7, 0.8):
        asked = p < bar
        print(
            f"  suggest below p={bar}: {int((asked & (y == 0)).sum())} wrong answers caught, "
            f"{int((asked & (y == 1)).sum())} right answers lost"
        )


TIE_GRID = [(0.0, 0.0)] + [
    (tie, kin)
    for tie in (0.02, 0.025, 0.03, 0.035, 0.04, 0.05, 0.06)
    for kin in (0.5, 0.55, 0.6, 0.65, 0.7, 0.8, 1.01)
]
RIGHT_LOSS = 0.005


def tie_outcomes(matcher: Matcher, questions: list[Question]) -> dict[tuple, dict[str, Counter]]:
    """Per (tie, kinship_bar) and set: right, wrong, off-topic answered, "did you mean"."""
    semantic = matcher.semantic
    assert semantic is not None
    entries = list(matcher._entries)
    positions = {e.id: i for i, e in enumerate(entries)}
    table: dict[tuple, dict[str, Counter]] = {}
    for tie, kin in TIE_GRID:
        policy = dataclasses.replace(DEFAULT_POLICY, tie=tie, kinship_bar=kin)
        per_set: dict[str, Counter] = {}
        for q in questions:
            c = per_set.setdefault(q.set, Counter())
            if q.lexical is None:
                v = Verdict(q.status, entries[q.entry] if q.entry is not None else None, 0.0)  # type: ignore[arg-type]
            else:
                v = fuse(
                    q.lexical,
                    q.lexical_scores,
                    q.cosines,
                    q.meaningful,
                    entries,
                    positions,
                    policy,
                    semantic.kinship,
                )
            c["n"] += q.in_scope
            if v.status == "answer" and v.entry is not None:
                if not q.in_scope:
                    c["off"] += 1
                else:
                    c["right" if positions[v.entry.id] in q.right_entries else "wrong"] += 1
            elif v.status == "suggest" and q.in_scope:
                c["suggest"] += 1
                c["hit"] += any(positions[e.id] in q.right_entries for e in v.suggestions)
        table[(tie, kin)] = per_set
    return table


def pick_tie(table: dict[tuple, dict[str, Counter]], sets: list[str]) -> tuple:
    base = table[(0.0, 0.0)]

    def allowed(key: tuple) -> bool:
        return all(
            base[s]["right"] - table[key][s]["right"] <= RIGHT_LOSS * base[s]["n"]
            and table[key][s]["off"] <= base[s]["off"]
            for s in sets
        )

    def caught(key: tuple) -> int:
        return sum(base[s]["wrong"] - table[key][s]["wrong"] for s in sets)

    return max((k for k in table if allowed(k)), key=lambda k: (caught(k), -k[0]))


def report_tie(matcher: Matcher, questions: list[Question]) -> None:
    table = tie_outcomes(matcher, questions)
    names = sorted({q.set for q in questions})
    shipped = (DEFAULT_POLICY.tie, DEFAULT_POLICY.kinship_bar)
    print(f"rule 9 (tie, kinship_bar); shipped {shipped}:")
    for key in ((0.0, 0.0), shipped, pick_tie(table, names)):
        row = ", ".join(
            f"{s} {c['right']}/{c['wrong']}/{c['off']} dym {c['suggest']} hit {c['hit']}"
            for s, c in sorted(table[key].items())
        )
        print(f"  {key}: right/wrong/off-topic answered: {row}")
    print("  leave one set out (chosen on the others, judged on the one left out):")
    base = table[(0.0, 0.0)]
    for held in names:
        if not base[held]["n"]:
            continue
        key = pick_tie(table, [s for s in names if s != held])
        c, b = table[key][held], base[held]
        print(
            f"    {held:8} {key}: right {b['right']} -> {c['right']}, wrong {b['wrong']} -> "
            f"{c['wrong']}, did you mean {c['suggest']} (right entry offered in {c['hit']})"
        )


if __name__ == "__main__":
    main()
