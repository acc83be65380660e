"""Start a new document: ``python build.py new myarticle`` → ``content/myarticle/``.

name + languages → a small, valid, commented document folder: ``document.yaml``, one
``<lang>.yaml`` per language (two title blocks on page 1, an abstract, two sections, a table,
a citation of the one reference), ``references.yaml`` and ``sync.yaml`` (the languages start
in sync, so ``check`` is clean at once). Each file opens with a ``yaml-language-server``
line naming its JSON Schema (copied into ``<content>/.schemas/``), so an editor completes and
checks fields while the user types. Nothing is overwritten: an existing folder is refused,
and the files appear together or not at all.

The text of each language is kept as the file ``new`` writes, in
``songngu/starters/<lang>.yaml``: one file per language songngu can start a document in.
"""

from __future__ import annotations

import datetime as dt
import importlib.resources
import os
import shutil
import tempfile
from pathlib import Path

from . import schema
from .errors import SetupError, display_path
from .model import ID_PATTERN
from .project import SHARED_FILE, suggest
from .write import write_text

DEFAULT_LANGUAGES = ("en", "vi")
SCHEMA_FOLDER = ".schemas"
STARTER_FOLDER = "starters"


def starter_languages() -> list[str]:
    """The languages songngu has starter text in: one ``starters/<lang>.yaml`` each."""
    folder = importlib.resources.files("songngu").joinpath(STARTER_FOLDER)
    return sorted(entry.name.removesuffix(".yaml") for entry in folder.iterdir()
                  if entry.name.endswith(".yaml"))


def create(content: Path, name: str, languages: list[str] | None = None,
           today: dt.date | None = None) -> list[str]:
    """Write the new document ``content/name``; return what to tell the user."""
    languages = _languages(languages)
    if not ID_PATTERN.match(name):
        where = Path(name)
        hint = f"; to create it in another folder: python build.py new {where.name} " \
               f"--content {where.parent}" if where.parent != Path(".") \
            and ID_PATTERN.match(where.name) else ""
        raise SetupError(f"new: expected a name of lowercase letters, digits, '-' or '_' "
                         f"(it names the folder and the outputs), found {name!r}{hint}")
    if (content / SHARED_FILE).is_file():
        raise SetupError(f"new: {display_path(content)} is a document, not a content folder; "
                         f"nothing was written (give the folder that holds the documents: "
                         f"--content {display_path(content.parent)})")
    folder = content / name
    if folder.exists():
        raise SetupError(f"new: {display_path(folder)} already exists; nothing was written "
                         f"(choose another name, or delete the folder first)")
    files = {SHARED_FILE: document_yaml(languages, today or dt.date.today())}
    files |= {f"{lang}.yaml": text_yaml(lang) for lang in languages}
    files["references.yaml"] = REFERENCES
    content.mkdir(parents=True, exist_ok=True)
    _write_schemas(content)
    staging = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=content))
    try:
        for file, text in files.items():
            (staging / file).write_text(text, encoding="utf-8")
        _mark_in_sync(staging)
        os.chmod(staging, 0o777 & ~_umask())
        os.rename(staging, folder)  # every file at once; refused if the folder appeared
    except OSError as exc:
        raise SetupError(f"new: cannot write {display_path(folder)}: {exc.strerror}") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    shown = display_path(folder)
    return [f"wrote {shown}/: {', '.join(list(files) + ['sync.yaml'])}",
            "next: edit the files (your editor completes and checks their fields if it knows "
            "yaml-language-server), then",
            f"  {suggest('check', folder)}",
            f"  {suggest('build', folder, '--lang', languages[0])}"]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _languages(languages: list[str] | None) -> list[str]:
    chosen = [code.strip() for code in languages] if languages else list(DEFAULT_LANGUAGES)
    known = starter_languages()
    unknown = [code for code in chosen if code not in known]
    if unknown or not chosen:
        raise SetupError(f"new: songngu has starter text in {', '.join(known)}; found "
                         f"{', '.join(map(repr, unknown or ['']))} (start in those, then add "
                         f"a language as the README says under 'Labels and languages')")
    if len(set(chosen)) != len(chosen):
        raise SetupError(f"new: --languages {','.join(chosen)} lists a language twice")
    return chosen


def _schema_line(kind: str) -> str:
    return f"# yaml-language-server: $schema=../{SCHEMA_FOLDER}/{schema.file_name(kind)}\n"


def _write_schemas(content: Path) -> None:
    """Copy the JSON Schemas next to the documents, where the files' first lines point."""
    target = content / SCHEMA_FOLDER
    target.mkdir(exist_ok=True)
    for kind in schema.KINDS:
        write_text(target / schema.file_name(kind), schema.packaged_text(kind))


def document_yaml(languages: list[str], today: dt.date) -> str:
    return _schema_line("document") + f"""\
# What every language of this article shares (stored once): the languages, the journal,
# the dates, the authors' ids and emails, and the figures of each table. The text of each
# language is in {', '.join(f'{lang}.yaml' for lang in languages)}; README.md describes every field
# ("The content format"). This file was written by songngu new as a starting template.
# languages: the first is compared with the others, and its title block comes first.
languages: [{', '.join(languages)}]
journal:
  name: Journal of Example Studies    # the journal's name; a language file may translate it
  email: editor@example.org
  volume: 1
  issue: "01"                         # quoted: 01 would be read as the number 1
first_page: 1                         # the printed number of the first page
dates:                                # YYYY-MM-DD; received ≤ revised ≤ accepted ≤ published
  received: {today.isoformat()}
authors:
  - id: an                            # lowercase letters, digits, - or _
    # The author's name, as printed in each language, is in each language file.
    email: an.nguyen@example.org
    corresponding: true
    affiliations: [univ]              # names are in each language file, under affiliations
tables:
  results:                            # placed with '- table: results'; captions per language
    # columns: one {{kind, pattern}} per column; kind: year, number, percent or text.
    columns:
      - {{kind: year}}
      - {{kind: number, pattern: "#,##0"}}
      - {{kind: percent, pattern: "#,##0.0%"}}  # a cell holds the percentage: 45.5
    rows:                             # one cell per column; ~ leaves a cell empty
      - [2022, 1240, 45.5]
      - [2023, 1482, 52]
"""


def text_yaml(lang: str) -> str:
    """The language file of a new document: the starter text of ``lang``, schema line first."""
    starter = importlib.resources.files("songngu").joinpath(STARTER_FOLDER, f"{lang}.yaml")
    return _schema_line("text") + starter.read_text(encoding="utf-8")


REFERENCES = _schema_line("references") + """\
# The sources cited in the article, as CSL-JSON records written in YAML (field names of
# CSL-JSON: type, author, title, container-title, publisher, issued, URL, DOI, …). One record
# serves every language; the style (document.yaml: style, ieee by default) formats the list.
# Cite a record by its id: [@nguyen2024]. This record is a sample: replace it with your own.
- id: nguyen2024
  type: book
  author:
    - {family: Nguyễn, given: Văn An}
  title: Writing a bilingual journal article, a sample reference
  publisher: Example Publishing House
  publisher-place: Hanoi
  issued: 2024
"""


def _mark_in_sync(folder: Path) -> None:
    """Record every block as in sync: the languages of a new document say the same thing."""
    from . import pipeline, sync, write

    checked = pipeline.check_document(folder, False, None)
    sync.mark_and_write(checked.doc, None, None, write.write_text)
