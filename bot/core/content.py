"""The content pack: its schema, and loading it with errors that point at `file:line`.

The pack is a directory of YAML files (see `content/SCHEMA.md`). Every file is parsed into a node
tree first so that a validation error deep inside a list can be reported at the line an editor
needs to look at, not just as a JSON path.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from bot.errors import ContentError, ContentProblem

# Telegram caps a text message at 4096 characters; answers are kept far shorter to read on a phone.
TELEGRAM_MESSAGE_LIMIT = 4096
ANSWER_LIMIT = 600
# Inline button labels beyond about 64 characters are cut off on a phone screen.
BUTTON_LIMIT = 64
# Telegram's own quiz limits, kept so a question could also be sent as a native quiz poll.
QUIZ_QUESTION_LIMIT = 300
QUIZ_OPTION_LIMIT = 100
# A wrong option's `why` is shown right under the verdict, so it must stay a glance long; it
# also fits a group member's 200-character answer alert.
QUIZ_WHY_LIMIT = 200

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,47}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
ButtonText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=BUTTON_LIMIT)
]
AnswerText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=ANSWER_LIMIT)
]
Difficulty = Literal["easy", "medium", "hard"]
DIFFICULTIES: tuple[Difficulty, ...] = ("easy", "medium", "hard")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Topic(_Model):
    id: Id
    title: ButtonText
    summary: Text


class FaqEntry(_Model):
    """A question a learner may ask, in the words they might use, with one short answer."""

    id: Id
    topic: Id
    question: ButtonText
    alternatives: list[Text] = Field(min_length=2)
    # Extra words a learner may use for this entry without using its obvious vocabulary.
    keywords: list[Text] = Field(default_factory=list)
    answer: AnswerText
    related: list[Id] = Field(default_factory=list)


class ComparisonRow(_Model):
    """One aspect of the DevOps-vs-MLOps table, answerable on its own."""

    id: Id
    aspect: ButtonText
    topic: Id
    question: ButtonText
    alternatives: list[Text] = Field(min_length=2)
    keywords: list[Text] = Field(default_factory=list)
    devops: AnswerText
    mlops: AnswerText
    takeaway: AnswerText
    related: list[Id] = Field(default_factory=list)


class GlossaryTerm(_Model):
    id: Id
    term: ButtonText
    aliases: list[Text] = Field(default_factory=list)
    topic: Id
    definition: AnswerText
    related: list[Id] = Field(default_factory=list)


class QuizOption(_Model):
    text: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=QUIZ_OPTION_LIMIT)
    ]
    correct: bool = False
    # For a wrong option: why a learner picks it and why it is wrong, shown when it is chosen.
    why: (
        Annotated[
            str,
            StringConstraints(strip_whitespace=True, min_length=1, max_length=QUIZ_WHY_LIMIT),
        ]
        | None
    ) = None

    @model_validator(mode="after")
    def _why_on_wrong_options_only(self) -> QuizOption:
        if not self.correct and self.why is None:
            raise ValueError(
                "a wrong option needs a `why`: why a learner picks it, why it is wrong"
            )
        if self.correct and self.why is not None:
            raise ValueError("the correct option takes no `why`: say it in the explanation")
        return self


class QuizQuestion(_Model):
    id: Id
    topic: Id
    difficulty: Difficulty
    question: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=QUIZ_QUESTION_LIMIT)
    ]
    options: list[QuizOption] = Field(min_length=3, max_length=4)
    hint: AnswerText
    explanation: AnswerText
    # The FAQ entry that the "Why?" button opens.
    related: Id | None = None

    # A field validator, not a model one: it runs even when another field of the question is
    # wrong, so both problems are reported in the same run.
    @field_validator("options")
    @classmethod
    def _one_correct_option(cls, options: list[QuizOption]) -> list[QuizOption]:
        correct = sum(option.correct for option in options)
        if correct != 1:
            raise ValueError(f"needs exactly one correct option, found {correct}")
        texts = [option.text.casefold() for option in options]
        if len(set(texts)) != len(texts):
            raise ValueError("options must differ from each other")
        return options

    @property
    def correct_index(self) -> int:
        return next(i for i, option in enumerate(self.options) if option.correct)


class PipelineStage(_Model):
    name: ButtonText
    description: AnswerText


class Pipeline(_Model):
    title: ButtonText
    summary: AnswerText
    stages: list[PipelineStage] = Field(min_length=3)


class StepExample(_Model):
    """The running worked example at one walk-through step: concrete artifacts on both sides."""

    devops: AnswerText
    mlops: AnswerText


class CheckpointOption(_Model):
    text: ButtonText
    correct: bool = False
    # Shown when a learner picks this (wrong) option: why it tempts and why it is wrong.
    why: AnswerText | None = None


class Checkpoint(_Model):
    """A question answered with buttons in the middle of the walk-through; nothing is recorded."""

    question: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=QUIZ_QUESTION_LIMIT)
    ]
    options: list[CheckpointOption] = Field(min_length=2, max_length=4)
    explanation: AnswerText

    @model_validator(mode="after")
    def _one_key_and_a_reason_for_every_wrong_option(self) -> Checkpoint:
        correct = sum(option.correct for option in self.options)
        if correct != 1:
            raise ValueError(f"needs exactly one correct option, found {correct}")
        texts = [option.text.casefold() for option in self.options]
        if len(set(texts)) != len(texts):
            raise ValueError("options must differ from each other")
        if any(not option.correct and option.why is None for option in self.options):
            raise ValueError("every wrong option needs a `why`")
        return self


class WalkthroughStep(_Model):
    title: ButtonText
    devops: AnswerText
    mlops: AnswerText
    difference: AnswerText
    devops_state: ButtonText
    mlops_state: ButtonText
    example: StepExample | None = None
    checkpoint: Checkpoint | None = None


class Incident(_Model):
    """A real, sourced incident that shows how one discipline fails in practice."""

    title: ButtonText
    discipline: Literal["DevOps", "MLOps"]
    story: AnswerText
    lesson: AnswerText
    source: AnswerText


class FailureMode(_Model):
    """One way a production system goes wrong, for the side-by-side failure modes page."""

    name: ButtonText
    symptom: AnswerText
    notice: AnswerText
    first_response: AnswerText


class Insight(_Model):
    question: Text
    answer: AnswerText


class ComplexitySection(_Model):
    title: ButtonText
    text: AnswerText


class Lessons(_Model):
    devops_pipeline: Pipeline
    mlops_pipeline: Pipeline
    walkthrough: list[WalkthroughStep] = Field(min_length=6, max_length=6)
    walkthrough_summary: AnswerText
    # Introduces the systems the per-step examples follow (shown on the walk-through overview).
    walkthrough_example: AnswerText | None = None
    devops_lifecycle: Pipeline
    insights: list[Insight] = Field(min_length=3)
    cheatsheet: list[Text] = Field(min_length=5)
    complexity: list[ComplexitySection] = Field(min_length=3)
    incidents: list[Incident] = Field(default_factory=list)
    failure_modes: list[FailureMode] = Field(default_factory=list)


# Vocabulary terms: lower case words (digits, +, #, ' and - allowed), phrases of such words.
VocabularyWord = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9+#'.-]{0,39}$")]
VocabularyPhrase = Annotated[
    str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9+#'/. -]{0,59}$", min_length=2)
]


class Vocabulary(_Model):
    """The subject's words the matcher needs: rewrites, synonym groups, subject markers."""

    # "machine learning operations" -> "mlops": multi-word terms, rewritten before matching.
    phrases: dict[VocabularyPhrase, VocabularyPhrase | Literal[""]] = Field(default_factory=dict)
    # "k8s" -> "kubernetes": one word (or several) for one word.
    words: dict[VocabularyWord, VocabularyPhrase] = Field(default_factory=dict)
    # "salary": [pay, wage, ...]: every listed word counts as the group's name.
    synonyms: dict[VocabularyWord, list[VocabularyWord]] = Field(default_factory=dict)
    # Words that place a question inside the subject, and everyday words that only hint at it.
    subject_words: list[VocabularyWord] = Field(default_factory=list)
    everyday_subject_words: list[VocabularyWord] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> Vocabulary:
        single = [s for s in self.phrases if not any(mark in s for mark in " /-")]
        if single:
            raise ValueError(f"phrases need two or more words (put '{single[0]}' in words)")
        seen: dict[str, str] = {}
        for name, variants in self.synonyms.items():
            for variant in (name, *variants):
                if seen.setdefault(variant, name) != name:
                    raise ValueError(
                        f"'{variant}' is in two synonym groups ({seen[variant]}, {name})"
                    )
        both = set(self.subject_words) & set(self.everyday_subject_words)
        if both:
            raise ValueError(
                f"'{sorted(both)[0]}' is in both subject_words and everyday_subject_words"
            )
        return self


