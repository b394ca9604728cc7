from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from partners import services
from partners.forms import ChangePasswordForm
from sharing.navigation import sections_for


def home(request: HttpRequest) -> HttpResponse:
    """The landing page: who you are, your agency and role, and the sections your role has."""
    return render(request, "partners/home.html", {"sections": sections_for(request.user)})  # type: ignore[arg-type]


def change_password(request: HttpRequest) -> HttpResponse:
    form = ChangePasswordForm(request.user, request.POST or None)
    if request.method != "POST" or not form.is_valid():
        status = 400 if request.method == "POST" else 200
        return render(request, "partners/change_password.html", {"form": form}, status=status)
    user = services.change_password(user=request.user, new_password=form.cleaned_data["new_password1"])  # type: ignore[arg-type]
    update_session_auth_hash(request, user)
    messages.success(request, "Your password has been changed.")
    return redirect("home")


def sign_out(request: HttpRequest) -> HttpResponse:
    """GET asks for confirmation (so no page carries a sign-out form); POST signs out."""
    if request.method == "POST":
        logout(request)
        return redirect("login")
    return render(request, "partners/sign_out.html")
