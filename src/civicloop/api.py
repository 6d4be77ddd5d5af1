"""The REST API under /api/v1/: one NinjaAPI, bearer-token or session auth, one error shape."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer
from ninja.utils import check_csrf

from civicloop.core.errors import ActionRefused, ApiError, error_body
from civicloop.core.jsonout import Renderer
from civicloop.core.models import ApiToken
from civicloop.core.throttle import RateLimited

log = logging.getLogger(__name__)


class ApiAuth(HttpBearer):
    """`Authorization: Bearer <token>`, or the browser's session (with CSRF on writes).

    With optional=True an anonymous caller passes as AnonymousUser, so that one endpoint can
    serve the public and the signed-in view."""

    def __init__(self, optional: bool = False):
        self.optional = optional
        super().__init__()

    def __call__(self, request):
        header = request.headers.get("Authorization", "")
        if header:
            scheme, _sep, raw = header.partition(" ")
            if scheme.lower() != "bearer" or not raw.strip():
                raise ApiError(401, "invalid_token", _("Authorization 头格式应为 Bearer <令牌>"))
            user = ApiToken.authenticate(raw.strip())
            if user is None:
                raise ApiError(401, "invalid_token", _("令牌无效或已过期"))
            request.user = user
            return user
        if request.user.is_authenticated:
            if (
                request.method not in ("GET", "HEAD", "OPTIONS")
                and not getattr(request, "_ninja_csrf_exempt", False)
                and check_csrf(request)
            ):
                raise ApiError(403, "csrf_failed", _("CSRF 校验失败"))
            return request.user
        if self.optional:
            return request.user  # AnonymousUser: truthy, so ninja lets the call through
        return None

    def authenticate(self, request, token):  # pragma: no cover - __call__ handles everything
        return ApiToken.authenticate(token)


auth_required = ApiAuth()
auth_optional = ApiAuth(optional=True)

api = NinjaAPI(
    title="civicloop API",
    version="1",
    description="党建引领、智慧治理 — civicloop REST API",
    urls_namespace="api",
    auth=auth_required,
    docs_url="/docs",
    renderer=Renderer(),
)


def _respond(request, status: int, code: str | None = None, message: str | None = None, **extra):
    return api.create_response(request, error_body(status, code, message, **extra), status=status)


@api.exception_handler(ApiError)
def _api_error(request, exc: ApiError):
    response = _respond(request, exc.status_code, exc.code, exc.message, **exc.extra)
    if exc.status_code == 429 and "retry_after" in exc.extra:
        response["Retry-After"] = str(exc.extra["retry_after"])
    return response


@api.exception_handler(ActionRefused)
def _refused(request, exc: ActionRefused):
    return _respond(request, exc.status, exc.code, exc.message)


@api.exception_handler(RateLimited)
def _rate_limited(request, exc: RateLimited):
    response = _respond(request, 429, retry_after=exc.retry_after)
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(ValidationError)
def _invalid(request, exc: ValidationError):
    details = [
        {"loc": [str(p) for p in err.get("loc", ())], "msg": str(err.get("msg", ""))}
        for err in exc.errors
    ]
    return _respond(request, 422, "invalid", _("提交的数据不正确"), details=details)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return _respond(request, 401)


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    status = exc.status_code
    message = None if status == 400 and "parse" in str(exc).lower() else str(exc)
    if status == 400 and message is None:
        message = _("请求体不是有效的 JSON")
    return _respond(request, status, message=message)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return _respond(request, 404)


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return _respond(request, 403, message=str(exc) or None)


@api.exception_handler(Exception)
def _unexpected(request, exc):
    log.exception("Unhandled API error on %s %s", request.method, request.path)
    return _respond(request, 500)


def _register_routers() -> None:
    from civicloop.cases.api import router as cases
    from civicloop.core.api import router as core
    from civicloop.dashboard.api import router as dashboard
    from civicloop.notifications.api import router as notifications
    from civicloop.study.api import router as study
    from civicloop.volunteering.api import router as volunteering
    from civicloop.wishes.api import router as wishes

    for router in (core, cases, volunteering, wishes, study, dashboard, notifications):
        api.add_router("/", router)


_register_routers()
