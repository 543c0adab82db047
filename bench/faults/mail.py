"""A mail server of our own on 127.0.0.1, in one of two moods:

- `answer`: a minimal SMTP responder (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) that keeps
  every message it receives, so each notification's mails can be counted;
- `hang`: it accepts the TCP connection and never says a word (the mail server that made the
  sweep hang before EMAIL_TIMEOUT existed). Connections held in this mood are closed when the
  mood changes back.
"""

from __future__ import annotations

import email
import email.header
import email.policy
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field


def _decode(value: str) -> str:
    return str(email.header.make_header(email.header.decode_header(value or "")))


@dataclass
class Mail:
    to: tuple[str, ...]
    subject: str
    message_id: str
    at: float


@dataclass
class MailSink:
    mood: str = "answer"
    mails: list[Mail] = field(default_factory=list)
    connections: int = 0
    held: list[socket.socket] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.lock = threading.Lock()
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(128)
        self.port = self.server.getsockname()[1]
        self.running = True
        threading.Thread(target=self._accept, daemon=True, name="mail-sink").start()

    # -- control ---------------------------------------------------------------------------------
    def set_mood(self, mood: str) -> None:
        with self.lock:
            self.mood = mood
            held, self.held = self.held, []
        for conn in held:
            conn.close()

    def close(self) -> None:
        self.running = False
        self.set_mood("answer")
        self.server.close()

    def counts(self) -> Counter:
        """How many distinct messages (by Message-ID) each (recipient, subject) got."""
        with self.lock:
            distinct = {(to, m.subject, m.message_id) for m in self.mails for to in m.to}
        return Counter((to, subject) for to, subject, _mid in distinct)

    def resent(self) -> Counter:
        """Per (recipient, subject): transmissions that repeated a Message-ID already received
        (a send repeated because its delivery stamp was not committed; the receiver can drop it)."""
        with self.lock:
            sends = Counter((to, m.subject, m.message_id) for m in self.mails for to in m.to)
        extra: Counter = Counter()
        for (to, subject, _mid), n in sends.items():
            if n > 1:
                extra[(to, subject)] += n - 1
        return extra

    def received_since(self, t: float) -> int:
        with self.lock:
            return sum(1 for m in self.mails if m.at >= t)

    # -- serving ---------------------------------------------------------------------------------
    def _accept(self) -> None:
        while self.running:
            try:
                conn, _addr = self.server.accept()
            except OSError:
                return
            with self.lock:
                self.connections += 1
                if self.mood == "hang":
                    self.held.append(conn)  # accepted, never answered
                    continue
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(30)
        reader = conn.makefile("rb")

        def say(line: str) -> None:
            conn.sendall(line.encode() + b"\r\n")

        recipients: list[str] = []
        try:
            say("220 faults-sink ESMTP")
            for raw in reader:
                verb = raw.decode("latin-1").strip()
                upper = verb.upper()
                if upper.startswith("EHLO"):
                    say("250-faults-sink")
                    say("250 8BITMIME")
                elif upper.startswith("HELO"):
                    say("250 faults-sink")
                elif upper.startswith("MAIL FROM"):
                    recipients = []
                    say("250 OK")
                elif upper.startswith("RCPT TO"):
                    recipients.append(verb.split(":", 1)[1].strip().strip("<>"))
                    say("250 OK")
                elif upper == "DATA":
                    say("354 go ahead")
                    body = []
                    for line in reader:
                        if line in (b".\r\n", b".\n"):
                            break
                        body.append(line[1:] if line.startswith(b"..") else line)
                    message = email.message_from_bytes(b"".join(body), policy=email.policy.compat32)
                    with self.lock:
                        self.mails.append(
                            Mail(
                                tuple(recipients),
                                _decode(message["Subject"]),
                                str(message["Message-ID"] or ""),
                                time.time(),
                            )
                        )
                    say("250 queued")
                elif upper == "QUIT":
                    say("221 bye")
                    return
                else:  # RSET, NOOP and anything else
                    say("250 OK")
        except OSError:
            return
        finally:
            conn.close()
