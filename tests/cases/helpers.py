"""Plain builder functions for cases. Synthetic names only.

`make_case` logs a referral with the real `create_referral` and walks the case to the wanted stage through
the real services (screening by a police practitioner, decisions by a panel chair, consent and a support
element before support starts, completed reviews before leaving a post-exit review stage). `set_stage` jumps
straight to a stage, for tests that only need the case to be somewhere (setup only).
"""

from __future__ import annotations

from datetime import date, time
from typing import Any

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from cases.models import (
    AgendaItem,
    AgendaKind,
    Attendance,
    CareService,
    Case,
    ClosingReport,
    Consent,
    ConsentStatus,
    Decision,
    DecisionOutcome,
    HowReached,
    MeetingStatus,
    NotAdoptedRoute,
    PanelMeeting,
    ReferenceValue,
    RelatedPerson,
    Relationship,
    Review,
    ReviewKind,
    Stage,
    Subject,
    SupportElement,
)
from cases.services import areas, casework, consent, decisions, referrals, related, reviews, stages
from partners.models import Agency, AgencyKind, Role, User
from tests.factories import make_agency, make_user

FIRST_NAME = "Test"
LAST_NAME = "Subject"
POSTCODE = "TS1 1AA"

# The usual way through the Channel process; stages off it are reached from the stage named in BRANCHES.
ROUTE: list[Stage] = list(stages.MAIN_ROUTE)
BRANCHES: dict[Stage, Stage] = {
    Stage.CLOSED_NFA: Stage.POLICE_SCREENING,
    Stage.SIGNPOSTED: Stage.POLICE_SCREENING,
    Stage.POLICE_LED: Stage.POLICE_SCREENING,
    Stage.NOT_ADOPTED: Stage.LISTED_FOR_PANEL,
    Stage.DEFERRED: Stage.LISTED_FOR_PANEL,
    Stage.CONSENT_REFUSED: Stage.CONSENT_SOUGHT,
    Stage.REASSESSMENT_SCHEDULED: Stage.CONSENT_SOUGHT,
}


def today() -> date:
    return timezone.localdate()


def ref(list_name: str, code: str) -> ReferenceValue:
    """A reference value seeded by cases/migrations/0002_seed_reference_lists.py."""
    return ReferenceValue.objects.get(list_name=list_name, code=code)


def born_for_age(age: int, *, on: date | None = None) -> date:
    """A date of birth that makes the person `age` on `on` (today by default), a month past the birthday."""
    return (on or today()) - relativedelta(years=age, months=1)


def subject_fields(
    *,
    first_name: str = FIRST_NAME,
    last_name: str = LAST_NAME,
    age: int = 25,
    date_of_birth: date | None = None,
    postcode: str = POSTCODE,
    local_authority_area: str = "Testshire",
    police_force_area: str = "Testshire",
    **extra: Any,
) -> dict[str, Any]:
    """Fields of a synthetic subject; `extra` sets any other Subject field (address, gender, other_names)."""
    return {
        "first_name": first_name,
        "last_name": last_name,
        "date_of_birth": date_of_birth or born_for_age(age),
        "gender": "not_specified",
        "address": "1 Test Street, Testtown",
        "postcode": postcode,
        "local_authority_area": local_authority_area,
        "police_force_area": police_force_area,
        **extra,
    }


def split_areas(fields: dict[str, Any]) -> tuple[dict[str, Any], areas.AreaOverride | None]:
    """Subject fields without the areas, and the areas as an override: a referral's areas come from the
    postcode (cases.services.areas), and tests that want other areas say so, as a coordinator would."""
    fields = dict(fields)
    council, force = fields.pop("local_authority_area", None), fields.pop("police_force_area", None)
    if council is None and force is None:
        return fields, None
    return fields, areas.AreaOverride(council or "", force or "", "Set by the test")


def referral_fields(*, immediate_risk: bool = False, **overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "source_sector": ref("source_sector", "education"),
        "concern_type": ref("concern_type", "islamist"),
        "referrer_name": "Test Referrer",
        "referrer_organisation": "Testshire Academy",
        "referrer_contact": "referrer@example.org",
        "concerns": "Synthetic concerns for a test.",
        "immediate_risk": immediate_risk,
    }
    fields.update(overrides)
    return fields


def police_for(force_area: str) -> User:
    """An active police practitioner for the force area, created if there is none."""
    found = User.objects.filter(
        role=Role.POLICE_PRACTITIONER, is_active=True, agency__police_force_area=force_area
    ).first()
    if found is not None:
        return found
    agency = Agency.objects.filter(kind=AgencyKind.POLICE, police_force_area=force_area).first() or make_agency(
        kind=AgencyKind.POLICE, name=f"{force_area} Police", police_force_area=force_area
    )
    return make_user(agency=agency, role=Role.POLICE_PRACTITIONER)


