"""Lessons: the bundled lesson content is complete, and every lesson renders to pages that fit."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.core.content import (
    BUTTON_LIMIT,
    TELEGRAM_MESSAGE_LIMIT,
    Checkpoint,
    ContentPack,
    Lessons,
)
from bot.core.lessons import (
    ARROW,
    LESSONS,
    PAGE_LIMIT,
    UnknownLessonError,
    aspect_text,
    checkpoint_verdict,
    compare_menu,
    fit,
    lesson_info,
    lesson_pages,
    lesson_text,
    walkthrough_page,
    walkthrough_pages,
)
from bot.pictures.diagrams import headline

CONTENT = Path(__file__).parents[2] / "content"


# --- the lesson content ------------------------------------------------------------------------


def test_lessons_file_validates_on_its_own() -> None:
    """content/lessons.yaml satisfies the Lessons model without the rest of the pack."""
    data = yaml.safe_load((CONTENT / "lessons.yaml").read_text(encoding="utf-8"))
    lessons = Lessons.model_validate(data["lessons"])
    assert len(lessons.walkthrough) == 6


def test_pipelines_have_the_canonical_stages(pack: ContentPack) -> None:
    """DevOps runs code to iterate, MLOps data to retrain, the lifecycle plan to monitor."""
    names = lambda pipeline: [s.name.casefold() for s in pipeline.stages]  # noqa: E731
    lessons = pack.lessons
    assert names(lessons.devops_pipeline) == [
        "code",
        "build",
        "test",
        "deploy",
        "monitor",
        "iterate",
    ]
    assert names(lessons.mlops_pipeline) == [
        "data",
        "train",
        "validate",
        "deploy",
        "monitor",
        "retrain",
    ]
    assert names(lessons.devops_lifecycle) == [
        "plan",
        "code",
        "build",
        "test",
        "deploy",
        "operate",
        "monitor",
    ]


def test_lesson_lists_have_the_promised_sizes(pack: ContentPack) -> None:
    """3-5 key moments, 8-12 cheat-sheet lines and 3-5 complexity sections."""
    lessons = pack.lessons
    assert 3 <= len(lessons.insights) <= 5
    assert 8 <= len(lessons.cheatsheet) <= 12
    assert 3 <= len(lessons.complexity) <= 5


def test_complexity_covers_growth_table_myth_and_nested_loops(pack: ContentPack) -> None:
    """The complexity lesson states O(n), the 10/100/1000 table, the myth and O(n·m)."""
    text = lesson_text(pack, "complexity")
    assert "O(n)" in text
    assert all(re.search(rf"\b{n}\b", text) for n in ("10", "100", "1000"))
    assert "always slower" in text
    assert "O(n·m)" in text


def test_comparison_has_the_linked_rows_with_learner_phrasings(pack: ContentPack) -> None:
    """Every row FAQ writers link to exists, with 6-13 alternatives and a topic of its own.

    A row that absorbed a merged near-duplicate keeps its phrasings, hence up to 13.
    """
    required = {
        "cmp-artifact",
        "cmp-versioning",
        "cmp-testing",
        "cmp-cicd",
        "cmp-monitoring",
        "cmp-update-trigger",
        "cmp-purpose",
        "cmp-sub-processes",
        "cmp-deployment-cycles",
        "cmp-team",
        "cmp-objectives",
        "cmp-quality-assurance",
        "cmp-determinism",
    }
    assert required <= set(pack.comparison)
    for row in pack.comparison.values():
        assert 6 <= len(row.alternatives) <= 13, row.id
        assert row.topic in pack.topics, row.id


def test_comparison_cells_open_with_a_short_headline(pack: ContentPack) -> None:
    """The first sentence of each cell is at most 60 characters, as the table picture needs."""
    for row in pack.comparison.values():
        for cell in (row.devops, row.mlops):
            assert 0 < len(headline(cell)) <= 60, (row.id, headline(cell))


def test_glossary_has_at_least_20_prefixed_terms(pack: ContentPack) -> None:
    """The glossary defines at least 20 terms (the subject's own, and the few a newcomer needs
    first: machine learning, model, training data, neural network), each id starting with
    `term-`."""
    assert len(pack.glossary) >= 20
    assert all(term_id.startswith("term-") for term_id in pack.glossary)


# --- rendering ---------------------------------------------------------------------------------


def test_menu_lists_the_nine_lessons_with_button_sized_titles() -> None:
    """The catalogue offers each lesson once, titled short enough for a button."""
    assert [lesson.id for lesson in LESSONS] == [
        "pipelines",
        "walkthrough",
        "compare",
        "lifecycle",
        "insights",
        "cheatsheet",
        "complexity",
        "failures",
        "incidents",
    ]
    assert all(0 < len(lesson.title) <= BUTTON_LIMIT for lesson in LESSONS)


def test_every_page_of_every_lesson_fits_a_message_unclipped(pack: ContentPack) -> None:
    """Each page is non-empty, under the page limit and not cut short by the length guard."""
    assert PAGE_LIMIT < TELEGRAM_MESSAGE_LIMIT
    for lesson in LESSONS:
        for page in lesson_pages(pack, lesson.id):
            assert page.strip(), lesson.id
            assert len(page) <= PAGE_LIMIT, lesson.id
            assert not page.endswith("…"), lesson.id


def test_pipelines_page_shows_both_flows_in_order(pack: ContentPack) -> None:
    """Both pipelines appear as arrow flows, each followed by its stages explained."""
    text = lesson_text(pack, "pipelines")
    assert f"DevOps: Code{ARROW}Build{ARROW}Test{ARROW}Deploy{ARROW}Monitor{ARROW}Iterate" in text
    assert f"MLOps: Data{ARROW}Train{ARROW}Validate{ARROW}Deploy{ARROW}Monitor{ARROW}Retrain" in (
        text
    )
    for stage in pack.lessons.mlops_pipeline.stages:
        assert stage.description in text


def test_lifecycle_page_loops_back_to_plan(pack: ContentPack) -> None:
    """The lifecycle is drawn as a loop that returns to its first stage."""
    text = lesson_text(pack, "lifecycle")
    assert f"Monitor{ARROW}back to Plan" in text
    assert text.count("\n7. ") == 1


def test_walkthrough_has_six_numbered_pages_with_a_growing_tracker(pack: ContentPack) -> None:
    """Page i says "Step i of 6" and tracks every state reached so far, in order."""
    pages = walkthrough_pages(pack)
    steps = pack.lessons.walkthrough
    assert [page.total for page in pages] == [6] * 6
    for i, page in enumerate(pages):
        assert page.index == i and page.number == i + 1
        assert page.text.startswith(f"Step {i + 1} of 6: ")
        lines = page.text.splitlines()
        tracker = lines.index(f"Tracker after step {i + 1}:")
        assert lines[tracker + 1] == "DevOps: " + ARROW.join(
            s.devops_state for s in steps[: i + 1]
        )
        assert lines[tracker + 2] == "MLOps: " + ARROW.join(s.mlops_state for s in steps[: i + 1])
        assert steps[i].difference in page.text
    assert pages[0].is_first and not pages[0].is_last
    assert pages[-1].is_last and pack.lessons.walkthrough_summary in pages[-1].text
    assert pack.lessons.walkthrough_summary not in pages[0].text


def test_walkthrough_titles_are_not_numbered_twice(pack: ContentPack) -> None:
    """A content title "Step 2: build vs train" shows as "Step 2 of 6: Build vs train"."""
    text = walkthrough_page(pack, 1).text
    first_line = text.splitlines()[0]
    assert first_line.count("Step") == 1
    assert first_line[len("Step 2 of 6: ")].isupper()


@pytest.mark.parametrize(("asked", "shown"), [(-3, 0), (6, 5), (99, 5), (2, 2)])
def test_walkthrough_index_out_of_range_is_clamped(
    pack: ContentPack, asked: int, shown: int
) -> None:
    """A stale or forged step index from a button shows the nearest real step."""
    assert walkthrough_page(pack, asked).index == shown


def test_compare_menu_and_rows(pack: ContentPack) -> None:
    """The menu lists every aspect in file order; one row shows both sides and the takeaway."""
    menu = compare_menu(pack)
    assert [row_id for row_id, _ in menu] == list(pack.comparison)
    menu_text = lesson_text(pack, "compare")
    assert all(aspect in menu_text for _, aspect in menu)
    row = pack.comparison["cmp-testing"]
    text = aspect_text(pack, "cmp-testing")
    assert text.startswith(f"{row.aspect} (")
    assert f"DevOps: {row.devops}" in text
    assert f"MLOps: {row.mlops}" in text
    assert f"Takeaway: {row.takeaway}" in text


def test_lesson_pages_expand_multi_page_lessons(pack: ContentPack) -> None:
    """The walk-through gives its overview plus six steps; compare gives its menu plus each row."""
    assert len(lesson_pages(pack, "walkthrough")) == 7
    assert len(lesson_pages(pack, "compare")) == 1 + len(pack.comparison)
    assert lesson_pages(pack, "cheatsheet") == [lesson_text(pack, "cheatsheet")]


def test_unknown_ids_raise_the_lesson_error(pack: ContentPack) -> None:
    """Unknown lesson or row ids raise UnknownLessonError, a TutorError, not a KeyError."""
    with pytest.raises(UnknownLessonError):
        lesson_text(pack, "nope")
    with pytest.raises(UnknownLessonError):
        lesson_info("nope")
    with pytest.raises(UnknownLessonError):
        aspect_text(pack, "cmp-nope")


def test_fit_clips_at_a_line_boundary_and_leaves_short_text_alone() -> None:
    """Oversized text is cut at a line end with an ellipsis; text within the limit is unchanged."""
    lines = [f"line {i} " + "x" * 40 for i in range(200)]
    text = "\n".join(lines)
    clipped = fit(text, limit=1000)
    assert len(clipped) <= 1000
    assert clipped.endswith("…")
    assert clipped[:-1] in text and clipped[:-1].split("\n")[-1] in lines
    assert fit("short", limit=1000) == "short"


def test_fit_cuts_a_single_long_line_between_words() -> None:
    """A page without line breaks is cut at a space, never mid-word."""
    text = " ".join(["word"] * 500)
    clipped = fit(text, limit=101)
    assert len(clipped) <= 101
    assert clipped[:-1].split() == ["word"] * len(clipped[:-1].split())


# --- worked example, checkpoints, failure modes and incidents ----------------------------------


def test_one_worked_example_runs_through_all_six_steps_with_concrete_artifacts(
    pack: ContentPack,
) -> None:
    """Every step carries the example; together they name each artifact the issue lists."""
    steps = pack.lessons.walkthrough
    assert all(step.example is not None for step in steps)
    text = "\n".join(page.text for page in walkthrough_pages(pack))
    assert "Worked example:" in walkthrough_page(pack, 0).text
    assert pack.lessons.walkthrough_example and pack.lessons.walkthrough_example in lesson_text(
        pack, "walkthrough"
    )
    assert re.search(r"\bcommit [0-9a-f]{7}\b", text, re.IGNORECASE), "a commit sha"
    assert re.search(r"\b[a-z]+/[a-z]+:\d+\.\d+\.\d+\b", text), "an image tag"
    assert re.search(r"DVC hash [0-9a-f]{8}", text), "a data hash"
    assert re.search(r"run [0-9a-f]{4}\b", text), "an experiment run id"
    assert "gate" in text and "AUC" in text, "a validation gate"
    assert "alias" in text and "champion" in text, "a registry alias"
    assert "PSI" in text and "drift alert" in text, "a drift alert"


def test_checkpoints_sit_inside_the_walkthrough_and_vary_their_key(pack: ContentPack) -> None:
    """At least one mid-way step asks a question; keys are not always in the same position."""
    asked = [(i, s.checkpoint) for i, s in enumerate(pack.lessons.walkthrough) if s.checkpoint]
    assert asked and all(0 < i < 5 for i, _ in asked)
    for i, checkpoint in asked:
        page = walkthrough_page(pack, i)
        assert page.checkpoint == checkpoint
        assert f"Checkpoint: {checkpoint.question}" in page.text
        assert all(f". {option.text}" in page.text for option in checkpoint.options)
    keys = {next(j for j, o in enumerate(c.options) if o.correct) for _, c in asked}
    assert len(asked) == 1 or len(keys) > 1


def test_checkpoint_verdict_explains_the_chosen_option(pack: ContentPack) -> None:
    """A right pick is confirmed; a wrong pick shows its `why`, the key and the reason."""
    index, checkpoint = next(
        (i, s.checkpoint) for i, s in enumerate(pack.lessons.walkthrough) if s.checkpoint
    )
    key = next(j for j, o in enumerate(checkpoint.options) if o.correct)
    wrong = next(j for j, o in enumerate(checkpoint.options) if not o.correct)
    right = checkpoint_verdict(pack, index, key)
    assert right.startswith(walkthrough_page(pack, index).text)
    assert "is right" in right and checkpoint.explanation in right
    miss = checkpoint_verdict(pack, index, wrong)
    assert f"Not {'ABCD'[wrong]}: {checkpoint.options[wrong].why}" in miss
    assert f"The answer is {'ABCD'[key]}." in miss and checkpoint.explanation in miss


def test_checkpoint_verdict_refuses_missing_questions_and_options(pack: ContentPack) -> None:
    """No checkpoint on the step, or an option past the end, is an UnknownLessonError."""
    bare = next(i for i, s in enumerate(pack.lessons.walkthrough) if s.checkpoint is None)
    asked = next(i for i, s in enumerate(pack.lessons.walkthrough) if s.checkpoint)
    with pytest.raises(UnknownLessonError):
        checkpoint_verdict(pack, bare, 0)
    with pytest.raises(UnknownLessonError):
        checkpoint_verdict(pack, asked, 9)
    with pytest.raises(UnknownLessonError):
        checkpoint_verdict(pack, asked, -1)


@pytest.mark.parametrize(
    ("options", "problem"),
    [
        (
            [{"text": "a", "correct": True}, {"text": "b", "correct": True, "why": "x"}],
            "exactly one",
        ),
        ([{"text": "a", "correct": True}, {"text": "b"}], "needs a `why`"),
        ([{"text": "a", "correct": True}, {"text": "A", "why": "x"}], "differ"),
    ],
)
def test_checkpoint_model_rejects_bad_questions(options: list[dict], problem: str) -> None:
    """Two keys, a wrong option without `why`, or duplicate options fail validation."""
    with pytest.raises(ValueError, match=problem):
        Checkpoint.model_validate({"question": "Q?", "options": options, "explanation": "E."})


def test_failure_modes_page_compares_deploy_drift_and_skew(pack: ContentPack) -> None:
    """Bad deploy, drift and skew each get a symptom, a signal and a first response."""
    modes = pack.lessons.failure_modes
    names = " ".join(mode.name.casefold() for mode in modes)
    assert all(word in names for word in ("deploy", "drift", "skew"))
    text = lesson_text(pack, "failures")
    for mode in modes:
        assert mode.name in text
        assert f"Symptom: {mode.symptom}" in text
        assert f"How you notice: {mode.notice}" in text
        assert f"First response: {mode.first_response}" in text


def test_incidents_pair_one_story_per_discipline_with_a_named_source(pack: ContentPack) -> None:
    """Two real stories, one DevOps and one MLOps, each printed with its source."""
    incidents = pack.lessons.incidents
    assert sorted(i.discipline for i in incidents) == ["DevOps", "MLOps"]
    text = lesson_text(pack, "incidents")
    for incident in incidents:
        assert incident.story in text and f"Source: {incident.source}" in text


def test_packs_without_the_new_lesson_parts_still_render(pack: ContentPack) -> None:
    """Older packs lack examples, checkpoints, incidents and failure modes: pages stay valid."""
    bare_steps = [
        step.model_copy(update={"example": None, "checkpoint": None})
        for step in pack.lessons.walkthrough
    ]
    lessons = pack.lessons.model_copy(
        update={
            "walkthrough": bare_steps,
            "walkthrough_example": None,
            "incidents": [],
            "failure_modes": [],
        }
    )
    old = ContentPack(pack.topics, pack.faq, pack.comparison, pack.glossary, pack.quiz, lessons)
    assert "Worked example:" not in walkthrough_page(old, 1).text
    assert walkthrough_page(old, 1).checkpoint is None
    assert "no incident stories" in lesson_text(old, "incidents")
    assert "no failure modes" in lesson_text(old, "failures")
