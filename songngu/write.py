"""Write files so that a failed build never leaves a half-written one.

text or bytes → a file. Every file is written to a temporary name in its folder and renamed
into place, so a failed or interrupted build never leaves a half-written file and never
destroys the last good output; this is the one way songngu writes an output. A page's fonts
and images (:class:`Assets`, the only files a page may refer to) are copied beside it so
that the HTML stands alone.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from . import workers
from .errors import SetupError
from .fontfiles import find_font, is_system_font


@dataclass(frozen=True)
class Assets:
    """Where the files a page refers to (``fonts/…``, ``media/…``) really are."""

    fonts: Path
    media: Path
    fallbacks: tuple[str, ...] | None = None
    """The fallback fonts the page may load: those that draw a character of its content.
    WeasyPrint copies every font a page declares before laying it out (Noto Serif CJK:
    50 MB), and a page copied beside its HTML takes its fonts along; one no character needs
    is left out. None: any that is installed. A sorted tuple, not a set: a job's fingerprint
    is the same in every process."""
    optional: tuple[str, ...] = ()
    """The fallback fonts the template declares (faces with a ``unicode-range``) in the
    fonts folder: like the system ones (:data:`songngu.fontfiles.SYSTEM_FONTS`), loaded only
    when ``fallbacks`` names them."""

    def resolve(self, relative: str) -> Path | None:
        """The real file for a page-relative URL path, or None if it lies elsewhere."""
        top, _, rest = relative.partition("/")
        root = {"fonts": self.fonts, "media": self.media}.get(top)
        if root is None or not rest:
            return None
        if top == "fonts":
            if self.fallbacks is not None and self.is_fallback(rest) and \
                    rest not in self.fallbacks:
                return None
            return find_font(self.fonts, rest)
        path = (root / rest).resolve()
        return path if path.is_relative_to(root.resolve()) and path.is_file() else None

    def is_fallback(self, font: str) -> bool:
        return is_system_font(font) or font in self.optional


@contextmanager
def atomic_path(target: Path):
    """Yield a temporary path beside ``target``; rename it onto ``target`` on success."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    except OSError as exc:
        raise SetupError(f"cannot write to {target.parent}: {exc.strerror}; choose another "
                         f"output folder with --out") from None
    os.close(fd)
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp's 0600 would hide outputs from other readers
    try:
        try:
            yield Path(tmp)
        except OSError as exc:  # a full disk, a quota: a setup problem, not a crash
            raise SetupError(f"cannot write {target}: {exc.strerror or exc}; nothing was "
                             f"written") from None
        if not workers.still_wanted():  # a worker whose build has gone: never rename
            raise KeyboardInterrupt
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text(target: Path, text: str) -> None:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_bytes(target: Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def copy_assets(html_dir: Path, assets: Assets, names: list[str]) -> None:
    """Copy the fonts and media a page refers to beside it, so it stands alone."""
    for name in names:
        source = assets.resolve(name)
        if source is None:
            continue
        target = html_dir / name
        if target.is_file() and target.stat().st_size == source.stat().st_size \
                and target.stat().st_mtime >= source.stat().st_mtime:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(target) as tmp:
            shutil.copyfile(source, tmp)
