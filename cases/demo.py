"""Synthetic demo cases for Northgate City Council (and two for Southmere), in every stage.

Every case is walked through the real services by the persona who would make each move in life: the
coordinator logs and progresses referrals, the police practitioner makes the screening decision, the
chair records panel decisions, the provider writes about the support. Services stamp "now", so once a
case has been walked its chronology is spread back over the months since it was received (the audit
log keeps the true time of seeding). Every name, address and date of birth here is synthetic.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import models
from django.utils import timezone

from cases.models import (
    SUPPORT_STAGES,
    Action,
    ActionStatus,
    AgendaItem,
    AgendaKind,
    Assessment,
    Attendance,
    CareService,
    Case,
    CaseNote,
    ClosingReport,
    Consent,
    ConsentStatus,
    Decision,
    DecisionOutcome,
    Ethnicity,
    Gender,
    HowReached,
    Invitation,
    MeetingStatus,
    NotAdoptedRoute,
    NoteVisibility,
    PanelMeeting,
    ReferenceList,
    ReferenceValue,
    RelatedPerson,
    Relationship,
    Religion,
    Review,
    ReviewKind,
    Stage,
    StageChange,
    Subject,
    SupportElement,
    SupportPlan,
    YesNoNotKnown,
)
from cases.services import (
    casework,
    corrections,
    decisions,
    escalations,
    meetings,
    postcode_directory,
    referrals,
    related,
    reviews,
    special,
    stages,
    support,
)
from cases.services import consent as consent_service
from cases.vaf import Rating
from partners.models import Agency, User

LEAD_COUNCIL = "ncc"
OTHER_COUNCIL = "smb"
PROVIDER = "bwm"

# One row per synthetic case: Testcase number, first name, where the walk ends, days since the referral
# was received, age today, gender, type of concern, referral source sector, and how the case got there.
F, M, X, N = Gender.FEMALE, Gender.MALE, Gender.OTHER, Gender.NOT_SPECIFIED


@dataclass(frozen=True)
class DemoCase:
    number: int
    first_name: str
    stage: Stage
    days_ago: int
    age: int
    gender: Gender
    concern: str
    sector: str
    # "deferred_once": deferred by a panel, then listed again; "refused": consent refused at the start;
    # "withdrawn": consent withdrawn during support; "continued": reviewed, and the panel continued support.
    route: str = ""
    immediate_risk: bool = False
    council: str = LEAD_COUNCIL
    repeat_of: int | None = None  # the Testcase number of an earlier case for the same person
    second_assessment: bool = False


DEMO_CASES = [
    DemoCase(1, "Alder", Stage.CLOSED, 362, 24, M, "extreme_right_wing", "police"),
    DemoCase(2, "Birch", Stage.POST_EXIT_REVIEW_12, 345, 16, F, "islamist", "education", second_assessment=True),
    DemoCase(3, "Cedar", Stage.POST_EXIT_REVIEW_6, 320, 31, M, "extreme_violence", "health"),
    DemoCase(4, "Damson", Stage.CLOSED_NFA, 305, 19, F, "no_ideology", "family_friend"),
    DemoCase(5, "Elm", Stage.EXITED, 280, 14, M, "conflicted", "education"),
    DemoCase(6, "Fern", Stage.UNDER_REVIEW, 250, 22, F, "left_wing", "higher_education", second_assessment=True),
    DemoCase(7, "Gorse", Stage.NOT_ADOPTED, 235, 41, M, "other", "community"),
    DemoCase(8, "Hazel", Stage.REASSESSMENT_SCHEDULED, 215, 27, F, "islamist", "prisons_probation", "withdrawn"),
    DemoCase(9, "Juniper", Stage.SIGNPOSTED, 200, 15, N, "no_ideology", "education"),
    DemoCase(10, "Larch", Stage.SUPPORT_ACTIVE, 185, 20, M, "extreme_right_wing", "local_authority"),
    DemoCase(11, "Maple", Stage.NOT_ADOPTED, 172, 13, F, "extreme_violence", "education"),
    DemoCase(12, "Nettle", Stage.SUPPORT_ACTIVE, 160, 34, M, "conflicted", "health", "continued"),
    DemoCase(13, "Oak", Stage.POLICE_LED, 150, 29, M, "islamist", "police"),
    DemoCase(14, "Poplar", Stage.REASSESSMENT_SCHEDULED, 140, 17, F, "extreme_right_wing", "family_friend", "refused"),
    DemoCase(15, "Quince", Stage.SUPPORT_ACTIVE, 130, 15, M, "extreme_violence", "education", second_assessment=True),
    DemoCase(16, "Rowan", Stage.CLOSED_NFA, 118, 45, F, "left_wing", "community"),
    DemoCase(17, "Sorrel", Stage.CONSENT_SOUGHT, 100, 16, X, "no_ideology", "local_authority"),
    DemoCase(18, "Teasel", Stage.LISTED_FOR_PANEL, 95, 23, M, "islamist", "higher_education", "deferred_once"),
    DemoCase(19, "Willow", Stage.ADOPTED, 88, 38, F, "extreme_right_wing", "health"),
    DemoCase(20, "Yarrow", Stage.DEFERRED, 80, 14, M, "conflicted", "education"),
    DemoCase(21, "Aspen", Stage.LISTED_FOR_PANEL, 70, 26, N, "extreme_violence", "police", second_assessment=True),
    DemoCase(22, "Bramble", Stage.SIGNPOSTED, 60, 17, M, "other", "family_friend"),
    DemoCase(23, "Clover", Stage.PRELIMINARY_ASSESSMENT, 50, 21, F, "left_wing", "prisons_probation"),
    DemoCase(24, "Dogwood", Stage.INFORMATION_GATHERING, 45, 15, M, "extreme_right_wing", "education"),
    DemoCase(25, "Foxglove", Stage.PRELIMINARY_ASSESSMENT, 38, 33, F, "islamist", "community"),
    DemoCase(26, "Heather", Stage.INFORMATION_GATHERING, 30, 28, F, "no_ideology", "health"),
    # Damson (case 4, closed by police ten months ago) is referred again.
    DemoCase(27, "Damson", Stage.INFORMATION_GATHERING, 26, 19, F, "extreme_violence", "education", repeat_of=4),
    DemoCase(28, "Laurel", Stage.REFERRED_TO_CHANNEL, 20, 16, M, "extreme_violence", "education"),
    DemoCase(
        29, "Myrtle", Stage.POLICE_SCREENING, 14, 35, F, "extreme_right_wing", "local_authority", immediate_risk=True
    ),
    DemoCase(30, "Sage", Stage.POLICE_SCREENING, 9, 18, M, "conflicted", "community"),
    # Alder (case 1, closed after support and both post-exit reviews) is referred again.
    DemoCase(31, "Alder", Stage.RECEIVED, 5, 24, M, "extreme_right_wing", "police", repeat_of=1),
    DemoCase(32, "Thistle", Stage.RECEIVED, 2, 15, F, "islamist", "education", immediate_risk=True),
    DemoCase(33, "Hawthorn", Stage.POLICE_SCREENING, 40, 30, M, "left_wing", "health", council=OTHER_COUNCIL),
    DemoCase(34, "Ivybridge", Stage.RECEIVED, 7, 16, F, "no_ideology", "education", council=OTHER_COUNCIL),
]

# Postcode areas that do not exist (ZN, ZS): cases/fixtures/postcode_extract.csv maps their districts to
# the demo's areas, so each person's areas come from their postcode, as in real use.
AREAS = {LEAD_COUNCIL: ("Northgate", "ZN"), OTHER_COUNCIL: ("Southmere", "ZS")}

# The main line of the stage machine; other stages branch off it.
MAIN_LINE = list(stages.MAIN_ROUTE[1:])
REFUSE, WITHDRAW = "refuse consent", "withdraw consent"
PANEL_ROOM = "Committee Room 2, Northgate Civic Centre (or Teams link in the invitation)"
DISCUSSION = "Partners shared updates from their records; the panel reviewed the latest assessment (synthetic)."


def _up_to(stage: Stage) -> list[Stage | str]:
    return list(MAIN_LINE[: MAIN_LINE.index(stage) + 1])


def walk(spec: DemoCase) -> list[Stage | str]:
    """The steps that take a new referral to the spec's stage, by its route."""
    if spec.stage == Stage.RECEIVED:
        return []
    if spec.stage in (Stage.CLOSED_NFA, Stage.SIGNPOSTED, Stage.POLICE_LED):
        return [Stage.POLICE_SCREENING, spec.stage]
    if spec.stage in (Stage.NOT_ADOPTED, Stage.DEFERRED):
        return [*_up_to(Stage.LISTED_FOR_PANEL), spec.stage]
    if spec.route == "refused":
        return [*_up_to(Stage.CONSENT_SOUGHT), REFUSE]
    if spec.route == "withdrawn":
        return [*_up_to(Stage.SUPPORT_ACTIVE), WITHDRAW]
    if spec.route == "continued":
        return [*_up_to(Stage.SUPPORT_ACTIVE), Stage.UNDER_REVIEW, Stage.SUPPORT_ACTIVE]
    steps = _up_to(spec.stage)
    if spec.route == "deferred_once":
        at = steps.index(Stage.LISTED_FOR_PANEL) + 1
        steps[at:at] = [Stage.DEFERRED, Stage.LISTED_FOR_PANEL]
    return steps


