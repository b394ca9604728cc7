"""Building a meeting's agenda: which cases are offered, adding and removing them, and the page."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from audit.models import AuditEntry, Outcome
from cases.models import AgendaItem, AgendaKind, Case, Review, ReviewKind, Stage
from cases.services import meetings
from sharing.access import visible_cases
from sharing.models import ShareGrant
from tests.base import BaseTestCase
from tests.cases.helpers import make_case
from tests.cases.meeting_helpers import on_agenda, plan_meeting
from tests.sharing.grant_helpers import has_permission


class BuildAgendaTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.meeting = plan_meeting(organiser=self.casey, chair=self.charlie)
        self.listed = make_case(owner=self.casey, stage=Stage.LISTED_FOR_PANEL)
        self.review = make_case(owner=self.casey, stage=Stage.UNDER_REVIEW)
        self.deferred = make_case(owner=self.casey, stage=Stage.DEFERRED)
        self.reassess = make_case(owner=self.casey, stage=Stage.REASSESSMENT_SCHEDULED)
        self.post_exit = make_case(owner=self.casey, stage=Stage.POST_EXIT_REVIEW_6)
        self.active = make_case(owner=self.casey, stage=Stage.SUPPORT_ACTIVE)
        self.theirs = make_case(owner=self.olly, stage=Stage.LISTED_FOR_PANEL, force_area="Otherton")

    def candidates(self) -> dict[AgendaKind, list[str]]:
        groups = meetings.agenda_candidates(cases=visible_cases(self.casey), meeting=self.meeting)
        return {kind: [case.number for case in cases] for kind, cases in groups}

    # --- service ------------------------------------------------------------------------------------

    def test_it_offers_cases_listed_deferred_under_review_reassessed_and_with_post_exit_reviews(self) -> None:
        self.assertEqual(
            self.candidates(),
            {
                AgendaKind.LISTED: [self.listed.number],
                AgendaKind.REVIEW: [self.review.number],
                AgendaKind.REASSESSMENT: [self.reassess.number],
                AgendaKind.DEFERRED: [self.deferred.number],
                AgendaKind.POST_EXIT_REVIEW: [self.post_exit.number],
            },
        )

    def test_a_post_exit_case_whose_reviews_are_done_is_not_offered(self) -> None:
        kinds = [ReviewKind.POST_EXIT_6, ReviewKind.POST_EXIT_12]
        Review.objects.filter(case=self.post_exit, kind__in=kinds).update(completed_on="2026-01-01")
        self.assertNotIn(AgendaKind.POST_EXIT_REVIEW, self.candidates())

    def test_it_adds_cases_in_order_and_no_longer_offers_them(self) -> None:
        items = on_agenda(self.meeting, self.review, self.listed, actor=self.casey)
        self.assertEqual(
            [(i.case, i.kind, i.position) for i in items],
            [
                (self.review, AgendaKind.REVIEW, 1),
                (self.listed, AgendaKind.LISTED, 2),
            ],
        )
        self.assertNotIn(AgendaKind.LISTED, self.candidates())
        more = on_agenda(self.meeting, self.post_exit, actor=self.casey)
        self.assertEqual(more[0].position, 3)
        entries = AuditEntry.objects.filter(event="meeting.agenda_item_added").order_by("id")
        self.assertEqual(
            list(entries.values_list("case_reference", "actor__username")),
            [(self.review.number, "casey"), (self.listed.number, "casey"), (self.post_exit.number, "casey")],
        )

    def test_deferred_cases_and_reassessments_are_listed_for_panel_again(self) -> None:
        items = on_agenda(self.meeting, self.deferred, self.reassess, actor=self.casey)
        self.assertEqual([i.kind for i in items], [AgendaKind.DEFERRED, AgendaKind.REASSESSMENT])
        for case in (self.deferred, self.reassess):
            case.refresh_from_db()
            self.assertEqual(case.stage, Stage.LISTED_FOR_PANEL)
            self.assertTrue(case.stage_changes.filter(to_stage=Stage.LISTED_FOR_PANEL, actor=self.casey).exists())

    def test_it_refuses_cases_not_for_a_panel_another_councils_and_duplicates(self) -> None:
        for case, message in (
            (self.active, "not for a panel to discuss"),
            (self.theirs, "belongs to another council's panel"),
        ):
            with self.subTest(case=case.number), self.assertRaisesMessage(ValidationError, message):
                on_agenda(self.meeting, case, actor=self.casey)
        on_agenda(self.meeting, self.listed, actor=self.casey)
        with self.assertRaisesMessage(ValidationError, "already on this agenda"):
            on_agenda(self.meeting, self.listed, actor=self.casey)
        self.assertEqual(self.meeting.items.count(), 1)

    def test_an_undecided_item_can_be_removed_and_it_is_audited(self) -> None:
        [item] = on_agenda(self.meeting, self.listed, actor=self.casey)
        meetings.remove_from_agenda(item=item, actor=self.casey)
        self.assertFalse(self.meeting.items.exists())
        entry = AuditEntry.objects.get(event="meeting.agenda_item_removed")
        self.assertEqual((entry.case_reference, entry.object_pk), (self.listed.number, str(self.meeting.pk)))

    def test_removing_an_item_ends_the_meeting_grants_for_its_case_now(self) -> None:
        removed, kept = on_agenda(self.meeting, self.listed, self.review, actor=self.casey)
        meetings.invite(meeting=self.meeting, actor=self.casey, user=self.harper, items=[removed, kept])
        meetings.circulate_agenda(meeting=self.meeting, actor=self.casey)
        # The same case at another meeting keeps that meeting's grant.
        later = plan_meeting(organiser=self.casey, chair=self.charlie, days_ahead=21)
        [elsewhere] = on_agenda(later, self.listed, actor=self.casey)
        meetings.invite(meeting=later, actor=self.casey, user=self.olly, items=[elsewhere])
        meetings.circulate_agenda(meeting=later, actor=self.casey)
        ended = ShareGrant.objects.get(meeting=self.meeting, case=self.listed)

        meetings.remove_from_agenda(item=removed, actor=self.casey)

        self.assertEqual(set(visible_cases(self.harper).values_list("number", flat=True)), {self.review.number})
        ended.refresh_from_db()
        self.assertEqual((ended.is_active, ended.revoked_by), (False, self.casey))
        self.assertFalse(has_permission(ended), "the guardian permission goes with the grant")
        for grant in ShareGrant.objects.exclude(pk=ended.pk):
            self.assertTrue(grant.is_active and has_permission(grant), grant.case.number)
        self.assertIn(self.listed.number, visible_cases(self.olly).values_list("number", flat=True))
        revoked = AuditEntry.objects.filter(event="sharing.revoked")
        self.assertEqual(
            list(revoked.values_list("case_reference", "actor__username")), [(self.listed.number, "casey")]
        )

    # --- page ---------------------------------------------------------------------------------------

    def url(self) -> str:
        return f"/cases/meetings/{self.meeting.reference}/agenda/"

    def test_the_organiser_adds_cases_from_the_page(self) -> None:
        self.client.force_login(self.casey)
        page = self.client.get(self.url())
        self.assertContains(page, self.listed.number)
        self.assertNotContains(page, self.theirs.number)
        self.assertNotContains(page, self.active.number)
        response = self.client.post(self.url(), {"cases": [str(self.listed.reference), str(self.review.reference)]})
        self.assertRedirects(response, f"/cases/meetings/{self.meeting.reference}/")
        self.assertEqual(
            set(self.meeting.items.values_list("case__number", flat=True)), {self.listed.number, self.review.number}
        )

    def test_a_case_the_organiser_cannot_see_cannot_be_forged_onto_the_agenda(self) -> None:
        self.client.force_login(self.casey)
        response = self.client.post(self.url(), {"cases": [str(self.theirs.reference)]})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self.meeting.items.exists())

    def test_permission_trio_and_audit(self) -> None:
        # A police practitioner invited as a core member sees the meeting but may not organise it.
        meetings.invite(meeting=self.meeting, actor=self.casey, user=self.pat)
        self.client.force_login(self.pat)
        self.assertEqual(self.client.get(self.url()).status_code, 403)
        self.client.force_login(self.olly)
        self.assertEqual(self.client.get(self.url()).status_code, 404)
        self.client.force_login(self.charlie)
        self.assertEqual(self.client.get(self.url()).status_code, 200)
        rows = list(
            AuditEntry.objects.filter(event__startswith="meeting.organise")
            .order_by("id")
            .values_list("actor__username", "outcome")
        )
        self.assertEqual(rows, [("pat", Outcome.DENIED), ("olly", Outcome.DENIED), ("charlie", Outcome.ALLOWED)])
        self.assertEqual(Case.objects.get(pk=self.listed.pk).stage, Stage.LISTED_FOR_PANEL)

    # --- issue 15, finding 5: confirm before removing; invitations survive remove and re-add ----------

    def remove_url(self, item: AgendaItem) -> str:
        return f"/cases/meetings/{self.meeting.reference}/agenda/{item.reference}/remove/"

    def test_removing_asks_first_naming_the_case_and_only_the_post_removes(self) -> None:
        [item] = on_agenda(self.meeting, self.listed, actor=self.casey)
        meeting_page = f"/cases/meetings/{self.meeting.reference}/"
        self.client.force_login(self.casey)
        # The agenda row links to the confirmation page: no form there acts at once.
        self.assertContains(self.client.get(meeting_page), f'href="{self.remove_url(item)}"')
        page = self.client.get(self.remove_url(item))
        self.assertContains(page, f"Remove {self.listed.number} from the agenda? Invitations for this case will")
        self.assertContains(page, "govuk-warning-text")
        self.assertContains(page, f'href="{meeting_page}">Cancel</a>')
        self.assertTrue(self.meeting.items.filter(pk=item.pk).exists())
        self.assertFalse(AuditEntry.objects.filter(event="meeting.agenda_item_removed").exists())
        response = self.client.post(self.remove_url(item), follow=True)
        self.assertRedirects(response, meeting_page)
        self.assertFalse(self.meeting.items.exists())
        self.assertContains(response, f"{self.listed.number} removed from the agenda")

    def test_the_remove_page_permission_trio_and_audit(self) -> None:
        [item] = on_agenda(self.meeting, self.listed, actor=self.casey)
        meetings.invite(meeting=self.meeting, actor=self.casey, user=self.pat)
        for user, status in ((self.pat, 403), (self.olly, 404), (self.casey, 200)):
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.remove_url(item)).status_code, status, user.username)
            self.assertEqual(self.client.post(self.remove_url(item)).status_code, status if status != 200 else 302)
        rows = list(
            AuditEntry.objects.filter(event="meeting.organise_meeting")
            .order_by("id")
            .values_list("actor__username", "outcome")
        )
        self.assertEqual(
            rows,
            [("pat", Outcome.DENIED)] * 2 + [("olly", Outcome.DENIED)] * 2 + [("casey", Outcome.ALLOWED)] * 2,
        )
        shown = AuditEntry.objects.get(event="meeting.agenda_viewed", actor=self.casey)
        self.assertEqual(shown.case_reference, self.listed.number)
        self.assertTrue(AuditEntry.objects.filter(event="meeting.agenda_item_removed", actor=self.casey).exists())

    def test_a_per_case_invitation_stays_per_case_through_remove_and_re_add(self) -> None:
        removed, kept = on_agenda(self.meeting, self.listed, self.review, actor=self.casey)
        invitation = meetings.invite(meeting=self.meeting, actor=self.casey, user=self.harper, items=[removed])
        meetings.circulate_agenda(meeting=self.meeting, actor=self.casey)
        self.assertIn(self.listed.number, visible_cases(self.harper).values_list("number", flat=True))

        meetings.remove_from_agenda(item=removed, actor=self.casey)
        self.assertNotIn(self.listed.number, visible_cases(self.harper).values_list("number", flat=True))
        self.assertEqual(list(invitation.cases.all()), [self.listed])
        self.client.force_login(self.casey)
        page = self.client.get(f"/cases/meetings/{self.meeting.reference}/")
        self.assertNotContains(page, "core member")
        self.assertContains(page, f'for <span class="app-reference">{self.listed.number}</span> (off the agenda')

        [back] = on_agenda(self.meeting, self.listed, actor=self.casey)
        self.assertEqual(list(invitation.items.all()), [back])
        self.assertIn(self.listed.number, visible_cases(self.harper).values_list("number", flat=True))
        page = self.client.get(f"/cases/meetings/{self.meeting.reference}/")
        self.assertContains(page, f'for <span class="app-reference">{self.listed.number}</span></li>', html=False)
        self.assertNotIn(kept, invitation.items.all())
