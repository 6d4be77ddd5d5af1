"""Settings of the Open311 app, each overridable in the Django settings."""

from __future__ import annotations

from django.conf import settings

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"


def jurisdictions() -> list[str]:
    """Accepted `jurisdiction_id` values; with several, clients must name one."""
    value = getattr(settings, "CIVICLOOP_OPEN311_JURISDICTIONS", None)
    if value is None:
        return ["xinglongtai.panjin.gov.cn"]
    if isinstance(value, str):
        value = value.split(",")
    return [v.strip() for v in value if v and v.strip()]


def service_type() -> str:
    """ "realtime": POST answers the service_request_id; "batch": it answers a token that
    `tokens/{token}` turns into the id (both are spec-conformant; creation is immediate)."""
    value = getattr(settings, "CIVICLOOP_OPEN311_SERVICE_TYPE", "realtime")
    return value if value in ("realtime", "batch") else "realtime"


def endpoint_type() -> str:
    """ "production" or "test" in the discovery document."""
    value = getattr(settings, "CIVICLOOP_OPEN311_ENDPOINT_TYPE", "production")
    return value if value in ("production", "test") else "production"


def contact() -> str:
    return getattr(
        settings,
        "CIVICLOOP_OPEN311_CONTACT",
        "兴隆台区社会治理指挥中心（工作日 8:30-17:00）",
    )


def key_service() -> str:
    return getattr(
        settings,
        "CIVICLOOP_OPEN311_KEY_SERVICE",
        "接入单位请向区社会治理指挥中心书面申请 API 密钥（api_key），由系统管理员在后台或用命令"
        " civicloop open311-key 发放。",
    )


def site_url() -> str:
    return str(getattr(settings, "SITE_URL", "http://127.0.0.1:8000")).rstrip("/")


def _int(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def posts_per_ip() -> tuple[int, int]:
    """(limit, window seconds) for POSTs from one IP address."""
    return _int("CIVICLOOP_OPEN311_POSTS_PER_IP", 30), _int("CIVICLOOP_OPEN311_POST_WINDOW", 3600)


def posts_per_key() -> tuple[int, int]:
    """(limit, window seconds) for POSTs with one API key (a platform forwards many reports)."""
    return _int("CIVICLOOP_OPEN311_POSTS_PER_KEY", 1000), _int(
        "CIVICLOOP_OPEN311_POST_WINDOW", 3600
    )


def gets_per_ip() -> tuple[int, int]:
    """(limit, window seconds) for reads from one IP address."""
    return _int("CIVICLOOP_OPEN311_GETS_PER_IP", 600), _int("CIVICLOOP_OPEN311_GET_WINDOW", 60)


def max_days() -> int:
    """The widest start_date..end_date span (the spec's 90 days)."""
    return _int("CIVICLOOP_OPEN311_MAX_DAYS", 90)


def max_results() -> int:
    """The most requests one answer holds (the spec's 1000)."""
    return _int("CIVICLOOP_OPEN311_MAX_RESULTS", 1000)


def page_size() -> int:
    """How many requests a GET requests answers when the client names no `page_size` (the
    spec caps a default query at 1000; a page of 50 is what clients show and serves fast)."""
    return max(1, _int("CIVICLOOP_OPEN311_PAGE_SIZE", 50))


def description_max() -> int:
    return 4000


def coordinate_decimals() -> int:
    """Public answers round lat/long (4 decimals ≈ 11 m): enough for a map, not a doorway."""
    return _int("CIVICLOOP_OPEN311_COORDINATE_DECIMALS", 4)
