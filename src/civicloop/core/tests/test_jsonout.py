"""The API's JSON writer gives what Django's encoder gave, value for value."""

import json
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from uuid import UUID

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext_lazy

from civicloop.core.jsonout import dumps

VALUES = [
    datetime(2026, 11, 30, 5, 54, 2, tzinfo=UTC),
    datetime(2026, 11, 30, 5, 54, 2, 50830, tzinfo=UTC),
    datetime(2026, 11, 30, 13, 54, 2, 999999, tzinfo=timezone(timedelta(hours=8))),
    datetime(2026, 11, 30, 5, 54, 2, 1),
    date(2026, 2, 28),
    time(8, 30, 0, 250000),
    timedelta(hours=2, minutes=5),
    Decimal("12.50"),
    UUID("12345678-1234-5678-1234-567812345678"),
    gettext_lazy("待签收"),
    {"中文": "文字", "n": 1, "none": None, "list": [True, 1.5]},
]


def test_every_value_is_written_as_djangos_encoder_wrote_it():
    for value in VALUES:
        expected = json.loads(json.dumps(value, cls=DjangoJSONEncoder))
        assert json.loads(dumps(value)) == expected, value


def test_chinese_text_is_utf8_not_escaped():
    assert dumps({"state_label": "待签收"}) == '{"state_label":"待签收"}'.encode()


def test_integer_keys_become_strings_as_in_json():
    assert json.loads(dumps({1: "a"})) == {"1": "a"}
