"""The published API schema describes what the API really answers: no two request or response
schemas share a name (the OpenAPI document keeps only one of them, so clients generated from it
would parse one app's objects with another app's shape)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections import defaultdict

from ninja import Schema

import civicloop


def _schema_classes() -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for module_info in pkgutil.walk_packages(civicloop.__path__, "civicloop."):
        name = module_info.name
        if ".tests" in name or ".migrations" in name or "benchfloor" in name:
            continue
        if not name.endswith((".api", ".schemas")):
            continue
        module = importlib.import_module(name)
        for cls_name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Schema) and cls is not Schema and cls.__module__ == name:
                found[cls_name].add(f"{name}.{cls_name}")
    return found


def test_every_api_schema_name_is_unique_across_the_apps():
    classes = _schema_classes()
    assert len(classes) > 20
    clashes = {name: sorted(paths) for name, paths in classes.items() if len(paths) > 1}
    assert not clashes, f"rename one of each (the OpenAPI document keeps only one): {clashes}"


def test_the_schema_components_match_the_cases_and_wishes_event_shapes():
    from civicloop.api import api

    components = api.get_openapi_schema()["components"]["schemas"]
    names = set(components)
    for schema_name, fields in {
        "cases": {"actor_role", "to_state_label"},
        "wishes": {"role"},
    }.items():
        assert any(fields <= set(components[n].get("properties", {})) for n in names), schema_name
