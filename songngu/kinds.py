"""Declare each kind of body block once: what it holds, how it is numbered and linked.

block name → :class:`BlockKind`. The model checks a block against its entry (``value``; a
numbered kind that holds text takes a label, ``{#<xref>:id}``), the resolve stage numbers the
kinds that have a ``counter``, resolves ``[@<xref>:id]`` to them and makes each block a block
of the resolved tree by what it holds (``value``), with its number and its ``anchor``; the
renderers draw it with the template macro ``macro``, JATS writes it as ``jats``
(cross-referenced as ``ref_type``), and parity compares counterparts by ``parity``. Adding a
kind is an entry here, its macro in ``templates/<name>/blocks.html.j2``, its CSS and its
labels in the catalogs (``label`` is extracted from this file by ``pybabel extract``); the
README's "Adding a block kind" walks through one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .model import Block


def N_(message: str) -> str:
    """Mark a label for extraction into the catalogs (pybabel extract -k N_); the one marker,
    used by every module that names a label."""
    return message


@dataclass(frozen=True)
class BlockKind:
    name: str
    """The key a content file writes: ``- p: …``."""
    noun: str
    """How messages name it: "paragraph"."""
    value: str
    """``markup`` (inline text), ``items`` (a list of markup), ``id`` (the id of a table or
    figure of document.yaml) or ``latex`` (a display equation)."""
    counter: str = ""
    """The numbering it takes part in (``table``, ``figure``, ``equation``), if any."""
    xref: str = ""
    """The prefix that cross-references it: ``[@tbl:trade]``."""
    anchor: str = ""
    """The prefix of its id, which links point at: ``tbl-trade`` (a kind that
    cross-references name, by that name); a kind they do not name is anchored by its label,
    else its place (``sub-intro-2``)."""
    parity: str = "markup"
    """How counterparts are compared: ``markup`` (citations, numbers, footnotes), ``items``
    (item by item), ``same-id`` (the same table or figure placed) or ``same-latex``."""
    macro: str = ""
    """The template macro that draws it."""
    label: str = ""
    """How a cross-reference to it reads, a catalog message: "Table %(num)s"."""
    jats: str = ""
    """The JATS element a kind without a writer of its own in ``jats.BLOCKS`` is written as:
    its label, then its text as a paragraph (``<boxed-text><label>Box 1</label><p>…``)."""
    ref_type: str = ""
    """JATS ``xref/@ref-type`` of a cross-reference to it (``table``, ``fig``)."""

    @property
    def labelled(self) -> bool:
        """Whether its text ends with its own label, ``{#<xref>:id}``: a numbered kind that
        holds text rather than the id of a table or figure of document.yaml."""
        return bool(self.xref) and self.value != "id"

    def target(self, block: Block) -> str:
        """The name ``[@<xref>:name]`` gives a block of this kind (its label, or the id of
        the table or figure it places), or ``""``."""
        return block.label if self.labelled else block.text


KINDS: dict[str, BlockKind] = {kind.name: kind for kind in (
    BlockKind("p", "paragraph", "markup", macro="paragraph"),
    BlockKind("heading", "subheading", "markup", anchor="sub-", macro="subheading"),
    BlockKind("table", "table", "id", "table", "tbl", "tbl-", "same-id", "table",
              N_("Table %(num)s"), ref_type="table"),
    BlockKind("figure", "figure", "id", "figure", "fig", "fig-", "same-id", "figure",
              N_("Figure %(num)s"), ref_type="fig"),
    BlockKind("quote", "quotation", "markup", macro="quotation"),
    BlockKind("list", "list", "items", parity="items", macro="item_list"),
    BlockKind("ordered", "numbered list", "items", parity="items", macro="item_list"),
    BlockKind("equation", "equation", "latex", "equation", "eq", "eq-", "same-latex",
              "equation", N_("Eq. (%(num)s)"), ref_type="disp-formula"),
    BlockKind("box", "box", "markup", "box", "box", "box-", "markup", "box", N_("Box %(num)s"),
              jats="boxed-text", ref_type="boxed-text"),
)}

XREF_TARGETS: dict[str, str] = {"sec": "section"} | {
    kind.xref: kind.counter for kind in KINDS.values() if kind.xref}
"""``[@<prefix>:id]`` → the kind of target: ``tbl`` → ``table``; ``sec`` → ``section``."""

ANCHORS: dict[str, str] = {"section": "sec-"} | {
    kind.counter: kind.anchor for kind in KINDS.values() if kind.counter}
"""The HTML id prefix of each kind of cross-reference target."""

XREF_LABELS: dict[str, str] = {
    "section": N_("Section %(num)s"), "appendix": N_("Appendix %(num)s")} | {
    kind.counter: kind.label for kind in KINDS.values() if kind.counter}
"""How a cross-reference to each kind of target reads (a catalog message)."""
