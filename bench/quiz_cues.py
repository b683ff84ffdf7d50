"""Form-cue audit of the quiz bank: how well test-wise guessing does without the subject.

    python bench/quiz_cues.py [QUIZ_DIR]        (default: content/quiz)

Prints, per difficulty and for the whole bank, the expected score of each guessing strategy in
`bot.core.quiz_cues` next to plain random guessing, the share of items whose key is the longest
option, and the hints that repeat a word only the key uses or eliminate options by counting.
It reads the YAML directly (not through the schema) so an older bank can be measured too:
    git show OLD:content/quiz/easy.yaml > /tmp/old/easy.yaml   (and medium, hard), then
    python bench/quiz_cues.py /tmp/old
The content test `tests/unit/test_quiz_cues.py` asserts the limits on the real bank.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from bot.core.quiz_cues import (
    STRATEGIES,
    Item,
    counts_options,
    cue_report,
    hint_giveaways,
)

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "content" / "quiz"
    questions = [
        q
        for path in sorted(folder.glob("*.yaml"))
        for q in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]
    ]
    items = []
    giveaways = []
    for q in questions:
        texts = tuple(o["text"] for o in q["options"])
        key = next(i for i, o in enumerate(q["options"]) if o.get("correct"))
        items.append(Item(texts, key, q["difficulty"]))
        words = hint_giveaways(q["question"], texts, key, q["hint"])
        if words or counts_options(q["hint"]):
            giveaways.append(f"  {q['id']}: {', '.join(sorted(words)) or 'counts options'}")
    report = cue_report(items)
    groups = [g for g in ("easy", "medium", "hard", "all") if g in report]
    print(f"{'strategy':30}" + "".join(f"{g:>9}" for g in groups))
    print(f"{'items':30}" + "".join(f"{int(report[g]['items']):>9}" for g in groups))
    for name in [*STRATEGIES, "key is longest"]:
        print(f"{name:30}" + "".join(f"{report[g][name]:>9.0%}" for g in groups))
    print(f"hints that give the key away: {len(giveaways)} of {len(questions)}")
    print("\n".join(giveaways))


if __name__ == "__main__":
    main()
