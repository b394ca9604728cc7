"""The chair's dashboard: every figure counts only the cases the viewer may see, links to the case list
filtered the same way, and costs a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.test import override_settings
from django.utils import timezone

from audit.models import AuditEntry, Outcome
from cases.models import Case, Review, ReviewKind, Stage, SupportElement
from cases.services import casework
from sharing import services as sharing_services
from sharing.models import Level
from tests.base import BaseTestCase
from tests.cases.helpers import make_case
from tests.cases.meeting_helpers import on_agenda, plan_meeting
from tests.sharing.grant_helpers import share


class DashboardTestCase(BaseTestCase):
    def setUp(self) -> None:
        now = timezone.now()
        self.waiting = make_case(owner=self.casey, stage=Stage.POLICE_SCREENING)
        Case.objects.filter(pk=self.waiting.pk).update(stage_changed_at=now - timedelta(days=6))
        self.fresh = make_case(owner=self.casey, stage=Stage.POLICE_SCREENING)
        # Stalled support is judged per element from its sessions: this one started 31 days ago and has had
        # none; the active case's support started today, however long ago anything else happened on it.
        self.stalled = make_case(owner=self.casey, stage=Stage.SUPPORT_ACTIVE)
        SupportElement.objects.filter(plan__case=self.stalled).update(
            starts_on=timezone.localdate() - timedelta(days=31)
        )
        self.active = make_case(owner=self.casey, stage=Stage.SUPPORT_ACTIVE)
        Case.objects.filter(pk=self.active.pk).update(last_activity_at=now - timedelta(days=90))
        self.listed = make_case(owner=self.casey, stage=Stage.LISTED_FOR_PANEL)
        self.repeat = make_case(owner=self.casey, existing_subject=self.listed.subject)
        self.exited = make_case(owner=self.casey, stage=Stage.EXITED)
        Review.objects.filter(case=self.exited, kind=ReviewKind.POST_EXIT_6).update(
            due_on=timezone.localdate() - timedelta(days=1)
        )
        casework.add_action(
            case=self.active,
            actor=self.casey,
            description="Overdue action",
            owner_agency=self.council,
            due_on=timezone.localdate() - timedelta(days=3),
        )
        # Another council's cases never count.
        self.theirs = make_case(owner=self.olly, stage=Stage.POLICE_SCREENING, force_area="Otherton")
        Case.objects.filter(pk=self.theirs.pk).update(stage_changed_at=now - timedelta(days=20))

    def get(self) -> Any:
        self.client.force_login(self.charlie)
        response = self.client.get("/cases/dashboard/")
        self.assertEqual(response.status_code, 200)
        return response.context

    def listed_numbers(self, query: str) -> set[str]:
        self.client.force_login(self.charlie)
        return {case.number for case in self.client.get(f"/cases/?{query}").context["cases"]}

    def test_the_figures_count_only_the_viewers_cases(self) -> None:
        context = self.get()
        stages = dict(context["stages"])
        self.assertEqual(stages[Stage.POLICE_SCREENING], 2)
        self.assertEqual(stages[Stage.SUPPORT_ACTIVE], 2)
        self.assertEqual(sum(stages.values()), 7)
        self.assertEqual(context["waiting_screening"], 1)
        self.assertEqual(context["stalled"], 1)
        self.assertEqual(context["repeats"], 1)
        self.assertEqual(context["overdue_action_count"], 1)
        reviews = {kind: (due, overdue) for kind, due, overdue in context["reviews"]}
        self.assertEqual(reviews[ReviewKind.POST_EXIT_6], (0, 1))
        self.assertEqual(context["chart"]["total"], 7)

    def test_each_figure_links_to_the_same_cases_in_the_list(self) -> None:
        self.assertEqual(self.listed_numbers("flag=screening"), {self.waiting.number})
        self.assertEqual(self.listed_numbers("flag=stalled"), {self.stalled.number})
        self.assertEqual(self.listed_numbers("flag=repeat"), {self.repeat.number})
        self.assertEqual(self.listed_numbers("overdue=on"), {self.active.number})
        self.assertEqual(self.listed_numbers("flag=reviews_overdue"), {self.exited.number})
        self.assertEqual(
            self.listed_numbers(f"stage={Stage.POLICE_SCREENING.value}"), {self.waiting.number, self.fresh.number}
        )
        month = timezone.localdate().strftime("%Y-%m")
        self.assertEqual(len(self.listed_numbers(f"received={month}")), 7)
        page = self.client.get("/cases/dashboard/")
        for query in ("?flag=screening", "?flag=stalled", "?flag=repeat", "?flag=reviews_overdue"):
            self.assertContains(page, f'href="/cases/{query}"')
        # Overdue actions count actions, so they open the list of actions (below), not of cases.
        self.assertContains(page, 'href="/cases/dashboard/overdue-actions/"')
        self.assertContains(page, f'href="/cases/?received={month}"')

    def test_stalled_support_counts_only_cases_seen_in_full(self) -> None:
        # Stalled is read from the plan's sessions: a summary-level grantee, who does not see the plan,
        # must not learn it from the figure or the filter.
        def olly_sees() -> tuple[int, set[str]]:
            self.client.force_login(self.olly)
            stalled = self.client.get("/cases/dashboard/").context["stalled"]
            return stalled, {case.number for case in self.client.get("/cases/?flag=stalled").context["cases"]}

        summary = share(self.stalled, actor=self.casey, user=self.olly, level=Level.SUMMARY)
        self.assertEqual(olly_sees(), (0, set()))
        sharing_services.revoke_grant(grant=summary, actor=self.casey)
        share(self.stalled, actor=self.casey, user=self.olly, level=Level.FULL)
        self.assertEqual(olly_sees(), (1, {self.stalled.number}))

    @override_settings(SCREENING_WAIT_DAYS=10, STALLED_SUPPORT_DAYS=60)
    def test_the_thresholds_are_settings(self) -> None:
        context = self.get()
        self.assertEqual((context["waiting_screening"], context["stalled"]), (0, 0))

    def test_the_chart_has_its_numbers_as_a_table(self) -> None:
        self.client.force_login(self.charlie)
        page = self.client.get("/cases/dashboard/")
        self.assertContains(page, 'role="img"')
        self.assertContains(page, '<caption class="govuk-table__caption govuk-table__caption--s">Referrals by month')
        self.assertContains(page, "Islamist")

    def test_it_shows_the_next_meetings_agenda(self) -> None:
        meeting = plan_meeting(organiser=self.casey, chair=self.charlie)
        on_agenda(meeting, self.listed, actor=self.casey)
        context = self.get()
        self.assertEqual(context["meeting"], meeting)
        self.assertEqual([item.case for item in context["agenda"]], [self.listed])
        entry = AuditEntry.objects.filter(event="dashboard.viewed").latest("id")
        self.assertEqual(entry.additional_data["shown"], [self.listed.number, self.active.number])

    def test_permission_trio_and_audit(self) -> None:
        # Service-wide, so there is no 404: roles without the dashboard get 403, and it is recorded.
        for user in (self.harper, self.pat, self.audrey):
            self.client.force_login(user)
            self.assertEqual(self.client.get("/cases/dashboard/").status_code, 403, user.username)
        self.client.force_login(self.casey)
        self.assertEqual(self.client.get("/cases/dashboard/").status_code, 200)
        denied = AuditEntry.objects.filter(event="view_dashboard.denied", outcome=Outcome.DENIED)
        self.assertEqual(set(denied.values_list("actor__username", flat=True)), {"harper", "pat", "audrey"})
        self.assertTrue(AuditEntry.objects.filter(event="dashboard.viewed", actor=self.casey).exists())

    def test_query_count_is_pinned_and_does_not_grow_with_the_cases(self) -> None:
        meeting = plan_meeting(organiser=self.casey, chair=self.charlie)
        on_agenda(meeting, self.listed, actor=self.casey)
        self.client.force_login(self.charlie)
        self.client.get("/cases/dashboard/")
        stages = (Stage.SUPPORT_ACTIVE, Stage.UNDER_REVIEW, Stage.LISTED_FOR_PANEL, Stage.EXITED)
        for stage, total in zip(stages, (12, 18, 24, 30), strict=True):
            while Case.objects.filter(owning_agency=self.council).count() < total:
                case = make_case(owner=self.casey, stage=stage)
                casework.add_action(
                    case=case,
                    actor=self.casey,
                    description="Overdue",
                    owner_agency=self.council,
                    due_on=timezone.localdate() - timedelta(days=1),
                )
            if stage == Stage.LISTED_FOR_PANEL:
                on_agenda(meeting, case, actor=self.casey)
            # 1 session, 2 user and agency, 3 stages, 4 referrals by month and concern, 5 waiting for
            # screening, 6 stalled, 7 repeats, 8 overdue action count, 9 the ten most overdue, 10 reviews
            # by kind, 11 next meeting, 12 its agenda, 13-15 the audit entry in its savepoint.
            with self.assertNumQueries(15):
                self.client.get("/cases/dashboard/")

    # --- issue 15, finding 8 ----------------------------------------------------------------------------

    def add_overdue(self, case: Case, description: str, days: int, **owner: Any) -> None:
        casework.add_action(
            case=case,
            actor=self.casey,
            description=description,
            owner_agency=owner.pop("agency", self.council),
            due_on=timezone.localdate() - timedelta(days=days),
            **owner,
        )

    def test_the_overdue_count_is_the_number_of_rows_the_link_opens(self) -> None:
        # Two more on the same case as setUp's: the count was once of actions while its link listed cases.
        self.add_overdue(self.active, "Book the mentor's first session", 5, owner_user=self.casey)
        self.add_overdue(self.stalled, "Ask the school for attendance records", 9)
        self.client.force_login(self.charlie)
        page = self.client.get("/cases/dashboard/")
        self.assertContains(page, "3 actions on 2 cases")
        listed = self.client.get("/cases/dashboard/overdue-actions/")
        self.assertEqual(listed.status_code, 200)
        self.assertEqual(len(listed.context["actions"]), 3)
        self.assertEqual(listed.content.decode().count('<tr class="govuk-table__row">') - 1, 3)
        for description in ("Overdue action", "Book the mentor&#x27;s first session", "Ask the school for attendance"):
            self.assertContains(listed, description)
            self.assertContains(page, description)
        self.assertContains(listed, f"{self.casey.get_full_name()} (Testshire Council)")
        self.assertContains(listed, self.stalled.number)

    def test_the_dashboard_shows_what_each_overdue_action_is_and_whose(self) -> None:
        self.add_overdue(self.active, "Share the GP's view", 2, agency=self.health, owner_user=self.harper)
        self.client.force_login(self.charlie)
        page = self.client.get("/cases/dashboard/")
        self.assertContains(page, "Share the GP&#x27;s view")
        self.assertContains(page, f"{self.harper.get_full_name()} (Testshire Health)")
        self.assertNotContains(page, ">harper<")

    def test_the_next_meeting_comes_first(self) -> None:
        plan_meeting(organiser=self.casey, chair=self.charlie)
        self.client.force_login(self.charlie)
        html = self.client.get("/cases/dashboard/").content.decode()
        self.assertLess(html.index("Next panel meeting"), html.index("Needs attention"))
        self.assertLess(html.index("Next panel meeting"), html.index("Cases by stage"))

    def test_the_overdue_actions_page_permissions_and_audit(self) -> None:
        url = "/cases/dashboard/overdue-actions/"
        for user in (self.harper, self.pat, self.audrey):
            self.client.force_login(user)
            self.assertEqual(self.client.get(url).status_code, 403, user.username)
        # Another council's coordinator gets the page, with none of Testshire's actions on it.
        self.client.force_login(self.olly)
        self.assertNotContains(self.client.get(url), self.active.number)
        self.client.force_login(self.charlie)
        self.assertContains(self.client.get(url), self.active.number)
        denied = AuditEntry.objects.filter(event="view_dashboard.denied", outcome=Outcome.DENIED)
        self.assertEqual(set(denied.values_list("actor__username", flat=True)), {"harper", "pat", "audrey"})
        listed = AuditEntry.objects.filter(event="action.overdue_listed").order_by("id")
        self.assertEqual(
            [(e.actor.username, e.additional_data["shown"]) for e in listed],
            [("olly", []), ("charlie", [self.active.number])],
        )
