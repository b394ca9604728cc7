"""Escalation to the police: from any stage the owning council's coordinator escalates a case when an
immediate risk is found after the referral (the caller has checked Capability.ESCALATE). The case keeps
its stage, so its place in the Channel process is not lost; the escalation is recorded beside it, shown
in its chronology, marks the referral as an immediate risk, and the police practitioners of the
subject's force area are emailed and see it in their "Things to do" until one of them acknowledges it
(Capability.ACKNOWLEDGE_ESCALATION, the police for the area only)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from audit import services as audit
from cases.models import Case, Escalation, Referral
from cases.services.stages import refuse
from cases.tasks import notify_escalation
from partners.models import User


@transaction.atomic
def escalate_to_police(*, case: Case, actor: User, reason: str) -> Escalation:
    """Record the escalation at the case's current stage, mark the referral as an immediate risk, and
    notify the police of the subject's area after commit. The stage does not change. Audited as
    case.escalated (references only, never the reason). Raises ValidationError without a reason."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not reason.strip():
        refuse("Say why the case is escalated to the police: the police read it first.")
    newly_at_risk = Referral.objects.filter(case=case, immediate_risk=False).update(immediate_risk=True) > 0
    escalation = Escalation.objects.create(
        case=case, stage=case.stage, reason=reason, actor=actor, set_immediate_risk=newly_at_risk
    )
    Case.objects.filter(pk=case.pk).update(last_activity_at=escalation.at)
    audit.record(
        event="case.escalated",
        actor=actor,
        obj=case,
        action=audit.EntryKind.CREATE,
        case_reference=case.number,
        detail={"escalation": str(escalation.reference), "stage": case.stage, "immediate_risk_set": newly_at_risk},
    )
    notify_escalation.delay_on_commit(escalation.pk)
    return escalation


@transaction.atomic
def acknowledge_escalation(*, escalation: Escalation, actor: User) -> Escalation:
    """A police practitioner of the subject's area acknowledges the escalation (the caller has checked
    Capability.ACKNOWLEDGE_ESCALATION on its case). Audited as case.escalation_acknowledged. Raises
    ValidationError when it has already been acknowledged."""
    escalation = Escalation.objects.select_for_update().select_related("case").get(pk=escalation.pk)
    if escalation.acknowledged_at is not None:
        refuse("This escalation has already been acknowledged.")
    escalation.acknowledged_by, escalation.acknowledged_at = actor, timezone.now()
    escalation.save(update_fields=["acknowledged_by", "acknowledged_at"])
    Case.objects.filter(pk=escalation.case_id).update(last_activity_at=escalation.acknowledged_at)
    audit.record(
        event="case.escalation_acknowledged",
        actor=actor,
        obj=escalation.case,
        action=audit.EntryKind.UPDATE,
        case_reference=escalation.case.number,
        detail={"escalation": str(escalation.reference)},
    )
    return escalation
