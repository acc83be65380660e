"""Parse the command line, run the pipeline, and report what happened.

argv → exit status. The user sees one line per problem (file:line: message) and one line per
file written; a traceback only with ``--debug``.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from pathlib import Path

from . import __version__, pipeline
from .errors import ContentError, Problem, SetupError

COMMANDS = ("build", "check")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
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
            raise
        print(f"internal error: {type(exc).__name__}: {exc} (run again with --debug for the "
              f"traceback)", file=sys.stderr)
        return 3


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="build.py", description="Build bilingual journal PDF and HTML from YAML content.")
    parser.add_argument("command", nargs="?", default="build", choices=COMMANDS,
                        help="build (default): write PDF and HTML; check: report problems only")
    parser.add_argument("--lang", default="all",
                        help="language to build: a code such as vi or en, or 'all' (default)")
    parser.add_argument("--content", type=Path, default=Path("content"),
                        help="content folder, or one document's folder (default: content)")
    parser.add_argument("--out", type=Path, default=Path("build"),
                        help="output folder (default: build)")
    parser.add_argument("--templates", type=Path, default=Path("templates"))
    parser.add_argument("--fonts", type=Path, default=Path("fonts"))
    parser.add_argument("--strict", action="store_true",
                        help="treat parity findings and uncited references as errors")
    parser.add_argument("--no-pdf", dest="pdf", action="store_false", help="skip the PDF")
    parser.add_argument("--no-html", dest="html", action="store_false", help="skip the HTML")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    parser.add_argument("--version", action="version", version=f"songngu {__version__}")
    return parser


def _run(args: argparse.Namespace) -> int:
    project = pipeline.Project(args.content, args.templates, args.fonts, args.out)
    project.check()
    options = pipeline.BuildOptions(strict=args.strict, pdf=args.pdf, html=args.html)
    return COMMAND_FUNCTIONS[args.command](args, project, options)


def _build(args: argparse.Namespace, project: pipeline.Project,
           options: pipeline.BuildOptions) -> int:
    started = time.perf_counter()
    for folder in pipeline.find_documents(project.content):
        pipeline.build_document(folder, project, args.lang, options, _report)
    print(f"done in {time.perf_counter() - started:.1f} s")
    return 0


def _check(args: argparse.Namespace, project: pipeline.Project,
           options: pipeline.BuildOptions) -> int:
    for folder in pipeline.find_documents(project.content):
        checked = pipeline.check_document(folder, args.strict)
        pipeline.resolve_document(checked, args.strict)
        _print_problems(checked.problems.items)
        print(f"{folder}: {len(checked.problems.warnings)} warning(s), no errors")
    return 0


COMMAND_FUNCTIONS = {"build": _build, "check": _check}


def _report(item: str | Problem) -> None:
    """Progress and written files go to stdout; findings (file:line: …) to stderr."""
    print(item, file=sys.stderr if isinstance(item, Problem) else sys.stdout)


def _print_problems(problems) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)
