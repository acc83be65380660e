"""Know how many pages a language's laid-out PDF has, for the outputs that print page ranges.

a rendered page + the build state → its page count, or None. The JATS file (``lpage``) and the
article page's ``citation_lastpage`` need the last printed page, which only laying out the PDF
tells. When the PDF is laid out, its page count is read back from the file (pypdf) and kept in
the build state (``<out>/.songngu-state.json``) with a digest of the page it was laid out
from; a later build that renders the very same page (so the same layout) takes the count from
there without laying it out again. A page that differs in anything gives no count: an outdated
number is never printed.

The page rendered for this purpose carries no page range itself (see
:func:`songngu.scholarly.facts`), so that the digest does not depend on the count it looks up.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .incremental import State


@dataclass(frozen=True)
class Pages:
    """The printed pages of an article: ``last`` is None when no laid-out PDF tells it."""

    first: int
    last: int | None = None


def layout_digest(html: str) -> str:
    """What the layout of a page depends on: the page itself (fonts and figures are inputs
    of the build key that decides whether it is laid out again)."""
    return hashlib.blake2b(html.encode("utf-8"), digest_size=20).hexdigest()


def _entry(doc_id: str, lang: str) -> str:
    return f"{doc_id}/{lang}#pages"


def known(state: State, doc_id: str, lang: str, digest: str) -> int | None:
    """The page count of the PDF laid out from the page of ``digest``, if one was."""
    entry = state.entries.get(_entry(doc_id, lang))
    if isinstance(entry, dict) and entry.get("layout") == digest \
            and isinstance(entry.get("pages"), int) and entry["pages"] > 0:
        return entry["pages"]
    return None


def remember(state: State, doc_id: str, lang: str, digest: str, pdf: Path,
             pages: int | None = None) -> int:
    """Keep the page count of a PDF just laid out in the state (saved with the state's next
    record): ``pages`` as its worker told (:class:`Counted`), else read from the file."""
    if pages is None:
        from pypdf import PdfReader

        pages = len(PdfReader(pdf).pages)
    state.entries[_entry(doc_id, lang)] = {"layout": digest, "pages": pages}
    return pages


def recorded(state: State, doc_id: str, lang: str, out: Path) -> int | None:
    """The page count the state keeps for the PDF of ``lang`` in ``out``, whatever page it was
    laid out from: for an output the state says is up to date (its PDF is the one counted)."""
    entry = state.entries.get(_entry(doc_id, lang))
    if isinstance(entry, dict) and isinstance(entry.get("pages"), int) and entry["pages"] > 0 \
            and (out / lang / f"{doc_id}.pdf").is_file():
        return entry["pages"]
    return None


@dataclass(frozen=True)
class Counted:
    """A worker's word that the PDF ``target`` is laid out with ``pages`` pages, sent before
    the file is written: the page count is known a little earlier, and never read back from
    the file. (A report item: the build keeps it rather than printing it.)"""

    target: str
    pages: int
