"""Consent to support, as the law has it, and the plan for asking it (caller checked Capability.CONSENT).

- From 18 the person consents themselves: no one else may consent for them (CTSA 2015 s.36(4)(b)).
- Under 18 a parent or guardian with parental responsibility gives consent (explanatory notes to the Act,
  para 206), recorded as a related person of this case; the child may refuse or withdraw themselves, and
  their own view is recorded whoever answers.
- Capacity: from 16 the Mental Capacity Act 2005 assumes it (s.1(2)); when it is considered, how is
  recorded, and an adult found unable to make the decision cannot give consent, nor can anyone for them.
- Who asked for consent, how and when; the support plan says how, when and by whom it is to be asked
  (s.36(5)(a)).
Each rule that says no raises ValidationError naming it and changes nothing."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from audit import services as audit
from cases.models import (
    Capacity,
    Case,
    Consent,
    ConsentGiver,
    ConsentStatus,
    RelatedPerson,
    Stage,
    SupportPlan,
)
from cases.services import reviews
from cases.services.stages import change_stage, refuse
from partners.models import User, UserQuerySet

ACT = "Counter-Terrorism and Security Act 2015"


def may_ask_for_consent(case: Case) -> UserQuerySet:
    """Who may be named as asking for consent: active caseworkers of the owning council."""
    return User.objects.caseworkers().filter(agency_id=case.owning_agency_id)


def _check_who(case: Case, status: ConsentStatus, on: date, consenting: RelatedPerson | None) -> None:
    subject = case.subject
    if consenting is not None and (consenting.case_id != case.pk or consenting.ended_at is not None):
        refuse("The person who consented must be a related person of this case who is still connected to it.")
    if subject.age_on(on) >= 18:
        if consenting is not None:
            refuse(f"{subject.full_name} is 18 or over, so they must consent themselves ({ACT}, section 36(4)(b)).")
        return
    if consenting is not None and not consenting.parental_responsibility:
        refuse(
            f"{consenting.name} does not have parental responsibility for {subject.full_name}, so cannot answer"
            " for them: choose a parent or guardian with parental responsibility."
        )
    if status == ConsentStatus.GIVEN and consenting is None:
        refuse(
            f"{subject.full_name} is under 18, so a parent or guardian with parental responsibility must consent"
            f" (explanatory notes to the {ACT}, paragraph 206)."
        )


def _check_capacity(case: Case, status: ConsentStatus, on: date, *, capacity: str, capacity_note: str) -> None:
    note = capacity_note
    if capacity != Capacity.NOT_IN_QUESTION and not note.strip():
        refuse("Say how capacity was considered: who considered it, when, and what they found.")
    adult = case.subject.age_on(on) >= 18
    if adult and status == ConsentStatus.GIVEN and capacity == Capacity.LACKS_CAPACITY:
        refuse(
            f"{case.subject.full_name} was found not able to make this decision, so their consent cannot be recorded"
            f" as given, and no one else can give it for an adult ({ACT}, section 36(4)(b);"
            " Mental Capacity Act 2005, section 2)."
        )


@transaction.atomic
def record_consent(
    *,
    case: Case,
    actor: User,
    status: ConsentStatus,
    consenting: RelatedPerson | None,
    method: str,
    on: date,
    requested_by: User,
    requested_on: date,
    child_view: str = "",
    capacity: Capacity = Capacity.NOT_IN_QUESTION,
    capacity_note: str = "",
    reassessment_on: date | None = None,
) -> Consent:
    """Record consent given, refused or withdrawn: by the person themselves (`consenting` None) or by a
    related person of this case. Refused or withdrawn consent needs a re-assessment date (s.36(4)(e)) and
    moves the case to 're-assessment scheduled'. Audited as case.consent_recorded (the status, who answered
    as a kind, the related person's reference), the re-assessment as case.reassessment_scheduled, and
    each move as case.stage_changed."""
    case = Case.objects.select_for_update().select_related("subject").get(pk=case.pk)
    if on > timezone.localdate():
        refuse("The consent date cannot be in the future.")
    if status in (ConsentStatus.GIVEN, ConsentStatus.REFUSED) and case.stage != Stage.CONSENT_SOUGHT:
        refuse("Consent is given or refused once the panel has adopted the case and consent is being sought.")
    if status == ConsentStatus.WITHDRAWN and case.stage not in (Stage.SUPPORT_ACTIVE, Stage.UNDER_REVIEW):
        refuse("Consent can be withdrawn only while support is active or under review.")
    _check_who(case, status, on, consenting)
    if case.subject.age_on(on) < 18 and not child_view.strip():
        refuse(f"Record {case.subject.full_name}'s own view: they are under 18, so their view is recorded too.")
    _check_capacity(case, status, on, capacity=capacity, capacity_note=capacity_note)
    if not may_ask_for_consent(case).filter(pk=requested_by.pk).exists():
        refuse(f"Consent is asked by someone of {case.owning_agency.name}: choose who asked from the list.")
    if requested_on > on:
        refuse("Consent cannot be answered before it was asked: the date asked must be on or before the answer.")
    if status == ConsentStatus.GIVEN and reassessment_on is not None:
        refuse("Leave the re-assessment date empty when consent is given: it is only for refused or withdrawn consent.")
    if status != ConsentStatus.GIVEN and reassessment_on is None:
        refuse("Refused or withdrawn consent needs a re-assessment date (CTSA 2015 s.36(4)(e)).")
    if reassessment_on is not None and reassessment_on <= on:
        refuse("The re-assessment date must be after the consent date.")
    given_by = ConsentGiver.SUBJECT if consenting is None else ConsentGiver.PARENT_OR_GUARDIAN
    consent = Consent.objects.create(
        case=case,
        status=status,
        given_by=given_by,
        consenting_person=consenting,
        child_view=child_view.strip(),
        capacity=capacity,
        capacity_note=capacity_note.strip() if capacity != Capacity.NOT_IN_QUESTION else "",
        method=method,
        requested_by=requested_by,
        requested_on=requested_on,
        on=on,
        recorded_by=actor,
    )
    detail: dict[str, object] = {"status": str(status), "given_by": str(given_by), "capacity": str(capacity)}
    if consenting is not None:
        detail["related_person"] = str(consenting.reference)
    audit.record(
        event="case.consent_recorded",
        actor=actor,
        obj=case,
        action=audit.EntryKind.UPDATE,
        case_reference=case.number,
        detail=detail,
    )
    if reassessment_on is not None:
        if status == ConsentStatus.REFUSED:
            change_stage(case=case, to=Stage.CONSENT_REFUSED, actor=actor, reason="Consent refused")
        # The same tracked re-assessment as when the panel withdraws support (cases.services.reviews).
        reviews.schedule_reassessment(case=case, actor=actor, due_on=reassessment_on, because=f"consent_{status}")
    return consent


@transaction.atomic
def plan_consent_request(*, case: Case, actor: User, by: User, how: str, on: date) -> SupportPlan:
    """Record in the support plan how, when and by whom consent is to be asked (s.36(5)(a)). Audited as
    case.consent_request_planned with the names of the fields that changed."""
    if not may_ask_for_consent(case).filter(pk=by.pk).exists():
        refuse(f"Consent is asked by someone of {case.owning_agency.name}: choose who will ask from the list.")
    if not how.strip():
        refuse("Say how consent is to be asked.")
    plan, _ = SupportPlan.objects.select_for_update().get_or_create(case=case)
    wanted = {"consent_request_by_id": by.pk, "consent_request_how": how.strip(), "consent_request_on": on}
    changed = [field for field, value in wanted.items() if getattr(plan, field) != value]
    for field, value in wanted.items():
        setattr(plan, field, value)
    plan.save()
    audit.record(
        event="case.consent_request_planned",
        actor=actor,
        obj=case,
        action=audit.EntryKind.UPDATE,
        case_reference=case.number,
        detail={"fields": [field.removesuffix("_id") for field in changed]},
    )
    return plan
