"""Turn what went wrong into messages a user can act on.

Every stage reports problems as :class:`Problem` records (file, line, message) and keeps
going, so that one run lists everything; a stage that cannot go on raises
:class:`ContentError` with all the problems found so far.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One finding about the input, located in a source file."""

    file: str
    """Path of the file, as shown to the user (relative to the working folder when possible)."""
    line: int
    """1-based line number; 0 when the problem concerns the whole file."""
    message: str
    """What was expected and what was found."""
    severity: str = "error"
    """``error`` stops the build; ``warning`` is reported and the build goes on."""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{where}: {prefix}{self.message}"


@dataclass
class Problems:
    """An ordered collection of problems that a stage fills and the CLI prints."""

    items: list[Problem] = field(default_factory=list)

    def error(self, file: str | Path, line: int, message: str) -> None:
        self.items.append(Problem(display_path(file), line, message))

    def warning(self, file: str | Path, line: int, message: str) -> None:
        self.items.append(Problem(display_path(file), line, message, "warning"))

    def extend(self, other: Problems | list[Problem]) -> None:
        self.items.extend(other.items if isinstance(other, Problems) else other)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "warning"]

    def raise_if_errors(self) -> None:
        if self.errors:
            raise ContentError(self.items)


class ContentError(Exception):
    """The content cannot be built; carries every problem found, file by file, in line order."""

    def __init__(self, problems: list[Problem]):
        self.problems = in_reading_order(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self):  # travels between build processes with its problems intact
        return ContentError, (self.problems,)


def in_reading_order(problems: list[Problem]) -> list[Problem]:
    """Problems file by file, then line by line, so a user can work down each file."""
    return sorted(problems, key=lambda p: (p.file, p.line))


class SetupError(Exception):
    """Something outside the content is missing or unusable (a folder, a template, a font).

    The message is one line that says what to do.
    """


def display_path(path: str | Path) -> str:
    """Show a path relative to the working folder when it lies below it."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)
