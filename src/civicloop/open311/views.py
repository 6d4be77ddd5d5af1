"""GeoReport v2 endpoints (thin: `records` shapes the data, `submit` files reports, `render`
writes JSON or XML). Every failure answers the spec's error array in the requested format."""

from __future__ import annotations

import functools
import logging
from datetime import timedelta

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import render as render_page
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from civicloop.core import throttle

from . import conf, records, render, submit, w3c
from .errors import Open311Error
from .models import ApiKey, Catalogue, Submission

log = logging.getLogger(__name__)


def endpoint(*methods: str):
    """Wraps a view: allowed methods, the format from the URL, errors as Open311 arrays."""

    def wrap(view):
        @csrf_exempt
        @functools.wraps(view)
        def run(request, *args, fmt: str = "xml", **kwargs):
            try:
                allowed = (*methods, "HEAD") if "GET" in methods else methods
                if request.method not in allowed:
                    response = render.errors(
                        fmt, 405, _("不支持 %(m)s 方法") % {"m": request.method[:10]}
                    )
                    response["Allow"] = ", ".join(allowed)
                    return response
                if _has_nul(request, kwargs):
                    # PostgreSQL cannot store or compare text with NUL characters.
                    raise Open311Error(400, _("参数中不能含有 NUL 字符"))
                limit, window = conf.gets_per_ip()
                if request.method in ("GET", "HEAD"):
                    throttle.hit(
                        "open311-get", throttle.client_ip(request), limit=limit, window=window
                    )
                return view(request, fmt, *args, **kwargs)
            except Open311Error as exc:
                return render.errors(fmt, exc.status, *exc.descriptions)
            except throttle.RateLimited as exc:
                response = render.errors(
                    fmt,
                    429,
                    _("请求过于频繁，请 %(s)d 秒后再试") % {"s": exc.retry_after},
                )
                response["Retry-After"] = str(exc.retry_after)
                return response
            except RequestDataTooBig:
                return render.errors(fmt, 413, _("提交的内容过大"))
            except TooManyFieldsSent:
                return render.errors(fmt, 400, _("提交的字段过多"))
            except Exception:
                log.exception("Open311 error on %s %s", request.method, request.path)
                return render.errors(fmt, 500, _("服务器内部错误，请稍后再试"))

        return run

    return wrap


def _has_nul(request, kwargs) -> bool:
    values = [str(v) for v in kwargs.values()]
    for params in (request.GET, request.POST if request.method == "POST" else {}):
        for key in params:
            values.append(key)
            values.extend(params.getlist(key))
    return any("\x00" in v for v in values)


def base_path() -> str:
    """/open311/v2, wherever the app is mounted."""
    return reverse("open311:discovery", kwargs={"fmt": "xml"}).rsplit("/", 1)[0]


def check_jurisdiction(params) -> str:
    """The jurisdiction_id: optional with one configured, required with several."""
    value = (params.get("jurisdiction_id") or "").strip()
    allowed = conf.jurisdictions()
    if value:
        if value not in allowed:
            raise Open311Error(404, _("jurisdiction_id %(j)s 不存在") % {"j": value[:100]})
        return value
    if len(allowed) > 1:
        raise Open311Error(
            400, _("缺少 jurisdiction_id（可选：%(list)s）") % {"list": ", ".join(allowed)}
        )
    return allowed[0] if allowed else ""


def _date(params, name: str):
    raw = params.get(name)
    if raw in (None, ""):
        return None
    try:
        return w3c.parse(raw)
    except w3c.BadDate:
        raise Open311Error(
            400,
            _("%(f)s 格式不正确，应为带时区的 W3C 日期时间，如 2026-01-01T00:00:00+08:00")
            % {"f": name},
        ) from None


def date_range(params):
    """start_date..end_date, at most the configured 90 days; by default the latest 90 days."""
    span = timedelta(days=conf.max_days())
    start, end = _date(params, "start_date"), _date(params, "end_date")
    if start and end:
        if end < start:
            raise Open311Error(400, _("end_date 早于 start_date"))
        if end - start > span:
            raise Open311Error(
                400, _("start_date 与 end_date 相隔不能超过 %(n)d 天") % {"n": conf.max_days()}
            )
    elif start:
        end = start + span
    elif end:
        start = end - span
    else:
        end = timezone.now()
        start = end - span
    return start, end


