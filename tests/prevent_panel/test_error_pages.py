from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.test import override_settings
from django.urls import path

from prevent_panel.urls import urlpatterns as real_urlpatterns
from tests.base import BaseTestCase


def explode(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("secret internals that must not be shown")


urlpatterns = [*real_urlpatterns, path("explode/", explode)]


@override_settings(ROOT_URLCONF=__name__)
class ErrorPagesTestCase(BaseTestCase):
    def test_404_is_a_govuk_page(self) -> None:
        self.client.force_login(self.casey)
        response = self.client.get("/no-such-page/")
        self.assertEqual(response.status_code, 404)
        self.assertContains(response, "Page not found", status_code=404)
        self.assertContains(response, "OFFICIAL-SENSITIVE", status_code=404)

    def test_500_shows_no_stack_trace(self) -> None:
        self.client.force_login(self.casey)
        self.client.raise_request_exception = False
        response = self.client.get("/explode/")
        self.assertEqual(response.status_code, 500)
        body = response.content.decode()
        self.assertIn("Sorry, there is a problem with the service", body)
        self.assertNotIn("secret internals", body)
        self.assertNotIn("Traceback", body)
