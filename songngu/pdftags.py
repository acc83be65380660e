"""Mend the structure tree WeasyPrint writes for a tagged PDF, so a screen reader can follow it.

WeasyPrint 70 tags each page on its own: every page reopens the chain of elements around its
first box (``Art`` → ``Sect`` → …), so a paragraph that crosses a page break becomes two ``P``
elements (once inside a word), a section becomes one ``Sect`` per page, and so on. It records
only the document's language, names each link by its internal target (``ref-vu2007``), leaves
out the ``IDTree`` that elements with an ``/ID`` need, and lists each attached file twice in the
catalog's ``/AF``. While the PDF is written (:func:`recording`), this module notes which HTML
element each structure element comes from and gives every element of another language its
``/Lang``; afterwards (:func:`mend`, in the finisher) it

- merges the elements of one HTML element continued across pages into one (their marked
  content from other pages referred to with marked-content references, the parent tree
  pointed at the merged element);
- names each link by what a reader sees (its ``aria-label``, or its text);
- adds the ``IDTree``;
- lists each attached file once in ``/AF``.

pyproject.toml pins WeasyPrint below 71: the hook wraps a private function of its tagger.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class Origins:
    """What the tagger built, element by element, while a PDF was written."""

    element: dict[int, tuple[int, str]] = field(default_factory=dict)
    """Object number of a structure element → (id of its HTML element, its structure type)."""
    link_text: dict[int, str] = field(default_factory=dict)
    """Object number of a link annotation → what a reader sees of the link."""
    layout: set[int] = field(default_factory=set)
    """Structure elements of HTML tables that only lay things out (``role="presentation"``)."""


@contextmanager
def recording(page_lang: str | None):
    """While a PDF is written: note each structure element's HTML element, and give /Lang to
    every element in another language than its parent or the page."""
    import pydyf
    from weasyprint.pdf import tags

    build = tags._build_box_tree
    langs = [page_lang]
    origins = Origins()

    def build_with_origins(box, parent, *args):
        style = getattr(box, "style", None)
        outer = langs[-1]
        lang = (style["lang"] if style is not None and box.element is not None else None) \
            or outer
        langs.append(lang)
        try:
            elements = list(build(box, parent, *args))
        finally:
            langs.pop()
        for element in elements:
            # Every element of another language says so, not only the outermost one: some
            # readers do not pass a language down through grouping elements (NonStruct).
            if lang != outer or lang != page_lang:
                element.setdefault("Lang", pydyf.String(lang))
            if box.element is not None:
                origins.element[element.number] = (id(box.element), str(element["S"]))
                if box.element.get("role") in ("presentation", "none"):
                    origins.layout.add(element.number)
        annotation = getattr(box, "link_annotation", None)
        if annotation is not None and box.element is not None:
            origins.link_text[annotation.number] = _link_text(box.element)
        yield from elements

    tags._build_box_tree = build_with_origins
    try:
        yield origins
    finally:
        tags._build_box_tree = build


def mend(pdf, origins: Origins) -> None:
    """Merge continued elements, name links, add the IDTree, list attachments once."""
    import pydyf

    _name_links(pdf, origins)
    _list_attachments_once(pdf)
    root_ref = pdf.catalog.get("StructTreeRoot")
    if root_ref is None:
        return
    objects = pdf.objects
    root = objects[_number(root_ref)]
    replaced: dict[bytes, bytes] = {}
    for kid in list(root["K"]):
        _merge_continued(objects[_number(kid)], objects, origins, replaced)
    for number in origins.layout:
        _as_layout(objects[number], objects)
    if replaced:
        parent_tree = objects[_number(root["ParentTree"])]
        nums = parent_tree["Nums"]
        for index in range(1, len(nums), 2):
            value = nums[index]
            if isinstance(value, pydyf.Array):
                for position, ref in enumerate(value):
                    value[position] = replaced.get(ref, ref)
            else:
                nums[index] = replaced.get(value, value)
    ids = sorted((_text(obj["ID"]), obj.reference) for obj in objects
                 if isinstance(obj, pydyf.Dictionary) and obj.get("Type") == "/StructElem"
                 and "ID" in obj)
    if ids:
        names = pydyf.Array()
        for key, reference in ids:
            names.extend([pydyf.String(key), reference])
        root["IDTree"] = pydyf.Dictionary({"Names": names})


def _merge_continued(element, objects, origins: Origins, replaced: dict[bytes, bytes]) -> None:
    """Merge each run of children of ``element`` that come from one HTML element on
    consecutive pages into the first of them, depth first."""
    import pydyf

    kids = element.get("K")
    if not isinstance(kids, pydyf.Array):
        return
    index = 0
    while index + 1 < len(kids):
        first = _struct(objects, kids[index])
        origin = origins.element.get(first.number) if first is not None else None
        # The next element from the same HTML element, past boxes of no element (a page's
        # footnote area sits between the page's last element and the next page's first).
        later = index + 1
        while later < len(kids) and (element := _struct(objects, kids[later])) is not None \
                and element.number not in origins.element:
            later += 1
        second = _struct(objects, kids[later]) if later < len(kids) else None
        if origin is not None and second is not None and \
                origins.element.get(second.number) == origin and \
                first.get("Pg") != second.get("Pg"):
            _absorb(first, second, objects)
            replaced[second.reference] = first.reference
            del kids[later]
            continue
        index += 1
    for kid in kids:
        child = _struct(objects, kid)
        if child is not None:
            _merge_continued(child, objects, origins, replaced)


_TABLE_PARTS = {"/Table", "/THead", "/TBody", "/TFoot", "/TR", "/TH", "/TD"}


def _as_layout(element, objects) -> None:
    """A table that only lays its content out is tagged as grouping (``Div``), not as data:
    a screen reader then reads its cells as text, not as a grid of values."""
    if str(element.get("S")) in _TABLE_PARTS:
        element["S"] = "/Div"
        for key in ("A", "ID"):
            element.pop(key, None)
    for kid in element.get("K", ()):
        child = _struct(objects, kid)
        if child is not None:
            _as_layout(child, objects)


def _absorb(first, second, objects) -> None:
    """Move ``second``'s content into ``first``: marked content of its page through
    marked-content references, child elements re-parented."""
    import pydyf

    for kid in second["K"]:
        if isinstance(kid, int):
            first["K"].append(pydyf.Dictionary({"Type": "/MCR", "Pg": second["Pg"],
                                                "MCID": kid}))
            continue
        child = _struct(objects, kid)
        if child is not None:
            child["P"] = first.reference
        first["K"].append(kid)


def _struct(objects, reference):
    """The structure element a kid refers to, or None for marked content and annotations."""
    import pydyf

    if isinstance(reference, (int, pydyf.Dictionary)):
        return None
    obj = objects[_number(reference)]
    return obj if isinstance(obj, pydyf.Dictionary) and obj.get("Type") == "/StructElem" \
        else None


def _name_links(pdf, origins: Origins) -> None:
    import pydyf

    for obj in pdf.objects:
        if isinstance(obj, pydyf.Dictionary) and obj.get("Subtype") == "/Link" and \
                obj.number in origins.link_text and origins.link_text[obj.number]:
            obj["Contents"] = pydyf.String(origins.link_text[obj.number])


def _list_attachments_once(pdf) -> None:
    import pydyf

    files = pdf.catalog.get("AF")
    if isinstance(files, pydyf.Array):
        pdf.catalog["AF"] = pydyf.Array(dict.fromkeys(files))


def _link_text(element) -> str:
    """What a reader sees of a link: its aria-label, else its text ("[1]" for a bare number)."""
    label = element.get("aria-label")
    if label:
        return " ".join(label.split())
    text = " ".join("".join(element.itertext()).split())
    return f"[{text}]" if text.isdigit() else text


def _number(reference) -> int:
    text = reference.decode() if isinstance(reference, bytes) else str(reference)
    return int(text.split()[0])


def _text(value) -> str:
    """The text of a pydyf string."""
    return getattr(value, "string", None) or str(value)
