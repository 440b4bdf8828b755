"""Common transfer files received (formats.md §1; R7.1, R7.2), read with ``cme.law.ctf.parse_ctf``.

Each pupil becomes a ``RecordIn`` (source ``ctf``, id ``<source LAESTAB>-<UPN>-<destination>``) so linkage can
find the child, and the pupil's school history becomes roll facts: each school left (entry and leaving dates),
with the file's destination (``XXXXXXX`` = not known: a lost-pupil CTF) for the school that sent it.
"""

from __future__ import annotations

import datetime as dt

from pydantic import ValidationError

from cme.feeds.sources.base import (
    Accepted,
    FileError,
    MappingSpec,
    ParsedFile,
    PersonRow,
    RecordIn,
    Rejection,
    RollFact,
    json_safe,
    validation_reasons,
)
from cme.law.ctf import CTFError, CTFPupil, nc_year_from_code, parse_ctf

SOURCE = "ctf"


def _raw(pupil: CTFPupil) -> dict[str, object]:
    return json_safe({
        "upn": pupil.upn, "forename": pupil.forename, "surname": pupil.surname, "dob": pupil.dob,
        "sex": pupil.sex, "former_upn": pupil.former_upn, "preferred_forename": pupil.preferred_forename,
        "former_surname": pupil.former_surname, "nc_year_actual": pupil.nc_year_actual,
        "address_lines": list(pupil.address_lines), "postcode": pupil.postcode,
        "school_history": [json_safe({"laestab": f"{s.lea or ''}{s.estab or ''}", "name": s.school_name,
                                      "entry": s.entry_date, "leaving": s.leaving_date,
                                      "reason": s.leaving_reason}) for s in pupil.school_history],
    })


def parse(data: bytes, *, name: str, mapping: MappingSpec | None = None, on: dt.date) -> ParsedFile:
    try:
        ctf = parse_ctf(data, today=on)
    except CTFError as exc:
        raise FileError(f"{name}: {exc}") from exc
    header = ctf.header
    source_laestab = f"{header.source_lea}{header.source_estab}"
    destination = f"{header.dest_lea}{header.dest_estab}"
    parsed = ParsedFile(name=name, warnings=list(ctf.warnings))
    context = {"on": on}
    for number, pupil in enumerate(ctf.pupils, start=1):
        raw = _raw(pupil)
        values = {
            "source_record_id": f"{source_laestab}-{pupil.upn or number}-{destination}",
            "forename": pupil.forename, "middle_names": pupil.middle_names or "", "surname": pupil.surname,
            "date_of_birth": pupil.dob, "sex": pupil.sex or "", "postcode": pupil.postcode or "",
            "address": ", ".join(pupil.address_lines), "upn": pupil.upn or "",
        }
        try:
            row = PersonRow.model_validate(values, context=context)
        except ValidationError as exc:
            parsed.items.append(Rejection(number, raw, tuple(validation_reasons(exc))))
            continue
        fields, warnings, reasons = row.checked()
        if reasons:
            parsed.items.append(Rejection(number, raw, tuple(reasons)))
            continue
        key = (SOURCE, fields["source_record_id"])
        facts = []
        for school in pupil.school_history:
            laestab = f"{school.lea or ''}{school.estab or ''}"
            if len(laestab) != 7 or not laestab.isdigit() or school.entry_date is None:
                continue
            is_sender = laestab == source_laestab
            facts.append(RollFact(
                kind="left" if school.leaving_date else "on_roll", record=key, laestab=laestab,
                start=school.entry_date, end=school.leaving_date,
                nc_year=nc_year_from_code(pupil.nc_year_actual) if is_sender else None,
                destination_laestab=destination if is_sender and school.leaving_date else "",
            ))
        parsed.items.append(Accepted(number, record=RecordIn(source=SOURCE, raw={**raw, "destination": destination},
                                                             **fields),
                                     facts=tuple(facts), warnings=tuple(warnings)))
    return parsed
