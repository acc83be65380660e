"""The keys each mapping of the content files may hold: each key's type, and whether it is required.

field tables → read by :class:`songngu.checker.Checker` (which checks a loaded mapping against
one) and by :mod:`songngu.schema` (which writes them out as JSON Schemas for editors), so that
the checks and the schemas cannot disagree. A table maps a key to ``(types, required)``.
"""

from __future__ import annotations

FieldTable = dict[str, tuple[type | tuple[type, ...] | None, bool]]
"""key → (the type or types its value may have, whether the key is required)."""

CHECKED_ELSEWHERE = None
"""The type of a key another function checks (``languages``:
:func:`songngu.document_data.language_codes`)."""

# --------------------------------------------------------------------------- document.yaml

SHARED_FIELDS: FieldTable = {
    "languages": (CHECKED_ELSEWHERE, False), "template": (str, False), "style": (str, False),
    "references": (str, False), "journal": (dict, True), "first_page": (int, False),
    "doi": (str, False), "dates": (dict, False), "authors": (list, True),
    "tables": (dict, False), "figures": (dict, False), "source_language": (str, False),
    "jats": (bool, False), "article_type": (str, False),
}
JOURNAL_FIELDS: FieldTable = {
    "name": (str, True), "url": (str, False), "email": (str, False), "issn": (str, False),
    "eissn": (str, False), "volume": ((str, int), False), "issue": ((str, int), False),
    "id": (str, False), "publisher": (str, False), "date_pattern": (str, False),
}
AUTHOR_FIELDS: FieldTable = {
    "id": (str, True), "email": (str, False), "corresponding": (bool, False),
    "affiliations": (list, False), "orcid": (str, False),
}
DATE_NAMES = ("received", "revised", "accepted", "published")
"""The keys of ``dates:``, in the order the dates must follow."""
TABLE_FIELDS: FieldTable = {"columns": (list, True), "rows": (list, True), "empty": (str, False)}
COLUMN_FIELDS: FieldTable = {"kind": (str, True), "pattern": (str, False), "align": (str, False)}
FIGURE_FIELDS: FieldTable = {
    "file": (str, False), "files": (list, False), "width": ((int, float), False),
}

# --------------------------------------------------------------------------- <lang>.yaml

TEXT_FIELDS: FieldTable = {
    "title": (str, True), "authors": (dict, True), "affiliations": (dict, False),
    "abstract": (str, True), "keywords": (list, True), "sections": (list, True),
    "tables": (dict, False), "figures": (dict, False), "journal": (str, False),
    "funding": (str, False), "footnotes": (dict, False),
}
TABLE_TEXT_FIELDS: FieldTable = {
    "caption": (str, True), "columns": (list, True), "note": (str, False),
    "rows": (list, False), "groups": (list, False),
}
GROUP_FIELDS: FieldTable = {"text": (str, False), "columns": (int, True)}
FIGURE_TEXT_FIELDS: FieldTable = {
    "caption": (str, True), "alt": (str, False), "parts": (list, False), "source": (str, False),
}
SECTION_FIELDS: FieldTable = {
    "id": (str, True), "title": (str, True), "blocks": (list, False), "sections": (list, False),
    "numbered": (bool, False), "appendix": (bool, False),
}
