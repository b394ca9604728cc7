"""The words a person reads for what the audit log records: every event code, outcome, role and agency.

One table, used by the audit pages, the case's access history, the export's PDF and CSV and the search
filter alike, so that "What happened" in the filter and in the results are the same words. An event the
code records without a label here fails tests/audit/test_labels.py; until then it shows as its code, so
nothing is hidden.

The gate's events (sharing.access) are written out here rather than derived from sharing.policy, which
the audit app does not import; the test checks them against the capabilities.
"""

from __future__ import annotations

import re
from typing import Any

from audit.models import Outcome
from partners.models import Role

# The gate on one case (sharing.access.access_case): opening a form or page that makes a change, and
# sending it. The change itself is recorded by the service that makes it (case.stage_changed, ...).
_CASE_CHANGES = {
    "add_note": ("the form to add a note", "add a note"),
    "record_session": ("the form to record a support session", "record a support session"),
    "assess": ("the form to add an assessment", "add an assessment"),
    "move": ("the form to move the case", "move the case"),
    "screen": ("the police screening form", "record the police screening decision"),
    "consent": ("the form to record consent or plan how it is asked", "record consent or plan how it is asked"),
    "relate": ("a form to add, change or end a related person", "add, change or end a related person"),
    "plan": ("a support plan, action or review form", "change the support plan, actions or reviews"),
    "decide": ("the panel decision form", "record a panel decision"),
    "share": ("the sharing page or a sharing form", "share the case or answer an access request"),
    "correct": ("a form to correct a record or tell others of a correction", "correct a record or tell others"),
    "record_special_category": ("the form to record the sensitive details", "record the sensitive details"),
    "escalate": ("the form to escalate the case to the police", "escalate the case to the police"),
    "acknowledge_escalation": ("an escalation to the police", "acknowledge an escalation to the police"),
    "change_area": ("the form to change the person's address or area", "change the person's address or area"),
    "write_closing_report": ("the form to write the closing report", "write the closing report"),
}

# A service-wide permission the role does not have (sharing.access.require): "<capability>.denied".
_REFUSED = {
    "view": "see a case",
    "view_full": "see the whole case",
    "view_plan": "see the support plan",
    "add_note": "add a note",
    "record_session": "record a support session",
    "assess": "add an assessment",
    "move": "move a case",
    "screen": "record a police screening decision",
    "consent": "record consent",
    "relate": "add, change or end related people",
    "plan": "change a support plan",
    "decide": "record a panel decision",
    "access_history": "see who has seen a case",
    "share": "share a case",
    "correct": "correct a record of a case",
    "correction_history": "see the earlier values of corrected records",
    "record_special_category": "record a case's sensitive details",
    "escalate": "escalate a case to the police",
    "acknowledge_escalation": "acknowledge an escalation to the police",
    "view_special_category": "see a case's sensitive details",
    "change_area": "change a person's address or area",
    "write_closing_report": "write a case's closing report",
    "create_referral": "log a referral",
    "request_access": "ask for access to a case",
    "break_glass": "take emergency access to a case",
    "search_audit": "search the audit log",
    "export_audit": "export the audit log",
    "view_dashboard": "see the panel dashboard",
    "administer": "keep agencies and user accounts",
    "decide_access_change": "decide another administrator's access change",
    "view_meeting": "see panel meetings",
    "organise_meeting": "plan a panel meeting",
    "chair_meeting": "run a panel meeting",
}

