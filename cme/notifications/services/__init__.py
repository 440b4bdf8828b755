"""Every route in (school returns, partner referrals, residents, other LAs, the mailbox) and the triage queue.

Each route has one service the web form, the CSV import and the API all call, with a dataclass input
(`cme.notifications.inputs`), validated in one place (`cme.notifications.validation` for school returns).
They all end in `notification_receive`, which gives the reference and the next-working-day target, links the
child when the UPN says who it is, attaches a second report about the same child or concern to the open one
(`duplicate_of`) instead of making a second queue item, and escalates safeguarding at once.

The outcomes "new case" and "add to an existing case" are completed by `cases.services`, which calls
`notification_triage(..., allow_case_outcomes=True)` after creating or finding the case (cases is a higher layer
and may import this module; this module never imports cases).

The package is split by sub-domain: `triage` (receiving, duplicates, escalation, matching, the triage decision),
`returns` (school returns, CSV upload) and `routes` (partner referrals, residents, the mailbox, other LAs). Import
from `cme.notifications.services`; the names below are the interface.
"""

from cme.notifications.inputs import (
    DeletionReturnInput,
    LAEnquiryInput,
    MailboxInput,
    NewEntrantReturnInput,
    PartnerReferralInput,
    ResidentReportInput,
)
from cme.notifications.services.returns import (
    UploadRejected,
    UploadResult,
    deletion_return_submit,
    new_entrant_return_submit,
    return_upload_submit,
    school_return_context,
)
from cme.notifications.services.routes import (
    RateLimited,
    input_as_dict,
    ip_hash,
    la_enquiry_default_due,
    la_enquiry_record,
    la_enquiry_respond,
    mailbox_log,
    partner_referral_submit,
    public_report_rate_limited,
    public_reports_per_hour,
    resident_report_submit,
    validate_la_enquiry,
    validate_mailbox,
    validate_partner_referral,
    validate_resident_report,
)
from cme.notifications.services.triage import (
    DIRECT_OUTCOMES,
    REASON_REQUIRED,
    IntakeInvalid,
    Reported,
    TriageChildError,
    TriageError,
    identity_key,
    notification_escalate,
    notification_link_child,
    notification_open_duplicates,
    notification_receive,
    notification_triage,
    possible_matches,
    reference_next,
    triage_due_date,
    urgent_flags,
)
from cme.notifications.validation import validate_deletion_return, validate_new_entrant_return

__all__ = [
    "DIRECT_OUTCOMES",
    "REASON_REQUIRED",
    "DeletionReturnInput",
    "IntakeInvalid",
    "LAEnquiryInput",
    "MailboxInput",
    "NewEntrantReturnInput",
    "PartnerReferralInput",
    "RateLimited",
    "Reported",
    "ResidentReportInput",
    "TriageChildError",
    "TriageError",
    "UploadRejected",
    "UploadResult",
    "deletion_return_submit",
    "identity_key",
    "input_as_dict",
    "ip_hash",
    "la_enquiry_default_due",
    "la_enquiry_record",
    "la_enquiry_respond",
    "mailbox_log",
    "new_entrant_return_submit",
    "notification_escalate",
    "notification_link_child",
    "notification_open_duplicates",
    "notification_receive",
    "notification_triage",
    "partner_referral_submit",
    "possible_matches",
    "public_report_rate_limited",
    "public_reports_per_hour",
    "reference_next",
    "resident_report_submit",
    "return_upload_submit",
    "school_return_context",
    "triage_due_date",
    "urgent_flags",
    "validate_deletion_return",
    "validate_la_enquiry",
    "validate_mailbox",
    "validate_new_entrant_return",
    "validate_partner_referral",
    "validate_resident_report",
]
