"""XML-4 (SECURITY-PLAN; ASVS v5 16.5.3): the CTF parser and import, fuzzed with mutations of a valid CTF.

Hypothesis starts from the synthetic lost-pupil CTF (tests/security/data/valid_ctf.xml, a copy of the shared sample)
and applies 1-4 structural mutations (delete, duplicate or reorder elements, rename a tag, change an element's
text to any string, including control characters and markup), then optionally a byte-level one (truncate, insert
bytes, prepend a DTD with an internal, external or nested "billion laughs" entity and use it).

- `parse_ctf` (cme.law.ctf, pure) must return a ParsedCTF or raise its clean `CTFError`: any other exception is a
  crash. A DTD or entity is always refused.
- `cases.ctf.ctf_import` (the import service) must import or refuse with `CTFError`, and a refusal must leave every
  table it writes unchanged (0 partial writes).
"""

from __future__ import annotations

import copy
import datetime as dt
import xml.etree.ElementTree as ET  # noqa: TID251 - only writes the mutated inputs; the sample is read by defusedxml
from pathlib import Path

import pytest
from defusedxml.ElementTree import fromstring
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cme.accounts.models import User
from cme.law.ctf import CTFError, parse_ctf

SAMPLE = (Path(__file__).parent / "data" / "valid_ctf.xml").read_bytes()
TODAY = dt.date(2026, 3, 10)
TALLY: dict[str, int] = {}
PARSER_EXAMPLES = 300
IMPORT_EXAMPLES = 100

DTDS = [
    b'<!DOCTYPE CTfile [<!ENTITY x "EXAMPLE">]>',
    b'<!DOCTYPE CTfile [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
    b'<!DOCTYPE CTfile [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    b'<!ENTITY x "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>',
    b'<!DOCTYPE CTfile SYSTEM "http://127.0.0.1:9/ctf.dtd">',
    b'<!DOCTYPE CTfile [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x.dtd"> %p;]>',
]

texts = st.one_of(st.text(max_size=60), st.sampled_from(
    ["", " ", "\x00", "\x0b", "2026-02-30", "9999-99-99", "E931299921007", "XXXXXXX", "<b>x</b>", "&amp;",
     "]]>", "25.0", "1.0", "-1", "a" * 5000, "\ud7ff", "zz\r\nzz"]))


@st.composite
def mutated_ctf(draw: st.DrawFn) -> tuple[bytes, bool]:
    """A mutated CTF and whether it carries a DTD (which must be refused)."""
    root = fromstring(SAMPLE)
    for _ in range(draw(st.integers(1, 4))):
        parents = {child: parent for parent in root.iter() for child in parent}
        elements = list(parents)
        if not elements:
            break
        element = elements[draw(st.integers(0, len(elements) - 1))]
        parent = parents[element]
        op = draw(st.sampled_from(["delete", "duplicate", "reorder", "rename", "text"]))
        if op == "delete":
            parent.remove(element)
        elif op == "duplicate":
            parent.insert(list(parent).index(element), copy.deepcopy(element))
        elif op == "reorder":
            children = list(parent)
            order = draw(st.permutations(range(len(children))))
            for child in children:
                parent.remove(child)
            parent.extend(children[i] for i in order)
        elif op == "rename":
            element.tag = draw(st.sampled_from(["Pupil", "Header", "UPN", "DOB", "X", "CTfile", "Contact"]))
        else:
            element.text = draw(texts)
    data = b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8").split(b"?>", 1)[-1]
    dtd = False
    byte_op = draw(st.sampled_from(["none", "none", "truncate", "insert", "dtd"]))
    if byte_op == "truncate":
        data = data[: draw(st.integers(0, len(data)))]
    elif byte_op == "insert":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=20)) + data[at:]
    elif byte_op == "dtd":
        dtd = True
        head, rest = data.split(b"\n", 1)
        data = head + b"\n" + draw(st.sampled_from(DTDS)) + b"\n" + rest.replace(b"EXAMPLE", b"&x;", 1)
    return data, dtd


def _count(name: str) -> None:
    TALLY[name] = TALLY.get(name, 0) + 1


def test_the_sample_is_a_valid_ctf() -> None:
    parsed = parse_ctf(SAMPLE, today=TODAY)
    assert parsed.pupils and parsed.pupils[0].upn == "E931299921007"


@settings(max_examples=PARSER_EXAMPLES, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(case=mutated_ctf())
def test_xml4_parser_reads_or_refuses_cleanly(case: tuple[bytes, bool]) -> None:
    data, dtd = case
    _count("parser inputs")
    try:
        parse_ctf(data, today=TODAY)
    except CTFError:
        _count("parser refused")
        return
    assert not dtd, "a CTF with a DTD or entity was accepted"
    _count("parser read")


def _snapshot() -> dict[str, int]:
    from django.apps import apps

    labels = ["cases.CTFFile", "cases.Case", "cases.CaseNote", "children.Child", "children.ChildName",
              "children.Address", "children.Contact", "children.ChildContact", "children.Enrolment",
              "children.School", "audit.AuditEvent"]
    return {label: apps.get_model(label).objects.count() for label in labels if _exists(label)}


def _exists(label: str) -> bool:
    from django.apps import apps

    try:
        apps.get_model(label)
    except LookupError:
        return False
    return True


@pytest.mark.django_db
def test_xml4_import_service_imports_or_refuses_without_partial_writes(officer: User) -> None:
    from cme.audit.services import Auditor
    from cme.cases.ctf import ctf_import
    from cme.children.tests.factories import ChildFactory

    ChildFactory(local_authority=officer.local_authority, upn="E931299921007", legal_surname="Example",
                 legal_forename="Alex", date_of_birth=dt.date(2016, 5, 14))
    actor = Auditor.for_user(officer)

    @settings(max_examples=IMPORT_EXAMPLES, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(case=mutated_ctf())
    def run(case: tuple[bytes, bool]) -> None:
        data, dtd = case
        _count("import inputs")
        before = _snapshot()
        try:
            ctf_import(actor=actor, user=officer, data=data, file_name="9312999_CTF_XXXXXXX_001.xml", today=TODAY)
        except CTFError:
            _count("import refused")
            after = _snapshot()
            assert after == before, {k: (before[k], after[k]) for k in before if before[k] != after[k]}
            return
        assert not dtd
        _count("import imported")

    run()


def test_zz_print_xml4_figures() -> None:
    print(f"\nXML-4: {TALLY}")
    if TALLY:
        assert TALLY.get("parser read", 0) + TALLY.get("parser refused", 0) == TALLY.get("parser inputs", 0)
