"""Parse the command line, run the pipeline, and report what happened.

argv → exit status. One sub-command per job (``build``, ``check``, ``sync``, ``translate``,
``new``), each
with its own options, help page and examples; ``build`` is the default, so
``python build.py --lang vi`` needs no command word. The user sees one line per problem
(file:line: message) and, for each output, what is being done and then the file written with
the time it took; a traceback only with ``--debug``.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import time
import traceback
from pathlib import Path
from typing import ClassVar, NoReturn

from . import __version__, progress, resources, schedule
from .errors import ContentError, SetupError
from .project import (
    DEFAULT_PDF_VARIANT,
    PDF_VARIANTS,
    UNOFFERED_VARIANTS,
    BuildOptions,
    HandoutOptions,
    Project,
    find_documents,
    program,
)
from .sheets import SHEETS

COMMANDS = ("build", "check", "sync", "translate", "new", "issue")
_HELP = {
    "build": "write the PDF and HTML of every document (the default command)",
    "check": "report every problem and the translation status; write nothing",
    "sync": "mark translations as up to date with their source",
    "translate": "export the translation as a PO file for translators' tools, or import one",
    "new": "start a new document: a small, valid, commented article in every language",
    "issue": "build journal issues: their articles paged in order, the issue PDF with its "
             "contents in both languages, and the issue's contents page",
}
_EXAMPLES = {
    "build": """\
examples:
  {prog} --lang vi                      build the Vietnamese PDF and HTML into build/vi/
  {prog} build --lang all --strict      both languages; parity findings become errors
  {prog} --lang vi --handout --sheets 2up   also an A5 handout, two pages per A4 side
  {prog} --lang en+vi --handout         a handout with English and Vietnamese side by side
  {prog} --watch --lang vi              rebuild on every save, with a live preview
  {prog} --content content/myarticle    build one document only
  {prog} --jats                         also the JATS XML for deposit (build/jats/)""",
    "check": """\
examples:
  {prog} check                          every document under content/
  {prog} check --content content/myarticle --strict
  {prog} check --report translation.html   also a translation status page
  {prog} check --jats                   also what a JATS deposit still lacks""",
    "sync": """\
examples:
  {prog} sync --lang vi                      the blocks updated in vi since their source changed
  {prog} sync --lang vi --review             each stale or updated block: its change, then ask
  {prog} sync --lang vi --block economy/4    block 4 of section 'economy' is translated
  {prog} sync --lang vi --all                every block of vi, after a full review
  {prog} sync --all --content content/myarticle   start tracking a new document""",
    "translate": """\
examples:
  {prog} translate export --lang vi               build/<doc>.vi.po, for Poedit, Weblate, OmegaT
  {prog} translate export --lang vi -o vi.po --content content/myarticle
  {prog} translate import vi.po --content content/myarticle   back into vi.yaml, marked in sync""",
    "new": """\
examples:
  {prog} new myarticle                  writes content/myarticle/ (English, Vietnamese)
  {prog} new bai-bao --languages vi,en  Vietnamese first: its title block comes first
  {prog} new myarticle --content ~/journal/content""",
    "issue": """\
