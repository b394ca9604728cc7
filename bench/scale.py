"""Synthetic national-scale data for `manage.py seed_scale` and the benchmarks (PostgreSQL only).

Hundreds of agencies, thousands of users, a hundred thousand cases in every stage with their casework,
grants backed by guardian permissions, and a million audit entries, sealed. Rows go in with COPY,
because the ORM's bulk_create would spend most of ten minutes building model instances; ids are
allocated here so that rows can refer to each other without reading anything back.

The shape is what the benchmarks need: every council owns about 1/150 of the cases, police forces see
their area (a few councils), and each partner agency holds grants on about 1% of all cases. Every name
is made from short syllable lists: nothing here resembles a real person.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from audit.models import AuditEntry
from audit.sealing import seal_pending
from cases.models import (
    Action,
    ActionStatus,
    Assessment,
    Case,
    CaseNote,
    Consent,
    ConsentGiver,
    ConsentStatus,
    Decision,
    DecisionOutcome,
    HowReached,
    NoteVisibility,
    ReferenceValue,
    Referral,
    Review,
    ReviewKind,
    Stage,
    StageChange,
    Subject,
    SupportElement,
    SupportPlan,
)
from cases.services.referrals import normalise_name, normalise_postcode
from cases.services.stages import TRANSITIONS
from partners.models import Agency, AgencyKind, Role, User
from sharing.models import CaseGroupObjectPermission, CaseUserObjectPermission, GrantKind, LegalBasis, ShareGrant

# Marks seeded agencies, so a second run can tell the data is already there.
CODE_PREFIX = "scale-"

PLACE_START = ["Ash", "Brack", "Cald", "Dun", "Elm", "Fen", "Gar", "Hol", "Kes", "Lang",
               "Mor", "Nor", "Os", "Pen", "Quar", "Ris", "Stan", "Thorn", "Ux", "Wick"]  # fmt: skip
PLACE_END = ["ford", "ham", "ley", "mouth", "ton", "wick", "bury", "field", "stead", "by"]
PLACE_PREFIX = ["", "North ", "South ", "East ", "West ", "Upper ", "Lower ", "Great ", "Little ", "Old "]
NAME_START = ["Al", "Bri", "Cor", "Da", "El", "Fa", "Gi", "Ha", "Io", "Ja",
              "Ka", "Lo", "Mi", "Ne", "Or", "Pe", "Ri", "Sa", "Te", "Vi"]  # fmt: skip
NAME_END = ["na", "ro", "lin", "dra", "mon", "sel", "wyn", "ric", "tha", "ben"]
SURNAME_END = ["well", "more", "croft", "gate", "hurst", "lock", "wood", "ridge"]
WORDS = ["meeting", "school", "contact", "visit", "mentor", "concern", "online", "family", "plan",
         "review", "progress", "support", "attended", "agreed", "follow-up", "referral"]  # fmt: skip
PARTNER_KINDS = [AgencyKind.HEALTH, AgencyKind.EDUCATION, AgencyKind.CHILDRENS_SOCIAL_CARE,
                 AgencyKind.ADULT_SOCIAL_CARE, AgencyKind.PROBATION, AgencyKind.YOUTH_JUSTICE, AgencyKind.HOUSING,
                 AgencyKind.OTHER]  # fmt: skip

# How often each stage occurs: most cases end early (police screening closes most referrals).
STAGE_WEIGHTS = {
    Stage.RECEIVED: 3, Stage.POLICE_SCREENING: 4, Stage.CLOSED_NFA: 20, Stage.SIGNPOSTED: 14,
    Stage.POLICE_LED: 8, Stage.REFERRED_TO_CHANNEL: 2, Stage.INFORMATION_GATHERING: 3,
    Stage.PRELIMINARY_ASSESSMENT: 3, Stage.LISTED_FOR_PANEL: 3, Stage.NOT_ADOPTED: 6, Stage.DEFERRED: 2,
    Stage.ADOPTED: 2, Stage.CONSENT_SOUGHT: 2, Stage.CONSENT_REFUSED: 1, Stage.REASSESSMENT_SCHEDULED: 2,
    Stage.SUPPORT_ACTIVE: 6, Stage.UNDER_REVIEW: 3, Stage.EXITED: 3, Stage.POST_EXIT_REVIEW_6: 3,
    Stage.POST_EXIT_REVIEW_12: 3, Stage.CLOSED: 7,
}  # fmt: skip
EARLY = {Stage.RECEIVED, Stage.POLICE_SCREENING}
SCREENED_OUT = {Stage.CLOSED_NFA, Stage.SIGNPOSTED, Stage.POLICE_LED}
DECIDED = {Stage.NOT_ADOPTED, Stage.DEFERRED, Stage.ADOPTED, Stage.CONSENT_SOUGHT, Stage.CONSENT_REFUSED,
           Stage.REASSESSMENT_SCHEDULED, Stage.SUPPORT_ACTIVE, Stage.UNDER_REVIEW, Stage.EXITED,
           Stage.POST_EXIT_REVIEW_6, Stage.POST_EXIT_REVIEW_12, Stage.CLOSED}  # fmt: skip
CONSENTED = {Stage.SUPPORT_ACTIVE, Stage.UNDER_REVIEW, Stage.EXITED, Stage.POST_EXIT_REVIEW_6,
             Stage.POST_EXIT_REVIEW_12, Stage.CLOSED}  # fmt: skip
SUPPORTED = CONSENTED
PREVIOUS_STAGE = {
    to: sorted(frm for frm, tos in TRANSITIONS.items() if to in tos)[0] for to in Stage if to != "received"
}


@dataclass(frozen=True)
class Sizes:
    agencies: int = 400
    users: int = 10_000
    cases: int = 100_000
    audit_entries: int = 1_000_000


@dataclass
class _Agency:
    id: int
    kind: str
    region: int
    group_id: int
    users: list[_User] = field(default_factory=list)


@dataclass
class _User:
    id: int
    username: str
    email: str
    role: str
    agency: _Agency


@dataclass
class _Case:
    id: int
    number: str
    reference: uuid.UUID
    owner: _Agency
    stage: Stage
    received: datetime


def _ids(model: type[models.Model], count: int) -> range:
    """The next `count` primary keys of a table; the sequence is moved past them after the COPY."""
    last = model._default_manager.aggregate(last=models.Max("pk"))["last"] or 0
    return range(last + 1, last + 1 + count)


def copy_rows(model: type[models.Model], columns: list[str], rows: Iterable[tuple[Any, ...]]) -> int:
    """COPY rows (tuples in `columns` order) into the model's table. Returns how many were written."""
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    written = 0
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {model._meta.db_table} ({quoted}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)
            written += 1
    return written


