"""The quarantine of infected uploads (SECURITY-PLAN FILE-4, ASVS v5 5.4.3).

When clamd finds a virus in an upload, `core.uploads.sniff` refuses it (the caller stores nothing) and hands it to
`hold`. Inside a web request (`QuarantineMiddleware` opens a `scope`) the file is kept once the response is built,
outside the view's transaction, so the caller's rollback cannot lose it; anywhere else it is kept at once as a
system job's upload (a job that scans inside its own transaction should open a `scope` around it, as every upload
point today is a web or API request).

Keeping it (`store`) writes one `QuarantinedFile` row (SHA-256, size, original name, upload point, uploader, LA,
signature, time), one audit event, and the bytes encrypted with AES-GCM (a key derived from SECRET_KEY) under
`CME_QUARANTINE_DIR`, which must lie outside MEDIA_ROOT and the static files. No view serves those bytes:
system administrators see the entries in the admin and `release` (a false positive: the same file, by its SHA-256,
is let through in that council from then on) or `delete` them; both destroy the stored bytes and are audited.
A release emails the person who uploaded the file (once the decision is committed) that they can upload it again
where they first did: a request cannot be replayed later, so the upload is theirs to complete.
"""

from __future__ import annotations

import contextvars
import hashlib
import logging
import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from cme.audit.models import AuditEvent
from cme.audit.services import Auditor
from cme.core.models import QuarantinedFile

if TYPE_CHECKING:
    from cme.accounts.models import User

logger = logging.getLogger(__name__)
_NONCE = 12


@dataclass(frozen=True)
class Held:
    data: bytes
    name: str
    signature: str


@dataclass
class _Scope:
    council: Callable[[], int | None]
    held: list[Held]


_scope: contextvars.ContextVar[_Scope | None] = contextvars.ContextVar("cme_quarantine_scope", default=None)


@contextmanager
def scope(*, council: Callable[[], int | None]) -> Iterator[list[Held]]:
    """Collect the infected uploads of one request (QuarantineMiddleware keeps them once the response is built).
    `council` gives the signed-in user's council when asked (the API signs in inside the view)."""
    current = _Scope(council, [])
    token = _scope.set(current)
    try:
        yield current.held
    finally:
        _scope.reset(token)


def hold(data: bytes, *, name: str, signature: str) -> None:
    """An infected upload: kept after the request (inside a scope) or now (a job, a command)."""
    current = _scope.get()
    held = Held(data=data, name=name, signature=signature)
    if current is not None:
        current.held.append(held)
        return
    store(held, actor=Auditor.system("core.uploads"), user=None, local_authority_id=None, upload_point="(no request)")


def released(digest: str) -> bool:
    """A system administrator released this exact file as a false positive, in the current request's council."""
    current = _scope.get()
    council = current.council() if current is not None else None
    if council is None:
        return False
    return QuarantinedFile.objects.filter(local_authority_id=council, sha256=digest,
                                          status=QuarantinedFile.Status.RELEASED).exists()


def directory() -> Path:
    """CME_QUARANTINE_DIR, refused if it lies inside MEDIA_ROOT or STATIC_ROOT (served or backed up as media)."""
    folder = Path(settings.CME_QUARANTINE_DIR).resolve()
    for name in ("MEDIA_ROOT", "STATIC_ROOT"):
        served = getattr(settings, name, None)
        if served and (folder == Path(served).resolve() or Path(served).resolve() in folder.parents):
            raise ImproperlyConfigured(f"CME_QUARANTINE_DIR must lie outside {name}.")
    return folder


def _key() -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=b"cme quarantine v1").derive(settings.SECRET_KEY.encode())


def _path(entry: QuarantinedFile) -> Path:
    return directory() / entry.storage_token


