"""Jobs in worker processes: results, reports and errors come back to the parent."""

from __future__ import annotations

import os
from functools import partial

import pytest

from songngu.errors import ContentError, Problem, SetupError
from songngu.parallel import JobFailed, Pool

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
    with pytest.raises(ContentError) as caught:
        with Pool(2, print) as pool:
            pool.submit(partial(_raise, ContentError(PROBLEMS)), print)
    assert caught.value.problems == PROBLEMS


def test_the_other_jobs_finish_when_one_fails():
    results = []
    with pytest.raises(SetupError, match="template 'x' not found"):
        with Pool(2, print) as pool:
            pool.submit(partial(_raise, SetupError("template 'x' not found")), results.append)
            pool.submit(_answer, results.append)
            pool.submit(_answer, results.append)
    assert results == ["done", "done"]


def test_a_worker_that_dies_is_reported():
    with pytest.raises(JobFailed, match="ended unexpectedly"):
        with Pool(1, print) as pool:
            pool.submit(_die, print)


def test_an_unexpected_error_carries_the_workers_traceback():
    with pytest.raises(JobFailed, match="KeyError: 'missing'") as caught:
        with Pool(1, print) as pool:
            pool.submit(_broken, print)
    assert "in _broken" in caught.value.details


def test_a_job_that_cannot_be_sent_runs_in_the_parent():
    results = []
    with Pool(1, print) as pool:
        pool.submit(lambda report: os.getpid(), results.append)
    assert results == [os.getpid()]
