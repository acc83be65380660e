"""How fast a build is, measured as whole processes and set beside bare WeasyPrint.

    python tests/benchmarks/bench_build.py [--runs 7] [--edits 5] [--scale] [--no-watch]

Figures (medians over the runs; the processes measured alternate, so that a busy machine
slows both sides alike):

* ``python build.py --lang vi --force`` against bare WeasyPrint rendering the very HTML that
  build wrote, from its folder (``weasyprint.HTML(filename=…, base_url=…).write_pdf(…)`` with
  the same PDF variant); the median of the per-run ratios (target: at most 1.05);
* the same without ``--force``, after an edit of one paragraph of vi.yaml (what an editor
  does): the build plans before it forks its workers;
* bare WeasyPrint again, with the garbage collector set as the build's workers set it (see
  songngu.schedule): the build's own overhead, without the gain of that setting;
* ``--lang all --force`` (both languages, PDF and HTML) against ``--lang vi --force``
  (target: at most 1.3);
* a build with nothing to do (target: well under half a second);
* with ``--watch --lang vi``, the time from saving vi.yaml until the HTML, then the PDF, is
  written again;
* with ``--scale``: a generated document of about 200 pages, and a batch of 20 copies of the
  sample: seconds per page and the peak memory of the largest process (targets: at most
  0.25 s a page, 450 MB).

Wall times are what a user waits; CPU times (user + system, the build's worker processes
included) are printed beside them. A measured process is started by a small wrapper that
reads its resource usage alone (``getrusage(RUSAGE_CHILDREN)``), so peaks do not mix.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_large import make_batch, make_large  # noqa: E402

from songngu import project  # noqa: E402

MEASURE = """\
import json, resource, subprocess, sys, time
started = time.perf_counter()
run = subprocess.run(sys.argv[1:], capture_output=True, text=True)
wall = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
                  "peak_mb": usage.ru_maxrss / 1024, "status": run.returncode,
                  "stdout": run.stdout, "stderr": run.stderr}))
"""

BARE = """\
import gc, sys
import weasyprint
html, base, target, variant, tuned = sys.argv[1:]
if tuned == "tuned":
    gc.freeze()
    gc.set_threshold(20_000, *gc.get_threshold()[1:])
weasyprint.HTML(filename=html, base_url=base).write_pdf(target, pdf_variant=variant,
                                                         pdf_tags=True)
