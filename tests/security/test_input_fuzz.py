"""INP/VAL/FILE (SECURITY-PLAN VAL-1/VAL-5, IMP-4, FILE-2, XML-4 partly): property-based input tests.

Each property runs N hypothesis examples (FUZZ_EXAMPLES). Pass: 0 server errors (status < 500), every feed file
parsed or refused with FileError (never another exception), and no partial writes (row counts unchanged
whenever the input is refused). API bodies are fuzzed by schemathesis (the API engineer's `cme/api/tests/`).
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib
import pkgutil
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cme.accounts.models import User
from cme.notifications.models import Notification

FUZZ_EXAMPLES = 200
TALLY: dict[str, int] = {}
fuzz = settings(max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

nasty_text = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["=HYPERLINK(\"http://x\")", "+1+1", "-2", "@SUM(A1)", "\t=1", "'; DROP TABLE x;--", "%_\\",
                     "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "\x00", "O'Brien", "Zoë",
                     "Siân", "a" * 5000, "\r\n\r\nSet-Cookie: x=1", "{{7*7}}", "../../etc/passwd"]),
)


def _count(name: str) -> None:
    TALLY[name] = TALLY.get(name, 0) + 1


# --- feeds parsers (IMP-4) -------------------------------------------------------------------------------------

def _parsers() -> list[tuple[str, Callable[..., Any]]]:
    import cme.feeds.sources as package

    found = []
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        if callable(getattr(module, "parse", None)):
            found.append((info.name, module.parse))
    return found


PARSERS = _parsers()

csv_like = st.lists(st.lists(nasty_text, min_size=1, max_size=8), min_size=0, max_size=15).map(
    lambda rows: "\n".join(",".join('"' + c.replace('"', '""') + '"' for c in r) for r in rows).encode("utf-8",
                                                                                                        "replace"))
raw_bytes = st.one_of(st.binary(max_size=2000), csv_like,
                      csv_like.map(lambda b: b"\xef\xbb\xbf" + b), csv_like.map(lambda b: b.replace(b",", b";")),
                      st.text(max_size=500).map(lambda t: t.encode("utf-16")))


@pytest.mark.parametrize(("name", "parse"), PARSERS, ids=[n for n, _ in PARSERS])
def test_every_feed_parser_reads_or_refuses_cleanly(name: str, parse: Callable[..., Any]) -> None:
    from cme.feeds.sources.base import FileError, ParsedFile

    @fuzz
    @given(data=raw_bytes)
    def run(data: bytes) -> None:
        _count("feed inputs")
        try:
            result = parse(data, name=f"fuzz-{name}.csv", mapping=None, on=dt.date(2026, 11, 20))
        except FileError:
            return
        assert isinstance(result, ParsedFile)

    run()


@pytest.mark.parametrize(("name", "parse"), PARSERS, ids=[n for n, _ in PARSERS])
def test_bare_carriage_return_in_header_is_refused_cleanly(name: str, parse: Callable[..., Any]) -> None:
    """Finding 1 (fixed): a bare CR in the header line made tabular.sniff_delimiter raise _csv.Error."""
    from cme.feeds.sources.base import FileError

    with pytest.raises(FileError):
        parse(b"a\rb,c\n", name=f"x-{name}.csv", mapping=None, on=dt.date(2026, 11, 20))


# --- forms over HTTP: 0 server errors, 0 partial writes ----------------------------------------------------------

resident_post = st.fixed_dictionaries({
    k: nasty_text for k in ("forename", "surname", "age_estimate", "address", "postcode", "what_is_known",
                            "reporter_name", "reporter_email", "reporter_phone", "relationship")
})


def test_public_resident_form_never_errors_or_half_writes(la: Any, db: None) -> None:
    client = Client(raise_request_exception=False, REMOTE_ADDR="203.0.113.9")

    @fuzz
    @given(data=resident_post)
    def run(data: dict[str, str]) -> None:
        _count("resident form posts")
        before = Notification.objects.count()
        response = client.post("/public/report-a-child/", {k: v.replace("\x00", "") for k, v in data.items()})
        assert response.status_code < 500
        if response.status_code != 302:
            assert Notification.objects.count() == before

    run()


referral_post = st.fixed_dictionaries({
    "referrer_agency": st.sampled_from(["", "police", "health", "zzz"]),
    "concern": st.sampled_from(["", "missing", "zzz"]),
    "date_of_birth-day": nasty_text, "date_of_birth-month": nasty_text, "date_of_birth-year": nasty_text,
    **{k: nasty_text for k in ("referrer_name", "referrer_role", "referrer_phone", "referrer_email", "forename",
                               "surname", "upn", "postcode", "address", "what_is_known")},
})


def test_partner_referral_form_never_errors_or_half_writes(partner_user: User,
                                                           client_for: Callable[[User], Client]) -> None:
    client = client_for(partner_user)
    client.raise_request_exception = False

    @fuzz
    @given(data=referral_post)
    def run(data: dict[str, str]) -> None:
        _count("partner referral posts")
        before = Notification.objects.count()
        response = client.post("/referrals/new/", {k: v.replace("\x00", "") for k, v in data.items()})
        assert response.status_code < 500
        if response.status_code != 302:
            assert Notification.objects.count() == before

    run()


def test_school_return_csv_upload_never_errors_or_half_writes(school_user: User,
                                                              client_for: Callable[[User], Client]) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(school_user)
    client.raise_request_exception = False

    @fuzz
    @given(data=raw_bytes, kind=st.sampled_from(["deletion", "new_entrant", "", "zzz"]))
    def run(data: bytes, kind: str) -> None:
        _count("school return uploads")
        before = Notification.objects.count()
        upload = SimpleUploadedFile("returns.csv", data, content_type="text/csv")
        response = client.post("/returns/upload/", {"kind": kind, "file": upload})
        assert response.status_code < 500
        if response.status_code != 302:
            assert Notification.objects.count() == before

    run()


# --- FILE-2: uploads checked by content, not extension -----------------------------------------------------------

@pytest.mark.parametrize("payload", [b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64,
                                     b"\x7fELF\x02\x01\x01" + b"\x00" * 64,
                                     b"PK\x03\x04" + b"\x00" * 40],
                         ids=["exe-named-pdf", "elf-named-pdf", "zip-named-pdf"])
def test_binary_payload_named_pdf_is_refused(payload: bytes) -> None:
    from cme.core.uploads import DOCUMENTS, UploadRejected, sniff

    with pytest.raises(UploadRejected):
        sniff(payload, name="report.pdf", allowed=DOCUMENTS, max_bytes=10 * 1024 * 1024)


def test_html_named_pdf_is_refused() -> None:
    """Finding 2 (fixed): an HTML file named .pdf used to be stored as text/plain; now refused by content."""
    from cme.core.uploads import DOCUMENTS, UploadRejected, sniff

    with pytest.raises(UploadRejected, match="must be a PDF"):
        sniff(b"<html><body><script>alert(1)</script></body></html>", name="report.pdf", allowed=DOCUMENTS,
              max_bytes=1024 * 1024)


@fuzz
@given(data=st.binary(max_size=600), name=st.sampled_from(["x.pdf", "x.png", "x.jpg", "x.gif", "x.docx", "x.xlsx",
                                                           "x.html", "x.svg", "x"]))
def test_no_random_bytes_pass_as_a_binary_document(data: bytes, name: str) -> None:
    """Random bytes are never accepted under a binary name unless they start with that type's magic number."""
    from cme.core.uploads import DOCUMENTS, UploadRejected, sniff

    _count("upload type checks")
    try:
        sniffed = sniff(data, name=name, allowed=DOCUMENTS, max_bytes=1024 * 1024)
    except UploadRejected:
        return
    magic = {"pdf": b"%PDF-", "png": b"\x89PNG", "jpg": b"\xff\xd8\xff", "gif": b"GIF8"}
    assert sniffed.extension in magic and data.startswith(magic[sniffed.extension])


# --- VAL-5: CSV formula injection ---------------------------------------------------------------------------------

@fuzz
@given(st.sampled_from(["=", "+", "-", "@", "\t", "\r"]), st.text(max_size=50))
def test_csv_export_neutralises_formulae(prefix: str, rest: str) -> None:
    import io

    from cme.core.exports import export_csv

    _count("formula cells")
    body = export_csv([[prefix + rest]], ["Name"]).decode("utf-8-sig")
    cell = next(iter(csv.reader(io.StringIO(body[body.index("\n") + 1:]))), [""])[0] if "\n" in body else ""
    assert cell.startswith("'"), repr(cell)


def test_zz_print_fuzz_figures() -> None:
    print(f"\nInput fuzz: {FUZZ_EXAMPLES} examples per property; tried {TALLY}; feed parsers: "  # noqa: T201
          f"{[n for n, _ in PARSERS]}")
