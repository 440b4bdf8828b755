"""SC-5 (TLS) and FILE-1: run the reference proxy deploy/nginx/cme.conf in front of the app and check it.

`make proxy-check` (not part of `make test`; needs `apt-get install nginx-light testssl.sh`; no root). Steps:

1. A throwaway demo council (scripts/dast.py `prepare`: SQLite, synthetic children, self-signed certificate).
2. gunicorn with production settings and BEHIND_TLS_PROXY=1 on a unix socket in the temporary directory.
3. nginx runs a copy of deploy/nginx/cme.conf in which only the ports, the certificate, the socket, the DH
   parameters and the server name are replaced (each replacement must match, so the copy cannot drift silently),
   as the current user: `nginx -p <tmp> -c <tmp>/nginx.conf`.
4. Checks, each printed with its figure: HTTP answers 301 to https; the Server header has no version; HSTS is
   sent; a 25 MB body is refused with 413 by nginx without reaching gunicorn (its access log); the officer signs in
   (password and TOTP) and uploads a 5 MB case document through the proxy; the app saw https (no redirect loop) and
   its audit event records the address the client connected from (127.0.0.7 here), not a forged X-Forwarded-For.
   With --testssl (the make target's default), testssl.sh checks the protocols, ciphers and known TLS weaknesses:
   TLS 1.2/1.3 only and no medium or worse finding other than the self-signed certificate.

Exit status 1 if a check fails.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sqlite3
import subprocess  # noqa: S404 - runs nginx, gunicorn and testssl.sh on loopback
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests
from requests.adapters import HTTPAdapter

sys.path.insert(0, str(Path(__file__).resolve().parent))
import dast  # noqa: E402

ROOT = dast.ROOT
CONF = ROOT / "deploy" / "nginx" / "cme.conf"
CLIENT_IP = "127.0.0.7"  # any 127/8 address is loopback on Linux: one the proxy itself does not use
FORGED = "203.0.113.9"
CASE_TYPE = "whereabouts_unknown"
MB = 1024 * 1024


class FromAddress(HTTPAdapter):
    """Connect from a chosen local address, so the audited address can be told apart from the proxy's."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def proxy_conf(work: Path, http_port: int, https_port: int) -> str:
    text = CONF.read_text(encoding="utf-8")
    replacements = [
        ("unix:/run/cme/gunicorn.sock", f"unix:{work / 'gunicorn.sock'}"),
        ("listen 80 default_server;", f"listen 127.0.0.1:{http_port} default_server;"),
        ("listen 443 ssl http2 default_server;", f"listen 127.0.0.1:{https_port} ssl http2 default_server;"),
        ("listen [::]:80 default_server;", ""),
        ("listen [::]:443 ssl http2 default_server;", ""),
        ("/etc/ssl/cme/fullchain.pem", str(work / "cert.pem")),
        ("/etc/ssl/cme/privkey.pem", str(work / "key.pem")),
        ("/etc/nginx/ffdhe2048.pem", str(CONF.parent / "ffdhe2048.pem")),
        ("server_name cme.example.gov.uk;", "server_name 127.0.0.1;"),
    ]
    for old, new in replacements:
        if old not in text:
            raise SystemExit(f"{CONF} no longer contains {old!r}: update scripts/proxy_check.py with it")
        text = text.replace(old, new)
    temp = "".join(f"    {kind}_temp_path {work / kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi",
                                                                         "scgi"))
    # Started by root, nginx would run its workers as `nobody`, who cannot open the temporary directory.
    user = "user root;\n" if os.geteuid() == 0 else ""
    return (f"{user}worker_processes 1;\npid {work / 'nginx.pid'};\nerror_log {work / 'nginx-error.log'} warn;\n"
            "events { worker_connections 256; }\n"
            f"http {{\n    include /etc/nginx/mime.types;\n    access_log {work / 'nginx-access.log'};\n{temp}"
            f"{text}\n}}\n")


def start_nginx(work: Path, http_port: int, https_port: int) -> subprocess.Popen[bytes]:
    (work / "nginx.conf").write_text(proxy_conf(work, http_port, https_port), encoding="utf-8")
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    test = subprocess.run([nginx, "-t", "-q", "-p", str(work), "-c", str(work / "nginx.conf")],  # noqa: S603
                          capture_output=True, text=True, check=False)
    if test.returncode:
        raise SystemExit(f"nginx refused the configuration:\n{test.stderr}")
    proc = subprocess.Popen([nginx, "-p", str(work), "-c", str(work / "nginx.conf"), "-g", "daemon off;"],  # noqa: S603
                            stdout=subprocess.DEVNULL, stderr=(work / "nginx-stderr.log").open("ab"))
    for _ in range(50):
        try:
            ready = requests.get(f"https://127.0.0.1:{https_port}/health/", verify=str(work / "cert.pem"), timeout=5)
            if ready.status_code == 200:
                return proc
        except requests.RequestException:
            pass
        time.sleep(0.2)
    proc.terminate()
    raise SystemExit(f"nginx did not start; see {work / 'nginx-error.log'}")


