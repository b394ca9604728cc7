"""Stalled support is judged per element: active, on a case in support, and no session for
STALLED_SUPPORT_DAYS (since its start when it has none). The case-level filter, the plan's progress and
meeting mode's figures follow the element-level one."""

from __future__ import annotations

from datetime import timedelta

from django.test import override_settings

from cases.models import Case, Stage, SupportChange, SupportElement
from cases.services import support
from tests.cases.helpers import set_stage, today
from tests.cases.support_helpers import SupportTestCase


@override_settings(STALLED_SUPPORT_DAYS=30)
class StalledSupportTestCase(SupportTestCase):
    def stalled(self) -> set[SupportElement]:
        return set(SupportElement.objects.stalled(days=30))

    def judged_on_the_page(self, element: SupportElement) -> bool:
        found = SupportElement.objects.filter(pk=element.pk).with_progress()
        return support.progress(found, days=30)[0].stalled_since is not None

    def test_an_element_with_no_session_since_its_start_31_days_ago_is_stalled(self) -> None:
        recent = self.mentoring(self.case, starts_days_ago=29)
        self.assertEqual(self.stalled(), {self.element})
        self.assertEqual(set(Case.objects.stalled(days=30)), {self.case})
        self.assertTrue(self.judged_on_the_page(self.element))
        self.assertFalse(self.judged_on_the_page(recent))

    def test_a_session_within_the_period_unstalls_only_its_own_element(self) -> None:
        other = self.mentoring(self.case, starts_days_ago=50)
        support.record_session(
            element=self.element, actor=self.ivy, held_on=today() - timedelta(days=30), attended=False
        )
        self.assertEqual(self.stalled(), {other})
        self.assertFalse(self.judged_on_the_page(self.element))
        support.record_session(element=other, actor=self.ivy, held_on=today() - timedelta(days=31), attended=True)
        self.assertEqual(self.stalled(), {other})
        self.assertTrue(self.judged_on_the_page(other))
        self.assertEqual(
            support.progress(SupportElement.objects.filter(pk=other.pk).with_progress(), days=30)[0].stalled_since,
            today() - timedelta(days=31),
        )

    def test_other_activity_on_the_case_does_not_unstall_support(self) -> None:
        Case.objects.filter(pk=self.case.pk).update(last_activity_at=self.case.created_at)
        from cases.models import NoteVisibility
        from cases.services import casework

        casework.add_note(case=self.case, actor=self.casey, text="A note.", visibility=NoteVisibility.EVERYONE)
        self.assertEqual(self.stalled(), {self.element})

    def test_ended_support_and_cases_out_of_support_are_not_stalled(self) -> None:
        support.stop_support(
            element=self.element, actor=self.casey, change=SupportChange.ENDED, reason="Done.", on=today()
        )
        self.assertEqual(self.stalled(), set())
        self.assertFalse(self.judged_on_the_page(self.element))
        other = make = self.mentoring(self.case, starts_days_ago=40)
        self.assertEqual(self.stalled(), {other})
        set_stage(self.case, Stage.EXITED)
        self.assertEqual(self.stalled(), set())
        self.assertFalse(self.judged_on_the_page(make))

    def test_progress_counts_sessions_held_attended_and_missed(self) -> None:
        for days, attended in ((14, True), (7, False), (1, True)):
            support.record_session(
                element=self.element, actor=self.ivy, held_on=today() - timedelta(days=days), attended=attended
            )
        row = support.progress(SupportElement.objects.filter(pk=self.element.pk).with_progress(), days=30)[0]
        self.assertEqual((row.held, row.attended, row.missed, row.last_on), (3, 2, 1, today() - timedelta(days=1)))
