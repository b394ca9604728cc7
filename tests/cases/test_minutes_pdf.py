"""Each attendee's copy of the approved minutes holds only the cases they may see, and is audited."""

from __future__ import annotations

import io

from pypdf import PdfReader

from audit.models import AuditEntry, Outcome
from cases.models import DecisionOutcome, Stage
from cases.services import meetings
from sharing.access import minutes_copies
from tests.base import BaseTestCase
from tests.cases.helpers import decide, make_case
from tests.cases.meeting_helpers import attend, on_agenda, plan_meeting


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


class MinutesPdfTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.meeting = plan_meeting(organiser=self.casey, chair=self.charlie)
        self.shared = make_case(owner=self.casey, stage=Stage.LISTED_FOR_PANEL, first_name="Fir", last_name="Shared")
        self.kept = make_case(owner=self.casey, stage=Stage.LISTED_FOR_PANEL, first_name="Gorse", last_name="Kept")
        self.item, self.kept_item = on_agenda(self.meeting, self.shared, self.kept, actor=self.casey)
        meetings.invite(meeting=self.meeting, actor=self.casey, agency=self.police_force)
        meetings.invite(meeting=self.meeting, actor=self.casey, user=self.harper, items=[self.item])
        meetings.circulate_agenda(meeting=self.meeting, actor=self.casey)
        attend(self.meeting, self.charlie, self.pat, self.harper, actor=self.casey)
        decide(self.shared, DecisionOutcome.ADOPT, actor=self.charlie, agenda_item=self.item)
        decide(self.kept, DecisionOutcome.DEFER, actor=self.charlie, agenda_item=self.kept_item)
        self.url = f"/cases/meetings/{self.meeting.reference}/minutes.pdf"

    def approve(self) -> None:
        people = meetings.present_attendees(self.meeting)
        meetings.approve_minutes(meeting=self.meeting, actor=self.charlie, copies=minutes_copies(self.meeting, people))

    def test_the_health_member_gets_only_their_case(self) -> None:
        self.approve()
        self.client.force_login(self.harper)
        response = self.client.get(self.url)
        self.assertEqual(response["Content-Type"], "application/pdf")
        text = pdf_text(response.content)
        self.assertIn(self.shared.number, text)
        self.assertIn("Fir Shared", text)
        self.assertNotIn(self.kept.number, text)
        self.assertNotIn("Gorse", text)
        self.assertIn("OFFICIAL-SENSITIVE", text)
        entry = AuditEntry.objects.get(event="meeting.minutes_exported", actor=self.harper)
        self.assertEqual(entry.additional_data, {"cases": [self.shared.number]})
        # And in the access history of each case the copy holds.
        downloaded = AuditEntry.objects.filter(event="meeting.minutes_downloaded", actor=self.harper)
        self.assertEqual(
            list(downloaded.values_list("case_reference", "object_pk", "additional_data")),
            [(self.shared.number, str(self.shared.pk), {"meeting": str(self.meeting.reference)})],
        )

    def test_the_chair_gets_every_case(self) -> None:
        self.approve()
        self.client.force_login(self.charlie)
        text = pdf_text(self.client.get(self.url).content)
        self.assertIn(self.shared.number, text)
        self.assertIn(self.kept.number, text)
        self.assertIn("Decision: Defer for more information", text)

    def test_no_pdf_before_approval_and_the_permission_trio(self) -> None:
        self.client.force_login(self.charlie)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.approve()
        for user, status in ((self.pat, 200), (self.olly, 404), (self.audrey, 404)):
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.url).status_code, status, user.username)
        # The chair's try before approval got no copy, so it is recorded as refused.
        denied = AuditEntry.objects.filter(event="meeting.viewed", outcome=Outcome.DENIED)
        self.assertEqual(set(denied.values_list("actor__username", flat=True)), {"charlie", "olly", "audrey"})
        allowed = AuditEntry.objects.filter(event="meeting.viewed", outcome=Outcome.ALLOWED)
        self.assertEqual(list(allowed.values_list("actor__username", flat=True)), ["pat"])
