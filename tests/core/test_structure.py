"""The house rules of docs/architecture.md, checked: layers and no cycles (import-linter), no
import hidden inside a function (ruff PLC0415), no module grown past ~500 lines, no pointer to
notes outside the repository."""

from __future__ import annotations

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
