"""The process group `make run` supervises: web, Celery worker and beat, each in its own process
group (one signal stops a whole tree). A child that dies is started again; one that keeps dying
(more than MAX_RESTARTS within RESTART_WINDOW seconds) stops the group with its reason instead of
looping. Only Ctrl-C / SIGTERM to the launcher stops the group otherwise. The children's pids are
written to `children.json` in the var dir for operators (and the supervision test)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

MAX_RESTARTS = 5
RESTART_WINDOW = 60.0


@dataclass
class Child:
    name: str
    argv: list[str]
    env: dict[str, str]
    proc: subprocess.Popen | None = None
    restarts: deque = field(default_factory=lambda: deque(maxlen=MAX_RESTARTS + 1))


def _kill_group(pid: int, sig: int) -> None:
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


class Group:
    def __init__(self, cwd: Path, state_file: Path | None = None) -> None:
        self.cwd = cwd
        self.state_file = state_file
        self.children: dict[str, Child] = {}
        self.stopping = False

    def spawn(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        child = Child(name, argv, env)
        self.children[name] = child
        self._start(child)

    def _start(self, child: Child) -> None:
        child.proc = subprocess.Popen(
            child.argv, env=child.env, cwd=self.cwd, start_new_session=True
        )
        self._write_state()

    def _write_state(self) -> None:
        if self.state_file is not None:
            pids = {name: c.proc.pid for name, c in self.children.items() if c.proc is not None}
            # Written aside and renamed: a reader never sees a half-written file.
            partial = self.state_file.with_suffix(".json.tmp")
            partial.write_text(json.dumps(pids))
            os.replace(partial, self.state_file)

    def restart_dead(self, say) -> str | None:
        """Start again every child that has exited. Returns the name of one that keeps dying
        (the caller stops everything), else None."""
        now = time.monotonic()
        for child in self.children.values():
            code = child.proc.poll() if child.proc is not None else 0
            if code is None:
                continue
            child.restarts.append(now)
            recent = [t for t in child.restarts if now - t <= RESTART_WINDOW]
            if len(recent) > MAX_RESTARTS:
                say(f"{child.name} exited {len(recent)} times within {RESTART_WINDOW:.0f} s")
                return child.name
            say(f"{child.name} exited with status {code}; starting it again")
            _kill_group(child.proc.pid, signal.SIGKILL)  # what is left of it (gunicorn workers)
            self._start(child)
        return None

    def restart_all(self, env: dict[str, str], say) -> None:
        """After a service came back at another address: every child with the new settings."""
        for child in self.children.values():
            say(f"restarting {child.name} with the new service addresses")
            _kill_group(child.proc.pid, signal.SIGTERM)
            child.proc.wait(15)
            child.env = env
            self._start(child)

    def stop(self, timeout: float = 15) -> None:
        self.stopping = True
        procs = [c.proc for c in self.children.values() if c.proc is not None]
        for proc in procs:
            if proc.poll() is None:
                _kill_group(proc.pid, signal.SIGTERM)
        end = time.monotonic() + timeout
        for proc in procs:
            try:
                proc.wait(max(0.1, end - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            _kill_group(proc.pid, signal.SIGKILL)  # whatever is left (e.g. a prefork child)
        if self.state_file is not None:
            self.state_file.unlink(missing_ok=True)
