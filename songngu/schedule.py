"""Schedule a build: which outputs are out of date, and which process makes each.

document folders + ``--lang`` + options → the files written. Each output's inputs are compared
with those of the last build (:mod:`songngu.incremental`): what is up to date is left alone,
and a build with nothing to do imports no stage at all. When there is a PDF to make, the
worker processes (:mod:`songngu.workers`) are forked first, while this process has imported
only what planning needs (with ``--force``, before planning: everything is made again). Each
worker starts importing WeasyPrint at once, the slow part of a build, while this process
imports the content stages, checks and resolves each document once and renders its pages
(:mod:`songngu.pipeline`). A worker gets a page as plain data and lays out its PDF
(:mod:`songngu.layout`), one output per core at a time; the HTML is written here without
waiting for it.
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from . import deposit, lock, pagecount, progress, staging
from .errors import ContentError, Problem
from .project import BuildOptions, Project, job_languages

if TYPE_CHECKING:
    from . import incremental
    from .workers import Pool


def build(folders: list[Path], project: Project, lang_choice: str | list[str],
          options: BuildOptions, report: progress.Report, force: bool = False,
          workers: int | None = None, jats: bool = False,
          early_pages: bool = False, sequence: Sequence | None = None) -> list[Path]:
    """Build the documents in ``folders`` in the chosen languages; return the files written.

    What was built from the very same inputs is kept, unless ``force``. PDFs are laid out by
    ``workers`` processes at a time (one per core by default). The JATS file of a document
    (with ``jats``, or when its document.yaml asks for it in a build of every language) is
    written once its PDFs are laid out: it prints their page range. Nothing is put in place
    unless every output of the documents that passed their checks succeeded (``early_pages``:
    the HTML pages at once, for --watch); a document with errors is not built, and said so,
    also one whose layout report finds errors (``--strict``): none of its outputs move in.

    ``lang_choice`` may list several ``--lang`` choices: the outputs of all of them, in that
    order. With a ``sequence`` (the articles of an issue), the documents are built in order,
    each with the options the sequence gives it once the page counts of those before it are
    known: a worker tells the count as soon as a PDF is laid out, before it writes the file,
    so the next document is laid out while the last one is written. Any error stops the whole
    sequence, and nothing is put in place.
    """
    from . import incremental

    with incremental.one_build():
        return _build(folders, project, lang_choice, options, report, force, workers, jats,
                      early_pages, sequence)


def _build(folders: list[Path], project: Project, lang_choice: str | list[str],
           options: BuildOptions, report: progress.Report, force: bool, workers: int | None,
           jats: bool, early_pages: bool, sequence: Sequence | None) -> list[Path]:
    from .workers import usable_cores

    cores = workers or usable_cores()
    written: list[Path] = []
    deposits: list[tuple] = []
    failed: dict[str, list[Problem]] = {}
    choices = [lang_choice] if isinstance(lang_choice, str) else list(lang_choice)
    with ExitStack() as stack:
        # One build at a time per output folder; what a killed one left goes first. Every
        # file is written into a folder of this build's own, and put in place when all
        # succeeded (see songngu.staging).
        stack.enter_context(lock.folder_lock(project.out, "output", report))
        staging.clean_leftovers(project.out)
        staged = stack.enter_context(staging.Staging(project.out, report, early_pages))
        final_project = project
        project = replace(project, out=staged.area)
        counts: dict[str, int] = {}
        """The page count of each PDF laid out, by its (staged) path, as its worker told."""
        owners: dict[str, tuple[Path, str]] = {}
        report = partial(_relay, staged.report, counts, owners, sequence)
        pool = None
        if options.lays_out and (force or sequence is not None):
            # Everything is made again (or a sequence, which knows its work): the workers need
            # not wait for the plan.
            if sequence is None:
                size = min(len(folders) * (cores if "all" in choices else 1), cores)
            else:  # one worker for the one output an edit usually asks for
                size = min(sequence.expected(), cores)
            if size:
                pool = stack.enter_context(_pool(size, report))
                if sequence is not None:
                    stack.callback(_yield_to_workers())
        from . import incremental  # (PyYAML) after that fork, for the same reason

        state = incremental.State(final_project.out)
        if sequence is None:
            plans = [_plan(folder, final_project, choices, options, state, force, report, jats)
                     for folder in folders]
            report(progress.Planned(sum(_numbered_outputs(output, options)
                                        for plan in plans for output in plan.todo or [])))
            jobs = sum(len(plan.todo) if plan.todo is not None else 1 for plan in plans)
            if not jobs:
                return []
        else:
            jobs = cores
            report(progress.Planned(sequence.expected() * (options.html + options.pdf)))

        def wait() -> bool:
            """Handle the workers' messages until a job ends; False if none is running."""
            if pool is not None and pool.errors:
                raise pool.errors[0]
            if pool is None or not pool.busy:
                return False
            pool._wait_any()
            if pool.errors:
                raise pool.errors[0]
            return True

        # Imported now, once the workers are on their way: they need none of it.
        from . import layout, pipeline

        for n, folder in enumerate(folders):
            if sequence is None:
                plan, folder_options = plans[n], options
            else:
                folder_options = sequence.options(folder, wait)
                plan = _plan(folder, final_project, choices, folder_options, state, force,
                             report, jats)
                for output in plan.keys:
                    if output not in (plan.todo or []):
                        sequence.counted(folder, output, pagecount.recorded(
                            state, folder.name, output, final_project.out))
            if plan.todo == []:
                continue
            if pool is None and folder_options.lays_out:
                if sequence is not None:
                    sequence.forking()
                pool = stack.enter_context(_pool(min(jobs, cores), report))
            try:
                if sequence is None:
                    checked, resolved = pipeline.check_and_resolve(plan.folder, project,
                                                                   folder_options, report)
                else:
                    checked, resolved = sequence.checked(plan.folder, project, folder_options,
                                                         report)
            except ContentError as exc:  # the others are built all the same; said at the end
                if sequence is not None:  # the documents after it cannot be placed
                    raise
                failed[plan.folder.name] = exc.problems
                continue
            doc = checked.doc
            if plan.todo is None:  # document.yaml could not be read when planning; it can now
                plan.todo = outputs_of(choices, doc.languages, doc.id)
                plan.keys = _keys(plan.folder, doc.languages, plan.todo, final_project,
                                  folder_options)
                if jats or (doc.jats and "all" in choices):
                    plan.todo.append(deposit.OUTPUT)
                    plan.keys.update(_keys(plan.folder, doc.languages, [deposit.OUTPUT],
                                           final_project, folder_options))
            pages_of = partial(pagecount.known, state, doc.id)
            for output in plan.todo:
                record = partial(_record, staged, doc.id, output, plan.keys[output],
                                 checked.problems.warnings, written)
                if output == deposit.OUTPUT:
                    deposits.append((checked, resolved, record))
                    continue
                files, pdfs = pipeline.prepare_output(checked, resolved, output, project,
                                                      folder_options, report, pages_of)
                staged.commit_pages(files)
                staged.removals += [staged.final(path) for job in pdfs
                                    if isinstance(job, layout.HandoutPdf)
                                    for path in job.stale_sheets()]
                owners.update({str(job.target): (plan.folder, output) for job in pdfs})
                record = partial(_laid_out, state, doc.id, output, pdfs, record, counts,
                                 partial(pipeline.finish_page, resolved, output, project)
                                 if folder_options.html else None)
                if pool is None or not pdfs:
                    record(files, [])
                else:
                    # A layout that finds errors (--strict) fails its document, not the others;
                    # a sequence stops at any error.
                    pool.submit(partial(layout.run, pdfs), partial(record, files),
                                None if sequence is not None else
                                partial(_layout_failed, staged, failed, plan.folder.name))
        if failed and len(failed) == len(folders):
            raise ContentError([problem for found in failed.values() for problem in found])
        # Run once the PDFs are laid out (the pool closes first), before the files move in:
        # the JATS files, which print the page ranges, then the state that describes it all.
        staged.finish.append(partial(_drop_failed, staged, failed, len(folders), deposits,
                                     written))
        staged.finish.append(partial(_write_deposits, deposits, project, state, report,
                                     staged, written))
        staged.finish.append(partial(_save_state, state, staged))
    if failed:  # the other documents were built and put in place
        problems = [problem for found in failed.values() for problem in found]
        built = [folder.name for folder in folders if folder.name not in failed]
        raise PartlyBuilt(problems, built, list(failed))
    return written


