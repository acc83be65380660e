"""Load a document's reference file: .yaml/.yml (CSL-JSON) or .bib → checked references.

path → ``{key: Reference}``, with every problem reported with file and line (duplicate ids
too: citeproc-py compares keys without case, so ``Vu2007`` and ``vu2007`` are the same).
Records with errors are left out.
"""

from __future__ import annotations

from pathlib import Path

from .bibtex import read_bib
from .csl_json import RawRecord, Reference, value_kind
from .errors import Problems
from .load import load_yaml


def load_references(path: Path, problems: Problems) -> dict[str, Reference]:
    """Read a .yaml/.yml list of CSL-JSON records or a .bib file; report problems with file:line.

    Records come back normalised: dates as ``{"date-parts": [[y, m, d]]}``, numbers as text,
    names as lists of ``{family, given}`` / ``{literal}``. Records with errors are left out.
    """
    path = Path(path)
    if path.suffix.lower() == ".bib":
        records = read_bib(path, problems)
    elif path.suffix.lower() in (".yaml", ".yml"):
        records = _read_yaml(path, problems)
    else:
        problems.error(path, 0, f"expected a reference file ending in .yaml, .yml or .bib, "
                                f"found {path.name!r}")
        return {}
    references: dict[str, Reference] = {}
    first_line: dict[str, tuple[str, int]] = {}   # citeproc-py lowercases keys: compare so
    for record in records:
        key = record.raw.get("id")
        if isinstance(key, str) and key.lower() in first_line:
            other, line = first_line[key.lower()]
            same = "" if other == key else f", as {other!r}"
            problems.error(record.file, record.line,
                           f"duplicate id {key!r} (first given on line {line}{same})")
            continue
        if isinstance(key, str):
            first_line[key.lower()] = (key, record.line)
        data = record.check(problems)
        if data is not None and isinstance(key, str):
            references[key] = Reference(key, data, record.name, record.line)
    return references


def _read_yaml(path: Path, problems: Problems) -> list[RawRecord]:
    loaded = load_yaml(path, problems)
    if loaded is None:
        return []
    if loaded.data == {}:
        return []
    if not isinstance(loaded.data, list):
        problems.error(path, loaded.line(()), f"expected a list of references (each starting "
                                              f"with '- id:'), found {value_kind(loaded.data)}")
        return []
    records = []
    for i, item in enumerate(loaded.data):
        if not isinstance(item, dict):
            problems.error(path, loaded.line((i,)), f"expected a reference (a mapping of "
                                                    f"fields), found {value_kind(item)}")
            continue
        records.append(RawRecord(path, loaded.name, loaded.line((i,)), item,
                               lambda *sub, i=i: loaded.key_line((i,) + sub)))
    return records
