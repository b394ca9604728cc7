"""The signed-in person's own pages: home, password, signing out, and the second factor (set up and
checked at every sign-in, before anything else is reachable)."""

from __future__ import annotations

from base64 import b32encode
from io import BytesIO
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit import services as audit
from lib.views import render_form
from partners import accounts, mfa, passkeys, services, sessions
from partners.forms import ChangePasswordForm, SecondFactorForm, SetUpPasswordForm, TOTPCodeForm
from partners.http import AuthenticatedHttpRequest
from partners.middleware import mfa_not_required
from sharing.navigation import sections_for, things_to_do


def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The landing page: who you are, your agency and role, the work waiting for you (counted through the
    gate, each count the length of the list it links to) and the sections your role has."""
    context = {"sections": sections_for(request.user), "things_to_do": things_to_do(request.user)}
    return render(request, "partners/home.html", context)


def change_password(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The user changes their own password and stays signed in. An empty POST is refused like any other."""
    form = ChangePasswordForm(request.user, request.POST if request.method == "POST" else None)
    if form.is_valid():
        user = services.change_password(user=request.user, new_password=form.cleaned_data["new_password1"])
        update_session_auth_hash(request, user)
        messages.success(request, "Your password has been changed.")
        return redirect("home")
    return render_form(request, "partners/change_password.html", {}, form=form)


@login_not_required
@mfa_not_required
def set_up_account(request: HttpRequest) -> HttpResponse:
    """Through the single-use link an administrator issued: the person sets their own password, then signs
    in and sets up their second factor as at any first sign-in. A used, replaced or expired link is refused."""
    token = request.GET.get("token", "")
    account = accounts.read_setup_link(token)
    if account is None:
        return render(request, "partners/set_up_link_refused.html", status=404)
    form = SetUpPasswordForm(account, request.POST if request.method == "POST" else None)
    if form.is_valid():
        accounts.use_setup_link(user=account, password=form.cleaned_data["new_password1"])
        if request.user.is_authenticated:
            logout(request)
        messages.success(request, "Your password is set. Sign in to set up your second factor.")
        return redirect("login")
    return render_form(request, "partners/set_up_account.html", {"account": account}, form=form)


# Everything a browser keeps for this site goes when the session ends (ASVS 5.0 V14.3.1).
CLEAR_SITE_DATA = '"cache", "cookies", "storage"'


@mfa_not_required
def sign_out(request: AuthenticatedHttpRequest) -> HttpResponse:
    """GET asks for confirmation (so no page carries a sign-out form); POST deletes the server-side session
    and tells the browser to drop the site's cookies, storage and cache."""
    if request.method == "POST":
        logout(request)
        response = redirect("login")
        response["Clear-Site-Data"] = CLEAR_SITE_DATA
        return response
    return render(request, "partners/sign_out.html")


def next_url(request: HttpRequest) -> str:
    """The page asked for before signing in, if it is on this site; otherwise home."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    # Only a path on this site: anything else (a view name, a scheme, another host) goes home.
    return target if safe and target.startswith("/") else reverse(settings.LOGIN_REDIRECT_URL)


@mfa_not_required
def mfa_enrol(request: AuthenticatedHttpRequest) -> HttpResponse:
    """First sign-in: set up an authenticator app (QR code made here, never by a third party), confirm it
    with a code, and see the recovery codes once."""
    if mfa.is_verified(request):
        return redirect(next_url(request))
    if mfa.has_confirmed_device(request.user):
        # Already enrolled: a password alone must never add a factor (the service refuses it too).
        return redirect(f"{reverse('mfa_verify')}?{request.GET.urlencode()}")
    device = services.start_totp_enrolment(user=request.user)
    request.session[mfa.PENDING_DEVICE] = device.pk
    form = TOTPCodeForm(request.POST if request.method == "POST" else None)
    context = {"secret": _grouped_secret(device), "next": next_url(request)}
    if form.is_valid():
        codes = services.confirm_totp_enrolment(user=request.user, device=device, code=form.cleaned_data["code"])
        if codes is not None:
            mfa.mark_verified(request, TOTPDevice.objects.get(pk=device.pk))
            return render(request, "partners/mfa_recovery_codes.html", {"codes": codes, "next": context["next"]})
        form.add_error("code", "The code is not right: enter the code the app shows now")
    return render_form(request, "partners/mfa_enrol.html", context, form=form)


@mfa_not_required
@require_GET
def mfa_qr(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The QR code of the device being set up, as SVG; only for the session that is setting it up."""
    device = TOTPDevice.objects.filter(
        pk=request.session.get(mfa.PENDING_DEVICE), user_id=request.user.pk, confirmed=False
    ).first()
    if device is None:
        raise Http404
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=20)
    buffer = BytesIO()
    image.save(buffer)
    return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")


