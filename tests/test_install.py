"""songngu as a user installs it: a wheel made with ``python -m build``, installed in a fresh
virtual environment, builds a content folder from any working folder, with the templates,
fonts, catalogs and schemas it carries; a project's own templates folder is used instead."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLE, pdftotext

from songngu.cli import main

pytestmark = pytest.mark.slow

ENV = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}
"""The environment of the processes here: with the checkout on PYTHONPATH, they would import
its songngu (and its build.py as `build`) instead of the installed one."""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    # Run from elsewhere, and without PYTHONPATH: where the checkout is on the path,
    # `python -m build` would find build.py first.
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(ROOT)],
                   cwd=out, check=True, capture_output=True, timeout=600, env=ENV)
    return next(out.glob("songngu-*.whl"))


def test_the_wheel_carries_templates_fonts_catalogs_and_schemas(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("songngu/templates/journal/article.html.j2",
                 "songngu/templates/journal/journal.css",
                 "songngu/templates/journal/locales/vi/LC_MESSAGES/messages.po",
                 "songngu/fonts/LiberationSerif-Regular.ttf", "songngu/fonts/LICENSE",
                 "songngu/schemas/text.schema.json", "songngu/csl/locale-vi.xml"):
        assert name in names, name
    shipped = {p.relative_to(ROOT / "templates").as_posix() for p in
               (ROOT / "templates").rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    assert {f"songngu/templates/{name}" for name in shipped} <= names
    # Every font of fonts/, the fallbacks for other scripts too (Noto Serif Thai, …).
    assert {f"songngu/fonts/{p.name}" for p in (ROOT / "fonts").iterdir()} <= names


def test_the_installed_command_builds_from_any_folder(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; "
                                "print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    # The dependencies (WeasyPrint, …) come from this environment, not from the network;
    # songngu itself only from the wheel.
    site.joinpath("dependencies.pth").write_text(
        "\n".join({sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}) + "\n")
    # --ignore-installed: the songngu these dependencies sit beside (this checkout, installed
    # for development) is neither uninstalled nor taken for this one.
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install",
                    "--no-deps", "--no-index", "--ignore-installed", "--quiet", str(wheel)],
                   check=True, capture_output=True, timeout=300, env=ENV)
    work = tmp_path / "anywhere"
    work.mkdir()

    def songngu(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(venv / "bin" / "songngu"), *args], cwd=work,
                              capture_output=True, text=True, timeout=600, env=ENV)

    where = subprocess.run([str(python), "-c", "import songngu; print(songngu.__file__)"],
                           cwd=work, capture_output=True, text=True, check=True, env=ENV).stdout
    assert where.startswith(str(venv))
    shutil.copytree(SAMPLE, work / "journal" / "asean-japan")
    result = songngu("--lang", "vi", "--content", "journal", "--out", "out")
    assert result.returncode == 0, result.stderr
    assert "TÀI LIỆU THAM KHẢO" in pdftotext(work / "out" / "vi" / "asean-japan.pdf")
    assert (work / "out" / "vi" / "fonts" / "LiberationSerif-Regular.ttf").is_file()
    result = songngu("new", "mine")
    assert result.returncode == 0, result.stderr
    assert "songngu check" in result.stdout
    assert (work / "content" / ".schemas" / "document.schema.json").is_file()
    result = songngu("check")
    assert (result.returncode, result.stderr) == (0, "")
    assert songngu("--help").stdout.startswith("usage: songngu ")


def test_a_projects_own_templates_folder_is_used_instead(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["new", "mine"]) == 0
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    article = tmp_path / "templates" / "journal" / "article.html.j2"
    article.write_text(article.read_text(encoding="utf-8").replace(
        "<body", "<!-- our journal's own template --><body", 1), encoding="utf-8")
    assert main(["--lang", "en", "--no-pdf", "--out", "out"]) == 0
    page = (tmp_path / "out" / "en" / "mine.html").read_text(encoding="utf-8")
    assert "our journal's own template" in page
    shutil.rmtree(tmp_path / "templates")
    assert main(["--lang", "en", "--no-pdf", "--out", "out"]) == 0
    assert "our journal's own template" not in (tmp_path / "out" / "en" / "mine.html").read_text(
        encoding="utf-8")
