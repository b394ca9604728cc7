"""An administrator resets someone's lost second factor from the admin: their devices go, their sessions
end, they set it up again at their next sign-in; audited and flagged; never on their own account."""

from __future__ import annotations

from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEntry
from tests.base import BaseTestCase
from tests.clients import VerifiedClient


class ResetSecondFactorTestCase(BaseTestCase):
    def reset(self, *users: object) -> None:
        self.client.force_login(self.ada)
        self.client.post(
            "/admin/partners/user/",
            {"action": "reset_second_factor", "_selected_action": [u.pk for u in users]},  # type: ignore[attr-defined]
        )

    def test_it_removes_the_devices_ends_the_sessions_and_is_audited(self) -> None:
        harper_browser = VerifiedClient()
        harper_browser.force_login(self.harper)
        StaticDevice.objects.create(user=self.harper, name="Recovery codes", confirmed=True)
        self.reset(self.harper)
        self.assertFalse(TOTPDevice.objects.filter(user=self.harper).exists())
        self.assertFalse(StaticDevice.objects.filter(user=self.harper).exists())
        self.assertEqual(harper_browser.get("/").status_code, 302)
        entry = AuditEntry.objects.get(event="auth.mfa_reset")
        self.assertEqual(entry.actor, self.ada)
        self.assertEqual(entry.object_repr, "harper")
        self.assertTrue(entry.is_flagged)
        self.assertEqual(entry.additional_data, {"devices_removed": 2, "sessions_ended": 1})

    def test_the_next_sign_in_sets_up_a_new_factor(self) -> None:
        self.reset(self.harper)
        browser = VerifiedClient()
        browser.force_login_without_mfa(self.harper)
        response = browser.get("/")
        self.assertEqual(response.status_code, 302)
        self.assertIn("/account/two-factor/set-up/", response["Location"])

    def test_it_is_refused_on_your_own_account(self) -> None:
        self.reset(self.ada)
        self.assertTrue(TOTPDevice.objects.filter(user=self.ada).exists())
        self.assertFalse(AuditEntry.objects.filter(event="auth.mfa_reset").exists())

    def test_only_administrators_reach_it(self) -> None:
        TOTPDevice.objects.create(user=self.harper, name="App", confirmed=True)
        self.client.force_login(self.charlie)
        self.client.post(
            "/admin/partners/user/", {"action": "reset_second_factor", "_selected_action": [self.harper.pk]}
        )
        self.assertTrue(TOTPDevice.objects.filter(user=self.harper).exists())
