"""Operational endpoints that sit outside the apps."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from partners.middleware import mfa_not_required
from prevent_panel.celery import app as celery_app
from sharing.access import Capability, can_do


def _database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any failure means "not reachable" to a load balancer
        return "unreachable"
    return "ok"


def _broker_status() -> str:
    if not settings.CELERY_BROKER_URL:
        return "in-process"
    try:
        with celery_app.connection_for_write(url=settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception:
        return "unreachable"
    return "ok"


@login_not_required
@mfa_not_required
@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers and compose health checks: no login, no personal data."""
    checks = {"database": _database_status(), "broker": _broker_status()}
    healthy = all(value in {"ok", "in-process"} for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503)


# Error pages carry nothing that changes from one response to the next (no CSP nonce, no CSRF token, no
# session clock), so "not shared with you" and "does not exist" stay byte-identical (README "sharing").
def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    request.is_error_page = True  # type: ignore[attr-defined]
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    request.is_error_page = True  # type: ignore[attr-defined]
    return defaults.permission_denied(request, exception)


# The case reference in a case's address (/cases/<reference>/...), whichever tab or change it names.
CASE_PATH = re.compile(r"^/cases/(?P<reference>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/")


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Page not found, with a way forward for someone who may ask for access (issue 15 finding 4): from a
    case's address, the link carries its reference, so they can ask without knowing its number. The link is
    made from the address alone, never from whether the case exists, so a hidden case and a missing one
    still get the same page."""
    request.is_error_page = True  # type: ignore[attr-defined]
    user = getattr(request, "user", None)
    ask_for_access = ""
    if user is not None and user.is_authenticated and can_do(user, Capability.REQUEST_ACCESS):
        ask_for_access = reverse("sharing:requests")
        found = CASE_PATH.match(request.path)
        if found:
            ask_for_access += "?" + urlencode({"case": found["reference"]})
    body = loader.get_template("404.html").render({"ask_for_access": ask_for_access}, request)
    return HttpResponseNotFound(body)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent from a page whose CSRF token has changed (it was open across a sign-in in another tab,
    or its session ended): not a dead end, but a way back to the page, which for the referral form
    reopens the author's draft (the form's address carries it)."""
    request.is_error_page = True  # type: ignore[attr-defined]
    context = {"retry": request.get_full_path(), "referral": request.path == reverse("cases:new")}
    return render(request, "403_csrf.html", context, status=403)
