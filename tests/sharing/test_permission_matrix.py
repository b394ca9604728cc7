"""The whole access policy, checked cell by cell on the demo data.

Every demo persona x every demo case x every case-level action goes through the real gate
(`sharing.access.access_case`) and is compared with an oracle written here from the design's rules
(/work/shared/design.md, "sharing"), without calling anything in `sharing.access` for the expectation.
The special-category details (sensitive details) are a second question, with their own gate
(`sharing.special`): the owning council, and a full grant in force that explicitly includes them.
The oracle works in Python over rows loaded once, so the matrix costs only the gate's own queries.
"""

from __future__ import annotations

import io
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import connection
from django.http import Http404
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import Case, RelatedPerson, SupportElement
from partners.demo import PERSONAS
from partners.models import User
from sharing import services
from sharing.access import Capability, access_case, visible_cases
from sharing.models import ShareGrant
from sharing.special import access_special_category, can_see_special_category, special_category_cases

# --- the policy, restated from the design -----------------------------------------------------------

CASE_ACTIONS = [
    "view",
    "view_full",
    "view_plan",
    "add_note",
    "record_session",
    "assess",
    "move",
    "screen",
    "consent",
    "relate",
    "plan",
    "decide",
    "access_history",
    "share",
    "correct",
    "correction_history",
    "record_special_category",
    "escalate",
    "acknowledge_escalation",
    "change_area",
    "write_closing_report",
]
READ = {"view", "view_full", "view_plan"}
CASEWORK = READ | {"add_note", "assess", "move", "plan"}

# What each role may do to a case at all.
ROLE_TABLE: dict[str, set[str]] = {
    # Related people are kept by the owner's coordinators only (issue 16).
    "prevent_coordinator": CASEWORK
    | {"consent", "relate", "access_history", "share", "correct", "correction_history"}
    | {"record_special_category", "escalate", "change_area", "record_session"}
    # The closing report is written by the owner's coordinators (issue 17).
    | {"write_closing_report"},
    "panel_chair": CASEWORK | {"consent", "decide", "access_history", "share", "correction_history"},
    "police_practitioner": CASEWORK | {"screen", "acknowledge_escalation"},
    "panel_member": READ | {"add_note"},
    # Providers record the sessions of their own support (issue 17; which element: the service decides).
    "intervention_provider": {"view", "view_plan", "add_note", "record_session"},
    "auditor": set(),
    "administrator": set(),
}

# What each way of seeing a case allows. The owning council and the police for the subject's area do
# the casework; which of it a person does is their role's business (the table above), so these two
# levels stop nothing but the screening decision and acknowledging an escalation, which only the police make.
# Corrections are the owner's by role (UK GDPR Art 16: the record is the owner's), in the table above.
LEVEL_TABLE: dict[str, set[str]] = {
    "owner": set(CASE_ACTIONS) - {"screen", "acknowledge_escalation"},
    "police": set(CASE_ACTIONS),
    # A full grant allows recording sessions only to keep the chain; it names no element, so the service
    # refuses anyone but the element's provider and the owner's coordinators.
    "full": {"view", "view_full", "view_plan", "add_note", "record_session"},
    "summary": {"view"},
    "provider": {"view", "view_plan", "add_note", "record_session"},
}
# When someone sees a case in more than one way, the strongest way counts (each allows at least what the
# next allows).
STRONGEST_FIRST = ["owner", "police", "full", "provider", "summary"]
# The roles that may ever see special-category details; which cases, the ways below decide.
SEES_SPECIAL = {"prevent_coordinator", "panel_chair", "police_practitioner", "panel_member"}


@dataclass(frozen=True)
class CaseRow:
    pk: int
    reference: uuid.UUID
    number: str
    owner_id: int
    owner_kind: str
    force_area: str


@dataclass(frozen=True)
class GrantRow:
    case_id: int
    agency_id: int | None
    user_id: int | None
    level: str
    starts_at: datetime
    ends_at: datetime
    revoked_at: datetime | None
    special: bool

    def in_force(self, now: datetime) -> bool:
        return self.revoked_at is None and self.starts_at <= now < self.ends_at


