"""Put a build's outputs in place only when the whole build has succeeded.

a build's files, written into ``<out>/.songngu-build-XXXX/`` (same layout as ``<out>``) → moved
into ``<out>`` one rename each, once every stage of every output has succeeded; or removed,
leaving the previous outputs byte for byte as they were. The state file (what was built from
which inputs) travels with the outputs it describes. The renames themselves cannot fail
half-way for lack of space (the files are already written, on the same file system); what
could stop them (a folder where a file should go) is checked for every file before the first
one moves, and SIGTERM/SIGINT wait the few milliseconds the renames take.

``--watch`` puts each HTML page (and the fonts and images beside it) in place as soon as it is
written, so the preview reloads before the PDF is laid out (``early``); everything else waits
for the end, as in any build.

What a killed build leaves behind (its folder of unfinished files, ``.part`` files of older
versions) is removed by the next build, which holds the output folder's lock
(:mod:`songngu.lock`): nothing else can be writing there.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import signal
import tempfile
from collections.abc import Callable
from pathlib import Path

from . import progress
from .errors import Problem, SetupError, display_path

PREFIX = ".songngu-build-"


def clean_leftovers(out: Path) -> list[Path]:
    """Remove what interrupted builds left in ``out``; call only while holding its lock."""
    removed = []
    for entry in out.glob(f"{PREFIX}*"):
        shutil.rmtree(entry, ignore_errors=True) if entry.is_dir() else entry.unlink(True)
        removed.append(entry)
    for part in out.rglob(".*.part"):
        if part.is_file():
            part.unlink(missing_ok=True)
            removed.append(part)
    return removed


class Staging:
    """The folder a build writes into, and the move of its files into the output folder."""

    def __init__(self, out: Path, report: progress.Report, early: bool = False):
        self.out = out
        self.early = early
        self._report = report
        try:
            self.area = Path(tempfile.mkdtemp(prefix=PREFIX, dir=out))
        except OSError as exc:
            raise SetupError(f"cannot write to {out}: {exc.strerror}; choose another output "
                             f"folder with --out") from None
        self.committed: list[Path] = []
        self.records: list[tuple] = []
        """(document, output, key, files): what the state file will say was built."""
        self.removals: list[Path] = []
        """Files in ``out`` that this build's outputs replace under other names (the sheets of
        another layout): removed once the outputs are in place."""
        self.finish: list[Callable[[], None]] = []
        """Called, in order, after the outputs are staged and before they move (the state)."""

    # ---------------------------------------------------------------- paths and reports

    def final(self, path: Path) -> Path:
        """Where a staged file goes."""
        try:
            return self.out / Path(path).relative_to(self.area)
        except ValueError:
            return Path(path)

    def staged_or_final(self, final: Path) -> Path:
        """A file of this build: still staged, or already in place (``early``)."""
        staged = self.area / final.relative_to(self.out)
        return staged if staged.exists() else final

    def report(self, item: object) -> None:
        """Pass a report on, naming each file where it will be, not where it is staged."""
        area, out = str(self.area), str(self.out)
        if isinstance(item, str):
            item = item.replace(area, out)
        elif isinstance(item, Problem):
            item = self.problem(item)
        elif isinstance(item, (progress.Started, progress.Finished)):
            item = dataclasses.replace(item, output=item.output.replace(area, out))
        self._report(item)

    def problem(self, problem: Problem) -> Problem:
        """``problem`` naming its file where it will be, not where it is staged."""
        file, message = problem.file, problem.message
        for area, out in ((str(self.area), str(self.out)),
                          (display_path(self.area), display_path(self.out))):
            file, message = file.replace(area, out), message.replace(area, out)
        return dataclasses.replace(problem, file=file, message=message)

    def drop(self, doc_id: str) -> list[Path]:
        """Remove a document's staged outputs (``<lang>/<id>.…``, ``jats/<id>.xml``) and
        what the state would say of them; return where they would have gone."""
        dropped = [self.final(path) for path in self.area.glob(f"*/{doc_id}.*")]
        for path in self.area.glob(f"*/{doc_id}.*"):
            path.unlink(missing_ok=True)
        self.records = [record for record in self.records if record[0] != doc_id]
        return dropped

    # ---------------------------------------------------------------- moving

    def commit_pages(self, pages: list[Path]) -> None:
        """``early``: put HTML pages in place now, with the fonts and images beside them."""
        if not self.early or not pages:
            return
        files = [path for path in self._files() if path.suffix != ".pdf"
                 and path.name != ".songngu-state.json"]
        self._move(files)

    def commit(self) -> list[Path]:
        """Put every staged file in place; return them, where they now are."""
        for step in self.finish:
            step()
        files = self._files()
        # The state file last: it must never describe outputs that are not yet in place.
        files.sort(key=lambda path: path.name == ".songngu-state.json")
        self._move(files)
        for stale in self.removals:
            stale.unlink(missing_ok=True)
        return self.committed

    def discard(self) -> None:
        shutil.rmtree(self.area, ignore_errors=True)
        if self.committed:
            shown = ", ".join(str(p) for p in self.committed if p.suffix == ".html")
            self._report(f"put in place before the failure (--watch preview): {shown}; "
                         f"nothing else was written")

    def _files(self) -> list[Path]:
        return sorted(path for path in self.area.rglob("*")
                      if path.is_file() and not path.name.endswith(".part"))

    def _move(self, files: list[Path]) -> None:
        moves = [(path, self.final(path)) for path in files]
        for _, target in moves:  # everything that could stop a rename, before the first one
            for parent in reversed(target.relative_to(self.out).parents[:-1]):
                folder = self.out / parent
                if folder.exists() and not folder.is_dir():
                    raise SetupError(f"cannot write {target}: {folder} is a file, not a folder; "
                                     f"move it away (nothing was written)")
            if target.is_dir() and not target.is_symlink():
                raise SetupError(f"cannot write {target}: a folder of that name is in the way; "
                                 f"move it away (nothing was written)")
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
        try:
            for source, target in moves:
                try:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(source, target)
                except OSError as exc:
                    raise SetupError(f"cannot write {target}: {exc.strerror}") from None
                self.committed.append(target)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        if moves:
            self._report(progress.Committed(tuple(str(target) for _, target in moves)))

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, kind, error, tb) -> None:
        try:
            if kind is None:
                self.commit()
        finally:
            shutil.rmtree(self.area, ignore_errors=True)
            if kind is not None:
                self.discard()
