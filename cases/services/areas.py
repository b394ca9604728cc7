"""A person's council area and police force area, from where they live: the postcode's district, looked
up in the reference table (cases.models.PostcodeArea) on a date. A coordinator may override the areas,
always with a reason. Changing them after the referral (a new address, or an override) re-decides who can
see the case at once, because the gate reads the subject's areas on every request; the change is kept in
the case's history (AreaChange) with those who lost access, and the police of the new area are told."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from audit import services as audit
from cases.models import AreaChange, AreaSource, Case, PostcodeArea, Subject
from cases.services.stages import refuse
from cases.tasks import notify_area_change
from partners.models import Agency, AgencyKind, User
from sharing.reach import reach_after


@dataclass(frozen=True)
class Areas:
    local_authority_area: str
    police_force_area: str


@dataclass(frozen=True)
class AreaOverride:
    """Areas chosen by a coordinator instead of the postcode's, and why."""

    local_authority_area: str
    police_force_area: str
    reason: str


def normalise_postcode(postcode: str) -> str:
    return "".join(postcode.upper().split())


def district_of(postcode: str) -> str:
    """The outward code ("ZN1" of "ZN1 2AB"): a full postcode's inward code is always three characters."""
    compact = normalise_postcode(postcode)
    return compact[:-3] if len(compact) >= 5 else ""


def areas_for_postcode(postcode: str, *, on: date) -> Areas | None:
    """The areas the postcode's district lies in on that date, or None when no row is in force for it."""
    district = district_of(postcode)
    if not district:
        return None
    row = PostcodeArea.objects.in_force(on).filter(district=district).order_by("-effective_from").first()
    return Areas(row.local_authority_area, row.police_force_area) if row is not None else None


def known_council_areas(*, on: date | None = None) -> list[str]:
    """The council areas an override may choose: those of the reference table in force and of the councils."""
    table = PostcodeArea.objects.in_force(on).values_list("local_authority_area", flat=True)
    councils = Agency.objects.filter(kind=AgencyKind.LOCAL_AUTHORITY, is_active=True).values_list(
        "local_authority_area", flat=True
    )
    return sorted({*table, *councils} - {""})


def known_force_areas(*, on: date | None = None) -> list[str]:
    """The police force areas an override may choose: those of the reference table in force and of the forces."""
    table = PostcodeArea.objects.in_force(on).values_list("police_force_area", flat=True)
    forces = Agency.objects.filter(kind=AgencyKind.POLICE, is_active=True).values_list("police_force_area", flat=True)
    return sorted({*table, *forces} - {""})


def unknown_postcode_message(postcode: str, *, then: str = "choose the areas below and say why") -> str:
    return f"The postcode {postcode} is not in any council or police force area we know: check it, or {then}"


def set_referral_areas(subject: Subject, *, override: AreaOverride | None, on: date) -> None:
    """Give a subject being referred its areas (for cases.services.referrals): from the postcode, or
    from the override when one is given. Refuses an unknown postcode without an override, and an
    override without its areas or a reason."""
    if override is not None:
        _check_override(override)
        subject.local_authority_area = override.local_authority_area
        subject.police_force_area = override.police_force_area
        subject.area_source, subject.area_reason = AreaSource.OVERRIDE, override.reason.strip()
        return
    areas = areas_for_postcode(subject.postcode, on=on)
    if areas is None:
        refuse(unknown_postcode_message(subject.postcode))
    subject.local_authority_area, subject.police_force_area = areas.local_authority_area, areas.police_force_area
    subject.area_source, subject.area_reason = AreaSource.POSTCODE, ""


def _check_override(override: AreaOverride) -> None:
    if not override.local_authority_area.strip() or not override.police_force_area.strip():
        refuse("An override names both the council area and the police force area")
    if not override.reason.strip():
        refuse("Say why you are choosing the areas instead of the postcode's")


