"""Find the templates, fonts and schemas a build uses: the project's own, else songngu's.

kind (``templates``, ``fonts``) + an optional ``--templates``/``--fonts`` path → a folder. A
folder given on the command line wins; then the project's own folder (``./templates``,
``./fonts`` in the working folder), so a journal can restyle its articles; then the folders
installed with songngu as package data (:mod:`importlib.resources`), so an installed ``songngu``
works from any folder. In a source checkout the package data *is* the top-level ``templates/``
and ``fonts/`` folders (``pyproject.toml`` maps ``songngu.templates`` onto ``templates/``).
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

from .errors import SetupError

_CHECKOUT = Path(__file__).resolve().parent.parent
"""The source checkout songngu runs from when it is not installed (``python build.py``)."""


def folder(kind: str, given: Path | None = None) -> Path:
    """The ``templates`` or ``fonts`` folder a build reads (see the module's docstring)."""
    if given is not None:
        return given
    own = Path(kind)
    if own.is_dir():
        return own
    packaged = installed(kind)
    if packaged is not None:
        return packaged
    raise SetupError(f"no {kind} folder: songngu's own {kind} are not installed and there is "
                     f"no ./{kind}; reinstall songngu, or pass --{kind} PATH")


def installed(kind: str) -> Path | None:
    """songngu's own folder of ``kind``: package data, or the checkout's top-level folder."""
    packaged = importlib.resources.files("songngu").joinpath(kind)
    if isinstance(packaged, Path) and packaged.is_dir():
        return packaged
    checkout = _CHECKOUT / kind
    return checkout if checkout.is_dir() else None
