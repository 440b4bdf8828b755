"""FILE-4 (SECURITY-PLAN; ASVS v5 5.4.3): the clamd wiring, against a local stand-in for clamd.

No real signatures offline: the stand-in speaks clamd's INSTREAM protocol and reports the EICAR test string (built
here by concatenation, so this file holds no signature) as "Eicar-Test-Signature FOUND". Pass: EICAR refused and
nothing stored, a clean file passes, and every upload is refused while clamd is down (fail closed).
"""

from __future__ import annotations

import socket
import socketserver
import struct
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cme.core.uploads import DOCUMENTS, UploadRejected, sniff

EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
CLEAN = b"Dear parent, this is a clean letter.\n"


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
def clamd(settings: Any) -> Iterator[socketserver.TCPServer]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Clamd)
    server.scanned = 0  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.CME_CLAMD_ADDRESS = f"127.0.0.1:{server.server_address[1]}"
    settings.CME_CLAMD_TIMEOUT = 5
    yield server
    server.shutdown()
    server.server_close()


def test_eicar_is_refused_and_a_clean_file_passes(clamd: socketserver.TCPServer) -> None:
    with pytest.raises(UploadRejected, match="virus"):
        sniff(EICAR, name="letter.txt", allowed=DOCUMENTS, max_bytes=10_000)
    assert sniff(CLEAN, name="letter.txt", allowed=DOCUMENTS, max_bytes=10_000).extension == "txt"
    assert clamd.scanned == 2  # type: ignore[attr-defined]


def test_uploads_are_refused_while_clamd_is_down(settings: Any) -> None:
    with socket.socket() as probe:  # a port with nothing listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CME_CLAMD_ADDRESS = f"127.0.0.1:{port}"
    settings.CME_CLAMD_TIMEOUT = 2
    with pytest.raises(UploadRejected, match="could not be checked"):
        sniff(CLEAN, name="letter.txt", allowed=DOCUMENTS, max_bytes=10_000)


@pytest.mark.django_db
def test_an_infected_case_document_is_not_stored(clamd: socketserver.TCPServer, officer: Any, settings: Any,
                                                 tmp_path: Path) -> None:
    from cme.audit.services import Auditor
    from cme.cases.models import Document
    from cme.cases.services import document_store
    from cme.cases.tests.factories import open_case

    settings.MEDIA_ROOT = tmp_path
    case = open_case(user=officer)
    with pytest.raises(UploadRejected):
        document_store(actor=Auditor.for_user(officer), user=officer, local_authority_id=case.local_authority_id,
                       upload=SimpleUploadedFile("note.txt", b"note " + EICAR), title="x", case=case)
    assert not Document.objects.exists() and not [p for p in tmp_path.rglob("*") if p.is_file()]
    document_store(actor=Auditor.for_user(officer), user=officer, local_authority_id=case.local_authority_id,
                   upload=SimpleUploadedFile("note.txt", CLEAN), title="x", case=case)
    assert Document.objects.count() == 1
