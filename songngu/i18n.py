"""Give each language its labels, number and date formats.

language code → gettext translations (from the template's ``locales/<lang>/LC_MESSAGES/
messages.po``, compiled in memory so a catalog edit needs no compile step) and Babel
formatters. A language is configuration: a content file and a catalog, no code.
"""

from __future__ import annotations

import datetime as dt
import gettext
import io
from decimal import Decimal
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent

from .errors import SetupError

SOURCE_LANGUAGE = "en"
"""The language the templates' msgids are written in: it needs no catalog."""


def catalog_path(templates: Path, lang: str) -> Path:
    return templates / "locales" / lang / "LC_MESSAGES" / "messages.po"


def load_translations(templates: Path, lang: str) -> gettext.NullTranslations:
    """The gettext translations of ``lang`` for the templates in ``templates``."""
    path = catalog_path(templates, lang)
    if not path.is_file():
        if lang == SOURCE_LANGUAGE:
            return gettext.NullTranslations()
        raise SetupError(f"no label catalog for language {lang!r}: create {path} "
                         f"(pybabel init -i {templates / 'locales' / 'messages.pot'} "
                         f"-d {templates / 'locales'} -l {lang})")
    try:
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=lang, abort_invalid=True)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        return gettext.GNUTranslations(buffer)
    except Exception as exc:  # Babel's PO reader and gettext raise many kinds
        raise SetupError(f"{path}: the label catalog cannot be read ({type(exc).__name__}: "
                         f"{exc}); fix it or make it again with pybabel") from None


def locale(lang: str) -> Locale:
    try:
        return Locale.parse(lang.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        raise SetupError(f"unknown language code {lang!r}: use a code Babel knows, "
                         f"such as 'en', 'vi' or 'fr'") from None


def language_name(lang: str) -> str:
    """The language's own name for itself, capitalised: "English", "Tiếng Việt"."""
    name = locale(lang).get_display_name(locale(lang)) or lang
    return name[:1].upper() + name[1:]


MINUS = "\u2212"


def format_cell(value, kind: str, pattern: str | None, lang: str, empty: str = "–") -> str:
    """Format one table cell in the language's conventions (``214.4`` / ``214,4``).

    A text cell is a text, or a mapping of each language's text. Negative numbers print
    with U+2212 MINUS SIGN in every language: Babel gives a hyphen-minus for some.
    """
    if value is None or value == "":
        return empty
    if isinstance(value, dict):
        return value.get(lang, "")
    if kind == "year" or isinstance(value, str):
        return str(value)
    if kind == "percent":
        shown = format_percent(Decimal(str(value)) / 100, pattern or "#,##0.#%", locale=lang)
    else:
        shown = format_decimal(value, pattern or "#,##0.###", locale=lang)
    return shown.replace("-", MINUS)


def format_day(day: dt.date, lang: str, pattern: str = "d/M/yyyy") -> str:
    """A date with an explicit pattern: never Babel's named short format (US order in en)."""
    return format_date(day, pattern or "d/M/yyyy", locale=lang)