class Sequence(Protocol):
    """Documents built one after the other, each one's options depending on what the builds
    before it gave: the articles of an issue, each starting on the page after the last page of
    the one before (:mod:`songngu.issue`)."""

    def expected(self) -> int:
        """How many outputs (languages of documents) are expected to need building."""

    def options(self, folder: Path, wait: Callable[[], bool]) -> BuildOptions:
        """The options of ``folder``, asked in order; ``wait()`` handles the workers' messages
        until a job ends (False: none is running) while what they depend on is not known."""

    def checked(self, folder: Path, project: Project, options: BuildOptions,
                report: progress.Report) -> tuple:
        """The document of ``folder``, checked and resolved, placed by ``options``."""

    def counted(self, folder: Path, output: str, pages: int | None) -> None:
        """The page count of the journal PDF of ``folder`` in ``output``: just laid out, or
        kept from the last build (None: not known)."""

    def forking(self) -> None:
        """Workers are about to be forked: no thread of the sequence's may be running."""


def _relay(report: progress.Report, counts: dict[str, int],
           owners: dict[str, tuple[Path, str]], sequence: Sequence | None,
           item: object) -> None:
    """Pass a worker's report on; keep a page count it tells (see :class:`pagecount.Counted`)."""
    if not isinstance(item, pagecount.Counted):
        report(item)
        return
    counts[item.target] = item.pages
    if sequence is not None and item.target in owners:
        sequence.counted(*owners[item.target], item.pages)


