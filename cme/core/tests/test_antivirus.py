"""FILE-4 (SECURITY-PLAN; ASVS v5 5.4.3): clamd wiring, the quarantine, and failing closed.

No real signatures offline. Two clamds: a local stand-in that speaks clamd's INSTREAM protocol and reports the
EICAR test string as "Eicar-Test-Signature FOUND", and (when Debian's clamav-daemon is installed, as in CI) the
real clamd started on a temporary Unix socket with a one-line signature database built here from the EICAR string
(no freshclam). The EICAR string is built by concatenation, so this file holds no signature.

Pass: EICAR is refused and quarantined (one row, the bytes kept encrypted outside MEDIA_ROOT, nothing else
written); a clean file passes; every upload is refused while clamd is down (fail closed); no role can download a
quarantined file; release and delete are the system administrator's, audited. Run with -s for the figures.
"""

from __future__ import annotations

import hashlib
import shutil
import socket
import socketserver
import struct
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import get_resolver, reverse

from cme.accounts.models import User
from cme.audit.models import AuditEvent
from cme.cases.models import Case, Document
from cme.cases.tests.factories import open_case
from cme.core import quarantine
from cme.core.models import QuarantinedFile
from cme.core.uploads import DOCUMENTS, UploadRejected, sniff

EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
CLEAN = b"Dear parent, this is a clean letter.\n"
CLAMD = shutil.which("clamd") or "/usr/sbin/clamd"


class _Clamd(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        command = b""
        while not command.endswith(b"\0"):
            command += self.request.recv(1)
        assert command == b"zINSTREAM\0"
        data = b""
        while True:
            size = struct.unpack("!L", self._exactly(4))[0]
            if size == 0:
                break
            data += self._exactly(size)
        self.server.scanned += 1  # type: ignore[attr-defined]
        reply = b"stream: Eicar-Test-Signature FOUND\0" if EICAR in data else b"stream: OK\0"
        self.request.sendall(reply)

    def _exactly(self, n: int) -> bytes:
        out = b""
        while len(out) < n:
            out += self.request.recv(n - len(out))
        return out


@pytest.fixture
def stores(settings: Any, tmp_path: Path) -> tuple[Path, Path]:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CME_QUARANTINE_DIR = tmp_path / "quarantine"
    return settings.MEDIA_ROOT, settings.CME_QUARANTINE_DIR


@pytest.fixture
def clamd(settings: Any, stores: tuple[Path, Path]) -> Iterator[socketserver.TCPServer]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Clamd)
    server.scanned = 0  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.CME_CLAMD_ADDRESS = f"127.0.0.1:{server.server_address[1]}"
    settings.CME_CLAMD_TIMEOUT = 5
    yield server
    server.shutdown()
    server.server_close()


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def _rows() -> Counter[str]:
    return Counter({m._meta.label: m._default_manager.count() for m in apps.get_models()})


def _upload(client: Client, case: Case, name: str, data: bytes) -> Any:
    return client.post(reverse("cases:document-new", args=[case.pk]),
                       {"title": "Letter", "file": SimpleUploadedFile(name, data)})


@pytest.fixture
def case(officer: User) -> Case:
    return open_case(user=officer)


