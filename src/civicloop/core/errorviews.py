"""Error pages: JSON on API paths, Chinese pages elsewhere."""

from django.http import JsonResponse
from django.shortcuts import render

from .errors import error_body


def _answer(request, status: int, template: str):
    if request.path.startswith(("/api/", "/open311/")):
        return JsonResponse(error_body(status), status=status)
    try:
        return render(request, template, {"status": status}, status=status)
    except Exception:  # a broken template must not hide the original error
        from django.http import HttpResponse

        return HttpResponse(
            f"错误 {status}", status=status, content_type="text/plain; charset=utf-8"
        )


def bad_request(request, exception=None):
    return _answer(request, 400, "400.html")


def permission_denied(request, exception=None):
    return _answer(request, 403, "403.html")


def page_not_found(request, exception=None):
    return _answer(request, 404, "404.html")


def server_error(request):
    return _answer(request, 500, "500.html")
