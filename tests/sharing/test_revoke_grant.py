"""revoke_grant and the revoke button: access stops at the very next request, the guardian permission
goes unless another grant in force needs it, a grant is revoked once, and all of it is audited."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError

from audit.models import AuditEntry, Outcome
from partners.models import AgencyKind, Role
from sharing import services
from sharing.access import visible_cases
from sharing.models import Level, ShareGrant
from tests.base import BaseTestCase
from tests.factories import make_agency, make_case, make_user
from tests.sharing.grant_helpers import (
    audit_mark,
    entries_since,
    flashed,
    has_permission,
    share,
    written_since,
)


class RevokeGrantTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.case = make_case(owner=self.casey, first_name="Hazel", last_name="Revokecase")
        self.grant = share(self.case, actor=self.casey, agency=self.health, level=Level.FULL)

    def url(self, path: str = "", reference: object = None) -> str:
        return f"/cases/{reference or self.case.reference}/{path}"

    def revoke_url(self, grant: ShareGrant | None = None) -> str:
        return self.url(f"sharing/{(grant or self.grant).reference}/revoke/")

    def post_revoke(self, user: Any, grant: ShareGrant | None = None) -> Any:
        self.client.force_login(user)
        return self.client.post(self.revoke_url(grant))

    # --- the service ----------------------------------------------------------------------------

    def test_the_next_request_after_revocation_is_a_404_identical_to_a_missing_case(self) -> None:
        self.client.force_login(self.harper)
        self.assertContains(self.client.get(self.url()), "Hazel Revokecase")

        services.revoke_grant(grant=self.grant, actor=self.casey)

        mark = audit_mark()
        other = uuid.uuid4()
        revoked = self.client.get(self.url())
        missing = self.client.get(self.url(reference=other))
        self.assertEqual(revoked.status_code, 404)
        self.assertEqual(missing.status_code, 404)
        # The same but for the reference from the address, which the "Ask for access" link carries.
        revoked_page = revoked.content.replace(str(self.case.reference).encode(), b"<reference>")
        self.assertEqual(revoked_page, missing.content.replace(str(other).encode(), b"<reference>"))
        self.assertNotContains(revoked, "Hazel", status_code=404)
        self.assertNotContains(revoked, self.case.number, status_code=404)
        denied = entries_since(mark)
        self.assertEqual([(e.event, e.outcome) for e in denied], [("case.viewed", Outcome.DENIED)] * 2)
        self.assertEqual(denied[0].object_repr, str(self.case.reference))
        self.assertEqual(denied[0].additional_data, {"reason": "not visible"})

    def test_revoking_stops_the_grant_and_removes_its_guardian_permission(self) -> None:
        self.assertTrue(has_permission(self.grant))

        grant = services.revoke_grant(grant=self.grant, actor=self.casey)

        self.assertIsNotNone(grant.revoked_at)
        self.assertEqual(grant.revoked_by, self.casey)
        self.assertFalse(grant.is_active)
        self.assertFalse(has_permission(grant))
        self.assertNotIn(self.case, visible_cases(self.harper))

    def test_the_permission_stays_while_another_grant_in_force_needs_it(self) -> None:
        second = share(self.case, actor=self.charlie, agency=self.health, level=Level.FULL, days=60)

        services.revoke_grant(grant=self.grant, actor=self.casey)

        self.assertTrue(has_permission(second))
        self.assertIn(self.case, visible_cases(self.harper))
        services.revoke_grant(grant=second, actor=self.casey)
        self.assertFalse(has_permission(second))
        self.assertNotIn(self.case, visible_cases(self.harper))

    def test_a_person_keeps_access_through_their_own_grant_when_their_agencys_grant_is_revoked(self) -> None:
        own = share(self.case, actor=self.casey, user=self.harper, level=Level.SUMMARY)
        colleague = make_user(agency=self.health, role=Role.PANEL_MEMBER, username="hollis")

        services.revoke_grant(grant=self.grant, actor=self.casey)

        self.assertFalse(has_permission(self.grant))
        self.assertTrue(has_permission(own))
        self.assertIn(self.case, visible_cases(self.harper))
        self.assertNotIn(self.case, visible_cases(colleague))
        self.client.force_login(self.harper)
        self.assertEqual(self.client.get(self.url()).status_code, 200)
        self.assertEqual(self.client.get(self.url("chronology/")).status_code, 403)

    def test_revoking_twice_is_refused_and_recorded_once(self) -> None:
        services.revoke_grant(grant=self.grant, actor=self.casey)
        first = ShareGrant.objects.get(pk=self.grant.pk).revoked_at

        with self.assertRaisesMessage(ValidationError, "This sharing has already been revoked."):
            services.revoke_grant(grant=self.grant, actor=self.charlie)

        self.grant.refresh_from_db()
        self.assertEqual((self.grant.revoked_at, self.grant.revoked_by), (first, self.casey))
        self.assertEqual(AuditEntry.objects.filter(event="sharing.revoked").count(), 1)

    def test_revocation_is_audited_as_sharing_revoked(self) -> None:
        mark = audit_mark()
        services.revoke_grant(grant=self.grant, actor=self.casey)

        (entry,) = entries_since(mark)
        self.assertEqual((entry.event, entry.outcome), ("sharing.revoked", Outcome.ALLOWED))
        self.assertEqual(entry.actor, self.casey)
        self.assertEqual(entry.case_reference, self.case.number)
        self.assertEqual(entry.object_pk, str(self.case.pk))
        self.assertEqual(entry.additional_data, {"grant": str(self.grant.reference)})

    # --- the revoke button ----------------------------------------------------------------------

    def test_the_owner_revokes_through_the_sharing_tab(self) -> None:
        mark = audit_mark()
        response = self.post_revoke(self.casey)

        self.assertRedirects(response, self.url("sharing/"), fetch_redirect_response=False)
        self.assertEqual(flashed(response), ["Sharing revoked. It stopped immediately."])
        self.grant.refresh_from_db()
        self.assertEqual(self.grant.revoked_by, self.casey)
        self.assertFalse(has_permission(self.grant))
        self.assertEqual(written_since(mark), [("case.share", Outcome.ALLOWED), ("sharing.revoked", Outcome.ALLOWED)])
        revoked = AuditEntry.objects.get(event="sharing.revoked")
        self.assertEqual((revoked.method, revoked.path), ("POST", self.revoke_url()))
        self.client.force_login(self.harper)
        self.assertEqual(self.client.get(self.url()).status_code, 404)

    def test_the_chair_may_revoke_as_well(self) -> None:
        response = self.post_revoke(self.charlie)
        self.assertEqual(response.status_code, 302)
        self.grant.refresh_from_db()
        self.assertEqual(self.grant.revoked_by, self.charlie)

    def test_police_and_the_partner_holding_the_grant_get_403_and_strangers_get_404(self) -> None:
        northshire = make_agency(kind=AgencyKind.POLICE, name="Northshire Police", police_force_area="Northshire")
        outsider = make_user(agency=northshire, role=Role.POLICE_PRACTITIONER, username="nico")
        for user, status in ((self.pat, 403), (self.harper, 403), (self.olly, 404), (outsider, 404)):
            mark = audit_mark()
            response = self.post_revoke(user)
            self.assertEqual(response.status_code, status, user.username)
            self.assertEqual(written_since(mark), [("case.share", Outcome.DENIED)], user.username)
        self.grant.refresh_from_db()
        self.assertIsNone(self.grant.revoked_at)
        self.assertTrue(has_permission(self.grant))

    def test_revoking_twice_through_the_page_shows_the_refusal(self) -> None:
        self.client.get(self.post_revoke(self.casey)["Location"])  # the first message is shown there
        mark = audit_mark()

        response = self.post_revoke(self.casey)

        self.assertRedirects(response, self.url("sharing/"), fetch_redirect_response=False)
        self.assertEqual(flashed(response), ["This sharing has already been revoked."])
        self.assertEqual(written_since(mark), [("case.share", Outcome.ALLOWED)])

    def test_revoking_needs_a_post(self) -> None:
        self.client.force_login(self.casey)
        mark = audit_mark()
        self.assertEqual(self.client.get(self.revoke_url()).status_code, 405)
        self.grant.refresh_from_db()
        self.assertIsNone(self.grant.revoked_at)
        # Nothing revoked; the refused method is recorded (issue 14 finding 9: a 405 is denied).
        self.assertEqual(written_since(mark), [("http.response", Outcome.DENIED)])

    def test_a_grant_of_another_case_cannot_be_revoked_through_this_one(self) -> None:
        other_case = make_case(owner=self.casey, first_name="Alder", last_name="Othercase")
        other_grant = share(other_case, actor=self.casey, agency=self.health, level=Level.SUMMARY)

        response = self.post_revoke(self.casey, other_grant)

        self.assertEqual(response.status_code, 404)
        other_grant.refresh_from_db()
        self.assertIsNone(other_grant.revoked_at)
        self.assertFalse(AuditEntry.objects.filter(event="sharing.revoked").exists())
