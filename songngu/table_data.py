"""Read the tables: their numbers from document.yaml, their words from each language file.

the ``tables:`` of document.yaml → :class:`TableData` (columns with their kinds, rows of
numbers, years and text cells, stored once for every language); the ``tables:`` of a language
file → :class:`TableText` (caption, column headers, note, row labels, header groups) checked
against that data: as many headers as columns, a text for every row. Every problem is
reported at its line; a table with errors is still known by its id.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from .checker import Checker
from .fields import COLUMN_FIELDS, GROUP_FIELDS, TABLE_FIELDS, TABLE_TEXT_FIELDS
from .model import (
    ALIGNMENTS,
    COLUMN_KINDS,
    Column,
    Document,
    HeaderGroup,
    TableData,
    TableText,
)
from .wording import describe, not_listed, plural

MINUS = "\u2212"
YEAR_RANGE = re.compile(r"^\s*(\d{3,4})\s*[-–]\s*(\d{2,4})\s*$")
"""A period in a year column: 1991–2000."""


def read_tables(check: Checker, value: Any, languages: list[str]) -> dict[str, TableData]:
    """The tables' numbers. A table with errors is still known by its id, so that the language
    files that caption and place it are not blamed for the one mistake."""
    tables: dict[str, TableData] = {}
    for table_id, item in (value.items() if isinstance(value, dict) else []):
        path = ("tables", table_id)
        if check.ident(path, table_id, "tables", {}) is None:
            continue
        what = f"table {table_id!r}"
        fields = check.mapping(path, item, TABLE_FIELDS, what) or {}
        if "columns" not in fields:
            tables[table_id] = TableData(table_id, [], [], check.key_where(path), False)
            continue
        columns = [_column(check, path + ("columns", c), col, f"{what}, column {c + 1}")
                   for c, col in enumerate(fields.get("columns", []))]
        # A row that cannot be read keeps its place, empty: the language files' rows are
        # still counted and matched against the right ones (the mistake is said once).
        rows = [cells if (cells := _row(check, path + ("rows", r), row, columns,
                                        f"{what}, row {r + 1}", languages)) is not None
                else [None] * len(columns)
                for r, row in enumerate(fields.get("rows", []))]
        tables[table_id] = TableData(table_id, columns, rows, check.key_where(path),
                                     empty=fields.get("empty", "–"))
    return tables


def _column(check: Checker, path: tuple, value: Any, what: str) -> Column:
    fields = check.mapping(path, value, COLUMN_FIELDS, what) or {}
    kind = fields.get("kind", "text")
    if kind not in COLUMN_KINDS:
        check.error(path + ("kind",), f"{what}: kind must be one of {', '.join(COLUMN_KINDS)}, "
                                      f"found {kind!r}")
        kind = "text"
    pattern = fields.get("pattern")
    if pattern is not None and not _number_pattern(pattern):
        check.error(path + ("pattern",), f"{what}: expected a number pattern such as '#,##0.0' "
                                         f"(digits as 0 or #), found {pattern!r}")
        pattern = None
    align = fields.get("align", "")
    if align and align not in ALIGNMENTS:
        check.error(path + ("align",), f"{what}: align must be one of {', '.join(ALIGNMENTS)}, "
                                       f"found {align!r}")
        align = ""
    return Column(kind, pattern, align)


def _number_pattern(pattern: str) -> bool:
    """Whether Babel can format numbers with ``pattern``; it prints nonsense patterns as they
    are, so a pattern must at least have a digit placeholder."""
    from babel.numbers import format_decimal
    try:
        format_decimal(Decimal("1234.5"), pattern, locale="en")
    except Exception:  # Babel's pattern parser raises several kinds
        return False
    return re.search(r"[0#@]", pattern) is not None


MAX_CELL = 10 ** 15
"""Numbers in tables stay below a quadrillion: Babel cannot format 1.0e+308."""


def _row(check: Checker, path: tuple, row: Any, columns: list[Column],
         what: str, languages: list[str]) -> list | None:
    if not isinstance(row, list) or len(row) != len(columns):
        found = f"{plural(len(row), 'cell')} {_as_written(row)}" if isinstance(row, list) \
            else describe(row)
        check.error(path, f"{what}: expected a list of {plural(len(columns), 'cell')}, "
                          f"found {found}")
        return None
    cells = []
    for c, (cell, col) in enumerate(zip(row, columns)):
        if col.kind == "text":
            value = _text_cell(check, path + (c,), cell, f"{what}, column {c + 1}", languages)
            if value is False:
                return None
            cells.append(value)
            continue
        if col.kind == "year" and isinstance(cell, str) and YEAR_RANGE.match(cell):
            cells.append(YEAR_RANGE.sub(r"\1–\2", cell.strip()))  # 1991-2000 → 1991–2000
            continue
        number = _number_cell(cell)
        if number is not False and number is not None and not -MAX_CELL < number < MAX_CELL:
            check.error(path + (c,), f"{what}, column {c + 1}: expected a number below "
                                     f"{MAX_CELL:,} in size, found {describe(cell)}")
            return None
        if number is False:
            check.error(path + (c,), f"{what}, column {c + 1}: expected a number such as 3.5 "
                                     f"or \u22123.5 (or ~ for an empty cell), found "
                                     f"{describe(cell)}")
            return None
        cells.append(number)
    return cells


def _as_written(row: list) -> str:
    """A row as YAML shows it: ``[~, 28.0, "−8.0"]``."""
    return "[" + ", ".join("~" if cell is None else f'"{cell}"' if isinstance(cell, str)
                           else str(cell) for cell in row) + "]"


def _number_cell(cell: Any) -> Any:
    """A number cell's value (int, Decimal or None), or False if it is no number.

    A negative number may be typed with U+2212 MINUS SIGN, as it prints: YAML then reads
    text, which is taken for the number it shows.
    """
    if cell is None:
        return None
    if isinstance(cell, str) and re.fullmatch(r"\s*[-\u2212]?\d+(\.\d+)?\s*", cell):
        value = Decimal(cell.strip().replace(MINUS, "-"))
        return int(value) if "." not in cell else value
    if isinstance(cell, bool) or not isinstance(cell, (int, float)) or cell != cell \
            or cell in (float("inf"), float("-inf")):
        return False
    return Decimal(str(cell)) if isinstance(cell, float) else cell


def _text_cell(check: Checker, path: tuple, cell: Any, what: str,
               languages: list[str]) -> Any:
    """A text cell: ``~`` (written in the language files, or empty), the same text in every
    language, or a mapping of each language's text (``{en: Other, vi: Khác}``); False if
    it is none of these."""
    if cell is None:
        return None
    if isinstance(cell, (str, int)) and not isinstance(cell, bool):
        return str(cell)
    if isinstance(cell, dict):
        words: dict[str, str] = {}
        for lang, text in cell.items():
            if lang not in languages:
                check.error(path + (lang,), f"{what}: {lang!r} is not one of the document's "
                                            f"languages ({', '.join(languages)})", key=True)
                return False
            if not isinstance(text, (str, int)) or isinstance(text, bool) or not str(text).strip():
                check.error(path + (lang,), f"{what}: expected the {lang} text of the cell, "
                                            f"found {describe(text)}")
                return False
            words[lang] = str(text).strip()
        missing = [lang for lang in languages if lang not in words]
        if missing:
            check.error(path, f"{what}: expected the cell's text in every language, found none "
                              f"in {', '.join(missing)}")
            return False
        return words
    check.error(path, f"{what}: expected text, a mapping of each language's text such as "
                      f"{{en: Other, vi: Khác}}, or ~, found {describe(cell)}")
    return False


def read_table_texts(check: Checker, value: dict, doc: Document,
                     lang: str = "") -> dict[str, TableText]:
    texts = {}
    for table_id, item in value.items():
        path = ("tables", table_id)
        what = f"table {table_id!r}"
        if table_id not in doc.tables:
            if "tables" not in doc.unreadable:
                check.error(path, f"tables: {not_listed(table_id, doc.tables, 'table')}",
                            key=True)
            continue
        fields = check.mapping(path, item, TABLE_TEXT_FIELDS, what)
        if not fields or "caption" not in fields or "columns" not in fields:
            continue
        expected = len(doc.tables[table_id].columns)
        if len(fields["columns"]) != expected and doc.tables[table_id].complete:
            check.error(path + ("columns",), f"{what}: expected "
                        f"{plural(expected, 'column header')} (as in document.yaml), "
                        f"found {len(fields['columns'])}")
            continue
        headers = [text for c, header in enumerate(fields["columns"])
                   if (text := check.text(path + ("columns", c), header,
                                          f"{what}, column {c + 1}")) is not None]
        if len(headers) != len(fields["columns"]):
            continue
        data = doc.tables[table_id]
        texts[table_id] = TableText(
            fields["caption"].strip(), headers, fields.get("note", "").strip(),
            check.key_where(path),
            rows=_row_texts(check, path + ("rows",), fields.get("rows"), data, what, lang),
            groups=_groups(check, path + ("groups",), fields.get("groups", []), len(headers),
                           what))
    return texts


def _row_texts(check: Checker, path: tuple, value: Any, data: TableData,
               what: str, lang: str = "") -> list[list[str]]:
    """This language's text cells: one entry per row of document.yaml, a text (one text
    column) or a list of texts (one per text column); ``~`` takes the cell document.yaml
    gives (the same text in every language, or this language's of a mapping)."""
    if value is None or not data.complete:
        return []
    text_columns = data.text_columns()
    if not text_columns:
        check.error(path, f"{what}: 'rows' gives the text cells of text columns, but the table "
                          f"has none (give a column kind: text in document.yaml)", key=True)
        return []
    if len(value) != len(data.rows):
        check.error(path, f"{what}: expected the text of {plural(len(data.rows), 'row')} (as "
                          f"in document.yaml), found {len(value)}", key=True)
        return []
    rows = []
    for r, row in enumerate(value):
        cells = row if isinstance(row, list) else [row]
        if len(cells) != len(text_columns):
            check.error(path + (r,), f"{what}, row {r + 1}: expected "
                                     f"{plural(len(text_columns), 'text cell')} (one for each "
                                     f"text column, ~ where document.yaml gives the cell), "
                                     f"found {describe(row)}")
            return []
        texts = [text for cell, c in zip(cells, text_columns)
                 if (text := _shared_cell(data.rows[r][c], lang) if cell is None else
                     check.text(path + (r,), cell, f"{what}, row {r + 1}")) is not None]
        if len(texts) != len(cells):
            return []
        rows.append(texts)
    return rows


def _shared_cell(cell: Any, lang: str) -> str:
    """The text document.yaml gives a text cell in ``lang``: "" when it leaves it empty."""
    if isinstance(cell, dict):
        return str(cell.get(lang, ""))
    return "" if cell is None else str(cell)


def _groups(check: Checker, path: tuple, value: list, columns: int,
            what: str) -> list[HeaderGroup]:
    groups = []
    for g, item in enumerate(value):
        fields = check.mapping(path + (g,), item, GROUP_FIELDS, f"{what}, group {g + 1}")
        if not fields or "columns" not in fields:
            return []
        if fields["columns"] < 1:
            check.error(path + (g, "columns"), f"{what}, group {g + 1}: expected 1 or more "
                                               f"columns, found {fields['columns']}")
            return []
        groups.append(HeaderGroup(fields["columns"], fields.get("text", "").strip()))
    if groups and sum(g.span for g in groups) != columns:
        check.error(path, f"{what}: the groups cover {sum(g.span for g in groups)} columns, "
                          f"expected {columns} (one group, or {{columns: 1}}, above every "
                          f"column)", key=True)
        return []
    return groups
