from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sharing.navigation import sections_for


def home(request: HttpRequest) -> HttpResponse:
    """The landing page: who you are, your agency and role, and the sections your role has."""
    return render(request, "partners/home.html", {"sections": sections_for(request.user)})  # type: ignore[arg-type]