def test_eicar_is_quarantined_and_nothing_else_is_written(clamd: socketserver.TCPServer, officer: User, case: Case,
                                                          client_for: Callable[[User], Client],
                                                          stores: tuple[Path, Path]) -> None:
    media, folder = stores
    client = client_for(officer)
    before = _rows()
    infected = b"note " + EICAR
    response = _upload(client, case, "letter.txt", infected)
    assert response.status_code == 200 and "contains a virus" in response.content.decode()
    written = _rows() - before
    entry = QuarantinedFile.objects.get()
    assert (entry.sha256, entry.size, entry.original_name, entry.signature) == (
        hashlib.sha256(infected).hexdigest(), len(infected), "letter.txt", "Eicar-Test-Signature")
    assert entry.upload_point == reverse("cases:document-new", args=[case.pk])
    assert (entry.uploaded_by, entry.local_authority_id, entry.status) == (officer, officer.local_authority_id,
                                                                           QuarantinedFile.Status.QUARANTINED)
    events = AuditEvent.objects.filter(object_type="core.quarantinedfile", object_id=str(entry.pk))
    assert [(e.action, e.actor_id) for e in events] == [(AuditEvent.Action.CREATE, officer.pk)]
    # the rows written: the quarantine entry and audit events (its own, and the case page's read), nothing else
    assert set(written) == {"core.QuarantinedFile", "audit.AuditEvent"} and written["core.QuarantinedFile"] == 1
    assert not Document.objects.exists() and _files(media) == []
    kept = _files(folder)
    assert [p.name for p in kept] == [entry.storage_token]
    assert EICAR not in kept[0].read_bytes()  # encrypted at rest
    assert quarantine.read(entry) == infected  # and the bytes are all there
    assert media.resolve() not in folder.resolve().parents
    print(f"\nFILE-4 stand-in: EICAR upload -> quarantined rows {written['core.QuarantinedFile']}, files in media "
          f"{len(_files(media))}, files in quarantine {len(kept)}, documents {Document.objects.count()}")


def test_a_clean_file_passes_and_is_not_quarantined(clamd: socketserver.TCPServer, officer: User, case: Case,
                                                    client_for: Callable[[User], Client],
                                                    stores: tuple[Path, Path]) -> None:
    response = _upload(client_for(officer), case, "letter.txt", CLEAN)
    assert response.status_code == 302
    assert Document.objects.count() == 1 and not QuarantinedFile.objects.exists()
    assert len(_files(stores[0])) == 1 and _files(stores[1]) == []
    assert clamd.scanned == 1  # type: ignore[attr-defined]


def test_uploads_are_refused_while_clamd_is_down(settings: Any, officer: User, case: Case,
                                                 client_for: Callable[[User], Client],
                                                 stores: tuple[Path, Path]) -> None:
    with socket.socket() as probe:  # a port with nothing listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CME_CLAMD_ADDRESS = f"127.0.0.1:{port}"
    settings.CME_CLAMD_TIMEOUT = 2
    with pytest.raises(UploadRejected, match="could not be checked"):
        sniff(CLEAN, name="letter.txt", allowed=DOCUMENTS, max_bytes=10_000)
    response = _upload(client_for(officer), case, "letter.txt", CLEAN)
    assert "could not be checked for viruses" in response.content.decode()
    assert not Document.objects.exists() and not QuarantinedFile.objects.exists()
    assert _files(stores[0]) == [] and _files(stores[1]) == []


def test_a_quarantined_file_is_never_downloadable_by_any_role(clamd: socketserver.TCPServer, officer: User,
                                                              case: Case, client_for: Callable[[User], Client],
                                                              request: pytest.FixtureRequest) -> None:
    _upload(client_for(officer), case, "letter.txt", b"note " + EICAR)
    entry = QuarantinedFile.objects.get()
    personas = ["officer", "manager", "school_user", "partner_user", "readonly_manager", "panel_member", "dpo",
                "la_admin", "outsider"]
    opts = QuarantinedFile._meta
    urls = [reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")] + [
        reverse(f"admin:{opts.app_label}_{opts.model_name}_{page}", args=[entry.pk])
        for page in ("change", "delete", "history")]
    urls += [f"/media/{entry.storage_token}", f"/media/quarantine/{entry.storage_token}"]
    statuses: Counter[int] = Counter()
    for name in personas:
        client = client_for(request.getfixturevalue(name))
        for url in urls:
            response = client.get(url)
            statuses[response.status_code] += 1
            assert EICAR not in b"".join(response) if response.streaming else EICAR not in response.content, url
            assert "attachment" not in response.get("Content-Disposition", ""), (name, url)
    # no route of the service but the admin's read-only pages names the quarantine
    routes = [str(p.pattern) for p in get_resolver().url_patterns]
    assert not [r for r in routes if "quarantin" in r.lower()]
    assert quarantine.read(entry).endswith(EICAR)  # still kept
    print(f"\nFILE-4: {len(personas)} roles x {len(urls)} URLs: responses {dict(statuses)}, bytes served 0")


