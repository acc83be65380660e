"""Read one language's file into its Text, checked against the shared data.

``<lang>.yaml`` (loaded) + the :class:`Document` built from document.yaml → :class:`Text`:
title, names of the authors and affiliations, abstract, keywords, sections and their blocks
(each kind as :mod:`songngu.kinds` declares it, labels such as ``{#eq:energy}``), captions of
tables and figures, footnotes. Checked on the way: every author and affiliation named, every
placed table and figure known to document.yaml and captioned in this language, each placed
once, no label used twice. Every problem is reported with file and line.
"""

from __future__ import annotations

import re
from typing import Any

from .checker import Checker
from .errors import Problems
from .fields import FIGURE_TEXT_FIELDS, SECTION_FIELDS, TEXT_FIELDS
from .kinds import KINDS
from .load import Loaded
from .model import BLOCK_KINDS, Block, Document, FigureText, Section, Text, Where
from .outline import iter_blocks
from .table_data import read_table_texts
from .wording import describe, not_listed, plural, unknown

LABEL = re.compile(r"\s*\{#([a-z]+:)?([a-z0-9][a-z0-9_-]*)\}\s*$")
"""A label written after a heading or an equation: ``{#trade}``, ``{#eq:energy}``."""
DISPLAY_MATH = re.compile(r"^\s*\$\$.+\$\$\s*(\{#[^}]*\})?\s*$", re.S)
_KIND_ALIASES = {"para": "p", "paragraph": "p", "text": "p", "h": "heading",
                 "subheading": "heading", "blockquote": "quote", "quotation": "quote",
                 "ul": "list", "bullets": "list", "items": "list", "ol": "ordered",
                 "numbered": "ordered", "image": "figure", "img": "figure", "picture": "figure"}
"""Names people reach for that difflib does not find close to the real kind."""


def build_text(lang: str, loaded: Loaded, doc: Document, problems: Problems) -> Text:
    """Build one language's Text, checking it against the shared data of ``doc``."""
    check = Checker(loaded, problems)
    data = check.mapping((), loaded.data, TEXT_FIELDS, "")
    if data is None or not loaded.data:
        return Text(lang=lang, file=loaded.file, title="", authors={}, affiliations={},
                    abstract="", keywords=[], sections=[])
    authors = _named(check, "authors", data.get("authors", {}))
    affiliations = _named(check, "affiliations", data.get("affiliations", {}))
    if "authors" not in doc.unreadable:
        _check_names(check, data, doc)

    keywords = [k for i, k in enumerate(data.get("keywords", []))
                if check.text(("keywords", i), k, f"keywords, item {i + 1}")]
    seen: dict[str, Where] = {}
    sections = [sec for i, item in enumerate(data.get("sections", []))
                if (sec := _section(check, ("sections", i), item, 1, seen))]
    if "sections" in data and not data["sections"]:
        check.error(("sections",), "sections: expected at least one section, found none")
    text = Text(
        lang=lang, file=loaded.file, title=data.get("title", "").strip(), authors=authors,
        affiliations=affiliations, abstract=data.get("abstract", "").strip(),
        keywords=[str(k).strip() for k in keywords], sections=sections,
        tables=read_table_texts(check, data.get("tables", {}), doc, lang),
        figures=_figure_texts(check, data.get("figures", {}), doc),
        journal_name=data.get("journal", ""), funding=data.get("funding", "").strip(),
        footnotes=_named(check, "footnotes", data.get("footnotes", {})),
        where={k: check.key_where((k,)) for k in data} | {
            f"{name}/{key}": check.key_where((name, key))
            for name in ("authors", "affiliations", "footnotes") for key in data.get(name, {})},
    )
    _check_placements(check, text, doc, data)
    return text


def _check_names(check: Checker, data: dict, doc: Document) -> None:
    """Every author and affiliation of document.yaml is named, and only those."""
    written = {str(key) for key in data.get("authors", {})}
    known_authors = {a.id for a in doc.authors}
    for author in doc.authors:
        if author.id not in written and "authors" in data:
            check.error(("authors",), f"authors: expected the name of author {author.id!r} "
                                      f"(listed in document.yaml), found none", key=True)
    for key in data.get("authors", {}):
        if str(key) not in known_authors:
            check.error(("authors", key),
                        f"authors: {not_listed(key, known_authors, 'author')}", key=True)
    named = {str(key) for key in data.get("affiliations", {})}
    needed = {aff for author in doc.authors for aff in author.affiliations}
    for aff in sorted(needed - named):
        check.error(("affiliations",), f"affiliations: expected the name of affiliation "
                                       f"{aff!r} (used in document.yaml), found none", key=True)


