from __future__ import annotations

import datetime as dt

from django.utils import timezone

from cme.accounts.models import User
from cme.audit.services import Auditor
from cme.panels import services
from cme.panels.models import PanelMeeting


def meeting(*, user: User, held_on: dt.date | None = None, term: str = "Autumn term 2026") -> PanelMeeting:
    return services.panel_meeting_create(actor=Auditor.for_user(user), user=user,
                                         local_authority=user.local_authority,
                                         held_on=held_on or timezone.localdate() + dt.timedelta(days=7), term=term,
                                         location="County Hall, room 3")
