"""Word the problems a user reads: what was found, how many, and what was probably meant.

a found value, a count, a misspelt word → the words a message uses: ``the number 3``,
``a list of 4 items``, ``2 columns``, ``did you mean 'abstract'?``. Every check that reports
an unknown name (a key, a block kind, a template, a citation, a cross-reference, a sync
block) suggests the closest known one through :func:`did_you_mean`, so that all messages
make the suggestion alike.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

TYPE_NAMES = {str: "text", int: "a whole number", bool: "true or false", list: "a list",
              dict: "a mapping (key: value lines)", float: "a number"}


def type_name(types: type | tuple[type, ...]) -> str:
    """How a message names the type a field expects: ``text or a whole number``."""
    if isinstance(types, tuple):
        return " or ".join(TYPE_NAMES.get(t, t.__name__) for t in types)
    return TYPE_NAMES.get(types, types.__name__)


def describe(value: Any) -> str:
    """How a found value is named in a message: its kind and, when short, the value itself."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, Decimal)):
        return f"the number {value!r}"
    if isinstance(value, dt.date):
        return f"the date {value.isoformat()}"
    if isinstance(value, str):
        return f"text {value!r}"
    shown = repr(value)
    kind = "a list" if isinstance(value, list) else "a mapping"
    return f"{kind} {shown}" if len(shown) <= 60 else f"{kind} of {plural(len(value), 'item')}"


def about(what: str, message: str) -> str:
    """``what: message``, or the message alone when there is no ``what``."""
    return f"{what}: {message}" if what else message


def plural(count: int, noun: str) -> str:
    """``1 column``, ``2 columns``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def closest(word: Any, known: Iterable[str], count: int = 1,
            aliases: dict[str, str] | None = None) -> list[str]:
    """The known words most like ``word``, best first, at most ``count`` of them.

    ``aliases`` maps names people reach for that do not look like the real one (``para`` for
    ``p``); otherwise difflib's closest matches, ignoring case if the word as written has none.
    """
    word = str(word)
    if aliases and word.lower() in aliases:
        return [aliases[word.lower()]]
    choices = [str(k) for k in known]
    return difflib.get_close_matches(word, choices, n=count) or \
        difflib.get_close_matches(word.lower(), choices, n=count)


def did_you_mean(word: Any, known: Iterable[str], otherwise: str, *, count: int = 1,
                 aliases: dict[str, str] | None = None,
                 show: Callable[[str], str] = repr) -> str:
    """``did you mean 'abstract'?`` naming the known words closest to ``word`` (each written by
    ``show``), or ``otherwise`` (what is known, what happens instead) when none is close."""
    close = closest(word, known, count, aliases)
    return f"did you mean {', '.join(map(show, close))}?" if close else otherwise


def not_listed(word: Any, known: Iterable[str], noun: str) -> str:
    """An author, table or figure a language file names that document.yaml does not list."""
    known = sorted(known)
    hint = did_you_mean(word, known, f"it lists {', '.join(known) or 'none'}")
    article = "an" if noun[0] in "aeiou" else "a"
    return f"{word!r} is not {article} {noun} listed in document.yaml ({hint})"


def unknown(word: Any, known: Iterable[Any], noun: str = "key",
            aliases: dict[str, str] | None = None) -> tuple[str, str | None]:
    """The message for an unknown key or kind, and the closest known one it suggests."""
    known = [str(k) for k in known]
    close = closest(word, known, aliases=aliases)
    hint = did_you_mean(word, known, f"known {noun}s: {', '.join(known) or 'none'}",
                        aliases=aliases)
    return f"unknown {noun} {word!r} ({hint})", close[0] if close else None
