"""``liaison backup DIR`` and ``liaison restore DIR --database URL``.

A backup is a directory, readable by its owner only (it holds every record, protected
identities included):

    manifest.json     what was saved: database kind, audit chain head, the row count of
                      every table, the SHA-256 and size of every file; written last, so a
                      backup without it is unfinished
    database.dump     PostgreSQL: ``pg_dump --format=custom`` (restored by ``pg_restore``)
    database.sqlite3  SQLite: a consistent copy made by SQLite's backup API
    media/            the uploaded files (MEDIA_ROOT: request attachments, public reports)

On PostgreSQL the counts, the audit head and ``pg_dump`` read one snapshot (a
``REPEATABLE READ`` transaction exports it, ``pg_dump --snapshot`` uses it), so the
manifest describes exactly the dump even while officers keep working. The media files
are copied after the dump: every file a dumped row names is there (files uploaded
meanwhile are extra, and harmless).

A restore goes into an EMPTY database only, and refuses before changing anything when
a file does not match the manifest, the database holds any table, or a media file of
the same name and other content exists. Then it runs ``liaison audit verify`` on the
restored database and compares every table's row count with the manifest's.

Connection settings reach ``pg_dump``/``pg_restore`` through libpq's environment
variables (PGPASSWORD...), never their command line, which every local user can read.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import dj_database_url

FORMAT = 1
MANIFEST = "manifest.json"
PG_DUMP_FILE = "database.dump"
SQLITE_FILE = "database.sqlite3"
MEDIA_DIR = "media"
# Django's OPTIONS that are libpq connection parameters, and their environment variables.
LIBPQ_OPTIONS = {"sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT", "sslcert": "PGSSLCERT",
                 "sslkey": "PGSSLKEY", "connect_timeout": "PGCONNECT_TIMEOUT", "options": "PGOPTIONS",
                 "application_name": "PGAPPNAME", "target_session_attrs": "PGTARGETSESSIONATTRS",
                 "passfile": "PGPASSFILE", "service": "PGSERVICE"}
LIBPQ_BASIC = {"dbname": "PGDATABASE", "user": "PGUSER", "password": "PGPASSWORD", "host": "PGHOST", "port": "PGPORT"}


class BackupError(Exception):
    """A refusal or failure, with a message for the operator."""


# --- databases ------------------------------------------------------------------


def vendor_of(db):
    engine = db["ENGINE"]
    if "postgresql" in engine:
        return "postgresql"
    if "sqlite" in engine:
        return "sqlite"
    raise BackupError(f"Backups handle PostgreSQL and SQLite only, not {engine}.")


def parse_url(url):
    return dj_database_url.parse(url)


def libpq_params(db):
    """psycopg/libpq connection parameters of a Django database settings dict."""
    params = {"dbname": db.get("NAME"), "user": db.get("USER"), "password": db.get("PASSWORD"),
              "host": db.get("HOST"), "port": str(db["PORT"]) if db.get("PORT") else None}
    params.update({k: v for k, v in (db.get("OPTIONS") or {}).items() if k in LIBPQ_OPTIONS})
    return {k: v for k, v in params.items() if v not in (None, "")}


def libpq_env(params):
    """The environment for pg_dump/pg_restore: libpq's variables, nothing on the command line."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    names = {**LIBPQ_BASIC, **LIBPQ_OPTIONS}
    env.update({names[k]: str(v) for k, v in params.items()})
    return env


def _pg_tool(name):
    path = shutil.which(name)
    if not path:
        raise BackupError(f"{name} was not found: install PostgreSQL's client programs of the server's version "
                          f"(Debian: apt-get install postgresql-client).")
    return path


def _quote(table):
    return '"' + table.replace('"', '""') + '"'


def count_rows(cursor, tables):
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT count(*) FROM {_quote(table)}")
        counts[table] = cursor.fetchone()[0]
    return counts


