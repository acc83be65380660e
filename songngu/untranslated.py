"""Tell a block that was never translated from one that was.

source text + translation text + their languages → why the translation looks untranslated, or
None. A light heuristic, not language identification:

* the two texts are the same, once markup, citations and spacing are set aside, and say
  something (four words or more: a name, an acronym or a short keyword is often the same in
  both languages);
* the translation should be Vietnamese but reads as English: fewer than a third of its words
  carry a letter only Vietnamese writes (ă đ ơ ư, a hook above or dot below, a tone mark on
  â ê ô, a tilde on e i u y; a Vietnamese name in an English sentence is fine) and one word
  in eight or more is a common English word (the, of, and, …);
* the translation should be English (or another language written without Vietnamese letters)
  but reads as Vietnamese: a third of its words or more carry Vietnamese letters, or one in
  eight is a common Vietnamese word (của, và, các, những, …).

Texts of fewer than four words are not judged: there is too little to go on.
"""

from __future__ import annotations

import re
import unicodedata

MIN_WORDS = 4
WORD = re.compile(r"[^\W\d_]+", re.U)
MARKUP = re.compile(r"\[@[^\]]*\]|[*_^~`]")
VIETNAMESE_LETTERS = set("ăđơưĂĐƠƯ")
ONLY_VIETNAMESE_MARKS = {"\u0309", "\u0323"}
"""Hook above and dot below: tone marks no other language written in Latin letters uses."""
TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
"""Grave, acute, tilde, hook above, dot below: the five Vietnamese tones, once decomposed. A
letter carrying a tone mark and another mark (ấ, ề, ở) is Vietnamese too; one acute or grave
alone (é, à) is also French, Spanish, Portuguese, … and does not count."""
ENGLISH_WORDS = frozenset(
    ["the", "of", "and", "to", "in", "is", "are", "was", "were", "that", "this", "with", "for",
     "by", "on", "as", "from", "which", "be", "has", "have", "it", "its", "their", "an", "at",
     "or", "not", "between"])
VIETNAMESE_WORDS = frozenset(
    ["của", "và", "là", "các", "những", "được", "trong", "với", "cho", "này", "một", "có",
     "không", "đã", "đến", "về", "từ", "khi", "để", "người", "nhiều", "hai", "cũng", "như",
     "theo"])
NAMES = {"en": "English", "vi": "Vietnamese"}


def _words(text: str) -> list[str]:
    return WORD.findall(MARKUP.sub(" ", text))


def _vietnamese_letter(letter: str) -> bool:
    if letter in VIETNAMESE_LETTERS:
        return True
    marks = unicodedata.normalize("NFD", letter)[1:]
    return any(m in ONLY_VIETNAMESE_MARKS for m in marks) \
        or (len(marks) > 1 and any(m in TONE_MARKS for m in marks)) \
        or ("\u0303" in marks and letter.lower() not in "ãõñ")


VIETNAMESE_CHARACTERS = frozenset(
    ch for ch in map(chr, range(0xC0, 0x1F00)) if ch.isalpha() and _vietnamese_letter(ch))
"""Every precomposed letter (Latin-1 to Latin Extended Additional) only Vietnamese writes."""


def _is_vietnamese_word(word: str) -> bool:
    return not VIETNAMESE_CHARACTERS.isdisjoint(word)


def reads_as(text: str) -> str | None:
    """"vi" or "en" when the text clearly reads as that language, else None."""
    return _reads_as(_words(text))


def _reads_as(words: list[str]) -> str | None:
    if len(words) < MIN_WORDS:
        return None
    lower = [w.lower() for w in words]
    marked = sum(map(_is_vietnamese_word, words)) / len(words)
    english = sum(w in ENGLISH_WORDS for w in lower) / len(words)
    vietnamese = sum(w in VIETNAMESE_WORDS for w in lower) / len(words)
    if marked >= 1 / 3 or vietnamese >= 1 / 8:
        return "vi"
    if english >= 1 / 8:
        return "en"
    return None


def _base(lang: str) -> str:
    return lang.split("-")[0].lower()


def untranslated(source: str, translation: str, source_lang: str, lang: str) -> str | None:
    """Why ``translation`` (in ``lang``) looks like no translation of ``source``, or None."""
    words = _words(translation)
    if len(words) >= MIN_WORDS and _words(source) == words:
        return f"its text is the same as in {source_lang}"
    found = _reads_as(words)
    if found is None or found == _base(lang):
        return None
    if _base(lang) == "vi" or found == "vi":
        return f"it reads as {NAMES[found]}, not {NAMES.get(_base(lang), lang)}"
    return None
