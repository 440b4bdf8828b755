"""BKP-1/BKP-2: a backup restores to exactly the same data; a wrong key or a changed byte restores nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cme.children.tests.factories import ChildFactory, EnrolmentFactory
from cme.core.backup import BackupError, database_fingerprint, new_key, restore_database

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def key(monkeypatch: pytest.MonkeyPatch) -> str:
    value = new_key()
    monkeypatch.setenv("CME_BACKUP_KEY", value)
    return value


def test_backup_then_restore_gives_back_the_same_database(tmp_path: Path, key: str, la) -> None:  # type: ignore[no-untyped-def]
    for name in ("Ava", "Ben", "Cara"):
        EnrolmentFactory(child=ChildFactory(local_authority=la, legal_forename=name))
    before = database_fingerprint()
    path = tmp_path / "cme.backup"
    call_command("backup", "--out", str(path))
    ChildFactory(local_authority=la, legal_forename="Added after the backup")
    from cme.children.models import Child

    Child.objects.filter(legal_forename="Ava").update(legal_surname="Changed")
    assert database_fingerprint() != before
    call_command("restore", str(path), "--yes")
    assert database_fingerprint() == before


def test_a_wrong_key_or_a_changed_byte_restores_nothing(tmp_path: Path, key: str, la, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    ChildFactory(local_authority=la)
    path = tmp_path / "cme.backup"
    call_command("backup", "--out", str(path))
    ChildFactory(local_authority=la, legal_forename="Kept")
    after = database_fingerprint()
    data = bytearray(path.read_bytes())
    data[-10] ^= 0x01
    tampered = tmp_path / "tampered.backup"
    tampered.write_bytes(bytes(data))
    with pytest.raises(CommandError, match="integrity"):
        call_command("restore", str(tampered), "--yes")
    monkeypatch.setenv("CME_BACKUP_KEY", new_key())
    with pytest.raises(BackupError, match="different key"):
        from cme.core.backup import load_key

        restore_database(path, key=load_key())
    assert database_fingerprint() == after


def test_restore_needs_confirmation_and_check_only_verifies(tmp_path: Path, key: str, la) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "cme.backup"
    call_command("backup", "--out", str(path))
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(path))
    call_command("restore", str(path), "--check")