class _TopicsFile(_Model):
    topics: list[Topic] = Field(min_length=1)


class _FaqFile(_Model):
    entries: list[FaqEntry] = Field(min_length=1)


class _ComparisonFile(_Model):
    rows: list[ComparisonRow] = Field(min_length=1)


class _GlossaryFile(_Model):
    terms: list[GlossaryTerm] = Field(min_length=1)


class _QuizFile(_Model):
    questions: list[QuizQuestion] = Field(min_length=1)


class _LessonsFile(_Model):
    lessons: Lessons


@dataclass(frozen=True, slots=True)
class Answerable:
    """Anything the matcher can land on, flattened to what the matcher and renderers need."""

    id: str
    kind: Literal["faq", "comparison", "glossary"]
    topic: str
    title: str
    questions: tuple[str, ...]
    keywords: tuple[str, ...]
    answer: str
    related: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ContentPack:
    topics: dict[str, Topic]
    faq: dict[str, FaqEntry]
    comparison: dict[str, ComparisonRow]
    glossary: dict[str, GlossaryTerm]
    quiz: dict[str, QuizQuestion]
    lessons: Lessons
    answerables: dict[str, Answerable] = field(default_factory=dict)
    vocabulary: Vocabulary = field(default_factory=Vocabulary)

    def answerable(self, entry_id: str) -> Answerable | None:
        return self.answerables.get(entry_id)

    def quiz_by_difficulty(self, difficulty: Difficulty | None) -> list[QuizQuestion]:
        return [q for q in self.quiz.values() if difficulty is None or q.difficulty == difficulty]


