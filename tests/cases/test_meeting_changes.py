"""Meetings that change: rescheduling (before the start; invitees' grants follow the new date), cancelling
(grants end now, the cases are free, nothing else can happen), a new chair, and the emails invitees get."""

from __future__ import annotations

from datetime import time, timedelta

from django.core import mail
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from audit.models import AuditEntry, Outcome
from cases.models import DecisionOutcome, MeetingChange, MeetingChangeKind, MeetingStatus, PanelMeeting, Stage
from cases.services import meeting_changes, meetings
from partners.models import Role
from sharing.access import visible_cases
from sharing.models import ShareGrant
from tests.base import BaseTestCase
from tests.cases.helpers import decide, make_case
from tests.cases.meeting_helpers import attend, begin, on_agenda, plan_meeting
from tests.factories import make_user

REASON = "Chair unwell, Ms Testperson rang"


def _date(prefix: str, day: object) -> dict[str, str]:
    return {f"{prefix}_0": str(day.day), f"{prefix}_1": str(day.month), f"{prefix}_2": str(day.year)}  # type: ignore[attr-defined]


@override_settings(MEETING_ACCESS_DAYS=2)
class MeetingChangesTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.meeting = plan_meeting(organiser=self.casey, chair=self.charlie, days_ahead=5)
        self.case = make_case(owner=self.casey, stage=Stage.LISTED_FOR_PANEL)
        (self.item,) = on_agenda(self.meeting, self.case, actor=self.casey)
        meetings.invite(meeting=self.meeting, actor=self.casey, user=self.harper, items=[self.item])
        meetings.circulate_agenda(meeting=self.meeting, actor=self.casey)
        self.url = f"/cases/meetings/{self.meeting.reference}/"

    def harper_sees(self) -> bool:
        return visible_cases(self.harper).filter(pk=self.case.pk).exists()

    # --- reschedule ---------------------------------------------------------------------------------

    def test_rescheduling_moves_the_invitees_grant_end_with_the_new_date(self) -> None:
        later = self.meeting.held_on + timedelta(days=7)
        meeting_changes.reschedule_meeting(
            meeting=self.meeting, actor=self.casey, held_on=later, starts_at=time(14), place="Room 9", reason=REASON
        )
        self.meeting.refresh_from_db()
        self.assertEqual(
            (self.meeting.held_on, self.meeting.starts_at, self.meeting.place), (later, time(14), "Room 9")
        )
        grant = ShareGrant.objects.get(meeting=self.meeting)
        self.assertEqual(grant.ends_at, self.meeting.starts + timedelta(days=2))
        change = MeetingChange.objects.get()
        self.assertEqual((change.kind, change.reason, change.previous_starts_at), ("rescheduled", REASON, time(10)))
        entry = AuditEntry.objects.get(event="meeting.rescheduled")
        self.assertEqual(entry.additional_data["to"], f"{later.isoformat()} 14:00")
        self.assertNotIn("Testperson", str(entry.additional_data))
        moved = AuditEntry.objects.get(event="sharing.meeting_access_moved")
        self.assertEqual(moved.case_reference, self.case.number)
        self.assertTrue(self.harper_sees())

    def test_an_earlier_date_brings_the_end_forward(self) -> None:
        sooner = timezone.localdate() + timedelta(days=1)
        meeting_changes.reschedule_meeting(
            meeting=self.meeting, actor=self.casey, held_on=sooner, starts_at=time(9), place="Room 1", reason="x"
        )
        self.meeting.refresh_from_db()
        self.assertEqual(ShareGrant.objects.get().ends_at, self.meeting.starts + timedelta(days=2))

    def test_rescheduling_is_refused_once_the_meeting_has_started_and_without_a_reason(self) -> None:
        day = self.meeting.held_on
        with self.assertRaisesMessage(ValidationError, "Give the reason"):
            meeting_changes.reschedule_meeting(
                meeting=self.meeting, actor=self.casey, held_on=day, starts_at=time(11), place="Room", reason=" "
            )
        with self.assertRaisesMessage(ValidationError, "as they were"):
            meeting_changes.reschedule_meeting(
                meeting=self.meeting,
                actor=self.casey,
                held_on=day,
                starts_at=time(10),
                place=self.meeting.place,
                reason="x",
            )
        begin(self.meeting)
        with self.assertRaisesMessage(ValidationError, "can no longer be moved or cancelled"):
            meeting_changes.reschedule_meeting(
                meeting=self.meeting, actor=self.casey, held_on=day, starts_at=time(11), place="Room", reason="x"
            )
        with self.assertRaisesMessage(ValidationError, "can no longer be moved or cancelled"):
            meeting_changes.cancel_meeting(meeting=self.meeting, actor=self.casey, reason="x")
        self.assertFalse(MeetingChange.objects.exists())

    def test_the_reschedule_page_permission_trio_and_audit(self) -> None:
        url = f"{self.url}reschedule/"
        later = self.meeting.held_on + timedelta(days=3)
        data = {**_date("held_on", later), "starts_at": "13:30", "place": "Room 2", "reason": REASON}
        self.client.force_login(self.olly)
        self.assertEqual(self.client.post(url, data).status_code, 404)
        self.client.force_login(self.harper)
        self.assertEqual(self.client.post(url, data).status_code, 403)
        denied = AuditEntry.objects.filter(event="meeting.organise_meeting", outcome=Outcome.DENIED)
        self.assertEqual(set(denied.values_list("actor__username", flat=True)), {"olly", "harper"})
        self.client.force_login(self.casey)
        self.assertEqual(self.client.get(url).status_code, 200)
        self.assertRedirects(self.client.post(url, data), self.url)
        self.assertEqual(PanelMeeting.objects.get().held_on, later)
        self.assertTrue(AuditEntry.objects.filter(event="meeting.rescheduled", actor=self.casey).exists())
        begin(self.meeting)
        response = self.client.get(url)
        self.assertContains(response, "can no longer be moved or cancelled")
        self.assertNotContains(response, '<form method="post" novalidate')
        self.assertNotContains(self.client.get(self.url), "Reschedule the meeting")

    # --- cancel ---------------------------------------------------------------------------------------

    def test_cancelling_ends_the_grants_at_once_and_frees_the_cases(self) -> None:
        self.client.force_login(self.harper)
        self.assertEqual(self.client.get(f"/cases/{self.case.reference}/").status_code, 200)
        meeting_changes.cancel_meeting(meeting=self.meeting, actor=self.casey, reason=REASON)
        self.meeting.refresh_from_db()
        self.assertEqual(self.meeting.status, MeetingStatus.CANCELLED)
        self.assertFalse(self.harper_sees())
        self.assertEqual(self.client.get(f"/cases/{self.case.reference}/").status_code, 404)
        self.assertTrue(AuditEntry.objects.filter(event="sharing.revoked", case_reference=self.case.number).exists())
        entry = AuditEntry.objects.get(event="meeting.cancelled")
        self.assertEqual(entry.additional_data["grants_ended"], 1)
        self.assertNotIn("Testperson", str(entry.additional_data))
        # Never the next meeting; its case can go on another meeting's agenda.
        self.assertFalse(PanelMeeting.objects.upcoming().exists())
        other = plan_meeting(organiser=self.casey, chair=self.charlie, days_ahead=9)
        candidates = meetings.agenda_candidates(cases=visible_cases(self.casey), meeting=other)
        self.assertIn(self.case, [case for _, listed in candidates for case in listed])
        on_agenda(other, self.case, actor=self.casey)

    def test_nothing_can_happen_at_a_cancelled_meeting(self) -> None:
        meeting_changes.cancel_meeting(meeting=self.meeting, actor=self.casey, reason=REASON)
        other = make_case(owner=self.casey, stage=Stage.LISTED_FOR_PANEL)
        for attempt in (
            lambda: on_agenda(self.meeting, other, actor=self.casey),
            lambda: meetings.invite(meeting=self.meeting, actor=self.casey, agency=self.health),
            lambda: meetings.remove_from_agenda(item=self.item, actor=self.casey),
            lambda: meeting_changes.cancel_meeting(meeting=self.meeting, actor=self.casey, reason="x"),
            lambda: meeting_changes.change_chair(meeting=self.meeting, actor=self.casey, chair=self.casey, reason="x"),
        ):
            with self.subTest(), self.assertRaisesMessage(ValidationError, "cancelled"):
                attempt()

    def test_the_cancelled_meeting_page_shows_one_status_its_reason_and_no_forms(self) -> None:
        self.client.force_login(self.casey)
        url = f"{self.url}cancel/"
        self.assertEqual(self.client.post(url, {"reason": ""}).status_code, 400)
        self.assertRedirects(self.client.post(url, {"reason": REASON}), self.url)
        response = self.client.get(self.url)
        self.assertContains(response, "Cancelled", count=1)
        self.assertContains(response, REASON)
        for offered in ("Build the agenda", "Invite", "Circulate", "Reschedule", "Change the chair", "Remove"):
            self.assertNotContains(response, offered)
        self.assertContains(self.client.get(url), "This meeting was cancelled.")
        self.client.force_login(self.charlie)
        self.assertNotContains(self.client.get(self.url), "Run the meeting")
        minutes = self.client.get(f"{self.url}minutes/")
        self.assertContains(minutes, "This meeting was cancelled: it has no minutes to approve.")
        self.assertNotContains(minutes, "Approve the minutes</button>")
        self.assertEqual(
            list(AuditEntry.objects.filter(event="meeting.cancelled").values_list("actor__username", flat=True)),
            ["casey"],
        )

    # --- chair ----------------------------------------------------------------------------------------

    def test_the_chair_changes_to_someone_who_may_chair_with_a_reason(self) -> None:
        chloe = make_user(agency=self.council, role=Role.PANEL_CHAIR, username="chloe", first_name="Chloe")
        self.assertEqual(meeting_changes.chair_candidates(self.meeting), [chloe])
        for someone in (self.casey, self.pat, self.charlie):
            with self.subTest(someone=someone.username), self.assertRaises(ValidationError):
                meeting_changes.change_chair(meeting=self.meeting, actor=self.casey, chair=someone, reason="x")
        self.client.force_login(self.harper)
        self.assertEqual(self.client.post(f"{self.url}chair/", {"chair": chloe.pk, "reason": "x"}).status_code, 403)
        self.client.force_login(self.casey)
        response = self.client.post(f"{self.url}chair/", {"chair": chloe.pk, "reason": REASON})
        self.assertRedirects(response, self.url)
        self.meeting.refresh_from_db()
        self.assertEqual(self.meeting.chair, chloe)
        entry = AuditEntry.objects.get(event="meeting.chair_changed")
        self.assertEqual(entry.additional_data, {"from_user": "charlie", "to_user": "chloe"})
        self.assertEqual(MeetingChange.objects.get().kind, MeetingChangeKind.CHAIR_CHANGED)
        # The new chair runs the meeting from her next request.
        begin(self.meeting)
        self.client.force_login(chloe)
        self.assertEqual(self.client.get(f"{self.url}attendance/").status_code, 200)

    def test_the_chair_cannot_change_once_a_decision_is_recorded(self) -> None:
        chloe = make_user(agency=self.council, role=Role.PANEL_CHAIR, username="chloe", first_name="Chloe")
        case = make_case(owner=self.casey, stage=Stage.LISTED_FOR_PANEL)
        (item,) = on_agenda(self.meeting, case, actor=self.casey)
        attend(self.meeting, self.charlie, self.pat, actor=self.casey)
        decide(case, DecisionOutcome.ADOPT, actor=self.charlie, agenda_item=item)
        self.assertEqual(meeting_changes.chair_problems(self.meeting, [chloe]), [meeting_changes.DECIDED])
        with self.assertRaisesMessage(ValidationError, "the minutes name the chair who took them"):
            meeting_changes.change_chair(meeting=self.meeting, actor=self.casey, chair=chloe, reason=REASON)
        self.client.force_login(self.casey)
        page = self.client.get(f"{self.url}chair/")
        self.assertContains(page, "the minutes name the chair who took them")
        self.assertNotContains(page, "<select")

    # --- emails ---------------------------------------------------------------------------------------

    def test_invitees_are_emailed_the_date_and_a_link_never_names_or_case_numbers(self) -> None:
        member = make_user(agency=self.health, role=Role.PANEL_MEMBER)
        make_user(agency=self.health, role=Role.AUDITOR)
        make_user(agency=self.health, role=Role.PANEL_MEMBER, is_active=False)
        meeting = plan_meeting(organiser=self.casey, chair=self.charlie, days_ahead=6)
        case = make_case(owner=self.casey, stage=Stage.LISTED_FOR_PANEL, first_name="Wrenna")
        (item,) = on_agenda(meeting, case, actor=self.casey)
        with self.captureOnCommitCallbacks(execute=True):
            meetings.invite(meeting=meeting, actor=self.casey, agency=self.health)
        self.assertEqual(sorted(m.to[0] for m in mail.outbox), sorted([self.harper.email, member.email]))
        mail.outbox.clear()
        with self.captureOnCommitCallbacks(execute=True):
            meetings.invite(meeting=meeting, actor=self.casey, user=self.pat, items=[item])
        self.assertEqual([m.to for m in mail.outbox], [[self.pat.email]])
        mail.outbox.clear()
        for news, change in (
            ("circulated", lambda: meetings.circulate_agenda(meeting=meeting, actor=self.casey)),
            (
                "moved",
                lambda: meeting_changes.reschedule_meeting(
                    meeting=meeting,
                    actor=self.casey,
                    held_on=meeting.held_on,
                    starts_at=time(15),
                    place="Room",
                    reason=REASON,
                ),
            ),
            ("cancelled", lambda: meeting_changes.cancel_meeting(meeting=meeting, actor=self.casey, reason=REASON)),
        ):
            with self.subTest(news=news):
                with self.captureOnCommitCallbacks(execute=True):
                    change()
                self.assertEqual(
                    sorted(m.to[0] for m in mail.outbox), sorted([self.harper.email, member.email, self.pat.email])
                )
                for message in mail.outbox:
                    text = f"{message.subject}\n{message.body}"
                    self.assertIn(news, text)
                    self.assertIn(f"{meeting.held_on:%-d %B %Y}", text)
                    self.assertIn(f"/cases/meetings/{meeting.reference}/", text)
                    for secret in (case.number, "Wrenna", case.subject.last_name, "Testperson", "Charlie"):
                        self.assertNotIn(secret, text)
                mail.outbox.clear()
