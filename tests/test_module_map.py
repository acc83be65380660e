"""The README's module map matches the code: every module of songngu/ is listed once, under
its stage of the pipeline, and every module it lists exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STAGES = ["load", "model", "checks", "resolve", "render", "write", "build", "commands",
          "used by every stage"]


def module_map() -> dict[str, list[str]]:
    """Stage → the modules listed under it, in the README's section on the code's layout."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## How the code is laid out\n", 1)[1].split("\n## ", 1)[0]
    stages: dict[str, list[str]] = {}
    current = None
    for line in section.splitlines():
        if heading := re.match(r"\*\*([^*]+)\*\*", line):
            current = heading.group(1)
            stages[current] = []
        elif item := re.match(r"- `songngu/(\w+\.py)`: \S", line):
            assert current is not None, f"a module listed before any stage: {line}"
            stages[current].append(item.group(1))
    return stages


def test_the_stages_are_those_of_the_pipeline_in_order():
    assert list(module_map()) == STAGES


def test_every_module_is_listed_once_and_every_listed_module_exists():
    listed = [name for names in module_map().values() for name in names]
    modules = sorted(path.name for path in (ROOT / "songngu").glob("*.py"))
    assert sorted(set(listed)) == modules
    assert len(listed) == len(set(listed)), "a module listed under two stages"


def test_every_module_says_what_it_transforms():
    for path in (ROOT / "songngu").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert source.startswith('"""'), f"{path.name} opens with no docstring"
