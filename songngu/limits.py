"""Bound the work any input can cause, and refuse characters no text may carry.

input (file sizes, YAML node graphs, strings, lists, image headers, SVG trees, BibTeX fields)
→ a problem naming the limit and how to raise it, or nothing. Content is untrusted: a
kilobyte of YAML aliases can expand to gigabytes, a PNG of a few hundred kilobytes can
declare billions of pixels, a BibTeX field can nest braces thousands deep. Each limit is far
above what a journal article needs and can be raised with an environment variable, for the
rare document that truly needs more.

Control characters (U+0000–U+001F but tab and line feed, U+007F–U+009F) are refused in every
string, however they were written: typed, as a YAML escape (``"\\x01"``, ``"\\e"``) or as a
character reference (``&#12;``): they would end a CSS string, forge the markers citations are
found by, or make the PDF's metadata ill-formed.
"""

from __future__ import annotations

import html
import os
import re
from dataclasses import dataclass

import yaml


@dataclass(frozen=True)
class Limit:
    """One bound: its default, the variable that raises it, and what it counts."""

    env: str
    default: int
    unit: str
    what: str

    @property
    def value(self) -> int:
        try:
            return max(1, int(os.environ.get(self.env, "")))
        except ValueError:
            return self.default

    def exceeded(self, found: int | str) -> str:
        """The end of a message: the limit, what was found, and how to raise it."""
        return (f"{self.what} is limited to {self.value:,} {self.unit}, found {found}; "
                f"if this is intended, raise the limit with {self.env}=N")


FILE_BYTES = Limit("SONGNGU_MAX_FILE_BYTES", 8_000_000, "bytes", "a content or references file")
YAML_NODES = Limit("SONGNGU_MAX_YAML_NODES", 200_000, "values",
                   "a YAML file, with its aliases (*name) expanded,")
TEXT_CHARS = Limit("SONGNGU_MAX_TEXT_CHARS", 200_000, "characters", "one text value")
LIST_ITEMS = Limit("SONGNGU_MAX_LIST_ITEMS", 5_000, "items", "one list or mapping")
IMAGE_PIXELS = Limit("SONGNGU_MAX_IMAGE_PIXELS", 40_000_000, "pixels", "a figure image")
SVG_ELEMENTS = Limit("SONGNGU_MAX_SVG_ELEMENTS", 20_000, "elements",
                     "an SVG figure, with its <use> references expanded,")
SVG_USE_DEPTH = Limit("SONGNGU_MAX_SVG_USE_DEPTH", 8, "levels", "<use> inside <use>")
BIBTEX_FIELD = Limit("SONGNGU_MAX_BIBTEX_FIELD", 20_000, "characters", "one BibTeX field")
BIBTEX_NESTING = Limit("SONGNGU_MAX_BIBTEX_NESTING", 32, "levels of braces",
                       "one BibTeX field")
ALL = (FILE_BYTES, YAML_NODES, TEXT_CHARS, LIST_ITEMS, IMAGE_PIXELS, SVG_ELEMENTS,
       SVG_USE_DEPTH, BIBTEX_FIELD, BIBTEX_NESTING)
"""Every limit, as the README lists them."""


# --------------------------------------------------------------------------- characters

# The embeddings and overrides of the bidirectional algorithm show the text after them in
# another order than it is typed ("Invoice \u202egnp.exe" reads "Invoice exe.png"). The
# isolates (U+2066–U+2069), which right-to-left text in a left-to-right line may need, are
# left alone.
_DIRECTIONS = "\u202a-\u202e"
_DIRECTION = re.compile(f"[{_DIRECTIONS}]")
_CONTROL = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_DIRECTIONS}]")
_REFERENCE = re.compile(r"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));?")