# (group, {code: words}); groups are the headings of the "What happened" filter.
GROUPS: list[tuple[str, dict[str, str]]] = [
    (
        "Cases",
        {
            "case.viewed": "Viewed a case",
            "case.listed": "Listed or searched cases",
            "case.referred": "Logged a referral",
            "case.repeat_match": "Checked a referral against earlier cases",
            "case.stage_changed": "Moved a case to another stage",
            "case.decision_recorded": "Recorded a panel decision",
            "case.consent_recorded": "Recorded consent",
            "case.consent_request_planned": "Planned how, when and by whom consent is asked",
            "case.related_person_added": "Added a related person",
            "case.related_person_changed": "Changed a related person's details",
            "case.related_person_ended": "Recorded that a person is no longer connected to a case",
            "case.note_added": "Added a note",
            "case.assessment_added": "Added an assessment",
            "case.support_added": "Added support to the plan",
            "case.support_session_recorded": "Recorded a support session",
            "case.support_revised": "Revised support in the plan",
            "case.support_ended": "Ended support in the plan",
            "case.support_withdrawn": "Withdrew support in the plan",
            "case.action_added": "Added an action",
            "case.action_completed": "Completed an action",
            "case.review_scheduled": "Scheduled a review",
            "case.review_completed": "Completed a review",
            "case.reassessment_scheduled": "Scheduled a re-assessment (consent or support ended)",
            "case.closing_report_written": "Wrote a case's closing report",
            "case.area_changed": "Changed the person's address or area (who can see the case may change)",
            "case.access_history": "Viewed who has seen a case",
            "case.record_corrected": "Corrected a record of a case",
            "case.correction_history": "Viewed the history of a corrected record",
            "case.correction_notified": "Told others of a correction to a case",
            "case.special_category_viewed": "Viewed a case's sensitive details",
            "case.special_category_recorded": "Recorded a case's sensitive details",
            "case.special_category_changed": "Changed a case's sensitive details",
            "case.escalated": "Escalated a case to the police",
            "case.escalation_acknowledged": "Acknowledged an escalation to the police",
            "case.escalations_listed": "Listed escalations to acknowledge",
            "referral_draft.saved": "Saved a draft referral",
            "referral_draft.opened": "Opened a draft referral",
            "referral_draft.listed": "Listed their draft referrals",
            "referral_draft.discarded": "Discarded a draft referral",
            "referral_draft.logged": "Logged a draft referral as a case",
            "referral_draft.expired": "A draft referral was deleted after the keeping period",
            **{f"case.{code}.form_opened": f"Opened {form}" for code, (form, _) in _CASE_CHANGES.items()},
            **{f"case.{code}": f"Sent the form to {verb}" for code, (_, verb) in _CASE_CHANGES.items()},
            "dashboard.viewed": "Viewed the panel dashboard",
            "action.overdue_listed": "Listed overdue actions",
        },
    ),
    (
        "Panel meetings",
        {
            "meeting.listed": "Listed panel meetings",
            "meeting.viewed": "Viewed a panel meeting",
            "meeting.agenda_viewed": "Viewed a case on a meeting's agenda",
            "meeting.organise_meeting": "Opened or sent a meeting's planning pages",
            "meeting.chair_meeting": "Opened or sent a meeting's chairing pages",
            "meeting.created": "Planned a panel meeting",
            "meeting.agenda_item_added": "Added a case to a meeting's agenda",
            "meeting.agenda_item_removed": "Removed a case from a meeting's agenda",
            "meeting.invited": "Invited someone to a meeting",
            "meeting.circulated": "Sent out a meeting's papers",
            "meeting.attendance_recorded": "Recorded who attended a meeting",
            "meeting.discussion_recorded": "Recorded a meeting's discussion of a case",
            "meeting.rescheduled": "Moved a panel meeting to another date, time or place",
            "meeting.cancelled": "Cancelled a panel meeting",
            "meeting.chair_changed": "Changed a panel meeting's chair",
            "meeting.minutes_approved": "Approved a meeting's minutes",
            "meeting.minutes_circulated": "Sent out a meeting's minutes",
            "meeting.minutes_viewed": "Viewed a case in a meeting's minutes",
            "meeting.minutes_exported": "Downloaded a meeting's minutes",
            "meeting.minutes_downloaded": "Downloaded a case in a meeting's minutes",
        },
    ),
    (
        "Sharing and access requests",
        {
            "sharing.granted": "Shared a case",
            "sharing.revoked": "Stopped sharing a case",
            "sharing.extended": "Extended the sharing of a case",
            "sharing.meeting_access_moved": "Moved the end of a meeting invitee's access with the meeting's new date",
            "sharing.requested": "Asked for access to a case",
            "sharing.request_approved": "Approved an access request",
            "sharing.request_refused": "Refused an access request",
            "sharing.requests_listed": "Listed access requests",
            "sharing.queue_listed": "Opened a list of their things to do",
            "sharing.break_glass": "Took emergency access to a case",
            "sharing.disclosed": "Told an agency or a person about a case",
        },
    ),
    (
        "Signing in and accounts",
        {
            "auth.signed_in": "Signed in",
            "auth.signed_out": "Signed out",
            "auth.sign_in_failed": "Failed to sign in",
            "auth.locked_out": "Locked out after failed sign-ins",
            "auth.mfa_enrolled": "Set up a second factor",
            "auth.mfa_verified": "Gave the second factor",
            "auth.mfa_failed": "Gave a wrong second-factor code",
            "auth.mfa_reset": "Reset someone's second factor",
            "auth.passkey_enrolled": "Added a passkey",
            "auth.passkey_removed": "Removed a passkey",
            "auth.passkey_failed": "Used a passkey that was refused",
            "auth.session_expired": "Was signed out when the session ended",
            "auth.session_kept_alive": "Kept their session open while typing",
            "auth.password_changed": "Changed their password",
            "auth.setup_link_issued": "Sent an account set-up link",
            "auth.setup_link_refused": "Used a set-up link that was refused",
            "auth.setup_link_used": "Set up an account from a link",
            "account.change_requested": "Asked for an access change",
            "account.change_approved": "Approved an access change",
            "account.change_applied": "Applied an access change",
            "account.change_rejected": "Rejected an access change",
            "account.change_withdrawn": "Withdrew an access change",
            "account.change_approve_refused": "Tried to approve an access change, refused",
            "account.change_reject_refused": "Tried to reject an access change, refused",
            "account.change_withdraw_refused": "Tried to withdraw an access change, refused",
        },
    ),
    (
        "Audit log",
        {
            "audit.searched": "Searched the audit log",
            "audit.flagged_listed": "Listed entries to review",
            "audit.flag_opened": "Opened an entry to review",
            "audit.flag_reviewed": "Reviewed a flagged entry",
            "audit.export_previewed": "Checked an export before asking for it",
            "audit.export_requested": "Asked for an export",
            "audit.export_completed": "An export was made",
            "audit.export_failed": "An export could not be made",
            "audit.exports_listed": "Listed their exports",
            "audit.export_viewed": "Viewed an export's progress",
            "audit.export_downloaded": "Downloaded an export",
            "audit.texts_erased": "Erased typed text after the keeping period",
            "audit.admin_listed": "Listed audit entries in the admin",
            "audit.admin_viewed": "Viewed an audit entry in the admin",
        },
    ),
    (
        "Records and pages",
        {
            "reference.postcode_areas_loaded": "Loaded postcode districts and their areas",
            "model.created": "Created a record",
            "model.updated": "Changed a record",
            "model.deleted": "Deleted a record",
            "model.accessed": "Read a record",
            "http.response": "Opened a page",
        },
    ),
    ("Refused by role", {f"{code}.denied": f"Not allowed to {words}" for code, words in _REFUSED.items()}),
]