examples:
  {prog} issue content/issue-2021-03    build/issue-2021-03/: articles, issue PDF, index.html
  {prog} issue --lang vi                every issue under content/, the Vietnamese pages
  {prog} issue --shard 2/4              the second of four shares of the issues (a machine each)""",
}


def main(argv: list[str] | None = None) -> int:
    _quiet_libraries()
    parser = _parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(_command_first(parser, argv))
    if args.command in ("build", "issue"):
        _check_handout_args(args.parser, args)
    try:
        return _run(args)
    except schedule.PartlyBuilt as exc:
        _print_problems(exc.problems)
        _summary(exc)
        return _debug(args, 1)
    except ContentError as exc:
        _print_problems(exc.problems)
        errors = sum(p.severity == "error" for p in exc.problems)
        print(f"{errors} error{'s' * (errors != 1)}: nothing was written", file=sys.stderr)
        return _debug(args, 1)
    except SetupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return _debug(args, 2)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the user gets one line; --debug shows where it came from
        if args.debug:
            print(getattr(exc, "details", ""), file=sys.stderr)  # a build process's traceback
            raise
        print(f"internal error: {type(exc).__name__}: {exc} (run again with --debug for the "
              f"traceback)", file=sys.stderr)
        return 3


def _quiet_libraries() -> None:
    """Keep the libraries' log records off the user's screen: every problem is reported by
    songngu itself, with its file and line. A library that logs through the root logger
    (ziafont, drawing formulas) would otherwise set it to print warnings, WeasyPrint's
    "Font-face … cannot be loaded" for each fallback face a page does not need among them."""
    import logging

    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.NullHandler())


def _debug(args: argparse.Namespace, status: int) -> int:
    if args.debug:
        traceback.print_exc()
    return status


# --------------------------------------------------------------------------- the parsers

class _Parser(argparse.ArgumentParser):
    """An argument parser whose "unrecognized arguments" says which command takes them."""

    owners: ClassVar[dict[str, list[str]]] = {}
    """Each option's commands, for every parser: set once all the parsers are made."""

    def error(self, message: str) -> NoReturn:
        if message.startswith("unrecognized arguments:"):
            hints = []
            for word in message.split(":", 1)[1].split():
                option = word.split("=", 1)[0]
                if option in self.owners:
                    owners = self.owners[option]
                    named = owners[0] if len(owners) == 1 else \
                        f"{', '.join(owners[:-1])} and {owners[-1]}"
                    hints.append(f"{option} is an option of {named}, not of this command")
            if hints:
                message += " (" + "; ".join(hints) + ")"
        super().error(message)


def _parser() -> argparse.ArgumentParser:
    prog = program()
    parser = _Parser(
        prog=prog, formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Typeset bilingual (English and Vietnamese) journal articles kept in YAML "
                    "as PDF and HTML.",
        epilog=f"""\
Without a command, {prog} builds: {prog} --lang vi is {prog} build --lang vi.
Help on one command: {prog} COMMAND --help

your own article, from nothing:
  {prog} new myarticle                  writes content/myarticle/ (English, Vietnamese)
  (edit content/myarticle/en.yaml, vi.yaml, document.yaml, references.yaml)
  {prog} check --content content/myarticle
  {prog} --lang vi --content content/myarticle   build/vi/myarticle.pdf and .html""")
    parser.add_argument("--version", action="version", version=f"songngu {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    subparsers = {}
    for name in COMMANDS:
        sub = commands.add_parser(
            name, help=_HELP[name], description=_HELP[name][0].upper() + _HELP[name][1:] + ".",
            epilog=_EXAMPLES[name].format(prog=prog),
            formatter_class=argparse.RawDescriptionHelpFormatter)
        sub.set_defaults(parser=sub)
        subparsers[name] = sub
    _build_options(subparsers["build"])
    _check_options(subparsers["check"])
    _sync_options(subparsers["sync"])
    _translate_options(subparsers["translate"])
    _new_options(subparsers["new"])
    _issue_options(subparsers["issue"])
    for sub in subparsers.values():
        sub.add_argument("--debug", action="store_true",
                         help="show the traceback with an error (for reporting a bug)")
    owners: dict[str, list[str]] = {}
    for name, sub in subparsers.items():
        for action in sub._actions:
            for option in action.option_strings:
                owners.setdefault(option, []).append(name)
    _Parser.owners = owners
    return parser


def _folders(parser: argparse.ArgumentParser, content_help: str) -> None:
    parser.add_argument("--content", type=Path, default=Path("content"), metavar="PATH",
                        help=content_help)
    parser.add_argument("--templates", type=Path, metavar="PATH",
                        help="templates folder (default: ./templates when there is one, else "
                             "the templates installed with songngu)")
    parser.add_argument("--fonts", type=Path, metavar="PATH",
                        help="fonts folder (default: ./fonts when there is one, else the fonts "
                             "installed with songngu)")


_CONTENT_HELP = "content folder, or one document's folder (default: content)"
_STRICT_HELP = "treat parity findings, stale translations and uncited references as errors"


def _build_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lang", default="all",
                        help="language to build: a code such as vi or en, 'all' (default), or "
                             "two joined by + (en+vi) for a side-by-side handout")
    _folders(parser, _CONTENT_HELP)
    parser.add_argument("--out", type=Path, default=Path("build"), metavar="PATH",
                        help="output folder (default: build)")
    parser.add_argument("--strict", action="store_true", help=_STRICT_HELP)
    parser.add_argument("--no-pdf", dest="pdf", action="store_false", help="skip the PDF")
    parser.add_argument("--no-html", dest="html", action="store_false", help="skip the HTML")
    parser.add_argument("--pdf-variant", type=_pdf_variant,
                        default=DEFAULT_PDF_VARIANT, metavar="VARIANT",
                        help=f"PDF standard to follow (default: {DEFAULT_PDF_VARIANT}, "
                             f"tagged and accessible); pdf/a-3b for archives, with the YAML "
                             f"sources attached; one of: {', '.join(PDF_VARIANTS)}")
    parser.add_argument("--handout", action="store_true",
                        help="also write an A5 handout (<doc>.handout.pdf) and its print sheets; "
                             "with --lang en+vi, English and Vietnamese side by side")
    parser.add_argument("--sheets", choices=SHEETS,
                        help="print sheets of the handout: booklet (default; A4, fold and "
                             "staple), 2up (two A5 pages per A4 side) or 4up (four per side)")
    parser.add_argument("--crop-marks", action="store_true",
                        help="for a print shop: crop marks and 3 mm bleed around the A5 handout")
    parser.add_argument("--force", action="store_true",
                        help="rebuild even the outputs whose inputs have not changed")
    parser.add_argument("--watch", action="store_true",
                        help="rebuild on every save, with a live preview of the HTML and PDF "
                             "served on 127.0.0.1 (stop with Ctrl-C)")
    parser.add_argument("--port", type=int,
                        help="--watch: port of the live preview (default: 8000, or a free one)")
    parser.add_argument("--jobs", type=int, metavar="N",
                        help="outputs built at once (default: one per core)")
    parser.add_argument("--jats", action="store_true",
                        help="also write the JATS XML for deposit (build/jats/<doc>.xml); "
                             "'jats: true' in document.yaml does so in every full build")
    parser.add_argument("--shard", metavar="K/N",
                        help="build only share K of N of the documents (or issues), split by a "
                             "stable hash of their names: one share per machine or job")


