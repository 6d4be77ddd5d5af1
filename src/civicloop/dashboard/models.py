"""Precomputed case figures (数据驾驶舱): additive counters per day and dimension, kept in step
with the case event log by `rollups.py`, plus each case's last contribution so that a change to
a case (a new event, a deadline passing) can be retracted and re-added exactly."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# Additive counters of one rollup row; `metrics.py` documents each and derives every rate.
COUNTERS = (
    "received",
    "verified",
    "dispatched",
    "sign_due",
    "signed_on_time",
    "due",
    "closed_on_time",
    "closed",
    "replied",
    "reworked",
    "extended",
    "returned",
    "evaluated",
    "satisfied",
    "basically_satisfied",
    "unsatisfied",
    "default_satisfied",
    "reopened",
    "rejected",
    "merged",
    "handled",
    "handling_seconds",
)
DIMENSIONS = ("street_id", "community_id", "grid_id", "department_id", "category_id", "source")


class Counters(models.Model):
    """The additive counters (see COUNTERS and metrics.py)."""

    received = models.IntegerField(default=0)
    verified = models.IntegerField(default=0)
    dispatched = models.IntegerField(default=0)
    sign_due = models.IntegerField(default=0)
    signed_on_time = models.IntegerField(default=0)
    due = models.IntegerField(default=0)
    closed_on_time = models.IntegerField(default=0)
    closed = models.IntegerField(default=0)
    replied = models.IntegerField(default=0)
    reworked = models.IntegerField(default=0)
    extended = models.IntegerField(default=0)
    returned = models.IntegerField(default=0)
    evaluated = models.IntegerField(default=0)
    satisfied = models.IntegerField(default=0)
    basically_satisfied = models.IntegerField(default=0)
    unsatisfied = models.IntegerField(default=0)
    default_satisfied = models.IntegerField(default=0)
    reopened = models.IntegerField(default=0)
    rejected = models.IntegerField(default=0)
    merged = models.IntegerField(default=0)
    handled = models.IntegerField(default=0)
    handling_seconds = models.BigIntegerField(default=0)

    class Meta:
        abstract = True


class CaseRollup(Counters):
    """Case figures of one local day for one combination of street, community, grid,
    department, category and source (0 = none): breakdowns by category and source read it.
    Derived data: `rollups.rebuild` recreates it."""

    day = models.DateField()
    # Plain integers, not foreign keys: derived rows must never block deleting or merging
    # a region, and 0 keeps the unique key free of NULLs.
    street_id = models.IntegerField(default=0)
    community_id = models.IntegerField(default=0)
    grid_id = models.IntegerField(default=0)
    department_id = models.IntegerField(default=0)
    category_id = models.IntegerField(default=0)
    source = models.CharField(max_length=10, default="")

    class Meta:
        verbose_name = _("工单日汇总")
        verbose_name_plural = _("工单日汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["day", *DIMENSIONS],
                name="case_rollup_key",
            )
        ]
        # Each scope's query reads only its own rows within a date range.
        indexes = [
            models.Index(fields=["day"], name="rollup_day"),
            models.Index(fields=["street_id", "day"], name="rollup_street_day"),
            models.Index(fields=["community_id", "day"], name="rollup_community_day"),
            models.Index(fields=["grid_id", "day"], name="rollup_grid_day"),
            models.Index(fields=["department_id", "day"], name="rollup_department_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.street_id}/{self.community_id}/{self.grid_id}"


class ScopeRollup(Counters):
    """Case figures of one local day for one scope (district 0, or a street, community, grid or
    department): the scope's totals (group_by "") and its breakdowns by category and by source
    (group_by "category_id" / "source", group_value the category id or source). A scope's
    totals, trend and breakdowns read a few rows per day, however many cases."""

    day = models.DateField()
    scope_type = models.CharField(max_length=12)
    scope_id = models.IntegerField(default=0)
    group_by = models.CharField(max_length=12, default="")
    group_value = models.CharField(max_length=20, default="")

    class Meta:
        verbose_name = _("范围日汇总")
        verbose_name_plural = _("范围日汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["scope_type", "scope_id", "group_by", "group_value", "day"],
                name="scope_rollup_group_key",
            )
        ]
        # Rankings read every unit of one level: its totals only, within a date range.
        indexes = [
            models.Index(fields=["scope_type", "group_by", "day"], name="scope_rollup_level_day")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.scope_type} {self.scope_id} {self.group_by}={self.group_value}"


class CaseFact(models.Model):
    """What one case currently contributes to the rollups: its dimensions and, per local day,
    its counters. Replaced whenever the case changes."""

    case_id = models.BigIntegerField(primary_key=True)
    street_id = models.IntegerField(default=0)
    community_id = models.IntegerField(default=0)
    grid_id = models.IntegerField(default=0)
    department_id = models.IntegerField(default=0)
    category_id = models.IntegerField(default=0)
    source = models.CharField(max_length=10, default="")
    # {"2026-09-30": {"received": 1, ...}, ...}
    days = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("工单贡献")
        verbose_name_plural = _("工单贡献")

    def __str__(self) -> str:
        return f"case {self.case_id}"


class RollupWatermark(models.Model):
    """How far the rollups have read: the last case event folded in, and the moment used to
    judge deadlines. One row; a worker claims a batch with a conditional UPDATE on it."""

    name = models.CharField(max_length=20, primary_key=True, default="cases")
    last_event_id = models.BigIntegerField(default=0)
    # Bumped by every claim, so that a worker holding a stale read claims nothing.
    generation = models.BigIntegerField(default=0)
    evaluated_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("汇总进度")
        verbose_name_plural = _("汇总进度")

    def __str__(self) -> str:
        return f"{self.name} ≤ {self.last_event_id}"
