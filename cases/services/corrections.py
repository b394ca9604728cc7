"""Corrections (UK GDPR Art 5(1)(d) accuracy, Art 16 rectification, Art 19 notification): the owning
council's coordinators put right the person's details, the referral, actions, reviews and support
elements, each with a reason. One step does every correction (`_correct`): it refuses a correction without
a reason or one that changes nothing, keeps the earlier values in a Correction row (the record's history,
for the owner), and records the changed field names, never their values, in the audit log. The
coordinator may then tell those the case was disclosed to (`notify_correction`)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import date
from typing import Any

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from audit import services as audit
from cases.models import (
    CORRECTABLE_FIELDS,
    Action,
    Case,
    CorrectedRecord,
    Correction,
    Referral,
    Review,
    Subject,
    SupportElement,
)
from cases.services import areas
from cases.services.referrals import normalise_name
from cases.services.stages import refuse
from partners.models import User
from sharing import disclosures
from sharing.models import DisclosureBasis, DisclosureKind
from sharing.policy import Capability, roles_with


def _stored(value: Any) -> Any:
    """A value as the history keeps it: text, an ISO date, a choice key, true/false, a record's key."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, date):
        return value.isoformat()
    return value


def _correct(
    *,
    case: Case,
    actor: User,
    kind: CorrectedRecord,
    record: models.Model,
    reference: Any,
    changes: Mapping[str, Any],
    reason: str,
    check: Callable[[Any], list[str]] | None = None,
) -> Correction:
    """The one correction step: refuse without a reason, for a field that may not be corrected here, or when
    nothing changes; apply the changes, run the record's own rules (`check`, which refuses or names the
    derived fields it set), keep the earlier values and record the field names."""
    if actor.role not in roles_with(Capability.CORRECT) or actor.agency_id != case.owning_agency_id:
        refuse("Only the owning council's Prevent coordinators can correct a case's records.")
    if not reason.strip():
        refuse("Say why this is being corrected: the reason is recorded in the case chronology.")
    allowed = CORRECTABLE_FIELDS[kind]
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        refuse(f"{kind.label} cannot be corrected in: {', '.join(name.replace('_', ' ') for name in unknown)}.")
    changed = [name for name in allowed if name in changes and changes[name] != getattr(record, name)]
    if not changed:
        refuse("You have not changed anything: change at least one detail, or go back to the case.")
    earlier = {name: _stored(getattr(record, name)) for name in changed}
    for name in changed:
        setattr(record, name, changes[name])
    derived = check(record) if check is not None else []
    record.full_clean()
    record.save(update_fields=[*changed, *derived])
    now = timezone.now()
    correction = Correction.objects.create(
        case=case,
        record_kind=kind,
        record_reference=reference,
        fields=changed,
        earlier_values=earlier,
        reason=reason,
        actor=actor,
        at=now,
    )
    Case.objects.filter(pk=case.pk).update(last_activity_at=now)
    audit.record(
        event="case.record_corrected",
        actor=actor,
        obj=correction,
        action=audit.EntryKind.UPDATE,
        case_reference=case.number,
        detail={"record": str(kind), "reference": str(reference), "fields": changed},
    )
    return correction


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update().select_related("subject").get(pk=case.pk)


@transaction.atomic
def correct_subject(*, case: Case, actor: User, changes: Mapping[str, Any], reason: str) -> Correction:
    """Correct the person's names, date of birth or gender (the address and areas are changed apart: they
    decide who sees the case). The names used to match repeat referrals follow. Refused while another
    council owns a case about the same person, whose record it is too. Audited as case.record_corrected."""
    case = _locked(case)
    subject = Subject.objects.select_for_update().get(pk=case.subject_id)
    problem = areas.subject_shared_with_another_council(case)
    if problem:
        refuse(problem)

    def check(record: Subject) -> list[str]:
        if record.date_of_birth > timezone.localdate():
            refuse("The date of birth cannot be in the future.")
        # Repeat referrals are matched on the normalised name (cases.services.referrals).
        record.match_name = normalise_name(record.first_name, record.last_name)
        return ["match_name"]

    return _correct(
        case=case,
        actor=actor,
        kind=CorrectedRecord.SUBJECT,
        record=subject,
        reference=subject.reference,
        changes=changes,
        reason=reason,
        check=check,
    )


