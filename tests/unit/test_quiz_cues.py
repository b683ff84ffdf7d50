"""The quiz bank tests understanding, not test-wiseness: volume, coverage, form cues and hints.

A failure shows the whole table of figures; `python bench/quiz_cues.py` prints it at any time.
"""

from __future__ import annotations

from collections import Counter

import pytest

from bot.core.content import DIFFICULTIES, ContentPack, QuizQuestion
from bot.core.quiz_cues import (
    STRATEGIES,
    Item,
    counts_options,
    cue_report,
    drop_absolutes_then_random,
    enumeration,
    hint_giveaways,
    key_is_longest,
    longest,
    most_enumerative,
    random_of_two_longest,
    second_longest,
    shortest,
)

# A guesser who knows nothing scores about 28% on 3-4 options; a strategy may beat that a
# little by chance of construction, never by much.
STRATEGY_LIMIT = 0.40
KEY_LONGEST_LIMIT = 0.35


def _item(q: QuizQuestion) -> Item:
    return Item(tuple(o.text for o in q.options), q.correct_index, q.difficulty)


# --- the strategies themselves ------------------------------------------------------------------


def test_length_strategies_break_ties_at_random() -> None:
    """A unique longest key scores 1 for 'longest'; a two-way tie scores half for each rank."""
    clear = Item(("a key that is long", "short", "tiny"), 0, "easy")
    assert (longest(clear), second_longest(clear), shortest(clear)) == (1.0, 0.0, 0.0)
    tied = Item(("same size", "same-size", "x"), 0, "easy")
    assert longest(tied) == second_longest(tied) == 0.5
    assert random_of_two_longest(tied) == 0.5
    last = Item(("x", "a longer one", "longer still!"), 0, "easy")
    assert (longest(last), shortest(last), random_of_two_longest(last)) == (0.0, 1.0, 0.0)


def test_enumeration_counts_commas_and_joining_words_only() -> None:
    """Commas, 'and', 'plus' and 'with' count; words that merely contain them do not."""
    assert enumeration("code, data and models plus config with seeds") == 4
    assert enumeration("standard android plush withdrawal") == 0
    item = Item(("code, data and models", "code and data", "code"), 0, "easy")
    assert most_enumerative(item) == 1.0
    assert most_enumerative(Item(("a", "b", "c"), 2, "easy")) == pytest.approx(1 / 3)


def test_dropping_absolutes_rewards_a_key_without_them() -> None:
    """Options with always/never/only/... are dropped; if all are absolute, guess among all."""
    item = Item(("it depends", "always retrain", "never retrain", "only on Fridays"), 0, "hard")
    assert drop_absolutes_then_random(item) == 1.0
    absolute_key = Item(("always", "sometimes", "often"), 0, "hard")
    assert drop_absolutes_then_random(absolute_key) == 0.0
    everything = Item(("all of it", "none of it", "every bit"), 1, "hard")
    assert drop_absolutes_then_random(everything) == pytest.approx(1 / 3)


def test_key_is_longest_means_strictly_longest() -> None:
    assert key_is_longest(Item(("longest one", "short"), 0, "easy"))
    assert not key_is_longest(Item(("same", "size"), 0, "easy"))


def test_report_groups_by_difficulty_and_overall() -> None:
    items = [Item(("long key", "x"), 0, "easy"), Item(("x", "long key"), 0, "hard")]
    report = cue_report(items)
    assert set(report) == {"easy", "hard", "all"}
    assert report["all"]["longest"] == 0.5 and report["easy"]["longest"] == 1.0
    assert report["all"]["items"] == 2


def test_hint_giveaway_finds_a_word_only_the_key_uses() -> None:
    """A hint repeating the key's own distinctive word is flagged; shared or stem words are not."""
    options = ("Retrain on fresh labels", "Roll back the image", "Scale the servers")
    stem = "Accuracy fell but nothing was deployed. What do you do?"
    assert hint_giveaways(stem, options, 0, "Think about the labels you get back.") == {"label"}
    assert hint_giveaways(stem, options, 0, "Nothing was deployed, so what moved?") == set()
    shared = ("Check the servers first", "Scale the servers")
    assert hint_giveaways(stem, shared, 0, "Look at the servers.") == set()


def test_counting_hints_are_flagged() -> None:
    assert counts_options("Three of these would be on any dashboard.")
    assert counts_options("Two of the options describe a server.")
    assert not counts_options("Think of three ideas: randomness, data and change.")


# --- the real bank ------------------------------------------------------------------------------


def test_bank_volume_and_coverage(pack: ContentPack) -> None:
    """At least 130 items, 40 per difficulty, and two per topic so no topic hangs on one item."""
    assert len(pack.quiz) >= 130
    per_difficulty = Counter(q.difficulty for q in pack.quiz.values())
    assert all(per_difficulty[d] >= 40 for d in DIFFICULTIES), per_difficulty
    per_topic = Counter(q.topic for q in pack.quiz.values())
    thin = {t: per_topic[t] for t in pack.topics if per_topic[t] < 2}
    assert not thin, thin


def test_no_test_wise_strategy_beats_the_limit(pack: ContentPack) -> None:
    """Over the bank and per difficulty, each guessing strategy scores at most 40% and the key
    is the longest option in at most 35% of items."""
    report = cue_report(_item(q) for q in pack.quiz.values())
    groups = ["easy", "medium", "hard", "all"]
    table = "\n".join(
        f"{name:30}" + "".join(f"{report[g][name]:>8.0%}" for g in groups)
        for name in [*STRATEGIES, "key is longest"]
    )
    over = [
        f"{name} on {group}: {figures[name]:.0%}"
        for group, figures in report.items()
        for name in STRATEGIES
        if figures[name] > STRATEGY_LIMIT
    ]
    over += [
        f"key is longest on {group}: {figures['key is longest']:.0%}"
        for group, figures in report.items()
        if figures["key is longest"] > KEY_LONGEST_LIMIT
    ]
    assert not over, f"{over}\n{table}"


def test_no_hint_names_the_key_or_counts_options(pack: ContentPack) -> None:
    """A hint names a concept to recall; it never repeats a word only the key uses, nor removes
    options by counting them."""
    flagged = {
        q.id: sorted(words) or ["counts options"]
        for q in pack.quiz.values()
        if (
            words := hint_giveaways(
                q.question, [o.text for o in q.options], q.correct_index, q.hint
            )
        )
        or counts_options(q.hint)
    }
    assert not flagged, flagged


def test_every_item_links_its_own_why_entry(pack: ContentPack) -> None:
    """Each item names the entry its "Why?" button opens, instead of falling back to whatever
    FAQ entry of the topic happens to come first."""
    assert [q.id for q in pack.quiz.values() if q.related is None] == []


def test_every_wrong_option_explains_itself(pack: ContentPack) -> None:
    """The schema demands it; this guards the real bank against a schema relaxed by mistake."""
    missing = [
        f"{q.id}: {o.text}"
        for q in pack.quiz.values()
        for o in q.options
        if not o.correct and not (o.why and len(o.why) <= 200)
    ]
    assert missing == []
