"""Resolve what the content only names: numbers, citations and cross-references.

typed Document → :class:`Resolved`. Sections are numbered by position ("3.2.1"); tables and
figures by order of first placement; every piece of inline markup is parsed once; citation
clusters are formatted by the CSL processor in reading order (so numbers follow first
citation), and cross-references get the number of their target. Unknown citation keys and
cross-reference targets are reported with file and line.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from .citations import Bibliography, Reference
from .errors import Problems
from .inline import InlineSyntaxError, Span, parse_inline, walk
from .model import Document, Text, Where, iter_sections


@dataclass
class ResolvedText:
    """One language's parsed inline content and formatted references."""

    lang: str
    spans: dict[str, list[Span]] = field(default_factory=dict)
    """Parsed inline markup, keyed by the markup itself."""
    numbers: dict[str, str] = field(default_factory=dict)
    """``section:id``, ``table:id``, ``figure:id`` → the number shown."""
    bibliography: Bibliography | None = field(default=None, repr=False)
    """The language's citations, already formatted into ``spans``; its reference list is
    formatted when first asked for."""

    @cached_property
    def references(self) -> list[tuple[str, str]]:
        """(key, formatted entry HTML) in the reference list's order.

        Formatted on demand: a build of one language never formats the others' lists, the
        slowest part of resolving (some 6 ms an entry with citeproc-py).
        """
        return self.bibliography.entries() if self.bibliography is not None else []


@dataclass
class Resolved:
    doc: Document
    texts: dict[str, ResolvedText]


def resolve(doc: Document, references: dict[str, Reference], problems: Problems,
            strict: bool = False) -> Resolved:
    """Number, parse and cite every language of ``doc``.

    A reference that no language cites is a warning (an error when ``strict``).
    """
    texts, cited = {}, set()
    for lang, text in doc.texts.items():
        texts[lang], keys = _resolve_text(doc, text, references, problems)
        cited |= keys
    report = problems.error if strict else problems.warning
    for key, reference in references.items():
        if key not in cited:
            report(reference.file, reference.line, f"reference {key!r} is never cited")
    return Resolved(doc, texts)


def markup_in_order(doc: Document, text: Text):
    """Every piece of inline markup of a language with where it was written, in reading order.

    Table and figure captions and notes count where the table or figure is placed.
    """
    yield text.title, text.where.get("title")
    yield text.abstract, text.where.get("abstract")
    for keyword in text.keywords:
        yield keyword, text.where.get("keywords")
    for section in iter_sections(text.sections):
        yield section.title, section.where
        for block in section.blocks:
            if block.kind == "table" and block.text in text.tables:
                table = text.tables[block.text]
                yield table.caption, table.where
                for header in table.columns:
                    yield header, table.where
                if table.note:
                    yield table.note, table.where
            elif block.kind == "figure" and block.text in text.figures:
                yield text.figures[block.text].caption, text.figures[block.text].where
            elif block.kind in ("list", "ordered"):
                for item in block.items:
                    yield item, block.where
            else:
                yield block.text, block.where


def number_targets(text: Text) -> dict[str, str]:
    """Section numbers by position; tables and figures by order of placement."""
    numbers: dict[str, str] = {}

    def number_sections(sections, prefix=""):
        for i, section in enumerate(sections, 1):
            section.number = f"{prefix}{i}"
            numbers[f"section:{section.id}"] = section.number
            number_sections(section.sections, section.number + ".")

    number_sections(text.sections)
    counters = {"table": 0, "figure": 0}
    for section in iter_sections(text.sections):
        for block in section.blocks:
            if block.kind in counters and f"{block.kind}:{block.text}" not in numbers:
                counters[block.kind] += 1
                numbers[f"{block.kind}:{block.text}"] = str(counters[block.kind])
    return numbers


def _resolve_text(doc: Document, text: Text, references: dict[str, Reference],
                  problems: Problems) -> tuple[ResolvedText, set[str]]:
    resolved = ResolvedText(text.lang, numbers=number_targets(text))
    clusters: list[Span] = []
    for markup, where in markup_in_order(doc, text):
        if markup in resolved.spans:
            clusters.extend(s for s in walk(resolved.spans[markup]) if s.kind == "cite")
            continue
        where = where or Where(str(text.file), 0)
        try:
            spans = parse_inline(markup)
        except InlineSyntaxError as exc:
            problems.error(where.file, _line_of(where, exc.needle), str(exc))
            continue
        resolved.spans[markup] = spans
        for span in walk(spans):
            if span.kind == "xref":
                _resolve_xref(span, resolved.numbers, where, problems)
            elif span.kind == "cite":
                if _known_cites(span, references, where, problems):
                    clusters.append(span)
    bibliography = Bibliography(references, doc.style, text.lang)
    for span, html in zip(clusters, bibliography.cite([c.cites for c in clusters])):
        span.html = html
    resolved.bibliography = bibliography
    return resolved, {item.key for span in clusters for item in span.cites}


def _resolve_xref(span: Span, numbers: dict[str, str], where: Where,
                  problems: Problems) -> None:
    if span.target in numbers:
        span.number = numbers[span.target]
        return
    kind, _, target = span.target.partition(":")
    known = [k.partition(":")[2] for k in numbers if k.startswith(kind + ":")]
    close = difflib.get_close_matches(target, known, n=3)
    hint = f" (did you mean {', '.join(map(repr, close))}?)" if close else \
        f" (known: {', '.join(known) or 'none'})"
    problems.error(where.file, _line_of(where, target),
                   f"cross-reference to unknown {kind} {target!r}{hint}")


def _known_cites(span: Span, references: dict[str, Reference], where: Where,
                 problems: Problems) -> bool:
    ok = True
    for item in span.cites:
        if item.key not in references:
            close = difflib.get_close_matches(item.key, list(references), n=3)
            hint = f"did you mean {', '.join(map(repr, close))}?" if close else \
                f"known: {', '.join(sorted(references)[:8]) or 'none'}"
            problems.error(where.file, _line_of(where, "@" + item.key),
                           f"unknown citation {item.key!r} ({hint})")
            ok = False
    return ok


def _line_of(where: Where, needle: str, reach: int = 200) -> int:
    """The line, at or after the start of a block, on which ``needle`` was typed.

    A paragraph spans many lines of its file; pointing at the line of the citation itself
    saves the user a search. Falls back to the block's first line.
    """
    try:
        lines = _file_lines(where.file, Path(where.file).stat().st_mtime_ns)
    except OSError:
        return where.line
    for number in range(max(where.line, 1), min(where.line + reach, len(lines) + 1)):
        if needle in lines[number - 1]:
            return number
    return where.line


@lru_cache(maxsize=32)
def _file_lines(file: str, mtime_ns: int) -> list[str]:
    """A file's lines; the modification time is part of the key so edits are seen."""
    return Path(file).read_text(encoding="utf-8").splitlines()
