"""The request every view behind sign-in receives: LoginRequiredMiddleware and the second-factor middleware
have run, so `request.user` is a signed-in `User`, never AnonymousUser."""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from partners.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User
    htmx: HtmxDetails
