"""Tell the user what a build is doing, output by output, and how long each one took.

Stages report through one callable, ``report(item)``. An item is a plain string (printed as
it is), a :class:`~songngu.errors.Problem` (to stderr), or one of the events below. Events are
plain data, so a worker process can send them to the process that prints them.
:class:`Console` numbers the outputs of a build (``[2/4]``) and times each one.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .errors import Problem

Report = Callable[[object], None]


@dataclass(frozen=True)
class Planned:
    """A build starts that will write ``outputs`` files (0: everything is up to date)."""

    outputs: int


@dataclass(frozen=True)
class Started:
    output: str
    doing: str
    """What is being done to make it: "rendering the PDF"."""


@dataclass(frozen=True)
class Finished:
    output: str
    details: str
    """What a reader may want to know about the file: "12 pages, 100–111"."""
    seconds: float


@dataclass(frozen=True)
class UpToDate:
    outputs: tuple[str, ...]


@dataclass(frozen=True)
class Committed:
    """These files, written in a build's own folder, were put in place at once (see
    :mod:`songngu.staging`): only now can a reader see them."""

    files: tuple[str, ...]


@dataclass
class _Details:
    text: str = ""


@contextmanager
def step(report: Report, output: Path, doing: str):
    """Report that ``output`` is being made, then that it was written and how long it took.

    The block may describe the result: ``with step(...) as done: ...; done.text = "12 pages"``.
    Nothing is reported as written if the block raises.
    """
    started = time.perf_counter()
    report(Started(str(output), doing))
    details = _Details()
    yield details
    report(Finished(str(output), details.text, time.perf_counter() - started))


class Console:
    """Print reports for a person: findings to stderr, progress to stdout, line by line."""

    def __init__(self, out=None, err=None):
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.planned = 0
        self.numbers: dict[str, int] = {}

    def __call__(self, item: object) -> None:
        if isinstance(item, Problem):
            print(item, file=self.err, flush=True)
            return
        if isinstance(item, Planned):
            self.planned, self.numbers = item.outputs, {}
            return
        if isinstance(item, Started):
            line = f"{self._number(item.output)}{item.doing} {item.output} …"
        elif isinstance(item, Finished):
            details = f"{item.details}, " if item.details else ""
            line = f"{self._number(item.output)}wrote {item.output} ({details}{item.seconds:.2f} s)"
        elif isinstance(item, Committed):
            count = len(item.files)
            line = f"put {count} file{'s' * (count != 1)} in place"
        elif isinstance(item, UpToDate):
            line = f"up to date: {', '.join(item.outputs)} (--force rebuilds)"
        else:
            line = str(item)
        print(line, file=self.out, flush=True)

    def _number(self, output: str) -> str:
        number = self.numbers.setdefault(output, len(self.numbers) + 1)
        total = max(self.planned, len(self.numbers))
        return f"[{number}/{total}] " if total > 1 else ""
