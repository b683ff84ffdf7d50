"""Loading the content pack: every file read and validated, then the checks that span files.

Every problem in the pack is collected and raised together in one ContentError, each at the
`file:line` an editor needs to look at; a broken file does not make healthy files report its ids
as missing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from bot.core.content.schema import (
    TELEGRAM_MESSAGE_LIMIT,
    Answerable,
    ComparisonFile,
    ComparisonRow,
    ContentPack,
    FaqEntry,
    FaqFile,
    GlossaryFile,
    GlossaryTerm,
    LessonsFile,
    QuizFile,
    QuizQuestion,
    Topic,
    TopicsFile,
    Vocabulary,
    comparison_answer,
)
from bot.core.content.yaml_reader import YamlPath, line_for, read_yaml
from bot.errors import ContentError, ContentProblem

__all__ = ["default_content_dir", "load_content"]


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
    lines: dict[YamlPath, int]

    def line(self, *loc: str | int) -> int:
        return line_for(self.lines, loc)


class _InvalidFile(ContentError):
    """A file that parsed but broke the schema; its data still says which ids it defines."""

    def __init__(self, problems: list[ContentProblem], data: Any) -> None:
        super().__init__(problems)
        self.data = data


def _validate(path: Path, root: Path, schema: type[BaseModel]) -> _Located:
    """Parse and validate one file: ContentError if it does not parse, _InvalidFile if it
    parses but breaks the schema (placeholders and every schema error of the file, together)."""
    shown = _display(path, root)
    data, lines = read_yaml(path, shown)
    problems = [
        ContentProblem(shown, lines.get(loc, 1), f"{_dotted(loc)}: contains a placeholder")
        for loc in _placeholder_paths(data, ())
    ]
    try:
        model = schema.model_validate(data)
    except ValidationError as exc:
        problems += [
            ContentProblem(shown, line_for(lines, tuple(err["loc"])), _describe(err))
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
    return Path(__file__).resolve().parents[3] / "content"


_SECTION_FILES = {
    "topics": "topics.yaml",
    "comparison": "comparison.yaml",
    "glossary": "glossary.yaml",
    "lessons": "lessons.yaml",
}


_SECTION_SCHEMAS: dict[str, type[BaseModel]] = {
    "topics": TopicsFile,
    "comparison": ComparisonFile,
    "glossary": GlossaryFile,
    "lessons": LessonsFile,
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

    def load(key: str, path: Path, schema: type[BaseModel]) -> None:
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
        load(key, path, _SECTION_SCHEMAS[key])
    for path in _files(root / "faq", "*.yaml"):
        load("faq", path, FaqFile)
    for path in _files(root / "quiz", "*.yaml"):
        load("quiz", path, QuizFile)
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
                registry[item.id] = item
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


def _placeholder_paths(node: Any, path: YamlPath) -> Iterator[YamlPath]:
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


def _dotted(loc: YamlPath) -> str:
    return ".".join(str(part) for part in loc)
