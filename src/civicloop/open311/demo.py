"""Open311 demo data: an API key for the city's 12345 hotline platform, the kind of client
that forwards its reports into the district's loop. Idempotent: a second run changes nothing."""

from __future__ import annotations

from .models import ApiKey

DEMO_CLIENT = "盘锦市12345平台"


def load(regions, departments, orgs) -> list[str]:
    if ApiKey.objects.filter(name=DEMO_CLIENT).exists():
        return []
    _key, raw = ApiKey.issue(DEMO_CLIENT, contact="盘锦市12345政务服务便民热线（演示）")
    # Only the hash is kept: this line is the one time the key can be read.
    return [f"Open311 演示密钥（{DEMO_CLIENT}，只显示这一次）：{raw}"]
