"""No one changes their own role, agency or whether their account is active, not even by asking."""

from __future__ import annotations

from typing import Any

from partners.models import AccessChangeRequest, Role
from sharing.access import Capability, can_do
from tests.base import BaseTestCase
from tests.partners.test_access_change_requests import user_form

REFUSED = "You cannot change your own role, agency or whether your account is active."


class AdminOwnAccountTestCase(BaseTestCase):
    def post_own(self, **changes: object) -> Any:
        self.client.force_login(self.ada)
        return self.client.post(
            f"/admin/partners/user/{self.ada.pk}/change/", user_form(self.ada, reason="Promotion.", **changes)
        )

    def test_an_administrator_cannot_make_themselves_chair(self) -> None:
        response = self.post_own(role=Role.PANEL_CHAIR)
        self.assertContains(response, REFUSED)
        self.ada.refresh_from_db()
        self.assertEqual(self.ada.role, Role.ADMINISTRATOR)
        self.assertFalse(AccessChangeRequest.objects.exists())
        # And in the same session, cases are still out of reach.
        self.assertFalse(can_do(self.ada, Capability.VIEW))

    def test_an_administrator_cannot_move_themselves_to_another_agency(self) -> None:
        self.assertContains(self.post_own(agency=self.police_force.pk), REFUSED)
        self.ada.refresh_from_db()
        self.assertEqual(self.ada.agency, self.council)

    def test_an_administrator_cannot_deactivate_themselves(self) -> None:
        self.assertContains(self.post_own(is_active=""), REFUSED)
        self.ada.refresh_from_db()
        self.assertTrue(self.ada.is_active)

    def test_an_administrator_can_still_correct_their_own_name(self) -> None:
        response = self.post_own(last_name="Lovelace")
        self.assertEqual(response.status_code, 302)
        self.ada.refresh_from_db()
        self.assertEqual(self.ada.last_name, "Lovelace")