def comparison_answer(row: ComparisonRow) -> str:
    """The plain-text answer for a comparison row, the same in every adapter."""
    return f"{row.aspect}\nDevOps: {row.devops}\nMLOps: {row.mlops}\n{row.takeaway}"


def _answerables(
    faq: Iterable[FaqEntry], rows: Iterable[ComparisonRow], terms: Iterable[GlossaryTerm]
) -> dict[str, Answerable]:
    items: list[Answerable] = []
    items += [
        Answerable(
            e.id,
            "faq",
            e.topic,
            e.question,
            (e.question, *e.alternatives),
            tuple(e.keywords),
            e.answer,
            tuple(e.related),
        )
        for e in faq
    ]
    items += [
        Answerable(
            r.id,
            "comparison",
            r.topic,
            r.question,
            (r.question, *r.alternatives),
            (r.aspect, *r.keywords),
            comparison_answer(r),
            tuple(r.related),
        )
        for r in rows
    ]
    items += [
        Answerable(
            t.id,
            "glossary",
            t.topic,
            t.term,
            (f"what is {t.term}", *(f"what is {a}" for a in t.aliases)),
            (t.term, *t.aliases),
            f"{t.term}: {t.definition}",
            tuple(t.related),
        )
        for t in terms
    ]
    return {item.id: item for item in items}


# --- YAML with line numbers -------------------------------------------------------------------

Path_ = tuple[str | int, ...]


# The tags plain YAML data resolves to. Anything else (``!!python/object/apply:...``, custom
# ``!tags``) is refused: the walk below builds mappings and lists itself, so it would otherwise
# drop such a tag silently instead of saying the file is not plain content.
_YAML_CORE = "tag:yaml.org,2002:"
_PLAIN_TAGS = frozenset(
    _YAML_CORE + name
    for name in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
)


