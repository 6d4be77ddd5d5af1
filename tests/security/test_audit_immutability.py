"""Audit immutability: case events, the points ledger, service records and the other audit
trails cannot be edited or deleted — through the model, a queryset, the admin, the API, or
(on PostgreSQL, the production database) raw SQL."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction
from django.test import Client, RequestFactory

pytestmark = pytest.mark.django_db

AUDIT_MODELS = [
    "cases.CaseEvent",
    "volunteering.PointsEntry",
    "volunteering.ServiceRecord",
    "volunteering.VolunteerEvent",
    "wishes.WishEvent",
    "study.ReflectionEvent",
    "study.AuditEntry",
    "core.PersonalDataAccess",
]


def _row(label: str):
    model = apps.get_model(label)
    row = model.objects.order_by("pk").first()
    if row is None and label == "core.PersonalDataAccess":
        row = model.objects.create(
            viewer=get_user_model().objects.get(username="grid"),
            subject="工单 1 联系人",
            purpose="回访",
        )
    assert row is not None, f"the demo has no {label} row to try on"
    return model, row


def _a_text_field(model):
    for field in model._meta.concrete_fields:
        if field.get_internal_type() in ("CharField", "TextField") and not field.choices:
            return field.name
    return None


def _unchanged(model, row) -> bool:
    fresh = model.objects.get(pk=row.pk)
    return all(
        getattr(fresh, f.attname) == getattr(row, f.attname) for f in model._meta.concrete_fields
    )


@pytest.mark.parametrize("label", AUDIT_MODELS)
def test_a_saved_row_cannot_be_saved_again_or_deleted(world, label):
    model, row = _row(label)
    field = _a_text_field(model)
    original = model.objects.get(pk=row.pk)
    if field:
        setattr(row, field, "改写历史")
    with pytest.raises(Exception), transaction.atomic():  # noqa: B017 - any refusal
        row.save()
    with pytest.raises(Exception), transaction.atomic():  # noqa: B017
        model.objects.get(pk=row.pk).delete()
    assert _unchanged(model, original)


@pytest.mark.parametrize("label", AUDIT_MODELS)
def test_querysets_refuse_update_and_delete(world, label):
    model, row = _row(label)
    field = _a_text_field(model)
    if field:
        with pytest.raises(Exception), transaction.atomic():  # noqa: B017
            model.objects.filter(pk=row.pk).update(**{field: "改写历史"})
    with pytest.raises(Exception), transaction.atomic():  # noqa: B017
        model.objects.filter(pk=row.pk).delete()
    with pytest.raises(Exception), transaction.atomic():  # noqa: B017
        model.objects.all().delete()
    assert model.objects.filter(pk=row.pk).exists()
    assert _unchanged(model, row)


@pytest.mark.parametrize("label", AUDIT_MODELS)
def test_the_admin_offers_no_change_or_delete_even_to_a_superuser(world, label):
    model, row = _row(label)
    superuser = get_user_model().objects.get(username="admin")
    assert superuser.is_superuser
    model_admin = admin.site._registry.get(model)
    if model_admin is None:
        return  # not in the admin at all: nothing there to edit it with
    request = RequestFactory().get("/admin/")
    request.user = superuser
    assert not model_admin.has_change_permission(request, row)
    assert not model_admin.has_delete_permission(request, row)
    assert not model_admin.has_add_permission(request)
    client = Client()
    client.force_login(superuser)
    meta = model._meta
    change = f"/admin/{meta.app_label}/{meta.model_name}/{row.pk}/change/"
    field = _a_text_field(model)
    client.post(change, {field: "改写历史"} if field else {})
    response = client.post(
        f"/admin/{meta.app_label}/{meta.model_name}/{row.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code in (302, 403, 404)
    bulk = client.post(
        f"/admin/{meta.app_label}/{meta.model_name}/",
        {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302, 403)
    assert _unchanged(model, row)


def test_the_api_has_no_operation_that_edits_or_deletes_anything(world):
    from civicloop.api import api

    schema = api.get_openapi_schema()
    writes = [
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method in operations
        if method in ("put", "patch", "delete")
    ]
    assert writes == []
    events = [p for p in schema["paths"] if "event" in p or "ledger" in p or "points/entr" in p]
    for path in events:
        assert set(schema["paths"][path]) <= {"get"}, path


def test_a_points_correction_is_a_new_entry_not_an_edit(world):
    from civicloop.volunteering import points
    from civicloop.volunteering.models import PointsEntry

    entry = PointsEntry.objects.order_by("pk").first()
    before = {(e.pk, e.points) for e in PointsEntry.objects.all()}
    balance = points.balance(entry.member)
    staff = get_user_model().objects.get(username="admin")
    points.correct(entry.member, -1, key="security-test", reason="更正：重复计分", by=staff)
    after = {(e.pk, e.points) for e in PointsEntry.objects.all()}
    assert before < after and len(after - before) == 1
    assert points.balance(entry.member) == balance - 1


if connection.settings_dict["ENGINE"].endswith("postgresql"):

    @pytest.mark.parametrize("label", AUDIT_MODELS)
    def test_raw_sql_update_and_delete_are_refused_by_the_database(world, label):
        model, row = _row(label)
        table = connection.ops.quote_name(model._meta.db_table)
        for sql in (
            f"UPDATE {table} SET id = id WHERE id = %s",  # noqa: S608 - a quoted table name
            f"DELETE FROM {table} WHERE id = %s",  # noqa: S608
        ):
            with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
                cur.execute(sql, [row.pk])
        assert model.objects.filter(pk=row.pk).exists()
