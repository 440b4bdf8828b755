"""Reads for the data protection pages, always starting from the user's scope."""

from __future__ import annotations

from django.db.models import QuerySet

from cme.accounts.models import User
from cme.audit.models import AuditEvent
from cme.children.models import Child, ChildName
from cme.children.restriction import SUMMARY as BREAK_GLASS_SUMMARY
from cme.privacy.models import ProcessingRestriction, RetentionRule


def breakglass_events(*, user: User) -> QuerySet[AuditEvent]:
    """Accesses to restricted records (with the reason given) in the user's local authority."""
    return AuditEvent.objects.filter(local_authority_id=user.local_authority_id, action=AuditEvent.Action.VIEW,
                                     summary=BREAK_GLASS_SUMMARY).order_by("-at", "-id")


def rectification_history(*, child: Child) -> tuple[QuerySet[AuditEvent], QuerySet[ChildName]]:
    changes = AuditEvent.objects.for_child(child.pk).filter(
        action=AuditEvent.Action.UPDATE, object_type="children.child").order_by("-at", "-id")
    return changes, child.names.order_by("-recorded_at")


def retention_rules() -> QuerySet[RetentionRule]:
    return RetentionRule.objects.all()


def restrictions_in_force(*, user: User) -> QuerySet[ProcessingRestriction]:
    """Art 18 restrictions in force in the user's local authority (the DPO's list)."""
    return ProcessingRestriction.objects.filter(local_authority_id=user.local_authority_id, lifted_at__isnull=True
                                                ).select_related("child", "recorded_by").order_by("-recorded_at")


def restriction_history(*, child: Child) -> QuerySet[ProcessingRestriction]:
    """Every restriction of the child's processing, in force or lifted, newest first (the child comes from the
    user's scope: `children.selectors.child_detail`)."""
    return child.processing_restrictions.select_related("recorded_by", "lifted_by", "superseded_by").order_by(
        "-recorded_at", "-pk")