def _named(check: Checker, name: str, value: dict) -> dict[str, str]:
    names = {}
    for key, item in value.items():
        text = check.text((name, key), item, f"{name}: {key!r}")
        if text:
            names[str(key)] = text
    return names


def _section(check: Checker, path: tuple, value: Any, level: int,
             seen: dict[str, Where], parent: str = "") -> Section | None:
    position = f"subsection {path[-1] + 1} of {parent}" if parent else \
        f"section {path[-1] + 1}"
    fields = check.mapping(path, value, SECTION_FIELDS, position)
    if fields is None or "id" not in fields:
        return None
    section_id = check.ident(path + ("id",), fields["id"], position, seen)
    if section_id is None:
        return None
    what = f"section {section_id!r}"
    ids: dict[str, Where] = {}
    blocks = [block for i, item in enumerate(fields.get("blocks", []))
              if (block := _block(check, path + ("blocks", i), item, f"{section_id}/{i + 1}",
                                  f"{what}, block {i + 1}", ids))]
    subsections = [sub for i, item in enumerate(fields.get("sections", []))
                   if (sub := _section(check, path + ("sections", i), item, level + 1, seen,
                                       what))]
    appendix = fields.get("appendix", False)
    if appendix and level > 1:
        check.error(path + ("appendix",), f"{what}: only a top-level section can be an appendix "
                                          f"(its subsections are numbered A.1, A.2)")
        appendix = False
    return Section(section_id, fields.get("title", "").strip(), blocks, subsections,
                   check.where(path), level=level, numbered=fields.get("numbered", True),
                   appendix=appendix)


def _block(check: Checker, path: tuple, value: Any, key: str, what: str,
           ids: dict[str, Where]) -> Block | None:
    block_id = ""
    if isinstance(value, dict) and "id" in value and len(value) == 2:
        own_id = _block_id(check, path + ("id",), value["id"], what, ids)
        if own_id is None:
            return None
        block_id = own_id
        value = {k: v for k, v in value.items() if k != "id"}
        key = f"{key.rpartition('/')[0]}/{block_id}"
    if not isinstance(value, dict) or len(value) != 1:
        found = f"the keys {', '.join(map(repr, value))}" if isinstance(value, dict) and value \
            else describe(value)
        check.error(path, f"{what}: expected one of {', '.join(BLOCK_KINDS)} "
                          f"(e.g. '- p: text'), found {found}")
        return None
    kind, item = next(iter(value.items()))
    if kind not in BLOCK_KINDS:
        message, _ = unknown(kind, BLOCK_KINDS, "kind", _KIND_ALIASES)
        check.error(path, f"{what}: {message}")
        return None
    if kind == "p" and isinstance(item, str) and DISPLAY_MATH.match(item):
        kind = "equation"  # a paragraph that is only $$…$$ is a display equation
    where = check.where(path)
    if KINDS[kind].value == "items":
        if not isinstance(item, list) or not item:
            check.error(path + (kind,), f"{what}: expected a list of at least one item, "
                                        f"found {describe(item)}")
            return None
        for i, x in enumerate(item):
            if isinstance(x, list):  # said here, not as text that was expected
                check.error(path + (kind, i), f"{what}, item {i + 1}: expected text, found a "
                            f"list inside the list: a list item holds text, and lists do not "
                            f"nest; write the inner items as a list block of their own after "
                            f"this one, or as one item's text")
        items = [t for i, x in enumerate(item) if not isinstance(x, list)
                 and (t := check.text(path + (kind, i), x, f"{what}, item {i + 1}"))]
        return Block(kind, items=items, where=where, key=key, id=block_id) \
            if len(items) == len(item) else None
    text = check.text(path + (kind,), item, f"{what} ({kind})")
    if not text:
        return None
    label = ""
    if KINDS[kind].labelled or kind == "heading":
        text, label = _label(check, path + (kind,), text, what, kind)
        if kind == "equation":
            text = text.strip()
            if text.startswith("$$") and text.endswith("$$") and len(text) >= 4:
                text = text[2:-2].strip()
            if not text:
                check.error(path + (kind,), f"{what}: expected the LaTeX of the equation, "
                                            f"such as '$$E = mc^2$$ {{#eq:energy}}', found none")
                return None
    return Block(kind, text=text, where=where, key=key, id=block_id, label=label)


