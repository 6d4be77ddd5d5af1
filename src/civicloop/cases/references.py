"""How a case names its category, department and regions in lists: read once per process from
the reference tables (a few hundred rows) and again after any of them changes (see snapshots),
so that a page of cases needs neither joins nor one object per related row."""

from __future__ import annotations

import copy
import threading

from django.db.models.signals import post_delete, post_save

from civicloop.core import snapshots
from civicloop.core.models import Department, Region

from .models import Category

_lock = threading.Lock()
_current: dict = {"token": None, "references": None}


def _changed(sender, **kwargs) -> None:
    snapshots.changed(snapshots.REFERENCES)


for _model in (Category, Department, Region):
    post_save.connect(_changed, sender=_model, dispatch_uid=f"cases.references.save.{_model}")
    post_delete.connect(_changed, sender=_model, dispatch_uid=f"cases.references.delete.{_model}")


class References:
    """Reference dicts by id, in the shapes of `present.category_ref` and `present._ref`, and
    the categories as models (an action's deadlines read their limits)."""

    def __init__(self) -> None:
        self._load()

    def _load(self) -> None:
        self._category_models = {c.pk: c for c in Category.objects.all()}
        rows = [(c.pk, c.code, c.name, c.parent_id) for c in self._category_models.values()]
        names = {pk: name for pk, _code, name, _parent in rows}
        self._categories = {
            pk: {"id": pk, "code": code, "name": name, "parent": names.get(parent)}
            for pk, code, name, parent in rows
        }
        self._departments = {
            pk: {"id": pk, "name": name}
            for pk, name in Department.objects.values_list("pk", "name")
        }
        self._regions = {
            pk: {"id": pk, "name": name} for pk, name in Region.objects.values_list("pk", "name")
        }

    def _copy(self, table: str, pk: int | None) -> dict | None:
        if pk is None:
            return None
        found = getattr(self, table).get(pk)
        if found is None:
            # Added since this snapshot was read (its token had not changed yet): read again.
            self._load()
            found = getattr(self, table).get(pk)
        return dict(found) if found is not None else None

    def category(self, pk: int | None) -> dict | None:
        return self._copy("_categories", pk)

    def category_model(self, pk: int) -> Category:
        """The category as a model (a copy: deadlines read its limits); reads it from the
        database if this snapshot does not hold it."""
        found = self._category_models.get(pk)
        return copy.copy(found) if found is not None else Category.objects.get(pk=pk)

    def department(self, pk: int | None) -> dict | None:
        return self._copy("_departments", pk)

    def region(self, pk: int | None) -> dict | None:
        return self._copy("_regions", pk)


def current() -> References:
    token = snapshots.token(snapshots.REFERENCES)
    found = _current
    if found["references"] is None or found["token"] != token:
        references = References()
        with _lock:
            _current.update(token=token, references=references)
        return references
    return found["references"]
