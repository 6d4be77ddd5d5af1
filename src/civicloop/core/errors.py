"""API errors: one shape, {"error": {"code", "message"}}, for every failure a client can see."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from ninja.errors import HttpError

DEFAULT_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "too_many_requests",
    500: "server_error",
}

DEFAULT_MESSAGES = {
    400: _("请求格式不正确"),
    401: _("请先登录或提供有效的令牌"),
    403: _("没有权限执行此操作"),
    404: _("找不到请求的资源"),
    405: _("不支持该请求方法"),
    409: _("当前状态下不能执行此操作"),
    413: _("上传内容过大"),
    422: _("提交的数据不正确"),
    429: _("请求过于频繁，请稍后再试"),
    500: _("服务器内部错误，请稍后再试"),
}


class ApiError(HttpError):
    """An error with a machine-readable code and a message for people."""

    def __init__(self, status: int, code: str | None = None, message: str | None = None, **extra):
        self.code = code or DEFAULT_CODES.get(status, "error")
        self.message = str(message or DEFAULT_MESSAGES.get(status, ""))
        self.extra = extra
        super().__init__(status, self.message)


def error_body(status: int, code: str | None = None, message: str | None = None, **extra) -> dict:
    body = {
        "code": code or DEFAULT_CODES.get(status, "error"),
        "message": str(message or DEFAULT_MESSAGES.get(status, "")),
    }
    body.update(extra)
    return {"error": body}


class ActionRefused(Exception):
    """A domain action that cannot happen: the status tells the API which answer to give."""

    def __init__(self, message: str, status: int = 409, code: str = "conflict"):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
