"""What a build is asked to do: the project's folders, the options, and the outputs of ``--lang``.

command-line choices → :class:`Project`, :class:`BuildOptions` and, per document, the jobs
(languages built one by one, or one ``en+vi`` parallel handout). Plain data only: the command
line and the build's planning read it before any stage is imported, so that a build with
nothing to do stays quick and a build with work forks its workers at once.
"""

from __future__ import annotations

import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

from .errors import SetupError, display_path

SHARED_FILE = "document.yaml"
"""The file that makes a folder a document: the data its languages share."""
DEFAULT_PDF_VARIANT = "pdf/ua-1"
PDF_VARIANTS = ("pdf/ua-1", "pdf/ua-2", "pdf/a-1a", "pdf/a-1b", "pdf/a-2a", "pdf/a-2b",
                "pdf/a-2u", "pdf/a-3a", "pdf/a-3b", "pdf/a-3u", "pdf/a-4e", "pdf/a-4f",
                "pdf/a-4u")
"""WeasyPrint's PDF variants but its ``debug`` one and the PDF/X ones (see below); listed here
so that the command line needs no WeasyPrint import."""
UNOFFERED_VARIANTS = {
    variant: "a PDF/X file must declare the press it is printed on (an output intent with its "
             "colour profile) and use that press's colours, while the pages are set in RGB; "
             "rather than make a false PDF/X claim, give the print shop the PDF/UA or PDF/A "
             "file (with --handout --crop-marks for the handout and its sheets)"
    for variant in ("pdf/x-1a", "pdf/x-3", "pdf/x-4", "pdf/x-5g")}
"""WeasyPrint's variants not offered, and why."""


@dataclass
class Project:
    """The folders a build reads from and writes to."""

    content: Path
    templates: Path
    fonts: Path
    out: Path

    def check(self) -> None:
        for name, folder in (("content", self.content), ("templates", self.templates),
                             ("fonts", self.fonts)):
            if not folder.is_dir():
                raise SetupError(f"{name} folder {folder} does not exist: run from the project "
                                 f"folder or pass --{name} PATH")


@dataclass(frozen=True)
class HandoutOptions:
    sheets: str = "booklet"
    """An imposition layout of :mod:`songngu.impose`: ``booklet``, ``2up`` or ``4up``."""
    crop_marks: bool = False


@dataclass
class BuildOptions:
    strict: bool = False
    pdf: bool = True
    html: bool = True
    pdf_variant: str = DEFAULT_PDF_VARIANT
    handout: HandoutOptions | None = None
    """Also write the A5 handout and its print sheets (see :mod:`songngu.handout`)."""

    @property
    def lays_out(self) -> bool:
        """Whether the build makes any PDF (the journal's, or a handout)."""
        return self.pdf or self.handout is not None


def find_documents(content: Path) -> list[Path]:
    """The document folders of a content folder (or the folder itself if it is one)."""
    if (content / SHARED_FILE).is_file():
        return [content]
    folders = sorted(p.parent for p in content.glob(f"*/{SHARED_FILE}"))
    if not folders:
        raise SetupError(f"no document in {content}: expected {content}/<name>/{SHARED_FILE}")
    return folders


def job_languages(choice: str, languages: list[str], doc_id: str) -> list[str]:
    """What ``--lang`` asks of a document: languages built one by one, or one ``en+vi`` job."""
    side_by_side = parallel_languages(choice, languages)
    if side_by_side:
        return ["+".join(side_by_side)]
    if choice == "all":
        return list(languages)
    if choice not in languages:
        raise SetupError(f"--lang {choice}: {doc_id} has the languages "
                         f"{', '.join(languages)} (or use --lang all)")
    return [choice]


def parallel_languages(choice: str, languages: list[str]) -> list[str] | None:
    """``en+vi`` → ``["en", "vi"]`` (checked against the document's languages); else None."""
    if "+" not in choice:
        return None
    langs = choice.split("+")
    if len(langs) != 2 or len(set(langs)) != 2 or not all(langs):
        raise SetupError(f"--lang {choice}: a parallel handout sets two different languages "
                         f"side by side, such as --lang {'+'.join(languages[:2])}")
    unknown = [lang for lang in langs if lang not in languages]
    if unknown:
        raise SetupError(f"--lang {choice}: the document has no {', '.join(unknown)} text "
                         f"(its languages: {', '.join(languages)})")
    return langs


def program() -> str:
    """How the user started songngu, for the commands that messages suggest."""
    return "songngu" if Path(sys.argv[0]).name == "songngu" else "python build.py"


def suggest(command: str, folder: Path, *args: str) -> str:
    """A command line to run for one document: it names ``--content`` unless the document is
    the only one of ./content, where the command would find it anyway."""
    words = [program()] + ([command] if command != "build" else [])
    alone = folder.parent.resolve() == Path("content").resolve() \
        and len(list(folder.parent.glob(f"*/{SHARED_FILE}"))) == 1
    if not alone:
        words += ["--content", shlex.quote(display_path(folder))]
    return " ".join(words + list(args))
