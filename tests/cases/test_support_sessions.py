"""Sessions recorded against a support element: who may record them, the date rules, and who sees their
notes (originator visibility, as notes)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError

from audit.models import AuditEntry
from cases.models import NoteVisibility, SupportChange
from cases.services import support
from sharing.access import may_record_session, visible_sessions
from tests.cases.helpers import today
from tests.cases.support_helpers import SupportTestCase


class SessionRulesTestCase(SupportTestCase):
    def test_the_named_provider_records_a_session_audited_without_the_note(self) -> None:
        session = support.record_session(
            element=self.element, actor=self.ivy, held_on=today(), attended=True, note="Talked about college plans."
        )
        self.assertEqual((session.originator_agency, session.recorded_by), (self.mentors, self.ivy))
        entry = AuditEntry.objects.get(event="case.support_session_recorded")
        self.assertEqual(entry.case_reference, self.case.number)
        self.assertEqual(entry.additional_data, {"attended": True, "visibility": "everyone", "note": True})
        self.assertNotIn("college", str(entry.additional_data))

    def test_the_owners_coordinator_records_a_missed_session(self) -> None:
        session = support.record_session(element=self.element, actor=self.casey, held_on=today(), attended=False)
        self.assertFalse(session.attended)

    def test_another_provider_the_chair_and_another_council_may_not_record(self) -> None:
        for person in (self.rory, self.charlie, self.olly, self.pat):
            self.assertFalse(may_record_session(person, self.element), person.username)
            with self.assertRaisesMessage(ValidationError, "Only the named provider"):
                support.record_session(element=self.element, actor=person, held_on=today(), attended=True)
        self.assertFalse(self.element.sessions.exists())

    def test_a_session_cannot_be_in_the_future_or_before_the_support_starts(self) -> None:
        with self.assertRaisesMessage(ValidationError, "cannot be in the future"):
            support.record_session(
                element=self.element, actor=self.ivy, held_on=today() + timedelta(days=1), attended=True
            )
        with self.assertRaisesMessage(ValidationError, "before the support starts"):
            support.record_session(
                element=self.element, actor=self.ivy, held_on=today() - timedelta(days=61), attended=True
            )
        support.record_session(
            element=self.element, actor=self.ivy, held_on=today() - timedelta(days=60), attended=True
        )

    def test_no_session_against_support_that_has_ended(self) -> None:
        support.stop_support(
            element=self.element, actor=self.casey, change=SupportChange.ENDED, reason="Completed.", on=today()
        )
        with self.assertRaisesMessage(ValidationError, "ended"):
            support.record_session(element=self.element, actor=self.casey, held_on=today(), attended=True)

    def test_named_visibility_must_name_an_agency(self) -> None:
        with self.assertRaisesMessage(ValidationError, "Choose the agencies"):
            support.record_session(
                element=self.element, actor=self.ivy, held_on=today(), attended=True, visibility=NoteVisibility.NAMED
            )


class SessionVisibilityTestCase(SupportTestCase):
    def test_a_note_kept_to_the_provider_shows_the_session_but_not_its_note_to_others(self) -> None:
        support.record_session(
            element=self.element,
            actor=self.ivy,
            held_on=today(),
            attended=True,
            note="Private to the mentors.",
            visibility=NoteVisibility.ORIGINATOR,
        )
        support.record_session(
            element=self.element,
            actor=self.ivy,
            held_on=today() - timedelta(days=7),
            attended=True,
            note="For the panel's health partner.",
            visibility=NoteVisibility.NAMED,
            shared_with=[self.health],
        )

        def shown(user: object) -> list[tuple[str, bool]]:
            sessions: list[Any] = list(visible_sessions(user, self.case))
            return [(s.note, s.note_shown) for s in sessions]

        self.assertEqual(
            shown(self.ivy), [("Private to the mentors.", True), ("For the panel's health partner.", True)]
        )
        self.assertEqual(
            shown(self.casey), [("Private to the mentors.", False), ("For the panel's health partner.", False)]
        )
        self.assertEqual(
            shown(self.harper), [("Private to the mentors.", False), ("For the panel's health partner.", True)]
        )

    def test_a_provider_sees_only_the_sessions_of_their_own_support(self) -> None:
        other = self.mentoring(self.case, starts_days_ago=10, provider_user=self.rory)
        support.record_session(element=other, actor=self.rory, held_on=today(), attended=True)
        support.record_session(element=self.element, actor=self.ivy, held_on=today(), attended=True)
        self.assertEqual([s.element for s in visible_sessions(self.ivy, self.case)], [self.element])
        self.assertEqual(len(visible_sessions(self.casey, self.case)), 2)