def serve_app(env: dict[str, str], work: Path) -> subprocess.Popen[bytes]:
    server = subprocess.Popen([str(dast.BIN / "gunicorn"), "cme.wsgi", "-w", "2", "-b",  # noqa: S603
                               f"unix:{work / 'gunicorn.sock'}", "--timeout", "120",
                               "--access-logfile", str(work / "access.log"),
                               "--error-logfile", str(work / "gunicorn.log")], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=(work / "app.log").open("ab"))
    for _ in range(120):
        if (work / "gunicorn.sock").exists():
            return server
        time.sleep(0.25)
    server.terminate()
    raise SystemExit(f"gunicorn did not start; see {work / 'gunicorn.log'}")


class Checks:
    def __init__(self) -> None:
        self.results: list[tuple[bool, str, str]] = []

    def check(self, ok: bool, name: str, figure: object) -> None:
        self.results.append((ok, name, str(figure)))
        print(f"{'PASS' if ok else 'FAIL'}  {name}: {figure}", flush=True)

    @property
    def failed(self) -> int:
        return sum(1 for ok, _, _ in self.results if not ok)


def check_plain(checks: Checks, http_port: int, base: str, cert: Path, work: Path) -> None:
    answer = requests.get(f"http://127.0.0.1:{http_port}/children/find/?q=1", allow_redirects=False, timeout=10)
    location = answer.headers.get("Location", "")
    checks.check(answer.status_code == 301 and location == "https://127.0.0.1/children/find/?q=1",
                 "HTTP redirects to HTTPS", f"{answer.status_code} -> {location}")
    page = requests.get(f"{base}/account/sign-in/", verify=str(cert), timeout=10)
    checks.check(page.headers.get("Server") == "nginx", "Server header without a version",
                 repr(page.headers.get("Server")))
    hsts = page.headers.get("Strict-Transport-Security", "")
    checks.check(hsts.startswith("max-age=31536000") and "," not in hsts, "one HSTS header", hsts)
    try:
        big = requests.post(f"{base}/cases/1/documents/new/", data=b"x" * (25 * MB), verify=str(cert), timeout=60,
                            headers={"Content-Type": "application/octet-stream"})
        status: object = big.status_code
        hsts_413 = "Strict-Transport-Security" in big.headers
    except requests.ConnectionError as exc:
        status, hsts_413 = f"connection closed ({exc.__class__.__name__})", False
    reached = (work / "access.log").read_text(encoding="utf-8").count("POST /cases/1/documents/new/")
    checks.check(status == 413 and reached == 0, "25 MB body refused by nginx before the app",
                 f"status {status}, requests that reached gunicorn: {reached}, HSTS on the 413: {hsts_413}")


def open_case(http: requests.Session, base: str, work: Path) -> int:
    """The demo council has no case with few children: the officer opens one, through the proxy, as a person does."""
    with sqlite3.connect(work / "dast.sqlite3") as db:
        child = db.execute("SELECT id FROM children_child WHERE NOT is_restricted ORDER BY id LIMIT 1").fetchone()[0]
    url = f"{base}/cases/children/{child}/open/"
    token = dast._CSRF.search(http.get(url).text)
    answer = http.post(url, headers={"Referer": url}, data={
        "csrfmiddlewaretoken": token.group(1) if token else "", "case_type": CASE_TYPE, "summary": "Proxy check"})
    found = re.search(r"/cases/(\d+)/", answer.url)
    if not found:
        raise SystemExit(f"The officer could not open a case (ended on {answer.url}, {answer.status_code})")
    return int(found.group(1))


