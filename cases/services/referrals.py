"""Referrals: matching a new referral to people referred before, case numbers, and logging the referral
as a new case at stage 'received'."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from audit import services as audit
from cases.models import Case, Referral, ReferralDraft, Stage, StageChange, Subject
from cases.services import areas, drafts
from cases.tasks import notify_immediate_risk
from partners.models import Agency, User

AREA_FIELDS = frozenset({"local_authority_area", "police_force_area", "area_source", "area_reason"})
POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")


def normalise_name(*names: str) -> str:
    return " ".join("".join(ch for ch in name.lower() if ch.isalpha()) for name in names if name).strip()


def normalise_postcode(postcode: str) -> str:
    return areas.normalise_postcode(postcode)


def matching_subjects(*, first_name: str, last_name: str, date_of_birth: date, postcode: str) -> list[Subject]:
    """Earlier subjects who may be the same person: same normalised name and date of birth, or same
    date of birth, surname and postcode (a changed first name). A date of birth and postcode alone are
    not enough: that would let anyone who logs referrals look people up. Who may see their cases is
    decided by sharing.access."""
    candidates = Subject.objects.filter(date_of_birth=date_of_birth)
    name = normalise_name(first_name, last_name)
    surname = normalise_name(last_name)
    code = normalise_postcode(postcode)
    return [
        s
        for s in candidates
        if s.match_name == name or (s.match_postcode == code and s.match_name.rsplit(" ", 1)[-1] == surname)
    ]


def _next_number(year: int) -> str:
    prefix = f"PP-{year}-"
    last = Case.objects.filter(number__startswith=prefix).aggregate(m=Max("number"))["m"]
    return f"{prefix}{(int(last.rsplit('-', 1)[1]) + 1) if last else 1:05d}"


@transaction.atomic
def create_referral(
    *,
    actor: User,
    owning_agency: Agency,
    subject_fields: Mapping[str, Any],
    referral_fields: Mapping[str, Any],
    existing_subject: Subject | None = None,
    update_subject: bool = False,
    draft: ReferralDraft | None = None,
    area_override: areas.AreaOverride | None = None,
) -> Case:
    """Log a referral as a new case at stage 'received'; the caller has checked
    Capability.CREATE_REFERRAL. Audited as case.referred; owners are emailed about an immediate risk.
    Raises ValidationError when a subject or referral field is invalid.

    A repeat referral links the new case to the earlier one (previous_case). The earlier subject's
    details are updated only when `update_subject` (the caller's sharing check says the actor may change
    every case of that subject); otherwise the new case gets its own subject record, so nobody can
    rewrite a person, or the police area that decides who sees them, on a case they cannot see.

    `draft` is the author's draft of this referral (sharing.drafts gave it): it is deleted in the same
    transaction, so a logged referral never leaves a draft behind and a refused one keeps it.

    The person's council and police force areas come from their postcode (cases.services.areas), never
    from the referrer: `subject_fields` may not name them. `area_override` chooses them instead, with a
    reason; without one, a postcode in no known area is refused."""
    if AREA_FIELDS & set(subject_fields):
        raise TypeError("The areas come from the postcode or an area_override, not from subject_fields")
    if existing_subject is not None and update_subject:
        subject = existing_subject
        for name, value in subject_fields.items():
            setattr(subject, name, value)
    else:
        subject = Subject(**subject_fields)
    areas.set_referral_areas(subject, override=area_override, on=timezone.localdate())
    subject.match_name = normalise_name(subject.first_name, subject.last_name)
    subject.match_postcode = normalise_postcode(subject.postcode)
    subject.full_clean()
    subject.save()
    previous = existing_subject.cases.order_by("-received_on", "-id").first() if existing_subject else None
    year = timezone.localdate().year
    # Numbers are per year and sequential; the unique constraint refuses a clash between two writers.
    case = Case.objects.create(
        number=_next_number(year), subject=subject, owning_agency=owning_agency, previous_case=previous
    )
    referral = Referral(case=case, **referral_fields)
    referral.full_clean()
    referral.save()
    StageChange.objects.create(
        case=case, from_stage="", to_stage=Stage.RECEIVED, actor=actor, reason="Referral received"
    )
    audit.record(
        event="case.referred",
        actor=actor,
        obj=case,
        action=audit.EntryKind.CREATE,
        case_reference=case.number,
        detail={"repeat_of": previous.number if previous else None, "immediate_risk": referral.immediate_risk},
    )
    if draft is not None:
        drafts.delete_logged_draft(author=actor, draft=draft, case_number=case.number)
    if referral.immediate_risk:
        notify_immediate_risk.delay_on_commit(case.pk)
    return case
