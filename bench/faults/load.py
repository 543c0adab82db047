"""API creates at a fixed rate (open loop), each with its own Idempotency-Key, and what came back:
status, whether the body was JSON, or the transport error when there was no answer."""

from __future__ import annotations

import http.client
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

HOST = "127.0.0.1"
PATHS = {
    "repair": "/api/v1/repairs/",
    "complaint": "/api/v1/complaints/",
    "key-loan": "/api/v1/key-loans/",
}


@dataclass
class Answer:
    kind: str
    key: str
    status: int | None  # None: no answer (connection refused, reset, timed out)
    json: bool = False
    error: str = ""
    code: str = ""  # the error contract's code, when there is one
    at: float = 0.0
    attempts: int = 1
    seconds: float = 0.0  # how long the answer took
    replayed: bool = False  # answered from the Idempotency-Key's record (an earlier try committed)


@dataclass
class Client:
    port: int
    token: str
    tag: str
    unit_codes: list[str]
    key_ids: list[int]
    technician_id: int
    answers: list[Answer] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.lock = threading.Lock()
        self.n = 0
        self.loan_keys: dict[int, int] = {}  # request number → the key it borrows (retries too)

    def body(self, kind: str, n: int, key: str) -> dict:
        unit = self.unit_codes[n % len(self.unit_codes)]
        text = f"{self.tag} {kind} {key}"
        if kind == "repair":
            return {"unit": unit, "category": "lighting", "description": text, "channel": "phone"}
        if kind == "complaint":
            return {
                "unit": unit,
                "complainant_name": "李先生",
                "complainant_phone": "13912345678",
                "category": "efficiency",
                "description": text,
            }
        return {
            "key": self.loan_keys.setdefault(n, self.key_ids.pop()),
            "borrower_staff": self.technician_id,
            "phone": "13700000000",
            "count": 1,
            "reason": text,
        }

    def post(self, kind: str, n: int, key: str, timeout: float = 30) -> Answer:
        started = time.time()
        try:
            conn = http.client.HTTPConnection(HOST, self.port, timeout=timeout)
            conn.request(
                "POST",
                PATHS[kind],
                body=json.dumps(self.body(kind, n, key)),
                headers={
                    "Authorization": f"Token {self.token}",
                    "Content-Type": "application/json",
                    "Idempotency-Key": key,
                },
            )
            response = conn.getresponse()
            raw = response.read()
            conn.close()
        except (OSError, http.client.HTTPException) as exc:
            return Answer(
                kind,
                key,
                None,
                error=exc.__class__.__name__,
                at=started,
                seconds=time.time() - started,
            )
        answer = Answer(kind, key, response.status, at=started, seconds=time.time() - started)
        answer.replayed = response.getheader("Idempotent-Replayed") == "true"
        try:
            data = json.loads(raw)
            answer.json = True
            if isinstance(data, dict) and isinstance(data.get("error"), dict):
                answer.code = str(data["error"].get("code", ""))
        except ValueError:
            answer.error = raw[:80].decode("utf-8", "replace")
        return answer

    def send(self, kind: str, retry_until: float = 0) -> Answer:
        """One create; with `retry_until` (epoch s), a failure is sent again with the same key
        until it is answered 2xx or the time is up."""
        with self.lock:
            n = self.n
            self.n += 1
        key = f"{self.tag}-{n}"
        answer = self.post(kind, n, key)
        while retry_until and not (answer.status and answer.status < 300):
            if time.time() > retry_until:
                break
            time.sleep(0.2)
            again = self.post(kind, n, key)
            again.attempts = answer.attempts + 1
            again.at = answer.at
            answer = again
        with self.lock:
            self.answers.append(answer)
        return answer

    def run(
        self, rate: float, seconds: float, kinds: list[str], stop: threading.Event | None = None
    ):
        """Open loop: request i at t0 + i/rate, whatever the server does."""
        total = int(rate * seconds)
        t0 = time.monotonic()
        with ThreadPoolExecutor(64) as pool:
            for i in range(total):
                if stop is not None and stop.is_set():
                    break
                delay = t0 + i / rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                pool.submit(self.send, kinds[i % len(kinds)])


def summary(answers: list[Answer]) -> dict:
    statuses: dict[str, int] = {}
    for a in answers:
        label = str(a.status) if a.status else f"no answer ({a.error})"
        statuses[label] = statuses.get(label, 0) + 1
    failed = [a for a in answers if not (a.status and a.status < 300)]
    return {
        "sent": len(answers),
        "failed": len(failed),
        "statuses": statuses,
        "non_json_errors": sum(1 for a in failed if a.status and not a.json),
        "error_codes": sorted({a.code for a in failed if a.code}),
    }
