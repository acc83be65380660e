"""Parse the command line, run the pipeline, and report what happened.

argv → exit status. The user sees one line per problem (file:line: message) and, for each
output, what is being done and then the file written with the time it took; a traceback only
with ``--debug``.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from pathlib import Path

from . import __version__, progress, schedule
from .errors import ContentError, SetupError
from .project import (DEFAULT_PDF_VARIANT, PDF_VARIANTS, SHEETS, BuildOptions, HandoutOptions,
                      Project, find_documents)

COMMANDS = ("build", "check", "sync", "translate", "issue")


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    issues = []  # build.py issue FOLDER …: the issue folders come first
    while argv[:1] == ["issue"] and len(argv) > 1 and not argv[1].startswith("-"):
        issues.append(Path(argv.pop(1)))
    args = parser.parse_args(argv)
    args.issues = issues
    _check_handout_args(parser, args)
    try:
        return _run(args)
    except ContentError as exc:
        _print_problems(exc.problems)
        errors = sum(p.severity == "error" for p in exc.problems)
        print(f"{errors} error{'s' * (errors != 1)}: nothing was written", file=sys.stderr)
        if args.debug:
            traceback.print_exc()
        return 1
    except SetupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        if args.debug:
            traceback.print_exc()
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the user gets one line; --debug shows where it came from
        if args.debug:
            print(getattr(exc, "details", ""), file=sys.stderr)  # a build process's traceback
            raise
        print(f"internal error: {type(exc).__name__}: {exc} (run again with --debug for the "
              f"traceback)", file=sys.stderr)
        return 3


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="build.py", description="Build bilingual journal PDF and HTML from YAML content.")
    parser.add_argument("command", nargs="?", default="build", choices=COMMANDS,
                        help="build (default): write PDF and HTML; check: report problems and "
                             "the translation status only; sync: mark translations up to date; "
                             "translate export|import: PO files for translators' tools; issue "
                             "FOLDER …: build journal issues (issue.yaml)")
    parser.add_argument("action", nargs="?", choices=("export", "import"),
                        help="translate: export a PO file, or import one (give its path)")
    parser.add_argument("po_file", nargs="?", type=Path, metavar="FILE",
                        help="translate import: the PO file to read")
    parser.add_argument("-o", "--output", type=Path, metavar="FILE",
                        help="translate export: the PO file to write (default: "
                             "OUT/<document>.<lang>.po)")
    parser.add_argument("--report", type=Path, metavar="FILE",
                        help="check: also write a translation status page (HTML) to FILE")
    parser.add_argument("--lang", default="all",
                        help="language to build: a code such as vi or en, or 'all' (default)")
    parser.add_argument("--content", type=Path, default=Path("content"),
                        help="content folder, or one document's folder (default: content)")
    parser.add_argument("--out", type=Path, default=Path("build"),
                        help="output folder (default: build)")
    parser.add_argument("--templates", type=Path, default=Path("templates"))
    parser.add_argument("--fonts", type=Path, default=Path("fonts"))
    parser.add_argument("--strict", action="store_true",
                        help="treat parity findings, stale translations and uncited references as "
                             "errors")
    parser.add_argument("--no-pdf", dest="pdf", action="store_false", help="skip the PDF")
    parser.add_argument("--no-html", dest="html", action="store_false", help="skip the HTML")
    parser.add_argument("--pdf-variant", choices=PDF_VARIANTS,
                        default=DEFAULT_PDF_VARIANT, metavar="VARIANT",
                        help=f"PDF standard to follow (default: {DEFAULT_PDF_VARIANT}, "
                             f"tagged and accessible); pdf/a-3b for archives, with the YAML "
                             f"sources attached; one of: {', '.join(PDF_VARIANTS)}")
    parser.add_argument("--jats", action="store_true",
                        help="also write the JATS XML for deposit (build/jats/<doc>.xml); "
                             "'jats: true' in document.yaml does so in every full build")
    parser.add_argument("--handout", action="store_true",
                        help="also write an A5 handout (<doc>.handout.pdf) and its print sheets; "
                             "with --lang en+vi, English and Vietnamese side by side")
    parser.add_argument("--sheets", choices=SHEETS,
                        help="print sheets of the handout: booklet (default; A4, fold and "
                             "staple), 2up (two A5 pages per A4 side) or 4up (four per side)")
    parser.add_argument("--crop-marks", action="store_true",
                        help="for a print shop: crop marks and 3 mm bleed around the A5 handout")
    parser.add_argument("--block", action="append", metavar="KEY",
                        help="sync: the block to mark in sync, as SECTION/N (the N-th block of "
                             "section SECTION in the source), its id, SECTION/title, title, "
                             "abstract, keywords, …; may be repeated")
    parser.add_argument("--all", action="store_true", help="sync: mark every block in sync")
    parser.add_argument("--review", action="store_true",
                        help="sync: show each stale or updated block's change and ask")
    parser.add_argument("--force", action="store_true",
                        help="rebuild even the outputs whose inputs have not changed")
    parser.add_argument("--watch", action="store_true",
                        help="rebuild on every save, with a live preview of the HTML served on "
                             "127.0.0.1 (stop with Ctrl-C)")
    parser.add_argument("--port", type=int, default=8000,
                        help="--watch: port of the live preview (default: 8000, or a free one)")
    parser.add_argument("--jobs", type=int, metavar="N",
                        help="outputs built at once (default: one per core)")
    parser.add_argument("--shard", metavar="K/N",
                        help="build only share K of N of the documents (or issues), split by a "
                             "stable hash of their names: one share per machine or job")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    parser.add_argument("--version", action="version", version=f"songngu {__version__}")
    return parser


def _run(args: argparse.Namespace) -> int:
    project = Project(args.content, args.templates, args.fonts, args.out)
    project.check()
    options = BuildOptions(
        strict=args.strict, pdf=args.pdf, html=args.html, pdf_variant=args.pdf_variant,
        handout=HandoutOptions(args.sheets or "booklet", args.crop_marks)
        if args.handout else None)
    return COMMAND_FUNCTIONS[args.command](args, project, options)


def _build(args: argparse.Namespace, project: Project, options: BuildOptions) -> int:
    if args.watch:
        from . import watch  # the file watcher and the preview server: --watch only

        return watch.run(project, args.lang, options, port=args.port, workers=args.jobs)
    started = time.perf_counter()
    from .shard import select
    written = schedule.build(select(find_documents(project.content), args.shard), project,
                             args.lang, options,
                             progress.Console(), force=args.force, workers=args.jobs,
                             jats=args.jats)
    elapsed = time.perf_counter() - started
    print(f"done in {elapsed:.1f} s" if written else f"nothing to do ({elapsed:.2f} s)")
    return 0


def _check(args: argparse.Namespace, project: Project, options: BuildOptions) -> int:
    from . import pipeline  # the content stages: a build imports them only when it has work

    statuses = []
    for folder in find_documents(project.content):
        checked = pipeline.check_document(folder, args.strict, project)
        pipeline.resolve_document(checked, args.strict)
        if args.jats:
            from . import deposit  # what a JATS deposit still lacks

            checked.problems.extend(deposit.missing(checked, project.out, None))
        _print_problems(checked.problems.items)
        print(f"{folder}: {len(checked.problems.warnings)} warning(s), no errors")
        for line in checked.translation.lines():
            print(f"  {line}")
        statuses.append((checked.doc.id, checked.translation))
    if args.report:
        from . import status_page, write
        write.write_text(args.report, status_page.render(statuses))
        print(f"wrote {args.report}: the translation status of {len(statuses)} document(s)")
    return 0


def _sync(args: argparse.Namespace, project: Project, options: BuildOptions) -> int:
    """Mark blocks in sync: ``sync --lang vi`` (the updated ones), ``--block KEY`` or ``--all``;
    ``--review`` asks block by block."""
    from . import pipeline, review, sync, write
    if args.all and args.block or args.lang == "all" and not (args.all or args.block):
        raise SetupError("sync: say which blocks to mark in sync: --lang LANG (the blocks "
                         "updated in LANG), --block KEY (repeatable) or --all")
    for folder in find_documents(project.content):
        checked = pipeline.check_document(folder, False, project)
        lang = None if args.lang == "all" else pipeline.select_languages(args.lang,
                                                                           checked.doc)[0]
        if args.review:
            count, file = review.run(checked.doc, lang, write.write_text, sys.stdin, sys.stdout)
        else:
            count, file = sync.mark_and_write(checked.doc, lang, args.block, write.write_text,
                                              every=args.all)
        print(f"marked {count} block{'s' * (count != 1)} of {lang or 'every language'} in "
              f"sync: wrote {file}" if count else f"{folder}: nothing to mark in sync")
    return 0


def _translate(args: argparse.Namespace, project: Project, options: BuildOptions) -> int:
    """``translate export --lang vi [-o FILE]`` and ``translate import FILE``."""
    from . import translate
    translate.run(args.action, args.lang, args.po_file, args.output, project)
    return 0


def _issue(args: argparse.Namespace, project: Project, options: BuildOptions) -> int:
    """``issue [FOLDER …]``: build journal issues (see :mod:`songngu.issue`)."""
    from . import issue
    return issue.command(args, project, options)


COMMAND_FUNCTIONS = {"build": _build, "check": _check, "sync": _sync, "translate": _translate,
                     "issue": _issue}


def _check_handout_args(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Options of the handout only make sense with --handout (and a translate action with
    translate)."""
    if (args.command == "translate") != (args.action is not None):
        parser.error("translate needs an action: translate export --lang LANG [-o FILE], or "
                     "translate import FILE" if args.command == "translate" else
                     f"{args.command} takes no action {args.action!r}")
    if args.action == "import" and args.po_file is None:
        parser.error("translate import needs the PO file to read: translate import FILE")
    if "+" in args.lang and args.command == "build" and not args.handout:
        parser.error(f"--lang {args.lang} makes a parallel handout: add --handout "
                     f"(or build one language: --lang {args.lang.split('+')[0]})")
    if not args.handout:
        given = [name for name, value in (("--sheets", args.sheets),
                                          ("--crop-marks", args.crop_marks)) if value]
        if given:
            parser.error(f"{' and '.join(given)} shape{'s' * (len(given) == 1)} the handout: "
                         f"add --handout")


def _print_problems(problems) -> None:
    """One line per problem; on a terminal, word diffs in colour."""
    from .worddiff import colour
    paint = colour if sys.stderr.isatty() else str
    for problem in problems:
        print(paint(str(problem)), file=sys.stderr)
