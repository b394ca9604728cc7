"""The people related to the person a case is about (caller checked Capability.RELATE through the gate).
Each change keeps the record: a change says why, an ended connection stays, marked as ended with its
reason, so consent that person gave stays explained. Audited by field name and reference, never by what
was typed."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from audit import services as audit
from cases.models import Case, RelatedPerson, Relationship
from cases.services.stages import refuse
from partners.models import User

# The fields a change may touch, in the order the form asks for them.
FIELDS = ("name", "relationship", "relationship_other", "parental_responsibility", "contact_details", "notes")


def _check(relationship: Relationship, relationship_other: str) -> str:
    if relationship == Relationship.OTHER and not relationship_other.strip():
        refuse("Say how they are related: the relationship is 'other'.")
    return relationship_other.strip() if relationship == Relationship.OTHER else ""


@transaction.atomic
def add_related_person(
    *,
    case: Case,
    actor: User,
    name: str,
    relationship: Relationship,
    relationship_other: str = "",
    parental_responsibility: bool,
    contact_details: str = "",
    notes: str = "",
) -> RelatedPerson:
    """Add someone related to the person. Audited as case.related_person_added (the relationship and
    whether they have parental responsibility, never the name)."""
    if not name.strip():
        refuse("Enter the related person's name.")
    other = _check(relationship, relationship_other)
    person = RelatedPerson.objects.create(
        case=case,
        name=name.strip(),
        relationship=relationship,
        relationship_other=other,
        parental_responsibility=parental_responsibility,
        contact_details=contact_details,
        notes=notes,
        added_by=actor,
    )
    audit.record(
        event="case.related_person_added",
        actor=actor,
        obj=person,
        action=audit.EntryKind.CREATE,
        case_reference=case.number,
        detail={"relationship": str(relationship), "parental_responsibility": parental_responsibility},
    )
    return person


@transaction.atomic
def change_related_person(
    *,
    person: RelatedPerson,
    actor: User,
    reason: str,
    name: str,
    relationship: Relationship,
    relationship_other: str = "",
    parental_responsibility: bool,
    contact_details: str = "",
    notes: str = "",
) -> RelatedPerson:
    """Change a related person's details, with a reason. Audited as case.related_person_changed with the
    names of the fields that changed. Refused for a person no longer connected, without a reason, or
    when nothing changed."""
    person = RelatedPerson.objects.select_for_update().select_related("case").get(pk=person.pk)
    if person.ended_at is not None:
        refuse("This person is no longer connected to the case, so their details cannot be changed.")
    if not reason.strip():
        refuse("Give a reason for the change.")
    if not name.strip():
        refuse("Enter the related person's name.")
    wanted = {
        "name": name.strip(),
        "relationship": str(relationship),
        "relationship_other": _check(relationship, relationship_other),
        "parental_responsibility": parental_responsibility,
        "contact_details": contact_details,
        "notes": notes,
    }
    changed = [field for field in FIELDS if getattr(person, field) != wanted[field]]
    if not changed:
        refuse("Nothing has changed: change a detail, or go back to the case.")
    for field in changed:
        setattr(person, field, wanted[field])
    person.changed_by, person.changed_at, person.change_reason = actor, timezone.now(), reason.strip()
    person.save()
    audit.record(
        event="case.related_person_changed",
        actor=actor,
        obj=person,
        action=audit.EntryKind.UPDATE,
        case_reference=person.case.number,
        detail={"fields": changed},
    )
    return person


@transaction.atomic
def end_related_person(*, person: RelatedPerson, actor: User, reason: str) -> RelatedPerson:
    """Record that a person is no longer connected to the case, with a reason; the record stays.
    Audited as case.related_person_ended."""
    person = RelatedPerson.objects.select_for_update().select_related("case").get(pk=person.pk)
    if person.ended_at is not None:
        refuse("This person is already recorded as no longer connected to the case.")
    if not reason.strip():
        refuse("Give a reason why this person is no longer connected to the case.")
    person.ended_by, person.ended_at, person.end_reason = actor, timezone.now(), reason.strip()
    person.save(update_fields=["ended_by", "ended_at", "end_reason"])
    audit.record(
        event="case.related_person_ended",
        actor=actor,
        obj=person,
        action=audit.EntryKind.UPDATE,
        case_reference=person.case.number,
        detail={"fields": ["ended_at", "end_reason"]},
    )
    return person
