"""The single root of every error the bot raises on purpose."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ConfigError", "ContentError", "ContentProblem", "StorageError", "TutorError"]


class TutorError(Exception):
    """Root of the bot's own errors; anything else reaching a handler is a bug."""


@dataclass(frozen=True, slots=True)
class ContentProblem:
    """One thing wrong with a content file, located so an editor can jump to it."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class ContentError(TutorError):
    """The content pack is broken; the bot refuses to start on broken content."""

    def __init__(self, problems: list[ContentProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    def report(self) -> str:
        """What the commands print: one line for one problem, else a header and one per line."""
        if len(self.problems) == 1:
            return f"The content pack is broken: {self.problems[0]}"
        return "\n".join(
            [f"The content pack is broken ({len(self.problems)} problems):"]
            + [f"  {problem}" for problem in self.problems]
        )


class ConfigError(TutorError):
    """A setting is missing or invalid; the message is one line fit for the terminal."""

    def report(self) -> str:
        """The line every command prints for it, so `run`, `chat` and `ask` read the same."""
        return f"Configuration error: {self}"


class StorageError(TutorError):
    """The database cannot be used: it cannot be opened, or a newer version of the bot wrote it.

    The message is one line fit for the terminal."""
