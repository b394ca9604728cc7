"""Planning meetings: the list, the new-meeting page, invitations and circulating the agenda."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AuditEntry, Outcome
from cases.models import Invitation, MeetingStatus, PanelMeeting, Stage
from cases.services import meetings
from tests.base import BaseTestCase
from tests.cases.helpers import make_case
from tests.cases.meeting_helpers import on_agenda, plan_meeting


def _date(prefix: str, day: object) -> dict[str, str]:
    return {f"{prefix}_0": str(day.day), f"{prefix}_1": str(day.month), f"{prefix}_2": str(day.year)}  # type: ignore[attr-defined]


class MeetingsTestCase(BaseTestCase):
    def test_create_meeting_needs_a_chair_of_the_council_a_future_date_and_a_place(self) -> None:
        with self.assertRaisesMessage(ValidationError, "panel chair of Testshire Council"):
            plan_meeting(organiser=self.casey, chair=self.casey)
        with self.assertRaisesMessage(ValidationError, "today or in the future"):
            plan_meeting(organiser=self.casey, chair=self.charlie, days_ahead=-1)
        with self.assertRaisesMessage(ValidationError, "video link"):
            plan_meeting(organiser=self.casey, chair=self.charlie, place="  ")
        meeting = plan_meeting(organiser=self.casey, chair=self.charlie)
        self.assertEqual((meeting.owning_agency, meeting.status), (self.council, MeetingStatus.PLANNED))
        entry = AuditEntry.objects.get(event="meeting.created")
        self.assertEqual((entry.actor, entry.object_pk), (self.casey, str(meeting.pk)))

    def test_the_coordinator_plans_a_meeting_on_the_page(self) -> None:
        self.client.force_login(self.casey)
        day = timezone.localdate() + timedelta(days=10)
        data = {**_date("held_on", day), "starts_at": "10:00", "place": "Room 4", "chair": str(self.charlie.pk)}
        response = self.client.post("/cases/meetings/new/", data)
        meeting = PanelMeeting.objects.get()
        self.assertRedirects(response, f"/cases/meetings/{meeting.reference}/")
        self.assertEqual((meeting.held_on, meeting.place, meeting.chair), (day, "Room 4", self.charlie))

    def test_the_list_shows_own_and_invited_meetings_only(self) -> None:
        mine = plan_meeting(organiser=self.casey, chair=self.charlie)
        self.client.force_login(self.olly)
        self.assertNotContains(self.client.get("/cases/meetings/"), str(mine.reference))
        self.client.force_login(self.harper)
        self.assertNotContains(self.client.get("/cases/meetings/"), str(mine.reference))
        meetings.invite(meeting=mine, actor=self.casey, agency=self.health)
        self.assertContains(self.client.get("/cases/meetings/"), str(mine.reference))
        entry = AuditEntry.objects.filter(event="meeting.listed", actor=self.harper).latest("id")
        self.assertEqual(entry.additional_data["shown"], [str(mine.reference)])

    def test_the_meeting_page_permission_trio_and_audit(self) -> None:
        meeting = plan_meeting(organiser=self.casey, chair=self.charlie)
        url = f"/cases/meetings/{meeting.reference}/"
        self.client.force_login(self.audrey)
        self.assertEqual(self.client.get("/cases/meetings/").status_code, 403)
        for user, status in ((self.olly, 404), (self.harper, 404), (self.casey, 200)):
            self.client.force_login(user)
            self.assertEqual(self.client.get(url).status_code, status, user.username)
        rows = list(
            AuditEntry.objects.filter(event="meeting.viewed").order_by("id").values_list("actor__username", "outcome")
        )
        self.assertEqual(rows, [("olly", Outcome.DENIED), ("harper", Outcome.DENIED), ("casey", Outcome.ALLOWED)])
        self.client.force_login(self.harper)  # a panel member may see meetings, but plans none
        self.assertEqual(self.client.get("/cases/meetings/new/").status_code, 403)

    def test_the_agenda_page_puts_each_case_shown_in_its_access_history(self) -> None:
        meeting = plan_meeting(organiser=self.casey, chair=self.charlie)
        cases = [make_case(owner=self.casey, stage=Stage.LISTED_FOR_PANEL) for _ in range(2)]
        on_agenda(meeting, *cases, actor=self.casey)
        self.client.force_login(self.charlie)
        self.client.get(f"/cases/meetings/{meeting.reference}/")
        for case in cases:
            entry = AuditEntry.objects.get(event="meeting.agenda_viewed", case_reference=case.number)
            self.assertEqual(
                (entry.actor, entry.object_pk, entry.additional_data),
                (self.charlie, str(case.pk), {"meeting": str(meeting.reference)}),
            )
        self.client.force_login(self.casey)
        self.assertContains(
            self.client.get(f"/cases/{cases[0].reference}/access/"), "Viewed a case on a meeting&#x27;s agenda"
        )

    def test_inviting_and_circulating_from_the_pages(self) -> None:
        meeting = plan_meeting(organiser=self.casey, chair=self.charlie)
        case = make_case(owner=self.casey, stage=Stage.LISTED_FOR_PANEL)
        [item] = on_agenda(meeting, case, actor=self.casey)
        self.client.force_login(self.casey)
        url = f"/cases/meetings/{meeting.reference}/"
        both = self.client.post(f"{url}invite/", {"agency": str(self.health.pk), "user": str(self.pat.pk)})
        self.assertContains(both, "Choose one agency or one person", status_code=400)
        response = self.client.post(f"{url}invite/", {"user": str(self.harper.pk), "items": [str(item.pk)]})
        self.assertRedirects(response, url)
        invitation = Invitation.objects.get()
        self.assertEqual((invitation.user, list(invitation.items.all())), (self.harper, [item]))
        self.assertRedirects(self.client.post(f"{url}circulate/"), url)
        meeting.refresh_from_db()
        self.assertEqual(meeting.status, MeetingStatus.CIRCULATED)
        self.assertEqual(
            list(
                AuditEntry.objects.filter(event__in=["meeting.invited", "meeting.circulated"])
                .values_list("event", flat=True)
                .order_by("id")
            ),
            ["meeting.invited", "meeting.circulated"],
        )

    def test_inviting_twice_without_new_items_is_refused(self) -> None:
        meeting = plan_meeting(organiser=self.casey, chair=self.charlie)
        meetings.invite(meeting=meeting, actor=self.casey, agency=self.health)
        with self.assertRaisesMessage(ValidationError, "Already invited"):
            meetings.invite(meeting=meeting, actor=self.casey, agency=self.health)
        with self.assertRaisesMessage(ValidationError, "Only active panel members"):
            meetings.invite(meeting=meeting, actor=self.casey, user=self.audrey)