@transaction.atomic
def correct_referral(*, case: Case, actor: User, changes: Mapping[str, Any], reason: str) -> Correction:
    """Correct the referral form's answers. Its history is kept under the case's reference (a referral has
    none of its own). Audited as case.record_corrected."""
    case = _locked(case)
    referral = Referral.objects.select_for_update().get(case=case)
    return _correct(
        case=case,
        actor=actor,
        kind=CorrectedRecord.REFERRAL,
        record=referral,
        reference=case.reference,
        changes=changes,
        reason=reason,
    )


def _owner_check(agency_field: str, user_field: str, message: str) -> Callable[[Any], list[str]]:
    def check(record: Any) -> list[str]:
        person = getattr(record, user_field)
        if person is not None and person.agency_id != getattr(record, f"{agency_field}_id"):
            refuse(message)
        return []

    return check


@transaction.atomic
def correct_action(*, case: Case, action: Action, actor: User, changes: Mapping[str, Any], reason: str) -> Correction:
    """Correct an action's description, owner or due date. Refused for another case's action, or an owner
    of another agency. Audited as case.record_corrected."""
    case = _locked(case)
    action = Action.objects.select_for_update().get(pk=action.pk)
    if action.case_id != case.pk:
        refuse("This action is on another case.")
    check = _owner_check("owner_agency", "owner_user", "The action's owner must belong to the owning agency.")
    return _correct(
        case=case,
        actor=actor,
        kind=CorrectedRecord.ACTION,
        record=action,
        reference=action.reference,
        changes=changes,
        reason=reason,
        check=check,
    )


@transaction.atomic
def correct_review(*, case: Case, review: Review, actor: User, changes: Mapping[str, Any], reason: str) -> Correction:
    """Correct a review's date, or the outcome of a completed one. Refused for another case's review, an
    outcome of a review not yet done (complete it instead) or an empty outcome. Audited as
    case.record_corrected."""
    case = _locked(case)
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.case_id != case.pk:
        refuse("This review is on another case.")
    if "outcome" in changes and review.completed_on is None and changes["outcome"] != review.outcome:
        refuse("This review is not done yet: record its outcome by completing it.")

    def check(record: Review) -> list[str]:
        if record.completed_on is not None and not record.outcome.strip():
            refuse("A completed review keeps its outcome: correct it rather than leave it empty.")
        return []

    return _correct(
        case=case,
        actor=actor,
        kind=CorrectedRecord.REVIEW,
        record=review,
        reference=review.reference,
        changes=changes,
        reason=reason,
        check=check,
    )


@transaction.atomic
def correct_support_element(
    *, case: Case, element: SupportElement, actor: User, changes: Mapping[str, Any], reason: str
) -> Correction:
    """Correct how, when, the dates or the provider of a support element (its type of support stays: new
    support is a new element). Refused for another case's element, empty how or when (CTSA 2015 s.36(5)),
    reversed dates or a practitioner of another agency. Audited as case.record_corrected."""
    case = _locked(case)
    element = SupportElement.objects.select_for_update().select_related("plan").get(pk=element.pk)
    if element.plan.case_id != case.pk:
        refuse("This support is on another case.")
    same_agency = _owner_check("provider", "provider_user", "The named provider must belong to the providing agency.")

    def check(record: SupportElement) -> list[str]:
        if not record.how.strip() or not record.when.strip():
            refuse("A support element must say how and when the support is delivered (CTSA 2015 s.36(5)).")
        if record.ends_on is not None and record.ends_on < record.starts_on:
            refuse("The end date must be on or after the start date.")
        return same_agency(record)

    return _correct(
        case=case,
        actor=actor,
        kind=CorrectedRecord.SUPPORT_ELEMENT,
        record=element,
        reference=element.reference,
        changes=changes,
        reason=reason,
        check=check,
    )