@mfa_not_required
def mfa_verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every sign-in: the code from the app (or a recovery code), or the user's passkey, after the password.
    A role that must use a passkey and has one is offered only the passkey; a session of such a role that was
    verified with a code is sent back here to use it (partners.mfa.passkey_owed)."""
    if mfa.is_verified(request) and not mfa.passkey_owed(request):
        return redirect(next_url(request))
    if not mfa.has_confirmed_device(request.user):
        return redirect(f"{reverse('mfa_enrol')}?{request.GET.urlencode()}")
    target = next_url(request)
    has_passkey = passkeys.has_passkey(request.user)
    # A role that must use a passkey, and has one, cannot use a code instead.
    passkey_only = has_passkey and passkeys.passkey_required(request.user)
    recovery = request.GET.get("with") == "recovery"
    form = SecondFactorForm(
        request.POST if request.method == "POST" else None, recovery=recovery, autofocus=not has_passkey
    )
    context = {
        "next": target,
        "has_passkey": has_passkey,
        "passkey_only": passkey_only,
        "passkey_config": passkeys.passkey_config(request) if has_passkey else None,
        "recovery": recovery,
        # The same page for the other kind of code, keeping where the person was going.
        "other_way": f"{reverse('mfa_verify')}?"
        + urlencode({"next": target} if recovery else {"next": target, "with": "recovery"}),
    }
    if passkey_only and form.is_bound:
        form.is_valid()
        form.add_error(None, "Your role must sign in with a passkey: select 'Use your passkey'")
    elif form.is_valid():
        device = services.verify_second_factor(user=request.user, code=form.cleaned_data["code"])
        if device is not None:
            mfa.mark_verified(request, device)
            return redirect(target)
        form.add_error(
            "code",
            "The code is not right, or it has already been used. Wait for the app to show a new code and try "
            "again; after several wrong codes you must wait longer each time.",
        )
    return render_form(request, "partners/mfa_verify.html", context, form=form)


@require_POST
def extend_session(request: AuthenticatedHttpRequest) -> HttpResponse:
    """'Stay signed in' from the timeout warning: restarts the idle clock, never the absolute one."""
    sessions.touch(request.session)
    idle, absolute = sessions.seconds_left(request.session)
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"idle_seconds": idle, "absolute_seconds": absolute})
    return redirect(next_url(request))


@require_POST
def keep_alive(request: AuthenticatedHttpRequest) -> JsonResponse:
    """Typing in a form is activity: the page's script posts here at most once a minute while someone
    types (assets/js/session-timeout.js), and the idle clock restarts as for any page. The absolute limit
    is never moved: the answer says how long is left of each, and the page warns of whichever ends first.

    Recorded as one entry per keep-alive (it closes the request, so the safety net adds none): a session
    kept alive by a script is something an auditor must be able to see, and the script's once-a-minute
    throttle keeps it to the rate of ordinary page views. An ended session never reaches here: the
    session limits end it first and the sign-in redirect answers (the script reads that as signed out)."""
    sessions.touch(request.session)
    idle, absolute = sessions.seconds_left(request.session)
    audit.record(
        event="auth.session_kept_alive",
        actor=request.user,
        obj=request.user,
        object_repr=request.user.username,
        detail={"absolute_seconds_left": absolute},
    )
    return JsonResponse({"idle_seconds": idle, "absolute_seconds": absolute})


@require_GET
def session_status(request: AuthenticatedHttpRequest) -> JsonResponse:
    """How long this session has left, for the timeout warning to check before it warns or says the
    session has ended (another tab may have kept it alive). Reading it is not activity
    (partners.middleware), so an unattended page asking cannot keep a session alive."""
    idle, absolute = sessions.seconds_left(request.session)
    return JsonResponse({"idle_seconds": idle, "absolute_seconds": absolute})


def _grouped_secret(device: TOTPDevice) -> str:
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
