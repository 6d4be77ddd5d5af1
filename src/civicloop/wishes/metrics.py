"""Figures of the wish wall for the dashboard: collected, verified, claimed, fulfilled,
fulfilment rate and mean days from publication to fulfilment — per community, street and
district, for the wishes collected in a period (a cohort, so the rate never exceeds 100%)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time

from django.utils import timezone

from civicloop.core.models import Region

from .models import Wish


@dataclass
class Figures:
    collected: int = 0  # 征集
    verified: int = 0  # 核实公示
    claimed: int = 0  # 认领
    fulfilled: int = 0  # 实现
    confirmed: int = 0  # 反馈
    _days: list[float] = field(default_factory=list, repr=False)

    @property
    def fulfilment_rate(self) -> float | None:
        """Fulfilled ÷ verified, or None when nothing was verified."""
        return round(self.fulfilled / self.verified, 4) if self.verified else None

    @property
    def mean_days_to_fulfil(self) -> float | None:
        return round(sum(self._days) / len(self._days), 1) if self._days else None

    def as_dict(self) -> dict:
        data = asdict(self)
        data.pop("_days")
        data["fulfilment_rate"] = self.fulfilment_rate
        data["mean_days_to_fulfil"] = self.mean_days_to_fulfil
        return data


def _bounds(start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
    tz = timezone.get_default_timezone()
    lo = datetime.combine(start, time.min, tz) if start else None
    # `end` is inclusive: the whole last day counts.
    hi = datetime.combine(end, time.max, tz) if end else None
    return lo, hi


def figures(
    queryset=None, *, start: date | None = None, end: date | None = None
) -> dict[str, object]:
    """The wish figures for the wishes in `queryset` (default: all) collected between `start`
    and `end` (inclusive dates in the district's time zone), by community, street and in total.

    Returns {"total": {...}, "streets": [{id, name, ...}], "communities": [{id, name, street,
    ...}]}, rows sorted by name code; callers pass a queryset already limited to their scope."""
    qs = Wish.objects.all() if queryset is None else queryset
    lo, hi = _bounds(start, end)
    if lo:
        qs = qs.filter(created_at__gte=lo)
    if hi:
        qs = qs.filter(created_at__lte=hi)
    total = Figures()
    by_street: dict[int, Figures] = {}
    by_community: dict[int, Figures] = {}
    rows = qs.values_list(
        "community_id",
        "street_id",
        "published_at",
        "first_claimed_at",
        "fulfilled_at",
        "confirmed_at",
    )
    for community_id, street_id, published, claimed, fulfilled, confirmed in rows.iterator():
        for figs in (
            total,
            by_street.setdefault(street_id, Figures()),
            by_community.setdefault(community_id, Figures()),
        ):
            figs.collected += 1
            figs.verified += published is not None
            figs.claimed += claimed is not None
            figs.fulfilled += fulfilled is not None
            figs.confirmed += confirmed is not None
            if published and fulfilled:
                figs._days.append((fulfilled - published).total_seconds() / 86400)
    names = Region.objects.select_related("street").in_bulk(set(by_street) | set(by_community))

    def row(region_id: int, figs: Figures, **extra) -> dict:
        region = names.get(region_id)
        return {
            "id": region_id,
            "name": region.name if region else "",
            "code": region.code if region else "",
            **extra,
            **figs.as_dict(),
        }

    communities = [
        row(pk, figs, street=names[pk].street.name if pk in names and names[pk].street else "")
        for pk, figs in by_community.items()
    ]
    streets = [row(pk, figs) for pk, figs in by_street.items()]
    return {
        "total": total.as_dict(),
        "streets": sorted(streets, key=lambda r: r["code"]),
        "communities": sorted(communities, key=lambda r: r["code"]),
    }