@dataclass
class World:
    """The demo data the oracle needs, loaded once."""

    users: list[User]
    cases: list[CaseRow]
    grants: list[GrantRow]
    # (case pk, provider user pk) for every support element, but none while the case waits for its
    # re-assessment: support has stopped (withdrawn by the panel, or consent withdrawn).
    provided: set[tuple[int, int]]

    @classmethod
    def load(cls) -> World:
        by_name = {u.username: u for u in User.objects.select_related("agency")}
        cases = [
            CaseRow(c.pk, c.reference, c.number, c.owning_agency_id, c.owning_agency.kind, c.subject.police_force_area)
            for c in Case.objects.select_related("subject", "owning_agency").order_by("number")
        ]
        grants = [
            GrantRow(
                g.case_id,
                g.agency_id,
                g.user_id,
                g.level,
                g.starts_at,
                g.ends_at,
                g.revoked_at,
                g.includes_special_category,
            )
            for g in ShareGrant.objects.all()
        ]
        # A provider sees a case through an element naming them while it is delivered: active, not past its
        # end date, and the case at consent sought, support active or under review.
        today = timezone.localdate()
        rows = SupportElement.objects.values_list(
            "plan__case_id", "provider_user_id", "status", "ends_on", "plan__case__stage"
        )
        provided = {
            (case_id, user_id)
            for case_id, user_id, status, ends_on, stage in rows
            if user_id is not None
            and status == "active"
            and (ends_on is None or ends_on >= today)
            and stage in ("consent_sought", "support_active", "under_review")
        }
        return cls([by_name[p.username] for p in PERSONAS], cases, grants, provided)

    def level(self, user: User, case: CaseRow, now: datetime) -> str | None:
        """How the design lets this user see this case, or None."""
        if not user.is_active or user.role in ("auditor", "administrator"):
            return None
        agency = user.agency
        ways: set[str] = set()
        council = agency.kind == "local_authority"
        if user.role in ("prevent_coordinator", "panel_chair") and council and case.owner_id == agency.pk:
            ways.add("owner")
        force = agency.police_force_area if agency.kind == "police" else ""
        if user.role == "police_practitioner" and force and force == case.force_area:
            ways.add("police")
        for grant in self.grants:
            to_them = grant.user_id == user.pk or grant.agency_id == agency.pk
            if grant.case_id == case.pk and to_them and grant.in_force(now):
                ways.add(grant.level)
        if user.role == "intervention_provider" and (case.pk, user.pk) in self.provided:
            ways.add("provider")
        return next((way for way in STRONGEST_FIRST if way in ways), None)

    def sees_special(self, user: User, case: CaseRow, now: datetime) -> str | None:
        """By which way the design lets this user see this case's special-category details, or None: the
        owning council's, or a full grant in force that includes them. Never the police for the area as such."""
        if not user.is_active or user.role not in SEES_SPECIAL:
            return None
        agency = user.agency
        owner = user.role in ("prevent_coordinator", "panel_chair") and agency.kind == "local_authority"
        if owner and case.owner_id == agency.pk:
            return "owner"
        for grant in self.grants:
            to_them = grant.user_id == user.pk or grant.agency_id == agency.pk
            if grant.case_id == case.pk and to_them and grant.in_force(now) and grant.level == "full" and grant.special:
                return "grant"
        return None

    def outcome(self, user: User, level: str | None, action: str) -> str:
        if level is None:
            return "404"
        return "ok" if action in ROLE_TABLE[user.role] and action in LEVEL_TABLE[level] else "403"


def actual_outcome(user: User, case: CaseRow, action: str) -> tuple[str, str | None]:
    try:
        found = access_case(user, case.reference, action=Capability(action))
    except Http404:
        return "404", None
    except PermissionDenied:
        return "403", None
    return "ok", getattr(found, "access_level", None)


