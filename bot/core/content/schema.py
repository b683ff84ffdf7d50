"""The content pack's schema: the pydantic models of each YAML file, and the loaded pack.

What each field means is written for authors in `content/SCHEMA.md`; this module is what enforces
it. ``ContentPack`` is the validated, cross-checked whole that ``bot.core.content.loader`` builds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

__all__ = [
    "ANSWER_LIMIT",
    "AREA_LIMIT",
    "BUTTON_LIMIT",
    "DIFFICULTIES",
    "MAX_AREAS",
    "QUIZ_OPTION_LIMIT",
    "QUIZ_QUESTION_LIMIT",
    "QUIZ_WHY_LIMIT",
    "TELEGRAM_MESSAGE_LIMIT",
    "AnswerText",
    "Answerable",
    "AreaName",
    "ButtonText",
    "Checkpoint",
    "CheckpointOption",
    "ComparisonFile",
    "ComparisonRow",
    "ComplexitySection",
    "ContentModel",
    "ContentPack",
    "Difficulty",
    "FailureMode",
    "FaqEntry",
    "FaqFile",
    "GlossaryFile",
    "GlossaryTerm",
    "Id",
    "Incident",
    "Insight",
    "Lessons",
    "LessonsFile",
    "Pipeline",
    "PipelineStage",
    "QuizFile",
    "QuizOption",
    "QuizQuestion",
    "StepExample",
    "Text",
    "Topic",
    "TopicsFile",
    "Vocabulary",
    "VocabularyPhrase",
    "VocabularyWord",
    "WalkthroughStep",
    "comparison_answer",
]

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


class ContentModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# The heading a group of topics is drawn under in /progress, and how many such groups fit it.
AREA_LIMIT = 32
MAX_AREAS = 8
AreaName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=AREA_LIMIT)
]


class Topic(ContentModel):
    id: Id
    title: ButtonText
    summary: Text
    # The part of the subject a learner would file the topic under ("Data & models"...).
    area: AreaName


class FaqEntry(ContentModel):
    """A question a learner may ask, in the words they might use, with one short answer."""

    id: Id
    topic: Id
    question: ButtonText
    alternatives: list[Text] = Field(min_length=2)
    # Extra words a learner may use for this entry without using its obvious vocabulary.
    keywords: list[Text] = Field(default_factory=list)
    answer: AnswerText
    related: list[Id] = Field(default_factory=list)


class ComparisonRow(ContentModel):
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


class GlossaryTerm(ContentModel):
    id: Id
    term: ButtonText
    aliases: list[Text] = Field(default_factory=list)
    topic: Id
    definition: AnswerText
    related: list[Id] = Field(default_factory=list)


class QuizOption(ContentModel):
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


class QuizQuestion(ContentModel):
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


class PipelineStage(ContentModel):
    name: ButtonText
    description: AnswerText


class Pipeline(ContentModel):
    title: ButtonText
    summary: AnswerText
    stages: list[PipelineStage] = Field(min_length=3)


class StepExample(ContentModel):
    """The running worked example at one walk-through step: concrete artifacts on both sides."""

    devops: AnswerText
    mlops: AnswerText


class CheckpointOption(ContentModel):
    text: ButtonText
    correct: bool = False
    # Shown when a learner picks this (wrong) option: why it tempts and why it is wrong.
    why: AnswerText | None = None


class Checkpoint(ContentModel):
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


class WalkthroughStep(ContentModel):
    title: ButtonText
    devops: AnswerText
    mlops: AnswerText
    difference: AnswerText
    devops_state: ButtonText
    mlops_state: ButtonText
    example: StepExample | None = None
    checkpoint: Checkpoint | None = None


class Incident(ContentModel):
    """A real, sourced incident that shows how one discipline fails in practice."""

    title: ButtonText
    discipline: Literal["DevOps", "MLOps"]
    story: AnswerText
    lesson: AnswerText
    source: AnswerText


class FailureMode(ContentModel):
    """One way a production system goes wrong, for the side-by-side failure modes page."""

    name: ButtonText
    symptom: AnswerText
    notice: AnswerText
    first_response: AnswerText


class Insight(ContentModel):
    question: Text
    answer: AnswerText


class ComplexitySection(ContentModel):
    title: ButtonText
    text: AnswerText


class Lessons(ContentModel):
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


class Vocabulary(ContentModel):
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


class TopicsFile(ContentModel):
    topics: list[Topic] = Field(min_length=1)

    @model_validator(mode="after")
    def _a_handful_of_areas(self) -> TopicsFile:
        areas = {topic.area for topic in self.topics}
        if len(areas) > MAX_AREAS:
            raise ValueError(
                f"{len(areas)} areas; group the topics into at most {MAX_AREAS} "
                "(each is a heading in the /progress picture)"
            )
        return self


class FaqFile(ContentModel):
    entries: list[FaqEntry] = Field(min_length=1)


class ComparisonFile(ContentModel):
    rows: list[ComparisonRow] = Field(min_length=1)


class GlossaryFile(ContentModel):
    terms: list[GlossaryTerm] = Field(min_length=1)


class QuizFile(ContentModel):
    questions: list[QuizQuestion] = Field(min_length=1)


class LessonsFile(ContentModel):
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