def _last_number(year: int) -> int:
    last = Case.objects.filter(number__startswith=f"PP-{year}-").aggregate(m=models.Max("number"))["m"]
    return int(last.rsplit("-", 1)[1]) if last else 0


def _reset_sequences(*model_list: type[models.Model]) -> None:
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), list(model_list)):
            cursor.execute(statement)


class ScaleSeeder:
    """Seeds one national data set. Call `run()`; `report` receives a line per stage with its time."""

    def __init__(self, sizes: Sizes, *, seed: int = 2026, report: Callable[[str], None] = print) -> None:
        self.sizes = sizes
        # Seeded, so the same parameters give the same data set; nothing here is secret.
        self.rng = random.Random(seed)  # noqa: S311
        self.report = report
        self.now = timezone.now()
        self.agencies: list[_Agency] = []
        self.councils: list[_Agency] = []
        self.police: list[_Agency] = []
        self.partners_by_region: dict[int, list[_Agency]] = defaultdict(list)
        self.providers: list[_Agency] = []
        self.auditors: list[_User] = []
        self.cases: list[_Case] = []

    # --- helpers -----------------------------------------------------------------------------------
    def _uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    @staticmethod
    def _place(n: int) -> str:
        """A distinct synthetic place name for each n below 2,000 (then numbered)."""
        start, end = PLACE_START[n % len(PLACE_START)], PLACE_END[(n // len(PLACE_START)) % len(PLACE_END)]
        lap = n // (len(PLACE_START) * len(PLACE_END))
        prefix = PLACE_PREFIX[lap % len(PLACE_PREFIX)]
        return f"{prefix}{start}{end}" + (f" {lap // len(PLACE_PREFIX) + 1}" if lap >= len(PLACE_PREFIX) else "")

    def _person(self) -> tuple[str, str]:
        rng = self.rng
        first = rng.choice(NAME_START) + rng.choice(NAME_END)
        last = rng.choice(PLACE_START) + rng.choice(SURNAME_END)
        return first, last

    def _text(self, words: int) -> str:
        return "Synthetic: " + " ".join(self.rng.choice(WORDS) for _ in range(words)) + "."

    def _between(self, start: datetime, end: datetime) -> datetime:
        span = max((end - start).total_seconds(), 1.0)
        return start + timedelta(seconds=self.rng.random() * span)

    def _step(self, name: str, work: Callable[[], int]) -> None:
        started = time.monotonic()
        count = work()
        self.report(f"{name}: {count:,} rows in {time.monotonic() - started:.1f} s")

    # --- stages ------------------------------------------------------------------------------------
    def run(self) -> None:
        if Agency.objects.filter(code__startswith=CODE_PREFIX).exists():
            raise ValueError("Scale data is already in this database: seed a fresh database instead.")
        if self.sizes.users < self.sizes.agencies + 2:
            raise ValueError("Every agency needs a user, plus an auditor and an administrator.")
        with transaction.atomic():
            self._step("agencies", self.seed_agencies)
            self._step("users", self.seed_users)
            self._step("subjects and cases", self.seed_cases)
            self._step("referrals, stage changes, notes, assessments", self.seed_casework)
            self._step("decisions, consents, plans, actions, reviews", self.seed_panel_work)
            self._step("grants and guardian permissions", self.seed_grants)
            self._step("audit entries", self.seed_audit)
            _reset_sequences(Group, Agency, User, Subject, Case, SupportPlan)
        # Sealed after the commit above: the sealer seals only finished transactions.
        self._step("audit entries sealed", seal_pending)
        self._step("tables analysed", self.analyse)

    def seed_agencies(self) -> int:
        n = self.sizes.agencies
        n_councils = max(1, n * 3 // 8)
        n_police = max(1, n // 10)
        n_providers = max(1, n // 20)
        kinds: list[tuple[str, int]] = [(AgencyKind.LOCAL_AUTHORITY, i) for i in range(n_councils)]
        kinds += [(AgencyKind.POLICE, i) for i in range(n_police)]
        kinds += [(AgencyKind.INTERVENTION_PROVIDER, i) for i in range(n_providers)]
        kinds += [(PARTNER_KINDS[i % len(PARTNER_KINDS)], i) for i in range(n - len(kinds))]
        group_ids, agency_ids = _ids(Group, len(kinds)), _ids(Agency, len(kinds))
        rows, groups = [], []
        for (kind, i), group_id, agency_id in zip(kinds, group_ids, agency_ids, strict=True):
            code = f"{CODE_PREFIX}{kind[:6]}-{i:04d}".replace("_", "")
            region = i % n_police
            agency = _Agency(agency_id, kind, region, group_id)
            la_area = police_area = ""
            # Places are numbered apart for each kind of agency, so that names never clash.
            if kind == AgencyKind.LOCAL_AUTHORITY:
                la_area = self._place(i)
                name = f"{la_area} Council"
                self.councils.append(agency)
            elif kind == AgencyKind.POLICE:
                police_area = self._force_area(i)
                name = f"{police_area} Police"
                self.police.append(agency)
            elif kind == AgencyKind.INTERVENTION_PROVIDER:
                name = f"{self._place(1500 + i)} Mentoring ({i})"
                self.providers.append(agency)
            else:
                name = f"{self._place(1700 + i)} {AgencyKind(kind).label} ({i})"
                self.partners_by_region[region].append(agency)
            self.agencies.append(agency)
            groups.append((group_id, f"agency:{code}"))
            rows.append((agency_id, name, code, kind, la_area, police_area, True, group_id))
        copy_rows(Group, ["id", "name"], groups)
        columns = ["id", "name", "code", "kind", "local_authority_area", "police_force_area", "is_active", "group_id"]
        return copy_rows(Agency, columns, rows)

    def _force_area(self, region: int) -> str:
        return f"{self._place(1000 + region)}shire"

    def _providers(self, region: int) -> list[_Agency]:
        """The intervention providers working in a region (there are fewer providers than regions)."""
        count = len(self.providers)
        return [self.providers[(region + k) % count] for k in range(min(2, count))]

    def seed_users(self) -> int:
        by_kind: dict[str, list[_Agency]] = defaultdict(list)
        for agency in self.agencies:
            by_kind[agency.kind].append(agency)
        role_of: dict[str, str] = {
            AgencyKind.POLICE: Role.POLICE_PRACTITIONER,
            AgencyKind.INTERVENTION_PROVIDER: Role.INTERVENTION_PROVIDER,
        }
        # Everyone first gets one user (councils a chair), then the rest are spread by weight.
        plan: list[tuple[_Agency, str]] = []
        for agency in self.agencies:
            role = role_of.get(agency.kind, Role.PANEL_MEMBER)
            plan.append((agency, Role.PANEL_CHAIR if agency.kind == AgencyKind.LOCAL_AUTHORITY else role))
        plan.append((self.councils[0], Role.AUDITOR))
        plan.append((self.councils[0], Role.ADMINISTRATOR))
        rest = self.sizes.users - len(plan)
        partners = [a for kind in PARTNER_KINDS for a in by_kind[kind]] or self.councils
        for n in range(rest):
            share = n % 100
            if share < 20:
                agency = self.councils[n % len(self.councils)]
                role = Role.PANEL_CHAIR if share % 4 == 0 else Role.PREVENT_COORDINATOR
            elif share < 35:
                agency, role = self.police[n % len(self.police)], Role.POLICE_PRACTITIONER
            elif share < 40:
                agency, role = self.providers[n % len(self.providers)], Role.INTERVENTION_PROVIDER
            elif share < 41:
                agency, role = self.councils[n % len(self.councils)], Role.AUDITOR
            else:
                agency = partners[n % len(partners)]
                role = Role.PANEL_MEMBER if agency.kind != AgencyKind.LOCAL_AUTHORITY else Role.PREVENT_COORDINATOR
            plan.append((agency, role))
        rows, memberships = [], []
        for user_id, (agency, role) in zip(_ids(User, len(plan)), plan, strict=True):
            first, last = self._person()
            username = f"{first.lower()}.{last.lower()}.{user_id}"
            user = _User(user_id, username, f"{username}@example.org", role, agency)
            agency.users.append(user)
            if role == Role.AUDITOR:
                self.auditors.append(user)
            # An unusable password: benchmark sessions are made server-side (bench/session.py).
            rows.append(
                (
                    user_id,
                    "!scale",
                    None,
                    False,
                    username,
                    first,
                    last,
                    user.email,
                    False,
                    True,
                    self.now,
                    role,
                    agency.id,
                )
            )
            memberships.append((user_id, agency.group_id))
        columns = ["id", "password", "last_login", "is_superuser", "username", "first_name", "last_name", "email",
                   "is_staff", "is_active", "date_joined", "role", "agency_id"]  # fmt: skip
        written = copy_rows(User, columns, rows)
        copy_rows(User.groups.through, ["user_id", "group_id"], memberships)
        return written

    def _users(self, agency: _Agency, *roles: str) -> list[_User]:
        return [u for u in agency.users if u.role in roles] or agency.users

    def seed_cases(self) -> int:
        n = self.sizes.cases
        stages = list(STAGE_WEIGHTS)
        weights = list(STAGE_WEIGHTS.values())
        # Received dates spread over three years, in id order, as cases are logged.
        first_day = self.now - timedelta(days=3 * 365)
        case_ids = list(_ids(Case, n))
        subject_rows, case_rows = [], []
        subject_ids = iter(_ids(Subject, n))
        yearly: dict[int, int] = {}
        subject_of: dict[int, tuple[int, int]] = {}  # case index -> (subject id, case id)
        n_councils = len(self.councils)
        for i, case_id in enumerate(case_ids):
            owner = self.councils[i % n_councils]
            received = first_day + timedelta(seconds=(3 * 365 * 86400) * i / n)
            # The first cases take every stage in turn, so even a tiny data set has them all.
            stage = stages[i] if i < len(stages) else self.rng.choices(stages, weights)[0]
            # About one case in twenty is a re-referral of someone the same council referred before.
            earlier = i - 3 * n_councils
            previous_id = None
            if earlier >= 0 and i % 20 == 7:
                subject_id, previous_id = subject_of[earlier]
            else:
                subject_id = next(subject_ids)
                first, last = self._person()
                postcode = f"{self.rng.choice('ABCDEFGHJKLMNPRSTUWY')}{self.rng.choice('ABDEHLMNRSTW')}"
                postcode += (
                    f"{self.rng.randint(1, 29)} {self.rng.randint(1, 9)}{self.rng.choice('ABDEFGHJLNPQRSTUWXYZ')}Z"
                )
                subject_rows.append(
                    (
                        subject_id, self._uuid(), first, last, "",
                        date(1960, 1, 1) + timedelta(days=self.rng.randint(0, 52 * 365)),
                        self.rng.choice(["female", "male", "other", "not_specified"]),
                        f"{self.rng.randint(1, 200)} {self.rng.choice(PLACE_START)}{self.rng.choice(SURNAME_END)} Road",
                        postcode, self._place(i % n_councils),
                        self._force_area(owner.region), normalise_name(first, last), normalise_postcode(postcode),
                        received,
                    )
                )  # fmt: skip
            subject_of[i] = (subject_id, case_id)
            year = timezone.localtime(received).year
            if year not in yearly:
                yearly[year] = _last_number(year)
            yearly[year] += 1
            number = f"PP-{year}-{yearly[year]:05d}"
            reference = self._uuid()
            changed = self._between(received, self.now)
            self.cases.append(_Case(case_id, number, reference, owner, stage, received))
            case_rows.append(
                (case_id, reference, number, subject_id, owner.id, previous_id, stage, changed, received.date(),
                 received, changed)
            )  # fmt: skip
        columns = ["id", "reference", "first_name", "last_name", "other_names", "date_of_birth", "gender", "address",
                   "postcode", "local_authority_area", "police_force_area", "match_name", "match_postcode",
                   "created_at"]  # fmt: skip
        copy_rows(Subject, columns, subject_rows)
        columns = ["id", "reference", "number", "subject_id", "owning_agency_id", "previous_case_id", "stage",
                   "stage_changed_at", "received_on", "created_at", "last_activity_at"]  # fmt: skip
        return copy_rows(Case, columns, case_rows) + len(subject_rows)

    def seed_casework(self) -> int:
        values = {(v.list_name, v.code): v.pk for v in ReferenceValue.objects.all()}
        concerns = [pk for (name, _), pk in values.items() if name == "concern_type"]
        sectors = [pk for (name, _), pk in values.items() if name == "source_sector"]
        rng = self.rng

        def referrals() -> Iterator[tuple[Any, ...]]:
            for case in self.cases:
                yield (case.id, rng.choice(sectors), rng.choice(concerns), "A Referrer", "Synthetic Organisation",
                       "01632 960000", self._text(12), "", "", "", "", "", "", rng.random() < 0.03)  # fmt: skip

        def stage_changes() -> Iterator[tuple[Any, ...]]:
            for case in self.cases:
                actor = rng.choice(self._users(case.owner, Role.PREVENT_COORDINATOR, Role.PANEL_CHAIR)).id
                yield (case.id, "", Stage.RECEIVED, actor, "Referral received", case.received)
                if case.stage != Stage.RECEIVED:
                    moved = min(case.received + timedelta(days=20), self.now)
                    yield (case.id, PREVIOUS_STAGE[case.stage], case.stage, actor, "Moved on", moved)

        def notes() -> Iterator[tuple[Any, ...]]:
            for case in self.cases:
                for _ in range(rng.randint(0, 5)):
                    author = rng.choice(case.owner.users)
                    visibility = NoteVisibility.ORIGINATOR if rng.random() < 0.1 else NoteVisibility.EVERYONE
                    yield (self._uuid(), case.id, author.id, author.agency.id, visibility, self._text(20),
                           self._between(case.received, self.now))  # fmt: skip

        def assessments() -> Iterator[tuple[Any, ...]]:
            for case in self.cases:
                if case.stage in EARLY | SCREENED_OUT | {Stage.REFERRED_TO_CHANNEL, Stage.INFORMATION_GATHERING}:
                    continue
                author = rng.choice(case.owner.users)
                yield (self._uuid(), case.id, 1, author.id, author.agency.id, NoteVisibility.EVERYONE,
                       self._text(15), self._text(10), case.received + timedelta(days=30))  # fmt: skip

        written = copy_rows(
            Referral,
            ["case_id", "source_sector_id", "concern_type_id", "referrer_name", "referrer_organisation",
             "referrer_contact", "concerns", "specific_events", "ideology", "online_activity", "additional_needs",
             "other_safeguarding", "parental_support", "immediate_risk"],
            referrals(),
        )  # fmt: skip
        written += copy_rows(
            StageChange, ["case_id", "from_stage", "to_stage", "actor_id", "reason", "at"], stage_changes()
        )
        written += copy_rows(
            CaseNote,
            ["reference", "case_id", "author_id", "originator_agency_id", "visibility", "text", "created_at"],
            notes(),
        )
        written += copy_rows(
            Assessment,
            ["reference", "case_id", "version", "assessor_id", "originator_agency_id", "visibility", "summary",
             "management_plan", "created_at"],
            assessments(),
        )  # fmt: skip
        return written

    def seed_panel_work(self) -> int:
        rng = self.rng
        support_types = list(ReferenceValue.objects.filter(list_name="support_type").values_list("pk", flat=True))
        decisions, consents, plans, elements, actions, reviews = [], [], [], [], [], []
        plan_ids = iter(_ids(SupportPlan, len(self.cases)))
        for case in self.cases:
            chair = self._users(case.owner, Role.PANEL_CHAIR)[0]
            at = case.received + timedelta(days=60)
            if case.stage in DECIDED:
                outcome = {Stage.NOT_ADOPTED: DecisionOutcome.NOT_ADOPT, Stage.DEFERRED: DecisionOutcome.DEFER}.get(
                    case.stage, DecisionOutcome.ADOPT
                )
                hsc = rng.random() < 0.5 if outcome == DecisionOutcome.NOT_ADOPT else None
                decisions.append((self._uuid(), case.id, outcome, HowReached.UNANIMOUS, "Synthetic rationale.", hsc,
                                  chair.id, at))  # fmt: skip
            if case.stage in CONSENTED | {Stage.CONSENT_REFUSED, Stage.REASSESSMENT_SCHEDULED}:
                status = ConsentStatus.GIVEN if case.stage in CONSENTED else ConsentStatus.REFUSED
                consents.append((case.id, status, ConsentGiver.SUBJECT, "Home visit with the coordinator",
                                 (at + timedelta(days=10)).date(), chair.id, at + timedelta(days=10)))  # fmt: skip
            if case.stage in SUPPORTED:
                plan_id = next(plan_ids)
                plans.append((plan_id, case.id, at + timedelta(days=14)))
                providers = self._providers(case.owner.region)
                for _ in range(rng.randint(1, 2)):
                    provider = rng.choice(providers)
                    starts = (at + timedelta(days=14)).date()
                    ends = (
                        None
                        if case.stage in (Stage.SUPPORT_ACTIVE, Stage.UNDER_REVIEW)
                        else starts + timedelta(days=180)
                    )
                    elements.append((self._uuid(), plan_id, rng.choice(support_types), provider.id,
                                     rng.choice(provider.users).id, case.owner.id, self._text(8), "Weekly", starts,
                                     ends))  # fmt: skip
            if case.stage not in EARLY | SCREENED_OUT:
                for _ in range(rng.randint(1, 2)):
                    owner = rng.choice(case.owner.users)
                    due = (case.received + timedelta(days=rng.randint(10, 400))).date()
                    done = due < self.now.date() and rng.random() < 0.8
                    actions.append((self._uuid(), case.id, self._text(6), owner.agency.id, owner.id, due,
                                    ActionStatus.DONE if done else ActionStatus.OPEN, due if done else None,
                                    chair.id, case.received))  # fmt: skip
            if case.stage in (Stage.UNDER_REVIEW, Stage.POST_EXIT_REVIEW_6, Stage.POST_EXIT_REVIEW_12, Stage.CLOSED):
                kind = ReviewKind.IN_PROGRAMME if case.stage == Stage.UNDER_REVIEW else ReviewKind.POST_EXIT_6
                reviews.append((self._uuid(), case.id, kind, (at + timedelta(days=180)).date(), None, ""))
        written = copy_rows(
            Decision,
            ["reference", "case_id", "outcome", "how_reached", "rationale", "health_or_social_care_referral",
             "decided_by_id", "at"],
            decisions,
        )  # fmt: skip
        written += copy_rows(
            Consent, ["case_id", "status", "given_by", "method", "on", "recorded_by_id", "created_at"], consents
        )
        written += copy_rows(SupportPlan, ["id", "case_id", "created_at"], plans)
        written += copy_rows(
            SupportElement,
            ["reference", "plan_id", "support_type_id", "provider_id", "provider_user_id", "originator_agency_id",
             "how", "when", "starts_on", "ends_on"],
            elements,
        )  # fmt: skip
        written += copy_rows(
            Action,
            ["reference", "case_id", "description", "owner_agency_id", "owner_user_id", "due_on", "status",
             "completed_on", "created_by_id", "created_at"],
            actions,
        )  # fmt: skip
        written += copy_rows(Review, ["reference", "case_id", "kind", "due_on", "completed_on", "outcome"], reviews)
        return written

    def seed_grants(self) -> int:
        """Each case past screening is shared with two partners of its region; some grants have ended or
        been revoked (and their permission removed), some are to one person. Active grants are backed by
        the guardian permission, as sharing.services.grant_access leaves them."""
        rng = self.rng
        perm = {
            level: Permission.objects.get(content_type__app_label="cases", codename=codename).pk
            for level, codename in (("summary", "view_case"), ("full", "view_case_full"))
        }
        grants, group_perms, user_perms = [], set(), set()
        for case in self.cases:
            if case.stage in EARLY:
                continue
            partners = self.partners_by_region.get(case.owner.region) or []
            granted_by = self._users(case.owner, Role.PREVENT_COORDINATOR, Role.PANEL_CHAIR)[0].id
            for partner in rng.sample(partners, min(2, len(partners))):
                level = "full" if rng.random() < 0.3 else "summary"
                starts = min(case.received + timedelta(days=7), self.now - timedelta(hours=1))
                ends = self.now + timedelta(days=rng.randint(30, 365))
                revoked_at = tidied_at = None
                revoked_by = None
                to_user = rng.random() < 0.05
                roll = rng.random()
                if roll < 0.1:  # ended a while ago and tidied
                    ends = min(starts + timedelta(days=90), self.now - timedelta(days=1))
                    tidied_at = ends
                elif roll < 0.15:  # revoked
                    revoked_at, revoked_by = self._between(starts, self.now), granted_by
                    tidied_at = revoked_at
                user = rng.choice(partner.users) if to_user else None
                if ends <= starts:
                    continue
                grants.append(
                    (self._uuid(), case.id, None if user else partner.id, user.id if user else None, level,
                     GrantKind.SHARED, "Panel partner input", LegalBasis.DUTY_TO_COOPERATE, granted_by, starts, ends,
                     revoked_by, revoked_at, tidied_at)
                )  # fmt: skip
                if tidied_at is None:
                    if user:
                        user_perms.add((user.id, perm[level], case.id))
                    else:
                        group_perms.add((partner.group_id, perm[level], case.id))
        written = copy_rows(
            ShareGrant,
            ["reference", "case_id", "agency_id", "user_id", "level", "kind", "purpose", "legal_basis",
             "granted_by_id", "starts_at", "ends_at", "revoked_by_id", "revoked_at", "tidied_at"],
            grants,
        )  # fmt: skip
        written += copy_rows(CaseGroupObjectPermission, ["group_id", "permission_id", "content_object_id"], group_perms)
        written += copy_rows(CaseUserObjectPermission, ["user_id", "permission_id", "content_object_id"], user_perms)
        return written

    def seed_audit(self) -> int:
        """A year of the log, in time order: case views, lists, changes, sign-ins, refusals, searches."""
        rng = self.rng
        case_type = ContentType.objects.get_for_model(Case).pk
        user_type = ContentType.objects.get_for_model(User).pk
        entry_type = ContentType.objects.get_for_model(AuditEntry).pk
        police_by_region = {agency.region: agency for agency in self.police}
        everyone = [u for agency in self.agencies for u in agency.users]
        auditors = self.auditors or everyone[:1]
        n = self.sizes.audit_entries
        start = self.now - timedelta(days=365)
        span = timedelta(days=365).total_seconds()
        redacted = json.dumps({"stage": ["[redacted]", "[redacted]"]})

        def entries() -> Iterator[tuple[Any, ...]]:
            for i in range(n):
                at = start + timedelta(seconds=span * i / n)
                request_id = "%032x" % rng.getrandbits(128)  # noqa: UP031 - fastest for a million ids
                case = self.cases[rng.randrange(len(self.cases))]
                roll = rng.random()
                action, outcome, changes, flagged = 3, "allowed", None, False
                method, ctype, pk, repr_, reference = "GET", case_type, str(case.id), case.number, case.number
                path = f"/cases/{case.reference}/"
                if roll < 0.55:
                    police = police_by_region.get(case.owner.region)
                    pool = police.users if police and roll < 0.15 else case.owner.users
                    actor, event = rng.choice(pool), "case.viewed"
                    data = '{"level": "owner"}'
                elif roll < 0.75:
                    actor, event, path, pk, repr_, reference = (
                        rng.choice(case.owner.users),
                        "case.listed",
                        "/cases/",
                        "",
                        "",
                        "",
                    )
                    shown = [self.cases[rng.randrange(len(self.cases))].number for _ in range(5)]
                    data = json.dumps({"shown": shown, "count": 5, "filters": {}})
                elif roll < 0.85:
                    actor = rng.choice(everyone)
                    event, method, path, ctype, pk, repr_, reference = (
                        "auth.signed_in", "POST", "/sign-in/", user_type, str(actor.id), actor.username, "",
                    )  # fmt: skip
                    data = None
                elif roll < 0.95:
                    actor, event, action, method = rng.choice(case.owner.users), "model.updated", 1, "POST"
                    changes, data = redacted, json.dumps({"case_reference": case.number})
                elif roll < 0.98:
                    actor, event, outcome = rng.choice(everyone), "case.viewed", "denied"
                    data = '{"reason": "not visible"}'
                else:
                    actor, event, path, ctype, pk, repr_, reference = (
                        rng.choice(auditors), "audit.searched", "/audit/", entry_type, "", "", "",
                    )  # fmt: skip
                    data = json.dumps({"shown": [], "count": 0, "filters": {"case_reference": case.number}})
                yield (
                    pk, int(pk) if pk else None, repr_, action, "", changes, request_id, "10.0.0.1", at, data,
                    actor.email, event, outcome, actor.role, method, path, request_id, "", reference, flagged,
                    actor.id, actor.agency.id, ctype, actor.username,
                )  # fmt: skip

        columns = ["object_pk", "object_id", "object_repr", "action", "changes_text", "changes", "cid", "remote_addr",
                   "timestamp", "additional_data", "actor_email", "event", "outcome", "actor_role", "method", "path",
                   "request_id", "purpose", "case_reference", "is_flagged", "actor_id", "actor_agency_id",
                   "content_type_id", "actor_username"]  # fmt: skip
        return copy_rows(AuditEntry, columns, entries())

    def analyse(self) -> int:
        # Fresh statistics and visibility maps, so the planner and index-only scans see the real sizes.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        return 0


def scale_counts() -> dict[str, int]:
    """What is in the database now, in the terms of seed_scale's parameters."""
    return {
        "agencies": Agency.objects.filter(code__startswith=CODE_PREFIX).count(),
        "users": User.objects.filter(agency__code__startswith=CODE_PREFIX).count(),
        "cases": Case.objects.filter(owning_agency__code__startswith=CODE_PREFIX).count(),
        "audit_entries": AuditEntry.objects.count(),
    }
