"""Middleware: JSON errors for every API path, request size limits, security headers."""

from __future__ import annotations

import json
import logging
import os
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.http import JsonResponse

from .errors import error_body

log = logging.getLogger(__name__)
API_PREFIXES = ("/api/",)


def _is_api(request) -> bool:
    return request.path.startswith(API_PREFIXES)


class ApiErrorMiddleware:
    """Whatever Django answers on an API path (unknown URL, wrong method, body too large,
    an exception outside a view) becomes the one JSON error shape."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _is_api(request):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                return JsonResponse(error_body(400, message="Content-Length 不正确"), status=400)
            if length > settings.CIVICLOOP_MAX_REQUEST_BYTES:
                return JsonResponse(error_body(413), status=413)
            if _has_nul(request):
                # PostgreSQL cannot store NUL in text; refuse it here once for every endpoint.
                return JsonResponse(
                    error_body(400, "nul_character", "请求中含有不允许的空字符（NUL）"), status=400
                )
        response = self.get_response(request)
        if _is_api(request) and response.status_code >= 400 and not _is_json(response):
            body = error_body(response.status_code)
            if response.status_code == 405:
                body["error"]["allowed"] = response.get("Allow", "")
            new = JsonResponse(body, status=response.status_code)
            if response.has_header("Allow"):
                new["Allow"] = response["Allow"]
            return new
        return response

    def process_exception(self, request, exception):
        if not _is_api(request):
            return None
        from django.core.exceptions import RequestDataTooBig, SuspiciousOperation

        if isinstance(exception, RequestDataTooBig):
            return JsonResponse(error_body(413), status=413)
        if isinstance(exception, SuspiciousOperation):
            return JsonResponse(error_body(400), status=400)
        log.exception("Unhandled error on %s", request.path)
        return JsonResponse(error_body(500), status=500)


TEXT_BODIES = ("application/json", "application/x-www-form-urlencoded", "text/")


def _has_nul(request) -> bool:
    """NUL in the query string, or in a text body (JSON may spell it as an escape).
    Multipart bodies carry binary files, so their text fields are left to the views."""
    query = request.META.get("QUERY_STRING", "")
    if "%00" in query or "\x00" in query:
        return True
    if request.content_type.startswith(TEXT_BODIES):
        body = request.body
        if b"\x00" in body or b"\\u0000" in body:
            return True
        return request.content_type == "application/x-www-form-urlencoded" and b"%00" in body
    return False


def _is_json(response) -> bool:
    content_type = response.get("Content-Type", "")
    if not content_type.startswith("application/json"):
        return False
    try:
        return "error" in json.loads(response.content) or response.status_code != 404
    except (ValueError, AttributeError):
        return False


class SecurityHeadersMiddleware:
    """Content-Security-Policy without inline scripts, plus Permissions-Policy."""

    def __init__(self, get_response):
        self.get_response = get_response
        tile_host = urlsplit(settings.CIVICLOOP_MAP_TILE_URL.replace("{s}", "1")).netloc
        tile_origin = ""
        if tile_host:
            base = (
                tile_host.split(".", 1)[-1]
                if "{" in settings.CIVICLOOP_MAP_TILE_URL.split("/")[2]
                else tile_host
            )
            tile_origin = f" https://*.{base}" if base != tile_host else f" https://{tile_host}"
        self.csp = "; ".join(
            [
                "default-src 'self'",
                "script-src 'self'",
                "style-src 'self' 'unsafe-inline'",
                f"img-src 'self' data: blob:{tile_origin}",
                "connect-src 'self'",
                "media-src 'self' blob:",
                "font-src 'self' data:",
                "object-src 'none'",
                "base-uri 'self'",
                "form-action 'self'",
                "frame-ancestors 'none'",
            ]
        )

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/api/v1/docs"):
            return response  # the interactive docs load their own bundle
        response.setdefault("Content-Security-Policy", self.csp)
        response.setdefault(
            "Permissions-Policy", "geolocation=(self), camera=(self), microphone=()"
        )
        response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


IDLE_KEY = "civicloop_seen"


def idle_seconds() -> int:
    """How long a browser session may sit unused before it is signed out (default one hour;
    the session ends at SESSION_COOKIE_AGE after sign-in in any case)."""
    value = getattr(settings, "CIVICLOOP_IDLE_SECONDS", None)
    if value is None:
        value = os.environ.get("CIVICLOOP_IDLE_SECONDS", "3600")
    return int(value)


class IdleSessionMiddleware:
    """Signs a browser session out after `idle_seconds()` without a request, so that a
    workstation left signed in at a community office does not stay open all day. The last
    activity is written to the session at most once a minute."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            from django.contrib.auth import logout

            now = time.time()
            seen = request.session.get(IDLE_KEY)
            if seen is not None and now - float(seen) > idle_seconds():
                logout(request)
            elif seen is None or now - float(seen) > 60:
                request.session[IDLE_KEY] = now
        return self.get_response(request)
