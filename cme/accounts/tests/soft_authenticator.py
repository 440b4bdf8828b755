"""A software security key for tests (AC-8): makes real WebAuthn answers with the `cryptography` library.

`create(options_json, origin)` answers navigator.credentials.create() options with a "none" attestation and an
ES256 (P-256) key; `get(options_json, origin)` signs an assertion over authenticatorData + SHA-256(clientDataJSON),
moving its signature counter on by one each time (as a real key does). Both return the JSON a browser would send.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import secrets
import struct
from typing import Any

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url

UP, UV, AT = 0x01, 0x04, 0x40


class SoftAuthenticator:
    def __init__(self, *, sign_count: int = 0, user_verified: bool = True) -> None:
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = secrets.token_bytes(32)
        self.sign_count = sign_count
        self.flags = UP | (UV if user_verified else 0)

    def _cose_public_key(self) -> bytes:
        numbers = self.private_key.public_key().public_numbers()
        return cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})

    @staticmethod
    def _client_data(kind: str, challenge: str, origin: str) -> bytes:
        return json.dumps({"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False}).encode()

    def create(self, options_json: str, origin: str, *, rp_id: str | None = None) -> str:
        options: dict[str, Any] = json.loads(options_json)
        rp = rp_id or options["rp"]["id"]
        attested = (bytes(16) + struct.pack(">H", len(self.credential_id)) + self.credential_id
                    + self._cose_public_key())
        auth_data = hashlib.sha256(rp.encode()).digest() + bytes([self.flags | AT]) + struct.pack(
            ">I", self.sign_count) + attested
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        client_data = self._client_data("webauthn.create", options["challenge"], origin)
        return json.dumps({
            "id": bytes_to_base64url(self.credential_id), "rawId": bytes_to_base64url(self.credential_id),
            "type": "public-key", "clientExtensionResults": {}, "authenticatorAttachment": "cross-platform",
            "response": {"clientDataJSON": bytes_to_base64url(client_data),
                         "attestationObject": bytes_to_base64url(attestation), "transports": ["usb"]},
        })

    def get(self, options_json: str, origin: str, *, rp_id: str | None = None, count: int | None = None) -> str:
        options: dict[str, Any] = json.loads(options_json)
        allowed = [base64url_to_bytes(c["id"]) for c in options.get("allowCredentials", [])]
        assert not allowed or self.credential_id in allowed, "this key is not in allowCredentials"
        self.sign_count = self.sign_count + 1 if count is None else count
        auth_data = (hashlib.sha256((rp_id or options["rpId"]).encode()).digest() + bytes([self.flags])
                     + struct.pack(">I", self.sign_count))
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        signature = self.private_key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        return json.dumps({
            "id": bytes_to_base64url(self.credential_id), "rawId": bytes_to_base64url(self.credential_id),
            "type": "public-key", "clientExtensionResults": {}, "authenticatorAttachment": "cross-platform",
            "response": {"clientDataJSON": bytes_to_base64url(client_data),
                         "authenticatorData": bytes_to_base64url(auth_data),
                         "signature": bytes_to_base64url(signature)},
        })


def options_in(page: str) -> str:
    """The WebAuthn options a page gives its form (data-webauthn-options), as the browser script reads them."""
    found = re.search(r'data-webauthn-options="([^"]*)"', page)
    assert found, "no WebAuthn options on the page"
    return html.unescape(found.group(1))
