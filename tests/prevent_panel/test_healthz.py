from __future__ import annotations

from django.test import TestCase, override_settings


class HealthzTestCase(TestCase):
    def test_it_reports_database_and_broker_without_login(self) -> None:
        response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertEqual(body["status"], "ok")
        self.assertEqual(body["database"], "ok")
        self.assertIn(body["broker"], {"ok", "in-process"})
        self.assertEqual(set(body), {"status", "database", "broker"})

    @override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0")
    def test_an_unreachable_broker_makes_it_unhealthy(self) -> None:
        response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response.json()["broker"], "unreachable")
