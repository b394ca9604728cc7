"""Values every page needs: the service name, the protective marking, the signed-in user's sections, the
CSP nonce and the session clock for the timeout warning."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from sharing.navigation import sections_for


def service(request: HttpRequest) -> dict[str, object]:
    """The service menu is offered only once the second factor is done (and any passkey a role owes): on
    the sign-in steps a person can only finish signing in or sign out, so the menu shows only Sign out."""
    from partners import mfa

    user = getattr(request, "user", None)
    menu = user is not None and user.is_authenticated and mfa.is_verified(request) and not mfa.passkey_owed(request)
    return {
        "service_name": settings.SERVICE_NAME,
        "protective_marking": settings.PROTECTIVE_MARKING,
        "full_menu": menu,
        "nav_sections": sections_for(user) if user is not None and menu else [],
    }


def security(request: HttpRequest) -> dict[str, object]:
    """`csp_nonce` is the name django-htmx's {% htmx_script %} reads (django-csp 4 calls it CSP_NONCE).
    The session's seconds left feed the timeout warning, which only a verified session gets. Error pages
    get none of these, so they are the same for everyone (prevent_panel.views.page_not_found)."""
    from partners import mfa
    from partners.sessions import in_words, seconds_left

    if getattr(request, "is_error_page", False):
        return {"error_page": True, "csp_nonce": None}
    context: dict[str, object] = {"csp_nonce": getattr(request, "csp_nonce", None)}
    if getattr(request, "user", None) is not None and mfa.is_verified(request):
        idle, absolute = seconds_left(request.session)
        context["session_clock"] = {
            "idle": max(idle, 0),
            "absolute": max(absolute, 0),
            "warn": settings.SESSION_WARNING_SECONDS,
            "idle_limit": in_words(settings.SESSION_IDLE_SECONDS),
            "keep_alive": settings.SESSION_KEEP_ALIVE_SECONDS,
        }
    return context
