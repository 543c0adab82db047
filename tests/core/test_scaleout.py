"""The scale-out run, bounded (`make scaleout`, bench/README.md "Scale-out run"): the launcher's
`run --web 3 --workers 3 --beats 2` on one PostgreSQL and one Redis of its own, 20 s of mixed API
load. Every deadline that fell due is flagged once, every notification mailed once, no request
answered 5xx, the key race lends the key once in every round, and each of the three web servers
behind the one port served. Times are reported by the run, not asserted."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from django.conf import settings


@pytest.mark.celery_worker
@pytest.mark.timeout(600)
def test_three_webs_three_workers_two_beats_do_everything_once(tmp_path):
    out = tmp_path / "scaleout.json"
    result = subprocess.run(
        [sys.executable, "-m", "bench.faults.scaleout", "--seconds=20", f"--json={out}"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=540,
    )
    assert out.exists(), result.stdout[-3000:] + result.stderr[-3000:]
    row = json.loads(out.read_text())
    assert row["scale"] == {"web": 3, "workers": 3, "beats": 2}
    assert row["load"]["sent"] > 100
    assert row["server_errors"] == 0 and row["client_errors"] == 0, row["by_kind"]
    assert row["lost"] == 0 and row["duplicated"] == 0, row["api"]
    # Deadlines really fell due during the run, and each was flagged once per level.
    deadlines = row["deadlines"]
    assert deadlines["urgent_arrivals_fell_due"] > 0
    assert deadlines["never_flagged"] == 0 and deadlines["duplicate_escalations"] == 0, deadlines
    assert deadlines["flagged_without_escalation_row"] == 0
    notes = row["notifications"]
    assert notes["mails_expected"] > 0
    assert notes["undelivered"] == notes["mails_missing"] == 0, notes
    assert notes["duplicate_notifications"] == notes["duplicate_mails"] == 0, notes
    # Twenty loans of one key at once: one lent, nineteen refused, every round.
    rounds = row["key_race"]["answers"]
    assert len(rounds) == 6
    assert all(r == {"201": 1, "409": 19} for r in rounds), rounds
    assert row["web_serving"] == 3, row["children_cpu_s"]
    assert result.returncode == 0, row["checks"]
