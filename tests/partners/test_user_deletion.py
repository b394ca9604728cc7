from __future__ import annotations

from django.contrib.admin.sites import site
from django.test import RequestFactory

from partners.models import User, UserDeletionRefused
from partners.services import deactivate_user
from tests.base import BaseTestCase


class UserDeletionTestCase(BaseTestCase):
    def test_it_refuses_to_delete_a_user(self) -> None:
        with self.assertRaisesMessage(UserDeletionRefused, "Deactivate the account instead"):
            self.harper.delete()
        self.assertTrue(User.objects.filter(pk=self.harper.pk).exists())

    def test_it_refuses_to_delete_users_in_bulk(self) -> None:
        with self.assertRaises(UserDeletionRefused):
            User.objects.filter(agency=self.health).delete()
        self.assertEqual(User.objects.filter(agency=self.health).count(), 1)

    def test_the_admin_offers_no_delete(self) -> None:
        request = RequestFactory().get("/admin/partners/user/")
        request.user = self.ada
        user_admin = site._registry[User]
        self.assertFalse(user_admin.has_delete_permission(request, self.harper))
        self.assertNotIn("delete_selected", user_admin.get_actions(request))

    def test_the_admin_delete_page_is_forbidden(self) -> None:
        self.client.force_login(self.ada)
        response = self.client.post(f"/admin/partners/user/{self.harper.pk}/delete/", {"post": "yes"})
        self.assertEqual(response.status_code, 403)
        self.assertTrue(User.objects.filter(pk=self.harper.pk).exists())

    def test_deactivation_keeps_the_user_and_stops_sign_in(self) -> None:
        deactivate_user(user=self.harper)
        self.harper.refresh_from_db()
        self.assertFalse(self.harper.is_active)
        self.assertFalse(self.client.login(username="harper", password="correct-horse-battery-staple-42"))
