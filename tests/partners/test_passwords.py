"""Passwords: at least 12 characters, common ones refused, no composition rules, long ones and paste
allowed (ASVS 5.0 V6.2; test plan T13)."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from partners.models import User
from tests.base import BaseTestCase
from tests.factories import PASSWORD


class PasswordPolicyTestCase(BaseTestCase):
    def assert_refused(self, password: str, message: str) -> None:
        with self.assertRaises(ValidationError) as raised:
            validate_password(password, self.casey)
        self.assertIn(message, " ".join(raised.exception.messages))

    def test_short_and_common_passwords_are_refused(self) -> None:
        self.assert_refused("Xq7#mP2!vL9", "at least 12 characters")  # 11 characters
        self.assert_refused("password1234", "too common")
        self.assert_refused("123456789012", "entirely numeric")

    def test_long_passphrases_without_composition_rules_are_accepted(self) -> None:
        validate_password("purple kettle under the stairs", self.casey)
        validate_password("a" * 3 + "quietly-orbiting-lanterns " * 4, self.casey)  # 100+ characters
        validate_password("x7k2-" * 13, self.casey)  # 65 characters

    def test_a_64_character_password_works_for_sign_in(self) -> None:
        long_password = "correct horse battery staple and a bit more for sixty-four chars"
        self.assertGreaterEqual(len(long_password), 64)
        self.client.force_login(self.casey)
        response = self.client.post(
            "/account/password/",
            {"old_password": PASSWORD, "new_password1": long_password, "new_password2": long_password},
        )
        self.assertRedirects(response, "/")
        self.client.post("/sign-out/")
        response = self.client.post("/sign-in/", {"username": "casey", "password": long_password})
        self.assertEqual(response.status_code, 302)

    def test_password_fields_allow_paste_and_password_managers(self) -> None:
        body = self.client.get("/sign-in/").content.decode()
        self.assertIn('autocomplete="username"', body)
        self.assertIn('autocomplete="current-password"', body)
        for blocker in ("onpaste", "oncopy", "ondrop", 'autocomplete="off"'):
            self.assertNotIn(blocker, body)

    def test_changing_a_password_ignores_role_agency_and_staff_fields(self) -> None:
        self.client.force_login(self.casey)
        new = "a new and entirely fine passphrase"
        self.client.post(
            "/account/password/",
            {
                "old_password": PASSWORD,
                "new_password1": new,
                "new_password2": new,
                "is_staff": "on",
                "is_superuser": "on",
                "role": "administrator",
                "agency": str(self.police_force.pk),
            },
        )
        casey = User.objects.get(pk=self.casey.pk)
        self.assertTrue(casey.check_password(new))
        self.assertEqual(
            (casey.is_staff, casey.is_superuser, casey.role, casey.agency_id),
            (False, False, "prevent_coordinator", self.council.pk),
        )
