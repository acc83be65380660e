"""Walk a translator through the blocks that need a look, one at a time.

document + answers read from a stream → the blocks marked in sync and ``sync.yaml`` written.
For each stale or updated translation it shows where the block is, what changed in the source
since it was last marked in sync (word by word), the source and the translation, and asks:
mark in sync (y), leave it (n), or stop here (q, keeping the answers given so far).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from . import sync
from .model import Document
from .worddiff import colour

ASK = "Mark in sync? [y]es, [n]o, [q]uit: "


def run(doc: Document, lang: str | None, write: Callable[[Path, str], None], answers: TextIO,
        out: TextIO) -> tuple[int, Path]:
    records, found = sync.load_aligned(doc, lang, "sync", "review a translation")
    status = sync.status(doc, records, found)
    langs = [lang] if lang else found.translations
    todo = [(pair, other) for pair in found.pairs for other in langs
            if status.states[pair.key].get(other) in (sync.STALE, sync.CHANGED)]
    paint = colour if out.isatty() else (lambda text: text)
    chosen: dict[str, list[str]] = {}
    for n, (pair, other) in enumerate(todo, 1):
        unit = pair.translations[other]
        finding = status.details.get((pair.key, other))
        out.write(f"\n[{n}/{len(todo)}] {pair.key}: {pair.source.what} "
                  f"({status.states[pair.key][other]} in {other})\n")
        out.write(f"  {found.source_lang}: {pair.source.where}\n  {other}: {unit.where}\n")
        if finding and finding.diff:
            out.write(f"  change in {found.source_lang}: {paint(finding.diff)}\n")
        out.write(f"  {found.source_lang} now: {pair.source.text}\n  {other}: {unit.text}\n")
        answer = _ask(answers, out)
        if answer == "q":
            break
        if answer == "y":
            chosen.setdefault(other, []).append(pair.key)
    count = 0
    for other, keys in chosen.items():
        sync.mark(doc, records, other, keys, found)
        count += len(keys)
    if count:
        sync.write_records(records, doc, write)
    if not todo:
        out.write("nothing to review: every translation is in sync\n")
    return count, records.file


def _ask(answers: TextIO, out: TextIO) -> str:
    while True:
        out.write(ASK)
        out.flush()
        line = answers.readline()
        if not line:  # the end of the input: leave the rest as it is
            out.write("\n")
            return "q"
        answer = line.strip().lower()[:1]
        if answer in ("y", "n", "q"):
            return answer
        out.write("please answer y, n or q\n")
