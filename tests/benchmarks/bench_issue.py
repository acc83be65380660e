"""How fast a journal issue builds: a 20-article issue of about 220 pages.

    python tests/benchmarks/bench_issue.py [--articles 20] [--runs 3] [--lang en]

Figures (each build a process of its own, measured as in bench_build.py: wall time, CPU time
of it and its workers, peak memory of the largest process), each with the load average:

* the issue built cold (a fresh output folder): seconds per page, wall and CPU, and peak
  memory (targets: at most 0.12 s a page, 500 MB). A page is a page of the articles, as the
  build reports them ("11 pages, 1–11"): the front matter of the issue PDF (cover, editorial,
  contents: 4 pages) is not counted, though its layout and the assembly are in the time;
* after an edit of one word of one article (its page count stays), the issue build against
  a build of that article alone after the same edit, alternating (target: at most 1.3 ×).
  "That article alone" is ``build.py --content <article> --lang en`` into an output folder of
  its own, built once before the edits: an incremental build that lays out that one PDF
  again, as the issue build does, and the issue build's extra work is the rest of the issue
  (checking the other articles are up to date, reassembling the issue PDF and contents page);
* the issue build with nothing to do (target: under 0.3 s), Python's start included.

The articles are copies of the sample (tests/benchmarks/make_large.py), without the first
page the sample writes by hand: the issue numbers them. On a machine shared with other work,
wall times grow with the load; CPU times much less so: both are printed.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_build import ROOT, build, measure
from make_large import make_batch

ISSUE = """\
journal: TNU Journal of Science and Technology
volume: 226
issue: "03"
date: 2021-03-31
first_page: 1
articles:
{articles}
"""


def make_issue(content: Path, count: int) -> Path:
    folders = make_batch(content, count)
    for folder in folders:
        shared = folder / "document.yaml"
        shared.write_text(re.sub(r"(?m)^first_page: \d+\n", "", shared.read_text("utf-8")),
                          encoding="utf-8")
    issue = content / "issue-bench"
    issue.mkdir()
    (issue / "issue.yaml").write_text(ISSUE.format(articles="\n".join(
        f"  - {folder.name}" for folder in folders)), encoding="utf-8")
    return issue


def edit(folder: Path, lang: str, n: int) -> None:
    """Change one word of a paragraph (the page count stays)."""
    path = folder / f"{lang}.yaml"
    text = path.read_text(encoding="utf-8")
    words = ("again", "once more") if lang == "en" else ("lại", "một lần nữa")
    old, new = (words[0], words[1]) if n % 2 == 0 else (words[1], words[0])
    if old not in text:
        old, new = new, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--lang", default="en")
    args = parser.parse_args()
    print(f"load average at the start: {load()} (cores: {os.cpu_count()})", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        # Python's bytecode cached, as an installed songngu has it (pip compiles it), rather
        # than compiled again by every process. In place, beside the sources, as setup.sh
        # compiles songngu: a PYTHONPYCACHEPREFIX would leave the libraries' own bytecode
        # (compiled by pip) unused, and the first build would compile WeasyPrint and the
        # rest again, seconds of CPU that no installed songngu spends.
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "songngu"),
                        str(ROOT / "build.py")], check=True)
        content = work / "content"
        issue = make_issue(content, args.articles)
        out = work / "out"
        common = ["--content", str(content), "--lang", args.lang]
        cold = measure(*build("issue", str(issue), *common, "--out", str(out)))
        pdf = out / issue.name / f"{issue.name}.pdf"
        pages = sum(int(n) for n in re.findall(r"\((\d+) pages?, \d+(?:–\d+)?", cold["stdout"]))
        print(f"cold: {cold['wall']:.1f} s wall, {cold['cpu']:.1f} s CPU, {pages} article "
              f"pages ({pdf.stat().st_size / 1e6:.1f} MB issue PDF): "
              f"{cold['wall'] / pages:.3f} s a page wall, {cold['cpu'] / pages:.3f} s CPU "
              f"(over {os.cpu_count()} cores: {cold['cpu'] / pages / (os.cpu_count() or 1):.3f}"
              f" s), peak {cold['peak_mb']:.0f} MB (load {load()})", flush=True)

        article = content / f"asean-japan-{args.articles // 2:02d}"
        alone = ["--content", str(article), "--lang", args.lang, "--out", str(work / "alone")]
        measure(*build(*alone))  # the article alone, built once before the edits
        issue_runs, alone_runs = [], []
        for n in range(args.runs):
            edit(article, args.lang, 2 * n)
            issue_runs.append(measure(*build("issue", str(issue), *common, "--out", str(out))))
            laid = re.findall(r"laying out (\S+)", issue_runs[-1]["stdout"])
            alone_runs.append(measure(*build(*alone)))
            print(f"edit {n + 1}: issue {issue_runs[-1]['wall']:.2f} s wall "
                  f"{issue_runs[-1]['cpu']:.2f} s CPU (laid out: "
                  f"{', '.join(Path(p).name for p in laid)}), article alone "
                  f"{alone_runs[-1]['wall']:.2f} s wall {alone_runs[-1]['cpu']:.2f} s CPU "
                  f"(load {load()})", flush=True)
        ratio = statistics.median(i["wall"] / a["wall"] for i, a in zip(issue_runs, alone_runs))
        cpu_ratio = statistics.median(i["cpu"] / a["cpu"] for i, a in zip(issue_runs, alone_runs))
        print(f"after an edit: issue {statistics.median(r['wall'] for r in issue_runs):.2f} s, "
              f"article alone {statistics.median(r['wall'] for r in alone_runs):.2f} s; "
              f"median ratio {ratio:.2f} wall, {cpu_ratio:.2f} CPU", flush=True)

        idle = [measure(*build("issue", str(issue), *common, "--out", str(out)))
                for _ in range(args.runs)]
        said = re.search(r"nothing to do \(([\d.]+) s\)", idle[-1]["stdout"])
        print(f"nothing to do: {statistics.median(r['wall'] for r in idle):.2f} s wall, "
              f"{statistics.median(r['cpu'] for r in idle):.2f} s CPU (the build itself says "
              f"{said[1] if said else '?'} s; load {load()})")
    print(f"load average at the end: {load()}")


if __name__ == "__main__":
    main()