"""


def measure(*command: str) -> dict:
    """Run ``command`` once as a process of its own; its wall and CPU time, peak memory."""
    wrapper = subprocess.run([sys.executable, "-c", MEASURE, *command], cwd=ROOT,
                             capture_output=True, text=True, check=True)
    result = json.loads(wrapper.stdout)
    if result["status"] != 0:
        sys.exit(f"failed: {' '.join(command)}\n{result['stdout']}{result['stderr']}")
    return result


def build(*args: str) -> list[str]:
    return [sys.executable, str(ROOT / "build.py"), *args]


def median(runs: list[dict], key: str = "wall") -> float:
    return statistics.median(run[key] for run in runs)


def pages_written(stdout: str) -> int:
    return sum(int(n) for n in re.findall(r"\.pdf \((\d+) pages?", stdout))


def against_weasyprint(work: Path, runs: int) -> dict:
    """--lang vi, bare WeasyPrint on the same HTML, --lang all: alternating, ``runs`` times."""
    out = work / "out"
    content = work / "content"
    shutil.copytree(ROOT / "content", content)
    # The sample alone, as bare WeasyPrint lays out its one page: content/ holds other
    # documents too.
    sample = ROOT / "content" / "asean-japan"
    measure(*build("--lang", "all", "--content", str(sample), "--out", str(out), "--force"))
    measure(*build("--lang", "vi", "--content", str(content), "--out", str(work / "edited")))
    html = out / "vi" / "asean-japan.html"
    bare = [sys.executable, "-c", BARE, str(html), f"{html.parent}/", str(work / "bare.pdf"),
            project.DEFAULT_PDF_VARIANT]
    commands = {"vi": build("--lang", "vi", "--content", str(sample), "--out", str(out),
                            "--force"),
                "bare": [*bare, "plain"], "tuned": [*bare, "tuned"],
                "edit": build("--lang", "vi", "--content", str(content), "--out",
                              str(work / "edited")),
                "all": build("--lang", "all", "--content", str(sample), "--out", str(out),
                             "--force")}
    vi_text = content / "asean-japan" / "vi.yaml"
    original = vi_text.read_text(encoding="utf-8")
    order = list(commands)
    results = {name: [] for name in commands}
    for run in range(runs):
        shift = run % len(order)
        for name in order[shift:] + order[:shift]:  # each goes first in turn
            if name == "edit":  # a word of the introduction changes: vi is built again
                vi_text.write_text(original.replace("Nhật Bản", f"Nhật Bản ({run + 1})", 1),
                                   encoding="utf-8")
            results[name].append(measure(*commands[name]))
            print(f"  run {run + 1}/{runs} {name:5}: {results[name][-1]['wall']:.2f} s",
                  file=sys.stderr)
    assert all("laying out" in r["stdout"] for r in results["edit"]), results["edit"][0]
    return results


def nothing_to_do(work: Path, runs: int) -> list[dict]:
    out = work / "out"
    measure(*build("--lang", "vi", "--out", str(out)))  # whatever changed since, built now
    results = [measure(*build("--lang", "vi", "--out", str(out))) for _ in range(runs)]
    assert all("nothing to do" in r["stdout"] for r in results), results[0]["stdout"]
    return results


def watch_times(work: Path, edits: int) -> tuple[list[float], list[float]]:
    """Seconds from a save of vi.yaml until the HTML, then the PDF, is written again."""
    content = work / "watched" / "content"
    shutil.copytree(ROOT / "content" / "asean-japan", content / "asean-japan")
    out = work / "watched" / "out"
    process = subprocess.Popen(
        build("--watch", "--lang", "vi", "--port", "0", "--content", str(content), "--out",
              str(out)), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True)
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(process.stdout), daemon=True).start()
    vi, html, pdf = content / "asean-japan" / "vi.yaml", out / "vi" / "asean-japan.html", \
        out / "vi" / "asean-japan.pdf"
    to_html, to_pdf = [], []
    try:
        _wait(lambda: _idle(lines) == 1, 300)
        original = vi.read_text(encoding="utf-8")
        for edit in range(edits):
            marker = f"Lần sửa {edit + 1}"
            before = pdf.stat().st_mtime_ns
            vi.write_text(original.replace("title: Quan hệ", f"title: {marker}. Quan hệ", 1),
                          encoding="utf-8")
            saved = time.perf_counter()
            _wait(lambda marker=marker: marker in html.read_text(encoding="utf-8"), 120)
            to_html.append(time.perf_counter() - saved)
            _wait(lambda before=before: pdf.stat().st_mtime_ns != before, 300)
            to_pdf.append(time.perf_counter() - saved)
            _wait(lambda edit=edit: _idle(lines) == edit + 2, 60)
            print(f"  edit {edit + 1}/{edits}: HTML {to_html[-1]:.2f} s, PDF {to_pdf[-1]:.2f} s",
                  file=sys.stderr)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    return to_html, to_pdf


def scale(work: Path) -> dict:
    large = make_large(work / "large" / "content" / "large", copies=21)
    one = measure(*build("--lang", "vi", "--force", "--content", str(large), "--out",
                         str(work / "large" / "out")))
    batch_content = work / "batch" / "content"
    make_batch(batch_content, 20)
    many = measure(*build("--lang", "vi", "--force", "--content", str(batch_content), "--out",
                          str(work / "batch" / "out")))
    return {"200 pages": one, "20 documents": many}


def _idle(lines: list[str]) -> int:
    return sum(line.startswith("watching for changes") for line in lines)


def _wait(condition, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if condition():
                return
        except OSError:  # a file being replaced
            pass
        if time.monotonic() > deadline:
            raise TimeoutError("the watched build did not finish in time")
        time.sleep(0.005)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs of each build (default 7)")
    parser.add_argument("--edits", type=int, default=5, help="saves timed in watch mode")
    parser.add_argument("--scale", action="store_true",
                        help="also a ~200-page document and a batch of 20 documents")
    parser.add_argument("--no-watch", dest="watch", action="store_false",
                        help="skip the watch-mode timings")
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at the start",
          file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="songngu-bench-") as tmp:
        work = Path(tmp)
        results = against_weasyprint(work, args.runs)
        idle = nothing_to_do(work, args.runs)
        watched = watch_times(work, args.edits) if args.watch else None
        scaled = scale(work) if args.scale else None
    report(results, idle, watched, scaled, args.runs)


def report(results, idle, watched, scaled, runs) -> None:
    vi, bare, both = results["vi"], results["bare"], results["all"]

    def ratio(runs: list[dict], base: list[dict] = bare) -> float:
        return statistics.median(a["wall"] / b["wall"] for a, b in zip(runs, base))

    def line(label: str, runs: list[dict], note: str = "") -> None:
        print(f"  {label:42} {median(runs):6.2f} s  [{median(runs, 'cpu'):.2f} s]  {note}")

    print(f"\nmedians of {runs} runs (wall; CPU in brackets)")
    line("build.py --lang vi --force", vi)
    line("bare WeasyPrint, the same HTML", bare,
         f"(pdf_variant={project.DEFAULT_PDF_VARIANT!r}, pdf_tags=True)")
    print(f"  {'ratio build / WeasyPrint':42} {ratio(vi):6.3f}    (target ≤ 1.05; ratio of the "
          f"medians {median(vi) / median(bare):.3f}; CPU "
          f"{median(vi, 'cpu') / median(bare, 'cpu'):.3f})")
    line("build.py --lang vi, after an edit of vi.yaml", results["edit"],
         f"ratio to bare WeasyPrint {ratio(results['edit']):.3f}")
    line("bare WeasyPrint, collector as in workers", results["tuned"],
         f"ratio build / it {ratio(vi, results['tuned']):.3f}")
    line("build.py --lang all --force", both,
         f"= {median(both) / median(vi):.2f} × --lang vi (target ≤ 1.3)")
    line("nothing to do (--lang vi)", idle, "(target well under 0.5 s)")
    if watched:
        to_html, to_pdf = watched
        print(f"  watch: save → HTML written         {statistics.median(to_html):6.2f} s  "
              f"(of {len(to_html)} saves)")
        print(f"  watch: save → PDF written          {statistics.median(to_pdf):6.2f} s")
    for name, run in (scaled or {}).items():
        pages = pages_written(run["stdout"])
        print(f"  {name + ':':13} {pages} pages in {run['wall']:.1f} s = "
              f"{run['wall'] / pages:.3f} s a page (target ≤ 0.25), peak {run['peak_mb']:.0f} MB "
              f"(target ≤ 450)")
    print(f"load average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
