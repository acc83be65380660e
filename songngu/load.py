"""Read YAML files into plain Python data plus a map of where each value was written.

YAML → (data, line map). Every string is normalised to Unicode NFC here, once, so that text
pasted in decomposed form (NFD) renders, extracts and compares exactly like composed text.
Syntax errors and duplicate keys become :class:`~songngu.errors.Problem` records with file,
line and column; nothing here raises on bad input.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor

from .errors import Problems, display_path

Path_ = tuple  # a path into the data: keys and list indexes, e.g. ("sections", 0, "title")


@dataclass
class Loaded:
    """A YAML file's data and the line on which each value (by its path) starts."""

    file: Path
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return display_path(self.file)

    def line(self, path: Path_) -> int:
        """The line of the value at ``path``, or of its nearest ancestor that has one."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)

    def key_line(self, path: Path_) -> int:
        """The line of the key that holds the value at ``path`` (where a user looks)."""
        return self.lines.get(("key",) + tuple(path), self.line(path))


def load_yaml(path: Path, problems: Problems) -> Loaded | None:
    """Load one YAML file; report syntax errors to ``problems`` and return None for them."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        problems.error(path, 0, f"expected UTF-8 text, found a byte {exc.object[exc.start]:#04x} "
                                f"at offset {exc.start}")
        return None
    return load_yaml_text(text, path, problems)


def load_yaml_text(text: str, path: Path, problems: Problems) -> Loaded | None:
    """Load YAML from a string that came from ``path``."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        column = f", column {mark.column + 1}" if mark else ""
        what = exc.problem or "invalid YAML"
        context = f" {exc.context}" if exc.context else ""
        problems.error(path, line, f"YAML syntax error{column}: {what}{context}")
        return None
    except yaml.YAMLError as exc:  # reader errors: control characters and the like
        problems.error(path, getattr(getattr(exc, "position", None), "line", 0),
                       f"YAML error: {exc}")
        return None
    loaded = Loaded(path, None)
    if node is None:
        loaded.data = {}
        return loaded
    loaded.data = _build(node, (), loaded, problems, SafeConstructor())
    return loaded


def _build(node: yaml.Node, path: Path_, loaded: Loaded, problems: Problems,
           constructor: SafeConstructor) -> Any:
    loaded.lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                problems.error(loaded.file, key_node.start_mark.line + 1,
                               "expected a plain key, found a nested structure used as a key")
                continue
            key = _normalise(constructor.construct_object(key_node))
            if key_node.tag == "tag:yaml.org,2002:merge":
                problems.error(loaded.file, key_node.start_mark.line + 1,
                               "merge keys ('<<') are not supported in content files")
                continue
            if key in result:
                problems.error(loaded.file, key_node.start_mark.line + 1,
                               f"duplicate key {key!r} (first given on line "
                               f"{loaded.lines[('key',) + path + (key,)]})")
                continue
            loaded.lines[("key",) + path + (key,)] = key_node.start_mark.line + 1
            result[key] = _build(value_node, path + (key,), loaded, problems, constructor)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, path + (i,), loaded, problems, constructor)
                for i, item in enumerate(node.value)]
    try:
        value = constructor.construct_object(node)
    except ConstructorError as exc:
        problems.error(loaded.file, node.start_mark.line + 1, f"{exc.problem}: {node.value!r}")
        return None
    except ValueError as exc:  # e.g. an impossible date such as 2021-02-30
        problems.error(loaded.file, node.start_mark.line + 1,
                       f"expected a valid value, found {node.value!r} ({exc})")
        return None
    return _normalise(value)


def _normalise(value: Any) -> Any:
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value
