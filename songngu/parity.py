"""Check that the languages of a document say the same thing.

typed Document → findings. For the source language and each translation: the same sections in
the same order, the same number of keywords, the same tables captioned and annotated; and, for
each unit and its counterpart (paired by :mod:`songngu.align`, compared by
:func:`unit_differences`), the same kind, the same sources and cross-references cited and the
same numbers once each language's number formatting is undone (``214.4`` ↔ ``214,4``; month
names, ordinals and Roman numerals count as the numbers they stand for). Findings name both
files and lines; they are warnings, or errors with ``--strict``.
"""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal, InvalidOperation
from functools import cache

from babel.dates import get_month_names
from babel.numbers import get_decimal_symbol, get_group_symbol

from .errors import Problem, Problems, display_path
from .inline import InlineSyntaxError, Span, notes_in, parse_inline, plain_text, walk
from .kinds import KINDS
from .model import BLOCK_NAMES, Document, Section, Text, Where

NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
ROMAN = re.compile(r"\b[IVXL]{2,}\b")
ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50}


def check_parity(doc: Document, strict: bool = False) -> list[Problem]:
    """Structural disagreements between the source language of ``doc`` and each other one:
    sections, the number of keywords, tables captioned or annotated in one language only.

    What each pair of counterparts says (citations, numbers, kinds, list items) is compared by
    :func:`unit_differences`, which :mod:`songngu.sync` calls for every aligned pair so that
    a block is reported once, with everything wrong about it.
    """
    found = Problems()
    report = found.error if strict else found.warning
    source = doc.source_language or doc.languages[0]
    if source not in doc.texts:
        return []
    for other in doc.languages:
        if other != source and other in doc.texts:
            _compare(doc.texts[source], doc.texts[other], report)
    return found.items


def numbers_in(spans: list[Span], lang: str) -> Counter:
    """The numbers a reader sees in a piece of text, as language-neutral values."""
    text = plain_text(spans)
    values: Counter = Counter()
    for token in NUMBER.findall(text):
        values[_number_value(token, lang)] += 1
    for token in ROMAN.findall(text):
        if (value := _roman_value(token)) is not None:
            values[Decimal(value)] += 1
    names, pattern = _month_pattern(lang)
    for name in pattern.findall(text) if names else ():
        values[Decimal(names[name])] += 1
    return values


Features = tuple[Counter, Counter, Counter]
"""The citations and cross-references of a piece of markup, its numbers, and its footnotes:
``"footnotes"`` counts them, ``(i, n)`` is the number n stated in footnote i. All Counters, so
that alignment compares them alike (what two units share: ``a & b``)."""


def features(markup: str, lang: str, footnotes: dict[str, str] | None = None) -> Features:
    """The citations and cross-references, the numbers, and the footnotes' numbers of a piece
    of markup (``footnotes``: the texts of its language's ``[^label]`` notes)."""
    try:
        spans = parse_inline(markup or "", footnotes or {})
    except InlineSyntaxError:
        return Counter(), Counter(), Counter()
    notes: Counter = Counter()
    for i, note in enumerate(notes_in(spans), 1):
        notes["footnotes"] += 1
        for value, count in numbers_in(note.children, lang).items():
            notes[(i, value)] += count
    return _references(spans), numbers_in(spans, lang), notes