def chair_for(owner: User) -> User:
    """The owning agency's panel chair (the owner, if the agency has none: services trust their caller)."""
    return User.objects.filter(role=Role.PANEL_CHAIR, is_active=True, agency=owner.agency).first() or owner


def make_case(
    *,
    owner: User,
    stage: Stage = Stage.RECEIVED,
    age: int = 25,
    force_area: str = "Testshire",
    immediate_risk: bool = False,
    existing_subject: Subject | None = None,
    **subject_overrides: Any,
) -> Case:
    """A case owned by the owner's agency, walked to `stage` through the real services."""
    fields, override = split_areas(subject_fields(age=age, police_force_area=force_area, **subject_overrides))
    case = referrals.create_referral(
        actor=owner,
        owning_agency=owner.agency,
        subject_fields=fields,
        referral_fields=referral_fields(immediate_risk=immediate_risk),
        existing_subject=existing_subject,
        area_override=override,
    )
    return walk_to(case, stage, owner=owner)


def path_to(stage: Stage) -> list[Stage]:
    """The stages a new case passes through to reach `stage`, starting after 'received'."""
    if stage in BRANCHES:
        return [*path_to(BRANCHES[stage]), stage]
    return ROUTE[1 : ROUTE.index(stage) + 1]


def walk_to(case: Case, stage: Stage, *, owner: User) -> Case:
    for step in path_to(stage):
        case = advance(case, step, owner=owner)
    return case


def advance(case: Case, to: Stage, *, owner: User) -> Case:
    """One step along the stage machine through the service that makes it."""
    case.refresh_from_db()
    reason = f"Test move to {to.label}"
    chair = chair_for(owner)
    if case.stage == Stage.POLICE_SCREENING:
        return stages.move_case(case=case, actor=police_for(case.subject.police_force_area), to=to, reason=reason)
    if to in (Stage.ADOPTED, Stage.NOT_ADOPTED, Stage.DEFERRED, Stage.EXITED):
        decide(case, {v: k for k, (_, v) in decisions.DECISION_FROM.items()}[to], actor=chair)
    elif to == Stage.CONSENT_REFUSED:
        # Refused consent goes straight on to 're-assessment scheduled'; only a direct jump rests here.
        set_stage(case, to)
    elif to == Stage.REASSESSMENT_SCHEDULED:
        refuse_consent(case, actor=owner)
    elif to == Stage.SUPPORT_ACTIVE and case.stage == Stage.CONSENT_SOUGHT:
        give_consent(case, actor=owner)
        add_support(case, actor=owner)
        stages.move_case(case=case, actor=owner, to=to, reason=reason)
    elif case.stage in (Stage.POST_EXIT_REVIEW_6, Stage.POST_EXIT_REVIEW_12):
        complete_post_exit_review(case, actor=owner)
        if to == Stage.CLOSED:
            write_closing_report(case)
        stages.move_case(case=case, actor=owner, to=to, reason=reason)
    else:
        stages.move_case(case=case, actor=owner, to=to, reason=reason)
    case.refresh_from_db()
    return case


def set_stage(case: Case, stage: Stage) -> Case:
    """Jump straight to a stage, without a StageChange or an audit entry. For setup only."""
    Case.objects.filter(pk=case.pk).update(stage=stage)
    case.refresh_from_db()
    return case


def panel_item(case: Case, *, chair: User, police: User | None = None) -> AgendaItem:
    """The case on the agenda of a meeting of its council chaired by `chair`, started today at midnight
    (decisions are refused before a meeting starts), with the chair and a police practitioner for the
    subject's area recorded as present. Straight to the tables: setup only."""
    meeting = PanelMeeting.objects.create(
        owning_agency=case.owning_agency,
        held_on=today(),
        starts_at=time(0),
        place="Committee Room 1",
        chair=chair,
        created_by=chair,
    )
    police = police or police_for(case.subject.police_force_area)
    Attendance.objects.bulk_create(
        [Attendance(meeting=meeting, user=chair, present=True), Attendance(meeting=meeting, user=police, present=True)]
    )
    return AgendaItem.objects.create(meeting=meeting, case=case, kind=AgendaKind.LISTED)


# A complete s.36(6) record for a case not adopted: signposted, with a referral to adult social care.
NOT_ADOPTED_RECORD: dict[str, Any] = {
    "not_adopted_route": NotAdoptedRoute.SIGNPOSTED,
    "health_or_social_care_referral": True,
    "referral_service": CareService.ADULT_SOCIAL_CARE,
    "referral_service_name": "Testshire Adult Services (synthetic)",
}


