"""Show what changed in a text, word by word.

old text + new text → ``in [-November-]{+5 November+} 2002`` (wdiff's notation), with a few
words of context around each change and ``…`` for what is left out, so that one edit in a
twenty-line paragraph is found at a glance. A terminal gets the same in colour.
"""

from __future__ import annotations

import difflib
import re

CONTEXT = 4
"""Unchanged words shown on each side of a change."""
MARKED = re.compile(r"\[-(.*?)-\]|\{\+(.*?)\+\}", re.S)
RED, GREEN, STRIKE, RESET = "\x1b[31m", "\x1b[32m", "\x1b[9m", "\x1b[0m"


def word_diff(old: str, new: str, context: int = CONTEXT) -> str:
    """The changes from ``old`` to ``new``; empty when the words are the same."""
    a, b = old.split(), new.split()
    out: list[str] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    opcodes = matcher.get_opcodes()
    if all(tag == "equal" for tag, *_ in opcodes):
        return ""
    for n, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            words = a[i1:i2]
            first, last = n == 0, n == len(opcodes) - 1
            if len(words) > 2 * context + 1 or ((first or last) and len(words) > context):
                head = [] if first else words[:context]
                tail = [] if last else words[-context:]
                out.extend([*head, "…", *tail])
            else:
                out.extend(words)
            continue
        removed = f"[-{' '.join(a[i1:i2])}-]" if i2 > i1 else ""
        added = f"{{+{' '.join(b[j1:j2])}+}}" if j2 > j1 else ""
        out.append(removed + added)
    return " ".join(out)


def colour(text: str) -> str:
    """The same diff for a terminal: removed words red and struck through, added words green."""
    def paint(match: re.Match) -> str:
        if match.group(1) is not None:
            return f"{RED}{STRIKE}{match.group(1)}{RESET}"
        return f"{GREEN}{match.group(2)}{RESET}"
    return MARKED.sub(paint, text)
