"""The roles people have in the CME service. Permissions for each role are in `policy.py`, nowhere else."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    CME_OFFICER = "cme_officer", "CME officer"
    ATTENDANCE_MANAGER = "attendance_manager", "Attendance team manager"
    EHE_OFFICER = "ehe_officer", "EHE officer"
    SCHOOL_USER = "school_user", "School user"
    PARTNER_USER = "partner_user", "Partner agency user"
    PANEL_MEMBER = "panel_member", "Panel member"
    READONLY_MANAGER = "readonly_manager", "Read-only manager"
    SYSTEM_ADMIN = "system_admin", "System administrator"
    DATA_PROTECTION_OFFICER = "data_protection_officer", "Data protection officer"


#: Roles that work on individual children across the whole LA.
LA_CASEWORK_ROLES = frozenset({Role.CME_OFFICER, Role.ATTENDANCE_MANAGER, Role.EHE_OFFICER})
