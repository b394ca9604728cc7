"""Response headers that Django's SecurityMiddleware and django-csp do not set, and compression of text."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotAllowed
from django.middleware.gzip import GZipMiddleware
from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    """Cache-Control: no-store (and private, no-cache, must-revalidate) on every response Django makes:
    pages, fragments, PDFs, redirects and error pages. Static files are served before this, by WhiteNoise,
    and keep their long cache lifetimes; nothing here is worth a browser or proxy keeping a copy of."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response


class AllowedMethodsMiddleware:
    """Every page is read with GET (or HEAD) and changed with POST; any other method (TRACE, OPTIONS,
    CONNECT, PUT, PATCH, DELETE, or one made up) is answered 405 with an Allow header, before sign-in,
    the second factor or any view runs. Views that only change state still refuse GET (@require_POST).
    Placed after the audit context, so a refused method is recorded like any refused request."""

    ALLOWED = ("GET", "HEAD", "POST")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in self.ALLOWED:
            return HttpResponseNotAllowed(self.ALLOWED)
        return self.get_response(request)


class TextGZipMiddleware(GZipMiddleware):
    """Django's GZipMiddleware (with its "Heal the Breach" padding) for text only: pages, htmx fragments,
    JSON and CSV. A PDF is compressed inside already, and gzipping it again costs the server for nothing."""

    COMPRESSIBLE = ("text/", "application/json")

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if not response.get("Content-Type", "").startswith(self.COMPRESSIBLE):
            return response
        return super().process_response(request, response)