# What to update once a case has been walked: (model, pk, {field: days after the moment, or None}).
Update = tuple[type[models.Model], int, dict[str, int | None]]

CONCERNS_TEXT = (
    "Staff noticed a marked change in behaviour over recent weeks, with repeated references to material "
    "that glorifies violence. Synthetic demo text: no real person is described."
)
FACTOR_SETS = [
    {"grievance": Rating.MEDIUM, "identity": Rating.HIGH, "them_and_us": Rating.LOW, "knowledge": Rating.NOT_PRESENT},
    {"threat": Rating.MEDIUM, "indoctrination": Rating.MEDIUM, "dehumanisation": Rating.LOW, "access": Rating.LOW},
    {"excitement": Rating.HIGH, "transition": Rating.MEDIUM, "harmful_means": Rating.LOW, "criminal": Rating.LOW},
]


FIXTURES = Path(__file__).resolve().parent / "fixtures"
# Before the earliest demo referral, so every demo postcode maps on the day its case was received.
POSTCODES_FROM = date(2015, 4, 1)


def seed_postcode_areas() -> None:
    """The synthetic ONS Postcode Directory extract (districts ZN1-ZN9 in Northgate, ZS1-ZS9 in
    Southmere), loaded as `manage.py load_postcode_areas` would; idempotent."""
    postcode_directory.load_postcode_areas(
        extract=FIXTURES / "postcode_extract.csv",
        names=postcode_directory.read_names([FIXTURES / "postcode_area_names.csv"]),
        effective_from=POSTCODES_FROM,
    )


