from __future__ import annotations

from typing import cast

from django import forms

from cme.matching.models import SOURCE_LABELS
from cme.matching.selectors import AGE_BANDS, ORDERS

SAME, DIFFERENT = "same", "different"


class QueueFilterForm(forms.Form):
    """GET filters of the review queue (no personal data: sources, age bands and an order)."""

    source = forms.ChoiceField(label="Source", required=False,
                               choices=[("", "All sources"), *SOURCE_LABELS.items()])
    age = forms.ChoiceField(label="Waiting for", required=False,
                            choices=[("", "Any time"), *((key, label) for key, label, *_ in AGE_BANDS)])
    order = forms.ChoiceField(label="Order", required=False, choices=[
        ("oldest", "Longest waiting first"), ("probability", "Most likely first")])

    def __init__(self, *args: object, sources: list[tuple[str, str]] = (), **kwargs: object) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        known = dict(SOURCE_LABELS)
        known.update(sources)  # a new feed's slug is a choice as soon as it has pairs waiting
        source = cast(forms.ChoiceField, self.fields["source"])
        source.choices = [("", "All sources"), *sorted(known.items(), key=lambda item: item[1])]

    def cleaned(self) -> dict[str, str]:
        if not self.is_valid():
            return {"source": "", "age": "", "order": "oldest"}
        data = self.cleaned_data
        return {"source": data["source"], "age": data["age"], "order": data["order"] if data["order"] in ORDERS
                else "oldest"}


class ReviewDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Are these the same child?", widget=forms.RadioSelect,
        choices=[(SAME, "Yes, the same child: link the record to this child"),
                 (DIFFERENT, "No, not the same child: never propose this pair again")],
    )
    reason = forms.CharField(
        label="Reason", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed if they are not the same child. For example: twin sister, different mother's name.",
    )

    def __init__(self, *args: object, child_pair: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if child_pair:  # two child records are made one by a merge (managers), not by this form
            decision = cast(forms.ChoiceField, self.fields["decision"])
            decision.choices = [(DIFFERENT, "No, not the same child: never propose this pair again")]
            self.fields["decision"].label = "Are these two records of one child?"

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("decision") == DIFFERENT and not (data.get("reason") or "").strip():
            self.add_error("reason", "Enter why these are not the same child")
        return data


class MergeStartForm(forms.Form):
    keep = forms.IntegerField(label="Child record number to keep", min_value=1,
                              help_text="The number shown at the top of the child's page, for example 1234",
                              widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    merge = forms.IntegerField(label="Child record number to merge into it", min_value=1,
                               help_text="This record will no longer be found; everything on it moves across",
                               widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("keep") and data.get("keep") == data.get("merge"):
            self.add_error("merge", "Enter two different child record numbers")
        return data


class MergeConfirmForm(forms.Form):
    reason = forms.CharField(label="Why are these the same child?", max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": "Enter why these records are the same child"})
    keep_version = forms.IntegerField(widget=forms.HiddenInput)
    merge_version = forms.IntegerField(widget=forms.HiddenInput)


class UnmergeForm(forms.Form):
    reason = forms.CharField(label="Why undo this merge?", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": "Enter why the merge is being undone"})

