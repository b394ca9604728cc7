"""The gate for the items inside a case the user already reached through sharing.access.access_case:
notes and assessment versions by originator visibility, the support elements (a provider sees only the
support they deliver now), and the sessions held against them (whose notes follow originator visibility,
as notes do). Re-exported by sharing.access, where views ask."""

from __future__ import annotations

from typing import Any

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet

from cases.models import (
    Assessment,
    Case,
    CaseNote,
    NoteVisibility,
    SupportElement,
    SupportElementQuerySet,
    SupportSession,
)
from sharing.policy import provided_support, sees_only_own_support


def by_originator(user: Any) -> Q:
    """Originator visibility: everyone who can see the case, the originator's agency, or named agencies."""
    agency_id = user.agency_id
    return (
        Q(visibility=NoteVisibility.EVERYONE)
        | Q(originator_agency_id=agency_id)
        | Q(visibility=NoteVisibility.NAMED, shared_with__id=agency_id)
    )


def visible_notes(user: Any, case: Case) -> QuerySet[CaseNote]:
    """Notes of a case the user can see, by originator visibility (call after access_case)."""
    return case.notes.filter(by_originator(user)).distinct()


def visible_assessments(user: Any, case: Case) -> QuerySet[Assessment]:
    """Assessment versions of a case the user can see, by originator visibility (call after access_case)."""
    return case.assessments.filter(by_originator(user)).distinct()


def visible_support_elements(user: Any, case: Case) -> SupportElementQuerySet:
    """Support elements of a case the user can see (call after access_case): an intervention provider sees
    only the support they deliver now, whatever else gives them the case; others see the whole plan."""
    if sees_only_own_support(user):
        return provided_support(user).filter(plan__case=case)
    return SupportElement.objects.filter(plan__case=case)


def visible_sessions(user: Any, case: Case) -> QuerySet[SupportSession]:
    """Sessions held against the support elements of a case the user can see (call after access_case),
    each with `note_shown`: whether its note reaches the user by originator visibility (the same rule as
    notes). That a session was held, and whether it was attended, is the plan's progress and is shown to
    everyone who sees its element; the note is the provider's to share."""
    agency_id = user.agency_id
    named = SupportSession.shared_with.through.objects.filter(supportsession_id=OuterRef("pk"), agency_id=agency_id)
    shown = (
        Q(visibility=NoteVisibility.EVERYONE)
        | Q(originator_agency_id=agency_id)
        | Q(Exists(named), visibility=NoteVisibility.NAMED)
    )
    return (
        SupportSession.objects.filter(element__in=visible_support_elements(user, case))
        .annotate(note_shown=ExpressionWrapper(shown, output_field=BooleanField()))
        .select_related("recorded_by__agency")
    )
