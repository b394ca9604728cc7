"""The names of what someone may do (Capability) and of the kinds of access to a case (AccessLevel). Who
has which is decided in sharing/policy.py alone; these are only the words, kept apart so the policy
stays one readable page."""

from __future__ import annotations

from django.db import models


class Capability(models.TextChoices):
    """What someone may do: asked of the gate, granted by role and by level. (A task on a case is
    cases.models.Action; the kind of an audit entry is audit.services.EntryKind.)"""

    # About one case.
    VIEW = "view", "See the case summary"
    VIEW_FULL = "view_full", "See the whole case"
    VIEW_PLAN = "view_plan", "See the support plan"
    ADD_NOTE = "add_note", "Add a note"
    RECORD_SESSION = "record_session", "Record a support session"
    ASSESS = "assess", "Add an assessment"
    MOVE = "move", "Move the case to another stage"
    SCREEN = "screen", "Record the police screening decision"
    CONSENT = "consent", "Record consent"
    RELATE = "relate", "Add, change or end the people related to the person"
    PLAN = "plan", "Change the support plan, actions and reviews"
    DECIDE = "decide", "Record a panel decision"
    ACCESS_HISTORY = "access_history", "See who has seen the case"
    SHARE = "share", "Share the case and answer access requests"
    CHANGE_AREA = "change_area", "Change the person's address or area"
    CORRECT = "correct", "Correct a record of the case"
    CORRECTION_HISTORY = "correction_history", "See the earlier values of corrected records"
    RECORD_SPECIAL_CATEGORY = "record_special_category", "Record the sensitive details"
    ESCALATE = "escalate", "Escalate the case to the police"
    ACKNOWLEDGE_ESCALATION = "acknowledge_escalation", "Acknowledge an escalation to the police"
    VIEW_SPECIAL_CATEGORY = "view_special_category", "See the sensitive details"
    WRITE_CLOSING_REPORT = "write_closing_report", "Write the closing report"
    # Service-wide.
    CREATE_REFERRAL = "create_referral", "Log a referral"
    REQUEST_ACCESS = "request_access", "Ask for access to a case"
    BREAK_GLASS = "break_glass", "Take emergency access to a case"
    SEARCH_AUDIT = "search_audit", "Search the audit log"
    EXPORT_AUDIT = "export_audit", "Export the audit log"
    VIEW_DASHBOARD = "view_dashboard", "See the panel dashboard"
    ADMINISTER = "administer", "Keep the reference data: agencies and user accounts"
    DECIDE_ACCESS_CHANGE = "decide_access_change", "Approve or reject another administrator's change to access"
    # About one panel meeting.
    VIEW_MEETING = "view_meeting", "See a panel meeting"
    ORGANISE_MEETING = "organise_meeting", "Plan a meeting: agenda, invitations, circulation"
    CHAIR_MEETING = "chair_meeting", "Run a meeting: attendance, decisions, actions, minutes"


class AccessLevel(models.TextChoices):
    OWNER = "owner", "Owning council"
    POLICE = "police", "Police for the subject's area"
    FULL = "full", "Full access by grant"
    SUMMARY = "summary", "Summary access by grant"
    PROVIDER = "provider", "Intervention provider for part of the plan"