def _positive(params, name: str, default: int, maximum: int | None = None) -> int:
    raw = (params.get(name) or "").strip()
    if not raw:
        return default
    if len(raw) > 9 or not raw.isdecimal() or int(raw) < 1:
        raise Open311Error(400, _("%(f)s 应为正整数") % {"f": name})
    value = int(raw)
    if maximum is not None and value > maximum:
        raise Open311Error(400, _("%(f)s 最大为 %(n)d") % {"f": name, "n": maximum})
    return value


def page_slice(params, default_size: int) -> slice:
    """The page/page_size extension: `default_size` a page unless the client asks for up to
    the spec's 1000 (`page_size`)."""
    size = _positive(params, "page_size", min(default_size, conf.max_results()), conf.max_results())
    page = _positive(params, "page", 1)
    return slice((page - 1) * size, page * size)


def _list(params, name: str) -> list[str]:
    return [p.strip() for p in (params.get(name) or "").split(",") if p.strip()]


def index(request):
    """A page for people: the base URL, how to get a key, the resources and the services."""
    return render_page(
        request,
        "open311/index.html",
        {
            "base_url": conf.site_url() + base_path() + "/",
            "jurisdictions": conf.jurisdictions(),
            "contact": conf.contact(),
            "key_service": conf.key_service(),
            "services": records.services_queryset().order_by(
                "parent__order", "parent__code", "order", "code"
            ),
        },
    )


# --- discovery and services ----------------------------------------------------------------


@endpoint("GET")
def discovery(request, fmt):
    changeset = w3c.stamp(Catalogue.changeset())
    return render.respond(
        fmt,
        "discovery",
        {
            "changeset": changeset,
            "contact": conf.contact(),
            "key_service": conf.key_service(),
            "endpoints": [
                {
                    "specification": conf.SPECIFICATION,
                    "url": conf.site_url() + base_path(),
                    "changeset": changeset,
                    "type": conf.endpoint_type(),
                    "formats": ["text/xml", "application/json"],
                }
            ],
        },
    )


@endpoint("GET")
def services(request, fmt):
    check_jurisdiction(request.GET)
    items = [records.service(c) for c in records.services_queryset()]
    return render.respond(fmt, "services", items)


@endpoint("GET")
def service_definition(request, fmt, code):
    check_jurisdiction(request.GET)
    category = records.find_service(code)
    if category is None:
        raise Open311Error(404, _("service_code %(code)s 不存在") % {"code": code[:40]})
    return render.respond(fmt, "service_definition", records.service_definition(category))


# --- requests ------------------------------------------------------------------------------


@endpoint("GET", "POST")
def requests(request, fmt):
    if request.method == "POST":
        return _create(request, fmt)
    params = request.GET
    check_jurisdiction(params)
    ids = _list(params, "service_request_id")
    if ids:
        # The spec: a list of ids overrides every other argument.
        if not all(i.isdecimal() and i.isascii() and len(i) <= 12 for i in ids):
            raise Open311Error(400, _("service_request_id 应为以逗号分隔的编号"))
        if len(ids) > conf.max_results():
            raise Open311Error(
                400, _("service_request_id 最多 %(n)d 个") % {"n": conf.max_results()}
            )
        qs = records.requests_queryset().filter(pk__in={int(i) for i in ids})
        cases = list(qs.order_by("-created_at", "-id"))
    else:
        start, end = date_range(params)
        codes = _list(params, "service_code")
        statuses = _list(params, "status")
        if statuses and not set(statuses) <= {"open", "closed"}:
            raise Open311Error(400, _("status 只能是 open 或 closed（可用逗号分隔）"))
        cases = records.period_page(
            start,
            end,
            page_slice(params, conf.page_size()),
            categories=records.category_ids(codes) if codes else None,
            states=records.states_for(statuses) if statuses else None,
        )
    return render.respond(fmt, "service_requests", records.service_requests(cases))


@endpoint("GET")
def request_detail(request, fmt, request_id):
    check_jurisdiction(request.GET)
    case = None
    if request_id.isdecimal() and request_id.isascii() and len(request_id) <= 12:
        case = records.requests_queryset().filter(pk=int(request_id)).first()
    if case is None:
        raise Open311Error(404, _("service_request_id %(id)s 不存在") % {"id": request_id[:20]})
    return render.respond(fmt, "service_requests", records.service_requests([case]))