def outputs_of(choices: list[str], languages: list[str], doc_id: str) -> list[str]:
    """The jobs of every ``--lang`` choice, each once, in order."""
    outputs: list[str] = []
    for choice in choices:
        outputs += [o for o in job_languages(choice, languages, doc_id) if o not in outputs]
    return outputs


def _layout_failed(staged: staging.Staging, failed: dict[str, list[Problem]], name: str,
                   error: ContentError) -> None:
    """A document whose PDF found errors as it was laid out: told with the others' problems,
    its outputs left out."""
    failed.setdefault(name, []).extend(staged.problem(problem) for problem in error.problems)


def _drop_failed(staged: staging.Staging, failed: dict[str, list[Problem]], documents: int,
                 deposits: list[tuple], written: list[Path]) -> None:
    """Before the outputs move in: leave out those of the documents that failed as they were
    laid out; if no document is left, nothing moves."""
    if failed and len(failed) == documents:
        raise ContentError([problem for found in failed.values() for problem in found])
    deposits[:] = [deposit for deposit in deposits if deposit[0].doc.id not in failed]
    for name in failed:
        for path in staged.drop(name):
            while path in written:
                written.remove(path)


def _write_deposits(deposits: list[tuple], project: Project, state: incremental.State,
                    report: progress.Report, staged: staging.Staging,
                    written: list[Path]) -> None:
    """The JATS files, once the PDFs are laid out and their page counts known."""
    for checked, resolved, record in deposits:
        files, complete = _write_deposit(checked, resolved, project, state, report)
        if complete:
            record(files, [])
        else:  # written without its last page, so not recorded: made again by the next build
            written.extend(staged.final(path) for path in files)


def _write_deposit(checked, resolved, project: Project, state: incremental.State,
                   report: progress.Report) -> tuple[list[Path], bool]:
    from . import pipeline

    doc = checked.doc
    first = doc.languages[0]
    page = pipeline.layout_page(resolved, first, project)
    count = pagecount.known(state, doc.id, first, pagecount.layout_digest(page))
    pages = pagecount.Pages(doc.first_page,
                            None if count is None else doc.first_page + count - 1)
    for problem in deposit.missing(checked, project.out, pages).items:
        report(problem)
    files = deposit.write(checked, resolved, project.templates, project.out, pages, report)
    return files, count is not None


def _keys(folder: Path, languages: list[str], outputs: list[str], project: Project,
          options: BuildOptions) -> dict[str, str]:
    """The inputs' key of each output; the JATS file's covers every language in full."""
    from . import incremental

    jobs = ["+".join(languages) if output == deposit.OUTPUT else output for output in outputs]
    keys = incremental.language_keys(folder, languages, jobs, project.templates, project.fonts,
                                     project.out, options)
    return {output: keys[job] for output, job in zip(outputs, jobs)}


def _laid_out(state: incremental.State, doc_id: str, output: str, pdfs: list, record,
              counts: dict[str, int], finish_page, pages: list[Path],
              files: list[Path]) -> None:
    """After an output's PDFs are laid out: keep the journal PDF's page count, name its last
    page on the HTML page, then record the output as built."""
    from . import layout

    for job in pdfs:
        if isinstance(job, layout.JournalPdf) and job.target in files:
            count = pagecount.remember(state, doc_id, output, pagecount.layout_digest(job.html),
                                       job.target, counts.get(str(job.target)))
            if finish_page is not None:
                finish_page(count)
    record(pages, files)


