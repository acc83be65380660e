"""The JSON Schemas of the content files: generated from the model's field tables, shipped as
they are generated, met by every valid document, and failed by what ``check`` rejects for its
structure. Files are read as an editor's YAML language server reads them: a date is text.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
import yaml
from conftest import ROOT, SAMPLE

from songngu import schema
from songngu.cli import main

INVALID = ROOT / "tests" / "fixtures" / "invalid"
PACKAGED = ROOT / "songngu" / "schemas"


class EditorLoader(yaml.SafeLoader):
    """YAML 1.2 as editors read it: 2021-03-11 stays text."""


EditorLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def kind_of(file: Path) -> str:
    if file.name == "document.yaml":
        return "document"
    return "references" if file.stem == "references" else "text"


def errors(file: Path) -> list[str]:
    validator = jsonschema.Draft202012Validator(json.loads(
        (PACKAGED / schema.file_name(kind_of(file))).read_text(encoding="utf-8")))
    data = yaml.load(file.read_text(encoding="utf-8"), Loader=EditorLoader)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(data)]


def parses(file: Path) -> bool:
    try:
        yaml.load(file.read_text(encoding="utf-8"), Loader=EditorLoader)
    except yaml.YAMLError:
        return False
    return True


def content_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.yaml") if p.name != "sync.yaml")


@pytest.mark.parametrize("kind", schema.KINDS)
def test_the_shipped_schemas_are_those_the_field_tables_give(kind):
    shipped = (PACKAGED / schema.file_name(kind)).read_text(encoding="utf-8")
    assert shipped == schema.generated_text(kind), "run: python -m songngu.schema"
    jsonschema.Draft202012Validator.check_schema(json.loads(shipped))


def test_the_schemas_follow_the_field_tables():
    from songngu import fields, model

    document = schema.generate("document")
    assert set(document["properties"]) == set(fields.SHARED_FIELDS)
    assert document["required"] == [k for k, (_, req) in fields.SHARED_FIELDS.items() if req]
    text = schema.generate("text")
    assert set(text["properties"]) == set(fields.TEXT_FIELDS)
    section = text["$defs"]["section"]
    assert set(section["properties"]) == set(fields.SECTION_FIELDS)
    kinds = [next(iter(block["properties"])) for block in text["$defs"]["block"]["oneOf"]]
    assert kinds == list(model.BLOCK_KINDS)


@pytest.mark.parametrize("folder", [SAMPLE, INVALID / "_base"], ids=["sample", "base"])
def test_valid_documents_meet_their_schemas(folder):
    files = content_files(folder)
    assert len(files) == 4
    for file in files:
        assert errors(file) == [], file


def test_a_new_document_meets_its_schemas(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    for languages in ("en,vi", "vi"):
        name = "x" + languages.replace(",", "-")
        assert main(["new", name, "--languages", languages]) == 0
        for file in content_files(tmp_path / "content" / name):
            assert errors(file) == [], file
    # The schema line of each file names a schema that is there, relative to the file.
    first = (tmp_path / "content" / "xen-vi" / "vi.yaml").read_text(encoding="utf-8")
    target = first.splitlines()[0].split("$schema=")[1]
    assert (tmp_path / "content" / "xen-vi" / target).resolve() == \
        (tmp_path / "content" / ".schemas" / "text.schema.json")


STRUCTURAL = ["block-with-two-kinds", "document-settings", "empty-file", "empty-list",
              "empty-title", "invalid-id", "invalid-language-code", "malformed-date",
              "missing-required-key", "unknown-block-kind", "unknown-column-kind",
              "unknown-key", "wrong-type", "problems-in-three-files"]
"""The fixtures whose mistake is in a file's shape, not in how files relate."""


@pytest.mark.parametrize("fixture", STRUCTURAL)
def test_the_schema_rejects_what_check_rejects_for_structure(fixture):
    broken = [f for f in (INVALID / fixture).glob("*.yaml") if parses(f)]
    assert broken  # (a YAML syntax error is the parser's to find, not a schema's)
    found = [message for file in broken for message in errors(file)]
    assert found, fixture


@pytest.mark.parametrize("file, old, new", [
    ("document.yaml", "first_page: 1", "first_page: 0"),
    ("document.yaml", "  - id: an", "  - id: An"),
    ("document.yaml", "  received: 2021-03-11", "  recieved: 2021-03-11"),
    ("document.yaml", "corresponding: true", "corresponding: yes please"),
    ("en.yaml", "  - id: introduction", "  - idd: introduction"),
    ("en.yaml", "      - table: trade", "      - table: trade\n        p: two kinds"),
    ("en.yaml", "keywords: [Trade, Asia]", "keywords: Trade"),
    ("en.yaml", "    title: Introduction", "    title: ''"),
    ("references.yaml", "type: book", "type: novel"),
    ("references.yaml", "  title:", "  titel:"),
])
def test_the_schema_rejects_each_mistake_check_rejects(tmp_path, file, old, new):
    folder = tmp_path / "doc"
    shutil.copytree(INVALID / "_base", folder)
    path = folder / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    assert errors(path)
