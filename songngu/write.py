"""Write rendered pages to disk: HTML as it is, PDF through WeasyPrint.

HTML text → files. This is the only module that imports WeasyPrint. Every file is written to
a temporary name in its folder and renamed into place, so a failed build never leaves a
half-written file and never destroys the last good output. While rendering, WeasyPrint may
read only the project's fonts and the document's own folder: any other URL stops the build
with a message instead of a network request or a read elsewhere.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .errors import SetupError

VIRTUAL_ROOT = "/songngu-document/"
"""Base URL path of a page while it renders; maps to the allowed folders below."""


@dataclass(frozen=True)
class Assets:
    """Where the files a page refers to (``fonts/…``, ``media/…``) really are."""

    fonts: Path
    media: Path

    def resolve(self, relative: str) -> Path | None:
        """The real file for a page-relative URL path, or None if it lies elsewhere."""
        top, _, rest = relative.partition("/")
        root = {"fonts": self.fonts, "media": self.media}.get(top)
        if root is None or not rest:
            return None
        path = (root / rest).resolve()
        return path if path.is_relative_to(root.resolve()) and path.is_file() else None


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
    try:
        yield Path(tmp)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


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


class RenderedPdf:
    """A laid-out PDF: its page count is known before it is written."""

    def __init__(self, document, options: dict):
        self._document = document
        self._options = options

    @property
    def page_count(self) -> int:
        return len(self._document.pages)

    def write(self, target: Path, finish=None) -> None:
        """Write the PDF atomically; ``finish(path)`` may post-process the temporary file."""
        with atomic_path(target) as tmp:
            self._document.write_pdf(tmp, **self._options)
            if finish is not None:
                finish(tmp)


def render_pdf(html: str, assets: Assets, **pdf_options) -> RenderedPdf:
    """Lay out an HTML page with WeasyPrint, reading only from ``assets``."""
    # Imported here, not at the top: a build with nothing to do must not pay WeasyPrint's
    # import time (about a second).
    import weasyprint

    from weasyprint.urls import FatalURLFetchingError

    fetcher = _fetcher_class()(assets)
    try:
        document = weasyprint.HTML(string=html, base_url=f"file://{VIRTUAL_ROOT}",
                                   url_fetcher=fetcher).render()
    except FatalURLFetchingError as exc:
        raise ForbiddenResource(str(exc)) from None
    return RenderedPdf(document, pdf_options)


class ForbiddenResource(Exception):
    """A page referred to a file outside the project's fonts and the document's folder."""


def _fetcher_class():
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    class Refused(FatalURLFetchingError):
        pass

    class ProjectFetcher(URLFetcher):
        """Serves ``fonts/…`` and ``media/…`` from the project; refuses everything else."""

        def __init__(self, assets: Assets):
            super().__init__(allowed_protocols={"file"})
            self.assets = assets

        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            path = unquote(parts.path)
            if parts.scheme == "file" and path.startswith(VIRTUAL_ROOT):
                source = self.assets.resolve(path[len(VIRTUAL_ROOT):])
                if source is not None:
                    return URLFetcherResponse(url, source.read_bytes())
            raise Refused(f"refused to load {url!r}: pages may only use the project's fonts "
                          f"and files inside the document's folder")

    return ProjectFetcher
