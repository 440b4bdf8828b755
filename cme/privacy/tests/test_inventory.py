"""DP-1 (SECURITY-PLAN; UK GDPR Art 30; ASVS v5.0.0-14.1.1): every stored field is classified, and the data map
used for the ROPA is generated from the registry (cme/privacy/inventory.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from cme.privacy import inventory
from cme.privacy.inventory import DataClass, classify

DOCS = Path(settings.BASE_DIR) / "docs"


def test_dp1_every_field_of_every_installed_model_is_classified() -> None:
    missing = inventory.unclassified()
    assert missing == [], f"Classify these fields in cme/privacy/inventory.py: {missing}"
    total = sum(len(names) for names in inventory.installed_fields().values())
    assert total == len(inventory.data_map()) > 900


def test_dp1_registry_names_no_field_that_does_not_exist() -> None:
    assert inventory.stale() == []


def test_dp1_a_new_field_is_reported_unclassified(monkeypatch: pytest.MonkeyPatch) -> None:
    fields = dict(inventory.installed_fields())
    fields["children.Child"] = [*fields["children.Child"], "favourite_colour"]
    monkeypatch.setattr(inventory, "installed_fields", lambda: fields)
    assert inventory.unclassified() == ["children.Child.favourite_colour"]


@pytest.mark.parametrize(("field", "expected"), [
    ("children.Child.legal_surname", DataClass.IDENTIFIER),
    ("children.Child.date_of_birth", DataClass.IDENTIFIER),
    ("children.Child.upn", DataClass.IDENTIFIER),
    ("children.Child.ethnicity", DataClass.SPECIAL_CATEGORY),
    ("children.RiskFlag.flag_type", DataClass.RISK_FLAG),
    ("cnis.CNISEntry.s47_enquiries", DataClass.RISK_FLAG),
    ("cnis.CNISEntry.protected_characteristics", DataClass.SPECIAL_CATEGORY),
    ("timetables.PartTimeTimetable.has_social_worker", DataClass.RISK_FLAG),
    ("ehe.EHEConcern.social_care_outcome", DataClass.RISK_FLAG),
    ("notifications.Notification.safeguarding_detail", DataClass.RISK_FLAG),
    ("children.Address.postcode", DataClass.CONTACT),
    ("accounts.User.password", DataClass.SECURITY),
    ("otp_totp.TOTPDevice.key", DataClass.SECURITY),
    ("cases.Note.text", DataClass.FREE_TEXT),
    ("admin.LogEntry.object_repr", DataClass.IDENTIFIER),
])
def test_dp1_sensitive_fields_have_the_expected_class(field: str, expected: DataClass) -> None:
    label, name = field.rsplit(".", 1)
    assert classify(label, name) == expected


def test_dp1_committed_data_map_is_generated_from_the_registry() -> None:
    assert (DOCS / "data-map.md").read_text() == inventory.render_markdown(), "run: python manage.py data_map"
    assert (DOCS / "data-map.csv").read_text() == inventory.render_csv(), "run: python manage.py data_map"
    call_command("data_map", "--check")


def test_dp1_data_map_command_writes_both_files(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Out of date"):
        call_command("data_map", "--check", "--out-dir", str(tmp_path))
    call_command("data_map", "--out-dir", str(tmp_path))
    csv_lines = (tmp_path / "data-map.csv").read_text().splitlines()
    assert csv_lines[0] == "app,model,field,column_type,class,subjects,table,note"
    assert "children,Child,ethnicity,CharField,special-category,child,children_child," in csv_lines
    assert len(csv_lines) == len(inventory.data_map()) + 1
    markdown = (tmp_path / "data-map.md").read_text()
    assert f"{len(inventory.data_map())} classified (100%)" in markdown
