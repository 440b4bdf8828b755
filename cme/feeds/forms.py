"""Forms for the feeds pages (GOV.UK fields via cme.core.forms: templates call {{ field(form.x) }})."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django import forms
from django.conf import settings

from cme.core.uploads import EXTRACTS, UploadRejected, sniff
from cme.feeds.models import ColumnMapping
from cme.feeds.rules import RuleSpec
from cme.feeds.sources import SOURCE_NAMES

#: Partner extracts that may be uploaded in the browser (the school feed and CTFs come by their own routes).
UPLOAD_SOURCES = ("health", "hmrc_child_benefit", "social_care", "admissions", "dwp", "border_force",
                  "ehe_notification")


class ExtractUploadForm(forms.Form):
    source = forms.ChoiceField(label="What is in the file?", widget=forms.RadioSelect,
                               choices=[(s, SOURCE_NAMES[s]) for s in UPLOAD_SOURCES],
                               error_messages={"required": "Select what is in the file"})
    mapping = forms.ChoiceField(label="Column-mapping profile", required=False,
                                help_text="How the partner's column headings match ours. Leave as 'Usual "
                                          "headings' if the file uses our headings or common ones.")
    file = forms.FileField(label="Upload the extract", help_text="CSV (comma, semicolon or tab; UTF-8 or Windows "
                           "text) or Excel (.xlsx). The first row holds the column headings.",
                           error_messages={"required": "Select a file", "empty": "The file is empty"})

    def __init__(self, *args: Any, mappings: list[ColumnMapping], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.mappings = {str(m.pk): m for m in mappings}
        self.fields["mapping"].choices = [("", "Usual headings")] + [  # type: ignore[attr-defined]
            (str(m.pk), f"{m.name} ({SOURCE_NAMES.get(m.source, m.source)})") for m in mappings]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > settings.CME_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"The file must be smaller than {settings.CME_MAX_UPLOAD_BYTES // (1024 * 1024)} MB")
        try:  # a .csv/.txt that is text or an .xlsx that is a workbook, not a renamed PDF or web page (FILE-2)
            sniff(upload.read(), name=upload.name or "", allowed=EXTRACTS, max_bytes=settings.CME_MAX_UPLOAD_BYTES)
        except UploadRejected as exc:
            raise forms.ValidationError(str(exc)) from exc
        finally:
            upload.seek(0)
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        mapping = self.mappings.get(data.get("mapping") or "")
        if mapping is not None and data.get("source") and mapping.source != data["source"]:
            self.add_error("mapping", "That profile is for a different kind of extract")
        data["mapping_object"] = mapping
        return data


def _initial(value: Any) -> Any:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return value


class DetectionRuleForm(forms.Form):
    """Switch a rule on or off and set its parameters (typed from the rule's documented defaults)."""

    enabled = forms.BooleanField(label="Use this rule in the daily run", required=False)

    def __init__(self, *args: Any, spec: RuleSpec, parameters: Mapping[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.spec = spec
        names = list(dict.fromkeys([*spec.defaults, *spec.parameter_help]))
        for name in names:
            default = spec.defaults.get(name)
            label = name.replace("_", " ").capitalize()
            help_text = spec.parameter_help.get(name, "")
            value = parameters.get(name, default)
            if isinstance(default, bool):
                field: forms.Field = forms.BooleanField(label=label, help_text=help_text, required=False)
            elif isinstance(default, int) or (default is None and name.endswith("days")):
                field = forms.IntegerField(label=label, help_text=help_text, min_value=0, max_value=365,
                                           required=default is not None,
                                           widget=forms.TextInput(attrs={"inputmode": "numeric"}))
            else:
                field = forms.CharField(label=label, help_text=f"{help_text} (separate with commas)", required=False)
            field.initial = _initial(value)
            self.fields[f"p_{name}"] = field

    def parameters(self) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in self.cleaned_data.items():
            if not key.startswith("p_"):
                continue
            name = key[2:]
            default = self.spec.defaults.get(name)
            if isinstance(default, list):
                result[name] = [v.strip() for v in str(value or "").split(",") if v.strip()]
            elif value is None:
                continue
            else:
                result[name] = value
        safe: dict[str, Any] = json.loads(json.dumps(result))
        return safe
