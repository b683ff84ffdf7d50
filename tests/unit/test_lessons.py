"""Lessons: the bundled lesson content is complete, and every lesson renders to pages that fit."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.core.content import (
    BUTTON_LIMIT,
    TELEGRAM_MESSAGE_LIMIT,
    ContentPack,
    Lessons,
    load_content,
)
from bot.core.lessons import (
    ARROW,
    LESSONS,
    PAGE_LIMIT,
    UnknownLessonError,
    aspect_text,
    compare_menu,
    fit,
    lesson_info,
    lesson_pages,
    lesson_text,
    walkthrough_page,
    walkthrough_pages,
)
from bot.core.pictures import headline

CONTENT = Path(__file__).parents[2] / "content"


@pytest.fixture(scope="module")
def pack() -> ContentPack:
    return load_content()


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


def test_glossary_has_20_to_30_prefixed_terms(pack: ContentPack) -> None:
    """The glossary defines 20-30 terms, each id starting with `term-`."""
    assert 20 <= len(pack.glossary) <= 30
    assert all(term_id.startswith("term-") for term_id in pack.glossary)


# --- rendering ---------------------------------------------------------------------------------


def test_menu_lists_the_seven_lessons_with_button_sized_titles() -> None:
    """The catalogue offers each lesson once, titled short enough for a button."""
    assert [lesson.id for lesson in LESSONS] == [
        "pipelines",
        "walkthrough",
        "compare",
        "lifecycle",
        "insights",
        "cheatsheet",
        "complexity",
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
