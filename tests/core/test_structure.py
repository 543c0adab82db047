"""The house rules of docs/architecture.md, checked: layers and no cycles (import-linter), no
import hidden inside a function (ruff PLC0415), no module grown past ~500 lines, no pointer to
notes outside the repository."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ["propserv", "tickets", "visits", "keys", "fees", "inspections"]
MOST_LINES = 500
# The notes the project was first written from live outside the repository; the code must point
# to docs/ instead. (Spelled in parts so that this file does not cite them itself.)
OUTSIDE_NOTES = tuple(f"{name}.md" for name in ("DESIGN", "DOMAIN"))


def _bin(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def test_import_contracts_hold():
    result = subprocess.run(
        [_bin("lint-imports"), "--no-cache"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "broken" not in result.stdout.split("Contracts:")[-1].replace("0 broken", "")


def test_no_import_inside_a_function_in_app_code():
    result = subprocess.run(
        [_bin("ruff"), "check", "--select", "PLC0415", "--output-format", "concise", *APPS],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-4000:]


@pytest.mark.parametrize("app", APPS)
def test_no_module_past_the_size_limit(app):
    too_big = {
        str(path.relative_to(ROOT)): n
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
        and (n := len(path.read_text(encoding="utf-8").splitlines())) > MOST_LINES
    }
    assert too_big == {}


def test_code_points_to_docs_in_the_repository():
    stray = [
        str(path.relative_to(ROOT))
        for app in [*APPS, "tests", "bench"]
        for path in (ROOT / app).rglob("*")
        if path.suffix in {".py", ".html", ".md"}
        and any(
            name in path.read_text(encoding="utf-8", errors="replace") for name in OUTSIDE_NOTES
        )
    ]
    assert stray == []
    assert (ROOT / "docs" / "architecture.md").exists() and (ROOT / "docs" / "domain.md").exists()


DOC_REFERENCE = re.compile(r'docs/(\w+)\.md,? "([^"]+)"')


def _doc_anchors(doc: str) -> list[str]:
    """Headings and bold run-in titles ("**Registry** (`registry.py`): …") a reference may name."""
    text = (ROOT / "docs" / f"{doc}.md").read_text(encoding="utf-8")
    headings = [line.lstrip("#").strip() for line in text.splitlines() if line.startswith("#")]
    return headings + re.findall(r"\*\*([^*]+)\*\*", text)


def test_every_reference_to_a_docs_section_finds_it():
    """A comment that says `docs/domain.md, "Fees"` sends the reader to a section: it must be
    there (a heading or a bold title starting with those words)."""
    anchors: dict[str, list[str]] = {}
    missing = set()
    for app in [*APPS, "tests", "bench"]:
        for path in (ROOT / app).rglob("*"):
            if path.suffix not in {".py", ".html"}:
                continue
            for doc, quoted in DOC_REFERENCE.findall(path.read_text(encoding="utf-8")):
                # a title wrapped over two comment lines reads as one
                section = " ".join(
                    re.sub(r"^\s*#", "", line).strip() for line in quoted.split("\n")
                )
                if doc not in anchors:
                    anchors[doc] = _doc_anchors(doc)
                if not any(anchor.startswith(section) for anchor in anchors[doc]):
                    missing.add(f'{path.relative_to(ROOT)}: docs/{doc}.md "{section}"')
    assert sorted(missing) == []
