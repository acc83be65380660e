"""Keep two runs from writing the same folder at once.

a folder → an exclusive ``flock`` on it, held for the duration of a ``with`` block. A second
build into the same output folder (or a second ``sync`` of the same document) waits for the
first to finish, saying so, instead of mixing its files with the other's. The lock is taken
on the folder itself, so no lock file is left behind; it goes with the process that holds
it, however that process ends. A process forked while a lock is held (a layout worker) does
not keep the lock alive after its parent is gone: its copy is closed at once.
"""

from __future__ import annotations

import errno
import fcntl
import os
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from .errors import SetupError

_held: set[int] = set()


def _forget_in_child() -> None:
    for fd in list(_held):
        try:
            os.close(fd)
        except OSError:
            pass
    _held.clear()


os.register_at_fork(after_in_child=_forget_in_child)


@contextmanager
def folder_lock(folder: Path, what: str, report: Callable[[object], None] | None = None):
    """Hold an exclusive lock on ``folder`` (made if missing); wait for another holder."""
    made = not folder.exists()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as exc:
        reason = "it is a file, not a folder" if isinstance(exc, FileExistsError) \
            else exc.strerror
        hint = "; choose another output folder with --out" if what == "output" else ""
        raise SetupError(f"cannot write to {folder}: {reason}{hint}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN):
                raise
            if report is not None:
                report(f"waiting: another run is writing to {folder} (it holds the lock); "
                       f"this one starts when it ends")
            fcntl.flock(fd, fcntl.LOCK_EX)
        _held.add(fd)
        yield
    finally:
        _held.discard(fd)
        os.close(fd)
        if made:  # a run that wrote nothing leaves no empty folder behind
            try:
                folder.rmdir()
            except OSError:  # not empty: the run's outputs are in it
                pass
