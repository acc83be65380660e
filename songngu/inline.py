"""Parse the inline markup a content editor types into a small tree of spans.

markup text → list[:class:`Span`]. Markdown emphasis, strong emphasis and links come from
markdown-it-py; footnotes (``^[inline]``, ``[^label]``) and math (``$x^2$``) from
mdit-py-plugins, in Pandoc's syntax; two rules are added to its inline parser: citations and
cross-references in Pandoc's bracket syntax (``[@vu2007, p. 111]``, ``[@a; @b]``,
``[@tbl:trade]``, ``[@eq:energy]``), superscripts (``21^st^``) and subscripts (``H~2~O``).
Raw HTML is not recognised, so ``<script>`` stays literal text. Markup that was meant but not
recognised (an unclosed ``^[``, a stray ``{#id}``) is found by :func:`leftover_markup`, so it
is not printed silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin

from .kinds import XREF_TARGETS
from .locators import CiteItem, parse_locator

XREF_KINDS = XREF_TARGETS


@dataclass
class Span:
    """One piece of inline content."""

    kind: str
    """text, em, strong, sup, sub, link, code, cite, xref, note (a footnote: its text is the
    children) or math (``text`` is the LaTeX)."""
    text: str = ""
    children: list[Span] = field(default_factory=list)
    href: str = ""
    cites: list[CiteItem] = field(default_factory=list)
    """For ``cite``: the cited items, in the order typed."""
    target: str = ""
    """For ``xref``: ``table:trade``, ``figure:map`` or ``section:economy``; for ``note``, its
    label when written ``[^label]``. Numbers are the resolve stage's
    (:mod:`songngu.resolve`), which gives them to the nodes it makes of the spans."""


class InlineSyntaxError(ValueError):
    """Malformed citation or cross-reference markup, a link target that is not allowed, or a
    control character written as a character reference; ``needle``: what to look for on the
    lines of the text, to report the right one."""

    def __init__(self, message: str, needle: str = "",
                 more: list[tuple[str, str]] | None = None):
        super().__init__(message)
        self.needle = needle
        self.more = more or []
        """The other mistakes of the same text, as (message, needle): all said in one run."""


def parse_inline(markup: str, footnotes: dict[str, str] | None = None,
                 _depth: int = 0) -> list[Span]:
    """Parse one block's inline markup; raise InlineSyntaxError for a malformed citation.

    ``footnotes`` holds the language's footnote texts by label, for ``[^label]``.
    """
    env: dict = {}
    tokens = _parser().parseInline(markup, env)[0].children or []
    spans = _spans(tokens, env, footnotes or {}, _depth)
    _check_safe(spans, markup)
    return spans


def _spans(tokens: list[Token], env: dict, footnotes: dict[str, str], depth: int) -> list[Span]:
    spans: list[Span] = []
    stack: list[list[Span]] = []
    current = spans
    for token in tokens:
        if token.type.endswith("_open"):
            span = Span({"em": "em", "strong": "strong", "link": "link"}[token.type[:-5]],
                        href=str(token.attrGet("href") or ""))
            current.append(span)
            stack.append(current)
            current = span.children
        elif token.type.endswith("_close"):
            current = stack.pop()
        elif token.type == "citation":
            if token.meta.get("error"):
                raise InlineSyntaxError(token.meta["error"])
            current.append(token.meta["span"])
        elif token.type in ("sup", "sub"):
            current.append(Span(token.type, children=[Span("text", token.content)]))
        elif token.type == "code_inline":
            current.append(Span("code", token.content))
        elif token.type == "math_inline":
            current.append(Span("math", token.content.strip()))
        elif token.type == "footnote_ref":
            current.append(_note(token, env, footnotes, depth))
        elif token.type in ("softbreak", "hardbreak"):
            current.append(Span("text", " "))
        else:
            current.append(Span("text", token.content))
    return _merge_text(spans)


def _note(token: Token, env: dict, footnotes: dict[str, str], depth: int) -> Span:
    label = token.meta.get("label")
    if label is None:  # ^[inline note]: the plugin parsed its text already
        note = env["footnotes"]["list"][token.meta["id"]]
        return Span("note", children=_spans(note.get("tokens", []), env, footnotes, depth))
    if label not in footnotes:
        known = ", ".join(sorted(footnotes)) or "none"
        raise InlineSyntaxError(f"footnote [^{label}] has no text: add it under 'footnotes:' "
                                f"as {label}: … (known: {known})")
    if depth > 0:
        raise InlineSyntaxError(f"footnote [^{label}] is used inside another footnote: a "
                                f"footnote cannot hold a footnote")
    return Span("note", target=label, children=parse_inline(footnotes[label], footnotes,
                                                            depth + 1))
def _check_safe(spans: list[Span], markup: str) -> None:
    """Links only to allowed targets; no control character, however it was written."""
    from .limits import control_problem
    from .links import url_problem

    found: list[tuple[str, str]] = []
    for span in walk(spans):
        if span.kind == "link" and (problem := url_problem(span.href, fragments=True)):
            needle = next((part for part in ("](" + span.href, span.href) if part in markup),
                          "](")
            found.append((f"link: {problem}", needle))
        if span.text and (problem := control_problem(span.text)):
            found.append((problem, "&#"))
    if found:
        unique = list(dict.fromkeys(found))
        raise InlineSyntaxError(unique[0][0], unique[0][1], unique[1:])


def plain_text(spans: list[Span]) -> str:
    """The text a reader sees, without citations, cross-references and footnotes; math as its
    LaTeX source."""
    out = []
    for span in spans:
        if span.kind in ("text", "code", "math"):
            out.append(span.text)
        elif span.kind not in ("cite", "xref", "note"):
            out.append(plain_text(span.children))
    return "".join(out)


def notes_in(spans: list[Span]) -> list[Span]:
    """The footnotes of a piece of text, in reading order."""
    return [span for span in walk(spans) if span.kind == "note"]


LEFTOVERS = (
    (re.compile(r"\^\["), "an unclosed inline footnote '^[' (close it with ']')"),
    (re.compile(r"\[\^[^\]\s]*\]?"), "footnote markup {found!r} that was not read"),
    (re.compile(r"(?<![\w$])\$(?=\S)[^$]*\S\$(?!\$)"),
     "math {found!r} that was not read (no space inside the $…$, no digit after it)"),
    (re.compile(r"\{#[^}]*\}"), "a label {found!r} where no label belongs (labels follow a "
                                 "subheading or an equation)"),
    (re.compile(r"\{\.[^}]*\}"), "an attribute {found!r}, which is not supported"),
)
"""Markup that is printed as typed when it is not read: each is reported, never printed
silently."""


def leftover_markup(spans: list[Span]) -> list[tuple[str, str]]:
    """(what was found, message) for each piece of unread markup in the text spans."""
    found = []
    for span in walk(spans):
        if span.kind != "text":
            continue
        for pattern, message in LEFTOVERS:
            for match in pattern.finditer(span.text):
                found.append((match.group(0), message.format(found=match.group(0))))
    return found


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
    # "autolink": <https://…> and <name@example.org>, CommonMark's way to write an address
    # as its own link text (it printed with its angle brackets).
    md = MarkdownIt("zero").enable(["emphasis", "link", "autolink", "escape", "entity",
                                    "newline", "backticks"])
    md.use(footnote_plugin, inline=True, move_to_end=False, always_match_refs=True)
    # Pandoc's rule: no space just inside the dollars, no digit after the closing one, so that
    # "$5 and $10" stays money.
    md.use(dollarmath_plugin, allow_space=False, allow_digits=False, allow_labels=False)
    # Every target becomes a link token, so that the allow-list (songngu.links) decides and
    # says so with the line: markdown-it would keep javascript: or file: silently as text.
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    md.inline.ruler.before("link", "citation", _citation_rule)
    md.inline.ruler.before("emphasis", "sup", _script_rule("^", "sup"))
    md.inline.ruler.before("emphasis", "sub", _script_rule("~", "sub"))
    return md


def _script_rule(mark: str, kind: str):
    """``^text^`` (superscript) or ``~text~`` (subscript) with no spaces inside, as in Pandoc;
    ``^[…]`` is a footnote."""
    def rule(state: StateInline, silent: bool) -> bool:
        start = state.pos
        if state.src[start] != mark or state.src.startswith(mark + "[", start):
            return False
        end = state.src.find(mark, start + 1)
        content = state.src[start + 1:end] if end > 0 else ""
        if not content or any(ch.isspace() for ch in content):
            return False
        if not silent:
            token = state.push(kind, kind, 0)
            token.content = content
        state.pos = end + 1
        return True
    return rule


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
