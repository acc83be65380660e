"""Jobs in worker processes: results, reports and errors come back to the parent."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from functools import partial

import pytest
from conftest import ROOT
from pypdf import PdfReader

from songngu.errors import ContentError, Problem, SetupError
from songngu.workers import JobFailed, Pool

PROBLEMS = [Problem("en.yaml", 5, "duplicate id"), Problem("vi.yaml", 3, "expected a title")]


def _where(report):
    report(f"working in {os.getpid()}")
    return os.getpid()


def _raise(error, report):
    raise error


def _die(report):
    os._exit(9)


def _broken(report):
    return {}["missing"]


def _answer(report):
    return "done"


def test_jobs_run_in_worker_processes_and_report_back():
    reports, results = [], []
    with Pool(2, reports.append) as pool:
        for _ in range(4):
            pool.submit(_where, results.append)
    assert len(results) == 4
    assert os.getpid() not in results and len(set(results)) == 2
    assert sorted(reports) == sorted(f"working in {pid}" for pid in results)


def test_a_content_error_comes_back_with_all_its_problems():
    with pytest.raises(ContentError) as caught, Pool(2, print) as pool:
        pool.submit(partial(_raise, ContentError(PROBLEMS)), print)
    assert caught.value.problems == PROBLEMS


def test_the_other_jobs_finish_when_one_fails():
    results = []
    with pytest.raises(SetupError, match="template 'x' not found"), Pool(2, print) as pool:
        pool.submit(partial(_raise, SetupError("template 'x' not found")), results.append)
        pool.submit(_answer, results.append)
        pool.submit(_answer, results.append)
    assert results == ["done", "done"]


def test_a_worker_that_dies_is_reported():
    with pytest.raises(JobFailed, match="ended unexpectedly"), Pool(1, print) as pool:
        pool.submit(_die, print)


def test_an_unexpected_error_carries_the_workers_traceback():
    with pytest.raises(JobFailed, match="KeyError: 'missing'") as caught, \
            Pool(1, print) as pool:
        pool.submit(_broken, print)
    assert "in _broken" in caught.value.details


def _finish_later(path, report):
    time.sleep(3)
    path.write_text("finished")


def test_the_running_jobs_are_stopped_when_the_build_fails(tmp_path):
    """An error in the build (an article of an issue with errors, Ctrl-C, a test's time
    limit) stops the layouts under way rather than waiting for them: nothing they make would
    be put in place."""
    finished = tmp_path / "finished"
    with pytest.raises(RuntimeError, match="the build failed"), Pool(1, print) as pool:
        pool.submit(partial(_finish_later, finished), print)
        (worker,) = [worker for worker, _, _ in pool.busy.values()]
        raise RuntimeError("the build failed")
    assert not finished.exists()
    with pytest.raises(ChildProcessError):
        os.waitpid(worker.pid, os.WNOHANG)  # ended, and reaped


def test_a_job_that_cannot_be_sent_runs_in_the_parent():
    results = []
    with Pool(1, print) as pool:
        pool.submit(lambda report: os.getpid(), results.append)
    assert results == [os.getpid()]


# --------------------------------------------------------------------------- what travels

STAGES = ("yaml", "jinja2", "markdown_it", "citeproc", "babel", "lxml", "fontTools",
          "songngu.pipeline", "songngu.model", "songngu.render", "songngu.cite_format")
"""What a build imports to check and render content: none of it may be needed to lay out."""

UNPICKLE_AND_RUN = """\
import pickle, sys
job = pickle.loads(sys.stdin.buffer.read())
loaded = sorted(name for name in {stages!r} if name in sys.modules)
print("loaded by the job:", loaded)
print("wrote:", [str(path) for path in job(print)])
"""


def test_a_pdf_job_is_plain_data_that_a_fresh_process_lays_out(tmp_path):
    """The job a worker gets needs none of the content stages: a worker forked before they are
    imported can run it, and lays out the very page the build wrote as HTML."""
    import pickle

    from songngu import layout, pipeline
    from songngu.project import BuildOptions, HandoutOptions, Project

    # The short note (two pages), numbered from a first page of its own: the job carries it.
    note = tmp_path / "content" / "note"
    shutil.copytree(ROOT / "content" / "pagination-note", note)
    with (note / "document.yaml").open("a", encoding="utf-8") as shared:
        shared.write("first_page: 37\n")
    project = Project(note.parent, ROOT / "templates", ROOT / "fonts", tmp_path)
    options = BuildOptions(handout=HandoutOptions("2up"))
    checked, resolved = pipeline.check_and_resolve(note, project, options, lambda item: None)
    files, jobs = pipeline.prepare_output(checked, resolved, "vi", project, options,
                                          lambda item: None)
    assert files == [tmp_path / "vi" / "note.html"]
    assert [type(job) for job in jobs] == [layout.JournalPdf, layout.HandoutPdf]
    assert jobs[0].html == files[0].read_text(encoding="utf-8")

    run = subprocess.run([sys.executable, "-c", UNPICKLE_AND_RUN.format(stages=STAGES)],
                         input=pickle.dumps(partial(layout.run, jobs)), cwd=tmp_path,
                         capture_output=True, timeout=300)
    assert run.returncode == 0, run.stderr.decode()
    out = run.stdout.decode()
    assert "loaded by the job: []" in out
    written = [tmp_path / "vi" / f"note.{kind}.pdf" for kind in ("handout", "2up")]
    assert f"wrote: {[str(tmp_path / 'vi' / 'note.pdf'), *map(str, written)]}" in out
    assert PdfReader(tmp_path / "vi" / "note.pdf").page_labels[:2] == ["37", "38"]


def test_the_command_line_loads_no_stage_before_it_forks():
    """``build.py`` starts its workers before it imports any stage: its own imports are light."""
    probe = (f"import sys\nimport songngu.cli\n"
             f"print(sorted(name for name in {STAGES + ('weasyprint',)!r} if name in sys.modules))")
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         timeout=60, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"
