"""Find the font files a template names: in the project's ``fonts/``, else among the few
system fonts the project allows.

font file name → path. The scripts the shipped serif lacks (Japanese, Chinese, Korean) are
drawn by Noto Serif CJK, which is too large to ship (26 MB a weight) and comes from Debian's
``fonts-noto-cjk`` package instead (installed by the README's set-up and ``.ci/run``). Only the
files named here are ever read from outside ``fonts/``; a name is never taken from content.
"""

from __future__ import annotations

from pathlib import Path

SYSTEM_FONTS = {
    "NotoSerifCJK-Regular.ttc": Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"),
    "NotoSerifCJK-Bold.ttc": Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc"),
}
"""Fonts a template may use without shipping them, with the package that installs them."""
SYSTEM_PACKAGE = "fonts-noto-cjk"


def find_font(fonts: Path, name: str) -> Path | None:
    """The file of font ``name``: ``fonts/<name>``, else the installed system font of that name."""
    path = (fonts / name).resolve()
    if path.is_relative_to(fonts.resolve()) and path.is_file():
        return path
    system = SYSTEM_FONTS.get(name)
    return system if system is not None and system.is_file() else None


def is_system_font(name: str) -> bool:
    return name in SYSTEM_FONTS
