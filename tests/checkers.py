"""The independent checkers the tests run on songngu's outputs, installed from npm by .ci/run
(``npm ci`` with the repository's package.json): the Nu Html Checker (``vnu-jar``, run by
Debian's Java), axe-core (injected into Debian's Chromium) and pdf.js (``pdfjs-dist``, run by
Node.js). Without them a test is skipped on a workstation and fails under CI. The official
JATS 1.3 XSD, read by lxml, comes from ``../shared/schemas`` beside the checkout.
"""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from browser_support import _missing
from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
MODULES = ROOT / "node_modules"
VNU = MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE = MODULES / "axe-core" / "axe.min.js"
PDFJS = MODULES / "pdfjs-dist" / "legacy" / "build" / "pdf.mjs"
SCHEMAS = ROOT.parent / "shared" / "schemas" / "jats-1.3"
"""CI checks the repository out beside ``shared``; a worktree has it one level higher."""
if not SCHEMAS.is_dir():
    SCHEMAS = next((p / "shared" / "schemas" / "jats-1.3" for p in ROOT.parents
                    if (p / "shared" / "schemas" / "jats-1.3").is_dir()), SCHEMAS)


def _need(path: Path, tool: str) -> None:
    if not path.is_file():
        _missing(f"{path.relative_to(ROOT)} is missing: run `npm ci` in the checkout ({tool})")


@functools.cache
def jats_schema() -> etree.XMLSchema:
    """The JATS 1.3 journal-publishing schema with MathML 3 (read once a test process: it
    takes lxml about a second and a half)."""
    if not SCHEMAS.is_dir():
        pytest.fail(f"the JATS 1.3 XSD is not at {SCHEMAS} (CI has it at ../shared/schemas)")
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "JATS-journalpublishing1-3-mathml3.xsd")))


def vnu_errors(*pages: Path) -> list[dict]:
    """The Nu Html Checker's errors on ``pages`` (warnings and info left out)."""
    _need(VNU, "the Nu Html Checker")
    if shutil.which("java") is None:
        _missing("Java is not installed: apt-get install default-jre-headless")
    result = subprocess.run(["java", "-jar", str(VNU), "--errors-only", "--format", "json",
                             *map(str, pages)], capture_output=True, text=True, timeout=300)
    return json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]


def axe_violations(page) -> list[dict]:
    """axe-core's violations on an open Playwright page (axe-core is added to the page the
    first time only)."""
    _need(AXE, "axe-core")
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate("async () => (await axe.run(document)).violations")


_PDFJS_INFO = """
const pdfjs = await import(process.argv[1]);
const task = pdfjs.getDocument({url: process.argv[2], useSystemFonts: false, verbosity: 0});
const doc = await task.promise;
const meta = await doc.getMetadata();
console.log(JSON.stringify({info: meta.info,
  xmpTitle: meta.metadata ? meta.metadata.get("dc:title") : null,
  pages: doc.numPages}));
"""


def pdfjs_metadata(pdf: Path) -> dict:
    """What pdf.js reads of a PDF's metadata: the information dictionary, the XMP title (what
    a viewer shows in its title bar) and the page count."""
    _need(PDFJS, "pdf.js")
    node = shutil.which("node")
    if node is None:
        _missing("Node.js is not installed: apt-get install nodejs")
    result = subprocess.run([node, "--input-type=module", "-e", _PDFJS_INFO, str(PDFJS),
                             str(pdf)], capture_output=True, text=True, timeout=120, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])
