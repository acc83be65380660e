"""Check one loaded content file against the field tables, reporting every problem at its line.

a loaded YAML file (:class:`songngu.load.Loaded`) + a field table (:mod:`songngu.fields`) → the
mapping's good fields, with each unknown key (and the closest known one), missing required
key, value of the wrong type, empty text or bad or duplicate id reported as file:line. Bad
fields are dropped, not fatal, so that one run reports every problem of every file.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .errors import Problems
from .fields import CHECKED_ELSEWHERE
from .load import Loaded
from .model import ID_PATTERN, Where
from .wording import about, describe, type_name, unknown


class Checker:
    """Checks one loaded file against field tables, reporting with file:line."""

    def __init__(self, loaded: Loaded, problems: Problems):
        self.loaded = loaded
        self.problems = problems

    def where(self, path: tuple) -> Where:
        return Where(self.loaded.name, self.loaded.line(path), self.loaded.source)

    def key_where(self, path: tuple) -> Where:
        """Where the key of a mapping entry stands (``tables: trade:``), not its first field."""
        return Where(self.loaded.name, self.loaded.key_line(path), self.loaded.source)

    def error(self, path: tuple, message: str, *, key: bool = False) -> None:
        if any(tuple(path[:n]) in self.loaded.refused for n in range(len(path) + 1)):
            return  # a value the loader refused, and said why: it is missing for that reason
        line = self.loaded.key_line(path) if key else self.loaded.line(path)
        self.problems.error(self.loaded.file, line, message)

    def mapping(self, path: tuple, value: Any, fields: dict, what: str) -> dict | None:
        """Check a mapping's keys and value types; return it with bad fields dropped."""
        if not isinstance(value, dict):
            self.error(path, about(what, f"expected a mapping (key: value lines), "
                                        f"found {describe(value)}"))
            return None
        good, suggested = {}, set()
        for key, item in value.items():
            if key not in fields:
                absent = [f for f in fields if f not in value]
                message, close = unknown(key, absent or list(fields))
                if close is None and absent:
                    message, close = unknown(key, list(fields))
                suggested.add(close)
                self.error(path + (key,), about(what, message), key=True)
                continue
            types, _ = fields[key]
            if types is CHECKED_ELSEWHERE:
                good[key] = item
            elif item is None:
                self.error(path + (key,), about(what, f"{key!r} is empty: expected "
                                                     f"{type_name(types)}, found nothing"))
            elif not _is(item, types):
                hint = " (put it in quotation marks)" if str in _as_tuple(types) \
                    and isinstance(item, (int, float, dt.date)) else ""
                self.error(path + (key,), about(what, f"{key!r} must be {type_name(types)}, "
                                                     f"found {describe(item)}{hint}"))
            elif isinstance(item, str) and not item.strip():
                self.error(path + (key,), about(what, f"{key!r} is empty: expected some text, "
                                                     f"found {item!r}"))
            else:
                good[key] = item
        missing = [key for key, (_, required) in fields.items()
                   if required and key not in value and key not in suggested]
        if missing and not value and not path:
            self.error(path, f"the file is empty: expected the keys {', '.join(missing)}")
        else:
            for key in missing:
                self.error(path, about(what, f"missing the required key {key!r}"))
        return good

    def text(self, path: tuple, value: Any, what: str) -> str | None:
        """A piece of text; numbers are accepted as the text they show (keywords: [2021])."""
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str) or not value.strip():
            found = "nothing" if value is None else repr(value) if isinstance(value, str) \
                else describe(value)
            self.error(path, about(what, f"expected text, found {found}"))
            return None
        return value.strip()

    def ident(self, path: tuple, value: Any, what: str, seen: dict[str, Where]) -> str | None:
        if not isinstance(value, str) or not ID_PATTERN.match(value):
            self.error(path, about(what, f"expected an id of lowercase letters, digits, '-' or "
                                        f"'_', found {value!r}"))
            return None
        if value in seen:
            self.error(path, about(what, f"duplicate id {value!r} (first used at "
                                        f"{seen[value]})"))
            return None
        seen[value] = self.where(path)
        return value


def _as_tuple(types: type | tuple[type, ...]) -> tuple[type, ...]:
    return types if isinstance(types, tuple) else (types,)


def _is(value: Any, types: type | tuple[type, ...]) -> bool:
    types = _as_tuple(types)
    if isinstance(value, bool) and bool not in types:
        return False
    if isinstance(value, dt.date) and not any(issubclass(t, dt.date) for t in types):
        return False
    return isinstance(value, types)
