"""Read YAML files into plain Python data plus a map of where each value was written.

YAML → (data, line map). Every string is normalised to Unicode NFC here, once, so that text
pasted in decomposed form (NFD) renders, extracts and compares exactly like composed text.
Syntax errors, bytes that are not UTF-8, characters YAML forbids and duplicate keys become
:class:`~songngu.errors.Problem` records with file, line and column; nothing here raises on
bad input. A value that only looks like a date (``2021-02-30``) stays text, so the model can
say which field it was.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor

from . import limits
from .errors import Problems, display_path

Path_ = tuple  # a path into the data: keys and list indexes, e.g. ("sections", 0, "title")


@dataclass
class Loaded:
    """A YAML file's data and the line on which each value (by its path) starts."""

    file: Path
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)
    columns: dict[Path_, int] = field(default_factory=dict)
    """The 0-based column at which each value starts on its line."""
    source: list[str] = field(default_factory=list)
    """The file's lines, NFC-normalised like the data, for finding a word inside a value."""
    refused: set[Path_] = field(default_factory=set)
    """The paths of the values refused while loading (each said why, and left out): what
    checks them afterwards has nothing more to say about them."""

    @cached_property
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

    def find_line(self, path: Path_, needle: str, reach: int = 200) -> int:
        """The line, at or after the start of the value at ``path``, on which ``needle`` is.

        A paragraph spans many lines; pointing at the line of the word itself saves the user
        a search. Falls back to the value's first line (e.g. for a ``\\u`` escape).
        """
        start = self.line(path)
        column = self.columns.get(tuple(path), 0)  # not the key before the value
        for number in range(start, min(start + reach, len(self.source) + 1)):
            if needle in self.source[number - 1][column if number == start else 0:]:
                return number
        return start

    def strings(self, data: Any = None, path: Path_ = ()):
        """Every text value with its path, in file order: (path, text)."""
        data = self.data if data is None and path == () else data
        if isinstance(data, str):
            yield path, data
        elif isinstance(data, dict):
            for key, value in data.items():
                yield from self.strings(value, path + (key,))
        elif isinstance(data, list):
            for i, value in enumerate(data):
                yield from self.strings(value, path + (i,))


def load_yaml(path: Path, problems: Problems) -> Loaded | None:
    """Load one YAML file; report syntax errors to ``problems`` and return None for them."""
    try:
        size = path.stat().st_size
        if size > limits.FILE_BYTES.value:
            problems.error(path, 0, f"expected a smaller file: {limits.FILE_BYTES.exceeded(size)}")
            return None
        raw = path.read_bytes()
    except OSError as exc:
        problems.error(path, 0, f"cannot read the file: {exc.strerror}")
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        problems.error(path, line, f"expected UTF-8 text, found the byte {raw[exc.start]:#04x} "
                                   f"at column {column}: save the file as UTF-8")
        return None
    return load_yaml_text(text, path, problems)


def load_yaml_text(text: str, path: Path, problems: Problems) -> Loaded | None:
    """Load YAML from a string that came from ``path``."""
    text = text.removeprefix("\ufeff")
    try:
        node = _compose(text)
    except yaml.MarkedYAMLError as exc:
        _syntax_error(text, path, exc, problems)
        return None
    except yaml.reader.ReaderError as exc:  # a control character or other forbidden one
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        found = exc.character if isinstance(exc.character, int) else ord(exc.character)
        problems.error(path, line, f"expected printable text, found the control character "
                                   f"U+{found:04X} at column {column}: delete it")
        return None
    except RecursionError:
        _too_deep(path, problems, text)
        return None
    if node is not None and (too_big := limits.yaml_problem(node)) is not None:
        problems.error(path, *too_big)
        return None
    loaded = Loaded(path, {}, source=unicodedata.normalize("NFC", text).splitlines())
    if node is not None:
        try:
            loaded.data = _build(node, (), loaded, problems, SafeConstructor(), set())
        except RecursionError:
            _too_deep(path, problems, text)
            return None
    return loaded