def unit_differences(lang_a: str, lang_b: str, kind_a: str, kind_b: str, text_a: str,
                     text_b: str, features_a: Features | None = None,
                     features_b: Features | None = None) -> list[str]:
    """What a translation says differently from its source, as phrases for one message:
    "cites differently: only in en: [@vu2007]; only in vi: nothing". The citations and
    numbers of each text (:func:`features`) may be given when they are known already."""
    if kind_a != kind_b:
        return [f"is a {BLOCK_NAMES.get(kind_a, kind_a)} in {lang_a} but a "
                f"{BLOCK_NAMES.get(kind_b, kind_b)} in {lang_b}"]
    rule = KINDS[kind_a].parity if kind_a in KINDS else "markup"
    if rule == "same-latex":
        return [] if re.findall(r"\d+(?:\.\d+)?", text_a) == \
            re.findall(r"\d+(?:\.\d+)?", text_b) else [
            f"has other numbers in {lang_a} ({text_a!r}) than in {lang_b} ({text_b!r})"]
    if rule == "same-id":
        return [] if text_a == text_b else [
            f"places {text_a!r} in {lang_a} but {text_b!r} in {lang_b}"]
    found = []
    if rule == "items":
        items_a, items_b = text_a.split("\n"), text_b.split("\n")
        if len(items_a) != len(items_b):
            found.append(f"has {len(items_a)} items in {lang_a}, {len(items_b)} in {lang_b}")
    cites_a, nums_a, notes_a = features_a or features(text_a, lang_a)
    cites_b, nums_b, notes_b = features_b or features(text_b, lang_b)
    if cites_a != cites_b:
        found.append(f"cites differently: only in {lang_a}: "
                     f"{', '.join(sorted((cites_a - cites_b).elements())) or 'nothing'}; only in "
                     f"{lang_b}: {', '.join(sorted((cites_b - cites_a).elements())) or 'nothing'}")
    count_a, count_b = notes_a["footnotes"], notes_b["footnotes"]
    if count_a != count_b:
        found.append(f"has {count_a} footnote{'s' * (count_a != 1)} in {lang_a}, "
                     f"{count_b} in {lang_b}")
    else:
        differ = sorted({key[0] for key in (notes_a - notes_b) + (notes_b - notes_a)
                         if isinstance(key, tuple)})
        found += [f"states different numbers in its footnote {i} in {lang_a} and {lang_b}"
                  for i in differ]
    if nums_a != nums_b:
        found.append(f"states different numbers: only in {lang_a}: "
                     f"{', '.join(map(_show, sorted((nums_a - nums_b).elements()))) or 'nothing'}"
                     f"; only in {lang_b}: "
                     f"{', '.join(map(_show, sorted((nums_b - nums_a).elements()))) or 'nothing'}")
    return found


PRESENCE_COMPARED = frozenset({"funding"})
"""Fields of the front matter whose presence in one language only is a parity finding."""


def _compare(a: Text, b: Text, report) -> None:
    def both(where_a: Where | None, where_b: Where | None, message: str) -> None:
        wa = where_a or Where(display_path(a.file), 0)
        wb = where_b or Where(display_path(b.file), 0)
        report(wa.file, wa.line, f"parity: {message} (counterpart: {wb})")

    if len(a.keywords) != len(b.keywords):
        both(a.where.get("keywords"), b.where.get("keywords"),
             f"{len(a.keywords)} keywords in {a.lang}, {len(b.keywords)} in {b.lang}")
    if bool(a.funding) != bool(b.funding):
        both(a.where.get("funding"), b.where.get("funding"),
             f"funding is stated in {a.lang if a.funding else b.lang} only")
    _compare_sections(a, b, a.sections, b.sections, both, "the document")
    for figure_id in sorted(set(a.figures) & set(b.figures)):
        fa, fb = a.figures[figure_id], b.figures[figure_id]
        for part, (pa, pb) in [("source", (fa.source, fb.source))] + \
                [(f"subfigure caption {i}", pair)
                 for i, pair in enumerate(zip(fa.parts, fb.parts), 1)]:
            if bool(pa) != bool(pb):
                both(fa.where, fb.where, f"figure {figure_id!r} has a {part} in "
                                         f"{a.lang if pa else b.lang} only")
    for table_id in sorted(set(a.tables) ^ set(b.tables)):
        has, lacks = (a, b) if table_id in a.tables else (b, a)
        where_has = has.tables[table_id].where
        where_lacks = lacks.where.get("tables") or Where(display_path(lacks.file), 0)
        first, second = (where_has, where_lacks) if has is a else (where_lacks, where_has)
        both(first, second, f"table {table_id!r} has a caption in {has.lang} but none in "
                            f"{lacks.lang}")
    for table_id in sorted(set(a.tables) & set(b.tables)):
        ta, tb = a.tables[table_id], b.tables[table_id]
        if bool(ta.note) != bool(tb.note):
            both(ta.where, tb.where, f"table {table_id!r} has a note in "
                                     f"{a.lang if ta.note else b.lang} only")