class PermissionMatrixTestCase(TestCase):
    world: World

    @classmethod
    def setUpTestData(cls) -> None:
        call_command("seed_demo", stdout=io.StringIO())
        cls.world = World.load()

    def check_matrix(self, users: list[User]) -> Counter[str]:
        world, now = self.world, timezone.now()
        seen: Counter[str] = Counter()
        mismatches: list[str] = []
        for user in users:
            for case in world.cases:
                level = world.level(user, case, now)
                seen[f"level:{level}"] += 1
                for action in CASE_ACTIONS:
                    expected = world.outcome(user, level, action)
                    got, got_level = actual_outcome(user, case, action)
                    seen[expected] += 1
                    if got != expected:
                        mismatches.append(f"{user.username} {case.number} {action}: expected {expected}, got {got}")
                    elif got == "ok" and got_level != level:
                        mismatches.append(f"{user.username} {case.number} {action}: level {level}, got {got_level}")
        checked = len(users) * len(world.cases) * len(CASE_ACTIONS)
        if mismatches:
            self.fail(f"{len(mismatches)} of {checked} cells differ from the policy:\n" + "\n".join(mismatches))
        return seen

    def test_every_persona_case_and_action_follows_the_policy_tables(self) -> None:
        users, cases = self.world.users, self.world.cases
        self.assertEqual(len(users), len(PERSONAS))
        self.assertGreaterEqual(len(cases), 30)
        seen = self.check_matrix(users)
        self.assertEqual(seen.total(), len(users) * len(cases) * (len(CASE_ACTIONS) + 1))
        # The demo exercises every way of seeing a case, and every answer.
        for level in [*STRONGEST_FIRST, None]:
            self.assertGreater(seen[f"level:{level}"], 0, level)
        for outcome in ("ok", "403", "404"):
            self.assertGreater(seen[outcome], 0, outcome)

    def test_the_case_list_shows_exactly_the_cases_the_policy_lets_each_persona_see(self) -> None:
        now = timezone.now()
        for user in self.world.users:
            expected = {c.pk for c in self.world.cases if self.world.level(user, c, now) is not None}
            with CaptureQueriesContext(connection) as queries:
                got = set(visible_cases(user).values_list("pk", flat=True))
            self.assertLessEqual(len(queries), 1, "one query (none for a role that sees no cases)")
            self.assertEqual(got, expected, user.username)

    def test_for_an_action_the_list_holds_only_the_cases_where_the_action_is_allowed(self) -> None:
        now = timezone.now()
        mismatches = []
        for user in self.world.users:
            levels = {c.pk: self.world.level(user, c, now) for c in self.world.cases}
            for action in CASE_ACTIONS:
                expected = {pk for pk, level in levels.items() if self.world.outcome(user, level, action) == "ok"}
                got = set(visible_cases(user, action=Capability(action)).values_list("pk", flat=True))
                if got != expected:
                    extra, missing = sorted(got - expected), sorted(expected - got)
                    mismatches.append(f"{user.username} {action}: extra {extra}, missing {missing}")
        if mismatches:
            self.fail(f"{len(mismatches)} lists differ from the policy:\n" + "\n".join(mismatches))

    def test_after_break_glass_the_chair_holds_a_full_grant_to_another_councils_case_and_no_more(self) -> None:
        chair = next(u for u in self.world.users if u.username == "chair")
        southmere = next(c for c in self.world.cases if c.owner_id != chair.agency_id)
        services.break_glass(
            case=Case.objects.get(pk=southmere.pk), actor=chair, reason="Immediate risk reported out of hours."
        )
        self.world = World.load()
        self.assertEqual(self.world.level(chair, southmere, timezone.now()), "full")
        self.check_matrix([chair])
        # The owner's pending access requests are theirs to answer: a full grant does not list them for the chair.
        health = next(u for u in self.world.users if u.username == "health")
        services.request_access(
            case=Case.objects.get(pk=southmere.pk), number=southmere.number, requester=health, reason="Health input."
        )
        answerable = set(visible_cases(chair, action=Capability.SHARE).values_list("pk", flat=True))
        self.assertNotIn(southmere.pk, answerable)
        self.client.force_login(chair)
        self.assertEqual(self.client.get("/sharing/requests/").context["to_answer"], [])

    def test_related_people_show_exactly_where_the_whole_case_does(self) -> None:
        # Related people (issue 16) are part of the whole record: the tab answers as view_full does, and a
        # person who sees only the summary or their own support never reads a related person's name.
        now, codes = timezone.now(), {"ok": 200, "403": 403, "404": 404}
        named = {case_id: name for case_id, name in RelatedPerson.objects.values_list("case_id", "name")}
        self.assertTrue(named, "the demo records related people for children")
        seen: Counter[str] = Counter()
        mismatches = []
        for user in self.world.users:
            self.client.force_login(user)
            for case in (c for c in self.world.cases if c.pk in named):
                level = self.world.level(user, case, now)
                expected = self.world.outcome(user, level, "view_full")
                seen[f"{expected}:{level}"] += 1
                got = self.client.get(f"/cases/{case.reference}/related/")
                if got.status_code != codes[expected]:
                    mismatches.append(f"{user.username} {case.number}: expected {expected}, got {got.status_code}")
                elif expected == "ok" and named[case.pk] not in got.content.decode():
                    mismatches.append(f"{user.username} {case.number}: the related person is not listed")
                if expected != "ok" and self.world.outcome(user, level, "view") == "ok":
                    summary = self.client.get(f"/cases/{case.reference}/").content.decode()
                    if named[case.pk] in summary or "Related people" in summary:
                        mismatches.append(f"{user.username} {case.number}: the summary names a related person")
        if mismatches:
            self.fail("\n".join(mismatches))
        for level in ("owner", "police"):
            self.assertGreater(seen[f"ok:{level}"], 0, level)
        self.assertGreater(seen["404:None"], 0)

    def test_a_hidden_case_gives_the_same_404_page_as_a_missing_one(self) -> None:
        now = timezone.now()
        for username in ("health", "education", "provider", "southmere-coordinator", "auditor", "admin"):
            user = next(u for u in self.world.users if u.username == username)
            hidden = next(c for c in self.world.cases if self.world.level(user, c, now) is None)
            self.client.force_login(user)
            for tab in ("", "plan/", "sharing/"):
                other = uuid.uuid4()
                shown = self.client.get(f"/cases/{hidden.reference}/{tab}")
                missing = self.client.get(f"/cases/{other}/{tab}")
                self.assertEqual((shown.status_code, missing.status_code), (404, 404), (username, tab))
                # The same but for the reference from the address, which the "Ask for access" link carries.
                shown_page = shown.content.replace(str(hidden.reference).encode(), b"<reference>")
                missing_page = missing.content.replace(str(other).encode(), b"<reference>")
                self.assertEqual(shown_page, missing_page, (username, tab))
                self.assertNotContains(shown, hidden.number, status_code=404)

    def test_the_sensitive_details_follow_the_policy_for_every_persona_and_case(self) -> None:
        world, now = self.world, timezone.now()
        seen: Counter[str] = Counter()
        mismatches: list[str] = []
        for user in world.users:
            listed = set(special_category_cases(user).values_list("pk", flat=True))
            for case_row in world.cases:
                way = world.sees_special(user, case_row, now)
                level = world.level(user, case_row, now)
                seen[f"special:{way}:{level}"] += 1
                case = Case.objects.select_related("subject", "owning_agency").get(pk=case_row.pk)
                answers = {
                    "list": case_row.pk in listed,
                    "template": can_see_special_category(user, case),
                }
                if level is not None:
                    try:
                        access_special_category(user, case)
                        answers["gate"] = True
                    except PermissionDenied:
                        answers["gate"] = False
                for how, got in answers.items():
                    if got != (way is not None):
                        mismatches.append(f"{user.username} {case_row.number} {how}: expected {way}, got {got}")
        if mismatches:
            self.fail(f"{len(mismatches)} answers differ from the policy:\n" + "\n".join(mismatches))
        # The demo exercises the owner's way, a grant that includes them, a full grant that does not, and the
        # police for the area, who see the case but not its sensitive details.
        self.assertGreater(seen["special:owner:owner"], 0)
        self.assertGreater(seen["special:grant:full"], 0)
        self.assertGreater(seen["special:None:full"], 0)
        self.assertGreater(seen["special:None:police"], 0)