def _too_deep(path: Path, problems: Problems, text: str) -> None:
    """Said at the line that goes deepest: the parser, out of stack, tells no place."""
    depth, deepest, line = 0, -1, 1
    for number, row in enumerate(text.splitlines(), 1):
        stripped = row.lstrip(" -")
        here = depth + (len(row) - len(stripped))
        depth += row.count("[") + row.count("{") - row.count("]") - row.count("}")
        if max(here, depth) > deepest:
            deepest, line = max(here, depth), number
    problems.error(path, line, "expected at most a few hundred levels of nesting, found more")


def _compose(text: str) -> yaml.Node | None:
    """The node tree of a YAML text: by libyaml when it is there (several times faster); by
    PyYAML when libyaml finds an error, as PyYAML's messages are the ones explained here."""
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return yaml.compose(text, Loader=fast)
        except yaml.YAMLError:
            pass
    return yaml.compose(text, Loader=yaml.SafeLoader)


def _syntax_error(text: str, path: Path, exc: yaml.MarkedYAMLError, problems: Problems) -> None:
    """Say where a YAML mistake is and what it is, in plain words, under the line itself."""
    lines = unicodedata.normalize("NFC", text).splitlines()
    line, column, message = _explain(lines, text, exc)
    problems.error(path, line, f"YAML syntax error: {message}" + excerpt(lines, line, column))


def excerpt(lines: list[str], line: int, column: int) -> str:
    """The source line and a caret under ``column`` (both 1-based), as lines to append."""
    if not 1 <= line <= len(lines):
        return ""
    source = lines[line - 1]
    gutter = " " * len(str(line))
    # The caret's padding copies the line's own tabs, so it stands under the column shown.
    padding = "".join(c if c == "\t" else " " for c in source[:max(column - 1, 0)])
    return f"\n  {line} | {source}\n  {gutter} | {padding}^"


def _explain(lines: list[str], text: str, exc: yaml.MarkedYAMLError) -> tuple[int, int, str]:
    """(line, column, message) of a syntax error: the place of the mistake, which is often
    not where the parser gave up, and what it is."""
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem, context = exc.problem or "", exc.context or ""
    start = exc.context_mark
    if "'\\t'" in problem or "'\t'" in problem:
        return line, column, "this line is indented with a tab, which YAML does not allow: " \
                             "indent with spaces"
    if context == "while scanning a quoted scalar" and start is not None:
        return start.line + 1, start.column + 1, \
            "the quote opened here is never closed: add the closing quotation mark " \
            f"({_quote(lines, start)}) at the end of the text"
    if context == "while scanning a simple key" and start is not None:
        above = _key_above(lines, start.line + 1, start.column)
        if above:
            number, key = above
            return start.line + 1, start.column + 1, \
                f"this line is indented no more than the key {key!r} on line {number}, so " \
                f"YAML reads it as a new key and finds no ':' after it; to continue the text " \
                f"of {key!r}, indent it more than {key!r}; for a new key, add ': ' after it"
        return start.line + 1, start.column + 1, \
            "expected a key and ': ' on this line, found no ':' after the key"
    if mark and (opened := _open_quote(text, mark)):
        return opened[0], opened[1], \
            f"the quote opened here is never closed on its line: YAML reads on to the next " \
            f"quotation mark, on line {line}, as one text; close the quote on this line"
    if problem == "mapping values are not allowed here":
        return _colon(lines, line, column)
    if problem.startswith("expected <block end>, but found '<block sequence start>'") \
            or problem.startswith("expected <block end>, but found '-'"):
        first = _list_start(lines, line, column)
        if first:
            return line, column, \
                f"this line is indented less than the list it belongs to, which starts on " \
                f"line {first[0]}; indent its '-' like that list's items (column {first[1]})"
    if context in ("while parsing a flow sequence", "while parsing a flow mapping") and start:
        opener, closer, what = ("[", "]", "list") if "sequence" in context else ("{", "}",
                                                                                 "mapping")
        return start.line + 1, start.column + 1, \
            f"the {what} opened here with '{opener}' is not closed where YAML expects it " \
            f"(it gave up on line {line}): close it with '{closer}', or, for text that " \
            f"starts with '{opener}', put the whole text in quotation marks"
    words = problem or "invalid YAML"
    if context:
        words += f", {context}"
        if start and start.line + 1 != line:
            words += f" that starts on line {start.line + 1}"
    return line, column, f"YAML cannot read this line ({words})"


