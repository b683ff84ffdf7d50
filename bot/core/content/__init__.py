"""The content pack: its schema, the YAML reader that keeps line numbers, and the loader.

- ``schema``: the pydantic models of each file and the loaded ``ContentPack`` (what
  `content/SCHEMA.md` describes for authors);
- ``yaml_reader``: plain data plus the line of every value, refusing duplicate keys and tags;
- ``loader``: ``load_content`` reads and validates every file, runs the checks that span files and
  raises one ContentError listing every problem at its `file:line`.

Callers import the pack's types and ``load_content`` from here; the submodules are the parts.
"""

from bot.core.content.loader import default_content_dir, load_content
from bot.core.content.schema import (
    ANSWER_LIMIT,
    BUTTON_LIMIT,
    DIFFICULTIES,
    QUIZ_OPTION_LIMIT,
    QUIZ_QUESTION_LIMIT,
    QUIZ_WHY_LIMIT,
    TELEGRAM_MESSAGE_LIMIT,
    Answerable,
    Checkpoint,
    CheckpointOption,
    ComparisonRow,
    ComplexitySection,
    ContentPack,
    Difficulty,
    FailureMode,
    FaqEntry,
    GlossaryTerm,
    Incident,
    Insight,
    Lessons,
    Pipeline,
    PipelineStage,
    QuizOption,
    QuizQuestion,
    StepExample,
    Topic,
    Vocabulary,
    WalkthroughStep,
    comparison_answer,
)

__all__ = [
    "ANSWER_LIMIT",
    "BUTTON_LIMIT",
    "DIFFICULTIES",
    "QUIZ_OPTION_LIMIT",
    "QUIZ_QUESTION_LIMIT",
    "QUIZ_WHY_LIMIT",
    "TELEGRAM_MESSAGE_LIMIT",
    "Answerable",
    "Checkpoint",
    "CheckpointOption",
    "ComparisonRow",
    "ComplexitySection",
    "ContentPack",
    "Difficulty",
    "FailureMode",
    "FaqEntry",
    "GlossaryTerm",
    "Incident",
    "Insight",
    "Lessons",
    "Pipeline",
    "PipelineStage",
    "QuizOption",
    "QuizQuestion",
    "StepExample",
    "Topic",
    "Vocabulary",
    "WalkthroughStep",
    "comparison_answer",
    "default_content_dir",
    "load_content",
]
