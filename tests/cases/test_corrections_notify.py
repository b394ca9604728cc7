"""Telling those a case was disclosed to of a correction (UK GDPR Art 19): who is listed, the emails (the
case number only), the disclosures recorded, and a forged recipient refused."""

from __future__ import annotations

from datetime import time

from django.core import mail

from audit.models import AuditEntry, Outcome
from cases.models import (
    AgendaItem,
    AgendaKind,
    Invitation,
    MeetingStatus,
    PanelMeeting,
    Subject,
    SupportElement,
    SupportPlan,
)
from cases.services import areas, corrections
from partners.models import AgencyKind, Role
from sharing import services
from sharing.disclosures import disclosed_to, record_disclosure
from sharing.models import Disclosure, DisclosureBasis, DisclosureKind
from tests.base import BaseTestCase
from tests.cases.helpers import ref, today
from tests.factories import make_agency, make_case, make_user
from tests.sharing.grant_helpers import share

REASON = "Synthetic reason: the date of birth was typed wrongly"


class TellOfACorrectionTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.case = make_case(owner=self.casey, first_name="Jon", last_name="Smyth")
        self.url = f"/cases/{self.case.reference}/"
        self.correction = corrections.correct_subject(
            case=self.case, actor=self.casey, changes={"first_name": "John"}, reason=REASON
        )
        self.housing = make_agency(kind=AgencyKind.HOUSING, name="Testshire Housing")
        self.probation = make_agency(kind=AgencyKind.PROBATION, name="Testshire Probation")
        # Rowan, of probation, had access to the case once; it was revoked.
        self.rowan = make_user(agency=self.probation, role=Role.PANEL_MEMBER, first_name="Rowan", last_name="Ash")

    def disclose_in_every_way(self) -> None:
        share(self.case, actor=self.casey, agency=self.health)
        services.revoke_grant(grant=share(self.case, actor=self.casey, user=self.rowan), actor=self.casey)
        meeting = PanelMeeting.objects.create(
            owning_agency=self.council,
            held_on=today(),
            starts_at=time(0),
            place="Room 1",
            chair=self.charlie,
            created_by=self.charlie,
            status=MeetingStatus.APPROVED,
        )
        AgendaItem.objects.create(meeting=meeting, case=self.case, kind=AgendaKind.LISTED)
        Invitation.objects.create(meeting=meeting, agency=self.housing, invited_by=self.charlie)
        # A per-case invitation for another case: its minutes did not cover this one.
        other = make_case(owner=self.casey)
        AgendaItem.objects.create(meeting=meeting, case=other, kind=AgendaKind.LISTED)
        per_case = Invitation.objects.create(meeting=meeting, user=self.olly, invited_by=self.charlie)
        per_case.cases.add(other)
        # The council's own people are not disclosed to.
        Invitation.objects.create(meeting=meeting, user=self.casey, invited_by=self.charlie)

    def test_everyone_the_case_was_disclosed_to_is_listed_once_with_why(self) -> None:
        self.disclose_in_every_way()
        found = {r.name: r.why for r in disclosed_to(self.case)}
        self.assertEqual(
            sorted(found),
            ["Rowan Ash (Testshire Probation)", "Testshire Health", "Testshire Housing", "Testshire Police"],
        )
        self.assertEqual(found["Testshire Police"], ["Police for the person's area"])
        self.assertTrue(found["Testshire Health"][0].startswith("Shared by the owner from"))
        self.assertTrue(found["Testshire Housing"][0].startswith("Invited to the panel meeting on"))
        record_disclosure(
            case=self.case,
            actor=self.casey,
            kind=DisclosureKind.CORRECTION_NOTICE,
            basis=DisclosureBasis.RECTIFICATION_NOTICE,
            what="Synthetic",
            agency=self.police_force,
        )
        told = {r.name: r.why for r in disclosed_to(self.case)}
        self.assertTrue(told["Testshire Police"][1].startswith("Told of a correction on"))

    def test_the_police_of_an_earlier_area_and_the_providers_of_support_are_listed(self) -> None:
        otherton = make_agency(kind=AgencyKind.POLICE, name="Otherton Police", code="op", police_force_area="Otherton")
        mentors = make_agency(kind=AgencyKind.INTERVENTION_PROVIDER, name="Synthetic Mentoring")
        plan = SupportPlan.objects.create(case=self.case)
        SupportElement.objects.create(
            plan=plan,
            support_type=ref("support_type", "ideological_mentoring"),
            provider=mentors,
            originator_agency=self.council,
            how="Weekly sessions",
            when="Tuesdays",
            starts_on=today(),
        )
        areas.change_address(case=self.case, actor=self.casey, address="1 New Road", postcode="OT1 1AA", reason=REASON)
        found = {r.name: r.why for r in disclosed_to(self.case)}
        self.assertEqual(found["Otherton Police"], ["Police for the person's area"])
        self.assertEqual(len(found["Testshire Police"]), 1)
        self.assertTrue(found["Testshire Police"][0].startswith("Police for the person's earlier area, until "))
        self.assertTrue(found["Synthetic Mentoring"][0].startswith("Provides support under the plan from "))
        self.assertNotIn(otherton.name, [r.name for r in disclosed_to(make_case(owner=self.casey))])

    def test_the_page_lists_them_and_telling_records_disclosures_and_emails_the_case_number_only(self) -> None:
        self.disclose_in_every_way()
        self.client.force_login(self.casey)
        tell = f"{self.url}corrections/{self.correction.reference}/tell/"
        page = self.client.get(tell)
        self.assertContains(page, "Tell others of the correction")
        self.assertContains(page, "Rowan Ash (Testshire Probation)")
        self.assertNotContains(page, "Testshire Council:")
        keys = [f"agency:{self.health.pk}", f"user:{self.rowan.pk}"]
        first = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first()
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(tell, {"recipients": keys})
        self.assertRedirects(response, f"{self.url}chronology/", fetch_redirect_response=False)
        disclosures = Disclosure.objects.filter(case=self.case).order_by("id")
        self.assertEqual([(d.agency, d.user) for d in disclosures], [(self.health, None), (None, self.rowan)])
        self.assertEqual({d.kind for d in disclosures}, {DisclosureKind.CORRECTION_NOTICE})
        self.assertEqual({d.disclosed_by for d in disclosures}, {self.casey})
        events = list(
            AuditEntry.objects.filter(id__gt=first, method="POST").order_by("id").values_list("event", "outcome")
        )
        self.assertEqual(
            events,
            [
                ("case.correct", Outcome.ALLOWED),
                ("sharing.disclosed", Outcome.ALLOWED),
                ("sharing.disclosed", Outcome.ALLOWED),
                ("case.correction_notified", Outcome.ALLOWED),
            ],
        )
        notified = AuditEntry.objects.get(event="case.correction_notified")
        self.assertEqual(notified.additional_data, {"correction": str(self.correction.reference), "told": 2})
        recipients = sorted(address for message in mail.outbox for address in message.to)
        self.assertIn(self.harper.email, recipients)
        self.assertIn(self.rowan.email, recipients)
        for message in mail.outbox:
            self.assertIn(self.case.number, message.body)
            for personal in ("John", "Jon", "Smyth", REASON):
                self.assertNotIn(personal, f"{message.subject} {message.body}")

    def test_a_forged_recipient_is_refused_and_nobody_is_told(self) -> None:
        self.disclose_in_every_way()
        self.client.force_login(self.casey)
        tell = f"{self.url}corrections/{self.correction.reference}/tell/"
        forged = [f"agency:{self.health.pk}", f"user:{self.olly.pk}"]
        response = self.client.post(tell, {"recipients": forged})
        self.assertContains(response, "govuk-error-summary", status_code=400)
        with self.assertRaisesMessage(Exception, "Choose only from"):
            corrections.notify_correction(correction=self.correction, actor=self.casey, recipients=forged)
        self.assertFalse(Disclosure.objects.exists())
        self.assertFalse(AuditEntry.objects.filter(event="case.correction_notified").exists())

    def test_with_nobody_to_tell_the_page_says_so_and_others_may_not_tell(self) -> None:
        self.client.force_login(self.casey)
        tell = f"{self.url}corrections/{self.correction.reference}/tell/"
        self.assertNotContains(self.client.get(tell), "there is nobody to tell")  # the police of the area
        # A force area with no police agency in the service: nobody outside the council has seen the case.
        Subject.objects.filter(pk=self.case.subject_id).update(police_force_area="Synthetic Unserved Area")
        self.assertContains(self.client.get(tell), "there is nobody to tell")
        Subject.objects.filter(pk=self.case.subject_id).update(police_force_area="Testshire")
        self.client.force_login(self.pat)
        self.assertEqual(self.client.get(tell).status_code, 403)
        self.client.force_login(self.olly)
        self.assertEqual(self.client.get(tell).status_code, 404)
        self.client.force_login(self.casey)
        other = make_case(owner=self.casey)
        self.assertEqual(
            self.client.get(f"/cases/{other.reference}/corrections/{self.correction.reference}/tell/").status_code, 404
        )