def _indent(source: str) -> int:
    return len(source) - len(source.lstrip(" "))


def _significant(source: str) -> bool:
    stripped = source.strip()
    return bool(stripped) and not stripped.startswith("#")


def _key_above(lines: list[str], line: int, indent: int) -> tuple[int, str] | None:
    """The nearest key above ``line`` standing at or left of ``indent``: (line, key)."""
    for number in range(line - 1, 0, -1):
        source = lines[number - 1]
        if not _significant(source):
            continue
        stripped = source.lstrip(" ")
        item = stripped.startswith("- ")
        key = stripped[2:] if item else stripped
        if _indent(source) + (2 if item else 0) <= indent and ":" in key:
            return number, key.split(":")[0].strip()
    return None


def _list_start(lines: list[str], line: int, column: int) -> tuple[int, int] | None:
    """The first item (line, column) of the list indented deeper than an item at ``column``
    that ended just above it: the list that item was meant to join."""
    for number in range(line - 1, 0, -1):
        source = lines[number - 1]
        if not _significant(source):
            continue
        if source.lstrip().startswith("- ") and _indent(source) > column - 1:
            depth, first = _indent(source), number
            for above in range(number - 1, 0, -1):
                text = lines[above - 1]
                if not _significant(text):
                    continue
                if _indent(text) < depth:
                    break
                if _indent(text) == depth and text.lstrip().startswith("-"):
                    first = above
            return first, depth + 1
        if _indent(source) <= column - 1:
            return None
    return None


def _colon(lines: list[str], line: int, column: int) -> tuple[int, int, str]:
    """``mapping values are not allowed here``: a key indented too far, or ': ' in text."""
    source = lines[line - 1] if 1 <= line <= len(lines) else ""
    before = source[:column - 1]
    if re.fullmatch(r" *[\w.-]+ *", before):
        above = next((n for n in range(line - 1, 0, -1) if _significant(lines[n - 1])), None)
        if above and _indent(lines[above - 1]) < _indent(source):
            previous = lines[above - 1]
            key = previous.strip().removeprefix("- ").split(":")[0]
            key_column = _indent(previous) + 1 + (2 if previous.lstrip().startswith("- ") else 0)
            return line, _indent(source) + 1, \
                f"this key is indented more than the key {key!r} on line {above}, so YAML " \
                f"reads it as more of the value of {key!r}; indent it like {key!r} (column " \
                f"{key_column})"
    return line, column, "this text contains ': ', which YAML reads as the start of a new " \
                         "key; put the whole text in quotation marks, or write it on the next " \
                         "lines after '>-'"


def _quote(lines: list[str], mark) -> str:
    source = lines[mark.line] if mark.line < len(lines) else ""
    return source[mark.column] if mark.column < len(source) else '"'


def _open_quote(text: str, mark) -> tuple[int, int] | None:
    """Where a quoted value that swallowed the following lines was opened (line, column).

    An unclosed ``"`` makes the parser fail only where the next quotation mark happens to
    stand, often many lines later; saying where the quote began points at the real mistake.
    """
    tokens = []
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            tokens.append(token)
    except yaml.YAMLError:
        pass
    for token in reversed(tokens):
        if isinstance(token, yaml.ScalarToken) and token.style in ('"', "'") \
                and token.end_mark.line == mark.line and token.start_mark.line < mark.line:
            return token.start_mark.line + 1, token.start_mark.column + 1
    return None


