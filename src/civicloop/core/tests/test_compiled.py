"""core.compiled: a query compiled once per shape gives what the ORM gives, and a process keeps
a bounded number of shapes however many a client asks for."""

from __future__ import annotations

import pytest

from civicloop.cases.models import Case
from civicloop.core.compiled import Compiled

pytestmark = pytest.mark.django_db


def test_shapes_from_clients_are_bounded_and_each_answer_is_the_orms():
    Case.objects.bulk_create(Case(description=f"第{i}件", address="兴隆台区") for i in range(6))
    ids = list(Case.objects.order_by("id").values_list("id", flat=True))
    page = Compiled(
        lambda bounds, ids: (
            Case.objects.filter(id__in=ids)
            .order_by("id")
            .values_list("id", "description")[bounds[0] : bounds[1]]
        ),
        {"ids": Case._meta.pk},
    )
    page.KEPT = 4
    for start in range(10):  # ten page offsets: ten shapes, four kept
        bounds = (start, start + 2)
        expected = list(
            Case.objects.filter(id__in=ids[1:])
            .order_by("id")
            .values_list("id", "description")[start : start + 2]
        )
        assert [tuple(row) for row in page.rows("default", bounds, ids=ids[1:])] == expected
        assert len(page._shapes) <= 4
    # The most recently used shape is still there and runs with new values.
    assert [row[0] for row in page.rows("default", (9, 11), ids=ids)] == []
    assert [row[0] for row in page.rows("default", (0, 2), ids=ids[:3])] == ids[:2]
