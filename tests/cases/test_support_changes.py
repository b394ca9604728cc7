"""Revising, ending and withdrawing support: each needs a reason and keeps the element's values before it
as a version; a correction (a mistake in the record) keeps no version."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError

from audit.models import AuditEntry
from cases.models import SupportChange, SupportElement, SupportStatus
from cases.services import corrections, support
from tests.cases.helpers import ref, today
from tests.cases.support_helpers import SupportTestCase


class SupportChangesTestCase(SupportTestCase):
    def revise(self, **changes: Any) -> SupportElement:
        self.element.refresh_from_db()
        values: dict[str, Any] = {
            "support_type": self.element.support_type,
            "provider": self.element.provider,
            "provider_user": self.element.provider_user,
            "how": self.element.how,
            "when": self.element.when,
            "ends_on": self.element.ends_on,
        }
        return support.revise_support(
            element=self.element, actor=self.casey, reason="The plan changed at review.", **{**values, **changes}
        )

    def test_a_revision_keeps_the_earlier_values_as_version_one(self) -> None:
        self.revise(when="Fortnightly on Tuesdays", ends_on=today() + timedelta(days=90))
        self.revise(support_type=ref("support_type", "life_skills"))
        element = SupportElement.objects.get(pk=self.element.pk)
        self.assertEqual((element.when, element.support_type.code), ("Fortnightly on Tuesdays", "life_skills"))
        first, second = element.versions.order_by("version")
        self.assertEqual(
            (first.version, first.change, first.when, first.ends_on), (1, "revised", "Weekly on Tuesdays", None)
        )
        self.assertEqual(
            (second.version, second.when, second.support_type.code),
            (2, "Fortnightly on Tuesdays", "ideological_mentoring"),
        )
        entry = AuditEntry.objects.filter(event="case.support_revised").latest("id")
        self.assertEqual(entry.additional_data, {"fields": ["support_type"], "version": 2})

    def test_a_revision_needs_a_reason_and_a_change(self) -> None:
        with self.assertRaisesMessage(ValidationError, "Nothing has changed"):
            self.revise()
        with self.assertRaisesMessage(ValidationError, "Give the reason"):
            support.revise_support(
                element=self.element,
                actor=self.casey,
                reason=" ",
                support_type=self.element.support_type,
                provider=self.element.provider,
                how="Changed",
                when=self.element.when,
            )
        self.assertFalse(self.element.versions.exists())

    def test_ending_and_withdrawing_keep_a_version_and_set_the_status(self) -> None:
        for change, status in (
            (SupportChange.ENDED, SupportStatus.ENDED),
            (SupportChange.WITHDRAWN, SupportStatus.WITHDRAWN),
        ):
            element = self.mentoring(self.case, starts_days_ago=30)
            support.stop_support(element=element, actor=self.casey, change=change, reason="Because.", on=today())
            element.refresh_from_db()
            self.assertEqual((element.status, element.ended_on), (status, today()))
            version = element.versions.get()
            self.assertEqual(
                (version.change, version.status, version.reason), (change, SupportStatus.ACTIVE, "Because.")
            )
            self.assertTrue(
                AuditEntry.objects.filter(event=f"case.support_{change.value}", object_pk=str(element.pk)).exists()
            )

    def test_stopping_refuses_a_future_date_a_date_before_the_start_and_a_second_stop(self) -> None:
        stop = support.stop_support
        with self.assertRaisesMessage(ValidationError, "cannot be in the future"):
            stop(
                element=self.element,
                actor=self.casey,
                change=SupportChange.ENDED,
                reason="x",
                on=today() + timedelta(days=1),
            )
        with self.assertRaisesMessage(ValidationError, "before it started"):
            stop(
                element=self.element,
                actor=self.casey,
                change=SupportChange.ENDED,
                reason="x",
                on=today() - timedelta(days=61),
            )
        with self.assertRaisesMessage(ValidationError, "Give the reason"):
            stop(element=self.element, actor=self.casey, change=SupportChange.ENDED, reason="", on=today())
        stop(element=self.element, actor=self.casey, change=SupportChange.WITHDRAWN, reason="x", on=today())
        with self.assertRaisesMessage(ValidationError, "was withdrawn"):
            stop(element=self.element, actor=self.casey, change=SupportChange.ENDED, reason="x", on=today())
        with self.assertRaisesMessage(ValidationError, "was withdrawn"):
            self.revise(when="Never")
        self.assertEqual(self.element.versions.count(), 1)

    def test_a_correction_is_not_a_revision_and_keeps_no_version(self) -> None:
        corrections.correct_support_element(
            case=self.case,
            element=self.element,
            actor=self.casey,
            changes={"when": "Weekly on Wednesdays"},
            reason="Typed wrongly.",
        )
        self.assertFalse(self.element.versions.exists())
        self.assertEqual(SupportElement.objects.get(pk=self.element.pk).when, "Weekly on Wednesdays")
