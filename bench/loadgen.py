"""Open-loop HTTP load generator: requests go out on a fixed schedule whatever the server does.

    taskset -c 1 python bench/loadgen.py < config.json > result.json

Config (JSON on stdin): {"host": "127.0.0.1", "port": 8000, "rate": 100, "duration": 30,
"requests": [{"method": "POST", "path": "/api/v1/repairs/", "body": "...", "headers": {...}}, ...],
"expect": [201], "connections": 64, "timeout": 10, "drain": 10}

Request i is *scheduled* at t0 + i / rate; a scheduler thread hands it to a pool of worker
threads, each with its own http.client connection (kept alive when the server allows it; gunicorn's
sync workers close after every response and the connection is reopened). Latency runs from the
scheduled moment to the last byte of the response, so time spent waiting for a free connection
or in the server's listen queue counts (no coordinated omission). `send_lag` (scheduled → the
request actually leaving) shows how much of that is the generator's own delay.

Bounded: exactly rate × duration requests, and whatever is not answered `drain` seconds after the
last one was scheduled is counted as a timeout. Only 127.0.0.1 / localhost is allowed.
"""

from __future__ import annotations

import http.client
import json
import queue
import sys
import threading
import time

ALLOWED_HOSTS = {"127.0.0.1", "localhost"}


def percentile(sorted_values: list[float], p: float) -> float | None:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return None
    rank = max(1, -(-len(sorted_values) * p // 100))  # ceil
    return sorted_values[int(rank) - 1]


def summarise(latencies_ms: list[float]) -> dict:
    values = sorted(latencies_ms)
    return {
        "n": len(values),
        "p50": percentile(values, 50),
        "p90": percentile(values, 90),
        "p99": percentile(values, 99),
        "p999": percentile(values, 99.9),
        "max": values[-1] if values else None,
        "mean": sum(values) / len(values) if values else None,
    }


def run(cfg: dict) -> dict:
    host = cfg.get("host", "127.0.0.1")
    if host not in ALLOWED_HOSTS:
        raise SystemExit(f"loadgen only targets 127.0.0.1, not {host!r}")
    port = int(cfg["port"])
    rate = float(cfg["rate"])
    duration = float(cfg["duration"])
    requests = cfg["requests"]
    expect = set(cfg.get("expect", [200]))
    n = max(1, int(round(rate * duration)))
    connections = int(cfg.get("connections", 64))
    timeout = float(cfg.get("timeout", 10))
    drain = float(cfg.get("drain", 10))

    todo: queue.SimpleQueue = queue.SimpleQueue()
    # Per request: scheduled, sent, done (perf_counter seconds), status (-1: exception)
    results: list[tuple[float, float, float, int] | None] = [None] * n
    errors: dict[str, int] = {}
    lock = threading.Lock()
    stop = threading.Event()

    def worker() -> None:
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
        while True:
            item = todo.get()
            if item is None or stop.is_set():
                break
            i, scheduled = item
            spec = requests[i % len(requests)]
            body = spec.get("body")
            sent = time.perf_counter()
            try:
                conn.request(
                    spec.get("method", "GET"),
                    spec["path"],
                    body=body.encode() if isinstance(body, str) else body,
                    headers=spec.get("headers", {}),
                )
                response = conn.getresponse()
                response.read()
                status = response.status
            except Exception as exc:  # counted, never fatal: the next request reconnects
                status = -1
                with lock:
                    errors[exc.__class__.__name__] = errors.get(exc.__class__.__name__, 0) + 1
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=timeout)
            results[i] = (scheduled, sent, time.perf_counter(), status)
        conn.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(connections)]
    for t in threads:
        t.start()
    t0 = time.perf_counter() + 0.05
    for i in range(n):
        scheduled = t0 + i / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        todo.put((i, scheduled))
    last_scheduled = t0 + (n - 1) / rate
    end = last_scheduled + drain
    while time.perf_counter() < end and any(r is None for r in results):
        time.sleep(0.05)
    stop.set()
    for _ in threads:
        todo.put(None)

    done = [r for r in results if r is not None]
    ok = [r for r in done if r[3] in expect]
    statuses: dict[str, int] = {}
    for r in done:
        statuses[str(r[3])] = statuses.get(str(r[3]), 0) + 1
    unanswered = n - len(done)
    last_done = max((r[2] for r in ok), default=t0)
    elapsed = max(last_done - t0, 1e-9)
    return {
        "offered_rate": rate,
        "duration_s": duration,
        "sent": n,
        "ok": len(ok),
        "failed": len(done) - len(ok) + unanswered,
        "unanswered": unanswered,
        "statuses": statuses,
        "exceptions": errors,
        # Completed requests per second, from the first scheduled send to the last answer.
        "throughput": len(ok) / elapsed,
        "latency_ms": summarise([(r[2] - r[0]) * 1000 for r in ok]),
        "service_ms": summarise([(r[2] - r[1]) * 1000 for r in ok]),
        "send_lag_ms": summarise([(r[1] - r[0]) * 1000 for r in done]),
    }


if __name__ == "__main__":
    json.dump(run(json.load(sys.stdin)), sys.stdout)
