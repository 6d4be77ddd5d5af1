"""Bare views: no auth, no scope, no serializer — just what Django and the database cost."""

from __future__ import annotations

from django.http import HttpResponseBadRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from civicloop.cases.models import Case

# ~1 KB of text: the size of a detailed report.
KILOBYTE_TEXT = ("楼道里堆放大量杂物存在消防安全隐患请尽快处理" * 16)[:340]


@require_GET
def bare_json(request):
    return JsonResponse({"ok": True, "service": "civicloop", "version": 1})


@csrf_exempt
@require_POST
def bare_insert(request):
    """One ORM INSERT of a ~1 KB row into the same table a report goes to."""
    case = Case.objects.create(description=KILOBYTE_TEXT, address="兴隆台区", source="app")
    return JsonResponse({"id": case.pk}, status=201)


@require_GET
def bare_list(request):
    """50 rows by an indexed filter (department + state: `case_queue_covering`) from the case table;
    no ORDER BY, so that the database may read them straight off that index."""
    try:
        department = int(request.GET.get("department", ""))
    except ValueError:
        return HttpResponseBadRequest("department")
    state = request.GET.get("state", "dispatched")
    rows = list(
        Case.objects.filter(department_id=department, state=state)
        .order_by()
        .values("id", "description", "state", "deadline", "created_at")[:50]
    )
    return JsonResponse({"items": rows})