@endpoint("GET")
def token(request, fmt, token):
    check_jurisdiction(request.GET)
    submission = Submission.objects.filter(token=token[:40]).only("token", "case_id").first()
    if submission is None:
        raise Open311Error(404, _("token %(t)s 不存在") % {"t": token[:40]})
    return render.respond(
        fmt,
        "service_requests",
        [{"service_request_id": submission.case_id, "token": submission.token}],
    )


def _client_key(request, doing: str) -> ApiKey:
    """The live API key of a POST (403 without one), with the POST rate limits of its IP
    address and of the key applied (every POST counts against the same limits)."""
    limit, window = conf.posts_per_ip()
    throttle.hit("open311-post-ip", throttle.client_ip(request), limit=limit, window=window)
    raw_key = (request.POST.get("api_key") or request.GET.get("api_key") or "").strip()
    if not raw_key:
        raise Open311Error(403, _("缺少 api_key，无法%(doing)s") % {"doing": doing})
    key = ApiKey.authenticate(raw_key)
    if key is None:
        raise Open311Error(403, _("api_key 无效或已吊销，无法%(doing)s") % {"doing": doing})
    limit, window = conf.posts_per_key()
    throttle.hit("open311-post-key", str(key.pk), limit=limit, window=window)
    return key


def _create(request, fmt):
    key = _client_key(request, _("提交问题"))
    data = request.POST
    params = data if data.get("jurisdiction_id") else request.GET
    jurisdiction = check_jurisdiction(params)
    report = submit.parse(data, request.FILES)
    submission = submit.file_report(
        report,
        key,
        jurisdiction_id=jurisdiction,
        idempotency_key=request.headers.get("Idempotency-Key", "").strip(),
    )
    answer: dict = {}
    if conf.service_type() == "batch":
        answer["token"] = submission.token
    else:
        answer["service_request_id"] = submission.case_id
    answer["service_notice"] = records.service_notice(report.category)
    answer["account_id"] = submission.account_id or None
    # 200, not 201: some clients of this 2010 spec accept only 200 as success.
    return render.respond(fmt, "service_requests", [answer])


# --- FixMyStreet's servicerequestupdates ---------------------------------------------------


@endpoint("GET", "POST")
def updates(request, fmt):
    if request.method == "POST":
        return _post_update(request, fmt)
    params = request.GET
    check_jurisdiction(params)
    start, end = date_range(params)
    # A poller (FixMyStreet) asks for a period without paging: it gets up to the 1000.
    page = page_slice(params, conf.max_results())
    events = list(records.updates_queryset().filter(at__gte=start, at__lte=end)[page])
    return render.respond(fmt, "service_requests_updates", records.updates(events))


def _post_update(request, fmt):
    """A client's follow-up (留言) on a request it filed; answers our update_id for it."""
    key = _client_key(request, _("提交留言"))
    data = request.POST
    check_jurisdiction(data if data.get("jurisdiction_id") else request.GET)
    record = submit.file_update(submit.parse_update(data), key)
    # FixMyStreet reads <service_request_updates><request_update><update_id>; a string, as in
    # its examples.
    return render.respond(fmt, "service_request_updates", [{"update_id": str(record.event_id)}])


# --- media ---------------------------------------------------------------------------------


def media(request, photo_id: int):
    """The thumbnail of a photo shown through Open311 (public requests are public)."""
    if request.method not in ("GET", "HEAD"):
        raise Http404
    photo = records.public_photo(photo_id)
    if photo is None or not photo.thumbnail:
        raise Http404
    try:
        handle = default_storage.open(photo.thumbnail.name, "rb")
    except OSError:
        raise Http404 from None
    extension = "webp" if photo.thumbnail_content_type == "image/webp" else "jpg"
    response = FileResponse(
        handle,
        content_type=photo.thumbnail_content_type or "image/jpeg",
        as_attachment=False,
        filename=f"request-{photo.case_id}-{photo.pk}.{extension}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=3600"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@endpoint("GET", "POST")
def unknown(request, fmt, rest=""):
    raise Open311Error(404, _("没有这个 Open311 资源"))