def audit_head(cursor):
    """``{"entries", "head_seq", "head_hash"}`` of the audit chain in this database."""
    cursor.execute("SELECT count(*) FROM audit_auditentry")
    entries = cursor.fetchone()[0]
    cursor.execute("SELECT seq, hash FROM audit_chainhead WHERE id = 1")
    row = cursor.fetchone()
    return {"entries": entries, "head_seq": row[0] if row else 0, "head_hash": row[1] if row else ""}


def migrations(cursor):
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    latest = {}
    for app, name in cursor.fetchall():
        latest[app] = max(latest.get(app, ""), name)
    return latest


def pg_tables(cursor):
    """Tables, views and sequences outside PostgreSQL's own schemas."""
    cursor.execute(
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
        "AND n.nspname NOT LIKE 'pg\\_toast%%' AND n.nspname NOT LIKE 'pg\\_temp%%'")
    return cursor.fetchone()[0]


def sqlite_tables(connection):
    return connection.execute("SELECT count(*) FROM sqlite_master WHERE type IN ('table', 'view') "
                              "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'").fetchone()[0]


def model_tables():
    """Every table Django manages here (models and many-to-many tables)."""
    from django.apps import apps

    tables = {m._meta.db_table for m in apps.get_models(include_auto_created=True)
              if m._meta.managed and not m._meta.proxy}
    return sorted(tables)


# --- files ------------------------------------------------------------------------


def sha256_of(path, chunk=1 << 20):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def describe_files(root, names):
    return {name: {"sha256": sha256_of(root / name), "size": (root / name).stat().st_size} for name in names}


def media_names(media_root):
    media_root = Path(media_root)
    if not media_root.is_dir():
        return []
    return sorted(str(p.relative_to(media_root)) for p in media_root.rglob("*") if p.is_file())