@transaction.atomic
def notify_correction(*, correction: Correction, actor: User, recipients: Collection[str]) -> int:
    """Tell the chosen people and agencies the case was disclosed to (UK GDPR Art 19) that a correction was
    made: each is emailed words naming only the case number, and recorded as a disclosure. `recipients`
    are keys of sharing.disclosures.disclosed_to; any other is refused and nobody is told. Audited as
    case.correction_notified (the correction's reference and how many were told)."""
    case = _locked(correction.case)
    if actor.role not in roles_with(Capability.CORRECT) or actor.agency_id != case.owning_agency_id:
        refuse("Only the owning council's Prevent coordinators can tell others of a correction.")
    known = {recipient.key: recipient for recipient in disclosures.disclosed_to(case)}
    chosen = list(dict.fromkeys(recipients))
    if not chosen:
        refuse("Choose who to tell of the correction.")
    if any(key not in known for key in chosen):
        refuse("Choose only from the people and agencies the case was disclosed to.")
    what = f"A correction was made to case {case.number}; sign in to see it."
    for key in chosen:
        disclosures.record_disclosure(
            case=case,
            actor=actor,
            kind=DisclosureKind.CORRECTION_NOTICE,
            basis=DisclosureBasis.RECTIFICATION_NOTICE,
            what=what,
            agency=known[key].agency,
            user=known[key].user,
            email=True,
        )
    audit.record(
        event="case.correction_notified",
        actor=actor,
        obj=correction,
        case_reference=case.number,
        detail={"correction": str(correction.reference), "told": len(chosen)},
    )
    return len(chosen)


def corrections_of(case: Case, kind: CorrectedRecord, reference: Any) -> models.QuerySet[Correction]:
    """A record's corrections, oldest first, with who made them (for its history, shown to the owner)."""
    return Correction.objects.filter(
        case__owning_agency_id=case.owning_agency_id, record_kind=kind, record_reference=reference
    ).select_related("actor__agency")


def corrected_references(case: Case) -> set[Any]:
    """The references of this case's records that have been corrected (each has a history); the person's
    details may have been corrected from another case about them."""
    person = Q(record_kind=CorrectedRecord.SUBJECT, record_reference=case.subject.reference)
    found = Correction.objects.filter(Q(case=case) | person, case__owning_agency_id=case.owning_agency_id)
    return set(found.values_list("record_reference", flat=True))


RECORD_MODELS: dict[str, type[models.Model]] = {
    CorrectedRecord.SUBJECT: Subject,
    CorrectedRecord.REFERRAL: Referral,
    CorrectedRecord.ACTION: Action,
    CorrectedRecord.REVIEW: Review,
    CorrectedRecord.SUPPORT_ELEMENT: SupportElement,
}


def _in_words(field: Any, stored: Any) -> str:
    if stored is None or stored == "":
        return "Not given"
    if field.is_relation:
        found = field.related_model._default_manager.filter(pk=stored).select_related().first()
        if isinstance(found, User):
            return f"{found.get_full_name() or found.username} ({found.agency.name})"
        return str(getattr(found, "label", found)) if found is not None else "A record no longer kept"
    if field.choices:
        return str(dict(field.flatchoices).get(stored, stored))
    if isinstance(field, models.BooleanField):
        return "Yes" if stored else "No"
    if isinstance(field, models.DateField):
        return f"{date.fromisoformat(stored):%-d %B %Y}"
    return str(stored)


def earlier_in_words(correction: Correction) -> list[tuple[str, str]]:
    """Each field a correction changed, in words, with its value before the correction in words."""
    model = RECORD_MODELS[correction.record_kind]
    labels = CORRECTABLE_FIELDS[correction.record_kind]
    return [
        (labels[name], _in_words(model._meta.get_field(name), correction.earlier_values.get(name)))
        for name in correction.fields
    ]
