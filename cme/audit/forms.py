from __future__ import annotations

from django import forms

from cme.audit.models import AuditEvent
from cme.core.forms import GovUKDateField


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label="Who (email contains)", required=False, max_length=200)
    action = forms.ChoiceField(label="Action", required=False, choices=[("", "Any")] + list(AuditEvent.Action.choices))
    object_type = forms.CharField(label="Record type (for example children.child)", required=False, max_length=60)
    child_id = forms.IntegerField(label="Child record number", required=False, min_value=1)
    date_from = GovUKDateField(label="From", required=False)
    date_to = GovUKDateField(label="To", required=False)