def _issue_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("issues", nargs="*", type=Path, metavar="FOLDER",
                        help="an issue's folder, holding issue.yaml (default: every issue under "
                             "--content)")
    _build_options(parser)


def _pdf_variant(value: str) -> str:
    if value in UNOFFERED_VARIANTS:
        raise argparse.ArgumentTypeError(f"{value} is not offered: {UNOFFERED_VARIANTS[value]}")
    if value not in PDF_VARIANTS:
        raise argparse.ArgumentTypeError(f"unknown PDF variant {value!r}; one of: "
                                         f"{', '.join(PDF_VARIANTS)}")
    return value


def _check_options(parser: argparse.ArgumentParser) -> None:
    _folders(parser, _CONTENT_HELP)
    parser.add_argument("--strict", action="store_true", help=_STRICT_HELP)
    parser.add_argument("--report", type=Path, metavar="FILE",
                        help="also write a translation status page (HTML) to FILE")
    parser.add_argument("--jats", action="store_true",
                        help="also report what a JATS deposit of each document still lacks")


def _sync_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lang", default="all",
                        help="the language whose translation is now up to date (default: every "
                             "language)")
    _folders(parser, _CONTENT_HELP)
    parser.add_argument("--block", action="append", metavar="KEY",
                        help="the block to mark in sync, as SECTION/N (the N-th block of "
                             "section SECTION in the source), its id, SECTION/title, title, "
                             "abstract, keywords, …; may be repeated")
    parser.add_argument("--all", action="store_true", help="mark every block in sync")
    parser.add_argument("--review", action="store_true",
                        help="show each stale or updated block's change and ask")


def _translate_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("export", "import"),
                        help="export: write a PO file; import: read one back into the "
                             "language file")
    parser.add_argument("po_file", nargs="?", type=Path, metavar="FILE",
                        help="import: the PO file to read")
    parser.add_argument("--lang", default="all",
                        help="export: the language to translate into, e.g. vi")
    _folders(parser, _CONTENT_HELP)
    parser.add_argument("--out", type=Path, default=Path("build"), metavar="PATH",
                        help="output folder of the default PO file (default: build)")
    parser.add_argument("-o", "--output", type=Path, metavar="FILE",
                        help="export: the PO file to write (default: OUT/<document>.<lang>.po)")