def _walk(node: yaml.Node, path: Path_, lines: dict[Path_, int]) -> Any:
    """Turn a composed YAML node into plain data, recording each value's 1-based line."""
    lines[path] = node.start_mark.line + 1
    if node.tag not in _PLAIN_TAGS:
        raise _UnsafeTag(node.tag.replace(_YAML_CORE, "!!"), node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = (
                yaml.safe_load(yaml.serialize(key_node))
                if not isinstance(key_node, yaml.ScalarNode)
                else key_node.value
            )
            if key in result:
                raise _DuplicateKey(str(key), key_node.start_mark.line + 1)
            result[key] = _walk(value_node, (*path, key), lines)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_walk(child, (*path, i), lines) for i, child in enumerate(node.value)]
    # Scalars: let the safe constructor decide ints, bools and nulls the YAML 1.1 way.
    return (
        yaml.SafeLoader(yaml.serialize(node)).get_single_data()
        if node.tag != ("tag:yaml.org,2002:str")
        else node.value
    )


class _DuplicateKey(Exception):
    def __init__(self, key: str, line: int) -> None:
        self.key, self.line = key, line


class _UnsafeTag(Exception):
    def __init__(self, tag: str, line: int) -> None:
        self.tag, self.line = tag, line


def _read_yaml(path: Path, shown: str) -> tuple[Any, dict[Path_, int]]:
    """Parse one file; raise ContentError with a located problem on any syntax error."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ContentError([ContentProblem(shown, 1, f"not valid UTF-8 ({exc.reason})")]) from exc
    except OSError as exc:
        raise ContentError(
            [ContentProblem(shown, 1, f"cannot read file ({exc.strerror})")]
        ) from exc
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise ContentError(
            [ContentProblem(shown, line, f"YAML syntax error: {exc.problem or exc.context}")]
        ) from exc
    except yaml.YAMLError as exc:
        raise ContentError([ContentProblem(shown, 1, f"YAML error: {exc}")]) from exc
    if node is None:
        raise ContentError([ContentProblem(shown, 1, "file is empty")])
    lines: dict[Path_, int] = {}
    try:
        return _walk(node, (), lines), lines
    except _DuplicateKey as dup:
        raise ContentError(
            [ContentProblem(shown, dup.line, f"duplicate key '{dup.key}'")]
        ) from None
    except _UnsafeTag as unsafe:
        message = f"YAML tag {unsafe.tag} is not allowed: content is plain text, lists and maps"
        raise ContentError([ContentProblem(shown, unsafe.line, message)]) from None
    except yaml.YAMLError as exc:
        # A plain-tagged scalar the safe constructor still refuses (e.g. an impossible date).
        raise ContentError([ContentProblem(shown, 1, f"YAML error: {exc}")]) from exc


def _line_for(lines: dict[Path_, int], loc: Path_) -> int:
    """The line of the deepest existing prefix of `loc` (a missing key reports its parent)."""
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return 1


def _describe(error: Any) -> str:
    loc = ".".join(str(part) for part in error["loc"])
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown field (check the spelling against content/SCHEMA.md)"
    elif error["type"] == "missing":
        message = "required field is missing"
    return f"{loc}: {message}" if loc else message


@dataclass
class _Located:
    """A validated model plus where each of its parts sits in its file."""

    model: Any
    file: str
    lines: dict[Path_, int]

    def line(self, *loc: str | int) -> int:
        return _line_for(self.lines, loc)


class _InvalidFile(ContentError):
    """A file that parsed but broke the schema; its data still says which ids it defines."""

    def __init__(self, problems: list[ContentProblem], data: Any) -> None:
        super().__init__(problems)
        self.data = data


def _validate(path: Path, root: Path, schema: type[_Model]) -> _Located:
    """Parse and validate one file: ContentError if it does not parse, _InvalidFile if it
    parses but breaks the schema (placeholders and every schema error of the file, together)."""
    shown = _display(path, root)
    data, lines = _read_yaml(path, shown)
    problems = [
        ContentProblem(shown, lines.get(loc, 1), f"{_dotted(loc)}: contains a placeholder")
        for loc in _placeholder_paths(data, ())
    ]
    try:
        model = schema.model_validate(data)
    except ValidationError as exc:
        problems += [
            ContentProblem(shown, _line_for(lines, tuple(err["loc"])), _describe(err))
            for err in exc.errors()
        ]
    if problems:
        raise _InvalidFile(sorted(problems, key=lambda p: p.line), data)
    return _Located(model, shown, lines)


def _defined_ids(data: Any) -> set[str]:
    """The ids a file defines, read from its raw data (for a file that failed validation)."""
    found: set[str] = set()
    if isinstance(data, dict):
        for items in data.values():
            if isinstance(items, list):
                found.update(
                    item["id"]
                    for item in items
                    if isinstance(item, dict) and isinstance(item.get("id"), str)
                )
    return found


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


def _files(directory: Path, pattern: str) -> Iterator[Path]:
    return iter(sorted(p for p in directory.glob(pattern) if p.is_file()))


def default_content_dir() -> Path:
    """The pack installed with the package (`bot/_content`), else `content/` of the checkout.

    A wheel or `pip install .` carries the pack as package data (pyproject.toml maps `content/`
    to `bot._content`); an editable install or a plain checkout has only the top-level folder.
    """
    bundled = resources.files("bot") / "_content"
    # Package data installed as plain files is a real directory; load_content reads paths.
    if isinstance(bundled, Path) and bundled.is_dir():
        return bundled
    return Path(__file__).resolve().parents[2] / "content"


_SECTION_FILES = {
    "topics": "topics.yaml",
    "comparison": "comparison.yaml",
    "glossary": "glossary.yaml",
    "lessons": "lessons.yaml",
}


def load_content(directory: Path | str | None = None) -> ContentPack:
    """Load and validate the whole pack; raise ContentError listing every problem found."""
    root = Path(directory) if directory is not None else default_content_dir()
    if not root.is_dir():
        raise ContentError([ContentProblem(str(root), 1, "content directory does not exist")])
    try:
        next(root.iterdir(), None)
    except OSError as exc:
        # One cause, one line: not a "cannot read" for every file inside.
        raise ContentError(
            [ContentProblem(str(root), 1, f"cannot read the content directory ({exc.strerror})")]
        ) from None
    problems: list[ContentProblem] = []
    located: dict[str, list[_Located]] = {}
    # What failed files still tell the cross-file checks, so a broken file does not make
    # healthy files report its ids as missing: `unknown` sections could not be read at all (any
    # reference into them goes unchecked); `salvaged` ids come from files that parsed but broke
    # the schema.
    unknown: set[str] = set()
    salvaged: dict[str, set[str]] = {}

    def load(key: str, path: Path, schema: type[_Model]) -> None:
        try:
            located.setdefault(key, []).append(_validate(path, root, schema))
        except _InvalidFile as exc:
            problems.extend(exc.problems)
            salvaged.setdefault(key, set()).update(_defined_ids(exc.data))
        except ContentError as exc:
            problems.extend(exc.problems)
            unknown.add(key)

    for key, name in _SECTION_FILES.items():
        path = root / name
        if not path.is_file():
            problems.append(ContentProblem(_display(path, root), 1, "required file is missing"))
            unknown.add(key)
            continue
        schema = {
            "topics": _TopicsFile,
            "comparison": _ComparisonFile,
            "glossary": _GlossaryFile,
            "lessons": _LessonsFile,
        }[key]
        load(key, path, schema)
    for path in _files(root / "faq", "*.yaml"):
        load("faq", path, _FaqFile)
    for path in _files(root / "quiz", "*.yaml"):
        load("quiz", path, _QuizFile)
    # Optional: a pack without it is matched with generic English rewrites only.
    if (root / "vocabulary.yaml").is_file():
        load("vocabulary", root / "vocabulary.yaml", Vocabulary)
    for key, label in (("faq", "FAQ"), ("quiz", "quiz")):
        if not any((root / key).glob("*.yaml")):
            problems.append(
                ContentProblem(_display(root / key, root), 1, f"no {label} files found")
            )
            unknown.add(key)
    # Cross-file checks run on whatever validated, so one run reports every problem at once.
    pack = _cross_check(located, problems, unknown, salvaged)
    if problems or pack is None:
        raise ContentError(problems)
    return pack


_ANSWERABLE_SECTIONS = ("faq", "comparison", "glossary")


def _cross_check(
    located: dict[str, list[_Located]],
    problems: list[ContentProblem],
    unknown: set[str],
    salvaged: dict[str, set[str]],
) -> ContentPack | None:
    """Checks that span files: unique ids, known topics, related ids that exist.

    A reference is reported as missing only when every file it could point into was read."""
    topics: dict[str, Topic] = {}
    for doc in located.get("topics", []):
        for i, topic in enumerate(doc.model.topics):
            if topic.id in topics:
                problems.append(
                    ContentProblem(
                        doc.file, doc.line("topics", i, "id"), f"duplicate topic id '{topic.id}'"
                    )
                )
            topics[topic.id] = topic

    seen: dict[str, str] = {}
    faq: dict[str, FaqEntry] = {}
    rows: dict[str, ComparisonRow] = {}
    terms: dict[str, GlossaryTerm] = {}
    quiz: dict[str, QuizQuestion] = {}
    # (doc, list key, index, item, registry) for every item that has an id and a topic
    placed: list[tuple[_Located, str, int, Any]] = []
    for key, list_key, registry in (
        ("faq", "entries", faq),
        ("comparison", "rows", rows),
        ("glossary", "terms", terms),
        ("quiz", "questions", quiz),
    ):
        for doc in located.get(key, []):
            for i, item in enumerate(getattr(doc.model, list_key)):
                where = f"{doc.file}:{doc.line(list_key, i, 'id')}"
                if item.id in seen:
                    problems.append(
                        ContentProblem(
                            doc.file,
                            doc.line(list_key, i, "id"),
                            f"duplicate id '{item.id}' (first defined at {seen[item.id]})",
                        )
                    )
                    continue
                seen[item.id] = where
                registry[item.id] = item  # type: ignore[index]
                placed.append((doc, list_key, i, item))

    answerable_ids = set(faq) | set(rows) | set(terms)
    answerable_ids |= set().union(*(salvaged.get(k, set()) for k in _ANSWERABLE_SECTIONS))
    topic_ids = set(topics) | salvaged.get("topics", set())
    check_topics = "topics" not in unknown
    check_related = not unknown & set(_ANSWERABLE_SECTIONS)
    for doc, list_key, i, item in placed:
        if check_topics and item.topic not in topic_ids:
            problems.append(
                ContentProblem(
                    doc.file, doc.line(list_key, i, "topic"), f"unknown topic '{item.topic}'"
                )
            )
        related = (
            item.related
            if isinstance(item.related, list)
            else ([item.related] if item.related else [])
        )
        for j, target in enumerate(related):
            if target not in answerable_ids and check_related:
                loc = (
                    (list_key, i, "related", j)
                    if isinstance(item.related, list)
                    else (list_key, i, "related")
                )
                problems.append(
                    ContentProblem(
                        doc.file, doc.line(*loc), f"related id '{target}' does not exist"
                    )
                )
            elif target == item.id:
                problems.append(
                    ContentProblem(
                        doc.file,
                        doc.line(list_key, i, "related"),
                        "an entry cannot be related to itself",
                    )
                )

    for doc, list_key, i, item in placed:
        text = (
            item.answer
            if isinstance(item, FaqEntry)
            else (comparison_answer(item) if isinstance(item, ComparisonRow) else None)
        )
        if text is not None and len(text) > TELEGRAM_MESSAGE_LIMIT:
            problems.append(
                ContentProblem(
                    doc.file, doc.line(list_key, i), "answer is longer than a Telegram message"
                )
            )
    if problems or not located.get("lessons"):
        return None
    lessons = located["lessons"][0].model.lessons
    vocabulary = located["vocabulary"][0].model if located.get("vocabulary") else Vocabulary()
    return ContentPack(
        topics=topics,
        faq=faq,
        comparison=rows,
        glossary=terms,
        quiz=quiz,
        lessons=lessons,
        answerables=_answerables(faq.values(), rows.values(), terms.values()),
        vocabulary=vocabulary,
    )


_PLACEHOLDER = re.compile(r"\b(TODO|TBD|FIXME|lorem ipsum)\b", re.IGNORECASE)


def _placeholder_paths(node: Any, path: Path_) -> Iterator[Path_]:
    """Where unfinished text sits in a parsed file, however deeply nested."""
    if isinstance(node, str):
        if _PLACEHOLDER.search(node):
            yield path
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _placeholder_paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _placeholder_paths(value, (*path, index))


def _dotted(loc: Path_) -> str:
    return ".".join(str(part) for part in loc)
