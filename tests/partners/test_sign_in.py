from __future__ import annotations

from tests.base import BaseTestCase
from tests.clients import give_totp_device, next_code
from tests.factories import PASSWORD


class SignInTestCase(BaseTestCase):
    def test_it_signs_in_and_lands_on_home(self) -> None:
        give_totp_device(self.casey)
        response = self.client.post("/sign-in/", {"username": "casey", "password": PASSWORD})
        self.assertRedirects(response, "/", fetch_redirect_response=False)
        # The password alone leads to the second factor, which leads home.
        self.assertRedirects(self.client.get("/"), "/account/two-factor/?next=/")
        response = self.client.post("/account/two-factor/", {"code": next_code(self.casey), "next": "/"})
        self.assertRedirects(response, "/")
        self.assertContains(self.client.get("/"), "Testshire Council")

    def test_a_wrong_password_shows_the_error_summary(self) -> None:
        response = self.client.post("/sign-in/", {"username": "casey", "password": "wrong-password-123"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "govuk-error-summary")
        self.assertContains(response, "Enter a correct username and password")
        self.assertContains(response, "<title>Error: Sign in")

    def test_an_unknown_user_gets_the_same_message_as_a_wrong_password(self) -> None:
        wrong = self.client.post("/sign-in/", {"username": "casey", "password": "wrong-password-123"})
        unknown = self.client.post("/sign-in/", {"username": "nobody", "password": "wrong-password-123"})
        strip = lambda r: r.content.decode().replace("casey", "X").replace("nobody", "X")  # noqa: E731
        self.assertEqual(
            strip(wrong).split("<main")[1].split("csrfmiddlewaretoken")[0],
            strip(unknown).split("<main")[1].split("csrfmiddlewaretoken")[0],
        )

    def test_an_inactive_user_cannot_sign_in(self) -> None:
        self.harper.is_active = False
        self.harper.save()
        response = self.client.post("/sign-in/", {"username": "harper", "password": PASSWORD})
        self.assertContains(response, "Enter a correct username and password")

    def test_pages_require_sign_in(self) -> None:
        response = self.client.get("/")
        self.assertRedirects(response, "/sign-in/?next=/")

    def test_sign_out_ends_the_session(self) -> None:
        self.client.force_login(self.casey)
        response = self.client.post("/sign-out/")
        self.assertRedirects(response, "/sign-in/")
        self.assertRedirects(self.client.get("/"), "/sign-in/?next=/")

    def test_sign_out_asks_for_confirmation_before_signing_out(self) -> None:
        self.client.force_login(self.casey)
        response = self.client.get("/sign-out/")
        self.assertContains(response, "Are you sure you want to sign out?")
        self.assertEqual(self.client.get("/").status_code, 200)
