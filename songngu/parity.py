"""Check that the languages of a document say the same thing.

typed Document → findings. For every pair of languages: the same sections in the same order,
the same kinds of block in each section, the same number of keywords; each paragraph cites the
same sources and cross-references as its counterpart and states the same numbers once each
language's number formatting is undone (``214.4`` ↔ ``214,4``; month names, ordinals and Roman
numerals count as the numbers they stand for). Findings name both files and lines; they are
warnings, or errors with ``--strict``.
"""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from babel.dates import get_month_names
from babel.numbers import get_decimal_symbol, get_group_symbol

from .errors import Problem, Problems, display_path
from .inline import InlineSyntaxError, Span, notes_in, parse_inline, plain_text, walk
from .kinds import KINDS
from .model import Document, Section, Text, Where, block_name

NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
ROMAN = re.compile(r"\b[IVXL]{2,}\b")
ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50}


def check_parity(doc: Document, strict: bool = False) -> list[Problem]:
    """All disagreements between the first language of ``doc`` and each other language."""
    found = Problems()
    report = found.error if strict else found.warning
    langs = [lang for lang in doc.languages if lang in doc.texts]
    for other in langs[1:]:
        _compare(doc.texts[langs[0]], doc.texts[other], report)
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


def _compare(a: Text, b: Text, report) -> None:
    def both(where_a: Where | None, where_b: Where | None, message: str) -> None:
        wa = where_a or Where(display_path(a.file), 0)
        wb = where_b or Where(display_path(b.file), 0)
        report(wa.file, wa.line, f"parity: {message} (counterpart: {wb})")

    if len(a.keywords) != len(b.keywords):
        both(a.where.get("keywords"), b.where.get("keywords"),
             f"{len(a.keywords)} keywords in {a.lang}, {len(b.keywords)} in {b.lang}")
    else:
        for i, (ka, kb) in enumerate(zip(a.keywords, b.keywords), 1):
            _compare_markup(a, b, ka, kb, a.where.get("keywords"), b.where.get("keywords"),
                            f"keyword {i}", both)
    _compare_markup(a, b, a.title, b.title, a.where.get("title"), b.where.get("title"),
                    "title", both)
    _compare_markup(a, b, a.abstract, b.abstract, a.where.get("abstract"),
                    b.where.get("abstract"), "abstract", both)
    if bool(a.funding) != bool(b.funding):
        both(a.where.get("funding"), b.where.get("funding"),
             f"funding is stated in {a.lang if a.funding else b.lang} only")
    _compare_markup(a, b, a.funding, b.funding, a.where.get("funding"), b.where.get("funding"),
                    "funding", both)
    _compare_sections(a, b, a.sections, b.sections, both, "the document")
    _compare_tables(a, b, both)
    for figure_id in sorted(set(a.figures) & set(b.figures)):
        fa, fb = a.figures[figure_id], b.figures[figure_id]
        for part, (pa, pb) in [("caption", (fa.caption, fb.caption)),
                               ("source", (fa.source, fb.source))] + \
                [(f"subfigure {i}", pair) for i, pair in enumerate(zip(fa.parts, fb.parts), 1)]:
            if bool(pa) != bool(pb):
                both(fa.where, fb.where, f"figure {figure_id!r} has a {part} in "
                                         f"{a.lang if pa else b.lang} only")
            _compare_markup(a, b, pa, pb, fa.where, fb.where,
                            f"{part} of figure {figure_id!r}", both)


def _compare_tables(a: Text, b: Text, both) -> None:
    """Captions, headers and notes: the numbers themselves are stored once, so only what is
    translated can drift; and a table captioned in one language must be in the other."""
    for table_id in sorted(set(a.tables) ^ set(b.tables)):
        has, lacks = (a, b) if table_id in a.tables else (b, a)
        where_has = has.tables[table_id].where
        where_lacks = lacks.where.get("tables") or Where(display_path(lacks.file), 0)
        first, second = (where_has, where_lacks) if has is a else (where_lacks, where_has)
        both(first, second, f"table {table_id!r} has a caption in {has.lang} but none in "
                            f"{lacks.lang}")
    for table_id in sorted(set(a.tables) & set(b.tables)):
        ta, tb = a.tables[table_id], b.tables[table_id]
        _compare_markup(a, b, ta.caption, tb.caption, ta.where, tb.where,
                        f"caption of table {table_id!r}", both)
        for c, (ha, hb) in enumerate(zip(ta.columns, tb.columns), 1):
            _compare_markup(a, b, ha, hb, ta.where, tb.where,
                            f"header {c} of table {table_id!r}", both)
        if bool(ta.note) != bool(tb.note):
            both(ta.where, tb.where, f"table {table_id!r} has a note in "
                                     f"{a.lang if ta.note else b.lang} only")
        _compare_markup(a, b, ta.note, tb.note, ta.where, tb.where,
                        f"note of table {table_id!r}", both)
        for r, (ra, rb) in enumerate(zip(ta.rows, tb.rows), 1):
            for ca, cb in zip(ra, rb):
                _compare_markup(a, b, ca, cb, ta.where, tb.where,
                                f"row {r} of table {table_id!r}", both)


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
        _compare_markup(a, b, x.title, y.title, x.where, y.where,
                        f"title of section {x.id!r}", both)
        if (x.numbered, x.appendix) != (y.numbered, y.appendix):
            both(x.where, y.where, f"section {x.id!r} is numbered differently in {a.lang} and "
                                   f"{b.lang} ('numbered' and 'appendix' must agree)")
        kinds_a, kinds_b = [k.kind for k in x.blocks], [k.kind for k in y.blocks]
        if kinds_a != kinds_b:
            i = _first_difference(kinds_a, kinds_b)
            where_a = x.blocks[i].where if i < len(x.blocks) else x.where
            where_b = y.blocks[i].where if i < len(y.blocks) else y.where
            both(where_a, where_b, f"section {x.id!r} has blocks {' '.join(kinds_a) or 'none'} "
                                   f"in {a.lang} but {' '.join(kinds_b) or 'none'} in {b.lang} "
                                   f"(first difference: block {i + 1})")
        else:
            for p, q in zip(x.blocks, y.blocks):
                _compare_block(a, b, p, q, block_name(p, x), both)
        _compare_sections(a, b, x.sections, y.sections, both, f"section {x.id!r}")