def _new_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", help="the new document's folder name: lowercase letters, "
                                     "digits, '-' or '_' (it also names the outputs)")
    parser.add_argument("--content", type=Path, default=Path("content"), metavar="PATH",
                        help="the content folder to create it in (default: content)")
    parser.add_argument("--languages", default=None, metavar="CODES",
                        help="the languages, comma-separated, in order: the first is the one "
                             "the others are compared with and the first title block "
                             "(default: en,vi)")


def _command_first(parser: argparse.ArgumentParser, argv: list[str]) -> list[str]:
    """The arguments with the command word first, ``build`` when none is given.

    ``python build.py --strict check`` and ``python build.py --lang vi`` have always worked;
    sub-commands want their word first.
    """
    valued = {option for action in _all_actions(parser) if action.nargs != 0
              for option in action.option_strings}
    i = 0
    while i < len(argv):
        word = argv[i]
        if word == "--":
            break
        if not word.startswith("-"):
            if word in COMMANDS:
                return [word] + argv[:i] + argv[i + 1:]
            break
        i += 2 if word in valued else 1
    if argv and all(word in ("-h", "--help", "--version") for word in argv):
        return argv  # the help of every command, or the version
    return ["build"] + argv


def _all_actions(parser: argparse.ArgumentParser):
    for action in parser._actions:
        yield action
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from sub._actions


# --------------------------------------------------------------------------- the commands

def _project(args: argparse.Namespace) -> Project:
    project = Project(args.content, resources.folder("templates", args.templates),
                      resources.folder("fonts", args.fonts), getattr(args, "out", Path("build")))
    project.check()
    return project


def _run(args: argparse.Namespace) -> int:
    if args.command == "new":
        return _new(args)
    project = _project(args)
    options = BuildOptions(strict=args.strict, pdf=args.pdf, html=args.html,
                           pdf_variant=args.pdf_variant,
                           handout=HandoutOptions(args.sheets or "booklet", args.crop_marks)
                           if args.handout else None) \
        if args.command in ("build", "issue") \
        else BuildOptions(strict=getattr(args, "strict", False))
    return COMMAND_FUNCTIONS[args.command](args, project, options)


def _build(args: argparse.Namespace, project: Project, options: BuildOptions) -> int:
    if args.watch:
        from . import watch  # the file watcher and the preview server: --watch only

        return watch.run(project, args.lang, options, port=8000 if args.port is None else args.port,
                         workers=args.jobs)
    started = time.perf_counter()
    from .shard import select

    with _terminate_like_interrupt():  # SIGTERM stops a build as Ctrl-C does, cleanly
        written = schedule.build(select(find_documents(project.content), args.shard), project,
                                 args.lang, options, progress.Console(), force=args.force,
                                 workers=args.jobs, jats=args.jats)
    elapsed = time.perf_counter() - started
    print(f"done in {elapsed:.1f} s" if written else f"nothing to do ({elapsed:.2f} s)")
    return 0


