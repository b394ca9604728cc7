"""Operational endpoints that sit outside the apps."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from partners.middleware import mfa_not_required
from prevent_panel.celery import app as celery_app


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


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    request.is_error_page = True  # type: ignore[attr-defined]
    return defaults.page_not_found(request, exception)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent from a page whose CSRF token has changed (it was open across a sign-in in another tab,
    or its session ended): not a dead end, but a way back to the page, which for the referral form
    reopens the author's draft (the form's address carries it)."""
    request.is_error_page = True  # type: ignore[attr-defined]
    context = {"retry": request.get_full_path(), "referral": request.path == reverse("cases:new")}
    return render(request, "403_csrf.html", context, status=403)
