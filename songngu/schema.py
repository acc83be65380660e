"""Describe the content files as JSON Schemas, for editors that check YAML while one types.

the field tables (:mod:`songngu.fields`, :mod:`songngu.csl_json`) → one JSON Schema
(draft 2020-12) per kind of content file: ``document`` (document.yaml), ``text``
(``<lang>.yaml``) and ``references`` (references.yaml). The schemas are generated from the very
tables the checks read, so an editor and ``check`` agree on which keys exist, which are
required and what type each holds. They ship in the package (``songngu/schemas/``);
``python -m songngu.schema`` writes them again after a field is added, and a test fails while
the shipped files differ from what the tables say.

A schema says only what a field's shape is; what needs the whole document (an author a
language names must be listed in document.yaml, parity, fonts) is for ``check`` alone.
"""

from __future__ import annotations

import importlib.resources
import json
import sys
from pathlib import Path
from typing import Any

from . import csl_json as citations
from . import fields, model
from .write import write_text

KINDS = ("document", "text", "references")
DIALECT = "https://json-schema.org/draft/2020-12/schema"
_TYPES = {str: "string", int: "integer", bool: "boolean", list: "array", dict: "object",
          float: "number"}
_TEXT = {"type": "string", "pattern": r"\S"}
"""Text that is not empty or only spaces (check says ``'title' is empty``)."""
_ID = {"type": "string", "pattern": model.ID_PATTERN.pattern}
_DATE = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$", "format": "date"}


def file_name(kind: str) -> str:
    return f"{kind}.schema.json"


def _type(types) -> dict:
    types = types if isinstance(types, tuple) else (types,)
    names = [_TYPES[t] for t in types]
    if names == ["string"]:
        return dict(_TEXT)
    return {"type": names[0] if len(names) == 1 else names}


def _object(fields: dict, special: dict[str, dict] | None = None,
            title: str | None = None) -> dict:
    """A mapping of a field table: its keys (no others), their types, the required ones."""
    special = special or {}
    schema: dict[str, Any] = {"type": "object"}
    if title:
        schema["title"] = title
    schema["properties"] = {key: special.get(key) or _type(types)
                            for key, (types, _) in fields.items()}
    required = [key for key, (_, needed) in fields.items() if needed]
    if required:
        schema["required"] = required
    schema["additionalProperties"] = False
    return schema


def _by_id(value: dict) -> dict:
    """A mapping from ids (``tables: {trade: …}``) to ``value``."""
    return {"type": "object", "propertyNames": _ID, "additionalProperties": value}


def document_schema() -> dict:
    column = _object(fields.COLUMN_FIELDS, {"kind": {"enum": list(model.COLUMN_KINDS)}})
    cell = {"type": ["number", "string", "null"]}
    table = _object(fields.TABLE_FIELDS, {
        "columns": {"type": "array", "items": column, "minItems": 1},
        "rows": {"type": "array", "items": {"type": "array", "items": cell}}})
    author = _object(fields.AUTHOR_FIELDS, {
        "id": _ID, "affiliations": {"type": "array", "items": _ID}})
    dates = {"type": "object", "properties": {name: _DATE for name in fields.DATE_NAMES},
             "additionalProperties": False,
             "description": "received ≤ revised ≤ accepted ≤ published, each YYYY-MM-DD"}
    return _object(fields.SHARED_FIELDS, {
        "languages": {"type": "array", "minItems": 1, "uniqueItems": True,
                      "items": {"type": "string", "pattern": model.LANGUAGE_CODE.pattern}},
        "journal": _object(fields.JOURNAL_FIELDS),
        "first_page": {"type": "integer", "minimum": 1},
        "dates": dates,
        "authors": {"type": "array", "minItems": 1, "items": author},
        "tables": _by_id(table),
        "figures": _by_id(_object(fields.FIGURE_FIELDS)),
        "template": {"type": "string", "pattern": r"^[\w-]+$"},
    }, "document.yaml: what every language of a songngu document shares")


def text_schema() -> dict:
    blocks = []
    for kind in model.BLOCK_KINDS:
        value = {"type": "array", "minItems": 1, "items": _item()} \
            if kind in ("list", "ordered") else _TEXT
        blocks.append({"type": "object", "title": model.BLOCK_NAMES[kind],
                       "properties": {kind: value}, "required": [kind],
                       "additionalProperties": False})
    section = _object(fields.SECTION_FIELDS, {
        "id": _ID, "blocks": {"type": "array", "items": {"$ref": "#/$defs/block"}},
        "sections": {"type": "array", "items": {"$ref": "#/$defs/section"}}})
    names = {"type": "object", "additionalProperties": _item()}
    schema = _object(fields.TEXT_FIELDS, {
        "authors": names, "affiliations": names,
        "keywords": {"type": "array", "items": _item()},
        "sections": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/section"}},
        "tables": _by_id(_object(fields.TABLE_TEXT_FIELDS, {
            "columns": {"type": "array", "items": _item()}})),
        "figures": _by_id(_object(fields.FIGURE_TEXT_FIELDS)),
    }, "<lang>.yaml: the text of one language of a songngu document")
    schema["$defs"] = {"section": section, "block": {"oneOf": blocks}}
    return schema


def _item() -> dict:
    """Text, or a number read as the text it shows (``keywords: [2021]``)."""
    return {"anyOf": [_TEXT, {"type": "integer"}]}


def references_schema() -> dict:
    name = {"type": "object", "minProperties": 1, "additionalProperties": False,
            "properties": {part: {"type": "string"} for part in citations.NAME_PARTS}}
    date = {"anyOf": [{"type": "string"}, {"type": "integer"},
                      {"type": "object", "required": ["date-parts"]}]}
    text = {"anyOf": [_TEXT, {"type": "number"}]}
    properties: dict[str, Any] = {
        "id": {"type": "string", "pattern": citations._KEY_RE.pattern},
        "type": {"enum": list(citations.TYPES)}}
    properties |= {field: text for field in citations.TEXT_FIELDS}
    properties |= {field: {"type": "array", "minItems": 1, "items": name}
                   for field in citations.NAME_FIELDS}
    properties |= {field: date for field in citations.DATE_FIELDS}
    record = {"type": "object", "properties": properties, "required": ["id", "type", "title"],
              "additionalProperties": False}
    return {"title": "references.yaml: the sources of a songngu document, as CSL-JSON records",
            "type": "array", "items": record}


_MAKERS = {"document": document_schema, "text": text_schema, "references": references_schema}


def generate(kind: str) -> dict:
    schema = _MAKERS[kind]()
    return {"$schema": DIALECT, **schema}


def generated_text(kind: str) -> str:
    return json.dumps(generate(kind), ensure_ascii=False, indent=1) + "\n"


def packaged_text(kind: str) -> str:
    """The schema shipped with songngu (the generated one if the package lacks it)."""
    try:
        return importlib.resources.files("songngu").joinpath("schemas", file_name(kind)) \
            .read_text(encoding="utf-8")
    except FileNotFoundError:
        return generated_text(kind)


def write_all(folder: Path) -> list[Path]:
    """Write every schema into ``folder`` (the package's: ``python -m songngu.schema``)."""
    written = []
    for kind in KINDS:
        path = folder / file_name(kind)
        write_text(path, generated_text(kind))
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write_all(Path(__file__).parent / "schemas"):
        print(f"wrote {path}", file=sys.stderr)
