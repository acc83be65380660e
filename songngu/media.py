"""Check a figure's image before anything lays it out.

an image file (PNG, JPEG, SVG) → None, or why it cannot be used. A raster image's size is read
from its header first, so that a small file declaring billions of pixels is refused before a
single pixel is decoded; then the whole image is decoded with Pillow (its decompression-bomb
limit set to ours), so that a corrupt or truncated file is an error at the figure's line and
not a figure silently missing from the page. An SVG figure is parsed with lxml (no entities,
no network, no DTD) and must be plain drawing: no script, no event attributes, no
``<foreignObject>``, no reference to anything outside the file (``data:`` URLs included), and
a bounded number of elements, counting what each ``<use>`` repeats.
"""

from __future__ import annotations

import re
from pathlib import Path

from . import limits

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
FORBIDDEN_ELEMENTS = frozenset({"script", "foreignObject", "iframe", "embed", "object",
                                "handler", "listener", "animate", "set", "animateMotion",
                                "animateTransform", "animateColor", "discard"})
"""Elements that run code, embed other documents or change attributes (``<set
attributeName="href">``) after the check."""
_REFERENCE = re.compile(r"""url\(\s*['"]?\s*([^'")\s]*)|@import\s+(?:url\()?\s*['"]?([^'";\s)]*)""",
                        re.I)


def raster_problem(file: Path, written: str, kind: str) -> str | None:
    """Why a PNG or JPEG figure cannot be used: too many pixels, corrupt, truncated."""
    from PIL import Image, ImageFile

    limit = limits.IMAGE_PIXELS.value
    # WeasyPrint, once imported in this process (a watch session, an issue build), tells
    # Pillow to accept truncated images: a truncated figure would then pass as whole.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        # Opening reads only the header; our own check below says how many pixels it
        # declares. Pillow's guard is set for the decoding, in case a format lies.
        Image.MAX_IMAGE_PIXELS = None
        with Image.open(file) as image:
            width, height = image.size
            if width * height > limit:
                return (f"the {kind} image {written!r} declares {width}×{height} pixels: "
                        f"{limits.IMAGE_PIXELS.exceeded(f'{width * height:,}')}")
            Image.MAX_IMAGE_PIXELS = limit
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return f"the {kind} image {written!r} is too large: " \
               f"{limits.IMAGE_PIXELS.exceeded('more')}"
    except (OSError, SyntaxError, ValueError, Image.UnidentifiedImageError) as exc:
        return f"expected a readable {kind} image in {written!r}, found a damaged or " \
               f"truncated file ({exc})"
    return None


def svg_problem(data: bytes, written: str) -> str | None:
    """Why an SVG figure cannot be used, or None for a self-contained drawing."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, remove_comments=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        return f"expected an SVG image in {written!r}, found unreadable XML ({exc})"
    if root.tag not in ("svg", f"{{{SVG_NS}}}svg"):
        return f"expected an SVG image in {written!r}, found a <{root.tag}> document"
    if root.getroottree().docinfo.internalDTD is not None or \
            any(isinstance(node, etree._Entity) for node in root.iter()):
        return f"expected an SVG image without a DOCTYPE or entities in {written!r}"
    elements = 0
    for element in root.iter():
        if not isinstance(element.tag, str):  # a processing instruction
            continue
        elements += 1
        problem = _element_problem(element, written)
        if problem:
            return problem
    if elements > limits.SVG_ELEMENTS.value:
        return f"the SVG image {written!r} is too complex: " \
               f"{limits.SVG_ELEMENTS.exceeded(f'{elements:,}')}"
    return _use_problem(root, written)


def _local(name: str) -> str:
    return name.rpartition("}")[2]


def _element_problem(element, written: str) -> str | None:
    name = _local(element.tag)
    if name in FORBIDDEN_ELEMENTS:
        return f"the SVG image {written!r} contains <{name}>; a figure may only draw " \
               f"(no scripts, animations or embedded documents)"
    for attribute, value in element.attrib.items():
        local = _local(attribute)
        if local.lower().startswith("on"):
            return f"the SVG image {written!r} has an event attribute {local}= on " \
                   f"<{name}>; a figure may not run scripts"
        references = [value.strip()] if local == "href" else []
        references += [a or b for a, b in _REFERENCE.findall(value)]
        problem = _reference_problem(references, written)
        if problem:
            return problem
    if name == "style" and element.text:
        return _reference_problem([a or b for a, b in _REFERENCE.findall(element.text)],
                                  written)
    return None


def _reference_problem(references: list[str], written: str) -> str | None:
    for ref in references:
        if ref and not ref.startswith("#"):
            return f"the SVG image {written!r} refers to {ref[:80]!r}; a figure may refer " \
                   f"only to its own elements (#id), nothing outside the file"
    return None


def _use_problem(root, written: str) -> str | None:
    """Bound what ``<use>`` elements repeat: their nesting and the elements drawn in all."""
    # lxml makes a Python object for an element when asked and may drop it after: keeping
    # them all alive keeps each element's id() its own while sizes are memoised by it.
    alive = [element for element in root.iter() if isinstance(element.tag, str)]
    ids = {element.get("id"): element for element in alive if element.get("id")}
    sizes: dict[int, int] = {}
    budget = limits.SVG_ELEMENTS.value
    depth_limit = limits.SVG_USE_DEPTH.value

    def drawn(element, depth: int, chain: tuple) -> int:
        """The elements drawn for ``element``, with its <use> references expanded."""
        key = id(element)
        if key in sizes:
            return sizes[key]
        total = 1
        if _local(element.tag) == "use":
            href = (element.get("href") or element.get(XLINK_HREF) or "").lstrip("#")
            target = ids.get(href)
            if target is not None:
                if key in chain:
                    raise _TooComplex(f"the SVG image {written!r} has a <use> that repeats "
                                      f"itself (#{href})")
                if depth >= depth_limit:
                    raise _TooComplex(f"the SVG image {written!r} nests <use> too deeply: "
                                      f"{limits.SVG_USE_DEPTH.exceeded('more')}")
                total += drawn(target, depth + 1, chain + (key,))
        for child in element:
            if isinstance(child.tag, str):
                total += drawn(child, depth, chain)
            if total > budget:
                raise _TooComplex(f"the SVG image {written!r} is too complex: "
                                  f"{limits.SVG_ELEMENTS.exceeded('more')}")
        sizes[key] = total
        return total

    try:
        drawn(root, 0, ())
    except _TooComplex as exc:
        return str(exc)
    return None


class _TooComplex(Exception):
    pass
