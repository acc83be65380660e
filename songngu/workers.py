"""Run build jobs in worker processes, as many at once as there are cores.

A job is a function ``job(report) -> result``, pickled to a worker (a ``functools.partial`` of
a module-level function over plain data: the PDF jobs of :mod:`songngu.layout`). Workers are
forked as soon as a build knows it has work, and each warms up at once (imports WeasyPrint)
while the parent process checks the content and renders the pages: a build's own work then
costs next to no time beside WeasyPrint's. A worker sends back its reports as they come, then
the job's result or error; the parent prints the reports and hands each result to the job's
``on_done``. A job's error comes back as the same kind of error: a content error with all its
problems, a setup error with its message, anything else as :class:`JobFailed` with the
worker's traceback.

A process that lays out a page itself (the issue's front matter, a test) forks workers only
once the threads Pango started for it have ended (:func:`library_threads_ended`): Pango asks
Fontconfig for fonts in threads of its own, which may outlive the layout that started them, and
a worker forked while one of them held a Fontconfig lock would wait for that lock for ever.

A worker ends with ``os._exit``: it must not run the parent's exit handlers or flush the
parent's buffers a second time. It stops at SIGTERM like at Ctrl-C, removing its temporary
files; one that does not stop within a second (deep inside a layout) is killed. It dies with
its parent: the kernel kills it when the parent ends, however the parent ends
(``PR_SET_PDEATHSIG``), and it checks that its parent is still the one that started it before
it renames a finished file (:func:`still_wanted`). A worker only ever writes into its build's
own folder (:mod:`songngu.staging`); putting files in place is the parent's last step.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from multiprocessing.connection import Connection, Pipe, wait
from typing import Any

from .errors import ContentError, SetupError

Job = Callable[[Callable[[object], None]], Any]
Report = Callable[[object], None]


STOP_GRACE = 1.0
"""Seconds a worker has to stop at SIGTERM before it is killed."""
LIBRARY_THREADS_WAIT = 10.0
"""Seconds :func:`library_threads_ended` waits at most: Pango's threads end within
milliseconds, the one that first reads Fontconfig's font caches within a second or two on a
cold disk."""
_PR_SET_PDEATHSIG = 1
_parent: int | None = None
"""In a worker: the process that started it."""


def still_wanted() -> bool:
    """Whether this process may still put a file in place: not a worker whose parent is gone
    (it would be adopted by another process, and its build superseded)."""
    return _parent is None or os.getppid() == _parent


def _die_with_parent(parent: int) -> None:
    """Ask the kernel to kill this process when its parent ends (Linux); end now if the
    parent ended already, between the fork and this call."""
    global _parent
    _parent = parent
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: still_wanted() still guards the renames
        pass
    if os.getppid() != parent:
        os._exit(1)


class JobFailed(Exception):
    """A job raised something unexpected; ``details`` is the worker's traceback."""

    def __init__(self, message: str, details: str = ""):
        super().__init__(message)
        self.details = details


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


