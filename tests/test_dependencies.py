"""Every package the code imports is declared in pyproject.toml, so that an install has it.

The imports are read from the source (every ``import`` statement, including those inside
functions), each top-level module is mapped to the distribution that provides it, and that
distribution must be a dependency: of the package for ``songngu/`` and ``build.py``, of the
package or its ``test`` extra for ``tests/``.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from functools import cache
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _declared(requirements: list[str]) -> set[str]:
    return {_normal(re.split(r"[<>=!~;\[ ]", line, maxsplit=1)[0]) for line in requirements}


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _imported(files: list[Path]) -> dict[str, Path]:
    """Top-level modules imported by ``files`` that are neither standard nor the project's."""
    local = {path.stem for path in (ROOT / "tests").rglob("*.py")} | {"songngu"}
    found: dict[str, Path] = {}
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.partition(".")[0]
                if top not in sys.stdlib_module_names and top not in local:
                    found.setdefault(top, path)
    return found


@cache
def _providers() -> dict[str, list[str]]:
    return packages_distributions()


def _undeclared(files: list[Path], declared: set[str]) -> list[str]:
    providers = _providers()
    missing = []
    for module, path in sorted(_imported(files).items()):
        names = {_normal(d) for d in providers.get(module, [])}
        if not names & declared:
            shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
            missing.append(f"{module} (imported by {shown}; provided by "
                           f"{', '.join(sorted(names)) or 'no installed distribution'})")
    return missing


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_every_import_of_the_package_is_a_declared_dependency():
    files = sorted((ROOT / "songngu").rglob("*.py")) + [ROOT / "build.py"]
    assert _undeclared(files, _declared(_project()["dependencies"])) == []


def test_every_import_of_the_tests_is_a_declared_dependency():
    project = _project()
    declared = _declared(project["dependencies"] + project["optional-dependencies"]["test"])
    assert _undeclared(sorted((ROOT / "tests").rglob("*.py")), declared) == []


def test_an_undeclared_import_is_named_with_its_file(tmp_path):
    module = tmp_path / "uses_markupsafe.py"
    module.write_text("def f():\n    from markupsafe import Markup\n    return Markup\n")
    found = _undeclared([module], {"jinja2"})
    assert len(found) == 1 and found[0].startswith("markupsafe (imported by ")
