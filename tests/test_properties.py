"""Whatever a hand edit does to valid content, the result is a build or a content error.

Hypothesis mutates a valid document the way editors and translators break files: deleting
keys, changing the type of a value, typing random Unicode, typing YAML syntax in the wrong
place. Checking (load, model, parity, sync, fonts, resolve) must then either pass or raise
:class:`ContentError`, never anything else; and whatever the checks accept renders to HTML in
every language (``check`` and the build agree). Most examples stop at the HTML; a few go on to
lay out the PDF with WeasyPrint. The documents mutated are a small one, the sample and the
gallery's research article (equations, footnotes, subfigures, a two-level table header).
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, SAMPLE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from songngu import pipeline, render, schedule, sync, write
from songngu.errors import ContentError
from songngu.project import BuildOptions, Project

BASE = ROOT / "tests" / "fixtures" / "invalid" / "_base"
FILES = ("document.yaml", "en.yaml", "vi.yaml", "references.yaml", "sync.yaml")
SYNTAX = ["- ", ": ", "? ", "[", "]", "{", "}", ",", "#", "&a ", "*a", "*b ", "!!binary ",
          "!!python/object:os.system ", "!custom ", "|", ">-", "'", '"', "\t", "\n", "---\n",
          "...\n", "<<: *a\n", "%YAML 1.1\n", "~", "@", "`", "%", "\\", "\ufeff", "\x00",
          "\x85", "\u2028", "\ud7ff", "2021-02-30", ".inf", "0x1F", "1e400", "-.nan", "[@", "^",
          "**", "[@tbl:", "[@sec:x]", "](", "<script>", "^[", "[^", "[^x]", "$x$", "$$",
          "{#eq:x}", "{#", "[@eq:x]", "\\frac{", "numbered: false\n", "appendix: true\n"]
VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
    st.text(max_size=30), st.dates(min_value=dt.date(1, 1, 1)),
    st.lists(st.text(max_size=8), max_size=3),
    st.dictionaries(st.text(max_size=8), st.text(max_size=8), max_size=2))


def _synced_copy(source: Path, target: Path) -> Path:
    """A copy of a document with every block marked in sync (so sync.yaml is mutated too)."""
    shutil.copytree(source, target)
    checked = pipeline.check_document(target)
    records = sync.load_records(checked.doc, checked.problems)
    sync.mark(checked.doc, records, None, sync.block_keys(checked.doc, None))
    sync.write_records(records, checked.doc, write.write_text)
    return target


@pytest.fixture(scope="module")
def originals(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("originals")
    return {"base": _synced_copy(BASE, root / "base" / "article"),
            "sample": _synced_copy(SAMPLE, root / "sample" / "asean-japan"),
            "gallery": _synced_copy(ROOT / "content" / "urban-heat",
                                    root / "gallery" / "urban-heat")}


def _paths(data, prefix=()):
    """Every path into the data, containers and leaves alike."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield prefix + (key,)
            yield from _paths(value, prefix + (key,))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield prefix + (i,)
            yield from _paths(value, prefix + (i,))


@st.composite
def mutations(draw):
    """(file name, function turning the file's text into the mutated text)."""
    name = draw(st.sampled_from(FILES))
    kind = draw(st.sampled_from(["delete", "retype", "unicode", "syntax"]))
    if kind in ("unicode", "syntax"):
        fragment = draw(st.text(min_size=1, max_size=12) if kind == "unicode"
                        else st.sampled_from(SYNTAX))
        where = draw(st.floats(min_value=0, max_value=1))

        def insert(text: str) -> str:
            at = int(where * len(text))
            return text[:at] + fragment + text[at:]
        return name, insert
    pick = draw(st.integers(min_value=0))
    value = draw(VALUES)

    def restructure(text: str) -> str:
        data = yaml.safe_load(text)
        paths = list(_paths(data))
        if not paths:
            return text
        path = paths[pick % len(paths)]
        parent = data
        for step in path[:-1]:
            parent = parent[step]
        if kind == "delete":
            del parent[path[-1]]
        else:
            parent[path[-1]] = value
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    return name, restructure


def _mutated(original: Path, workdir: Path, name: str, mutate) -> Path:
    folder = workdir / original.parent.name / original.name
    shutil.copytree(original, folder)
    path = folder / name
    path.write_bytes(mutate(path.read_text(encoding="utf-8")).encode("utf-8", "surrogatepass"))
    return folder


def _project(workdir: Path) -> Project:
    return Project(workdir, ROOT / "templates", ROOT / "fonts", workdir / "out")


def _check(folder: Path, project: Project) -> None:
    """The check stage as ``python build.py check`` runs it; then, if it passed, the page of
    every language is rendered: a document ``check`` accepts must build."""
    try:
        checked = pipeline.check_document(folder, project=project)
        resolved = pipeline.resolve_document(checked)
    except ContentError as error:
        assert error.problems and all(p.file and p.message for p in error.problems)
        assert any(p.severity == "error" for p in error.problems)
        return
    for lang in checked.doc.texts:
        page = render.render_html(resolved, lang, project.templates)
        assert checked.doc.texts[lang].title and "<body" in page


SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                      HealthCheck.function_scoped_fixture])


@settings(max_examples=150, **SETTINGS)
@given(mutation=mutations())
def test_a_mutated_small_document_checks_or_fails_with_a_content_error(originals, mutation):
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        _check(_mutated(originals["base"], workdir, *mutation), _project(workdir))


@settings(max_examples=20, **SETTINGS)
@given(mutation=mutations())
def test_a_mutated_sample_checks_or_fails_with_a_content_error(originals, mutation):
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        _check(_mutated(originals["sample"], workdir, *mutation), _project(workdir))


@settings(max_examples=40, **SETTINGS)
@given(mutation=mutations())
def test_a_mutated_research_article_checks_and_renders_or_fails_with_a_content_error(
        originals, mutation):
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        _check(_mutated(originals["gallery"], workdir, *mutation), _project(workdir))


@settings(max_examples=4, **SETTINGS)
@given(mutation=mutations())
def test_a_mutated_document_builds_or_fails_with_a_content_error(originals, mutation):
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        folder = _mutated(originals["base"], workdir, *mutation)
        project = _project(workdir)
        try:
            written = schedule.build([folder], project, "all", BuildOptions(),
                                     lambda item: None)
        except ContentError:
            assert not project.out.exists() or not any(project.out.rglob("*.pdf"))
        else:
            assert [p.suffix for p in written].count(".pdf") == 2
            assert all(p.stat().st_size > 0 for p in written)