def _compare_sections(a: Text, b: Text, sa: list[Section], sb: list[Section], both,
                      parent: str) -> None:
    ids_a, ids_b = [s.id for s in sa], [s.id for s in sb]
    if ids_a != ids_b:
        i = _first_difference(ids_a, ids_b)
        where_a = sa[min(i, len(sa) - 1)].where if sa else None
        where_b = sb[min(i, len(sb) - 1)].where if sb else None
        both(where_a, where_b, f"sections of {parent} differ from section {i + 1} on: "
                               f"{a.lang} has {', '.join(ids_a) or 'none'}; {b.lang} has "
                               f"{', '.join(ids_b) or 'none'}")
        return
    for x, y in zip(sa, sb):
        if (x.numbered, x.appendix) != (y.numbered, y.appendix):
            both(x.where, y.where, f"section {x.id!r} is numbered differently in {a.lang} and "
                                   f"{b.lang} ('numbered' and 'appendix' must agree)")
        _compare_sections(a, b, x.sections, y.sections, both, f"section {x.id!r}")


def _first_difference(xs: list, ys: list) -> int:
    for i, (x, y) in enumerate(zip(xs, ys)):
        if x != y:
            return i
    return min(len(xs), len(ys))


def _references(spans: list[Span]) -> Counter:
    found: Counter = Counter()
    for span in walk(spans):
        if span.kind == "cite":
            for item in span.cites:
                pin = f", {item.label} {item.locator}" if item.locator else ""
                found[f"[@{item.key}{pin}]"] += 1
        elif span.kind == "xref":
            found[span.target] += 1
    return found


def _show(value: Decimal) -> str:
    return format(value, "f")


def _number_value(token: str, lang: str) -> Decimal:
    """Undo a language's number formatting: ``14.324,5`` (vi) and ``14,324.5`` (en) → 14324.5."""
    decimal, group = _separators(lang)
    parts = re.split(r"([.,])", token)
    digits = parts[0]
    for sep, chunk in zip(parts[1::2], parts[2::2]):
        if sep == group and len(chunk) == 3 and sep != decimal:
            digits += chunk
        else:  # the decimal mark, or a separator that cannot be grouping
            digits += "." + chunk if "." not in digits else chunk
    try:
        return Decimal(digits).normalize()
    except InvalidOperation:  # pragma: no cover - the pattern only admits digits
        return Decimal(0)


@cache
def _separators(lang: str) -> tuple[str, str]:
    return get_decimal_symbol(lang), get_group_symbol(lang)


@cache
def _month_pattern(lang: str) -> tuple[dict[str, int], re.Pattern]:
    """The month names of a language and one pattern that finds any of them, longest first."""
    names = _month_names(lang)
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return names, re.compile(rf"\b(?:{alternatives})\b")


SPELLED_MONTHS: dict[str, dict[str, int]] = {
    "vi": {f"tháng {word}": number for word, number in (
        ("Giêng", 1), ("Hai", 2), ("Ba", 3), ("Tư", 4), ("Năm", 5), ("Sáu", 6), ("Bảy", 7),
        ("Tám", 8), ("Chín", 9), ("Mười", 10), ("Mười Một", 11), ("Mười một", 11),
        ("Mười Hai", 12), ("Mười hai", 12), ("Chạp", 12))},
}
"""Months written in words where Babel knows only figures: Vietnamese prose writes "tháng 2"
and, as often, "tháng Hai" (the month's word capitalised: "tháng năm" is "months and years")."""


@cache
def _month_names(lang: str) -> dict[str, int]:
    """Month names that carry no digits of their own ("March"), capitalised as in prose."""
    names = {}
    for width in ("wide", "abbreviated"):
        for number, name in get_month_names(width, locale=lang).items():
            name = name.strip(".")
            if not any(ch.isdigit() for ch in name) and len(name) > 2:
                names[name[:1].upper() + name[1:]] = number
    for name, number in SPELLED_MONTHS.get(lang, {}).items():
        names[name] = names[name[:1].upper() + name[1:]] = number
    return names


def _roman_value(token: str) -> int | None:
    total, previous = 0, 0
    for ch in reversed(token):
        value = ROMAN_VALUES[ch]
        total += -value if value < previous else value
        previous = max(previous, value)
    return total if _to_roman(total) == token else None


def _to_roman(value: int) -> str:
    out = []
    for number, letters in ((50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"),
                            (1, "I")):
        while value >= number:
            out.append(letters)
            value -= number
    return "".join(out)