def decide(case: Case, outcome: DecisionOutcome, *, actor: User, **overrides: Any) -> Decision:
    """A quorate panel's decision on the case, at a meeting made for it unless `agenda_item` is given."""
    fields: dict[str, Any] = {
        "how_reached": HowReached.UNANIMOUS,
        "rationale": "Synthetic rationale for a test.",
    }
    if outcome == DecisionOutcome.NOT_ADOPT:
        fields |= NOT_ADOPTED_RECORD
    if outcome == DecisionOutcome.EXIT:
        fields["exit_reason"] = ref("exit_reason", "vulnerability_reduced")
    fields.update(overrides)
    if "agenda_item" in fields:
        return decisions.record_decision(case=case, actor=actor, outcome=outcome, **fields)
    item = panel_item(case, chair=actor)
    decision = decisions.record_decision(case=case, actor=actor, outcome=outcome, agenda_item=item, **fields)
    # A meeting made for one decision is over: its minutes are approved, so it is nobody's next meeting.
    PanelMeeting.objects.filter(pk=item.meeting_id).update(status=MeetingStatus.APPROVED)
    return decision


def parent_with_pr(case: Case, *, actor: User | None = None, name: str = "Parent Testcase") -> RelatedPerson:
    """A parent with parental responsibility, recorded on the case (the first one, if one exists)."""
    found = case.related_people.with_parental_responsibility().first()
    if found is not None:
        return found
    return related.add_related_person(
        case=case,
        actor=actor or owning_coordinator(case),
        name=name,
        relationship=Relationship.PARENT,
        parental_responsibility=True,
    )


def owning_coordinator(case: Case, actor: User | None = None) -> User:
    """Someone of the owning council who may ask for consent: the actor if they are one, else a coordinator,
    made if there is none."""
    if actor is not None and consent.may_ask_for_consent(case).filter(pk=actor.pk).exists():
        return actor
    found = consent.may_ask_for_consent(case).filter(role=Role.PREVENT_COORDINATOR).first()
    return found or make_user(role=Role.PREVENT_COORDINATOR, agency=case.owning_agency)


def give_consent(case: Case, *, actor: User, on: date | None = None, by: RelatedPerson | None = None) -> Consent:
    """Consent given as the law has it: the person's own from 18, a parent's with parental responsibility
    below (one is recorded on the case if needed), with the child's view."""
    on = on or today()
    child = case.subject.age_on(on) < 18
    if child and by is None:
        by = parent_with_pr(case, actor=owning_coordinator(case, actor))
    return consent.record_consent(
        case=case,
        actor=actor,
        status=ConsentStatus.GIVEN,
        consenting=by,
        child_view="Happy to try the mentoring (synthetic)." if child else "",
        method="Home visit with the coordinator",
        requested_by=owning_coordinator(case, actor),
        requested_on=on,
        on=on,
    )


def refuse_consent(case: Case, *, actor: User, reassessment_on: date | None = None) -> Consent:
    child = case.subject.age_on(today()) < 18
    return consent.record_consent(
        case=case,
        actor=actor,
        status=ConsentStatus.REFUSED,
        consenting=None,
        child_view="Does not want support (synthetic)." if child else "",
        method="Home visit with the coordinator",
        requested_by=owning_coordinator(case, actor),
        requested_on=today(),
        on=today(),
        reassessment_on=reassessment_on or today() + relativedelta(months=3),
    )


def add_support(case: Case, *, actor: User, provider: Agency | None = None) -> SupportElement:
    return casework.add_support_element(
        case=case,
        actor=actor,
        support_type=ref("support_type", "ideological_mentoring"),
        provider=provider or actor.agency,
        how="Weekly mentoring sessions",
        when="Weekly on Tuesdays",
        starts_on=today(),
    )


def complete_post_exit_review(case: Case, *, actor: User) -> Review:
    """Complete the stage's post-exit review; its due date is brought to today first (setup only), as
    it can be completed only once the panel's review window has opened."""
    kind = ReviewKind.POST_EXIT_6 if case.stage == Stage.POST_EXIT_REVIEW_6 else ReviewKind.POST_EXIT_12
    Review.objects.filter(case=case, kind=kind).update(due_on=today())
    review = Review.objects.get(case=case, kind=kind)
    return casework.complete_review(review=review, actor=actor, outcome="No further concerns.")


def write_closing_report(case: Case, *, actor: User | None = None) -> ClosingReport:
    return reviews.write_closing_report(
        case=case,
        actor=actor or owning_coordinator(case),
        summary="Twelve weeks of mentoring (synthetic).",
        outcomes="Susceptibility reduced; no new concerns at the post-exit reviews.",
        onward_referrals="None.",
    )