def test_release_and_delete_are_the_system_administrators_and_audited(
        clamd: socketserver.TCPServer, officer: User, la_admin: User, case: Case,
        client_for: Callable[[User], Client], stores: tuple[Path, Path]) -> None:
    officer_client, admin_client = client_for(officer), client_for(la_admin)
    _upload(officer_client, case, "letter.txt", b"note " + EICAR)
    _upload(officer_client, case, "other.txt", b"other " + EICAR)
    first, second = QuarantinedFile.objects.order_by("pk")
    changelist = reverse("admin:core_quarantinedfile_changelist")
    page = admin_client.get(changelist).content.decode()
    assert "letter.txt" in page and "other.txt" in page and "Eicar-Test-Signature" in page
    assert admin_client.post(changelist, {"action": "release_selected",
                                          "_selected_action": [first.pk]}).status_code == 302
    assert admin_client.post(changelist, {"action": "delete_selected_files",
                                          "_selected_action": [second.pk]}).status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (QuarantinedFile.Status.RELEASED, QuarantinedFile.Status.DELETED)
    assert first.decided_by_label == second.decided_by_label == la_admin.email
    assert _files(stores[1]) == []  # both stored files destroyed
    actions = {(e.object_id, e.action) for e in AuditEvent.objects.filter(object_type="core.quarantinedfile",
                                                                          actor=la_admin)}
    assert actions == {(str(first.pk), AuditEvent.Action.UPDATE), (str(second.pk), AuditEvent.Action.DELETE)}
    # the released file (a false positive) is now let through in that council; the deleted one is not
    assert _upload(officer_client, case, "letter.txt", b"note " + EICAR).status_code == 302
    assert "contains a virus" in _upload(officer_client, case, "other.txt", b"other " + EICAR).content.decode()
    assert Document.objects.count() == 1 and QuarantinedFile.objects.count() == 3
    # other roles: the admin is a 404 (AC-8), and nothing changes
    assert officer_client.post(changelist, {"action": "delete_selected_files",
                                            "_selected_action": [QuarantinedFile.objects.latest("pk").pk]}
                               ).status_code == 404
    assert QuarantinedFile.objects.filter(status=QuarantinedFile.Status.QUARANTINED).count() == 1


