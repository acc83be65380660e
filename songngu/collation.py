"""Alphabetical order as a language's readers expect it: text → a sort key.

Python orders strings by code point, which puts "Đào" after "Trần" and "Zhou" (Đ is U+0110)
and "Ánh" after "Vũ". In Vietnamese, the letters ă, â, đ, ê, ô, ơ and ư are letters of their
own, each right after its base letter (a ă â b c d đ e ê …), and the tones (no mark, grave,
hook, tilde, acute, dot below) only decide between words that are otherwise the same. In
other languages a letter with marks sorts with its base letter (Đ with D, É with E), the
marks deciding only ties. Case decides last.
"""

from __future__ import annotations

import unicodedata

_VI_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_VI_RANK = {letter: n for n, letter in enumerate(_VI_ALPHABET)}
_QUALITIES = {"\u0306", "\u0302", "\u031b"}  # breve, circumflex, horn: part of the letter
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_LETTERS = 100  # letters sort after spaces, punctuation (0) and digits (1–10)


def sort_key(text: str, lang: str) -> tuple:
    """The key that orders ``text`` alphabetically for readers of ``lang``."""
    vietnamese = lang.split("-")[0].lower() == "vi"
    primary: list[int] = []
    secondary: list[int] = []
    for char in text:
        letter, tone = _letter(char, vietnamese)
        primary.append(_rank(letter, vietnamese))
        secondary.append(tone)
    return tuple(primary), tuple(secondary), text.swapcase()


def _letter(char: str, vietnamese: bool) -> tuple[str, int]:
    """The letter ``char`` counts as at the first level, and its mark's rank for ties."""
    lower = char.lower()
    if lower == "đ":
        return ("đ" if vietnamese else "d"), 0 if vietnamese else 1
    decomposed = unicodedata.normalize("NFD", lower)
    base, marks = decomposed[0], decomposed[1:]
    if not vietnamese:
        return base, sum(ord(mark) for mark in marks)
    quality = "".join(mark for mark in marks if mark in _QUALITIES)
    tone = max((_TONES.get(mark, 0) for mark in marks), default=0)
    return unicodedata.normalize("NFC", base + quality), tone


def _rank(letter: str, vietnamese: bool) -> int:
    if vietnamese and letter in _VI_RANK:
        return _LETTERS + _VI_RANK[letter]
    if "a" <= letter <= "z":
        return _LETTERS + (_VI_RANK[letter] if vietnamese else ord(letter) - ord("a"))
    if letter.isdigit():
        return 1 + int(letter) if letter.isascii() else 1
    if not letter.isalnum():
        return 0
    return _LETTERS + len(_VI_ALPHABET) + ord(letter)  # other scripts: by code point