def seed_cases(*, people: list[User]) -> None:
    """Add the demo cases, unless the lead council already has cases (then do nothing). Their panel
    decisions are gathered into past monthly meetings with approved minutes."""
    if Case.objects.filter(owning_agency__code=LEAD_COUNCIL).exists():
        return
    seeder = _Seeder(people)
    # Oldest first, so case numbers rise with the date received.
    for spec in sorted(DEMO_CASES, key=lambda s: -s.days_ago):
        seeder.seed(spec)
    seeder.hold_meetings()
    # One correction, so the chronology, a history of corrections and the Art 19 page have one to show.
    first = Case.objects.filter(owning_agency__code=LEAD_COUNCIL).order_by("number").first()
    if first is not None:
        corrections.correct_referral(
            case=first,
            actor=seeder.coordinator,
            changes={"referrer_contact": f"referrer-{first.number[-2:]}@example.net"},
            reason="The referrer's email address was typed wrongly (synthetic).",
        )
    seed_sensitive(people=people)


# Sensitive details of a few cases the health trust is given in full, with them (sharing.demo), and of one
# it is not; and one escalation to the police, not yet acknowledged (Testcase numbers).
SENSITIVE = {
    10: (Ethnicity.WHITE, Religion.NONE, YesNoNotKnown.YES, YesNoNotKnown.YES, "Autism diagnosis (synthetic)."),
    12: (Ethnicity.ASIAN, Religion.MUSLIM, YesNoNotKnown.NO, YesNoNotKnown.NOT_KNOWN, ""),
    17: (Ethnicity.MIXED, Religion.NOT_KNOWN, YesNoNotKnown.YES, YesNoNotKnown.NO, "Anxiety; GP aware (synthetic)."),
    24: (Ethnicity.PREFER_NOT_TO_SAY, Religion.CHRISTIAN, YesNoNotKnown.NOT_KNOWN, YesNoNotKnown.YES, ""),
}
ESCALATED = 15
ESCALATION_REASON = "The mentor reports new threats made online this week (synthetic demo text)."


def seed_sensitive(*, people: list[User]) -> None:
    coordinator = next(user for user in people if user.username == "coordinator")
    for number, (ethnicity, religion, mental_health, neurodiversity, note) in SENSITIVE.items():
        case = Case.objects.get(subject__last_name=f"Testcase-{number:02d}", owning_agency=coordinator.agency)
        values: dict[str, str] = {"ethnicity": ethnicity, "religion": religion, "health_note": note}
        values |= {"mental_health_concern": mental_health, "neurodiversity": neurodiversity}
        special.record_special_category(case=case, actor=coordinator, values=values)
    case = Case.objects.get(subject__last_name=f"Testcase-{ESCALATED:02d}", owning_agency=coordinator.agency)
    escalations.escalate_to_police(case=case, actor=coordinator, reason=ESCALATION_REASON)


