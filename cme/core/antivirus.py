"""Virus scan of every upload through clamd (SECURITY-PLAN FILE-4; ASVS v5 5.4.3).

`scan(data)` streams the bytes to clamd with its INSTREAM command (settings.CME_CLAMD_ADDRESS: "host:port" or the
path of clamd's Unix socket). A file clamd reports as infected is refused, and so is every file while clamd cannot
be reached or answers with an error (fail closed): the caller stores nothing. An empty address turns the scan off
(development and tests); production sets it, and freshclam keeps the signatures current. `core.uploads.sniff`,
the one check every upload point passes, calls it last, and puts an infected file in the quarantine
(`core.quarantine`: kept encrypted outside MEDIA_ROOT for the system administrators, never served).
"""

from __future__ import annotations

import hashlib
import logging
import socket
import struct

from django.conf import settings

logger = logging.getLogger(__name__)
CHUNK = 64 * 1024


class ScanRefused(ValueError):
    """The file is infected, or it could not be scanned: its message is for the user."""


class Infected(ScanRefused):
    """clamd found a virus: `signature` is its name (kept with the file in the quarantine, core.quarantine)."""

    def __init__(self, message: str, *, signature: str) -> None:
        super().__init__(message)
        self.signature = signature


def _connect(address: str, timeout: float) -> socket.socket:
    if address.startswith("/"):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        sock.connect(address)
        return sock
    host, _, port = address.rpartition(":")
    return socket.create_connection((host, int(port)), timeout=timeout)


def _instream(address: str, data: bytes, timeout: float) -> str:
    with _connect(address, timeout) as sock:
        sock.sendall(b"zINSTREAM\0")
        for start in range(0, len(data), CHUNK):
            chunk = data[start:start + CHUNK]
            sock.sendall(struct.pack("!L", len(chunk)) + chunk)
        sock.sendall(struct.pack("!L", 0))
        reply = b""
        while not reply.endswith(b"\0"):
            part = sock.recv(4096)
            if not part:
                break
            reply += part
    return reply.rstrip(b"\0").decode("utf-8", "replace").strip()


def scan(data: bytes) -> None:
    """Return if clamd finds the bytes clean; raise ScanRefused otherwise (infected, error, or clamd unreachable)."""
    address = getattr(settings, "CME_CLAMD_ADDRESS", "")
    if not address:
        return
    digest = hashlib.sha256(data).hexdigest()
    try:
        reply = _instream(address, data, float(getattr(settings, "CME_CLAMD_TIMEOUT", 30)))
    except (OSError, ValueError) as exc:
        logger.error("virus scan unavailable (%s); upload %s refused", type(exc).__name__, digest)
        raise ScanRefused("The file could not be checked for viruses just now. Try again later.") from exc
    if reply.endswith("FOUND"):
        signature = reply.split(":", 1)[-1].removesuffix("FOUND").strip()
        logger.warning("virus scan: upload %s refused, signature %s", digest, signature)
        raise Infected("The selected file contains a virus, so it was not saved.", signature=signature[:200])
    if not reply.endswith("OK"):
        logger.error("virus scan error (%s); upload %s refused", reply[:200], digest)
        raise ScanRefused("The file could not be checked for viruses just now. Try again later.")
