# Fixture for tests/security/test_semgrep_rules.py (rule cme-all-fields in .semgrep.yml). Never imported.
# Lines marked "ruleid" must be reported; lines marked "ok" must not.
from django import forms
from django.forms import modelform_factory
from ninja import ModelSchema
from ninja.orm import create_schema

from cme.children.models import Child


class AllFieldsForm(forms.ModelForm):
    class Meta:
        model = Child
        # ruleid: cme-all-fields
        fields = "__all__"  # noqa: DJ007 - the fixture shows what is banned


class DenyListForm(forms.ModelForm):
    class Meta:
        model = Child
        # ruleid: cme-all-fields
        exclude = ["is_restricted"]  # noqa: DJ006


class DenyTupleForm(forms.ModelForm):
    class Meta:
        model = Child
        # ruleid: cme-all-fields
        exclude = ("version",)  # noqa: DJ006


class ChildAllSchema(ModelSchema):
    class Meta:
        model = Child
        # ruleid: cme-all-fields
        fields = "__all__"


class ChildDenySchema(ModelSchema):
    class Meta:
        model = Child
        # ruleid: cme-all-fields
        exclude = ["nhs_number"]


class ChildOldStyleSchema(ModelSchema):
    class Config:
        model = Child
        # ruleid: cme-all-fields
        model_fields = "__all__"


class ChildOldStyleDenySchema(ModelSchema):
    class Config:
        model = Child
        # ruleid: cme-all-fields
        model_exclude = ["upn"]


# ruleid: cme-all-fields
Made = modelform_factory(Child, fields="__all__")
# ruleid: cme-all-fields
MadeDeny = modelform_factory(Child, exclude=["upn"])
# ruleid: cme-all-fields
Schema = create_schema(Child, exclude=["upn"])


class AllowListForm(forms.ModelForm):
    class Meta:
        model = Child
        # ok: cme-all-fields
        fields = ["legal_forename", "legal_surname"]


class AllowListSchema(ModelSchema):
    class Meta:
        model = Child
        # ok: cme-all-fields
        fields = ["id", "legal_surname"]


# ok: cme-all-fields
Allowed = modelform_factory(Child, fields=["legal_surname"])


def clean(child: Child) -> None:
    # ok: cme-all-fields
    child.full_clean(exclude=["local_authority"])
    # ok: cme-all-fields
    exclude = {"a", "b"}
    print(exclude)
