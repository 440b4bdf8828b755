"""DP-1 (SECURITY-PLAN; UK GDPR Art 30, ASVS v5.0.0-14.1.1): every stored field, classified.

The registry below names every concrete field of every installed model (the service's own apps and the
third-party tables it installs: sessions, two-factor devices, the task queue, Django's admin log). Each field gets
one class from `DataClass`. `cme/privacy/tests/test_inventory.py` fails on a field that is not classified (a new
model field needs a line here) and on a line for a field that no longer exists. `manage.py data_map` writes the
data map used for the record of processing (ROPA): `docs/data-map.md` and `docs/data-map.csv`.

How to choose a class (the most sensitive that fits):
- risk-flag: safeguarding facts: statutory vulnerable-group flags, social care (s47, child in need, looked
  after, social worker, MASH), safeguarding concerns and referrals, restricted-record marker;
- special-category: UK GDPR Art 9 (ethnicity, health, SEN/EHCP, religion via a reason code, protected
  characteristics);
- criminal-offence: UK GDPR Art 10 (a parent's prosecution for not complying with a school attendance order);
- free-text: text typed by people, files and payloads kept as received: may hold anything above, so handled as
  the most sensitive class it could hold;
- identifier: identifies a child, parent or other private person: names (and keys derived from them), date of
  birth, UPN, NHS number;
- contact: where or how to reach a private person: address, postcode, phone, email;
- personal: anything else about a child or family (sex, language, education and attendance history, case and
  register status, dates of events in their life);
- staff: about the service's users and other professionals (names, emails, roles, who did what);
- security: credentials and security telemetry (password and token hashes, second-factor secrets, sessions,
  IP addresses, user agents, lock-out state);
- operational: keys, timestamps of system events, statuses of system runs, configuration; no personal data on its
  own (a key to a child is operational: the child's data is classified where it is stored).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from enum import StrEnum

from django.apps import apps


class DataClass(StrEnum):
    RISK_FLAG = "risk-flag"
    SPECIAL_CATEGORY = "special-category"
    CRIMINAL_OFFENCE = "criminal-offence"
    FREE_TEXT = "free-text"
    IDENTIFIER = "identifier"
    CONTACT = "contact"
    PERSONAL = "personal"
    STAFF = "staff"
    SECURITY = "security"
    OPERATIONAL = "operational"


#: Classes that list endpoints and aggregate views must never carry (DP-2, AC-4).
SENSITIVE = frozenset({DataClass.RISK_FLAG, DataClass.SPECIAL_CATEGORY, DataClass.CRIMINAL_OFFENCE,
                       DataClass.FREE_TEXT})
#: Classes that identify or locate a private person (never in an aggregate-only view, AC-7).
DIRECT_IDENTIFIERS = frozenset({DataClass.IDENTIFIER, DataClass.CONTACT})


@dataclass(frozen=True)
class ModelEntry:
    subjects: str  # whose personal data the table holds
    fields: dict[str, DataClass]


def _entry(subjects: str, **groups: str) -> ModelEntry:
    """`_entry("child", identifier="legal_forename legal_surname", ...)`: space-separated field names per class."""
    fields: dict[str, DataClass] = {}
    for class_name, names in groups.items():
        data_class = DataClass[class_name.upper()]
        for name in names.split():
            if name in fields:
                raise ValueError(f"{name} is classified twice")
            fields[name] = data_class
    return ModelEntry(subjects=subjects, fields=fields)


NONE = "none"
STAFF = "staff and partner users"
CHILD = "child"
FAMILY = "child, parents and carers"

INVENTORY: dict[str, ModelEntry] = {
    # --- Django and third-party tables --------------------------------------------------------------------------
    "admin.LogEntry": _entry(
        STAFF + "; the object's subject", operational="id action_time content_type object_id action_flag",
        staff="user", identifier="object_repr", free_text="change_message"),
    "auth.Permission": _entry(NONE, operational="id name content_type codename"),
    "auth.Group": _entry(NONE, operational="id name permissions"),
    "contenttypes.ContentType": _entry(NONE, operational="id app_label model"),
    "sessions.Session": _entry(STAFF, security="session_key session_data expire_date"),
    "otp_totp.TOTPDevice": _entry(
        STAFF, staff="user name", operational="id confirmed created_at step t0 digits tolerance drift",
        security="key last_t last_used_at throttling_failure_timestamp throttling_failure_count"),
    "otp_static.StaticDevice": _entry(
        STAFF, staff="user name", operational="id confirmed created_at",
        security="last_used_at throttling_failure_timestamp throttling_failure_count"),
    "otp_static.StaticToken": _entry(STAFF, operational="id device", security="token"),
    "django_tasks_database.DBTaskResult": _entry(
        NONE, operational="id status enqueued_at started_at finished_at args_kwargs priority task_path worker_ids "
                          "queue_name backend_name run_after return_value exception_class_path",
        free_text="traceback"),
    # --- core, accounts, audit, api -----------------------------------------------------------------------------
    "core.LocalAuthority": _entry(
        STAFF, operational="id created_at updated_at code name triage_target_working_days part_time_review_weeks "
                           "linkage_upper_threshold linkage_lower_threshold destination_grace_school_days "
                           "cnis_register_enabled sao_notice_days full_time_hours part_time_max_extensions "
                           "deletion_return_backdate_school_days",
        staff="cme_officer_name cme_mailbox cme_phone"),
    "core.TermDate": _entry(NONE, operational="id local_authority name start end"),
    "core.ClosureDay": _entry(NONE, operational="id local_authority day reason"),
    "core.QuarantinedFile": _entry(
        FAMILY, operational="id local_authority sha256 size upload_point signature quarantined_at storage_token "
                            "status decided_at",
        staff="uploaded_by uploaded_by_label decided_by_label", free_text="original_name reason"),
    "core.Organisation": _entry(
        NONE, operational="id created_at updated_at local_authority kind partner_type name laestab is_active"),
    "accounts.User": _entry(
        STAFF, operational="id local_authority",
        staff="email full_name role organisation job_title is_active date_joined",
        security="password last_login is_superuser failed_sign_in_count locked_until session_epoch groups "
                 "user_permissions"),
    "accounts.SecurityKey": _entry(  # AC-8: a WebAuthn credential; the private key never leaves the authenticator
        STAFF, staff="user name", operational="id confirmed created_at aaguid transports backed_up",
        security="credential_id public_key sign_count user_handle last_used_at"),
    "audit.AuditEvent": _entry(
        STAFF + "; the child it is about",
        operational="id at local_authority_id action object_type object_id child_id",
        staff="actor actor_label actor_role", free_text="summary changes reason",
        security="ip_address user_agent path"),
    "api.ApiToken": _entry(
        STAFF, operational="id name created_at revoked_at", staff="user created_by",
        security="prefix token_hash last_used_at"),
    # --- children -----------------------------------------------------------------------------------------------
    "children.School": _entry(
        NONE, operational="id created_at updated_at local_authority organisation laestab urn name phase "
                          "establishment_type low_nc_year high_nc_year postcode town is_open closed_on"),
    "children.Child": _entry(
        CHILD, operational="id created_at updated_at local_authority merged_into version",
        identifier="legal_forename legal_middle_names legal_surname preferred_forename preferred_surname "
                   "date_of_birth upn nhs_number consistent_identifier forename_key surname_key forename_phonetic "
                   "surname_phonetic surname_prefix",
        contact="current_postcode",
        personal="sex upn_is_temporary first_language other_languages processing_restricted",
        special_category="ethnicity", risk_flag="is_restricted"),
    "children.ChildName": _entry(
        CHILD, operational="id child kind source recorded_at",
        identifier="forename middle_names surname forename_key surname_key forename_phonetic surname_phonetic",
        personal="valid_from valid_to"),
    "children.ChildIdentifier": _entry(CHILD, operational="id child kind source", identifier="value"),
    "children.Address": _entry(FAMILY, operational="id", contact="line1 line2 town postcode uprn",
                               personal="la_code"),
    "children.ChildAddress": _entry(CHILD, operational="id child address source", personal="start end"),
    "children.Contact": _entry(
        "parents and carers", operational="id", identifier="title forename surname",
        contact="phone mobile email address"),
    "children.ChildContact": _entry(
        FAMILY, operational="id child contact priority",
        personal="relationship parental_responsibility lives_with"),
    "children.ChildLink": _entry(CHILD + " and siblings", operational="id child other", personal="kind"),
    "children.RiskFlagType": _entry(
        NONE, operational="id code label description severity needs_immediate_referral is_active ordering"),
    "children.RiskFlag": _entry(
        CHILD, operational="id child recorded_at", staff="recorded_by recorded_by_label",
        risk_flag="flag_type source identified_on ended_on note"),
    "children.Enrolment": _entry(
        CHILD, operational="id child school source",
        personal="start end nc_year_actual deletion_ground destination_laestab destination_name "
                 "is_dual_registration"),
    "children.EducationOtherwise": _entry(
        CHILD, operational="id child source", personal="kind start end suitability"),
    "children.Residence": _entry(CHILD, operational="id child source", personal="in_area start end la_code country"),
    "children.ChildAccessGrant": _entry(
        STAFF + "; the child", operational="id child expires_at revoked_at created_at", staff="user",
        free_text="reason"),
    # --- matching -----------------------------------------------------------------------------------------------
    "matching.SourceRecord": _entry(
        FAMILY, operational="id created_at updated_at local_authority source source_record_id first_seen_run_id "
                            "last_seen_run_id row_hash child link_status link_probability link_method linked_at",
        identifier="forename middle_names surname date_of_birth upn nhs_number", contact="postcode address",
        personal="sex", free_text="raw"),
    "matching.MatchCandidate": _entry(
        CHILD, operational="id created_at updated_at local_authority source_record child other_child source "
                           "probability match_weight status resolved_at",
        personal="explanation"),
    "matching.LinkDecision": _entry(
        CHILD, operational="id local_authority source_record child other_child decision probability decided_at",
        staff="decided_by decided_by_label", free_text="reason"),
    "matching.MergeRecord": _entry(
        CHILD, operational="id local_authority kept merged moved created merged_at unmerged_at",
        staff="merged_by merged_by_label unmerged_by unmerged_by_label", free_text="reason kept_before unmerge_reason"),
    # --- feeds --------------------------------------------------------------------------------------------------
    "feeds.ColumnMapping": _entry(
        NONE, operational="id created_at updated_at local_authority name source columns date_format encoding "
                          "delimiter"),
    "feeds.FeedSource": _entry(
        NONE, operational="id created_at updated_at local_authority slug name kind source transport folder_path "
                          "base_url token_env_var school_ids mapping create_children in_daily_run enabled"),
    "feeds.DailyRun": _entry(
        NONE, operational="id local_authority on started_at finished_at status triggered_by summary",
        free_text="error"),
    "feeds.FeedLock": _entry(NONE, operational="id name holder acquired_at"),
    "feeds.FeedRun": _entry(
        NONE, operational="id source daily_run on started_at finished_at status triggered_by received accepted "
                          "rejected new changed skipped_files details",
        free_text="error"),
    "feeds.FeedFile": _entry(
        FAMILY, operational="id run name sha256 size storage_path status rows rejected", free_text="warnings"),
    "feeds.RejectedRow": _entry(FAMILY, operational="id run file row_number", free_text="raw reasons"),
    "feeds.AttendanceSession": _entry(CHILD, operational="id child school", personal="date session code"),
    "feeds.PlaceAllocation": _entry(
        CHILD, operational="id local_authority source source_record_id last_seen_run_id",
        personal="kind laestab start"),
    "feeds.DetectionRule": _entry(
        NONE, operational="id created_at updated_at local_authority code name description enabled parameters"),
    "feeds.DetectionHit": _entry(
        CHILD, operational="id local_authority rule child daily_run first_found last_found cleared_on dedupe_key "
                           "converted_notification_id",
        personal="route", free_text="evidence"),
    # --- notifications ------------------------------------------------------------------------------------------
    "notifications.Notification": _entry(
        FAMILY + "; the person who reported",
        operational="id created_at updated_at local_authority reference kind status received_at triage_due "
                    "source_organisation referrer_agency escalated_at upload detection_rule dedupe_key child "
                    "triaged_at duplicate_of",
        staff="submitted_by triaged_by",
        identifier="reporter_name forename surname date_of_birth upn", contact="reporter_contact address postcode",
        personal="sex is_urgent deletion_ground deletion_date school_laestab",
        free_text="summary details urgent_reason outcome_reason",
        risk_flag="safeguarding_concern safeguarding_detail outcome"),
    "notifications.ReturnUpload": _entry(
        NONE, operational="id created_at updated_at local_authority organisation kind filename sha256 size "
                          "row_count",
        staff="uploaded_by"),
    "notifications.NotificationAttachment": _entry(
        FAMILY, operational="id notification content_type size sha256 created_at", free_text="filename content"),
    "notifications.LAEnquiry": _entry(
        FAMILY, operational="id created_at updated_at local_authority direction other_la_code other_la_name "
                            "asked_on response_due notification child",
        staff="other_la_contact_name other_la_contact_email responded_by created_by",
        identifier="forename surname date_of_birth upn", contact="address postcode",
        personal="answer responded_on", free_text="question response"),
    "notifications.PublicReportAttempt": _entry("members of the public", operational="id at", security="ip_hash"),
    # --- registers: EHE, part-time timetables, CNIS -------------------------------------------------------------
    "ehe.EHERecord": _entry(
        FAMILY, operational="id created_at updated_at local_authority child education_otherwise notification "
                            "next_annual_contact",
        staff="officer",
        personal="start_date source status ended_on end_reason suitability suitability_decided_on "
                 "educating_parents",
        special_category="reason", free_text="reason_detail end_detail suitability_reason"),
    "ehe.EHEContact": _entry(
        FAMILY, operational="id record recorded_at", staff="by by_label",
        personal="contact_on method is_annual_contact", free_text="notes"),
    "ehe.SuitabilityEnquiry": _entry(
        FAMILY, operational="id record recorded_at", staff="by by_label",
        personal="made_on method information_received_on outcome outcome_on", free_text="information_received"),
    "ehe.SAOStage": _entry(
        FAMILY, operational="id record recorded_at", staff="by by_label",
        personal="served_on response_due school_named", criminal_offence="stage", free_text="notes"),
    "ehe.EHEConcern": _entry(
        FAMILY, operational="id record enquiry recorded_at", staff="by by_label",
        risk_flag="kind raised_on mash_referral_on mash_reference social_care_outcome social_care_outcome_on "
                  "social_care_notes",
        free_text="description"),
    "timetables.PartTimeTimetable": _entry(
        FAMILY, operational="id created_at updated_at local_authority child school next_review_due consent_by",
        staff="submitted_by submitted_by_label",
        personal="hours_per_week full_time_hours start_date planned_end_date consent_given consent_on consent_how "
                 "status ended_on extensions",
        identifier="consent_by_name", special_category="reason has_ehcp ehcp_involved",
        risk_flag="has_social_worker social_worker_involved", free_text="reason_detail reintegration_plan"),
    "timetables.TimetableReview": _entry(
        FAMILY, operational="id timetable recorded_at", staff="by by_label",
        personal="reviewed_on outcome new_end_date pupil_and_parents_involved", free_text="notes"),
    "timetables.ReminderSent": _entry(STAFF, operational="id local_authority kind sent_on items sent_at",
                                      staff="recipient"),
    "cnis.CNISEntry": _entry(
        FAMILY, operational="id created_at updated_at local_authority child", staff="created_by_label",
        contact="home_address postcode",
        personal="registered_on lives_in_area condition_c hours_with_parents hours_with_others status removed_on",
        special_category="special_educational_needs protected_characteristics",
        risk_flag="s47_enquiries child_in_need looked_after looked_after_reason",
        free_text="eligibility_reason removal_reason"),
    "cnis.CNISParent": _entry(
        "parents and carers", operational="id entry contact", identifier="name", contact="address",
        personal="provides_education hours_per_week"),
    "cnis.OutOfSchoolSetting": _entry(
        "providers (a tutor may be a private person)",
        operational="id created_at updated_at local_authority provider_type is_active", identifier="name",
        contact="address online_address contact_email"),
    "cnis.CNISProvider": _entry(
        "providers (a tutor may be a private person); the child",
        operational="id entry setting provider_type", identifier="name", contact="address online_address",
        personal="hours_per_week hours_without_parent"),
    "cnis.ProviderRequest": _entry(
        NONE, operational="id local_authority setting sent_on recorded_at entries", staff="by by_label",
        free_text="notes"),
    # --- cases and panels ---------------------------------------------------------------------------------------
    "cases.Case": _entry(
        CHILD, operational="id created_at updated_at local_authority child opened_at opened_on version closed_at "
                           "closure_education_otherwise notifications",
        staff="allocated_to opened_by last_changed_by_label closed_by closure_confirmed_by",
        personal="case_type status priority panel_reviewed_on panel_outcome closure_outcome closure_school_where "
                 "closure_school closure_school_laestab closure_school_name closure_school_country "
                 "closure_start_date",
        free_text="summary closure_note"),
    "cases.CaseStatus": _entry(CHILD, operational="id case at", staff="by by_label", personal="status",
                               free_text="reason"),
    "cases.CaseNotification": _entry(
        NONE, operational="id case notification opened_case added_at", staff="added_by_label"),
    "cases.EnquiryTemplate": _entry(NONE, operational="id local_authority case_type name"),
    "cases.EnquiryTemplateItem": _entry(
        NONE, operational="id template code label guidance due_in due_unit escalate_when_missed source order "
                          "is_active"),
    "cases.Enquiry": _entry(
        FAMILY, operational="id case template_item code label order due escalate_when_missed escalated_at "
                            "attachment recorded_at",
        staff="recorded_by", personal="done_on method not_applicable",
        free_text="person outcome not_applicable_reason"),
    "cases.Task": _entry(
        CHILD, operational="id local_authority case due for_managers source escalation_key created_at done_at",
        staff="assignee created_by_label done_by", free_text="title detail done_note"),
    "cases.Note": _entry(CHILD, operational="id case created_at", staff="author author_label", free_text="text"),
    "cases.ContactRecord": _entry(
        FAMILY, operational="id case recorded_at", staff="recorded_by recorded_by_label",
        personal="method direction occurred_on", free_text="with_whom summary"),
    "cases.Document": _entry(
        FAMILY, operational="id local_authority case content_type extension size sha256 storage_token uploaded_at",
        staff="uploaded_by uploaded_by_label", free_text="title original_name file"),
    "cases.CTFFile": _entry(
        FAMILY, operational="id local_authority direction child case file_name sha256 size ctf_version created_at "
                            "s2s_uploaded_on",
        staff="created_by created_by_label s2s_recorded_by s2s_recorded_by_label",
        personal="source_laestab dest_laestab is_lost_pupil", free_text="content warnings"),
    "cases.CaseTransfer": _entry(
        FAMILY, operational="id case requested_at responded_at",
        staff="contact requested_by requested_by_label confirmed_by",
        personal="receiving_la_code response confirmed_on", contact="new_address",
        free_text="note response_note"),
    "panels.PanelSettings": _entry(
        NONE, operational="id local_authority not_located_after_weeks include_not_located min_risk_severity "
                          "include_missed_timescales access_working_days_after"),
    "panels.PanelMeeting": _entry(
        NONE, operational="id created_at updated_at local_authority held_on starts_at term location "
                          "terms_of_reference status minutes_generated_at",
        staff="created_by_label"),
    "panels.PanelAttendee": _entry(STAFF, operational="id meeting", staff="user name agency attended"),
    "panels.PanelItem": _entry(
        CHILD, operational="id meeting case order added_at", staff="added_by_label", personal="reasons",
        free_text="discussion"),
    "panels.Decision": _entry(
        CHILD, operational="id item decided_on recorded_at", staff="recorded_by recorded_by_label",
        risk_flag="outcome", free_text="text"),
    "panels.DecisionAction": _entry(NONE, operational="id decision task"),
    # --- privacy ------------------------------------------------------------------------------------------------
    "privacy.RetentionRule": _entry(
        NONE, operational="id category label basis years action confirmed source active"),
    "privacy.LegalHold": _entry(
        CHILD, operational="id child placed_at until lifted_at", staff="placed_by", free_text="reason"),
    "privacy.DestructionLog": _entry(NONE, operational="id run_at category rule action count"),
    "privacy.ProcessingRestriction": _entry(
        FAMILY, operational="id local_authority child recorded_at lifted_at superseded_by",
        staff="recorded_by lifted_by",
        personal="ground requested_by requested_on subject_told_on subject_told_how",
        free_text="detail lift_reason"),
}

#: Why a field has the class it has, where that is not obvious (shown in the data map).
NOTES: dict[str, str] = {
    "admin.LogEntry.object_repr": "The record's name as text, e.g. a child's name.",
    "sessions.Session.session_data": "Signed session: user id, two-factor state, break-glass child ids.",
    "django_tasks_database.DBTaskResult.args_kwargs": "Tasks take ids only (STYLE 2.4), never personal data.",
    "audit.AuditEvent.changes": "Old and new values of changed fields, so it holds whatever those fields hold.",
    "children.Child.is_restricted": "Marks a child at risk of being traced (e.g. living in a refuge).",
    "children.Child.processing_restricted": "UK GDPR Art 18: the data subject has restricted processing.",
    "privacy.ProcessingRestriction.requested_by": "Who asked for the restriction: the child, a parent, a solicitor.",
    "children.Child.first_language": "Not Art 9 on its own; can suggest ethnic origin, so shown to casework only.",
    "children.Address.la_code": "The LA area only, not the address.",
    "matching.MatchCandidate.explanation": "Comparison levels and match weights (no values).",
    "matching.MergeRecord.kept_before": "Field values of the kept record before the merge filled them in.",
    "feeds.AttendanceSession.code": "Register codes; some (I illness, M medical) say why a child was absent.",
    "notifications.Notification.outcome": "Triage outcome; one value is a safeguarding referral.",
    "notifications.Notification.is_urgent": "Urgent for tracing, e.g. a very young child; the why is urgent_reason.",
    "ehe.EHERecord.reason": "Reason codes include religious and health reasons (Art 9).",
    "ehe.SAOStage.stage": "The last stage is the parent's prosecution under s443 Education Act 1996 (Art 10).",
    "timetables.PartTimeTimetable.reason": "Reason codes include medical, mental health and SEND (Art 9).",
    "cases.Case.priority": "Derived from risk flags and the case's age (1-3); names no flag.",
    "panels.PanelItem.reasons": "Which agenda criteria the case met (e.g. a severe risk flag), not the flag.",
    "panels.Decision.outcome": "Outcomes include referral to children's social care and to the police.",
    "cnis.OutOfSchoolSetting.name": "A tutor may be a private person.",
}


def installed_fields() -> dict[str, list[str]]:
    """Model label -> its concrete fields (columns and many-to-many), for every installed model."""
    return {model._meta.label: [f.name for f in model._meta.get_fields() if f.concrete]
            for model in apps.get_models()}


def unclassified() -> list[str]:
    """'app.Model.field' for every installed field the registry does not classify."""
    missing = []
    for label, names in installed_fields().items():
        entry = INVENTORY.get(label)
        missing += [f"{label}.{name}" for name in names if entry is None or name not in entry.fields]
    return missing


def stale() -> list[str]:
    """Registry lines (and notes) for models or fields that do not exist (any more)."""
    installed = installed_fields()
    known = {f"{label}.{name}" for label, names in installed.items() for name in names}
    lines = [f"{label}.{name}" for label, entry in INVENTORY.items() for name in entry.fields]
    return [key for key in [*lines, *NOTES] if key not in known]


def classify(label: str, field: str) -> DataClass:
    """The class of `app.Model` field `field` (KeyError if it is not in the registry)."""
    return INVENTORY[label].fields[field]


@dataclass(frozen=True)
class DataMapRow:
    app: str
    model: str
    field: str
    column_type: str
    data_class: DataClass
    subjects: str
    table: str
    note: str


def data_map() -> list[DataMapRow]:
    """One row per installed field, in model order (the ROPA data map)."""
    rows = []
    for model in apps.get_models():
        label = model._meta.label
        entry = INVENTORY[label]
        for field in model._meta.get_fields():
            if not field.concrete:
                continue
            rows.append(DataMapRow(
                app=model._meta.app_label, model=model.__name__, field=field.name,
                column_type=field.get_internal_type(), data_class=entry.fields[field.name],
                subjects=entry.subjects, table=model._meta.db_table, note=NOTES.get(f"{label}.{field.name}", ""),
            ))
    return rows


CLASS_MEANINGS: dict[DataClass, str] = {
    DataClass.RISK_FLAG: "Safeguarding: vulnerable-group flags, social care, safeguarding concerns and referrals",
    DataClass.SPECIAL_CATEGORY: "UK GDPR Art 9: ethnicity, health, SEN/EHCP, religion, protected characteristics",
    DataClass.CRIMINAL_OFFENCE: "UK GDPR Art 10: criminal proceedings (a parent's s443 prosecution)",
    DataClass.FREE_TEXT: "Typed text, files and payloads as received: may hold any class, handled as the most "
                         "sensitive",
    DataClass.IDENTIFIER: "Identifies a child, parent or other private person (names, date of birth, UPN, NHS no.)",
    DataClass.CONTACT: "Address, postcode, phone or email of a private person",
    DataClass.PERSONAL: "Other personal data about a child or family (education, attendance, case status)",
    DataClass.STAFF: "About users and other professionals (names, emails, roles, who did what)",
    DataClass.SECURITY: "Credentials and security telemetry (hashes, second-factor secrets, sessions, IPs)",
    DataClass.OPERATIONAL: "Keys, system timestamps, configuration: no personal data on its own",
}
CSV_HEADER = ["app", "model", "field", "column_type", "class", "subjects", "table", "note"]


def render_csv() -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for row in data_map():
        writer.writerow([row.app, row.model, row.field, row.column_type, row.data_class.value, row.subjects,
                         row.table, row.note])
    return out.getvalue()


def render_markdown() -> str:
    rows = data_map()
    counts = {data_class: sum(1 for r in rows if r.data_class == data_class) for data_class in DataClass}
    lines = [
        "# Data map (DP-1)",
        "",
        "Generated by `python manage.py data_map` from `cme/privacy/inventory.py`; do not edit by hand. It lists every",
        "stored field of every installed model with its classification, for the record of processing activities",
        "(UK GDPR Art 30) and the DPIA. `cme/privacy/tests/test_inventory.py` fails if a field is not classified or",
        "if this file is out of date. The same rows are in `docs/data-map.csv`.",
        "",
        f"**{len(rows)} fields in {len({(r.app, r.model) for r in rows})} tables, {len(rows)} classified (100%).**",
        "",
        "| Class | Fields | Meaning |",
        "|---|---:|---|",
        *[f"| {c.value} | {counts[c]} | {CLASS_MEANINGS[c]} |" for c in DataClass],
    ]
    current = None
    for row in rows:
        label = f"{row.app}.{row.model}"
        if label != current:
            current = label
            lines += ["", f"## {label}", "", f"Table `{row.table}`. Whose data: {row.subjects}.", "",
                      "| Field | Type | Class | Note |", "|---|---|---|---|"]
        lines.append(f"| {row.field} | {row.column_type} | {row.data_class.value} | {row.note} |")
    return "\n".join(lines) + "\n"
