from __future__ import annotations

import datetime as dt

from cme.accounts.models import User
from cme.audit.services import Auditor
from cme.children.models import Child, ChildContact, Contact
from cme.children.tests.factories import ChildFactory
from cme.core.models import LocalAuthority
from cme.ehe.models import EHERecord
from cme.ehe.services import ehe_record_open


def child_with_parents(la: LocalAuthority, **fields: object) -> Child:
    child = ChildFactory(local_authority=la, date_of_birth=dt.date(2014, 3, 3), **fields)
    for i, relationship in enumerate(("mother", "father")):
        contact = Contact.objects.create(forename=["Sara", "Tom"][i], surname="Thompson")
        ChildContact.objects.create(child=child, contact=contact, relationship=relationship,
                                    parental_responsibility=True, lives_with=True, priority=i + 1)
    return child


def open_record(user: User, child: Child | None = None, *, start: dt.date = dt.date(2026, 1, 12),
                **kwargs: object) -> EHERecord:
    child = child or child_with_parents(user.local_authority)
    return ehe_record_open(actor=Auditor.for_user(user), user=user, child=child, start_date=start,
                           source=kwargs.pop("source", "parent"), **kwargs)  # type: ignore[arg-type]