def seed_next_meeting(*, people: list[User]) -> None:
    """The next panel, in two weeks: its agenda built from the cases waiting for a panel, the police
    and health as core members, education and children's services invited for one case each, and the
    agenda circulated (so those two get meeting-scoped grants). Idempotent."""
    if PanelMeeting.objects.upcoming().exists():
        return
    by_name = {user.username: user for user in people}
    coordinator, chair = by_name["coordinator"], by_name["chair"]
    held_on = timezone.localdate() + timedelta(days=14)
    held_on += timedelta(days=(1 - held_on.weekday()) % 7)  # a Tuesday
    meeting = meetings.create_meeting(
        actor=coordinator, held_on=held_on, starts_at=time(10), place=PANEL_ROOM, chair=chair
    )
    # Deferred cases and re-assessments would be listed for panel again; the demo keeps one in each stage.
    waiting = Case.objects.filter(owning_agency=coordinator.agency).for_panel().exclude(stage__in=meetings.RELIST)
    items = meetings.add_to_agenda(meeting=meeting, actor=coordinator, cases=waiting.order_by("received_on"))
    agencies = {agency.code: agency for agency in Agency.objects.all()}
    for code in ("ngp", "nht"):
        meetings.invite(meeting=meeting, actor=coordinator, agency=agencies[code])
    listed = [item for item in items if item.kind == AgendaKind.LISTED]
    for code, item in zip(("nat", "ncs"), listed, strict=False):
        meetings.invite(meeting=meeting, actor=coordinator, agency=agencies[code], items=[item])
    meetings.circulate_agenda(meeting=meeting, actor=coordinator)