@transaction.atomic
def change_address(*, case: Case, actor: User, address: str, postcode: str, reason: str) -> AreaChange:
    """The person has moved, or their address was wrong: the areas are derived again from the new
    postcode. The caller has checked Capability.CHANGE_AREA (the owning council's coordinators)."""
    areas = areas_for_postcode(postcode, on=timezone.localdate())
    if areas is None:
        refuse(unknown_postcode_message(postcode, then="use Override the area instead, with a reason"))
    return _change(
        case=case,
        actor=actor,
        address=address,
        postcode=postcode,
        areas=areas,
        source=AreaSource.POSTCODE,
        reason=reason,
    )


@transaction.atomic
def override_area(
    *, case: Case, actor: User, local_authority_area: str, police_force_area: str, reason: str
) -> AreaChange:
    """Choose the areas instead of the postcode's (a person of no fixed abode, a boundary case), with a
    reason. The caller has checked Capability.CHANGE_AREA. Only known areas may be chosen."""
    _check_override(AreaOverride(local_authority_area, police_force_area, reason))
    if local_authority_area not in known_council_areas() or police_force_area not in known_force_areas():
        refuse("Choose a council area and a police force area from the lists")
    subject = case.subject
    return _change(
        case=case,
        actor=actor,
        address=subject.address,
        postcode=subject.postcode,
        areas=Areas(local_authority_area, police_force_area),
        source=AreaSource.OVERRIDE,
        reason=reason,
    )


def subject_shared_with_another_council(case: Case) -> str:
    """Why the person's details (names, date of birth, address, areas) cannot be changed from this case, or
    "" when they can: another council's case about the same person makes the record theirs too. Pages say
    so instead of offering the form; the services refuse alike."""
    if Case.objects.filter(subject_id=case.subject_id).exclude(owning_agency_id=case.owning_agency_id).exists():
        return "Another council also has a case about this person: agree the change with them first."
    return ""


def _change(
    *, case: Case, actor: User, address: str, postcode: str, areas: Areas, source: AreaSource, reason: str
) -> AreaChange:
    if not reason.strip():
        refuse("Give a reason for the change: it is kept in the case's history")
    subject = Subject.objects.select_for_update().get(pk=case.subject_id)
    case.subject = subject
    problem = subject_shared_with_another_council(case)
    if problem:
        refuse(problem)
    old = {
        "address": subject.address,
        "postcode": subject.postcode,
        "local_authority_area": subject.local_authority_area,
        "police_force_area": subject.police_force_area,
    }
    new = {
        "address": address.strip(),
        "postcode": postcode,
        "local_authority_area": areas.local_authority_area,
        "police_force_area": areas.police_force_area,
    }
    changed = [name for name in old if old[name] != new[name]]
    if not changed and subject.area_source == source:
        refuse("Nothing has changed: the address, postcode and areas are as they were")
    reach = reach_after(
        case, local_authority_area=areas.local_authority_area, police_force_area=areas.police_force_area
    )
    for name, value in new.items():
        setattr(subject, name, value)
    subject.match_postcode = normalise_postcode(postcode)
    subject.area_source, subject.area_reason = source, reason.strip() if source == AreaSource.OVERRIDE else ""
    subject.full_clean()
    subject.save()
    record = AreaChange.objects.create(
        case=case,
        subject=subject,
        old_address=old["address"],
        old_postcode=old["postcode"],
        new_address=new["address"],
        new_postcode=new["postcode"],
        old_local_authority_area=old["local_authority_area"],
        old_police_force_area=old["police_force_area"],
        new_local_authority_area=areas.local_authority_area,
        new_police_force_area=areas.police_force_area,
        source=source,
        reason=reason.strip(),
        lost_access=reach.lose,
        actor=actor,
    )
    Case.objects.filter(pk=case.pk).update(last_activity_at=timezone.now())
    # Field names and whether the areas changed: never the address or postcode, nor the reason.
    audit.record(
        event="case.area_changed",
        actor=actor,
        obj=case,
        action=audit.EntryKind.UPDATE,
        case_reference=case.number,
        detail={
            "fields": changed,
            "areas_changed": record.areas_changed,
            "source": source.value,
            "lost_access": len(reach.lose),
            "gained_access": len(reach.gain),
        },
    )
    if old["police_force_area"] != areas.police_force_area:
        notify_area_change.delay_on_commit(record.pk)
    return record
