"""`manage.py backup` / `restore` round trip against the real PostgreSQL: the dump and the
uploaded files go into one archive; restored into a fresh database (and again over a changed
one) the row counts of every table and a sample of records and files come back as they were."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2
import pytest
from django.db import connection

from propserv.backup import row_counts
from propserv.models import Resident
from tests.factories import ResidentFactory, UnitFactory

ROOT = Path(__file__).resolve().parents[2]


def _url_for(database: str) -> str:
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{database}"))


def _manage(database: str, media: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": _url_for(database), "MEDIA_ROOT": str(media)}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _counts_and_sample(database: str) -> tuple[dict[str, int], list[tuple]]:
    conn = psycopg2.connect(_url_for(database))
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
            counts = {}
            for (table,) in cur.fetchall():
                cur.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608
                counts[table] = cur.fetchone()[0]
            cur.execute(
                f'SELECT id, name, phone, unit_id FROM "{Resident._meta.db_table}" ORDER BY id'  # noqa: S608
            )
            sample = cur.fetchall()
    finally:
        conn.close()
    return counts, sample


@pytest.fixture
def scratch_database(transactional_db):
    name = f"restore_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    yield name
    connection.close()
    admin = psycopg2.connect(_url_for("postgres"))
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def test_backup_and_restore_round_trip(scratch_database, tmp_path):
    source = connection.settings_dict["NAME"]
    units = [UnitFactory(code=f"1-1-{n:04d}") for n in range(1, 4)]
    for n, unit in enumerate(units):
        ResidentFactory(unit=unit, name=f"住户{n}", phone=f"1380013800{n}")
    media = tmp_path / "media"
    (media / "repairs").mkdir(parents=True)
    photo = os.urandom(4096)
    (media / "repairs" / "p1.jpg").write_bytes(photo)
    expected_counts = row_counts()
    expected_sample = _counts_and_sample(source)[1]
    assert len(expected_sample) == 3 and expected_counts[Resident._meta.db_table] == 3

    done = _manage(source, media, "backup", "--dir", str(tmp_path / "backups"))
    assert done.returncode == 0, done.stderr
    archive = Path(done.stdout.strip().splitlines()[-1])
    assert archive.parent == tmp_path / "backups" and archive.name.endswith(".tar")
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
    assert {"manifest.json", "database.dump", "media/repairs/p1.jpg"} <= names

    restored_media = tmp_path / "restored" / "media"
    done = _manage(scratch_database, restored_media, "restore", str(archive))
    assert done.returncode == 0, done.stderr
    assert "as in the backup" in done.stdout
    counts, sample = _counts_and_sample(scratch_database)
    assert counts == expected_counts
    assert sample == expected_sample
    assert (restored_media / "repairs" / "p1.jpg").read_bytes() == photo

    # Restored again over a database that has changed since: the backup's state comes back,
    # and the files that were there are kept beside.
    conn = psycopg2.connect(_url_for(scratch_database))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DELETE FROM "{Resident._meta.db_table}" WHERE id = %s', [sample[0][0]])  # noqa: S608
    conn.close()
    (restored_media / "repairs" / "p1.jpg").write_bytes(b"changed")
    done = _manage(scratch_database, restored_media, "restore", str(archive))
    assert done.returncode == 0, done.stderr
    counts, again = _counts_and_sample(scratch_database)
    assert counts == expected_counts and again == expected_sample
    assert (restored_media / "repairs" / "p1.jpg").read_bytes() == photo
    kept = list((tmp_path / "restored").glob("media.before-restore-*"))
    assert kept and any((k / "repairs" / "p1.jpg").read_bytes() == b"changed" for k in kept)


def test_restore_refuses_a_file_that_is_not_a_backup(scratch_database, tmp_path):
    bogus = tmp_path / "bogus.tar"
    bogus.write_bytes(b"not a tar")
    done = _manage(scratch_database, tmp_path / "m", "restore", str(bogus))
    assert done.returncode != 0
    done = _manage(scratch_database, tmp_path / "m", "restore", str(tmp_path / "missing.tar"))
    assert done.returncode != 0 and "is not a file" in done.stderr