class _Seeder:
    def __init__(self, people: list[User]) -> None:
        by_name = {user.username: user for user in people}
        self.coordinator = by_name["coordinator"]
        self.chair = by_name["chair"]
        self.police = by_name["police"]
        self.provider = by_name["provider"]
        self.partners = [by_name["health"], by_name["education"], by_name["social-care"]]
        self.coordinators = {LEAD_COUNCIL: self.coordinator, OTHER_COUNCIL: by_name["southmere-coordinator"]}
        self.agencies = {agency.code: agency for agency in Agency.objects.all()}
        self.today = timezone.localdate()
        self.subjects: dict[int, Subject] = {}
        self.moments: list[list[Update]] = []
        self.seen: set[int] = set()
        self.staging: list[PanelMeeting] = []

    # --- meetings --------------------------------------------------------------------------------

    def _staging_item(self, case: Case) -> AgendaItem:
        """Walked decisions are taken at a staging meeting with the chair and police present (one per
        decision a case has had, as a case is on an agenda once); hold_meetings later moves each to the
        monthly meeting of the date it was retimed to."""
        index = case.decisions.count()
        while len(self.staging) <= index:
            # Started at midnight: decisions are refused before a meeting starts, and seeding may run early.
            meeting = PanelMeeting.objects.create(
                owning_agency=self.agencies[LEAD_COUNCIL],
                held_on=self.today,
                starts_at=time(0),
                place=PANEL_ROOM,
                chair=self.chair,
                created_by=self.coordinator,
            )
            Attendance.objects.bulk_create(
                [Attendance(meeting=meeting, user=user, present=True) for user in (self.chair, self.police)]
            )
            self.staging.append(meeting)
        return AgendaItem.objects.create(meeting=self.staging[index], case=case, kind=meetings.agenda_kind(case))

    def hold_meetings(self) -> None:
        """Gather the walked decisions into monthly panel meetings on the dates they were retimed to, with
        attendance and approved minutes, as if each had been run in meeting mode."""
        items = (
            AgendaItem.objects.filter(meeting__in=self.staging)
            .select_related("decision")
            .order_by("decision__at", "id")
        )
        groups: dict[tuple[date, int], list[AgendaItem]] = {}
        for item in items:
            month, n = timezone.localdate(item.decision.at).replace(day=1), 0
            # A case is on an agenda once: a second decision in a month goes to that month's next sitting.
            while any(other.case_id == item.case_id for other in groups.get((month, n), [])):
                n += 1
            groups.setdefault((month, n), []).append(item)
        attendees = [self.chair, self.coordinator, self.police, *self.partners]
        for _, listed in sorted(groups.items(), key=lambda kv: kv[0]):
            held_on = min(timezone.localdate(item.decision.at) for item in listed)
            starts = timezone.make_aware(datetime.combine(held_on, time(10)))
            meeting = PanelMeeting.objects.create(
                owning_agency=self.agencies[LEAD_COUNCIL],
                held_on=held_on,
                starts_at=time(10),
                place=PANEL_ROOM,
                chair=self.chair,
                created_by=self.coordinator,
                status=MeetingStatus.APPROVED,
                circulated_at=starts - timedelta(days=7),
                approved_at=starts + timedelta(days=2),
                approved_by=self.chair,
                created_at=starts - timedelta(days=21),
            )
            for code in ("ngp", "nht", "nat", "ncs"):
                Invitation.objects.create(meeting=meeting, agency=self.agencies[code], invited_by=self.coordinator)
            Attendance.objects.bulk_create(
                [Attendance(meeting=meeting, user=user, present=True, recorded_at=starts) for user in attendees]
            )
            for position, item in enumerate(listed, 1):
                AgendaItem.objects.filter(pk=item.pk).update(meeting=meeting, position=position, discussion=DISCUSSION)
        for meeting in self.staging:
            meeting.attendance.all().delete()
            meeting.delete()

    # --- helpers ---------------------------------------------------------------------------------

    @staticmethod
    def _value(list_name: ReferenceList, code: str) -> ReferenceValue:
        return ReferenceValue.objects.get(list_name=list_name, code=code)

    def _moment(self, case: Case, *updates: Update) -> None:
        """One point in the chronology: what a service call just wrote, with the stage changes it made."""
        changes: list[Update] = [
            (StageChange, pk, {"at": None})
            for pk in case.stage_changes.exclude(pk__in=self.seen).order_by("id").values_list("pk", flat=True)
        ]
        self.seen.update(pk for _, pk, _ in changes)
        self.moments.append([*updates, *changes])

    def _note(self, case: Case, actor: User, text: str, visibility: NoteVisibility, *shared: str) -> None:
        note = casework.add_note(
            case=case,
            actor=actor,
            text=text,
            visibility=visibility,
            shared_with=[self.agencies[code] for code in shared],
        )
        self._moment(case, (CaseNote, note.pk, {"created_at": None}))

    def _action(self, case: Case, description: str, owner: str, user: User | None, due_in: int) -> None:
        action = casework.add_action(
            case=case,
            actor=self.coordinator,
            description=description,
            owner_agency=self.agencies[owner],
            owner_user=user,
            due_on=self.today + timedelta(days=due_in),
        )
        self._moment(case, (Action, action.pk, {"created_at": None, "due_on": due_in}))

    def _finish_actions(self, case: Case) -> None:
        for action in case.actions.filter(status=ActionStatus.OPEN):
            casework.complete_action(action=action, actor=self.coordinator)
            self._moment(case, (Action, action.pk, {"completed_on": 0}))

    def _complete_review(self, case: Case, kind: ReviewKind, outcome: str) -> None:
        # Exit sets the post-exit reviews 6 and 12 months ahead, more than a demo year allows: they are
        # shown as done on the day they fell due.
        on_the_day = kind in (ReviewKind.POST_EXIT_6, ReviewKind.POST_EXIT_12)
        for review in case.reviews.filter(kind=kind, completed_on__isnull=True):
            if on_the_day:  # inside the panel's review window, as it would be on the day
                Review.objects.filter(pk=review.pk).update(due_on=self.today)
                review.refresh_from_db()
            casework.complete_review(review=review, actor=self.coordinator, outcome=outcome)
            fields: dict[str, int | None] = {"completed_on": 0, "due_on": 0} if on_the_day else {"completed_on": 0}
            self._moment(case, (Review, review.pk, fields))

    def _move(self, case: Case, actor: User, to: Stage | str, reason: str) -> Case:
        case = stages.move_case(case=case, actor=actor, to=Stage(to), reason=reason)
        self._moment(case)
        return case

    def _decide(
        self,
        case: Case,
        outcome: DecisionOutcome,
        rationale: str,
        *,
        exit_reason: ReferenceValue | None = None,
        **not_adopted: Any,
    ) -> Case:
        how = [HowReached.UNANIMOUS, HowReached.MAJORITY, HowReached.CHAIR][case.pk % 3]
        majority = how == HowReached.MAJORITY
        decision = decisions.record_decision(
            case=case,
            actor=self.chair,
            agenda_item=self._staging_item(case),
            outcome=outcome,
            how_reached=how,
            rationale=rationale,
            votes_for=5 if majority else None,
            votes_against=2 if majority else None,
            exit_reason=exit_reason,
            **not_adopted,
        )
        updates: list[Update] = [(Decision, decision.pk, {"at": None})]
        if decision.referral_action_id is not None:
            updates.append((Action, decision.referral_action_id, {"created_at": None, "due_on": 14}))
        if outcome == DecisionOutcome.EXIT:
            for kind, months in ((ReviewKind.POST_EXIT_6, 182), (ReviewKind.POST_EXIT_12, 365)):
                review = case.reviews.get(kind=kind)
                updates.append((Review, review.pk, {"due_on": months}))
        self._moment(case, *updates)
        return Case.objects.get(pk=case.pk)

    @staticmethod
    def _not_adopted_record(spec: DemoCase) -> dict[str, Any]:
        """The s.36(6) record of a demo case the panel does not adopt: a referral on odd numbers."""
        if spec.number % 2 == 1:
            service = CareService.CHILDRENS_SOCIAL_CARE if spec.age < 18 else CareService.ADULT_SOCIAL_CARE
            return {
                "not_adopted_route": NotAdoptedRoute.SIGNPOSTED,
                "health_or_social_care_referral": True,
                "referral_service": service,
                "referral_service_name": "Early help and assessment team (synthetic)",
            }
        return {
            "not_adopted_route": NotAdoptedRoute.NO_FURTHER_ACTION,
            "health_or_social_care_referral": False,
            "no_referral_reason": "Already supported by the school's pastoral team and the GP (synthetic).",
        }

    def _assess(self, case: Case, version: int) -> None:
        factors = FACTOR_SETS[(case.pk + version) % len(FACTOR_SETS)]
        # A second version shows progress: every rating one step lower.
        ratings = {
            code: (max(rating - (version - 1), 0), "Synthetic evidence from partner returns.")
            for code, rating in factors.items()
        }
        assessment = casework.add_assessment(
            case=case,
            actor=self.coordinator,
            ratings=ratings,
            summary=f"Vulnerability assessment, version {version} (synthetic).",
            management_plan="Share partner information before panel; keep school and family informed.",
        )
        self._moment(case, (Assessment, assessment.pk, {"created_at": None}))

    def _consent(self, case: Case, spec: DemoCase, status: ConsentStatus) -> Case:
        under_18 = spec.age < 18
        reassess = None if status == ConsentStatus.GIVEN else self.today + timedelta(days=56)
        consent = consent_service.record_consent(
            case=case,
            actor=self.coordinator,
            status=status,
            consenting=case.related_people.with_parental_responsibility().first() if under_18 else None,
            child_view="Said they would give the mentoring a try (synthetic)." if under_18 else "",
            method="Home visit with the Prevent coordinator",
            requested_by=self.coordinators[spec.council],
            requested_on=self.today,
            on=self.today,
            reassessment_on=reassess,
        )
        updates: list[Update] = [(Consent, consent.pk, {"created_at": None, "on": 0, "requested_on": 0})]
        if reassess is not None:
            review = case.reviews.get(kind=ReviewKind.REASSESSMENT, completed_on__isnull=True)
            updates.append((Review, review.pk, {"due_on": 56}))
        self._moment(case, *updates)
        return Case.objects.get(pk=case.pk)

    # --- one case --------------------------------------------------------------------------------

    def seed(self, spec: DemoCase) -> None:
        self.moments = []
        case = self._refer(spec)
        for step in walk(spec):
            case = self._step(case, spec, step)
        self._retime(case, spec)
        self._sessions(case, spec)

    def _refer(self, spec: DemoCase) -> Case:
        area, prefix = AREAS[spec.council]
        earlier = self.subjects.get(spec.repeat_of) if spec.repeat_of else None
        house = 10 + spec.number * 3
        subject_fields: dict[str, Any] = {
            "address": f"{house} Testcase Road, {area}",
            "postcode": f"{prefix}{1 + spec.number % 9} {1 + spec.number % 7}{'ABDEFGHJ'[spec.number % 8]}A",
        }
        if earlier is None:
            born = self.today - relativedelta(years=spec.age) - timedelta(days=20 + (spec.number * 53) % 300)
            subject_fields |= {
                "first_name": spec.first_name,
                "last_name": f"Testcase-{spec.number:02d}",
                "date_of_birth": born,
                "gender": spec.gender,
            }
        received = self.today - timedelta(days=spec.days_ago)
        concern = ReferenceValue.objects.current(ReferenceList.CONCERN_TYPE, on=received).get(code=spec.concern)
        case = referrals.create_referral(
            actor=self.coordinators[spec.council],
            owning_agency=self.agencies[spec.council],
            subject_fields=subject_fields,
            existing_subject=earlier,
            # The demo council owns every earlier case of its subjects, so it may update them.
            update_subject=earlier is not None,
            referral_fields={
                "source_sector": self._value(ReferenceList.SOURCE_SECTOR, spec.sector),
                "concern_type": concern,
                "referrer_name": f"Referrer Testcase-{spec.number:02d}",
                "referrer_organisation": f"{area} {spec.sector.replace('_', ' ')} partner (synthetic)",
                "referrer_contact": f"referrer-{spec.number:02d}@example.org",
                "concerns": CONCERNS_TEXT,
                "online_activity": "Shares videos from extremist channels on social media (synthetic)."
                if spec.number % 2
                else "",
                "parental_support": "Parents are aware of the referral and support it." if spec.age < 18 else "",
                "immediate_risk": spec.immediate_risk,
            },
        )
        self.subjects[spec.number] = case.subject
        self.seen = set()
        self._moment(case)
        if spec.age < 18:
            # Consent for a child comes from a parent with parental responsibility (CTSA 2015 EN para 206).
            parent = related.add_related_person(
                case=case,
                actor=self.coordinators[spec.council],
                name=f"Parent Testcase-{spec.number:02d}",
                relationship=Relationship.PARENT,
                parental_responsibility=True,
                contact_details=f"parent-{spec.number:02d}@example.org",
            )
            self._moment(case, (RelatedPerson, parent.pk, {"added_at": None}))
        return case

    def _step(self, case: Case, spec: DemoCase, step: Stage | str) -> Case:
        coordinator, police = self.coordinators[spec.council], self.police
        if step == Stage.POLICE_SCREENING:
            return self._move(case, coordinator, step, "Referral checked and passed to police for screening.")
        if step == Stage.CLOSED_NFA:
            self._note(case, police, "Police checks complete: nothing held.", NoteVisibility.ORIGINATOR)
            return self._move(case, police, step, "Not susceptible to radicalisation.")
        if step == Stage.SIGNPOSTED:
            return self._move(case, police, step, "No Prevent concern; signposted to early help services.")
        if step == Stage.POLICE_LED:
            self._note(case, police, "Managed under police-led Prevent case management.", NoteVisibility.ORIGINATOR)
            return self._move(case, police, step, "Risk is best managed by police-led case management.")
        if step == Stage.REFERRED_TO_CHANNEL:
            return self._move(case, police, step, "Susceptible to radicalisation: refer to Channel.")
        if step == Stage.INFORMATION_GATHERING:
            case = self._move(case, coordinator, step, "Gathering information from partners.")
            self._note(
                case,
                coordinator,
                "Information requested from health, education and children's social care.",
                NoteVisibility.NAMED,
                "nht",
                "nat",
                "ncs",
            )
            self._action(case, "Return police information for the panel.", "ngp", police, 7)
            self._action(case, "Request school attendance and behaviour records.", LEAD_COUNCIL, None, 5)
            return case
        if step == Stage.PRELIMINARY_ASSESSMENT:
            self._finish_actions(case)
            self._assess(case, 1)
            return self._move(case, coordinator, step, "Partner information received; assessment drafted.")
        if step == Stage.LISTED_FOR_PANEL:
            if spec.second_assessment or case.stage == Stage.DEFERRED:
                self._assess(case, case.assessments.count() + 1)
            self._note(case, coordinator, "Listed for the next panel meeting.", NoteVisibility.EVERYONE)
            return self._move(case, coordinator, step, "Ready for the panel.")
        if step == Stage.NOT_ADOPTED:
            return self._decide(
                case,
                DecisionOutcome.NOT_ADOPT,
                "Not susceptible to radicalisation; needs are being met elsewhere.",
                **self._not_adopted_record(spec),
            )
        if step == Stage.DEFERRED:
            return self._decide(case, DecisionOutcome.DEFER, "The panel needs the school's and GP's information.")
        if step == Stage.ADOPTED:
            return self._decide(case, DecisionOutcome.ADOPT, "Susceptible; Channel support is suitable.")
        if step == Stage.CONSENT_SOUGHT:
            return self._move(case, coordinator, step, "Consent to be sought at a home visit.")
        if step == REFUSE:
            return self._consent(case, spec, ConsentStatus.REFUSED)
        if step == WITHDRAW:
            return self._consent(case, spec, ConsentStatus.WITHDRAWN)
        if step == Stage.SUPPORT_ACTIVE and case.stage == Stage.UNDER_REVIEW:
            self._complete_review(case, ReviewKind.IN_PROGRAMME, "Engaging well; some progress.")
            return self._decide(case, DecisionOutcome.CONTINUE_SUPPORT, "Progress made; continue mentoring.")
        if step == Stage.SUPPORT_ACTIVE:
            case = self._consent(case, spec, ConsentStatus.GIVEN)
            self._support(case, "ideological_mentoring", "One-to-one mentoring sessions.", "Weekly, 1 hour")
            if spec.number % 2 == 0:
                self._support(case, "life_skills", "Group life-skills course.", "Fortnightly, for 10 weeks")
            case = self._move(case, coordinator, step, "Consent given and support plan agreed.")
            self._action(case, "Hold the first mentoring session and report back.", PROVIDER, self.provider, 7)
            return case
        if step == Stage.UNDER_REVIEW:
            review = casework.schedule_review(case=case, actor=coordinator, due_on=self.today + timedelta(days=14))
            self._moment(case, (Review, review.pk, {"due_on": 14}))
            case.refresh_from_db()
            self._note(case, self.provider, "Attending sessions every week; engaging well.", NoteVisibility.EVERYONE)
            if case.stage == Stage.SUPPORT_ACTIVE:  # schedule_review may already have moved it
                case = self._move(case, coordinator, step, "Three-month review of support.")
            return case
        if step == Stage.EXITED:
            self._finish_actions(case)
            self._complete_review(case, ReviewKind.IN_PROGRAMME, "Susceptibility significantly reduced.")
            return self._decide(
                case,
                DecisionOutcome.EXIT,
                "Susceptibility significantly reduced; support complete.",
                exit_reason=self._value(ReferenceList.EXIT_REASON, "vulnerability_reduced"),
            )
        if step == Stage.POST_EXIT_REVIEW_6:
            return self._move(case, coordinator, step, "Six-month post-exit review due.")
        if step == Stage.POST_EXIT_REVIEW_12:
            self._complete_review(case, ReviewKind.POST_EXIT_6, "No new concerns at six months.")
            return self._move(case, coordinator, step, "Six-month review complete.")
        if step == Stage.CLOSED:
            self._complete_review(case, ReviewKind.POST_EXIT_12, "No new concerns at twelve months.")
            report = reviews.write_closing_report(
                case=case,
                actor=coordinator,
                summary="Weekly one-to-one mentoring for six months, with a group life-skills course (synthetic).",
                outcomes="Susceptibility reduced; back in education; no new concerns at either post-exit review.",
                onward_referrals="Youth service for continuing activities (synthetic).",
            )
            self._moment(case, (ClosingReport, report.pk, {"written_at": None}))
            return self._move(case, coordinator, step, "Twelve-month review complete: case closed.")
        raise ValueError(f"No demo step for {step}")

    def _support(self, case: Case, support_type: str, how: str, when: str) -> None:
        first = not SupportPlan.objects.filter(case=case).exists()
        element = casework.add_support_element(
            case=case,
            actor=self.coordinator,
            support_type=self._value(ReferenceList.SUPPORT_TYPE, support_type),
            provider=self.agencies[PROVIDER],
            provider_user=self.provider,
            how=how,
            when=when,
            starts_on=self.today + timedelta(days=7),
        )
        updates: list[Update] = [(SupportElement, element.pk, {"starts_on": 7})]
        if first:
            updates.append((SupportPlan, element.plan_id, {"created_at": None}))
        self._moment(case, *updates)

    def _sessions(self, case: Case, spec: DemoCase) -> None:
        """Weekly sessions on active support, from its start (after _retime) to a few days ago, every
        fourth one missed; Fern's first element stopped 40 days ago, so it shows as stalled."""
        if case.stage not in SUPPORT_STAGES:
            return
        elements = (
            SupportElement.objects.filter(plan__case=case).select_related("plan__case").order_by("starts_on", "id")
        )
        for index, element in enumerate(elements):
            last = self.today - timedelta(days=40 if spec.number == 6 and index == 0 else 3)
            day, count = element.starts_on, 0
            while day <= last:
                attended = count % 4 != 3
                support.record_session(
                    element=element,
                    actor=self.provider,
                    held_on=day,
                    attended=attended,
                    note="Session held as planned (synthetic)."
                    if attended
                    else "Did not attend; rearranged (synthetic).",
                    visibility=NoteVisibility.EVERYONE,
                )
                day, count = day + timedelta(days=7), count + 1

    def _retime(self, case: Case, spec: DemoCase) -> None:
        """Spread the case's chronology evenly from the day received to a few days ago."""
        received = self.today - timedelta(days=spec.days_ago)
        start = timezone.make_aware(datetime.combine(received, time(9))) + timedelta(minutes=(spec.number * 37) % 420)
        end = max(start + timedelta(hours=1), timezone.now() - timedelta(days=spec.days_ago // 6, hours=2))
        count = len(self.moments)
        last_stage_change = start
        for index, updates in enumerate(self.moments):
            at = start + (end - start) * (index / (count - 1)) if count > 1 else start
            reviews = [pk for model, pk, fields in updates if model is Review and "due_on" in fields]
            old_due = dict(Review.objects.filter(pk__in=reviews).values_list("pk", "due_on"))
            for model, pk, fields in updates:
                values: dict[str, date | datetime] = {}
                for name, days in fields.items():
                    if isinstance(model._meta.get_field(name), models.DateTimeField):
                        values[name] = at
                    else:
                        values[name] = timezone.localdate(at) + timedelta(days=days or 0)
                model._default_manager.filter(pk=pk).update(**values)
                if model is StageChange:
                    last_stage_change = at
            if old_due:
                self._redate_reasons(updates, old_due)
        Case.objects.filter(pk=case.pk).update(
            received_on=received,
            stage_changed_at=last_stage_change,
            last_activity_at=end if count > 1 else start,
        )

    @staticmethod
    def _redate_reasons(updates: list[Update], old_due: dict[int, date]) -> None:
        """A stage change made with a review may name its due date ("re-assessment due ..."): keep it true."""
        new_due = dict(Review.objects.filter(pk__in=old_due).values_list("pk", "due_on"))
        changes = [pk for model, pk, _ in updates if model is StageChange]
        for change in StageChange.objects.filter(pk__in=changes):
            reason = change.reason
            for pk, due in old_due.items():
                reason = reason.replace(f"{due:%-d %B %Y}", f"{new_due[pk]:%-d %B %Y}")
            if reason != change.reason:
                StageChange.objects.filter(pk=change.pk).update(reason=reason)