def _check(args: argparse.Namespace, project: Project, options: BuildOptions) -> int:
    from . import pipeline  # the content stages: a build imports them only when it has work

    folders = find_documents(project.content)
    failed: list[str] = []
    statuses = []
    for folder in folders:
        try:
            checked = pipeline.check_document(folder, args.strict, project)
            pipeline.resolve_document(checked, args.strict)
            if args.jats:
                from . import deposit  # what a JATS deposit still lacks

                checked.problems.extend(deposit.missing(checked, project.out, None))
        except ContentError as exc:
            if len(folders) == 1:
                raise
            _print_problems(exc.problems)  # and on to the next document: all in one run
            errors = sum(p.severity == "error" for p in exc.problems)
            print(f"{folder}: {errors} error{'s' * (errors != 1)}", file=sys.stderr)
            failed.append(folder.name)
            continue
        _print_problems(checked.problems.items)
        print(f"{folder}: {len(checked.problems.warnings)} warning(s), no errors")
        if checked.translation is not None:  # always, once the checks have passed
            for line in checked.translation.lines():
                print(f"  {line}")
            statuses.append((checked.doc.id, checked.translation))
    if args.report:
        from . import status_page, write
        write.write_text(args.report, status_page.render(statuses))
        print(f"wrote {args.report}: the translation status of {len(statuses)} document(s)")
    if failed:
        print(f"errors in: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def _sync(args: argparse.Namespace, project: Project, options: BuildOptions) -> int:
    """Mark blocks in sync: ``sync --lang vi`` (the updated ones), ``--block KEY`` or ``--all``;
    ``--review`` asks block by block."""
    from . import pipeline, review, sync, write
    from .lock import folder_lock
    if (args.all and args.block) or (args.lang == "all" and not (args.all or args.block)):
        raise SetupError("sync: say which blocks to mark in sync: --lang LANG (the blocks "
                         "updated in LANG), --block KEY (repeatable) or --all")
    for folder in find_documents(project.content):
        with folder_lock(folder, "document", print):  # two syncs at once would lose marks
            # Checked as content only: what a build alone needs (a language's label catalog,
            # a font for every character) does not stop a translator marking blocks in sync.
            checked = pipeline.check_document(folder, False, None)
            lang = None if args.lang == "all" else pipeline.select_languages(args.lang,
                                                                               checked.doc)[0]
            if args.review:
                count, file = review.run(checked.doc, lang, write.write_text, sys.stdin,
                                         sys.stdout)
            else:
                count, file = sync.mark_and_write(checked.doc, lang, args.block,
                                                  write.write_text, every=args.all)
        print(f"marked {count} block{'s' * (count != 1)} of {lang or 'every language'} in "
              f"sync: wrote {file}" if count else f"{folder}: nothing to mark in sync")
    return 0


def _translate(args: argparse.Namespace, project: Project, options: BuildOptions) -> int:
    """``translate export --lang vi [-o FILE]`` and ``translate import FILE``."""
    from . import translate
    if args.action == "import" and args.po_file is None:
        args.parser.error("translate import needs the PO file to read: translate import FILE")
    if args.action == "export" and args.po_file is not None:
        args.parser.error(f"translate export writes a PO file: give it with -o {args.po_file}")
    translate.run(args.action, args.lang, args.po_file, args.output, project)
    return 0


def _new(args: argparse.Namespace) -> int:
    from . import starter

    languages = args.languages.split(",") if args.languages else None
    for line in starter.create(args.content, args.name, languages):
        print(line)
    return 0


def _issue(args: argparse.Namespace, project: Project, options: BuildOptions) -> int:
    """``issue [FOLDER …]``: build journal issues (see :mod:`songngu.issue`)."""
    from . import issue

    with _terminate_like_interrupt():
        return issue.command(args, project, options)


COMMAND_FUNCTIONS = {"build": _build, "check": _check, "sync": _sync, "translate": _translate,
                     "issue": _issue}


@contextlib.contextmanager
def _terminate_like_interrupt():
    def interrupt(signum, frame):
        raise KeyboardInterrupt
    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _check_handout_args(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Options of the handout only make sense with --handout."""
    if "+" in args.lang and not args.handout:
        parser.error(f"--lang {args.lang} makes a parallel handout: add --handout "
                     f"(or build one language: --lang {args.lang.split('+')[0]})")
    if not args.handout:
        given = [name for name, value in (("--sheets", args.sheets),
                                          ("--crop-marks", args.crop_marks)) if value]
        if given:
            parser.error(f"{' and '.join(given)} shape{'s' * (len(given) == 1)} the handout: "
                         f"add --handout")
    if args.port is not None and not args.watch:
        parser.error("--port sets the live preview's port: add --watch")


def _summary(exc: schedule.PartlyBuilt) -> None:
    errors = sum(p.severity == "error" for p in exc.problems)
    print(f"{errors} error{'s' * (errors != 1)}; built: {', '.join(exc.built)}; "
          f"not built (errors): {', '.join(exc.failed)}", file=sys.stderr)


def _print_problems(problems) -> None:
    """One line per problem; on a terminal, word diffs in colour."""
    from .worddiff import colour
    paint = colour if sys.stderr.isatty() else str
    for problem in problems:
        print(paint(str(problem)), file=sys.stderr)
