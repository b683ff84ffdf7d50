"""Ablation of the vocabulary: what each table adds once words and embeddings are fused.

    python -m bench.ablate_text

For every table of content/vocabulary.yaml (and each phrase target and synonym group on its own)
the table is removed, the lexical index rebuilt, and the dev, held-out and first blind sets plus
the matcher's unit-test wordings are judged again: fused right / confidently wrong / off-topic
declined, and the words alone (L) right / declined. The encoder's cosines are those of the
current normalisation (recomputing the entry vectors for every ablation would take minutes);
check a deletion afterwards with bench/matcher.py, which uses the real pipeline. The second
blind set is never used here.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

import bot.core.matcher as M
from bot.core.content import ContentPack, load_content
from bot.core.fusion import fuse
from bot.model import build_matcher
from tests.support import matcher_cases

ROOT = Path(__file__).resolve().parents[1]


def question_sets() -> dict[str, dict[str, list[dict]]]:
    sets = {
        n: json.loads((ROOT / "tests" / "data" / f"qa_{n}.json").read_text(encoding="utf-8"))
        for n in ("dev", "holdout", "blind")
    }
    sets["unit"] = {
        "in_scope": [
            {"q": q, "topics": t.split("|")}
            for q, t in matcher_cases.PARAPHRASES
            + matcher_cases.EVERYDAY_WORDING
            + matcher_cases.ONE_DISCIPLINE
        ],
        "off_topic": [{"q": q} for q in matcher_cases.OFF_TOPIC + matcher_cases.EVERYDAY_IDIOMS],
    }
    return sets


def right(item: dict, entry: object) -> bool:
    if "topics" in item:
        return entry.topic in item["topics"]  # type: ignore[attr-defined]
    text = entry.answer.casefold()  # type: ignore[attr-defined]
    return all(any(k.casefold() in text for k in group) for group in item["expect"])


def with_vocabulary(pack: ContentPack, **changed: object) -> ContentPack:
    """The pack with parts of its vocabulary replaced (the generic tables stay in the code)."""
    return dataclasses.replace(pack, vocabulary=pack.vocabulary.model_copy(update=changed))


def main() -> None:
    pack = load_content()
    fused = build_matcher(pack)
    if fused.semantic is None:
        sys.exit("needs the model: run `tutor-bot model fetch` first")
    entries = list(pack.answerables.values())
    positions = {e.id: i for i, e in enumerate(entries)}
    sets = question_sets()
    cosines = {}
    kinship = fused.semantic.kinship
    for qa in sets.values():
        for part in ("in_scope", "off_topic"):
            for item in qa[part]:
                tokens = fused.text.words(item["q"])
                text = fused.encoder_text(tokens)
                cosines[item["q"]] = fused.semantic.scores(text) if tokens else None

    def judge(variant: ContentPack) -> dict[str, tuple[int, ...]]:
        matcher = M.Matcher(variant)
        out = {}
        for name, qa in sets.items():
            counts = [0, 0, 0, 0, 0]  # fused right, wrong, declined; lexical right, declined
            for part in ("in_scope", "off_topic"):
                for item in qa[part]:
                    tokens = matcher.text.words(item["q"])
                    if M._smalltalk(tokens) is not None:
                        if part == "off_topic":
                            counts[2] += 1
                            counts[4] += 1
                        continue
                    meaningful = [w for w in tokens if w not in M.STOPWORDS]
                    scores, exact = matcher._score_words(meaningful)
                    lexical = matcher._lexical_verdict(tokens, matcher._top(scores, exact))
                    cos = cosines[item["q"]]
                    verdict = lexical
                    if cos is not None and meaningful:
                        verdict = fuse(
                            lexical,
                            scores,
                            cos,
                            len(meaningful),
                            entries,
                            positions,
                            kinship=kinship,
                        )
                    if part == "in_scope":
                        if verdict.status == "answer":
                            counts[0 if right(item, verdict.entry) else 1] += 1
                        if lexical.status == "answer" and right(item, lexical.entry):
                            counts[3] += 1
                    else:
                        counts[2] += verdict.status == "fallback"
                        counts[4] += lexical.status == "fallback"
            out[name] = tuple(counts)
        return out

    vocabulary = pack.vocabulary

    def score(result: dict[str, tuple[int, ...]]) -> int:
        return sum(r[0] - 3 * r[1] + r[2] for r in result.values())

    base = judge(pack)

    def run(label: str, **changed: object) -> None:
        result = judge(with_vocabulary(pack, **changed))
        figures = " ".join(
            f"{n}:{r[0]}/{r[1]}w/{r[2]}d L{r[3]}/{r[4]}d" for n, r in result.items()
        )
        print(f"{score(result) - score(base):+4d} {label:32} {figures}")

    run("(nothing removed)")
    run("all phrases", phrases={})
    run("all words", words={})
    run("all synonym groups", synonyms={})
    run("everyday subject words", everyday_subject_words=[])
    by_target: dict[str, list[str]] = {}
    for source, target in vocabulary.phrases.items():
        by_target.setdefault(target.strip() or "(dropped)", []).append(source)
    for target, sources in sorted(by_target.items()):
        kept = {k: v for k, v in vocabulary.phrases.items() if k not in sources}
        run(f"phrases -> {target}", phrases=kept)
    for name in vocabulary.synonyms:
        kept_groups = {k: v for k, v in vocabulary.synonyms.items() if k != name}
        run(f"synonyms {name}", synonyms=kept_groups)


if __name__ == "__main__":
    main()
