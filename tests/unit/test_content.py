"""The content pack: the real pack is complete and valid, and each kind of breakage is located."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.core.content import DIFFICULTIES, ContentPack, load_content
from bot.core.content.schema import MAX_AREAS, TopicsFile
from bot.errors import ContentError

MINIPACK = Path(__file__).parents[1] / "data" / "minipack"


def test_real_pack_loads_with_the_promised_volume(pack: ContentPack) -> None:
    """The bundled pack validates and has at least the promised 80 FAQ entries (at most 140, so
    that every entry stays reviewable by hand) and 60+ quiz questions."""
    assert 80 <= len(pack.faq) <= 140
    assert len(pack.quiz) >= 60
    per_difficulty = Counter(q.difficulty for q in pack.quiz.values())
    assert all(per_difficulty[d] >= 20 for d in DIFFICULTIES), per_difficulty


def test_every_topic_has_faq_entries_and_quiz_questions(pack: ContentPack) -> None:
    """Each topic a learner may ask about is answerable and examinable."""
    faq_topics = {entry.topic for entry in pack.faq.values()}
    quiz_topics = {question.topic for question in pack.quiz.values()}
    assert set(pack.topics) - faq_topics == set()
    assert set(pack.topics) - quiz_topics == set()


def test_topics_match_the_shared_topic_list(pack: ContentPack) -> None:
    """content/topics.yaml lists exactly the topics the product must cover."""
    topics_md = Path(__file__).parents[3] / "shared" / "topics.md"
    if not topics_md.is_file():
        pytest.skip("the shared topic list is not beside this checkout")
    listed = {
        line.split()[0]
        for line in topics_md.read_text(encoding="utf-8").splitlines()
        if re.match(r"^[a-z][a-z-]+\s+\S", line)
    }
    assert listed == set(pack.topics)


def test_the_minimal_pack_is_valid() -> None:
    """The fixture every breakage test starts from is itself valid."""
    pack = load_content(MINIPACK)
    assert set(pack.answerables) == {"drift-what", "testing-what", "cmp-testing", "term-drift"}


# --- breakage: each mutation of a valid pack gives one precise, located error -----------------

Mutation = Callable[[Path], None]


def _replace(relative: str, old: str, new: str) -> Mutation:
    def mutate(root: Path) -> None:
        path = root / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, f"fixture drifted: {old!r} not in {relative}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return mutate


def _write(relative: str, content: str | bytes) -> Mutation:
    def mutate(root: Path) -> None:
        path = root / relative
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")

    return mutate


def _delete(relative: str) -> Mutation:
    return lambda root: (root / relative).unlink()


BREAKAGES: list[tuple[str, Mutation, str]] = [
    (
        "two correct options",
        _replace(
            "quiz/basics.yaml",
            "        why: A reboot restarts the same model on the same data; drift comes from "
            "what the data says.",
            "        correct: true",
        ),
        "minipack/quiz/basics.yaml:7: questions.0.options: needs exactly one correct option, "
        "found 2",
    ),
    (
        "no correct option",
        _replace("quiz/basics.yaml", "        correct: true\n", "        why: Not any more.\n"),
        "minipack/quiz/basics.yaml:7: questions.0.options: needs exactly one correct option, "
        "found 0",
    ),
    (
        "topic without an area",
        _replace("topics.yaml", "    area: Quality\n", ""),
        "minipack/topics.yaml:6: topics.1.area: required field is missing",
    ),
    (
        "area too long for a heading",
        _replace("topics.yaml", "area: Quality", "area: " + "Quality " * 5),
        "minipack/topics.yaml:9: topics.1.area: String should have at most 32 characters",
    ),
    (
        "unknown topic",
        _replace("faq/basics.yaml", "topic: testing", "topic: testin"),
        "minipack/faq/basics.yaml:12: unknown topic 'testin'",
    ),
    (
        "related id that does not exist",
        _replace("faq/basics.yaml", "related: [testing-what]", "related: [testing-wat]"),
        "minipack/faq/basics.yaml:10: related id 'testing-wat' does not exist",
    ),
    (
        "duplicate id across files",
        _replace("glossary.yaml", "id: term-drift", "id: drift-what"),
        "minipack/glossary.yaml:2: duplicate id 'drift-what' (first defined at "
        "minipack/faq/basics.yaml:2)",
    ),
    (
        "answer too long for a phone",
        _replace("faq/basics.yaml", "answer: Drift is", "answer: " + "very " * 130 + "Drift is"),
        "minipack/faq/basics.yaml:9: entries.0.answer: String should have at most 600 characters",
    ),
    (
        "button text too long",
        _replace(
            "faq/basics.yaml",
            "question: What is drift?",
            "question: " + "What is drift " * 6 + "?",
        ),
        "minipack/faq/basics.yaml:4: entries.0.question: String should have at most 64 characters",
    ),
    (
        "misspelt field name",
        _replace("faq/basics.yaml", "    keywords: [decay]", "    keyword: [decay]"),
        "minipack/faq/basics.yaml:8: entries.0.keyword: unknown field",
    ),
    (
        "missing required field",
        _replace("quiz/basics.yaml", "    hint: Think about what the model learned from.\n", ""),
        "minipack/quiz/basics.yaml:2: questions.0.hint: required field is missing",
    ),
    (
        "wrong difficulty",
        _replace("quiz/basics.yaml", "difficulty: easy", "difficulty: trivial"),
        "minipack/quiz/basics.yaml:4: questions.0.difficulty: Input should be 'easy', 'medium' "
        "or 'hard'",
    ),
    (
        "bad indentation",
        _replace("faq/basics.yaml", "    topic: drift", "  topic: drift"),
        "minipack/faq/basics.yaml:3: YAML syntax error",
    ),
    (
        "duplicate key",
        _replace("faq/basics.yaml", "    topic: drift", "    topic: drift\n    topic: testing"),
        "minipack/faq/basics.yaml:4: duplicate key 'topic'",
    ),
    (
        "placeholder text",
        _replace("faq/basics.yaml", "Besides code tests", "TODO besides code tests"),
        "minipack/faq/basics.yaml:17: entries.1.answer: contains a placeholder",
    ),
    (
        "placeholder in a quiz option",
        _replace("quiz/basics.yaml", "text: The server rebooted", "text: TBD option"),
        "minipack/quiz/basics.yaml:9: questions.0.options.1.text: contains a placeholder",
    ),
    (
        "placeholder in a lesson",
        _replace("lessons.yaml", "summary: A loop.", "summary: FIXME later."),
        "minipack/lessons.yaml:26: lessons.devops_lifecycle.summary: contains a placeholder",
    ),
    (
        "no FAQ files at all",
        lambda root: (root / "faq" / "basics.yaml").unlink(),
        "minipack/faq:1: no FAQ files found",
    ),
    ("empty file", _write("glossary.yaml", ""), "minipack/glossary.yaml:1: file is empty"),
    (
        "not UTF-8",
        _write("glossary.yaml", b"terms:\n  - id: \xff\xfe\n"),
        "minipack/glossary.yaml:1: not valid UTF-8",
    ),
    (
        "a list where a mapping belongs",
        _write("topics.yaml", "- drift\n- testing\n"),
        "minipack/topics.yaml:1: Input should be a valid dictionary",
    ),
    (
        "missing lessons file",
        _delete("lessons.yaml"),
        "minipack/lessons.yaml:1: required file is missing",
    ),
    (
        "walk-through with five steps",
        _replace(
            "lessons.yaml",
            "    - {title: Six, devops: a, mlops: b, difference: c, "
            "devops_state: s6, mlops_state: m6}\n",
            "",
        ),
        "minipack/lessons.yaml:17: lessons.walkthrough: List should have at least 6 items",
    ),
    (
        "wrong option without a why",
        _replace(
            "quiz/basics.yaml",
            "        why: A failing test stops a release; it cannot change what a running model "
            "has learned.\n",
            "",
        ),
        "minipack/quiz/basics.yaml:11: questions.0.options.2: a wrong option needs a `why`",
    ),
    (
        "a why on the correct option",
        _replace(
            "quiz/basics.yaml",
            "        correct: true\n",
            "        correct: true\n        why: Because it is right.\n",
        ),
        "minipack/quiz/basics.yaml:7: questions.0.options.0: the correct option takes no `why`",
    ),
    (
        "a why too long to read at a glance",
        _replace(
            "quiz/basics.yaml", "why: A reboot restarts", "why: " + "very " * 40 + "A reboot"
        ),
        "minipack/quiz/basics.yaml:10: questions.0.options.1.why: String should have at most 200 "
        "characters",
    ),
    (
        "the retired mistakes list",
        _replace(
            "quiz/basics.yaml",
            "    related: drift-what",
            "    mistakes: [Thinking only code breaks a model.]\n    related: drift-what",
        ),
        "minipack/quiz/basics.yaml:15: questions.0.mistakes: unknown field",
    ),
    (
        "three options that are the same",
        _replace("quiz/basics.yaml", "The server rebooted", "The live data changed"),
        "minipack/quiz/basics.yaml:7: questions.0.options: options must differ from each other",
    ),
]


@pytest.mark.parametrize(("case", "mutate", "expected"), BREAKAGES, ids=[b[0] for b in BREAKAGES])
def test_broken_content_is_reported_at_its_line(
    tmp_path: Path, case: str, mutate: Mutation, expected: str
) -> None:
    """Each breakage is reported as `file:line: what is wrong` and nothing loads."""
    root = tmp_path / "minipack"
    shutil.copytree(MINIPACK, root)
    mutate(root)
    with pytest.raises(ContentError) as caught:
        load_content(root)
    messages = [str(problem) for problem in caught.value.problems]
    assert any(message.startswith(expected) for message in messages), (case, messages)


def test_every_problem_in_a_pack_is_reported_at_once(tmp_path: Path) -> None:
    """Two independent mistakes in two files are both reported, so one run fixes both."""
    root = tmp_path / "minipack"
    shutil.copytree(MINIPACK, root)
    _replace("faq/basics.yaml", "topic: testing", "topic: nope")(root)
    _replace("quiz/basics.yaml", "difficulty: easy", "difficulty: trivial")(root)
    with pytest.raises(ContentError) as caught:
        load_content(root)
    files = {problem.file for problem in caught.value.problems}
    assert files == {"minipack/faq/basics.yaml", "minipack/quiz/basics.yaml"}


def _problems_after(tmp_path: Path, *mutations: Mutation) -> list[str]:
    root = tmp_path / "minipack"
    shutil.copytree(MINIPACK, root)
    for mutate in mutations:
        mutate(root)
    with pytest.raises(ContentError) as caught:
        load_content(root)
    return [str(problem) for problem in caught.value.problems]


FOLLOW_ON: list[tuple[str, Mutation, str]] = [
    (
        "FAQ file that does not parse",
        _replace("faq/basics.yaml", "    topic: drift", "  topic: drift"),
        "minipack/faq/basics.yaml:3: YAML syntax error",
    ),
    (
        "FAQ file with a duplicate key",
        _replace("faq/basics.yaml", "    topic: drift", "    topic: drift\n    topic: x"),
        "minipack/faq/basics.yaml:4: duplicate key 'topic'",
    ),
    (
        "FAQ file that breaks the schema",
        _replace("faq/basics.yaml", "    keywords: [decay]", "    keyword: [decay]"),
        "minipack/faq/basics.yaml:8: entries.0.keyword: unknown field",
    ),
    (
        "topics file that does not parse",
        _write("topics.yaml", "topics:\n  - id: drift\n   title: [unclosed\n"),
        "minipack/topics.yaml:",
    ),
    ("missing topics file", _delete("topics.yaml"), "minipack/topics.yaml:1: required"),
]


@pytest.mark.parametrize(("case", "mutate", "only"), FOLLOW_ON, ids=[f[0] for f in FOLLOW_ON])
def test_a_broken_file_causes_no_follow_on_errors(
    tmp_path: Path, case: str, mutate: Mutation, only: str
) -> None:
    """Healthy files that refer into a broken one are not reported: one cause, one message."""
    problems = _problems_after(tmp_path, mutate)
    assert len(problems) == 1 and problems[0].startswith(only), (case, problems)


def test_every_schema_problem_of_every_file_comes_in_one_run(tmp_path: Path) -> None:
    """Placeholders, field errors and option rules of several files are reported together."""
    problems = _problems_after(
        tmp_path,
        # one quiz question: a missing field, and a `why` on an option made correct
        _replace("quiz/basics.yaml", "    hint: Think about what the model learned from.\n", ""),
        _replace(
            "quiz/basics.yaml",
            "      - text: The server rebooted",
            "      - text: The server rebooted\n        correct: true",
        ),
        # one FAQ file: a placeholder and a misspelt field
        _replace("faq/basics.yaml", "Besides code tests", "TODO besides code tests"),
        _replace("faq/basics.yaml", "    keywords: [decay]", "    keyword: [decay]"),
    )
    expected = [
        "minipack/quiz/basics.yaml:2: questions.0.hint: required field is missing",
        "minipack/quiz/basics.yaml:9: questions.0.options.1: the correct option takes no `why`",
        "minipack/faq/basics.yaml:8: entries.0.keyword: unknown field",
        "minipack/faq/basics.yaml:17: entries.1.answer: contains a placeholder",
    ]
    for start in expected:
        assert any(problem.startswith(start) for problem in problems), (start, problems)


def test_missing_directory_is_reported() -> None:
    """Pointing at a directory that does not exist is a clear error, not a traceback."""
    with pytest.raises(ContentError, match="content directory does not exist"):
        load_content(Path("/nonexistent/content"))


def test_topics_come_in_a_handful_of_areas() -> None:
    """Each topic names its area; more than a handful of areas is refused (one heading each)."""

    def topics(areas: int) -> dict[str, object]:
        return {
            "topics": [
                {"id": f"t{i}", "title": "T", "summary": "S", "area": f"Area {i}"}
                for i in range(areas)
            ]
        }

    assert len(TopicsFile.model_validate(topics(MAX_AREAS)).topics) == MAX_AREAS
    with pytest.raises(ValidationError, match=f"at most {MAX_AREAS}"):
        TopicsFile.model_validate(topics(MAX_AREAS + 1))


def test_the_shipped_topics_fall_into_a_few_areas(pack: ContentPack) -> None:
    areas = {topic.area for topic in pack.topics.values()}
    assert 3 <= len(areas) <= 8