def read_manifest(directory):
    path = Path(directory) / MANIFEST
    if not path.exists():
        raise BackupError(f"{directory} holds no {MANIFEST}: not a Liaison backup, or an unfinished one.")
    manifest = json.loads(path.read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is of format {manifest.get('format')!r}; this Liaison reads format {FORMAT}.")
    return manifest


def check_files(directory, manifest):
    """The files that differ from the manifest (missing, other size, other checksum)."""
    directory = Path(directory)
    problems = []
    for name, expected in manifest["files"].items():
        path = directory / name
        if ".." in Path(name).parts or Path(name).is_absolute():
            problems.append(f"{name}: a path outside the backup")
        elif not path.is_file():
            problems.append(f"{name}: missing")
        elif path.stat().st_size != expected["size"] or sha256_of(path) != expected["sha256"]:
            problems.append(f"{name}: its content differs from the manifest's checksum")
    return problems


# --- backup -----------------------------------------------------------------------


@dataclass
class Outcome:
    lines: list = field(default_factory=list)
    manifest: dict = field(default_factory=dict)

    def say(self, line):
        self.lines.append(line)


def _empty_target(directory):
    directory = Path(directory)
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise BackupError(f"{directory} exists and is not empty: give a new directory for each backup.")
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    directory.chmod(0o700)
    return directory


def backup(directory, db, media_root, tables, connection=None):
    """Write a backup of database ``db`` (Django settings dict) and ``media_root`` into
    ``directory``. ``connection``: Django's connection to ``db`` (SQLite copies through it,
    which also covers in-memory databases)."""
    old_umask = os.umask(0o077)
    try:
        return _backup(_empty_target(directory), db, Path(media_root), tables, connection)
    finally:
        os.umask(old_umask)


def _backup(directory, db, media_root, tables, connection):
    outcome = Outcome()
    vendor = vendor_of(db)
    started = time.perf_counter()
    if vendor == "postgresql":
        database_file = PG_DUMP_FILE
        counts, head, applied, server = _dump_postgresql(db, directory / database_file, tables)
    else:
        database_file = SQLITE_FILE
        counts, head, applied, server = _copy_sqlite(db, directory / database_file, tables, connection)
    outcome.say(f"Database ({vendor}) saved in {time.perf_counter() - started:.1f} s: "
                f"{sum(counts.values()):,} rows in {len(counts)} tables, {head['entries']:,} audit entries.")

    names = media_names(media_root)
    for name in names:
        target = directory / MEDIA_DIR / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(media_root / name, target)
        target.chmod(0o600)  # copy2 keeps the original's mode; the backup is its owner's only
    outcome.say(f"Uploaded files: {len(names):,} copied from {media_root}.")

    manifest = {
        "format": FORMAT,
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "liaison_version": _liaison_version(),
        "database": {"vendor": vendor, "file": database_file, "server_version": server},
        "migrations": applied,
        "audit": head,
        "counts": counts,
        "files": describe_files(directory, [database_file, *(f"{MEDIA_DIR}/{n}" for n in names)]),
    }
    partial = directory / (MANIFEST + ".partial")
    partial.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    partial.rename(directory / MANIFEST)
    outcome.manifest = manifest
    outcome.say(f"Backup complete in {directory} (manifest.json: checksums of {len(manifest['files']):,} files).")
    return outcome


def _liaison_version():
    try:
        from importlib.metadata import version

        return version("liaison")
    except Exception:
        return "unknown"


def _dump_postgresql(db, target, tables):
    import psycopg

    params = libpq_params(db)
    pg_dump = _pg_tool("pg_dump")
    with psycopg.connect(**params) as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot, server = cursor.fetchone()
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            existing = {row[0] for row in cursor.fetchall()}
            counts = count_rows(cursor, [t for t in tables if t in existing])  # unapplied migrations: no table
            head = audit_head(cursor)
            applied = migrations(cursor)
            # The snapshot lives as long as this transaction: pg_dump runs inside it.
            result = subprocess.run(
                [pg_dump, "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                 f"--file={target}"],
                env=libpq_env(params), capture_output=True, text=True)
        conn.rollback()
    if result.returncode:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    return counts, head, applied, server


def _copy_sqlite(db, target, tables, connection):
    if connection is not None:
        connection.ensure_connection()
        source = connection.connection
        close = False
    else:
        source = sqlite3.connect(db["NAME"])
        close = True
    try:
        copy = sqlite3.connect(target)
        source.backup(copy)
        cursor = copy.cursor()
        existing = {row[0] for row in cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        counts = count_rows(cursor, [t for t in tables if t in existing])
        head = audit_head(cursor)
        applied = migrations(cursor)
        server = sqlite3.sqlite_version
        copy.close()
    finally:
        if close:
            source.close()
    return counts, head, applied, server


# --- restore ----------------------------------------------------------------------


def restore(directory, target_url, media_root, verify_audit=True):
    """Restore the backup in ``directory`` into the empty database at ``target_url`` and
    its files into ``media_root``; then verify the audit chain and the row counts."""
    directory = Path(directory)
    media_root = Path(media_root)
    outcome = Outcome()
    manifest = read_manifest(directory)
    outcome.manifest = manifest
    problems = check_files(directory, manifest)
    if problems:
        raise BackupError("The backup does not match its manifest; nothing was restored:\n  " + "\n  ".join(problems))
    outcome.say(f"{len(manifest['files']):,} files match the manifest's checksums.")

    db = parse_url(target_url)
    vendor = vendor_of(db)
    if vendor != manifest["database"]["vendor"]:
        raise BackupError(f"This backup is of a {manifest['database']['vendor']} database; "
                          f"it cannot be restored into {vendor}.")
    _refuse_unless_empty(db, vendor)
    media = [name[len(MEDIA_DIR) + 1:] for name in manifest["files"] if name.startswith(MEDIA_DIR + "/")]
    conflicts = [name for name in media if (media_root / name).exists()
                 and sha256_of(media_root / name) != manifest["files"][f"{MEDIA_DIR}/{name}"]["sha256"]]
    if conflicts:
        raise BackupError(f"{len(conflicts)} uploaded files in {media_root} have the names of files in the backup and "
                          f"another content (first: {conflicts[0]}); nothing was restored. Restore into an empty "
                          f"MEDIA_ROOT.")

    started = time.perf_counter()
    if vendor == "postgresql":
        _restore_postgresql(db, directory / manifest["database"]["file"])
    else:
        _restore_sqlite(db, directory / manifest["database"]["file"])
    outcome.say(f"Database restored into {_display(db)} in {time.perf_counter() - started:.1f} s.")

    copied = 0
    for name in media:
        target = media_root / name
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(directory / MEDIA_DIR / name, target)
            copied += 1
    outcome.say(f"Uploaded files: {copied:,} copied into {media_root} ({len(media) - copied:,} already there).")

    counts, head = _restored_counts(db, vendor, list(manifest["counts"]))
    differ = [f"{t}: {manifest['counts'][t]:,} in the backup, {counts[t]:,} restored"
              for t in manifest["counts"] if counts[t] != manifest["counts"][t]]
    if head != manifest["audit"]:
        differ.append(f"audit chain head: {manifest['audit']} in the backup, {head} restored")
    if differ:
        raise BackupError("The restored database differs from the backup:\n  " + "\n  ".join(differ))
    outcome.say(f"Row counts equal to the backup's in all {len(counts)} tables "
                f"({sum(counts.values()):,} rows).")
    if verify_audit:
        outcome.say(verify_audit_chain(target_url))
    return outcome


def _display(db):
    if "sqlite" in db["ENGINE"]:
        return str(db["NAME"])
    return f"{db.get('NAME')} on {db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}"


def _refuse_unless_empty(db, vendor):
    if vendor == "postgresql":
        import psycopg

        try:
            with psycopg.connect(**libpq_params(db)) as conn, conn.cursor() as cursor:
                tables = pg_tables(cursor)
        except psycopg.OperationalError as error:
            raise BackupError(f"Cannot connect to {_display(db)}: {str(error).strip()}. Create the empty database "
                              f"first (createdb).") from None
    else:
        path = Path(db["NAME"])
        if not path.exists() or path.stat().st_size == 0:
            return
        connection = sqlite3.connect(path)
        try:
            tables = sqlite_tables(connection)
        finally:
            connection.close()
    if tables:
        raise BackupError(f"{_display(db)} is not empty ({tables} tables): a backup is restored into an empty "
                          f"database only, so that nothing of the two mixes. Create a new database and restore "
                          f"into it.")


def _restore_postgresql(db, dump):
    params = libpq_params(db)
    result = subprocess.run(
        [_pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
         f"--dbname={params['dbname']}", str(dump)],
        env=libpq_env({k: v for k, v in params.items() if k != "dbname"}), capture_output=True, text=True)
    if result.returncode:
        raise BackupError(f"pg_restore failed (nothing was restored: one transaction): {result.stderr.strip()}")


def _restore_sqlite(db, copy):
    Path(db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(copy)
    target = sqlite3.connect(db["NAME"])
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def _restored_counts(db, vendor, tables):
    if vendor == "postgresql":
        import psycopg

        with psycopg.connect(**libpq_params(db)) as conn, conn.cursor() as cursor:
            return count_rows(cursor, tables), audit_head(cursor)
    connection = sqlite3.connect(db["NAME"])
    try:
        cursor = connection.cursor()
        return count_rows(cursor, tables), audit_head(cursor)
    finally:
        connection.close()


def verify_audit_chain(database_url):
    """``liaison audit verify`` on another database, in a process of its own."""
    env = {**os.environ, "DATABASE_URL": database_url}
    result = subprocess.run([sys.executable, "-m", "liaison.cli", "audit", "verify"], env=env,
                            capture_output=True, text=True)
    output = (result.stdout + result.stderr).strip().splitlines()
    message = output[-1] if output else ""
    if result.returncode:
        raise BackupError(f"The restored database's audit chain did not verify: {message}")
    return message
