"""Decide which link targets written in content may become links in the HTML and the PDF.

a URL, DOI or ORCID as written → None, or why it cannot be a link. An allow-list, not an
escape: only ``http:``, ``https:`` and ``mailto:`` reach an ``href`` or a PDF ``/URI`` (plus,
for links in the text, ``#id`` within the page). ``javascript:`` would run on a click, ``file:``
and relative paths (``../../etc/passwd``) would point a reader's viewer at their own disk, and
``data:`` can carry a whole page.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

SCHEMES = ("http", "https", "mailto")
"""The schemes a link may use (README, "Safety")."""
_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f\x7f-\x9f]")
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_ORCID = re.compile(r"^(?:https://orcid\.org/)?(\d{4}-\d{4}-\d{4}-\d{3}[\dX])$")


def url_problem(url: str, fragments: bool = False) -> str | None:
    """Why ``url`` may not be a link, or None. ``fragments``: ``#id`` is allowed too."""
    text = url.strip()
    if fragments and text.startswith("#") and not _SPACE_OR_CONTROL.search(text):
        return None
    expected = f"expected a link starting with {', '.join(s + ':' for s in SCHEMES)}"
    if fragments:
        expected += " or '#'"
    if _SPACE_OR_CONTROL.search(text):
        return f"{expected}, found {url[:100]!r}, which contains spaces or control characters"
    try:
        parts = urlsplit(text)
    except ValueError:
        return f"{expected}, found {url[:100]!r}, which is no valid URL"
    if parts.scheme.lower() not in SCHEMES:
        found = f"the scheme {parts.scheme + ':'!r}" if parts.scheme else "a relative path"
        return f"{expected}, found {url[:100]!r} ({found})"
    if parts.scheme.lower() != "mailto" and not parts.netloc:
        return f"{expected}, found {url[:100]!r}, which names no host"
    return None


def doi_problem(doi: str) -> str | None:
    """Why a DOI (``10.1234/abc``, already without ``https://doi.org/``) is not one."""
    if _DOI.match(doi) and not _SPACE_OR_CONTROL.search(doi):
        return None
    return f"expected a DOI such as '10.1234/abcd.5678', found {doi[:100]!r}"


def orcid_problem(orcid: str) -> str | None:
    """Why an ORCID iD (``0000-0002-1825-0097`` or its https://orcid.org/ URL) is not one."""
    if not orcid or _ORCID.match(orcid.strip()):
        return None
    return f"expected an ORCID iD such as '0000-0002-1825-0097', found {orcid[:100]!r}"
