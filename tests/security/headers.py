"""CFG-2 (SECURITY-PLAN; ASVS v5.0.0 3.4.1-3.4.8, 14.3.2): the security headers every response must carry.

`missing_headers(headers)` lists what a response lacks. The crawl of AC-4 (tests/security/test_field_level.py)
records every response of every role (pages, redirects, downloads, JSON), over HTTPS with the production HSTS
settings (`PRODUCTION_HSTS`, the values of cme/settings/production.py, which CFG-1's `check --deploy` guards).
"""

from __future__ import annotations

import re

PRODUCTION_HSTS = {"SECURE_HSTS_SECONDS": 31_536_000, "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
                   "SECURE_HSTS_PRELOAD": True}


def _directives(csp: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for part in csp.split(";"):
        words = part.split()
        if words:
            out[words[0].lower()] = words[1:]
    return out


def missing_headers(headers: dict[str, str]) -> list[str]:
    """The header rules a response breaks (empty: none)."""
    h = {k.lower(): v for k, v in headers.items()}
    missing: list[str] = []
    csp = _directives(h.get("content-security-policy", ""))
    if not csp:
        missing.append("CSP")
    else:
        for directive in ("object-src", "base-uri", "frame-ancestors"):
            if csp.get(directive) != ["'none'"]:
                missing.append(f"CSP {directive} 'none'")
        # Scripts: our origin and, where a page has one, the per-request nonce; never inline, eval or other hosts.
        # (django-csp adds the nonce only to responses whose page used it: a bare 403 has `script-src 'self'`.)
        script = csp.get("script-src", csp.get("default-src", []))
        allowed = {"'self'"}
        if not script or any(s not in allowed and not s.startswith(("'nonce-", "'sha256-")) for s in script):
            missing.append("CSP script-src only 'self' and a nonce")
    hsts = h.get("strict-transport-security", "")
    age = re.search(r"max-age=(\d+)", hsts)
    if not age or int(age.group(1)) < 31_536_000 or "includesubdomains" not in hsts.lower():
        missing.append("HSTS")
    if h.get("x-content-type-options") != "nosniff":
        missing.append("nosniff")
    if h.get("referrer-policy") not in ("same-origin", "no-referrer", "strict-origin"):
        missing.append("Referrer-Policy")
    if h.get("cross-origin-opener-policy") != "same-origin":
        missing.append("COOP")
    if h.get("x-frame-options") != "DENY":
        missing.append("X-Frame-Options")
    if "no-store" not in h.get("cache-control", ""):
        missing.append("Cache-Control no-store")
    return missing
