"""Special-category details of a case (ethnicity, religion or belief, health): recorded and changed by
the owning council's coordinators (the caller has checked Capability.RECORD_SPECIAL_CATEGORY). Audited
with the names of the fields that changed, never their values; a change needs a reason."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone

from audit import services as audit
from cases.models import Case, SpecialCategory
from cases.services.stages import refuse
from partners.models import User

FIELDS = ("ethnicity", "religion", "mental_health_concern", "neurodiversity", "health_note")


@transaction.atomic
def record_special_category(*, case: Case, actor: User, values: Mapping[str, str], reason: str = "") -> SpecialCategory:
    """Record the case's special-category details, or change them. The first record needs no reason; a
    change does, and changing nothing is refused. Audited as case.special_category_recorded or
    case.special_category_changed, with the changed fields' names. Raises ValidationError naming the rule."""
    Case.objects.select_for_update().get(pk=case.pk)
    unknown = set(values) - set(FIELDS)
    if unknown:
        refuse(f"These are not sensitive details: {', '.join(sorted(unknown))}.")
    details = SpecialCategory.objects.filter(case=case).first()
    first = details is None
    if details is None:
        details = SpecialCategory(case=case, recorded_by=actor)
    changed = [name for name in FIELDS if name in values and getattr(details, name) != values[name]]
    if not first and not changed:
        refuse("Nothing has changed: change a detail, or go back to the case.")
    if not first and not reason.strip():
        refuse("Give a reason for the change: the sensitive details are corrected only with a reason.")
    for name in changed:
        setattr(details, name, values[name])
    details.recorded_by, details.recorded_at = actor, timezone.now()
    details.full_clean()
    details.save()
    audit.record(
        event="case.special_category_recorded" if first else "case.special_category_changed",
        actor=actor,
        obj=case,
        action=audit.EntryKind.CREATE if first else audit.EntryKind.UPDATE,
        case_reference=case.number,
        detail={"fields": changed},
    )
    return details