EVENTS: dict[str, str] = {code: words for _, events in GROUPS for code, words in events.items()}


def event_label(code: str) -> str:
    """What happened, in words; an unlabelled code (which the labels test refuses) shows as itself."""
    return EVENTS.get(code, code)


def event_choices() -> list[tuple[str, Any]]:
    """The "What happened" filter: every labelled event, grouped, in the same words as the results."""
    return [("", "Any"), *((group, sorted(events.items(), key=lambda item: item[1])) for group, events in GROUPS)]


def outcome_label(code: str) -> str:
    return str(Outcome(code).label) if code in Outcome.values else code


def role_label(code: str) -> str:
    """A role by its name (partners.models.Role); an empty role (not signed in) stays empty."""
    return str(Role(code).label) if code in Role.values else code


UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)


def record_label(*, case_reference: str, object_repr: str) -> str:
    """The record an entry is about: the case reference where there is one; a reference that named
    nothing (a link to a missing or hidden case) in words, never the bare identifier."""
    if case_reference:
        return case_reference
    if UUID.fullmatch(object_repr.strip()):
        return "A record that was not found or not shown"
    return UUID.sub("(reference)", object_repr)


def path_label(path: str, *, case_reference: str) -> str:
    """A request's path for a printout: the case reference in place of the case's identifier."""
    if case_reference:
        path = UUID.sub(case_reference, path, count=1)
    return UUID.sub("(reference)", path)
