"""Per-request audit context: a server-made request id, the actor, fail-closed error handling, and the
safety net that gives every audited response exactly one closing entry whose outcome matches it."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from auditlog.context import set_extra_data
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from audit import context
from audit.models import Outcome
from audit.services import AuditWriteFailed, record
from partners import mfa

REQUEST_ID_HEADER = "X-Request-ID"
NET_EVENT = "http.response"


@cache
def sign_in_pages() -> frozenset[str]:
    """Where a refused visitor is sent: sign-in (ours and the admin's door to it) and the second factor."""
    return frozenset(reverse(name) for name in ("login", "admin:login", "mfa_verify", "mfa_enrol"))


@cache
def account_pages() -> frozenset[str]:
    """Pages whose own redirects to sign-in are answers, not refusals (sign-out sends you to sign in)."""
    return sign_in_pages() | {reverse("logout"), reverse("mfa_qr")}


@cache
def anonymous_doors() -> frozenset[str]:
    # The sign-in form records its own answers (signed in, sign-in failed with the form shown again at 200,
    # locked out); the admin's login URL only sends visitors to it.
    return frozenset({reverse("login"), reverse("admin:login")})


def is_exempt(request: HttpRequest, outcome: Outcome, *, signed_in: bool) -> bool:
    """Requests that need no closing entry: static files (WhiteNoise answers them before Django in
    production), the load balancer's /healthz, and an anonymous visitor answered at the sign-in door (an
    error there, such as a failed CSRF check, still gets one)."""
    path = request.path
    if path.startswith(settings.STATIC_URL) or path == reverse("healthz"):
        return True
    return not signed_in and path in anonymous_doors() and outcome == Outcome.ALLOWED


def response_outcome(request: HttpRequest, response: HttpResponse) -> Outcome:
    """2xx and 3xx allowed, 4xx denied (400, a form sent back, also accepts the view's allowed entry), 5xx
    failed; a redirect that sends someone to sign in or to the second
    factor from any other page is a refusal, so it is denied."""
    status = response.status_code
    if status >= 500:
        return Outcome.FAILED
    if status >= 400:
        return Outcome.DENIED
    redirect = urlsplit(response.get("Location", "")).path if 300 <= status < 400 else ""
    if redirect in sign_in_pages() and request.path not in account_pages():
        return Outcome.DENIED
    return Outcome.ALLOWED


class AuditContextMiddleware:
    """Runs after authentication, before the session limits and the second-factor gate (so that what they
    refuse is recorded too). Client-supplied ids and forwarding headers are not trusted: REMOTE_ADDR is
    whatever the server (or a proxy configured to set it) saw.

    The safety net: after the response is made, if the last entry written for this request does not carry
    the response's outcome (or none was written), one `http.response` entry is added with the status. What
    the view wrote is never changed (entries are append-only); the closing entry is the last one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = uuid.uuid4().hex
        remote_addr = request.META.get("REMOTE_ADDR") or None
        ctx = context.RequestContext(
            request_id=request_id, method=request.method or "", path=request.path, remote_addr=remote_addr
        )
        token = context.activate(ctx)
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
        # Who the net names: the actor once the second factor is given; before that only the account
        # whose password was used (the object), since the person is not yet proven.
        verified = actor is not None and mfa.is_verified(request)
        try:
            with set_extra_data(context_data={"actor": actor, "remote_addr": remote_addr, "remote_port": None}):
                response = self.get_response(request)
            # Outside auditlog's context, which would name the unproven account as the actor.
            response = self.close(request, response, ctx=ctx, account=actor, verified=verified)
        finally:
            context.deactivate(token)
        response[REQUEST_ID_HEADER] = request_id
        return response

    def close(
        self,
        request: HttpRequest,
        response: HttpResponse,
        *,
        ctx: context.RequestContext,
        account: Any,
        verified: bool,
    ) -> HttpResponse:
        outcome = response_outcome(request, response)
        if is_exempt(request, outcome, signed_in=account is not None):
            return response
        if ctx.closed or (ctx.outcomes and ctx.outcomes[-1] == outcome):
            return response
        if response.status_code == 400 and (ctx.outcomes or getattr(response, "form_sent_back", False)):
            # A form sent back with errors and what was typed (lib.views.render_form): the view's own last
            # entry closes it, allowed (the page was allowed, what was typed was not accepted) or denied (a
            # wrong second-factor code); a form page that read nothing recorded needs none.
            return response
        try:
            detail: dict[str, Any] = {"status": response.status_code}
            if account is not None and not verified:
                detail["second_factor"] = "not given"
            record(
                event=NET_EVENT,
                actor=account if verified else None,
                obj=account if account is not None and not verified else None,
                object_repr=account.username if account is not None and not verified else "",
                outcome=outcome,
                detail=detail,
            )
        except AuditWriteFailed:
            if outcome == Outcome.ALLOWED:
                # Fail closed: a response that cannot be recorded is not shown.
                return render(request, "audit/unavailable.html", status=503)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, AuditWriteFailed):
            # Fail closed: the access could not be recorded, so nothing protected is shown.
            return render(request, "audit/unavailable.html", status=503)
        return None