def check_upload(checks: Checks, http: requests.Session, base: str, work: Path) -> None:
    http.mount("https://", FromAddress(CLIENT_IP))
    case = open_case(http, base, work)
    url = f"{base}/cases/{case}/documents/new/"
    page = http.get(url, allow_redirects=False)
    checks.check(page.status_code == 200, "the app saw https (no redirect to itself)",
                 f"GET /cases/{case}/documents/new/ -> {page.status_code}")
    token = dast._CSRF.search(page.text)
    body = (b"Synthetic letter for the proxy check.\n" * (5 * MB // 38 + 1))[:5 * MB]
    started = time.monotonic()
    answer = http.post(url, headers={"Referer": url, "X-Forwarded-For": FORGED},
                       data={"csrfmiddlewaretoken": token.group(1) if token else "", "title": "Proxy check"},
                       files={"file": ("letter.txt", body, "text/plain")}, allow_redirects=False)
    seconds = time.monotonic() - started
    with sqlite3.connect(work / "dast.sqlite3") as db:
        stored = db.execute("SELECT count(*) FROM cases_document WHERE title = 'Proxy check'").fetchone()[0]
        event = db.execute("SELECT ip_address, path FROM audit_auditevent WHERE path = ? ORDER BY id DESC LIMIT 1",
                           (f"/cases/{case}/documents/new/",)).fetchone()
    checks.check(answer.status_code == 302 and stored == 1, "5 MB upload passes through to the app",
                 f"status {answer.status_code}, documents stored {stored}, {seconds:.1f} s")
    ip = event[0] if event else None
    checks.check(ip == CLIENT_IP, "audit records the client's address (not the proxy's, not a forged header)",
                 f"recorded {ip}; connected from {CLIENT_IP}; sent X-Forwarded-For {FORGED}")


def run_testssl(checks: Checks, port: int, work: Path) -> dict[str, Any]:
    if not shutil.which("testssl"):
        checks.check(False, "testssl.sh installed", "not found (apt-get install testssl.sh)")
        return {}
    report = work / "testssl.json"
    started = time.monotonic()
    dast._run(["testssl", "--quiet", "--warnings", "off", "--color", "0", "--ip", "one", "-p", "-S", "-P", "-U",
               "-h", "--jsonfile", str(report), f"127.0.0.1:{port}"], {"PATH": "/usr/bin:/bin"},
              work / "testssl.log", timeout=900)
    if not report.exists():
        checks.check(False, "testssl.sh ran", f"no report; see {work / 'testssl.log'}")
        return {}
    items = json.loads(report.read_text(encoding="utf-8"))
    offered = [i["id"] for i in items if i["id"] in ("SSLv2", "SSLv3", "TLS1", "TLS1_1", "TLS1_2", "TLS1_3")
               and "not offered" not in i["finding"]]
    counts = dict.fromkeys([*dast.SEVERITIES, "certificate"], 0)
    findings = []
    for item in items:
        severity = str(item.get("severity", "")).lower()
        if severity in dast.SEVERITIES[:-1] and dast.TESTSSL_CERTIFICATE.match(item["id"]):
            counts["certificate"] += 1
        elif severity in dast.SEVERITIES:
            counts[severity] += 1
            if severity != "info":
                findings.append(f"[{severity}] {item['id']}: {item['finding'][:120]}")
    checks.check(offered == ["TLS1_2", "TLS1_3"], "testssl.sh: protocols offered", offered)
    serious = counts["critical"] + counts["high"] + counts["medium"]
    checks.check(serious == 0, "testssl.sh: no medium or worse finding (self-signed certificate aside)",
                 f"{counts} in {time.monotonic() - started:.0f} s" + "".join(f"\n      {f}" for f in findings))
    return {"offered": offered, "counts": counts, "findings": findings}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--testssl", action="store_true", help="also run testssl.sh (about 1-2 minutes)")
    parser.add_argument("--out", type=Path, default=None, help="write summary.json and testssl.json here")
    args = parser.parse_args(argv)
    started = time.monotonic()
    checks = Checks()
    with tempfile.TemporaryDirectory(prefix="cme-proxy-") as tmp:
        work = Path(tmp)
        env, _ = dast.prepare(work, children=20)
        env = {**env, "BEHIND_TLS_PROXY": "1"}
        http_port, https_port = dast._free_port(), dast._free_port()
        base = f"https://127.0.0.1:{https_port}"
        app = serve_app(env, work)
        proxy = None
        try:
            proxy = start_nginx(work, http_port, https_port)
            check_plain(checks, http_port, base, work / "cert.pem", work)
            check_upload(checks, dast.sign_in(base, env, work / "cert.pem"), base, work)
            tls = run_testssl(checks, https_port, work) if args.testssl else {}
            if args.out:
                args.out.mkdir(parents=True, exist_ok=True)
                for name in ("testssl.json", "nginx.conf", "nginx-error.log"):
                    if (work / name).exists():
                        shutil.copy(work / name, args.out / name)
                (args.out / "summary.json").write_text(json.dumps(
                    {"checks": checks.results, "testssl": tls}, indent=2), encoding="utf-8")
        finally:
            for proc in (proxy, app):
                if proc:
                    proc.terminate()
                    proc.wait(timeout=30)
    print(f"\n{len(checks.results) - checks.failed}/{len(checks.results)} checks passed in "
          f"{time.monotonic() - started:.0f} s")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
