"""Values every page needs: the service name, the protective marking and the signed-in user's sections."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from sharing.navigation import sections_for


def service(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    return {
        "service_name": settings.SERVICE_NAME,
        "protective_marking": settings.PROTECTIVE_MARKING,
        "nav_sections": sections_for(user) if user is not None and user.is_authenticated else [],
    }
