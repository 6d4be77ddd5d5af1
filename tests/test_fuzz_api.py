"""Schemathesis against /api/v1/openapi.json as anonymous and as each demo role: whatever a
client sends, no answer is a 5xx, and every documented answer matches the schema.

Per operation and role: positive examples (valid by the schema; half of them aim at real demo
objects in the role's scope so that the 2xx paths run too) and negative examples (invalid by
the schema, which must be refused with a 4xx, never a 5xx)."""

from __future__ import annotations

import os
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from tests.security.world import ROLES, load_world, media_root, requests_keep_connection

world = pytest.fixture(scope="module")(load_world)
_media_root = pytest.fixture(media_root)

POSITIVE = int(os.environ.get("CIVICLOOP_FUZZ_POSITIVE", "6"))
NEGATIVE = int(os.environ.get("CIVICLOOP_FUZZ_NEGATIVE", "4"))
POSITIVE_CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
NEGATIVE_CHECKS = [not_a_server_error]
# Path parameter → the scope-matrix kind whose objects it names.
PATH_KINDS = {
    "case_id": ("case", "case_id"),
    "order_id": ("order", "order_id"),
    "task_id": ("task", "task_id"),
    "registration_id": ("registration", "registration_id"),
    "wish_id": ("wish", "pk"),
    "session_id": ("study_session", "pk"),
    "reflection_id": ("reflection", "pk"),
    "item_id": ("media", "pk"),
    "article_id": ("article", "pk"),
}


@pytest.fixture(scope="module")
def schema(world):
    from civicloop.wsgi import application

    with requests_keep_connection():
        return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


def _real_ids(user) -> dict[str, list]:
    """For each path parameter, ids of demo objects the user may see (or any, if none)."""
    from tests.security.test_scope_matrix import kinds

    all_kinds = kinds()
    found = {}
    for param, (kind_name, kwarg) in PATH_KINDS.items():
        kind = all_kinds[kind_name]
        items = kind.items()
        seen = kind.visible(user)
        ids = [kw[kwarg] for key, kw in items if key in seen][:3] or [
            kw[kwarg] for _k, kw in items
        ][:3]
        if ids:
            found[param] = ids
    return found


def _strategy(operation, mode: GenerationMode, real_ids: dict[str, list]):
    random = operation.as_strategy(generation_mode=mode)
    if mode is not GenerationMode.POSITIVE:
        return random
    names = {p.name for p in operation.path_parameters}
    fixed = [
        dict(zip(sorted(names), combo, strict=True))
        for combo in _combos([real_ids.get(name, []) for name in sorted(names)])
    ]
    if not names or not fixed or not all(n in real_ids for n in names - {"action"}):
        return random
    aimed = [
        operation.as_strategy(generation_mode=mode, path_parameters=params)
        for params in fixed
        if "action" not in names
    ]
    return st.one_of(random, *aimed) if aimed else random


def _headers_for(operation, user, headers):
    """The role's token — except for revoking, which gets a fresh token each time (revoking
    the role's own token would turn the rest of the run into 401s)."""
    if not operation.path.endswith("/auth/revoke") or not user.is_authenticated:
        return lambda: headers
    from civicloop.core.models import ApiToken

    return lambda: {"Authorization": f"Bearer {ApiToken.issue(user)[1]}"}


def _combos(lists):
    if not lists:
        return [()]
    return [(first, *rest) for first in lists[0] for rest in _combos(lists[1:])]


def _fuzz(operation, strategy, examples, checks, headers_for, statuses) -> int:
    calls = 0

    @given(case=strategy)
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        nonlocal calls
        calls += 1
        # The in-process (WSGI) transport hands over the body as sent: ask for it uncompressed
        # (a real HTTP client decompresses; tests/…/test_compression.py checks the gzip path).
        headers = {**headers_for(), "Accept-Encoding": "identity"}
        response = case.call(headers=headers)
        statuses[f"{response.status_code // 100}xx"] += 1
        case.validate_response(response, checks=checks, headers=headers)

    run()
    return calls


@pytest.mark.django_db
@pytest.mark.parametrize("role", [None, *ROLES], ids=lambda r: r or "anonymous")
def test_no_generated_request_gets_a_server_error_or_an_undocumented_shape(schema, world, role):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import AnonymousUser
    from django.test import Client

    headers = world.auth(role)
    me = Client().get("/api/v1/me", headers=headers)
    assert me.status_code == (401 if role is None else 200), "the role's token must work"
    user = get_user_model().objects.get(username=role) if role else AnonymousUser()
    real_ids = _real_ids(user)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 60, "the API schema lost its operations"
    statuses: Counter = Counter()
    examples = 0
    failures, no_success = [], []
    with requests_keep_connection():
        for operation in operations:
            for mode, count, checks in (
                (GenerationMode.POSITIVE, POSITIVE, POSITIVE_CHECKS),
                (GenerationMode.NEGATIVE, NEGATIVE, NEGATIVE_CHECKS),
            ):
                per_op: Counter = Counter()
                try:
                    strategy = _strategy(operation, mode, real_ids)
                    headers_for = _headers_for(operation, user, headers)
                    examples += _fuzz(operation, strategy, count, checks, headers_for, per_op)
                except Unsatisfiable:
                    continue  # nothing to make invalid: the operation takes no input
                except (Exception, BaseExceptionGroup) as exc:  # collect all, then fail once
                    failures.append(f"{operation.method.upper()} {operation.path} ({mode}): {exc}")
                statuses.update(per_op)
                if mode is GenerationMode.POSITIVE and not per_op["2xx"]:
                    no_success.append(f"{operation.method.upper()} {operation.path} {dict(per_op)}")
    print(  # noqa: T201 - the figures for the closing note
        f"\nfuzz[{role or 'anonymous'}]: {len(operations)} operations, {examples} examples, "
        f"answers {dict(sorted(statuses.items()))}; no 2xx from positive examples on "
        f"{len(no_success)} operations"
    )
    if os.environ.get("CIVICLOOP_FUZZ_VERBOSE"):
        print("\n".join(no_success))  # noqa: T201
    assert statuses["5xx"] == 0
    assert not failures, "\n\n".join(failures)