class Pool:
    """``workers`` warm workers; jobs go to whichever is free."""

    def __init__(self, workers: int, report: Report, warm_up: Callable[[], None] | None = None):
        self.report = report
        self.idle: list[Worker] = []
        for _ in range(max(1, workers)):
            self.idle.append(Worker.start(warm_up, siblings=self.idle, end_at_once=True))
        self.busy: dict[Connection, tuple[Worker, Callable[[Any], None],
                                          Callable[[ContentError], None] | None]] = {}
        self.errors: list[BaseException] = []

    def submit(self, job: Job, on_done: Callable[[Any], None],
               on_error: Callable[[ContentError], None] | None = None) -> None:
        """Hand ``job`` to a free worker, waiting for one if need be. ``on_error``: what to do
        when the job finds problems in its content, instead of failing the whole pool."""
        while not self.idle:
            if not self.busy:  # every worker has died: waiting would never end
                raise self.errors[0] if self.errors else JobFailed("no build process left")
            self._wait_any()
        worker = self.idle.pop()
        try:
            worker.send(job)
        except (pickle.PicklingError, TypeError, AttributeError):
            self.idle.append(worker)  # a job that cannot travel runs here
            on_done(job(self.report))
            return
        self.busy[worker.conn] = (worker, on_done, on_error)

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, kind, error, tb) -> None:
        """Let the running jobs finish, then raise the first job's error. If the block raised
        (Ctrl-C, an error that stops an issue's articles, a test's time limit), stop them at
        once instead: the build fails, and nothing they would make is put in place."""
        if kind is not None:
            self._stop_all()
            return
        try:
            while self.busy:
                self._wait_any()
        except BaseException:  # Ctrl-C, SIGTERM or a time limit while waiting for the last jobs
            self._stop_all()
            raise
        finally:
            _stop(self.idle)  # at once, even one still warming up
        if self.errors:
            raise self.errors[0]

    def _stop_all(self) -> None:
        _stop([*self.idle, *(w for w, _, _ in self.busy.values())])
        self.idle, self.busy = [], {}

    def _wait_any(self) -> None:
        ready = set(wait(list(self.busy)))
        for conn in [conn for conn in self.busy if conn in ready]:
            worker, on_done, on_error = self.busy[conn]
            try:
                finished, result = worker.pump(self.report)
            except JobFailed as exc:  # the worker is gone; the other jobs go on
                self.errors.append(exc)
                del self.busy[conn]
                worker.reap()
                continue
            except ContentError as exc:
                if on_error is None:
                    self.errors.append(exc)
                else:
                    on_error(exc)
                finished = False
                del self.busy[conn]
                self.idle.append(worker)
            except Exception as exc:  # the job failed; its worker is free again
                self.errors.append(exc)
                finished = False
                del self.busy[conn]
                self.idle.append(worker)
            if finished:
                del self.busy[conn]
                self.idle.append(worker)
                on_done(result)


class Worker:
    """A forked process that runs the jobs sent to it, one at a time."""

    def __init__(self, pid: int, conn: Connection):
        self.pid = pid
        self.conn = conn
        self._reaping = threading.Lock()
        self._reaped = False

    @classmethod
    def start(cls, warm_up: Callable[[], None] | None = None,
              siblings: Sequence[Worker] = (), end_at_once: bool = False) -> Worker:
        """Fork a worker. ``end_at_once``: it ends at SIGTERM or SIGINT without unwinding
        (a layout worker: what it writes is in its build's folder, which the build removes)."""
        sys.stdout.flush()
        sys.stderr.flush()
        ours, theirs = Pipe(duplex=True)
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:
            _die_with_parent(parent)
            # Only this worker's pipe stays open here: the others must see EOF when their
            # parent goes away.
            for sibling in siblings:
                sibling.conn.close()
            ours.close()
            _serve(theirs, warm_up, end_at_once)
        theirs.close()
        return cls(pid, ours)

    def send(self, job: Job) -> None:
        self.conn.send(job)

    def pump(self, report: Report) -> tuple[bool, Any]:
        """Handle one message: (True, result) once the job is done, else (False, None).

        Raises the job's error, or :class:`JobFailed` if the worker died without a word.
        """
        try:
            kind, *payload = self.conn.recv()
        except (EOFError, OSError):
            raise JobFailed("a build process ended unexpectedly (killed, or out of memory?)") \
                from None
        if kind == "report":
            report(payload[0])
            return False, None
        if kind == "done":
            return True, payload[0]
        if kind == "content-error":
            raise ContentError(payload[0])
        if kind == "setup-error":
            raise SetupError(payload[0])
        if kind == "stopped":
            raise KeyboardInterrupt
        raise JobFailed(*payload)

    def run(self, job: Job, report: Report) -> Any:
        """Run one job and end the worker; return the job's result or raise its error."""
        try:
            self.send(job)
            while True:
                finished, result = self.pump(report)
                if finished:
                    return result
        finally:
            self.close()

    def interrupt(self) -> None:
        """Ask the job to stop; it removes its temporary files and says that it stopped."""
        with self._reaping:
            if not self._reaped:
                os.kill(self.pid, signal.SIGTERM)

    def stop(self) -> None:
        """Stop the job within a second: SIGTERM, then SIGKILL if it has not ended by then
        (its temporary files are in its build's folder, which goes with the build)."""
        self.interrupt()
        self.end_within(time.monotonic() + STOP_GRACE)

    def end_within(self, deadline: float) -> None:
        """Wait for the worker to end, asked to already; kill it at ``deadline``."""
        while time.monotonic() < deadline:
            with self._reaping:
                if self._reaped:
                    return
                pid, _ = os.waitpid(self.pid, os.WNOHANG)
                if pid:
                    self._reaped = True
                    self.conn.close()
                    return
            time.sleep(0.01)
        with self._reaping:
            if not self._reaped:
                os.kill(self.pid, signal.SIGKILL)
        self.reap()

    def close(self) -> None:
        """End an idle worker."""
        try:
            self.conn.send(None)
        except OSError:
            pass
        self.reap()

    def reap(self) -> None:
        with self._reaping:
            if self._reaped:
                return
            self.conn.close()
            os.waitpid(self.pid, 0)
            self._reaped = True


