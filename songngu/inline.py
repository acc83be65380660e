"""Parse the inline markup a content editor types into a small tree of spans.

markup text → list[:class:`Span`]. Markdown emphasis, strong emphasis and links come from
markdown-it-py; two rules are added to its inline parser: citations and cross-references in
Pandoc's bracket syntax (``[@vu2007, p. 111]``, ``[@a; @b]``, ``[@tbl:trade]``) and
superscripts (``21^st^``). Raw HTML is not recognised, so ``<script>`` stays literal text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

from .citations import CiteItem, parse_locator

XREF_KINDS = {"tbl": "table", "fig": "figure", "sec": "section"}


@dataclass
class Span:
    """One piece of inline content."""

    kind: str
    """text, em, strong, sup, link, code, cite or xref."""
    text: str = ""
    children: list["Span"] = field(default_factory=list)
    href: str = ""
    cites: list[CiteItem] = field(default_factory=list)
    """For ``cite``: the cited items, in the order typed."""
    target: str = ""
    """For ``xref``: ``table:trade``, ``figure:map`` or ``section:economy``."""
    html: str = ""
    """For ``cite``: the formatted citation, filled in by the resolve stage."""
    number: str = ""
    """For ``xref``: the resolved number ("2", "3.1"), filled in by the resolve stage."""


class InlineSyntaxError(ValueError):
    """Malformed citation or cross-reference markup, a link target that is not allowed, or a
    control character written as a character reference; ``needle``: what to look for on the
    lines of the text, to report the right one."""

    def __init__(self, message: str, needle: str = "[@"):
        super().__init__(message)
        self.needle = needle


def parse_inline(markup: str) -> list[Span]:
    """Parse one block's inline markup; raise InlineSyntaxError for a malformed citation."""
    tokens = _parser().parseInline(markup)[0].children or []
    spans, stack = [], []
    current = spans
    for token in tokens:
        if token.type.endswith("_open"):
            span = Span(token.type[:-5].replace("link", "link"), href=token.attrGet("href") or "")
            span.kind = {"em": "em", "strong": "strong", "link": "link"}[token.type[:-5]]
            current.append(span)
            stack.append(current)
            current = span.children
        elif token.type.endswith("_close"):
            current = stack.pop()
        elif token.type == "citation":
            if token.meta.get("error"):
                raise InlineSyntaxError(token.meta["error"])
            current.append(token.meta["span"])
        elif token.type == "sup":
            current.append(Span("sup", children=[Span("text", token.content)]))
        elif token.type == "code_inline":
            current.append(Span("code", token.content))
        elif token.type in ("softbreak", "hardbreak"):
            current.append(Span("text", " "))
        else:
            current.append(Span("text", token.content))
    _check_safe(spans, markup)
    return _merge_text(spans)


def _check_safe(spans: list[Span], markup: str) -> None:
    """Links only to allowed targets; no control character, however it was written."""
    from .limits import control_problem
    from .links import url_problem

    for span in walk(spans):
        if span.kind == "link" and (problem := url_problem(span.href, fragments=True)):
            needle = next((part for part in ("](" + span.href, span.href) if part in markup),
                          "](")
            raise InlineSyntaxError(f"link: {problem}", needle)
        if span.text and (problem := control_problem(span.text)):
            raise InlineSyntaxError(problem, "&#")


def plain_text(spans: list[Span]) -> str:
    """The text a reader sees, without citations and cross-references."""
    out = []
    for span in spans:
        if span.kind in ("text", "code"):
            out.append(span.text)
        elif span.kind not in ("cite", "xref"):
            out.append(plain_text(span.children))
    return "".join(out)


def walk(spans: list[Span]):
    """Every span, depth first."""
    for span in spans:
        yield span
        yield from walk(span.children)


def _merge_text(spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for span in spans:
        if span.kind == "text" and merged and merged[-1].kind == "text":
            merged[-1].text += span.text
        else:
            merged.append(span)
    return merged


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("zero").enable(["emphasis", "link", "escape", "entity", "newline",
                                    "backticks"])
    # Every target becomes a link token, so that the allow-list (songngu.links) decides and
    # says so with the line: markdown-it would keep javascript: or file: silently as text.
    md.validateLink = lambda url: True
    md.inline.ruler.before("link", "citation", _citation_rule)
    md.inline.ruler.before("emphasis", "sup", _sup_rule)
    return md


def _sup_rule(state: StateInline, silent: bool) -> bool:
    """``^text^`` with no spaces inside, as in Pandoc."""
    start = state.pos
    if state.src[start] != "^":
        return False
    end = state.src.find("^", start + 1)
    content = state.src[start + 1:end] if end > 0 else ""
    if not content or any(ch.isspace() for ch in content):
        return False
    if not silent:
        token = state.push("sup", "sup", 0)
        token.content = content
    state.pos = end + 1
    return True


def _citation_rule(state: StateInline, silent: bool) -> bool:
    """``[@key]``, ``[@key, p. 5]``, ``[@a; @b, pp. 3-4]`` or a cross-reference ``[@tbl:id]``."""
    src, start = state.src, state.pos
    if not src.startswith("[@", start):
        return False
    end = src.find("]", start)
    if end < 0:
        return False
    if not silent:
        token = state.push("citation", "", 0)
        try:
            token.meta = {"span": _cluster(src[start + 1:end])}
        except InlineSyntaxError as exc:
            token.meta = {"error": str(exc)}
    state.pos = end + 1
    return True


def _cluster(body: str) -> Span:
    items, xrefs = [], []
    for part in body.split(";"):
        part = part.strip()
        key, _, locator = part.partition(",")
        key = key.strip()
        if not key.startswith("@") or len(key) < 2 or " " in key:
            raise InlineSyntaxError(f"expected a citation like '[@key]' or '[@key, p. 12]', "
                                    f"found {'[' + body + ']'!r}")
        key = key[1:]
        prefix, colon, target = key.partition(":")
        if colon and prefix in XREF_KINDS:
            if locator.strip():
                raise InlineSyntaxError(f"a cross-reference takes no locator, found "
                                        f"{'[' + body + ']'!r}")
            xrefs.append(f"{XREF_KINDS[prefix]}:{target}")
            continue
        if locator.strip():
            try:
                label, value = parse_locator(locator.strip())
            except ValueError as exc:
                raise InlineSyntaxError(f"citation of {key!r}: {exc}") from None
            items.append(CiteItem(key, label, value))
        else:
            items.append(CiteItem(key))
    if xrefs and items:
        raise InlineSyntaxError(f"expected citations or one cross-reference in one bracket, "
                                f"found both in {'[' + body + ']'!r}")
    if len(xrefs) > 1:
        raise InlineSyntaxError(f"expected one cross-reference per bracket, found "
                                f"{len(xrefs)} in {'[' + body + ']'!r}")
    if xrefs:
        return Span("xref", target=xrefs[0])
    return Span("cite", cites=items)
