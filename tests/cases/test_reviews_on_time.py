"""Reviews on time: a post-exit review opens the panel's review window before it is due and cannot be
completed earlier; in-programme reviews fall due at the panel's interval; a case closes only with its
closing report, written by the owning council's coordinators."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.html import escape

from audit.models import AuditEntry, Outcome
from cases.models import ClosingReport, DecisionOutcome, Panel, Review, ReviewKind, Stage
from cases.services import casework, reviews, stages
from tests.base import BaseTestCase
from tests.cases.helpers import (
    add_support,
    complete_post_exit_review,
    decide,
    give_consent,
    make_case,
    today,
    write_closing_report,
)

# The case form's own form (the page layout has another, to stay signed in).
FORM = '<form method="post" novalidate>'


def window_message(kind: str, opens: Any, days: int = 28) -> str:
    return (
        f"A {kind} post-exit review can be completed from {opens:%-d %B %Y}, {days} days before it is due"
        " (the panel's review window)."
    )


class ReviewWindowTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.case = make_case(owner=self.casey, stage=Stage.POST_EXIT_REVIEW_6)
        self.review = Review.objects.get(case=self.case, kind=ReviewKind.POST_EXIT_6)

    def due_in(self, days: int, kind: ReviewKind = ReviewKind.POST_EXIT_6) -> Review:
        Review.objects.filter(case=self.case, kind=kind).update(due_on=today() + timedelta(days=days))
        return Review.objects.get(case=self.case, kind=kind)

    def complete(self, review: Review) -> Review:
        return casework.complete_review(review=review, actor=self.casey, outcome="No new concerns.")

    def test_exit_sets_the_reviews_six_and_twelve_months_ahead_and_neither_can_be_completed_yet(self) -> None:
        for kind, words in ((ReviewKind.POST_EXIT_6, "6-month"), (ReviewKind.POST_EXIT_12, "12-month")):
            review = Review.objects.get(case=self.case, kind=kind)
            with self.subTest(kind=kind.value), self.assertRaises(ValidationError) as refused:
                self.complete(review)
            self.assertEqual(refused.exception.messages, [window_message(words, review.due_on - timedelta(days=28))])
            self.assertIsNone(Review.objects.get(pk=review.pk).completed_on)
        self.assertFalse(AuditEntry.objects.filter(event="case.review_completed").exists())

    def test_the_day_before_the_window_opens_is_refused(self) -> None:
        review = self.due_in(29)
        with self.assertRaises(ValidationError) as refused:
            self.complete(review)
        self.assertEqual(refused.exception.messages, [window_message("6-month", today() + timedelta(days=1))])

    def test_the_day_the_window_opens_it_can_be_completed(self) -> None:
        review = self.complete(self.due_in(28))
        self.assertEqual(review.completed_on, today())

    def test_after_the_window_opens_and_after_the_due_date_it_can_be_completed(self) -> None:
        self.assertEqual(self.complete(self.due_in(3)).completed_on, today())
        self.assertEqual(self.complete(self.due_in(-10, ReviewKind.POST_EXIT_12)).completed_on, today())

    def test_the_window_is_the_panels(self) -> None:
        Panel.objects.create(council=self.council, review_window_days=7)
        review = self.due_in(8)
        with self.assertRaises(ValidationError) as refused:
            self.complete(review)
        self.assertEqual(refused.exception.messages, [window_message("6-month", today() + timedelta(days=1), 7)])
        self.assertEqual(self.complete(self.due_in(7)).completed_on, today())

    def test_an_in_programme_review_has_no_window(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.UNDER_REVIEW)
        review = Review.objects.get(case=case, kind=ReviewKind.IN_PROGRAMME, completed_on__isnull=True)
        Review.objects.filter(pk=review.pk).update(due_on=today() + timedelta(days=200))
        self.assertEqual(self.complete(review).completed_on, today())

    def test_the_page_offers_the_form_only_once_the_window_opens(self) -> None:
        review = self.due_in(40)
        opens = today() + timedelta(days=12)
        self.client.force_login(self.casey)
        tab = self.client.get(f"/cases/{self.case.reference}/reviews/")
        self.assertContains(tab, f"can be completed from {opens:%-d %b %Y}, 28 days before it is due")
        url = f"/cases/{self.case.reference}/reviews/{review.reference}/done/"
        self.assertNotContains(tab, url)
        page = self.client.get(url)
        self.assertContains(page, escape(window_message("6-month", opens)))
        self.assertNotContains(page, FORM)
        sent = self.client.post(url, {"outcome": "Seen early."})
        self.assertContains(sent, escape(window_message("6-month", opens)), status_code=400)
        self.assertIsNone(Review.objects.get(pk=review.pk).completed_on)
        review = self.due_in(28)
        tab = self.client.get(f"/cases/{self.case.reference}/reviews/")
        self.assertContains(tab, url)
        self.assertContains(self.client.get(url), FORM)
        self.assertRedirects(
            self.client.post(url, {"outcome": "No new concerns."}), f"/cases/{self.case.reference}/reviews/"
        )
        entry = AuditEntry.objects.filter(event="case.review_completed", case_reference=self.case.number).get()
        self.assertEqual(entry.additional_data, {"kind": "post_exit_6"})


class ReviewIntervalTestCase(BaseTestCase):
    def test_support_starting_schedules_the_first_review_at_the_panels_interval(self) -> None:
        Panel.objects.create(council=self.council, review_interval_weeks=6)
        case = make_case(owner=self.casey, stage=Stage.CONSENT_SOUGHT)
        give_consent(case, actor=self.casey)
        add_support(case, actor=self.casey)
        case = stages.move_case(case=case, actor=self.casey, to=Stage.SUPPORT_ACTIVE, reason="Consent given")
        [review] = Review.objects.filter(case=case, kind=ReviewKind.IN_PROGRAMME)
        self.assertEqual((review.due_on, review.completed_on), (today() + timedelta(weeks=6), None))
        self.assertEqual(case.stage, Stage.SUPPORT_ACTIVE)  # scheduled, not yet under review
        entry = AuditEntry.objects.get(event="case.review_scheduled", case_reference=case.number)
        self.assertEqual(entry.additional_data, {"kind": "in_programme", "due": "panel_interval"})

    def test_continuing_support_completes_the_review_and_schedules_the_next(self) -> None:
        Panel.objects.create(council=self.council, review_interval_weeks=10)
        case = make_case(owner=self.casey, stage=Stage.UNDER_REVIEW)
        reviewed = Review.objects.get(case=case, kind=ReviewKind.IN_PROGRAMME, completed_on__isnull=True)
        decide(case, DecisionOutcome.CONTINUE_SUPPORT, actor=self.charlie)
        reviewed.refresh_from_db()
        self.assertEqual((reviewed.completed_on, reviewed.outcome), (today(), "Panel decision: Continue support"))
        [following] = Review.objects.filter(case=case, kind=ReviewKind.IN_PROGRAMME, completed_on__isnull=True)
        self.assertEqual(following.due_on, today() + timedelta(weeks=10))

    def test_exit_completes_the_in_programme_review_and_schedules_none(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.EXITED)
        open_reviews = Review.objects.filter(case=case, completed_on__isnull=True)
        self.assertEqual(
            sorted(open_reviews.values_list("kind", flat=True)), [ReviewKind.POST_EXIT_12, ReviewKind.POST_EXIT_6]
        )

    def test_the_schedule_form_is_filled_in_at_the_panels_interval(self) -> None:
        Panel.objects.create(council=self.council, review_interval_weeks=4)
        case = make_case(owner=self.casey, stage=Stage.SUPPORT_ACTIVE)
        due = reviews.default_review_on(case)
        self.assertEqual(due, today() + timedelta(weeks=4))
        self.client.force_login(self.casey)
        page = self.client.get(f"/cases/{case.reference}/reviews/new/")
        for name, value in (("due_on_0", due.day), ("due_on_1", due.month), ("due_on_2", due.year)):
            self.assertContains(page, f'name="{name}"')
            self.assertRegex(
                page.content.decode(), rf'name="{name}"[^>]*value="{value}"|value="{value}"[^>]*name="{name}"'
            )


class ClosingReportTestCase(BaseTestCase):
    FIELDS = {"summary": "Mentoring for six months.", "outcomes": "Back in college.", "onward_referrals": "None."}

    def setUp(self) -> None:
        self.case = make_case(owner=self.casey, stage=Stage.POST_EXIT_REVIEW_12)
        self.url = f"/cases/{self.case.reference}/closing-report/"

    def test_a_case_closes_only_with_its_closing_report(self) -> None:
        complete_post_exit_review(self.case, actor=self.casey)
        with self.assertRaisesMessage(ValidationError, "Write the closing report before closing the case."):
            stages.move_case(case=self.case, actor=self.casey, to=Stage.CLOSED, reason="Done")
        self.assertEqual(self.case.stage, Stage.POST_EXIT_REVIEW_12)
        write_closing_report(self.case, actor=self.casey)
        self.assertEqual(
            stages.move_case(case=self.case, actor=self.casey, to=Stage.CLOSED, reason="Done").stage, Stage.CLOSED
        )

    def test_it_is_written_once_after_exit_with_every_part(self) -> None:
        early = make_case(owner=self.casey, stage=Stage.UNDER_REVIEW)
        with self.assertRaisesMessage(ValidationError, "after the person exits Channel"):
            reviews.write_closing_report(case=early, actor=self.casey, **self.FIELDS)
        for part in self.FIELDS:
            with self.subTest(part=part), self.assertRaisesMessage(ValidationError, "needs the summary of support"):
                reviews.write_closing_report(case=self.case, actor=self.casey, **{**self.FIELDS, part: "  "})
        reviews.write_closing_report(case=self.case, actor=self.casey, **self.FIELDS)
        with self.assertRaisesMessage(ValidationError, "The closing report has been written."):
            reviews.write_closing_report(case=self.case, actor=self.casey, **self.FIELDS)
        self.assertEqual(ClosingReport.objects.filter(case=self.case).count(), 1)

    def test_the_owners_coordinator_writes_it_from_the_case_page(self) -> None:
        self.client.force_login(self.casey)
        tab = self.client.get(f"/cases/{self.case.reference}/reviews/")
        self.assertContains(tab, "Not written yet. The case cannot be closed until its closing report is written.")
        self.assertContains(tab, self.url)
        self.assertEqual(self.client.get(self.url).status_code, 200)
        response = self.client.post(self.url, self.FIELDS)
        self.assertRedirects(response, f"/cases/{self.case.reference}/reviews/")
        report = ClosingReport.objects.get(case=self.case)
        self.assertEqual((report.summary, report.written_by), ("Mentoring for six months.", self.casey))
        entries = AuditEntry.objects.filter(case_reference=self.case.number, actor=self.casey)
        self.assertEqual(entries.filter(event="case.write_closing_report.form_opened").count(), 1)
        self.assertEqual(entries.filter(event="case.write_closing_report").count(), 1)
        written = entries.get(event="case.closing_report_written")
        self.assertEqual((written.object_pk, written.additional_data), (str(report.pk), None))
        tab = self.client.get(f"/cases/{self.case.reference}/reviews/")
        self.assertContains(tab, "Back in college.")
        self.assertContains(tab, "Casey")
        self.assertNotContains(tab, self.url)
        # Written once: the page says so instead of offering the form again.
        self.assertContains(self.client.get(self.url), "The closing report has been written.")

    def test_an_empty_report_is_refused_with_what_was_typed(self) -> None:
        self.client.force_login(self.casey)
        response = self.client.post(self.url, {**self.FIELDS, "outcomes": ""})
        self.assertContains(response, "Record the outcomes of the support", status_code=400)
        self.assertContains(response, "Mentoring for six months.", status_code=400)
        self.assertFalse(ClosingReport.objects.exists())

    def test_a_chair_who_sees_the_case_is_refused_403_and_another_council_gets_404(self) -> None:
        for user, status in ((self.charlie, 403), (self.olly, 404)):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(self.url).status_code, status)
                self.assertEqual(self.client.post(self.url, self.FIELDS).status_code, status)
                denied = AuditEntry.objects.filter(actor=user, outcome=Outcome.DENIED)
                self.assertEqual(denied.count(), 2)
        self.assertFalse(ClosingReport.objects.exists())
        self.client.force_login(self.charlie)
        self.assertNotContains(self.client.get(f"/cases/{self.case.reference}/reviews/"), self.url)

    def test_before_exit_the_page_says_when_it_is_written(self) -> None:
        case = make_case(owner=self.casey, stage=Stage.UNDER_REVIEW)
        self.client.force_login(self.casey)
        page = self.client.get(f"/cases/{case.reference}/closing-report/")
        self.assertContains(page, "The closing report is written after the person exits Channel")
        self.assertNotContains(page, FORM)