class PartlyBuilt(ContentError):
    """Some documents were built (or were up to date); the others had errors and were not."""

    def __init__(self, problems: list[Problem], built: list[str], failed: list[str]):
        super().__init__(problems)
        self.built = built
        self.failed = failed

    def __reduce__(self):
        return PartlyBuilt, (self.problems, self.built, self.failed)


SEQUENCE_NICENESS = 10
"""The niceness of a sequence's own process once its workers are forked (see
:func:`_yield_to_workers`)."""


def _yield_to_workers() -> Callable[[], None]:
    """Lower this process's priority, its workers forked at the priority it had; return what
    sets it back (which only a privileged process may do: otherwise it stays lowered until the
    process ends, as the command line's does with the build). In a sequence each layout waits
    for the one before it, and this process's own work meanwhile (checking and rendering the
    documents after it) is ahead of what the workers need: at the same priority it took its
    share of the cores from the layout the rest waits for (a 20-article issue took 7 % longer
    that way). Set, not added: a process that builds again does not sink further."""
    try:
        before = os.getpriority(os.PRIO_PROCESS, 0)
        os.setpriority(os.PRIO_PROCESS, 0, max(before, SEQUENCE_NICENESS))
    except OSError:  # not allowed here: the build goes on as it is
        return lambda: None

    def restore() -> None:
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, 0, before)
    return restore


def _pool(workers: int, report: progress.Report) -> Pool:
    from .workers import Pool  # (multiprocessing) not for a build with nothing to do

    return Pool(workers, report, _warm_up)


def _warm_up() -> None:
    """A worker's first task, while this process checks the content: import WeasyPrint (the
    slow part) and the layout stage, then set the garbage collector for layout."""
    from . import layout, pdfengine  # noqa: F401  (layout: the jobs to come are its)

    pdfengine.load_renderer()
    # Laying out makes millions of short-lived objects: with Python's default threshold (700
    # more objects than at the last collection) the collector runs about 150 times on the
    # sample, some 4% of its layout time; with 20,000 it runs 4 times. What was imported is
    # set aside (frozen), never to be scanned again.
    gc.freeze()
    gc.set_threshold(20_000, *gc.get_threshold()[1:])


@dataclass
class _Plan:
    folder: Path
    todo: list[str] | None
    """The jobs (see :func:`~songngu.project.job_languages`) whose outputs are out of date;
    None: cannot tell before the checks (document.yaml does not list its languages readably)."""
    keys: dict[str, str]


def _plan(folder: Path, project: Project, choices: list[str], options: BuildOptions,
          state: incremental.State, force: bool, report: progress.Report,
          jats: bool = False) -> _Plan:
    from . import incremental

    languages = incremental.listed_languages(folder)
    if languages is None:
        return _Plan(folder, None, {})
    outputs = outputs_of(choices, languages, folder.name)
    if any(deposit.wanted(folder, choice, jats) for choice in choices):
        outputs.append(deposit.OUTPUT)
    keys = _keys(folder, languages, outputs, project, options)
    current = {output: None if force else state.current(folder.name, output, keys[output])
               for output in outputs}
    kept = [str(path) for files in current.values() if files for path in files]
    if kept and all(current.values()):
        warnings = {w: None for output, files in current.items() if files
                    for w in state.warnings(folder.name, output)}
        for warning in warnings:  # still true: an up-to-date build repeats them
            report(warning)
    if kept:
        report(progress.UpToDate(tuple(kept)))
    return _Plan(folder, [output for output, files in current.items() if not files], keys)


def _numbered_outputs(output: str, options: BuildOptions) -> int:
    """How many files of a job report their progress (the handouts report on their own)."""
    if output == deposit.OUTPUT:
        return 1
    return 0 if "+" in output else options.html + options.pdf


def _record(staged: staging.Staging, doc_id: str, output: str, key: str,
            warnings: list[Problem], written: list[Path], pages: list[Path],
            files: list[Path]) -> None:
    final = [staged.final(path) for path in pages + files]
    staged.records.append((doc_id, output, key, final, warnings))
    written.extend(final)


def _save_state(state: incremental.State, staged: staging.Staging) -> None:
    """Record every output of the build in the state file that moves in with them."""
    state.file = staged.area / state.file.name
    for doc_id, output, key, files, warnings in staged.records:
        state.record(doc_id, output, key, files, warnings, staged.staged_or_final)
    from . import incremental

    incremental.save_memo(staged.area)