def _compare_block(a: Text, b: Text, p, q, what: str, both) -> None:
    rule = KINDS[p.kind].parity
    if rule == "same-id":
        if p.text != q.text:
            both(p.where, q.where, f"{what} places {p.text!r} in {a.lang} but {q.text!r} in "
                                   f"{b.lang}")
    elif rule == "same-latex":
        if p.id != q.id:
            both(p.where, q.where, f"{what} is labelled {p.id or 'nothing'!r} in {a.lang} but "
                                   f"{q.id or 'nothing'!r} in {b.lang}")
        if _numbers_of_latex(p.text) != _numbers_of_latex(q.text):
            both(p.where, q.where, f"{what} has other numbers in {a.lang} ({p.text!r}) than "
                                   f"in {b.lang} ({q.text!r})")
    elif rule == "items":
        if len(p.items) != len(q.items):
            both(p.where, q.where, f"{what} has {len(p.items)} items in {a.lang}, "
                                   f"{len(q.items)} in {b.lang}")
        for j, (m, n) in enumerate(zip(p.items, q.items), 1):
            _compare_markup(a, b, m, n, p.where, q.where, f"item {j} of {what}", both)
    else:
        _compare_markup(a, b, p.text, q.text, p.where, q.where, what, both)


def _numbers_of_latex(latex: str) -> list[str]:
    """The digits of a formula: a translated ``\\text{…}`` may differ, its numbers may not."""
    return re.findall(r"\d+(?:\.\d+)?", latex)


def _first_difference(xs: list, ys: list) -> int:
    for i, (x, y) in enumerate(zip(xs, ys)):
        if x != y:
            return i
    return min(len(xs), len(ys))


def _compare_markup(a: Text, b: Text, ma: str, mb: str, wa, wb, what: str, both) -> None:
    try:
        spans_a = parse_inline(ma or "", a.footnotes)
        spans_b = parse_inline(mb or "", b.footnotes)
    except InlineSyntaxError:
        return  # reported with its line by the resolve stage
    cites_a, cites_b = _references(spans_a), _references(spans_b)
    if cites_a != cites_b:
        only_a = sorted((cites_a - cites_b).elements())
        only_b = sorted((cites_b - cites_a).elements())
        both(wa, wb, f"{what} cites differently: only in {a.lang}: "
                     f"{', '.join(only_a) or 'nothing'}; only in {b.lang}: "
                     f"{', '.join(only_b) or 'nothing'}")
    notes_a, notes_b = notes_in(spans_a), notes_in(spans_b)
    if len(notes_a) != len(notes_b):
        both(wa, wb, f"{what} has {len(notes_a)} footnote{'s' * (len(notes_a) != 1)} in "
                     f"{a.lang}, {len(notes_b)} in {b.lang}")
    else:
        for i, (na, nb) in enumerate(zip(notes_a, notes_b), 1):
            if numbers_in(na.children, a.lang) != numbers_in(nb.children, b.lang):
                both(wa, wb, f"footnote {i} of {what} states different numbers in {a.lang} "
                             f"and {b.lang}")
    nums_a, nums_b = numbers_in(spans_a, a.lang), numbers_in(spans_b, b.lang)
    if nums_a != nums_b:
        only_a = sorted((nums_a - nums_b).elements())
        only_b = sorted((nums_b - nums_a).elements())
        both(wa, wb, f"{what} states different numbers: only in {a.lang}: "
                     f"{', '.join(map(_show, only_a)) or 'nothing'}; only in {b.lang}: "
                     f"{', '.join(map(_show, only_b)) or 'nothing'}")


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


@lru_cache(maxsize=None)
def _separators(lang: str) -> tuple[str, str]:
    return get_decimal_symbol(lang), get_group_symbol(lang)


@lru_cache(maxsize=None)
def _month_pattern(lang: str) -> tuple[dict[str, int], re.Pattern]:
    """The month names of a language and one pattern that finds any of them, longest first."""
    names = _month_names(lang)
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return names, re.compile(rf"\b(?:{alternatives})\b")


@lru_cache(maxsize=None)
def _month_names(lang: str) -> dict[str, int]:
    """Month names that carry no digits of their own ("March"), capitalised as in prose."""
    names = {}
    for width in ("wide", "abbreviated"):
        for number, name in get_month_names(width, locale=lang).items():
            name = name.strip(".")
            if not any(ch.isdigit() for ch in name) and len(name) > 2:
                names[name[:1].upper() + name[1:]] = number
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