def _build(node: yaml.Node, path: Path_, loaded: Loaded, problems: Problems,
           constructor: SafeConstructor, open_nodes: set[int]) -> Any:
    loaded.lines[path] = node.start_mark.line + 1
    loaded.columns[path] = node.start_mark.column
    if id(node) in open_nodes:
        problems.error(loaded.file, node.start_mark.line + 1,
                       "expected a value, found an alias (*name) that contains itself")
        loaded.refused.add(path)
        return None
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) \
            and len(node.value) > limits.LIST_ITEMS.value:
        problems.error(loaded.file, node.start_mark.line + 1,
                       f"expected a shorter list: {limits.LIST_ITEMS.exceeded(len(node.value))}")
        loaded.refused.add(path)
        return None
    if isinstance(node, yaml.MappingNode):
        open_nodes.add(id(node))
        result = _build_mapping(node, path, loaded, problems, constructor, open_nodes)
        open_nodes.discard(id(node))
        return result
    if isinstance(node, yaml.SequenceNode):
        open_nodes.add(id(node))
        items = [_build(item, path + (i,), loaded, problems, constructor, open_nodes)
                 for i, item in enumerate(node.value)]
        open_nodes.discard(id(node))
        return items
    said = len(problems.items)
    value = _scalar(node, loaded, problems, constructor)
    if value is None and len(problems.items) > said:
        loaded.refused.add(path)
    return value


def _build_mapping(node: yaml.MappingNode, path: Path_, loaded: Loaded, problems: Problems,
                   constructor: SafeConstructor, open_nodes: set[int]) -> dict:
    result: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        if not isinstance(key_node, yaml.ScalarNode):
            problems.error(loaded.file, line,
                           "expected a plain key, found a nested structure used as a key")
            continue
        if key_node.tag == "tag:yaml.org,2002:merge":
            problems.error(loaded.file, line,
                           "expected a plain key, found a merge key '<<' (not supported in "
                           "content files)")
            continue
        key = _scalar(key_node, loaded, problems, constructor)
        if isinstance(key, (list, dict, set)):  # pragma: no cover - scalars only
            continue
        if key in result:
            problems.error(loaded.file, line,
                           f"duplicate key {key!r} (first given on line "
                           f"{loaded.lines[('key',) + path + (key,)]}): keep one of them")
            continue
        loaded.lines[("key",) + path + (key,)] = line
        result[key] = _build(value_node, path + (key,), loaded, problems, constructor,
                             open_nodes)
    return result


def _scalar(node: yaml.Node, loaded: Loaded, problems: Problems,
            constructor: SafeConstructor) -> Any:
    try:
        value = constructor.construct_object(node)
    except ConstructorError as exc:
        problems.error(loaded.file, node.start_mark.line + 1,
                       f"expected a plain value, found {node.value!r}: {exc.problem}")
        return None
    except ValueError:
        # Looked like a date or number but is not one (2021-02-30): keep what was typed,
        # so the model can say which field expected what.
        value = node.value
    if isinstance(value, bytes):
        problems.error(loaded.file, node.start_mark.line + 1,
                       f"expected a plain value, found a {node.tag.rpartition(':')[2]} value "
                       f"{node.value!r}")
        return None
    if isinstance(value, str) and (problem := _text_problem(value)) is not None:
        problems.error(loaded.file, node.start_mark.line + 1, problem)
        return None
    return _normalise(value)


def _text_problem(text: str) -> str | None:
    if len(text) > limits.TEXT_CHARS.value:
        return f"expected shorter text: {limits.TEXT_CHARS.exceeded(len(text))}"
    return limits.control_problem(text)


def _normalise(value: Any) -> Any:
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value
