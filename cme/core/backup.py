"""Encrypted, integrity-checked backups of the whole database, for SQLite and PostgreSQL.

File format: b"CMEBACKUP1\n" + a JSON header line (engine, created_at, key id, nonce) + AES-256-GCM ciphertext of
the dump (SQLite: a consistent copy made with the sqlite3 backup API; PostgreSQL: `pg_dump -Fc`). GCM
authenticates the header and the dump, so a wrong key or a changed byte fails *before* anything is restored.
The key (32 bytes, base64) comes from CME_BACKUP_KEY or a key file; it is never stored beside the backup.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess  # noqa: S404 - pg_dump / pg_restore with fixed arguments
import tempfile
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.apps import apps
from django.db import connection, connections

MAGIC = b"CMEBACKUP1\n"


class BackupError(Exception):
    pass


def load_key(*, key_file: str | None = None) -> bytes:
    raw = Path(key_file).read_text(encoding="utf-8").strip() if key_file else os.environ.get("CME_BACKUP_KEY", "")
    if not raw:
        raise BackupError("No backup key: set CME_BACKUP_KEY or pass --key-file (32 random bytes, base64).")
    try:
        key = base64.b64decode(raw, validate=True)
    except ValueError as exc:
        raise BackupError("The backup key is not valid base64.") from exc
    if len(key) != 32:
        raise BackupError("The backup key must be 32 bytes (base64 of 32 random bytes).")
    return key


def new_key() -> str:
    return base64.b64encode(os.urandom(32)).decode("ascii")


def _key_id(key: bytes) -> str:
    return hashlib.sha256(b"cme-backup-key-id" + key).hexdigest()[:16]


def _pg_env(db: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    args = ["-h", str(db.get("HOST") or "localhost"), "-p", str(db.get("PORT") or 5432), "-U", str(db["USER"])]
    env = {**os.environ, "PGPASSWORD": str(db.get("PASSWORD") or "")}
    return args, env


def dump_database(alias: str = "default") -> tuple[str, bytes]:
    conn = connections[alias]
    vendor = conn.vendor
    if vendor == "sqlite":
        conn.ensure_connection()
        with tempfile.TemporaryDirectory() as tmp:
            target_path = Path(tmp) / "copy.sqlite3"
            target = sqlite3.connect(target_path)
            conn.connection.backup(target)
            target.close()
            return vendor, target_path.read_bytes()
    if vendor == "postgresql":
        pg_dump = shutil.which("pg_dump")
        if pg_dump is None:
            raise BackupError("pg_dump is not installed (apt-get install postgresql-client).")
        db = conn.settings_dict
        args, env = _pg_env(db)
        result = subprocess.run(  # noqa: S603 - fixed executable and arguments
            [pg_dump, "-Fc", "--no-owner", *args, str(db["NAME"])], capture_output=True, env=env, check=False,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_dump failed: {result.stderr.decode(errors='replace')[:500]}")
        return vendor, result.stdout
    raise BackupError(f"Backups are not supported for {vendor}.")


def backup_write(path: Path, *, key: bytes, alias: str = "default") -> dict[str, Any]:
    vendor, payload = dump_database(alias)
    nonce = os.urandom(12)
    header = {"engine": vendor, "created_at": dt.datetime.now(dt.UTC).isoformat(), "key_id": _key_id(key),
              "nonce": base64.b64encode(nonce).decode(), "bytes": len(payload)}
    header_line = json.dumps(header, sort_keys=True).encode() + b"\n"
    ciphertext = AESGCM(key).encrypt(nonce, payload, MAGIC + header_line)
    tmp = path.with_suffix(path.suffix + ".part")
    tmp.write_bytes(MAGIC + header_line + ciphertext)
    tmp.replace(path)
    return header


def backup_read(path: Path, *, key: bytes) -> tuple[dict[str, Any], bytes]:
    """Decrypt and authenticate a backup; raises BackupError on a wrong key or any tampering."""
    data = path.read_bytes()
    if not data.startswith(MAGIC):
        raise BackupError("Not a CME backup file.")
    rest = data[len(MAGIC):]
    newline = rest.find(b"\n")
    if newline < 0:
        raise BackupError("The backup header is damaged.")
    header_line, ciphertext = rest[: newline + 1], rest[newline + 1:]
    try:
        header = json.loads(header_line)
        nonce = base64.b64decode(header["nonce"])
    except (ValueError, KeyError) as exc:
        raise BackupError("The backup header is damaged.") from exc
    if header.get("key_id") != _key_id(key):
        raise BackupError("This backup was made with a different key.")
    try:
        payload = AESGCM(key).decrypt(nonce, ciphertext, MAGIC + header_line)
    except InvalidTag as exc:
        raise BackupError("The backup failed its integrity check (changed or damaged); nothing was restored.") from exc
    return header, payload


def restore_database(path: Path, *, key: bytes, alias: str = "default") -> dict[str, Any]:
    header, payload = backup_read(path, key=key)  # verified before the target is touched
    conn = connections[alias]
    if header["engine"] != conn.vendor:
        raise BackupError(f"This is a {header['engine']} backup; the database is {conn.vendor}.")
    if conn.vendor == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            source_path = Path(tmp) / "restore.sqlite3"
            source_path.write_bytes(payload)
            source = sqlite3.connect(source_path)
            if source.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError("The SQLite copy inside the backup is corrupt.")
            conn.ensure_connection()
            source.backup(conn.connection)
            source.close()
        return header
    db = conn.settings_dict
    args, env = _pg_env(db)
    pg_restore = shutil.which("pg_restore")
    if pg_restore is None:
        raise BackupError("pg_restore is not installed (apt-get install postgresql-client).")
    conn.close()
    with tempfile.NamedTemporaryFile(suffix=".dump") as handle:
        handle.write(payload)
        handle.flush()
        result = subprocess.run(  # noqa: S603 - fixed executable and arguments
            [pg_restore, "--clean", "--if-exists", "--no-owner", "--single-transaction", *args, "-d",
             str(db["NAME"]), handle.name],
            capture_output=True, env=env, check=False,
        )
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.decode(errors='replace')[:500]}")
    return header


def database_fingerprint() -> dict[str, tuple[int, str]]:
    """Row count and a checksum of every table's rows (ordered by primary key): equal fingerprints, equal data."""
    result: dict[str, tuple[int, str]] = {}
    existing = set(connection.introspection.table_names())
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed or model._meta.db_table not in existing:
            continue
        digest = hashlib.sha256()
        count = 0
        fields = [f.attname for f in model._meta.concrete_fields]
        for row in model._base_manager.order_by("pk").values_list(*fields).iterator(chunk_size=2000):
            digest.update(repr(row).encode())
            count += 1
        result[model._meta.db_table] = (count, digest.hexdigest())
    return result


__all__ = ["BackupError", "backup_write", "backup_read", "restore_database", "database_fingerprint", "load_key",
           "new_key", "connection"]
