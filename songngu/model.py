"""The content types: what a bilingual document is once its YAML has been read and checked.

:class:`Document` (the data every language shares, once) + one :class:`Text` per language
(the same shape in every language) → what resolve, render and the checks work on. Language-
neutral facts (dates, DOI, authors' emails, table numbers) exist once; the text of each
language is in its Text. The names and kinds the content may use (block kinds, column kinds,
article types, ids) are declared here too. Reading the YAML into these types, with every
problem reported at its line, is :mod:`songngu.document_data` and :mod:`songngu.language_text`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .kinds import KINDS

BLOCK_KINDS = tuple(KINDS)
BLOCK_NAMES = {kind.name: kind.noun for kind in KINDS.values()}
DEFAULT_ALIGN = {"year": "center", "number": "right", "percent": "right", "text": "left"}
"""Each kind of table column, with how its cells align unless the column says otherwise."""
COLUMN_KINDS = tuple(DEFAULT_ALIGN)
ALIGNMENTS = ("left", "right", "center")
ARTICLE_TYPES = ("research", "review", "short-communication", "case-report", "editorial",
                 "letter")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
"""A language code as document.yaml lists it: ``en``, ``vi``, ``zh-Hant``."""


@dataclass
class Where:
    """The place in a source file a value came from."""

    file: str
    line: int
    source: list[str] = field(default_factory=list, compare=False, repr=False)
    """The file's lines as the loader read them (shared, not copied): to point at a word
    inside a value without reading the file again."""

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class Block:
    """One block of body text: a paragraph, subheading, quotation, list, or a placed table or
    figure."""

    kind: str
    """One of BLOCK_KINDS."""
    text: str = ""
    """Inline markup for ``p``, ``heading`` and ``quote``; the table or figure id for those
    kinds."""
    items: list[str] = field(default_factory=list)
    """Item markup for ``list`` and ``ordered``."""
    where: Where = field(default_factory=lambda: Where("", 0))
    """Where the block was written (every block read from a file has its place)."""
    key: str = ""
    """``<section>/<id>`` for a block given an ``id:``, else its position ``<section>/<index>``
    (counterparts in other languages are found by :mod:`songngu.align`)."""
    id: str = ""
    """The author's own name for the block (``id: trade-growth``), the same in every language."""
    label: str = ""
    """The label of a subheading or an equation (``{#trade}``, ``{#eq:energy}``), or ``""``."""


@dataclass
class Section:
    """A section: its title, blocks, then its subsections (numbered by the resolve stage, in
    the tree it gives)."""

    id: str
    title: str
    blocks: list[Block]
    sections: list[Section]
    where: Where | None = None
    level: int = 1
    numbered: bool = True
    """False for acknowledgements, funding, conflicts of interest: no number, not counted."""
    appendix: bool = False
    """An appendix: numbered A, B, … (its subsections A.1, A.2)."""


@dataclass
class Column:
    kind: str
    pattern: str | None = None
    align: str = ""
    """left, right or center; by default text left, numbers right, years centred."""

    def __post_init__(self) -> None:
        self.align = self.align or DEFAULT_ALIGN[self.kind]


@dataclass
class TableData:
    """The numbers of a table, stored once for every language."""

    id: str
    columns: list[Column]
    rows: list[list[Any]]
    where: Where | None = None
    complete: bool = True
    """False when its columns could not be read: the language files' headers are not
    counted against it (the one mistake is reported once, in document.yaml)."""
    empty: str = "–"
    """What an empty cell (``~``) prints."""

    def text_columns(self) -> list[int]:
        return [c for c, col in enumerate(self.columns) if col.kind == "text"]


@dataclass
class HeaderGroup:
    """A header cell above several columns (``text``), or none (the columns' own headers
    then span both header rows)."""

    span: int
    text: str = ""


@dataclass
class TableText:
    """What a language says about a table: caption, column headers, note, row labels."""

    caption: str
    columns: list[str]
    note: str = ""
    where: Where | None = None
    rows: list[list[str]] = field(default_factory=list)
    """The text cells of each row in this language (the table's text columns, in order);
    empty when document.yaml holds them."""
    groups: list[HeaderGroup] = field(default_factory=list)
    """A first header row of cells spanning columns: a two-level header."""


@dataclass
class FigureData:
    id: str
    file: Path
    where: Where | None = None
    width: float = 0
    """Its width as a share of the text width (0.5: half); 0 for its natural size, at most
    the text width."""
    parts: list[Path] = field(default_factory=list)
    """Subfigures (a), (b), … set side by side; ``file`` is then the first."""

    def files(self) -> list[Path]:
        return self.parts or [self.file]


@dataclass
class FigureText:
    caption: str
    alt: str = ""
    where: Where | None = None
    parts: list[str] = field(default_factory=list)
    """The caption of each subfigure, after its (a), (b) label."""
    source: str = ""
    """Where the figure comes from: "Source: …"."""


@dataclass
class Author:
    id: str
    email: str = ""
    corresponding: bool = False
    affiliations: list[str] = field(default_factory=list)
    orcid: str = ""


@dataclass
class Journal:
    name: str
    url: str = ""
    email: str = ""
    issn: str = ""
    eissn: str = ""
    volume: str = ""
    issue: str = ""
    id: str = ""
    """The journal's id at its publisher or an indexer (JATS ``journal-id``)."""
    publisher: str = ""
    date_pattern: str = "d/M/yyyy"
    """A Babel date pattern for the article's dates: ``dd/MM/yyyy`` prints 05/01/2022."""


@dataclass
class Text:
    """Everything of a document that is written in one language."""

    lang: str
    file: Path
    title: str
    authors: dict[str, str]
    affiliations: dict[str, str]
    abstract: str
    keywords: list[str]
    sections: list[Section]
    tables: dict[str, TableText] = field(default_factory=dict)
    figures: dict[str, FigureText] = field(default_factory=dict)
    journal_name: str = ""
    funding: str = ""
    footnotes: dict[str, str] = field(default_factory=dict)
    """Footnote texts by label, for ``[^label]`` in the text."""
    where: dict[str, Where] = field(default_factory=dict)
    """Where each top-level field was written (title, abstract, keywords, …) and each name
    (``authors/<id>``, ``affiliations/<id>``)."""


@dataclass
class Document:
    """A bilingual (or multilingual) document: shared data plus one Text per language."""

    id: str
    folder: Path
    languages: list[str]
    journal: Journal
    first_page: int
    doi: str
    dates: dict[str, dt.date]
    authors: list[Author]
    tables: dict[str, TableData]
    figures: dict[str, FigureData]
    texts: dict[str, Text]
    template: str = "journal"
    style: str | Path = "ieee"
    """A citation style name (``ieee``, ``apa``) or a .csl file inside the document's folder."""
    article_type: str = ""
    """One of ARTICLE_TYPES, printed above the title in each language; empty: none."""
    references_file: Path | None = None
    source_files: list[Path] = field(default_factory=list)
    jats: bool = False
    """Every full build also writes the JATS XML (``jats: true``)."""
    source_language: str = ""
    """The language the others are translated from (``source_language:``, else the first of
    ``languages``)."""
    unreadable: set[str] = field(default_factory=set)
    """Lists of document.yaml (``authors``, ``tables``, ``figures``) that had errors: the
    language files are not checked against them, so one mistake is reported once."""
