"""gunicorn settings for every way the web server runs: `make run`, docker compose and the bench.

Threaded workers (`gthread`), not `sync`: there is no buffering proxy in front, and a browser keeps
idle keep-alive and pre-connected sockets open. A sync worker serves one connection at a time, so
two idle sockets froze every request until gunicorn's timeout killed the worker (and the click that
was waiting got a 500). A gthread worker parks idle connections in its poller and serves requests
from a thread pool, closing an idle connection after `keepalive` seconds.
"""

import os

worker_class = "gthread"
workers = int(os.environ.get("WEB_WORKERS", "2"))
threads = int(os.environ.get("WEB_THREADS", "8"))
keepalive = 5
timeout = 30
graceful_timeout = 5
accesslog = "-"
