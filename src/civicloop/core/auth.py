"""Sign-in with throttling and lockout, shared by the login page and the token endpoint."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate
from django.utils.translation import gettext as _

from . import throttle


class LoginRefused(Exception):
    def __init__(self, message: str, status: int = 401, retry_after: int | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.retry_after = retry_after


def sign_in(request, username: str, password: str):
    """The user for these credentials; raises LoginRefused (401 wrong, 429 locked out)."""
    limit = settings.CIVICLOOP_LOGIN_ATTEMPTS
    window = settings.CIVICLOOP_LOGIN_WINDOW_SECONDS
    ip = throttle.client_ip(request)
    ident = (username or "").strip().lower()[:150]
    try:
        throttle.check("login-user", ident, limit=limit, window=window)
        throttle.check("login-ip", ip, limit=limit * 4, window=window)
    except throttle.RateLimited as exc:
        raise LoginRefused(
            _("登录失败次数过多，请 %(minutes)d 分钟后再试")
            % {"minutes": max(exc.retry_after // 60, 1)},
            status=429,
            retry_after=exc.retry_after,
        ) from exc
    user = authenticate(request, username=username, password=password)
    if user is None:
        throttle.hit("login-user", ident, limit=10**9, window=window)
        throttle.hit("login-ip", ip, limit=10**9, window=window)
        raise LoginRefused(_("用户名或密码不正确"))
    throttle.reset("login-user", ident, window=window)
    return user
