"""Find the characters of the content that the shipped fonts cannot draw.

content text + the template's ``@font-face`` fonts → problems with file:line and U+ code.
WeasyPrint, meeting a character its fonts lack, searches every font of the system for it
(which can take a minute) and embeds whatever it finds; saying so before rendering is quicker
and keeps the PDF to the shipped fonts. The fonts are the ones the template's stylesheets load
from ``fonts/`` (see :mod:`songngu.fontfiles`); their character maps are read with fontTools.
A character draws if every face of the main font has it, or if a fallback face declared with
a ``unicode-range`` that covers it (Noto Serif CJK for Japanese, Chinese and Korean) has it.

Text is NFC, so Vietnamese letters arrive precomposed (``ế``); a precomposed letter a font
lacks still draws if the font has its parts (``e`` + U+0302 + U+0301), as the shaper then
decomposes it, and a combining mark left over after NFC must itself be in the font.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from .errors import Problems, SetupError, display_path
from .fontfiles import SYSTEM_PACKAGE, find_font, is_system_font
from .limits import resolve_references
from .load import Loaded
from .model import Document
from .wording import did_you_mean

MAX_SHOWN = 8
"""Characters named per line; the rest are counted."""


@dataclass(frozen=True)
class Fallback:
    """A face used for the characters of its ``unicode-range`` that the main font lacks."""

    name: str
    ranges: tuple[tuple[int, int], ...]
    path: Path | None
    """None when the font is not installed."""
    mtime_ns: int = 0

    @cached_property
    def cmap(self) -> frozenset[int]:
        """Read when a character of its ranges first needs it: reading a CJK font's map takes
        some 0.3 s, which a document of Latin text never pays."""
        return _character_map(self.path, self.mtime_ns) if self.path else frozenset()

    def draws(self, char: str) -> bool:
        code = ord(char)
        return self.path is not None and \
            any(low <= code <= high for low, high in self.ranges) and code in self.cmap


@dataclass(frozen=True)
class FontSet:
    """The fonts a template draws text with, and the characters each can draw."""

    files: tuple[Path, ...]
    maps: tuple[frozenset[int], ...]
    fallbacks: tuple[Fallback, ...] = ()

    def lacking(self, char: str) -> list[Path]:
        """The fonts that can draw ``char`` neither whole nor from its canonical parts."""
        lacking = [file for file, cmap in zip(self.files, self.maps) if not _draws(cmap, char)]
        if lacking and any(fallback.draws(char) for fallback in self.fallbacks):
            return []
        return lacking

    def fallbacks_for(self, char: str) -> set[str]:
        """The fallback faces (every weight) that draw ``char`` where the main font lacks it."""
        if all(_draws(cmap, char) for cmap in self.maps):
            return set()
        return {fallback.name for fallback in self.fallbacks if fallback.draws(char)}

    def missing_fallback(self, char: str) -> str | None:
        """The fallback font that would draw ``char`` if it were installed."""
        code = ord(char)
        for fallback in self.fallbacks:
            if fallback.path is None and any(lo <= code <= hi for lo, hi in fallback.ranges):
                return fallback.name
        return None


def _draws(cmap: frozenset[int], char: str) -> bool:
    if ord(char) in cmap or _invisible(char):
        return True
    parts = unicodedata.decomposition(char)
    if not parts or parts.startswith("<"):  # no canonical decomposition
        return False
    return all(_draws(cmap, chr(int(code, 16))) for code in parts.split())


def _invisible(char: str) -> bool:
    """Characters laid out without a glyph: controls, format characters, variation selectors."""
    return unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") \
        or 0xFE00 <= ord(char) <= 0xFE0F or 0xE0100 <= ord(char) <= 0xE01EF


def template_fonts(template: Path, fonts: Path) -> FontSet:
    """The fonts that the stylesheets of ``template`` load from the fonts folder."""
    files: list[Path] = []
    fallbacks: list[Fallback] = []
    for css in sorted(template.glob("*.css")):
        stamp = css.stat()
        for url, ranges in _faces_of(css, stamp.st_mtime_ns, stamp.st_size):
            name = url.removeprefix("fonts/")
            path = find_font(fonts, name)
            if ranges:
                fallbacks.append(Fallback(name, ranges, path,
                                          path.stat().st_mtime_ns if path else 0))
                continue
            if path is None:
                raise SetupError(f"font {name} (loaded by {display_path(css)}) is missing from "
                                 f"{display_path(fonts)}: restore it, or pass --fonts with the "
                                 f"folder that holds it")
            if path not in files:
                files.append(path)
    return FontSet(tuple(files), tuple(_character_map(p, p.stat().st_mtime_ns) for p in files),
                   tuple(fallbacks))


@lru_cache(maxsize=32)
def _faces_of(css: Path, mtime_ns: int, size: int) -> tuple[tuple[str, tuple], ...]:
    """The ``@font-face`` sources of a stylesheet as it is at ``mtime_ns`` and ``size``: parsed
    once a process (an issue checks every article against the same template)."""
    import tinycss2

    rules = tinycss2.parse_stylesheet(css.read_text(encoding="utf-8"), skip_comments=True,
                                      skip_whitespace=True)
    return tuple(_font_faces(rules, tinycss2))


def _font_faces(rules, tinycss2) -> list[tuple[str, tuple[tuple[int, int], ...]]]:
    """(url, unicode ranges) of each ``@font-face`` source in ``fonts/``, also those inside
    ``@media`` rules; no ranges for a face of the main font."""
    faces = []
    for rule in rules:
        if rule.type != "at-rule" or not rule.content:
            continue
        if rule.lower_at_keyword == "media":
            faces += _font_faces(tinycss2.parse_rule_list(rule.content, skip_comments=True,
                                                          skip_whitespace=True), tinycss2)
            continue
        if rule.lower_at_keyword != "font-face":
            continue
        urls, ranges = [], ()
        for item in tinycss2.parse_blocks_contents(rule.content, skip_comments=True,
                                                   skip_whitespace=True):
            if item.type != "declaration":
                continue
            if item.lower_name == "unicode-range":
                ranges = tuple(_unicode_ranges(tinycss2.serialize(item.value)))
            if item.lower_name != "src":
                continue
            for token in item.value:
                if token.type == "url":
                    urls.append(token.value)
                elif token.type == "function" and token.lower_name == "url":
                    urls += [arg.value for arg in token.arguments if arg.type == "string"]
        faces += [(url, ranges) for url in urls if url.startswith("fonts/")]
    return faces


def _unicode_ranges(text: str):
    """``U+3000-30FF, U+2011`` → (0x3000, 0x30FF), (0x2011, 0x2011)."""
    for part in text.split(","):
        part = part.strip().upper().removeprefix("U+")
        low, _, high = part.partition("-")
        if "?" in low:
            yield int(low.replace("?", "0"), 16), int(low.replace("?", "F"), 16)
        elif low:
            yield int(low, 16), int(high or low, 16)


@lru_cache(maxsize=16)
def _character_map(path: Path, mtime_ns: int) -> frozenset[int]:
    """The code points a font file maps to glyphs; the mtime keys the cache to the file."""
    from fontTools.ttLib import TTFont, TTLibError

    try:
        with TTFont(path, lazy=True, fontNumber=0) as font:
            return frozenset(font.getBestCmap() or {})
    except (TTLibError, OSError, AssertionError, KeyError) as exc:
        raise SetupError(f"cannot read the font {display_path(path)} ({exc}): replace it with "
                         f"a TrueType or OpenType file") from None


def check_template(doc: Document, shared: Loaded, templates: Path,
                   problems: Problems) -> Path | None:
    """The folder of the template ``document.yaml`` names; a content error if there is none."""
    folder = templates / doc.template
    if folder.is_dir():
        return folder
    known = sorted(p.name for p in templates.iterdir() if p.is_dir()) \
        if templates.is_dir() else []
    if not known:
        raise SetupError(f"no templates in {display_path(templates)}: pass --templates with the "
                         f"project's templates folder")
    hint = did_you_mean(doc.template, known, f"known: {', '.join(known)}")
    problems.error(shared.file, shared.key_line(("template",)),
                   f"template: unknown template {doc.template!r} ({hint})")
    return None


def check_glyphs(sources: list[Loaded], fonts: FontSet, problems: Problems) -> set[str]:
    """Report, line by line, every character of ``sources`` that a font cannot draw; return
    the fallback fonts that draw some character of them (the others need not be loaded)."""
    if not fonts.files:
        return {fallback.name for fallback in fonts.fallbacks}
    verdicts: dict[str, list[Path]] = {}
    used: set[str] = set()
    for loaded in sources:
        found: dict[int, dict[str, None]] = {}  # line → characters, in order of appearance
        for path, text in loaded.strings():
            # As the page will show it: a character reference (&#x65E5;) is its character.
            for char in dict.fromkeys(text + resolve_references(text)):
                if char not in verdicts:
                    verdicts[char] = fonts.lacking(char)
                    if not verdicts[char]:
                        used |= fonts.fallbacks_for(char)
                if verdicts[char]:
                    found.setdefault(loaded.find_line(path, char), {})[char] = None
        for line in sorted(found):
            chars = list(found[line])
            missing = {fonts.missing_fallback(c) for c in chars} - {None}
            if missing:
                problems.error(loaded.file, line, _not_installed(chars, missing))
            else:
                problems.error(loaded.file, line, _message(chars, verdicts, fonts))
    return used


def _message(chars: list[str], verdicts: dict[str, list[Path]], fonts: FontSet) -> str:
    shown = ", ".join(_describe(c) for c in chars[:MAX_SHOWN])
    more = f" and {len(chars) - MAX_SHOWN} more" if len(chars) > MAX_SHOWN else ""
    lacking = {p for c in chars for p in verdicts[c]}
    which = "none of them has" if len(lacking) == len(fonts.files) else \
        f"{', '.join(sorted(p.name for p in lacking))} lack{'s' * (len(lacking) == 1)}"
    them = "it" if len(chars) == 1 else "them"
    return (f"expected characters the shipped fonts can draw, found {shown}{more}, which "
            f"{which}: replace {them}, or add a font that has {them} to the fonts folder "
            f"(README: Fonts)")


def _not_installed(chars: list[str], missing: set) -> str:
    shown = ", ".join(_describe(c) for c in chars[:MAX_SHOWN])
    where = f"install it (apt-get install {SYSTEM_PACKAGE}) or copy it into the fonts folder" \
        if all(is_system_font(name) for name in missing) else "restore it in the fonts folder"
    return (f"expected characters the fonts can draw, found {shown}, which need "
            f"{', '.join(sorted(missing))}: {where}")


def _describe(char: str) -> str:
    name = unicodedata.name(char, "")
    return f"{char!r} (U+{ord(char):04X}{' ' + name if name else ''})"


def reference_sources(references: dict) -> list[Loaded]:
    """The references' text as loaded files, so their lines can be found like the content's.

    Each record's text is searched from the record's first line on; a character typed as a
    LaTeX escape in BibTeX is reported on that first line.
    """
    files: dict[str, Loaded] = {}
    for key, reference in references.items():
        loaded = files.get(reference.file)
        if loaded is None:
            try:
                lines = Path(reference.file).read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError):
                lines = []
            loaded = files[reference.file] = Loaded(
                Path(reference.file), {}, source=[unicodedata.normalize("NFC", line)
                                                  for line in lines])
        loaded.data[key] = reference.data
        loaded.lines[(key,)] = reference.line
    return list(files.values())


@dataclass(frozen=True)
class Fallbacks:
    """The template's fallback fonts: those the content needs, of all it declares."""

    needed: tuple[str, ...]
    declared: tuple[str, ...]


def check_fonts(doc: Document, shared: Loaded, texts: list[Loaded], references: dict,
                templates: Path, fonts: Path, problems: Problems) -> Fallbacks | None:
    """The document's template exists and its fonts draw every character of the content.

    Returns the fallback fonts, sorted (None if the template is missing).
    """
    template = check_template(doc, shared, templates, problems)
    if template is None:
        return None
    font_set = template_fonts(template, fonts)
    needed = check_glyphs([shared, *texts, *reference_sources(references)], font_set, problems)
    return Fallbacks(tuple(sorted(needed)),
                     tuple(sorted({fallback.name for fallback in font_set.fallbacks})))
