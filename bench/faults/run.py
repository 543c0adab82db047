"""`make faults`: the fault suite (bench/README.md, "Faults").

    python -m bench.faults.run [--quick] [--only=worker,redis] [--json=PATH]

Starts its own embedded PostgreSQL and Redis in a temporary var dir, a mail server of its own,
gunicorn, a Celery worker and a beat (sweep every second), runs the scenarios, prints the table
and writes it as JSON (default bench/results/faults.json). Exit status 1 when anything was lost,
left unflagged or duplicated.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
from pathlib import Path

from bench.faults.mail import MailSink
from bench.faults.stack import REPO, Stack, say

ZEROS = [
    "lost",
    "never_flagged",
    "duplicate_escalations",
    "duplicate_notifications",
    "duplicate_mails",
    "mails_missing",
]
COLUMNS = [
    ("scenario", "scenario", 28),
    ("sent", "sent", 5),
    ("failed", "failed", 6),
    ("lost", "lost", 4),
    ("never_flagged", "unflagged", 9),
    ("duplicate_escalations", "dup esc", 7),
    ("duplicate_notifications", "dup notif", 9),
    ("duplicate_mails", "dup mail", 8),
    ("mails_missing", "no mail", 7),
    ("resent_mails", "resent", 6),
    ("recovery_to_first_breach_s", "recovery→breach s", 17),
    ("crashes", "crashed", 7),
]


def table(rows: list[dict]) -> str:
    head = " | ".join(title.ljust(width) for _key, title, width in COLUMNS)
    lines = [head, "-" * len(head)]
    for row in rows:
        cells = []
        for key, _title, width in COLUMNS:
            value = row.get(key)
            cells.append(("–" if value is None else str(value)).ljust(width))
        lines.append(" | ".join(cells))
    return "\n".join(lines)


def bad(row: dict) -> list[str]:
    return [key for key in ZEROS if row.get(key)] + (["error"] if row.get("error") else [])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller counts, all in ≤ 4 minutes")
    parser.add_argument("--only", default="", help="comma-separated: " + ", ".join(ORDER))
    parser.add_argument("--json", default=str(REPO / "bench" / "results" / "faults.json"))
    args = parser.parse_args(argv)
    chosen = [s for s in args.only.split(",") if s] or ORDER
    unknown = set(chosen) - set(ORDER)
    if unknown:
        parser.error(f"unknown scenario(s): {', '.join(sorted(unknown))}")

    t_start = time.monotonic()
    sink = MailSink()
    stack = Stack(mail_port=sink.port)
    rows: list[dict] = []
    try:
        say(f"starting PostgreSQL, Redis, web, worker and beat in {stack.var_dir}")
        stack.start_services()
        import django

        django.setup()
        from bench.faults import data, scenarios

        t_seed = time.monotonic()
        seed = data.seed(keys=260 if args.quick else 650)
        say(f"seeded in {time.monotonic() - t_seed:.0f} s")
        stack.start_web()
        stack.start_worker(1)
        stack.start_beat(1)
        stack.supervise()
        say(f"ready in {time.monotonic() - t_start:.0f} s")
        ctx = scenarios.Ctx(stack, sink, seed, args.quick)
        for name in chosen:
            t0 = time.monotonic()
            try:
                row = scenarios.SCENARIOS[name](ctx)
            except Exception as exc:  # report the others too
                traceback.print_exc()
                row = {"scenario": name, "error": f"{exc.__class__.__name__}: {exc}"}
            row["seconds"] = round(time.monotonic() - t0, 1)
            row["crashes"] = len(row.get("crashed_children", []))
            rows.append(row)
    finally:
        stack.stop()
        sink.close()
    total = round(time.monotonic() - t_start, 1)
    print(table(rows), flush=True)
    failures = {row["scenario"]: bad(row) for row in rows if bad(row)}
    result = {
        "quick": args.quick,
        "seconds": total,
        "rows": rows,
        "failures": failures,
    }
    path = Path(args.json)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    say(f"{total:.0f} s in all; table written to {path}")
    if failures:
        say(f"NOT ZERO: {failures}")
    return 1 if failures else 0


ORDER = ["worker", "beats", "redis", "postgres", "web", "mail"]

if __name__ == "__main__":
    sys.exit(main())
