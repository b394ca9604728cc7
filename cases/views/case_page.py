"""The case page's tabs. Each tab needs its own capability (sharing.access decides who has it) and is
reached through access_case, which records the access with the tab as its purpose."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render

from audit.models import AuditEntry
from cases.models import AgendaItem, Case, ClosingReport, Referral, Stage, SupportElementVersion, SupportPlan
from cases.services import casework, decisions, stages, support
from cases.services import reviews as review_rules
from cases.services.corrections import corrected_references
from partners.http import AuthenticatedHttpRequest
from sharing.access import (
    Capability,
    access_case,
    can,
    earlier_cases,
    may_record_session,
    visible_assessments,
    visible_meetings,
    visible_notes,
    visible_sessions,
    visible_support_elements,
    who_can_see,
)
from sharing.reasons import why_a_partner_can_see
from sharing.special import access_special_category, can_see_special_category

# Each tab and the action it needs (sharing.access decides who has it).
TABS = [
    ("summary", "Summary", Capability.VIEW),
    ("chronology", "Chronology", Capability.VIEW_FULL),
    ("related", "Related people", Capability.VIEW_FULL),
    ("assessment", "Assessment", Capability.VIEW_FULL),
    ("plan", "Support plan", Capability.VIEW_PLAN),
    ("actions", "Actions", Capability.VIEW_FULL),
    ("reviews", "Reviews", Capability.VIEW_FULL),
    ("access", "Access history", Capability.ACCESS_HISTORY),
    ("sharing", "Sharing", Capability.SHARE),
    # Shown only to those the ways open the special-category details to (sharing.special).
    ("sensitive", "Sensitive details", Capability.VIEW_FULL),
]
TAB_ACTIONS = {key: action for key, _, action in TABS}


def _open_tab(request: AuthenticatedHttpRequest, reference: UUID, tab: str) -> tuple[Case, dict[str, Any]]:
    """The case, through the gate for this tab, and what every tab shows around its content: the tabs
    this user may open and the buttons for the changes they may make now."""
    case = access_case(request.user, reference, action=TAB_ACTIONS[tab], purpose=f"{tab} tab")
    user = request.user
    return case, {
        "case": case,
        "tab": tab,
        "tabs": [
            (key, label)
            for key, label, action in TABS
            if can(user, case, action) and (key != "sensitive" or can_see_special_category(user, case))
        ],
        "can_view_full": can(user, case, Capability.VIEW_FULL),
        # At police screening only the screening decision moves a case (a police decision, CTSA s.36(2)).
        "can_move": can(user, case, Capability.MOVE)
        and case.stage != Stage.POLICE_SCREENING
        and bool(stages.manual_stages(case)),
        "can_screen": can(user, case, Capability.SCREEN) and case.stage == Stage.POLICE_SCREENING,
        "can_decide": can(user, case, Capability.DECIDE) and bool(decisions.decisions_available(case)),
        "can_consent": can(user, case, Capability.CONSENT)
        and case.stage in (Stage.CONSENT_SOUGHT, Stage.SUPPORT_ACTIVE, Stage.UNDER_REVIEW),
        "can_note": can(user, case, Capability.ADD_NOTE),
        "can_assess": can(user, case, Capability.ASSESS),
        "can_plan": can(user, case, Capability.PLAN),
        "can_correct": can(user, case, Capability.CORRECT),
        # The records with a history of corrections, linked from where each is shown (owner only).
        "corrected": corrected_references(case) if can(user, case, Capability.CORRECTION_HISTORY) else set(),
        "can_relate": can(user, case, Capability.RELATE),
        "can_escalate": can(user, case, Capability.ESCALATE),
        "can_change_area": can(user, case, Capability.CHANGE_AREA),
        # A case waiting for its re-assessment (consent refused or withdrawn, support withdrawn) says when.
        "reassessment": review_rules.open_reassessment(case),
        # A partner is told why they see the case and until when; the owning council needs no telling.
        "why_seen": why_a_partner_can_see(user, case),
    }


def from_meeting_item(request: AuthenticatedHttpRequest, case: Case) -> AgendaItem | None:
    """The agenda item the chair came from ("Open the whole case" in meeting mode), for a link back: only
    an item about this case, at a meeting the viewer may open."""
    try:
        key = UUID(request.GET.get("from_item", ""))
    except ValueError:
        return None
    found = AgendaItem.objects.filter(reference=key, case=case, meeting__in=visible_meetings(request.user))
    return found.select_related("meeting").first()


def detail(request: AuthenticatedHttpRequest, reference: UUID) -> HttpResponse:
    case, page = _open_tab(request, reference, "summary")
    page["back_to_item"] = from_meeting_item(request, case)
    previous = case.previous_case
    subjects = [case.subject] + ([previous.subject] if previous is not None else [])
    visible, hidden = earlier_cases(request.user, subjects=subjects, exclude=case)
    escalated = list(case.escalations.select_related("acknowledged_by__agency"))
    return render(
        request,
        "cases/tab_summary.html",
        {
            **page,
            "referral": Referral.objects.select_related("source_sector", "concern_type").get(case=case),
            "earlier_visible": visible,
            "earlier_hidden": hidden,
            "age": case.subject.age_on(case.received_on),
            "escalations": escalated,
            "risk_found_later": any(escalation.set_immediate_risk for escalation in escalated),
        },
    )


def chronology(request: AuthenticatedHttpRequest, reference: UUID) -> HttpResponse:
    case, page = _open_tab(request, reference, "chronology")
    notes = visible_notes(request.user, case).select_related("author", "originator_agency")
    changes = case.stage_changes.select_related("actor")
    moved = case.area_changes.select_related("actor__agency")
    corrections = case.corrections.select_related("actor__agency")
    entries = [
        *({"at": n.created_at, "note": n} for n in notes),
        *({"at": c.at, "change": c} for c in changes),
        *({"at": c.at, "correction": c} for c in corrections),
        *({"at": a.at, "area": a} for a in moved),
    ]
    for escalation in case.escalations.select_related("actor__agency", "acknowledged_by__agency"):
        entries.append({"at": escalation.at, "escalation": escalation})
        if escalation.acknowledged_at is not None:
            entries.append({"at": escalation.acknowledged_at, "acknowledged": escalation})
    return render(
        request, "cases/tab_chronology.html", {**page, "entries": sorted(entries, key=lambda e: e["at"], reverse=True)}
    )


def assessment(request: AuthenticatedHttpRequest, reference: UUID) -> HttpResponse:
    case, page = _open_tab(request, reference, "assessment")
    versions = list(
        visible_assessments(request.user, case)
        .select_related("assessor", "originator_agency")
        .prefetch_related("factors")
    )
    current = versions[0] if versions else None
    previous = versions[1] if len(versions) > 1 else None
    changes = casework.assessment_changes(current, previous) if current else []
    return render(
        request,
        "cases/tab_assessment.html",
        {**page, "current": current, "previous": previous, "changes": changes, "versions": versions},
    )


def plan(request: AuthenticatedHttpRequest, reference: UUID) -> HttpResponse:
    case, page = _open_tab(request, reference, "plan")
    user = request.user
    elements = list(
        visible_support_elements(user, case)
        .with_progress()
        .select_related("support_type", "provider", "provider_user", "plan__case")
    )
    sessions: dict[int, list[Any]] = {}
    for session in visible_sessions(user, case):
        sessions.setdefault(session.element_id, []).append(session)
    for element in elements:
        element.held_sessions = sessions.get(element.pk, [])  # type: ignore[attr-defined]
    may_record = can(user, case, Capability.RECORD_SESSION)
    full = page["can_view_full"]
    consents = (
        list(case.consents.select_related("recorded_by", "requested_by__agency", "consenting_person")) if full else []
    )
    # How, when and by whom consent is asked (s.36(5)(a)) names people: shown where the whole case is.
    support_plan = SupportPlan.objects.filter(case=case).select_related("consent_request_by__agency").first()
    return render(
        request,
        "cases/tab_plan.html",
        {
            **page,
            "progress": support.progress(elements, days=settings.STALLED_SUPPORT_DAYS),
            "changed": set(
                SupportElementVersion.objects.filter(element__in=elements).values_list("element_id", flat=True)
            ),
            "may_record": {e.pk for e in elements if may_record and may_record_session(user, e)},
            "stalled_days": settings.STALLED_SUPPORT_DAYS,
            "consents": consents,
            "support_plan": support_plan if full else None,
            "can_plan_consent": can(request.user, case, Capability.CONSENT),
            # A capacity note describes the person's health: shown only to those who see the sensitive details.
            "can_see_capacity_note": full and can_see_special_category(request.user, case),
        },
    )


def related(request: AuthenticatedHttpRequest, reference: UUID) -> HttpResponse:
    """Parents, guardians, carers and others connected to the person: only where the whole case is seen."""
    case, page = _open_tab(request, reference, "related")
    people = list(case.related_people.select_related("added_by", "changed_by", "ended_by"))
    current = [person for person in people if person.ended_at is None]
    ended = [person for person in people if person.ended_at is not None]
    return render(request, "cases/tab_related.html", {**page, "current": current, "ended": ended})


def actions(request: AuthenticatedHttpRequest, reference: UUID) -> HttpResponse:
    case, page = _open_tab(request, reference, "actions")
    found = list(case.actions.select_related("owner_agency", "owner_user"))
    return render(request, "cases/tab_actions.html", {**page, "actions": found})


def reviews(request: AuthenticatedHttpRequest, reference: UUID) -> HttpResponse:
    case, page = _open_tab(request, reference, "reviews")
    panel = review_rules.panel_of(case)
    # Each review with the day a post-exit review's window opens, when that is still to come.
    found = [
        (review, review_rules.opens_on(review, panel) if review_rules.not_open_yet(review, panel) else None)
        for review in case.reviews.all()
    ]
    taken = list(case.decisions.select_related("decided_by"))
    report = ClosingReport.objects.filter(case=case).select_related("written_by__agency").first()
    can_write = (
        report is None
        and can(request.user, case, Capability.WRITE_CLOSING_REPORT)
        and not review_rules.closing_report_unavailable(case)
    )
    return render(
        request,
        "cases/tab_reviews.html",
        {
            **page,
            "reviews": found,
            "decisions": taken,
            "closing_report": report,
            "can_write_closing_report": can_write,
            "closing_stage": case.stage in review_rules.CLOSING_REPORT_STAGES,
            "review_window_days": panel.review_window_days,
        },
    )


def access_history(request: AuthenticatedHttpRequest, reference: UUID) -> HttpResponse:
    case, page = _open_tab(request, reference, "access")
    entries = AuditEntry.objects.filter(case_reference=case.number).select_related("actor", "actor_agency")
    return render(request, "cases/tab_access.html", {**page, "entries": list(entries[:100])})


def sharing(request: AuthenticatedHttpRequest, reference: UUID) -> HttpResponse:
    case, page = _open_tab(request, reference, "sharing")
    # The owner's history of the person's address and areas, with who lost sight of the case each time.
    moved = case.area_changes.select_related("actor__agency")
    return render(request, "cases/tab_sharing.html", {**page, "rows": who_can_see(case), "area_changes": moved})


def sensitive(request: AuthenticatedHttpRequest, reference: UUID) -> HttpResponse:
    """The special-category details: every look is recorded by their gate, a refused one too (403)."""
    case, page = _open_tab(request, reference, "sensitive")
    details = access_special_category(request.user, case)
    can_record = can(request.user, case, Capability.RECORD_SPECIAL_CATEGORY)
    return render(request, "cases/tab_sensitive.html", {**page, "details": details, "can_record": can_record})