def control_character(text: str) -> str | None:
    """A description of the first forbidden control character in ``text``, typed or written
    as a numeric character reference, or None."""
    match = _CONTROL.search(text)
    if match:
        if _DIRECTION.match(match[0]):
            return f"the direction control U+{ord(match[0]):04X} (it shows the text after it " \
                   f"in another order than it is typed)"
        return f"the control character U+{ord(match[0]):04X}"
    for match in _REFERENCE.finditer(text):
        digits = match[1] or match[2]
        # More digits than any character needs: no character (and no int of 5,000 digits).
        code = 0x110000 if len(digits.lstrip("0")) > 8 else \
            int(digits, 16) if match[1] else int(digits)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            shown = match[0] if len(match[0]) <= 24 else match[0][:20] + "…"
            return f"the character reference {shown!r} (no character has that number)"
        if _CONTROL.fullmatch(chr(code)):
            return f"the character reference {match[0]!r} (a control character)"
    return None


def control_problem(text: str) -> str | None:
    """The message for a string that carries a forbidden control character, or None."""
    found = control_character(text)
    if found is None:
        return None
    return (f"expected text without control characters, found {found}: delete it "
            f"(tab and line breaks are the only ones allowed)")


def resolve_references(text: str) -> str:
    """Text with its character references (``&#x65E5;``, ``&amp;``) resolved, as the inline
    parser will show them: the glyph check must see the characters, not their spelling."""
    return html.unescape(text) if "&" in text else text


# --------------------------------------------------------------------------- YAML

def expanded_size(node: yaml.Node, limit: int) -> int:
    """How many values the node tree has once every alias is expanded; stops counting (and
    returns more than ``limit``) as soon as the count passes ``limit``.

    An alias is the same node object met again, so sizes are memoised by node: the count
    costs one pass over the nodes as written, however large the expansion.
    """
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in open_nodes:  # an alias inside itself: reported by the loader
            return 1
        total = 1
        if isinstance(node, (yaml.SequenceNode, yaml.MappingNode)):
            open_nodes.add(key)
            for item in node.value:
                for child in (item if isinstance(item, tuple) else (item,)):
                    total += size(child)
                    if total > limit:
                        break
                if total > limit:
                    break
            open_nodes.discard(key)
        sizes[key] = total
        return total

    return size(node)


def yaml_problem(node: yaml.Node) -> tuple[int, str] | None:
    """(line, message) when a composed YAML tree is too big to build, else None."""
    limit = YAML_NODES.value
    total = expanded_size(node, limit)
    if total <= limit:
        return None
    anchors = _first_alias(node)
    line = anchors.start_mark.line + 1 if anchors is not None else node.start_mark.line + 1
    how = " (aliases *name repeat what an anchor &name holds)" if anchors is not None else ""
    return line, f"expected a document of reasonable size{how}: " \
                 f"{YAML_NODES.exceeded('more')}"


def _first_alias(node: yaml.Node) -> yaml.Node | None:
    """The first node met twice (an alias), in file order."""
    seen: set[int] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            return current
        seen.add(id(current))
        if isinstance(current, yaml.SequenceNode):
            stack.extend(reversed(current.value))
        elif isinstance(current, yaml.MappingNode):
            stack.extend(child for pair in reversed(current.value) for child in reversed(pair))
    return None


def bounded_yaml(raw: bytes):
    """Parse YAML whose only use is a quick look (planning a build), refusing what
    :func:`yaml_problem` refuses; raises yaml.YAMLError for either."""
    if len(raw) > FILE_BYTES.value:
        raise yaml.YAMLError("too large")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    node = yaml.compose(raw, Loader=loader)
    if node is None:
        return None
    if yaml_problem(node) is not None:
        raise yaml.YAMLError("too large")
    constructor = loader(b"")
    try:
        return constructor.construct_document(node)
    except (ValueError, OverflowError) as exc:  # 2021-02-30, a 5000-digit number
        raise yaml.YAMLError(str(exc)) from None
    finally:
        constructor.dispose()


# --------------------------------------------------------------------------- CSS

def css_string(text: str) -> str:
    """Text for the inside of a double-quoted CSS string in a <style> element: every character
    that could end the string, the declaration or the element (quotes, backslash, line breaks
    CR LF FF, NUL and other controls, ``<``, ``>``, ``&``) written as a CSS escape."""
    out = []
    for char in text:
        code = ord(char)
        if char in "\"'\\<>&" or code < 0x20 or 0x7F <= code <= 0x9F \
                or code in (0x2028, 0x2029):
            out.append(f"\\{0xFFFD if code == 0 else code:X} ")
        else:
            out.append(char)
    return "".join(out)
