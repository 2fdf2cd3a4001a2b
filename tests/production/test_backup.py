"""`liaison backup` and `liaison restore`: a restore into an empty database shows the
same records and passes `liaison audit verify`; anything else is refused before a
single row is written."""
import hashlib
import io
import json
import sqlite3
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from liaison.audit import log as audit
from liaison.audit.models import AuditEntry
from liaison.ops import backup as ops_backup
from liaison.registry.models import Person
from tests.factories import make_agency, make_person, make_user

ATTACHMENT = b"%PDF-1.4 a request attachment\n"
on_sqlite = pytest.mark.skipif("connection.vendor != 'sqlite'", reason="SQLite variant")
on_postgresql = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL variant")


def small_world(media_root):
    agency = make_agency("TH-DSI", "TH")
    officer = make_user(agency, roles=("liaison_officer",))
    for i in range(3):
        person = make_person(agency, f"สมชาย ใจดี {i}", "Somchai Jaidee")
        audit.record(AuditEntry.Action.EXPORT, officer, person, rows=i, note="名字 ملاحظة")
    attachment = Path(media_root) / "requests" / "1" / "3f2a9c"
    attachment.parent.mkdir(parents=True)
    attachment.write_bytes(ATTACHMENT)


def run(*args, **options):
    out = io.StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def countries(transactional_db):
    """Transactional tests empty every table afterwards, the countries of the data
    migration included: put them back (as tests/browser/conftest.py does)."""
    from django_countries import countries as names

    from liaison.core.models import Country

    if not Country.objects.exists():
        Country.objects.bulk_create(Country(code=code, name=name) for code, name in names)


@on_sqlite
@pytest.mark.django_db(transaction=True)
def test_sqlite_backup_restores_into_an_empty_file_with_the_same_records(tmp_path, media, countries):
    small_world(media)
    saved = tmp_path / "backup"
    report = run("backup", str(saved))
    assert "Backup complete" in report
    assert oct(saved.stat().st_mode & 0o777) == "0o700"
    assert all(oct(p.stat().st_mode & 0o077) == "0o0" for p in saved.rglob("*") if p.is_file())
    manifest = json.loads((saved / "manifest.json").read_text())
    assert manifest["audit"]["entries"] == 3 and manifest["counts"]["registry_person"] == 3

    restored = tmp_path / "restored.sqlite3"
    report = run("restore", str(saved), database=f"sqlite:///{restored}", media_root=str(tmp_path / "media2"))
    assert "Audit chain intact: 3 entries verified." in report
    assert "Row counts equal to the backup's" in report
    assert (tmp_path / "media2" / "requests" / "1" / "3f2a9c").read_bytes() == ATTACHMENT
    copy = sqlite3.connect(restored)
    names = {row[0] for row in copy.execute("SELECT full_name FROM registry_personname")}
    copy.close()
    assert names == {"สมชาย ใจดี 0", "สมชาย ใจดี 1", "สมชาย ใจดี 2", "Somchai Jaidee"}

    # A second restore into the now non-empty database is refused, with a clear message.
    with pytest.raises(CommandError, match="not empty"):
        run("restore", str(saved), database=f"sqlite:///{restored}", media_root=str(tmp_path / "media2"))