def _label(check: Checker, path: tuple, text: str, what: str, kind: str) -> tuple[str, str]:
    """Split ``text {#prefix:label}`` into the text and the label."""
    match = LABEL.search(text)
    if not match:
        return text, ""
    prefix = (match.group(1) or "").rstrip(":")
    wanted = KINDS[kind].xref
    if prefix != wanted:
        example = f"{{#{wanted}:id}}" if wanted else "{#id}"
        check.error(path, f"{what}: expected a label written {example}, found "
                          f"{match.group(0).strip()!r}")
    return text[:match.start()].rstrip(), match.group(2)


def _block_id(check: Checker, path: tuple, value: Any, what: str,
              ids: dict[str, Where]) -> str | None:
    """A block's own id: a name, not a number (numbers are positions) nor 'title'."""
    if isinstance(value, str) and (value.isdigit() or value == "title"):
        check.error(path, f"{what}: expected a block id that is a name such as 'trade-growth', "
                          f"found {value!r} (numbers and 'title' name positions and titles)")
        return None
    return check.ident(path, value, what, ids)


def _figure_texts(check: Checker, value: dict, doc: Document) -> dict[str, FigureText]:
    texts = {}
    for fig_id, item in value.items():
        path = ("figures", fig_id)
        if fig_id not in doc.figures:
            if "figures" not in doc.unreadable:
                check.error(path, f"figures: {not_listed(fig_id, doc.figures, 'figure')}",
                            key=True)
            continue
        fields = check.mapping(path, item, FIGURE_TEXT_FIELDS, f"figure {fig_id!r}")
        if not fields or "caption" not in fields:
            continue
        parts = [check.text(path + ("parts", i), part, f"figure {fig_id!r}, part {i + 1}")
                 for i, part in enumerate(fields.get("parts", []))]
        expected = len(doc.figures[fig_id].parts)
        if len(parts) != expected and "figures" not in doc.unreadable:
            check.error(path + ("parts",) if parts else path,
                        f"figure {fig_id!r}: expected a caption for each of its "
                        f"{plural(expected, 'subfigure')} under 'parts:', found {len(parts)}",
                        key=not parts)
            continue
        texts[fig_id] = FigureText(fields["caption"].strip(), fields.get("alt", ""),
                                   check.key_where(path), [p for p in parts if p],
                                   fields.get("source", "").strip())
    return texts


def _check_placements(check: Checker, text: Text, doc: Document, data: dict) -> None:
    """Every placed table/figure exists and has this language's text; each is placed once.

    A table whose caption block has its own error is not blamed again for lacking one.
    """
    placed: dict[str, Where] = {}
    labels: dict[str, Where] = {}
    for block in iter_blocks(text.sections):
        where = block.where
        if block.label:
            name = f"{block.kind}:{block.label}"
            if name in labels:
                check.problems.error(check.loaded.file, where.line,
                                     f"{block.kind}: duplicate label {block.label!r} (first "
                                     f"used at line {labels[name].line})")
            labels[name] = where
        if block.kind not in ("table", "figure"):
            continue
        known = doc.tables if block.kind == "table" else doc.figures
        texts = text.tables if block.kind == "table" else text.figures
        written = data.get(f"{block.kind}s", {})
        line = where.line
        if block.text not in known:
            if f"{block.kind}s" not in doc.unreadable:
                message, _ = unknown(block.text, list(known), block.kind)
                check.problems.error(check.loaded.file, line, f"{block.kind}: {message}")
        elif block.text not in texts and block.text not in written:
            check.problems.error(check.loaded.file, line,
                                 f"{block.kind}: {block.kind} {block.text!r} has no caption in "
                                 f"this language (add it under '{block.kind}s:')")
        elif block.text in placed:
            check.problems.error(check.loaded.file, line,
                                 f"{block.kind}: {block.text!r} is placed twice "
                                 f"(first at line {placed[block.text].line})")
        else:
            placed[block.text] = where
