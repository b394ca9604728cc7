"""Changes to a meeting wait for its row lock, which approve_minutes and record_attendance hold: a decision,
a discussion or a removal cannot slip in beside an approval in flight, and a decision is not judged on
attendance that is being changed. Real concurrent transactions, so PostgreSQL only (SQLite has no row
locks) and committed data."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction

from cases.models import AgendaItem, Decision, DecisionOutcome, Stage
from cases.services import meetings
from partners.models import AgencyKind, Role
from tests.base import CommittingTestCase
from tests.cases.helpers import decide, make_case
from tests.cases.meeting_helpers import attend, on_agenda, plan_meeting
from tests.factories import make_agency, make_user


class MeetingLockRacesTestCase(CommittingTestCase):
    def setUp(self) -> None:
        if connection.vendor != "postgresql":
            pytest.skip("row locks need PostgreSQL")
        council = make_agency(name="Testshire Council", code="tc", local_authority_area="Testshire")
        police_force = make_agency(kind=AgencyKind.POLICE, name="Testshire Police", code="tp")
        self.casey = make_user(agency=council, role=Role.PREVENT_COORDINATOR, username="casey")
        self.charlie = make_user(agency=council, role=Role.PANEL_CHAIR, username="charlie")
        self.pat = make_user(agency=police_force, role=Role.POLICE_PRACTITIONER, username="pat")
        self.meeting = plan_meeting(organiser=self.casey, chair=self.charlie)
        self.first = make_case(owner=self.casey, stage=Stage.LISTED_FOR_PANEL)
        self.second = make_case(owner=self.casey, stage=Stage.LISTED_FOR_PANEL)
        self.item, self.other_item = on_agenda(self.meeting, self.first, self.second, actor=self.casey)
        meetings.invite(meeting=self.meeting, actor=self.casey, agency=police_force)
        attend(self.meeting, self.charlie, self.pat, actor=self.casey)
        # Both items are discussed and undecided, so the minutes can be approved.
        for item in (self.item, self.other_item):
            meetings.record_discussion(item=item, actor=self.charlie, discussion="Not reached; next panel.")

    def race(self, hold: Callable[[], object], change: Callable[[], object]) -> BaseException | None:
        """Run `change` on a second connection while `hold` has run in this one's open transaction, and
        commit only after `change` has had time to finish unless something makes it wait. Returns what
        `change` raised."""
        raised: list[BaseException] = []

        def other() -> None:
            try:
                change()
            except BaseException as error:
                raised.append(error)
            finally:
                connections.close_all()

        thread = threading.Thread(target=other)
        with transaction.atomic():
            hold()
            thread.start()
            thread.join(timeout=2)
        thread.join()
        return raised[0] if raised else None

    def approving(self) -> object:
        return meetings.approve_minutes(meeting=self.meeting, actor=self.charlie, copies={})

    def assertLocked(self, error: BaseException | None) -> None:
        self.assertIsInstance(error, ValidationError)
        self.assertIn("approved and locked", str(error))

    def test_a_decision_waits_for_the_approval_and_is_refused(self) -> None:
        error = self.race(
            self.approving, lambda: decide(self.first, DecisionOutcome.ADOPT, actor=self.charlie, agenda_item=self.item)
        )
        self.assertLocked(error)
        self.assertFalse(Decision.objects.filter(agenda_item=self.item).exists())

    def test_a_discussion_waits_for_the_approval_and_is_refused(self) -> None:
        error = self.race(
            self.approving,
            lambda: meetings.record_discussion(item=self.item, actor=self.charlie, discussion="Rewritten later"),
        )
        self.assertLocked(error)
        self.assertEqual(AgendaItem.objects.get(pk=self.item.pk).discussion, "Not reached; next panel.")

    def test_a_removal_waits_for_the_approval_and_is_refused(self) -> None:
        error = self.race(self.approving, lambda: meetings.remove_from_agenda(item=self.other_item, actor=self.casey))
        self.assertLocked(error)
        self.assertTrue(AgendaItem.objects.filter(pk=self.other_item.pk).exists())

    def test_a_decision_waits_for_attendance_being_recorded_and_is_judged_on_it(self) -> None:
        error = self.race(
            lambda: meetings.record_attendance(meeting=self.meeting, actor=self.charlie, present=[self.charlie]),
            lambda: decide(self.first, DecisionOutcome.ADOPT, actor=self.charlie, agenda_item=self.item),
        )
        self.assertIsInstance(error, ValidationError)
        self.assertIn("needs a police representative for Testshire present", str(error))
        self.assertFalse(Decision.objects.filter(agenda_item=self.item).exists())
