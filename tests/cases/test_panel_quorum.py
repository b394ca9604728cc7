"""The quorum a council's panel works to: a deputy chair present counts as the chair (and may run the
sitting), and the panel's own requirement (agency kinds present, a smallest number present) joins the
statutory chair and police for the subject's area (CTSA 2015 s.37(3), (7)). Set up in the admin."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from audit.models import AuditEntry
from cases.models import Attendance, DecisionOutcome, Panel, Stage
from cases.services import decisions, meetings
from partners import services
from partners.models import AgencyKind, Role
from tests.base import BaseTestCase
from tests.cases.helpers import decide, make_case, panel_item
from tests.factories import make_agency, make_user


class PanelQuorumTestCase(BaseTestCase):
    def setUp(self) -> None:
        # Dana is a panel chair of Testshire Council and its panel's deputy chair.
        self.dana = make_user(agency=self.council, role=Role.PANEL_CHAIR, username="dana", first_name="Dana")
        self.case = make_case(owner=self.casey, stage=Stage.LISTED_FOR_PANEL)
        self.item = panel_item(self.case, chair=self.charlie, police=self.pat)
        self.meeting = self.item.meeting

    def present(self, *users: object) -> None:
        Attendance.objects.filter(meeting=self.meeting).delete()
        Attendance.objects.bulk_create([Attendance(meeting=self.meeting, user=u, present=True) for u in users])  # type: ignore[misc]

    def problems(self) -> list[str]:
        return decisions.quorum_problems(meeting=self.meeting, case=self.case)

    def test_a_deputy_chair_present_counts_as_the_chair(self) -> None:
        self.present(self.dana, self.pat)
        self.assertEqual(
            self.problems(),
            ["A panel decision needs the chair, or a deputy chair of the panel, present (CTSA 2015 s.37)."],
        )
        panel = Panel.objects.create(council=self.council)
        panel.deputy_chairs.add(self.dana)
        self.assertEqual(self.problems(), [])
        # The deputy runs the sitting in the chair's absence: the decision is recorded and valid.
        decide(self.case, DecisionOutcome.ADOPT, actor=self.dana, agenda_item=self.item)
        self.case.refresh_from_db()
        self.assertEqual(self.case.stage, Stage.ADOPTED)

    def test_a_deputy_who_may_no_longer_chair_does_not_count(self) -> None:
        panel = Panel.objects.create(council=self.council)
        panel.deputy_chairs.add(self.dana)
        self.present(self.dana, self.pat)
        type(self.dana).objects.filter(pk=self.dana.pk).update(role=Role.PREVENT_COORDINATOR)
        self.assertIn("chair", self.problems()[0])
        type(self.dana).objects.filter(pk=self.dana.pk).update(role=Role.PANEL_CHAIR, is_active=False)
        self.assertIn("chair", self.problems()[0])

    def test_another_councils_deputy_does_not_count(self) -> None:
        other = Panel.objects.create(council=self.other_council)
        other.deputy_chairs.add(self.dana)
        self.present(self.dana, self.pat)
        self.assertIn("chair", self.problems()[0])

    def test_the_panels_own_rule_needs_each_agency_kind_and_the_minimum(self) -> None:
        Panel.objects.create(
            council=self.council,
            quorum_agency_kinds=[AgencyKind.HEALTH, AgencyKind.EDUCATION],
            quorum_minimum_present=4,
        )
        self.assertEqual(
            self.problems(),
            [
                "This panel's quorum needs someone from health present (the panel's own rule).",
                "This panel's quorum needs someone from education present (the panel's own rule).",
                "This panel's quorum needs at least 4 people present: 2 are recorded (the panel's own rule).",
            ],
        )
        college = make_agency(kind=AgencyKind.EDUCATION, name="Testshire College", code="tcol")
        school = make_user(agency=college, role=Role.PANEL_MEMBER)
        self.present(self.charlie, self.pat, self.harper, school)
        self.assertEqual(self.problems(), [])
        with self.assertRaisesMessage(ValidationError, "someone from health"):
            self.present(self.charlie, self.pat, school, self.casey)
            decide(self.case, DecisionOutcome.ADOPT, actor=self.charlie, agenda_item=self.item)

    def test_attendance_cannot_leave_a_decision_without_the_panels_own_quorum(self) -> None:
        Panel.objects.create(council=self.council, quorum_agency_kinds=[AgencyKind.HEALTH])
        meetings.invite(meeting=self.meeting, actor=self.casey, user=self.harper)
        meetings.invite(meeting=self.meeting, actor=self.casey, user=self.pat)
        self.present(self.charlie, self.pat, self.harper)
        decide(self.case, DecisionOutcome.ADOPT, actor=self.charlie, agenda_item=self.item)
        with self.assertRaisesMessage(ValidationError, f"The decision on {self.case.number} was taken"):
            meetings.record_attendance(meeting=self.meeting, actor=self.charlie, present=[self.charlie, self.pat])
        meetings.record_attendance(
            meeting=self.meeting, actor=self.charlie, present=[self.charlie, self.pat, self.harper]
        )

    def test_the_meeting_and_attendance_pages_say_the_panels_rule(self) -> None:
        Panel.objects.create(council=self.council, quorum_agency_kinds=[AgencyKind.HEALTH], quorum_minimum_present=3)
        self.client.force_login(self.charlie)
        url = f"/cases/meetings/{self.meeting.reference}/"
        for page in (url, f"{url}attendance/"):
            response = self.client.get(page)
            self.assertContains(response, "This panel&#x27;s quorum needs someone from health present")
            self.assertContains(response, "at least 3 people present")


class PanelAdminTestCase(BaseTestCase):
    ADD = "/admin/cases/panel/add/"

    def setUp(self) -> None:
        services.sync_user_groups(user=self.ada)
        self.client.force_login(self.ada)
        self.dana = make_user(agency=self.council, role=Role.PANEL_CHAIR, username="dana")
        self.oscar = make_user(agency=self.other_council, role=Role.PANEL_CHAIR, username="oscar")

    def row(self, **fields: object) -> dict[str, object]:
        return {
            "council": self.council.pk,
            "deputy_chairs": [self.dana.pk],
            "review_interval_weeks": 12,
            "reassessment_after_weeks": 12,
            "review_window_days": 28,
            "quorum_agency_kinds": ["health"],
            "quorum_minimum_present": 3,
            **fields,
        }

    def test_an_administrator_sets_up_the_panel_and_the_change_is_audited_with_its_values(self) -> None:
        form = self.client.get(self.ADD)
        self.assertContains(form, "Children&#x27;s social care")
        self.assertEqual(self.client.post(self.ADD, self.row()).status_code, 302)
        panel = Panel.objects.get()
        self.assertEqual((panel.quorum_agency_kinds, list(panel.deputy_chairs.all())), (["health"], [self.dana]))
        entry = AuditEntry.objects.get(event="model.created", content_type__model="panel")
        self.assertEqual(str(entry.changes["quorum_minimum_present"][1]), "3")
        self.assertEqual(entry.changes["quorum_agency_kinds"], [None, ["health"]])
        deputies = AuditEntry.objects.get(event="model.updated", content_type__model="panel")
        self.assertEqual(deputies.changes["deputy_chairs"]["objects"], ["dana"])
        self.assertEqual(entry.actor, self.ada)
        change = f"/admin/cases/panel/{panel.pk}/change/"
        self.assertNotContains(self.client.get(change), "oscar")
        self.assertEqual(self.client.get(f"/admin/cases/panel/{panel.pk}/delete/").status_code, 403)

    def test_a_deputy_from_another_council_or_who_may_not_chair_is_refused(self) -> None:
        response = self.client.post(self.ADD, self.row(deputy_chairs=[self.oscar.pk]))
        self.assertContains(response, "Deputy chairs must be panel chairs of Testshire Council")
        response = self.client.post(self.ADD, self.row(deputy_chairs=[self.casey.pk]))
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Panel.objects.exists())

    def test_a_coordinator_cannot_reach_the_panel_admin(self) -> None:
        self.client.force_login(self.casey)
        self.assertNotEqual(self.client.get(self.ADD).status_code, 200)