def test_an_infected_api_feed_file_is_quarantined_with_the_token_user(clamd: socketserver.TCPServer, manager: User,
                                                                      la_admin: User) -> None:
    """The API signs in inside the view (a token): the entry still names the user, their council and the path."""
    from cme.api.services import api_token_issue
    from cme.audit.services import Auditor
    from cme.feeds.models import FeedRun, FeedSource

    cache.clear()  # the API's rate limits
    _, token = api_token_issue(actor=Auditor.for_user(la_admin), created_by=la_admin, service_account=manager,
                               name="System")
    FeedSource.objects.create(local_authority=manager.local_authority, slug="health", name="Health",
                              kind=FeedSource.Kind.CSV, source="health", transport=FeedSource.Transport.UPLOAD)
    upload = SimpleUploadedFile("health.csv", b"nhs_number,forename\n" + EICAR + b",x\n")
    response = Client().post("/api/v1/feeds/health/files", {"file": upload}, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 422 and "virus" in response.json()["error"]["details"][0]["message"]
    entry = QuarantinedFile.objects.get()
    assert (entry.uploaded_by, entry.local_authority_id, entry.upload_point, entry.original_name) == (
        manager, manager.local_authority_id, "/api/v1/feeds/health/files", "health.csv")
    assert not FeedRun.objects.exists()


def test_the_quarantine_folder_must_lie_outside_media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.CME_QUARANTINE_DIR = tmp_path / "quarantine"
    with pytest.raises(ImproperlyConfigured):
        quarantine.directory()


# --- the real clamd, with a signature database built here ------------------------------------------------------

@pytest.fixture
def real_clamd(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[subprocess.Popen[bytes]]:
    if not Path(CLAMD).exists():
        pytest.skip("clamd is not installed (Debian's clamav-daemon; .ci/run installs it)")
    folder = tmp_path_factory.mktemp("clamd")
    (folder / "local.ndb").write_text(f"Cme-Local-Eicar:0:*:{EICAR.hex()}\n")  # no freshclam, no real signatures
    sock = folder / "clamd.sock"
    (folder / "clamd.conf").write_text(f"LocalSocket {sock}\nDatabaseDirectory {folder}\nForeground yes\n"
                                       f"LogFile {folder / 'clamd.log'}\nPidFile {folder / 'clamd.pid'}\n")
    process = subprocess.Popen([CLAMD, "-c", str(folder / "clamd.conf")], stdout=subprocess.DEVNULL,  # noqa: S603
                               stderr=subprocess.DEVNULL)
    for _ in range(300):  # wait until it answers (it loads one signature)
        if sock.exists() and process.poll() is None:
            break
        time.sleep(0.1)
    else:
        process.kill()
        pytest.fail(f"clamd did not start: {(folder / 'clamd.log').read_text(errors='replace')[-500:]}")
    settings.CME_CLAMD_ADDRESS = str(sock)
    settings.CME_CLAMD_TIMEOUT = 10
    yield process
    process.terminate()
    process.wait(timeout=30)


@pytest.mark.django_db
def test_real_clamd_quarantines_eicar_passes_a_clean_file_and_fails_closed_when_stopped(
        real_clamd: subprocess.Popen[bytes], stores: tuple[Path, Path]) -> None:
    assert sniff(CLEAN, name="letter.txt", allowed=DOCUMENTS, max_bytes=10_000).extension == "txt"
    with pytest.raises(UploadRejected, match="contains a virus"):
        sniff(b"note " + EICAR, name="letter.txt", allowed=DOCUMENTS, max_bytes=10_000)
    entry = QuarantinedFile.objects.get()  # outside a request: kept at once, as the system's
    assert entry.signature.startswith("Cme-Local-Eicar") and entry.uploaded_by_label == "system:core.uploads"
    assert quarantine.read(entry) == b"note " + EICAR and _files(stores[0]) == []
    real_clamd.terminate()
    real_clamd.wait(timeout=30)
    with pytest.raises(UploadRejected, match="could not be checked"):
        sniff(CLEAN, name="letter.txt", allowed=DOCUMENTS, max_bytes=10_000)
    print(f"\nFILE-4 real clamd: EICAR quarantined as {entry.signature}; clean passed; clamd stopped -> refused")


def test_a_release_tells_the_uploader_to_upload_again_without_naming_the_file(
        clamd: socketserver.TCPServer, officer: User, la_admin: User, case: Case,
        client_for: Callable[[User], Client], stores: tuple[Path, Path], mailoutbox,  # type: ignore[no-untyped-def]
        django_capture_on_commit_callbacks) -> None:
    officer_client, admin_client = client_for(officer), client_for(la_admin)
    _upload(officer_client, case, "Amelia Okafor letter.txt", b"note " + EICAR)
    _upload(officer_client, case, "second.txt", b"other " + EICAR)
    first, second = QuarantinedFile.objects.order_by("pk")
    changelist = reverse("admin:core_quarantinedfile_changelist")
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(changelist, {"action": "delete_selected_files", "_selected_action": [second.pk]})
    assert mailoutbox == []  # a deletion tells nobody
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(changelist, {"action": "release_selected", "_selected_action": [first.pk]})
    assert [m.to for m in mailoutbox] == [[officer.email]]
    message = mailoutbox[0]
    assert message.subject == quarantine.RELEASED_SUBJECT
    assert first.upload_point in message.body and "upload the same file again" in message.body
    assert "Amelia" not in message.subject + message.body and "Okafor" not in message.body