@transaction.atomic
def store(held: Held, *, actor: Auditor, user: User | None, local_authority_id: int | None,
          upload_point: str) -> QuarantinedFile:
    """Keep an infected upload: its row, its audit event and its encrypted bytes (see the module docstring)."""
    folder = directory()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    token = secrets.token_hex(20)
    entry = QuarantinedFile.objects.create(
        local_authority_id=local_authority_id, sha256=hashlib.sha256(held.data).hexdigest(), size=len(held.data),
        original_name=(held.name.replace("\\", "/").rsplit("/", 1)[-1] or "upload")[:200],
        upload_point=upload_point[:300], uploaded_by=user, uploaded_by_label=actor.label, signature=held.signature,
        storage_token=token)
    nonce = os.urandom(_NONCE)
    sealed = AESGCM(_key()).encrypt(nonce, held.data, token.encode())
    descriptor = os.open(folder / token, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(nonce + sealed)
    actor.record(AuditEvent.Action.CREATE, entry, local_authority_id=local_authority_id,
                 summary=f"Upload quarantined: {held.signature} in {entry.original_name} at {entry.upload_point}")
    logger.warning("upload %s quarantined (%s) as entry %s", entry.sha256, held.signature, entry.pk)
    return entry


def read(entry: QuarantinedFile) -> bytes:
    """The quarantined bytes, decrypted (for analysis outside the service; no view calls this)."""
    blob = _path(entry).read_bytes()
    return AESGCM(_key()).decrypt(blob[:_NONCE], blob[_NONCE:], entry.storage_token.encode())


def _decide(entry: QuarantinedFile, *, actor: Auditor, status: str, reason: str, action: str) -> QuarantinedFile:
    if entry.status != QuarantinedFile.Status.QUARANTINED:
        raise ValueError(f"This file was already {entry.get_status_display().lower()}.")
    _path(entry).unlink(missing_ok=True)
    entry.status, entry.reason = status, reason.strip()
    entry.decided_by_label, entry.decided_at = actor.label, timezone.now()
    entry.save(update_fields=["status", "reason", "decided_by_label", "decided_at"])
    actor.record(action, entry, local_authority_id=entry.local_authority_id, reason=entry.reason,
                 summary=f"Quarantined upload {entry.get_status_display().lower()}: {entry.original_name}")
    return entry


RELEASED_SUBJECT = "A file you uploaded has been checked: upload it again"


def _tell_uploader(entry: QuarantinedFile) -> None:
    """The released file's uploader, by email. The body names the page and the time, not the file: a file name can
    name a child, and email is not where a child's name goes (core.email)."""
    user = entry.uploaded_by
    if user is None or not user.is_active or not user.email:
        return
    from cme.core.email import send_email

    when = timezone.localtime(entry.quarantined_at)
    body = (f"On {when:%-d %B %Y} at {when:%H:%M} you uploaded a file at {entry.upload_point}. Our virus check "
            "stopped it and kept it aside. A system administrator has checked it and released it: it was safe.\n\n"
            "Nothing was saved at the time. Please upload the same file again on that page; it will be accepted.\n")
    send_email(to=[user.email], subject=RELEASED_SUBJECT, body=body, reference=f"quarantine-{entry.pk}")


@transaction.atomic
def release(entry: QuarantinedFile, *, actor: Auditor, reason: str) -> QuarantinedFile:
    """A false positive: the stored bytes are destroyed, the same file is let through in that council, and the
    uploader is told to upload it again (after the commit)."""
    decided = _decide(entry, actor=actor, status=QuarantinedFile.Status.RELEASED, reason=reason,
                      action=AuditEvent.Action.UPDATE)
    transaction.on_commit(lambda: _tell_uploader(decided))
    return decided


@transaction.atomic
def delete(entry: QuarantinedFile, *, actor: Auditor, reason: str) -> QuarantinedFile:
    """The stored bytes are destroyed; the row stays as the record of what was found."""
    return _decide(entry, actor=actor, status=QuarantinedFile.Status.DELETED, reason=reason,
                   action=AuditEvent.Action.DELETE)