@on_sqlite
@pytest.mark.django_db(transaction=True)
def test_a_backup_whose_audit_trail_was_rewritten_fails_verification(tmp_path, media, countries):
    """Someone edits an audit entry in a stored backup and fixes the manifest's checksum:
    the files match, the counts match, the chain does not."""
    small_world(media)
    saved = tmp_path / "backup"
    run("backup", str(saved))
    copy = sqlite3.connect(saved / "database.sqlite3")
    copy.execute("UPDATE audit_auditentry SET detail = '{\"rows\": 0, \"note\": \"nothing\"}' WHERE seq = 1")
    copy.commit()
    copy.close()
    manifest = json.loads((saved / "manifest.json").read_text())
    data = (saved / "database.sqlite3").read_bytes()
    manifest["files"]["database.sqlite3"] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    (saved / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(CommandError, match="audit chain did not verify: .*BROKEN at entry 1"):
        run("restore", str(saved), database=f"sqlite:///{tmp_path / 'restored.sqlite3'}",
            media_root=str(tmp_path / "media2"))


@on_sqlite
@pytest.mark.django_db(transaction=True)
def test_refusals_change_nothing(tmp_path, media, countries):
    small_world(media)
    saved = tmp_path / "backup"
    run("backup", str(saved))
    with pytest.raises(CommandError, match="not empty"):
        run("backup", str(saved))  # never over an earlier backup

    target = tmp_path / "restored.sqlite3"
    url = f"sqlite:///{target}"
    other = tmp_path / "media2" / "requests" / "1" / "3f2a9c"
    other.parent.mkdir(parents=True)
    other.write_bytes(b"another file of the same name")
    with pytest.raises(CommandError, match="another content"):
        run("restore", str(saved), database=url, media_root=str(tmp_path / "media2"))
    assert not target.exists() or target.stat().st_size == 0

    with (saved / "media" / "requests" / "1" / "3f2a9c").open("ab") as handle:
        handle.write(b"x")
    with pytest.raises(CommandError, match="media/requests/1/3f2a9c: its content differs"):
        run("restore", str(saved), database=url, media_root=str(tmp_path / "media3"))
    (saved / "manifest.json").unlink()
    with pytest.raises(CommandError, match="no manifest.json"):
        run("restore", str(saved), database=url, media_root=str(tmp_path / "media3"))
    assert not (tmp_path / "media3").exists()


def test_connection_secrets_stay_off_the_command_line():
    params = ops_backup.libpq_params({"NAME": "liaison", "USER": "liaison", "PASSWORD": "s3cret", "HOST": "db",
                                      "PORT": 5433, "OPTIONS": {"sslmode": "require", "pool": True}})
    assert params == {"dbname": "liaison", "user": "liaison", "password": "s3cret", "host": "db", "port": "5433",
                      "sslmode": "require"}
    env = ops_backup.libpq_env(params)
    assert env["PGPASSWORD"] == "s3cret" and env["PGSSLMODE"] == "require" and env["PGPORT"] == "5433"


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_postgresql_demo_data_restores_into_a_new_database_and_verifies(tmp_path, media, countries):
    import psycopg

    from liaison.demo import agencies as demo_agencies
    from liaison.demo import story

    agencies = demo_agencies.ensure_agencies()
    users = demo_agencies.ensure_users(agencies)
    story.load_story(agencies)
    officer = next(iter(users.values())) if isinstance(users, dict) else users[0]
    for person in Person.objects.all()[:5]:
        audit.record(AuditEntry.Action.EXPORT, officer, person, rows=1)
    small_world(media)
    expected = {"persons": Person.objects.count(), "audit": AuditEntry.objects.count()}

    saved = tmp_path / "backup"
    run("backup", str(saved))
    assert (saved / "database.dump").read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format

    db = connection.settings_dict
    name = f"{db['NAME']}_restored"
    admin = ops_backup.libpq_params({**db, "NAME": "postgres"})
    with psycopg.connect(**admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        host = db.get("HOST") or "127.0.0.1"
        url = f"postgres://{db['USER']}@{host}:{db.get('PORT') or 5432}/{name}"
        if db.get("PASSWORD"):
            url = f"postgres://{db['USER']}:{db['PASSWORD']}@{host}:{db.get('PORT') or 5432}/{name}"
        report = run("restore", str(saved), database=url, media_root=str(tmp_path / "media2"))
        assert f"Audit chain intact: {expected['audit']} entries verified." in report
        assert "Row counts equal to the backup's" in report
        with psycopg.connect(**{**admin, "dbname": name}) as conn:
            assert conn.execute("SELECT count(*) FROM registry_person").fetchone()[0] == expected["persons"]
        with pytest.raises(CommandError, match="not empty"):
            run("restore", str(saved), database=url, media_root=str(tmp_path / "media2"))
    finally:
        with psycopg.connect(**admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
