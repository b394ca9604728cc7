"""Per-request audit context: a server-made request id, the actor, and fail-closed error handling."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from auditlog.context import set_extra_data
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from audit import context
from audit.services import AuditWriteFailed

REQUEST_ID_HEADER = "X-Request-ID"


class AuditContextMiddleware:
    """Runs after authentication. Client-supplied ids and forwarding headers are not trusted:
    REMOTE_ADDR is whatever the server (or a proxy configured to set it) saw."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = uuid.uuid4().hex
        remote_addr = request.META.get("REMOTE_ADDR") or None
        token = context.activate(
            context.RequestContext(
                request_id=request_id, method=request.method or "", path=request.path, remote_addr=remote_addr
            )
        )
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
        try:
            with set_extra_data(context_data={"actor": actor, "remote_addr": remote_addr, "remote_port": None}):
                response = self.get_response(request)
        finally:
            context.deactivate(token)
        response[REQUEST_ID_HEADER] = request_id
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, AuditWriteFailed):
            # Fail closed: the access could not be recorded, so nothing protected is shown.
            return render(request, "audit/unavailable.html", status=503)
        return None