@contextmanager
def library_threads_ended(limit: float = LIBRARY_THREADS_WAIT) -> Iterator[None]:
    """Run the block, then wait until the threads a C library started during it have ended
    (at most ``limit`` seconds).

    A fork copies only the thread that forks, and every lock as it stands: a lock another
    thread held stays held in the child, by no one, and the child waits for ever the first
    time it asks for it. Pango matches fonts in threads of its own, which take Fontconfig's
    locks and may still run when the layout that started them returns (a loaded machine):
    a worker forked then hung in its first layout, inside Fontconfig."""
    before = _library_threads()
    try:
        yield
    finally:
        deadline = time.monotonic() + limit
        while _library_threads() - before and time.monotonic() < deadline:
            time.sleep(0.001)


def _library_threads() -> set[int]:
    """The ids of this process's threads that Python's ``threading`` did not start."""
    try:
        tasks = {int(task) for task in os.listdir("/proc/self/task")}
    except OSError:  # no /proc (not Linux): nothing to wait for
        return set()
    return tasks - {thread.native_id for thread in threading.enumerate()}


def _stop(workers: Sequence[Worker]) -> None:
    """Stop ``workers`` all at once: each is asked first, so that they end together, each
    within the one second."""
    for worker in workers:
        worker.interrupt()
    deadline = time.monotonic() + STOP_GRACE
    for worker in workers:
        worker.end_within(deadline)


_AT_END: list[Callable[[], None]] = []


def at_end(cleanup: Callable[[], None]) -> None:
    """Have ``cleanup`` run when a worker ends: it ends with ``os._exit``, which runs no
    ``atexit`` function."""
    if cleanup not in _AT_END:
        _AT_END.append(cleanup)


def _clean_up() -> None:
    for cleanup in _AT_END:
        try:
            cleanup()
        except Exception:  # an ending worker has no one to tell
            pass


def _serve(conn: Connection, warm_up: Callable[[], None] | None,
           end_at_once: bool = False) -> None:
    """The worker's life: warm up, then run jobs until told to stop."""
    status = 0
    try:
        if end_at_once:  # within WeasyPrint, unwinding could take seconds
            signal.signal(signal.SIGTERM, _end_now)
            signal.signal(signal.SIGINT, _end_now)
        else:
            # SIGTERM (a newer save in watch mode) unwinds like Ctrl-C: the build it runs
            # stops its workers and removes its folder.
            signal.signal(signal.SIGTERM, _interrupt)
        if warm_up is not None:
            warm_up()
        while True:
            try:
                job = conn.recv()
            except EOFError:  # the parent has gone
                break
            if job is None:
                break
            _run_job(job, conn)
    except KeyboardInterrupt:
        status = 130
        _send_quietly(conn, ("stopped",))
    except BaseException:
        status = 1
    finally:
        try:
            _clean_up()
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(status)


def _run_job(job: Job, conn: Connection) -> None:
    try:
        result = job(lambda item: conn.send(("report", item)))
    except ContentError as exc:
        conn.send(("content-error", exc.problems))
    except SetupError as exc:
        conn.send(("setup-error", str(exc)))
    except Exception as exc:
        conn.send(("failed", f"{type(exc).__name__}: {exc}", traceback.format_exc()))
    else:
        conn.send(("done", result))


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _end_now(signum, frame):
    _clean_up()
    os._exit(128 + signum)


def _send_quietly(conn: Connection, message: tuple) -> None:
    try:
        conn.send(message)
    except OSError:  # the parent has gone
        pass
