"""The sharing tab: the owner sees every route by which someone can see the case, and why; grants that
have ended or been revoked are not listed; only the owning council opens it, and every opening or
refusal is recorded."""

from __future__ import annotations

import uuid
from typing import Any

from django.utils import dateformat, timezone

from audit.models import Outcome
from cases.models import Stage
from cases.services import casework as case_services
from partners.models import AgencyKind, Role
from sharing import services
from sharing.access import AccessLevel
from sharing.models import LegalBasis, Level
from tests.base import BaseTestCase
from tests.cases.helpers import ref, set_stage
from tests.factories import make_agency, make_case, make_user
from tests.sharing.grant_helpers import audit_mark, end_now, entries_since, share, written_since


class SharingTabTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.case = make_case(owner=self.casey, first_name="Elder", last_name="Tabcase")

    def url(self, path: str = "sharing/", reference: object = None) -> str:
        return f"/cases/{reference or self.case.reference}/{path}"

    def open_tab(self, user: Any) -> Any:
        self.client.force_login(user)
        return self.client.get(self.url())

    def test_the_owner_sees_every_route_to_the_case_and_why(self) -> None:
        mentors = make_agency(kind=AgencyKind.INTERVENTION_PROVIDER, name="Synthetic Mentoring Ltd")
        mentor = make_user(agency=mentors, role=Role.INTERVENTION_PROVIDER, username="morgan")
        set_stage(self.case, Stage.SUPPORT_ACTIVE)  # a provider sees the case while it is in support
        case_services.add_support_element(
            case=self.case,
            actor=self.casey,
            support_type=ref("support_type", "ideological_mentoring"),
            provider=mentors,
            provider_user=mentor,
            how="Weekly sessions",
            when="Tuesdays",
            starts_on=timezone.localdate(),
        )
        health = share(
            self.case,
            actor=self.casey,
            agency=self.health,
            level=Level.FULL,
            days=20,
            purpose="Synthetic purpose: clinical input",
            legal_basis=LegalBasis.SUBSTANTIAL_PUBLIC_INTEREST,
        )
        olly = share(
            self.case,
            actor=self.casey,
            user=self.olly,
            level=Level.SUMMARY,
            days=45,
            purpose="Synthetic purpose: the person may move to Otherton",
            legal_basis=LegalBasis.DUTY_TO_COOPERATE,
        )

        page = self.open_tab(self.casey)

        self.assertContains(page, "Prevent coordinators and panel chairs of Testshire Council")
        self.assertContains(page, "Owning council")
        self.assertContains(page, "Police practitioners of Testshire Police")
        self.assertContains(page, "Police for the subject&#x27;s area")
        self.assertContains(page, "morgan (Synthetic Mentoring Ltd)")
        self.assertContains(page, "Named provider of part of the support plan")
        self.assertContains(page, AccessLevel.PROVIDER.label)
        for grant, who, basis in (
            (health, "Testshire Health", "UK GDPR Art 9(2)(g) substantial public interest"),
            (olly, "olly (Otherton Council)", "CTSA 2015 s.38 duty of panel partners to co-operate"),
        ):
            self.assertContains(page, who)
            self.assertContains(page, f"Shared by the owner: {grant.purpose}")
            self.assertContains(page, basis)
            self.assertContains(page, grant.get_level_display())
            self.assertContains(page, dateformat.format(timezone.localtime(grant.ends_at), "j M Y"))
            self.assertContains(page, f"/cases/{self.case.reference}/sharing/{grant.reference}/revoke/")
            self.assertContains(page, f"/cases/{self.case.reference}/sharing/{grant.reference}/extend/")
        self.assertContains(page, f"/cases/{self.case.reference}/sharing/new/")

    def test_revoked_and_ended_grants_are_not_listed(self) -> None:
        schools = make_agency(kind=AgencyKind.EDUCATION, name="Synthetic Schools Trust")
        housing = make_agency(kind=AgencyKind.HOUSING, name="Synthetic Housing Group")
        revoked = share(self.case, actor=self.casey, agency=schools, purpose="Synthetic purpose: revoked one")
        services.revoke_grant(grant=revoked, actor=self.casey)
        ended = end_now(share(self.case, actor=self.casey, agency=housing, purpose="Synthetic purpose: ended one"))

        page = self.open_tab(self.casey)

        self.assertContains(page, "Prevent coordinators and panel chairs of Testshire Council")
        for gone in ("Synthetic Schools Trust", "Synthetic Housing Group", "revoked one", "ended one"):
            self.assertNotContains(page, gone)
        for grant in (revoked, ended):
            self.assertNotContains(page, str(grant.reference))

    def test_opening_the_tab_is_recorded_as_opening_the_sharing_page(self) -> None:
        mark = audit_mark()
        self.assertEqual(self.open_tab(self.charlie).status_code, 200)

        (entry,) = entries_since(mark)
        self.assertEqual((entry.event, entry.outcome), ("case.share.form_opened", Outcome.ALLOWED))
        self.assertEqual(entry.actor, self.charlie)
        self.assertEqual(entry.case_reference, self.case.number)
        self.assertEqual(entry.purpose, "sharing tab")
        self.assertEqual(entry.additional_data, {"level": AccessLevel.OWNER})
        self.assertEqual((entry.method, entry.path), ("GET", self.url()))

    def test_police_and_partners_with_a_grant_get_403(self) -> None:
        share(self.case, actor=self.casey, agency=self.health, level=Level.FULL)
        share(self.case, actor=self.casey, user=self.olly, level=Level.FULL)
        for user in (self.pat, self.harper, self.olly):
            mark = audit_mark()
            self.assertEqual(self.open_tab(user).status_code, 403, user.username)
            (entry,) = entries_since(mark)
            self.assertEqual((entry.event, entry.outcome), ("case.share.form_opened", Outcome.DENIED), user.username)
            self.assertEqual(entry.additional_data, {"reason": "not allowed"})
            self.assertEqual(entry.case_reference, self.case.number)

    def test_strangers_get_404_identical_to_a_missing_case(self) -> None:
        for user in (self.harper, self.olly, self.audrey, self.ada):
            self.client.force_login(user)
            mark = audit_mark()
            other = uuid.uuid4()
            hidden = self.client.get(self.url())
            missing = self.client.get(self.url(reference=other))
            self.assertEqual((hidden.status_code, missing.status_code), (404, 404), user.username)
            # The same but for the reference from the address, which the "Ask for access" link carries.
            hidden_page = hidden.content.replace(str(self.case.reference).encode(), b"<reference>")
            self.assertEqual(hidden_page, missing.content.replace(str(other).encode(), b"<reference>"), user.username)
            self.assertEqual(written_since(mark), [("case.share.form_opened", Outcome.DENIED)] * 2, user.username)

    def test_the_sharing_tab_is_offered_only_to_the_owning_council(self) -> None:
        share(self.case, actor=self.casey, agency=self.health, level=Level.FULL)
        for user, offered in ((self.casey, True), (self.charlie, True), (self.pat, False), (self.harper, False)):
            self.client.force_login(user)
            page = self.client.get(self.url(""))
            self.assertEqual(page.status_code, 200, user.username)
            self.assertEqual(self.url() in page.content.decode(), offered, user.username)
