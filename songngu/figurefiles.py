"""Allow a figure's file only if it is an image inside the document's folder.

the file name a figure gives in document.yaml → None, or why the file may not be used: a URL,
an absolute path, a path leading outside the folder (``..``, a symbolic link), a device or a
pipe, a missing file, a file that is no PNG, JPEG or SVG. Checked before anything reads the
file, so content never decides what the program reads; the image itself is then checked by
:mod:`songngu.media`.
"""

from __future__ import annotations

import re
from pathlib import Path

FIGURE_TYPES = {".png": b"\x89PNG\r\n\x1a\n", ".jpg": b"\xff\xd8\xff", ".jpeg": b"\xff\xd8\xff",
                ".svg": None}
"""Image files a figure may use, by suffix, with the bytes such a file starts with."""
_URL = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*://|(?:data|file|javascript|mailto):)", re.I)


def figure_file_problem(file: Path, written: str, folder: Path,
                        place: str = "the document's folder") -> str | None:
    """Why a figure's file cannot be used, or None for a PNG, JPEG or SVG inside ``folder``.

    Checked before anything renders, so that a figure pointing at the network, at a device
    such as /dev/urandom, at a pipe or outside the folder (by '..' or a symbolic link) is
    reported with its line and never read.
    """
    expected = f"expected a PNG, JPEG or SVG file inside {place}"
    if len(written) > 1000 or any(len(part.encode()) > 255 for part in Path(written).parts):
        return f"{expected}, found a file name of {len(written):,} characters, longer than " \
               f"file systems allow"
    if _URL.match(written):
        return f"{expected} (a relative path such as images/chart.png), found the URL {written!r}"
    if Path(written).is_absolute():
        return f"{expected} (a relative path such as images/chart.png), found the absolute " \
               f"path {written!r}"
    try:
        inside = file.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):  # a loop of symbolic links
        inside = False
    if not inside:
        return f"{expected}, found {written!r}, which leads outside the folder"
    if not file.exists():
        return f"{expected}, found {written!r}, which does not exist in {folder}"
    if not file.is_file():
        return f"{expected}, found {written!r}, which is not a regular file"
    suffix = file.suffix.lower()
    if suffix not in FIGURE_TYPES:
        return f"{expected} (ending in {', '.join(FIGURE_TYPES)}), found {written!r}"
    from . import limits, media
    magic = FIGURE_TYPES[suffix]
    try:
        with file.open("rb") as handle:
            head = handle.read(16) if magic else handle.read(limits.FILE_BYTES.value + 1)
    except OSError as exc:
        return f"cannot read {written!r}: {exc.strerror}"
    if magic is not None:
        kind = "PNG" if suffix == ".png" else "JPEG"
        if not head.startswith(magic):
            return f"expected a {kind} image in {written!r}, found other data"
        return media.raster_problem(file, written, kind)
    if len(head) > limits.FILE_BYTES.value:
        return f"the SVG image {written!r} is too large: {limits.FILE_BYTES.exceeded('more')}"
    return media.svg_problem(head, written)
